"""A copy of the bundled example whose currency conversion changes a column's type.

The planted bug is a realistic one: the step formats ``amount`` with two decimals "for
the report" before writing the Parquet file, so the column is stored as strings
(``large_string``) while its contract says ``float``.  pandas reads the file without
complaint; before types were contracts the step, its hand-off and pipeline mode all
passed and the failure surfaced downstream, blamed on the wrong step.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from broken_copy import EXAMPLE, ROOT, _replace_once

PIPELINE = "fraud-detection-dtype"
ANCHOR = '    frame["amount_base"] = frame["amount_usd"] / rates[base_currency]\n'
BUG = ('    # BUG: formatted for the report, so amount is written as text, not float\n'
       '    frame["amount"] = frame["amount"].map("{:.2f}".format)\n')


def make_dtype_bug_copy(dest: Path, validation: str = "lenient") -> Path:
    """Write the example with the dtype bug under ``dest``; return the path of its spec."""
    shutil.copytree(EXAMPLE / "scripts", dest / "scripts")
    shutil.copytree(EXAMPLE / "data", dest / "data")
    script = dest / "scripts" / "currency_conversion.py"
    script.write_text(_replace_once(script.read_text(encoding="utf-8"), ANCHOR, ANCHOR + BUG, script.name),
                      encoding="utf-8")
    spec = (ROOT / "specs" / "fraud.yaml").read_text(encoding="utf-8").split("\nscenarios:", 1)[0]
    spec = _replace_once(spec, "\npipeline: fraud-detection\n", f"\npipeline: {PIPELINE}\n", "spec")
    spec = spec.replace("../examples/fraud/", "")
    spec += ("\nscenarios:\n  standard: {rows: 50}\n"
             "modes:\n  isolation: {scenarios: [standard]}\n"
             f"  pipeline: {{execution: parallel, validation: {validation}, continue_on_failure: true}}\n")
    path = dest / "fraud.yaml"
    path.write_text(spec, encoding="utf-8")
    return path
