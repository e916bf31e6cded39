"""Volume scaling of the example pipeline's steps, as deep dive mode measures it.

Runs ``specrun --mode deep_dive`` on a copy of ``specs/fraud.yaml`` whose deep dive
uses the bundled snapshot with ``focus_areas: [performance, scaling]`` and prints, per
step, CPU seconds and peak RSS at each row count (and at 0 rows, the fixed cost), the
fitted exponents and whether the step is flagged super-linear.

    .venv/bin/python bench/deep_dive_scaling.py [--rows 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def spec_text(rows: list[int]) -> str:
    text = (ROOT / "specs" / "fraud.yaml").read_text().replace("../examples/fraud", str(ROOT / "examples" / "fraud"))
    return text[:text.index("\nmodes:")] + (
        "\nmodes:\n  deep_dive: {snapshot: " + str(ROOT / "examples" / "fraud" / "snapshot")
        + ", focus_areas: [performance, scaling], volume_rows: [" + ", ".join(map(str, rows)) + "]}\n")


def exponent(fit: dict) -> str:
    if fit.get("exponent") is None:
        return "   —  "
    return f"{fit['exponent']:6.2f}" + ("*" if fit.get("super_linear") else " " if fit.get("significant") else "~")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-deep-dive-") as tmp:
        spec, out = Path(tmp) / "fraud.yaml", Path(tmp) / "result.json"
        spec.write_text(spec_text(args.rows))
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "specrun", str(spec), "--mode", "deep_dive", "-q",
                               "--workspace", str(Path(tmp) / "ws"), "--json", str(out)],
                              env={**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"}, cwd=ROOT,
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if not out.exists():
            print(proc.stdout + proc.stderr)
            return 1
        record = json.loads(out.read_text())["records"]["deep_dive:fraud-detection"]
    sizes = ["0", *map(str, args.rows)]
    print(f"deep dive scaling of the example steps (CPU s / peak MiB; {os.cpu_count()} CPUs, "
          f"{elapsed:.0f} s in all)")
    print(f"{'step':20} " + " ".join(f"{s + ' rows':>16}" for s in sizes) + "   time^   mem^  wall^")
    for name, step in record["steps"].items():
        scaling = step.get("scaling")
        if not scaling:
            print(f"{name:20} (no scaling: {step.get('source_error') or 'failed'})")
            continue
        cells = []
        for run in [scaling["baseline"], *scaling["points"]]:
            cells.append(f"{run['cpu_s']:6.2f} / {run['peak_rss_bytes'] / 2**20:5.0f}" if run["ok"]
                         else f"{run['classification']:>16}")
        print(f"{name:20} " + " ".join(f"{c:>16}" for c in cells) + "  "
              + " ".join(exponent(scaling[k]) for k in ("time", "memory", "wall")))
    print("exponent: * super-linear (> 1.2, growth above the noise floor), ~ growth within noise")
    for item in record["recommendations"]:
        print(f"- {item['message']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
