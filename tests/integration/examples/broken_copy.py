"""A deliberately broken copy of the bundled example, built from the real files.

Each step gets one realistic planted bug of a different failure class; everything
else is the real example, so the copy never drifts from it.  Every edit must apply
exactly once — if the example changes so that one no longer applies, building the
copy fails loudly instead of testing something else.

The planted bugs (step: bug → what specrun must report):

- currency_conversion: imports a package missing from the image →
  IMPORT_ERROR, `No module named 'fx_rates_client'`
- preprocessing: an alias map written backwards renames `amount` away →
  SCRIPT_ERROR (the input was valid), `KeyError: 'amount'`
- feature_engineering: `feature_stats` export behind a flag that defaults off →
  CONTRACT_ERROR, `main() returned None without writing output 'feature_stats'`
- train: polls for a `_SUCCESS` marker nothing writes, with no deadline →
  TIMEOUT (the step's 2 s timeout), `timed out after 2 s`
- holdout_split (a container script): writes the test split beside its
  ProcessingOutput folder, `/opt/ml/processing/output/test.parquet` → CONTRACT_ERROR,
  output `test` not written
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "fraud"
PIPELINE = "fraud-detection-broken"

# script → [(anchor line, text inserted after it)]
BUGS: dict[str, list[tuple[str, str]]] = {
    "currency_conversion.py": [
        ("import pandas as pd\n", "import fx_rates_client  # BUG: not installed in the processing image\n"),
    ],
    "preprocessing.py": [
        ("from input_contract import Rule, check_frame\n\n",
         '# BUG: keys and values swapped, so this renames the canonical column away.\n'
         'COLUMN_ALIASES = {"amount": "amt"}\n'),
        ("    check_columns(frame)\n",
         '    frame = frame.rename(columns=COLUMN_ALIASES)\n'
         '    frame["fx_rate"] = frame["amount_usd"] / frame["amount"]\n'),
    ],
    "feature_engineering.py": [
        ("    stats_path = Path(output_paths[\"feature_stats\"])\n",
         '    # BUG: the flag defaults to off, so the declared feature_stats output is never written.\n'
         '    if (environ_vars or {}).get("EXPORT_FEATURE_STATS", "false").lower() != "true":\n'
         '        return\n'),
    ],
    "holdout_split.py": [
        ("        folder = os.path.join(OUTPUT_DIR, name)\n",
         '        # BUG: the test split lands beside its folder, where no ProcessingOutput uploads it.\n'
         '        folder = OUTPUT_DIR if name == "test" else folder\n'),
    ],
    "train.py": [
        ("import argparse\n", "import time\n"),
        ("    features_dir = Path(args.train)\n",
         '    # BUG: nothing writes _SUCCESS and the wait has no deadline.\n'
         '    while not (features_dir / "_SUCCESS").exists():\n'
         '        logger.info("waiting for %s", features_dir / "_SUCCESS")\n'
         '        time.sleep(0.5)\n'),
    ],
}

EXPECTED = {
    "currency_conversion": ("IMPORT_ERROR", "No module named 'fx_rates_client'"),
    "preprocessing": ("SCRIPT_ERROR", "KeyError: 'amount'"),
    "feature_engineering": ("CONTRACT_ERROR", "main() returned None without writing output 'feature_stats'"),
    "train": ("TIMEOUT", "timed out after 2 s"),
    "holdout_split": ("CONTRACT_ERROR", "output 'test' was not written"),
}


def _replace_once(text: str, old: str, new: str, where: str) -> str:
    count = text.count(old)
    if count != 1:
        raise AssertionError(f"{where}: expected {old!r} exactly once, found it {count} times")
    return text.replace(old, new)


def make_broken_copy(dest: Path) -> Path:
    """Write the broken project under ``dest``; return the path of its spec."""
    scripts = dest / "scripts"
    scripts.mkdir(parents=True)
    for name, edits in BUGS.items():
        text = (EXAMPLE / "scripts" / name).read_text(encoding="utf-8")
        for anchor, inserted in edits:
            text = _replace_once(text, anchor, anchor + inserted, name)
        (scripts / name).write_text(text, encoding="utf-8")
    for helper in sorted((EXAMPLE / "scripts").glob("*.py")):   # the modules the scripts share
        if helper.name not in BUGS:
            shutil.copy2(helper, scripts / helper.name)
    shutil.copytree(EXAMPLE / "data", dest / "data")
    spec = (ROOT / "specs" / "fraud.yaml").read_text(encoding="utf-8")
    spec = spec.split("\nscenarios:", 1)[0]
    spec = _replace_once(spec, "\npipeline: fraud-detection\n", f"\npipeline: {PIPELINE}\n", "spec")
    spec = spec.replace("../examples/fraud/", "")
    spec = _replace_once(spec, "    script: scripts/train.py\n", "    script: scripts/train.py\n    timeout: 2\n",
                         "spec")
    spec += ("\nscenarios:\n  standard: {rows: 50}\n"
             "modes:\n  isolation: {scenarios: [standard]}\n"
             "  pipeline: {execution: parallel, validation: strict, continue_on_failure: false}\n")
    path = dest / "fraud.yaml"
    path.write_text(spec, encoding="utf-8")
    return path
