"""Order totals step — BUG: reads a column by its old name.

Reads an orders CSV and writes the total amount per currency.  The feed renamed
``order_amount`` to ``amount`` (the contract in the spec says ``amount``); this
script still reads ``order_amount``, so every valid input raises
``KeyError: 'order_amount'`` — the script's bug, which specrun classifies as
SCRIPT_ERROR and points at the line below, not as bad data.

Run as::

    python order_totals.py --orders orders.csv --totals totals.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def totals(frame: pd.DataFrame) -> pd.DataFrame:
    amounts = frame["order_amount"]     # BUG: renamed to "amount" upstream
    return amounts.groupby(frame["currency"]).sum().rename("total").reset_index()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", required=True)
    parser.add_argument("--totals", required=True)
    args = parser.parse_args(argv)
    frame = pd.read_csv(args.orders)
    result = totals(frame)
    Path(args.totals).parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(args.totals, index=False)


if __name__ == "__main__":
    main()
