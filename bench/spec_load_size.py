"""How spec loading scales with spec size: specrun's loader against strictyaml's own lookup.

Run: ``.venv/bin/python bench/spec_load_size.py [SCHEMAS ...]`` (default 250 500 1000 2000).
For each size it writes a spec of that many small schemas (two columns each), loads it
three times with specrun's loader (strictyaml with the O(1) pointer lookup of
``specrun/spec/yaml_pointer_speed.py``) and three times with strictyaml's own linear-scan
lookup (the anchor, measured in the same run), and prints the medians, the ratio and the
spec's size.  It asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from strictyaml.yamlpointer import YAMLPointer

from specrun.spec import yaml_pointer_speed
from specrun.spec.loader import load_spec


def write_spec(folder: Path, schemas: int) -> Path:
    lines = ["version: 1", "pipeline: big", "schemas:"]
    for i in range(schemas):
        lines += [f"  s{i}:", "    columns:", f"      a: {{type: int, min: 0, max: {i + 10}}}",
                  "      b: {type: str, isin: [x, y, z]}"]
    lines += ["steps:", "  one:", "    script: ok.py", "    call: main", "    inputs: {d: {format: csv, schema: s0}}"]
    (folder / "ok.py").write_text("def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n")
    spec = folder / f"spec{schemas}.yaml"
    spec.write_text("\n".join(lines) + "\n")
    return spec


def median_load(spec: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load_spec(spec)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(sizes: list[int]) -> None:
    yaml_pointer_speed.install()
    fast = YAMLPointer._individual_get
    scan = fast.__wrapped__   # strictyaml's own lookup
    print(f"{'schemas':>8} {'KB':>7} {'specrun s':>10} {'strictyaml lookup s':>20} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            spec = write_spec(Path(tmp), size)
            YAMLPointer._individual_get = fast
            ours = median_load(spec)
            YAMLPointer._individual_get = scan
            anchor = median_load(spec)
            YAMLPointer._individual_get = fast
            print(f"{size:>8} {spec.stat().st_size / 1024:>7.0f} {ours:>10.2f} {anchor:>20.2f} {ours / anchor:>6.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [250, 500, 1000, 2000])
