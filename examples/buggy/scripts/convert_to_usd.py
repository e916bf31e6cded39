"""Currency conversion step — BUG: an unknown currency passes through silently.

Reads an orders CSV and adds ``amount_usd``.  A currency missing from the rate
table should be rejected; instead ``RATES.get(code, 1.0)`` converts it at rate 1.0
and the unknown code is written to the output unchanged.  On valid input the step
is correct; under the spec's ``bad_currency`` scenario (``expect: {fail: true}``)
it exits 0, and specrun reports ACCEPTED_INVALID: its output violates the
contract (``currency`` outside ``isin``).

SageMaker processing-job style entry point::

    main(input_paths, output_paths, environ_vars, job_args)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

RATES = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}


def convert(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    rate = out["currency"].map(lambda code: RATES.get(code, 1.0))   # BUG: should reject unknown codes
    out["amount_usd"] = out["amount"] * rate
    return out


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["orders"])
    target = Path(output_paths["converted"])
    target.parent.mkdir(parents=True, exist_ok=True)
    convert(frame).to_csv(target, index=False)
