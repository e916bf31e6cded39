"""Order normalisation step — BUG: a broad ``except`` swallows the real error.

Reads an orders CSV, parses the order timestamp, converts amounts to cents and
writes Parquet.  The timestamp format string is wrong for the feed (``%d/%m/%Y``
while the feed writes ISO dates), so parsing raises; the ``except Exception`` around
the body logs a one-line warning and returns ``False`` instead of failing, so the
job "succeeds" without writing its output.  specrun reports
``main() returned False without writing output 'normalised'``.

SageMaker processing-job style entry point::

    main(input_paths, output_paths, environ_vars, job_args)
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)
TS_FORMAT = "%d/%m/%Y %H:%M:%S"     # BUG: the feed writes ISO 8601 timestamps


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["ts"] = pd.to_datetime(out["ts"], format=TS_FORMAT)
    out["amount_cents"] = (out["amount"] * 100).round().astype("int64")
    return out


def main(input_paths, output_paths, environ_vars, job_args):
    try:
        frame = pd.read_csv(input_paths["orders"])
        result = normalise(frame)
        target = Path(output_paths["normalised"])
        target.parent.mkdir(parents=True, exist_ok=True)
        result.to_parquet(target, index=False)
        return True
    except Exception as exc:  # BUG: the failure is logged and swallowed
        logger.warning("normalisation skipped: %s", exc)
        return False
