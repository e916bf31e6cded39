"""Currency conversion step of the fraud-detection pipeline.

Reads raw card transactions from a sharded CSV directory (``part-00000.csv`` …),
converts every amount to US dollars and to the reporting currency named by the
``BASE_CURRENCY`` environment variable, using the rates in a JSON file
(currency code -> value of one unit in USD), and writes all rows as one Parquet
file with two new columns, ``amount_usd`` and ``amount_base``.

Shards are converted in parallel by a ``multiprocessing.Pool`` of two workers.

SageMaker processing-job style entry point::

    main(input_paths, output_paths, environ_vars, job_args)

    input_paths  = {"transactions": DIR, "rates": FILE}
    output_paths = {"converted": FILE}
    environ_vars = {"BASE_CURRENCY": "USD"}

Run by hand::

    python currency_conversion.py --transactions DIR --rates rates.json --converted out.parquet
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pandas as pd
from input_contract import Rule, check_frame

logger = logging.getLogger(__name__)

SHARD_GLOB = "part-*.csv"
POOL_WORKERS = 2
CHANNELS = ["web", "pos", "app"]
REQUIRED_COLUMNS = ["txn_id", "amount", "currency"]
# Columns of the raw feed and the dtype each is read with (missing ones are not an error here).
RAW_DTYPES: dict[str, str] = {"txn_id": "int64", "amount": "float64", "currency": "str",
                              "merchant": "str", "channel": "str"}
RAW_COLUMNS = ["txn_id", "amount", "currency", "ts", "merchant", "channel", "is_fraud"]
# The input contract (specs/fraud.yaml, schema transactions); unknown currency codes are
# named by the conversion itself.
TRANSACTIONS: dict[str, Rule] = {
    "txn_id": Rule("int", unique=True),
    "amount": Rule("float", min=0, max=1_000_000),
    "currency": Rule("str"),
    "ts": Rule("datetime", min=pd.Timestamp("2024-01-01"), max=pd.Timestamp("2024-12-31")),
    "merchant": Rule("str", nullable=True, pattern=r"^[A-Z]{3}-[0-9]{4}$"),
    "channel": Rule("str", isin=tuple(CHANNELS)),
    "is_fraud": Rule("bool"),
}


def load_rates(path: str) -> dict[str, float]:
    """The conversion table: currency code -> value of one unit in USD (all > 0)."""
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{path}: expected a non-empty JSON object of currency -> rate")
    rates: dict[str, float] = {}
    for code, rate in raw.items():
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or rate <= 0:
            raise ValueError(f"{path}: rate for {code!r} must be a positive number, got {rate!r}")
        rates[str(code)] = float(rate)
    return rates


def parse_bool(series: pd.Series) -> pd.Series:
    """Booleans written to CSV as True/False (or 1/0, true/false) back to bool dtype."""
    if series.dtype == bool:
        return series
    text = series.astype("str").str.strip().str.lower()
    mapped = text.map({"true": True, "false": False, "1": True, "0": False})
    if mapped.isna().any():
        bad = sorted(set(series[mapped.isna()].astype("str")))[:5]
        raise ValueError(f"column {series.name!r} has non-boolean value(s): {', '.join(bad)}")
    return mapped.astype(bool)


def read_shard(path: str) -> pd.DataFrame:
    """One CSV shard with the raw columns in their proper dtypes."""
    frame = pd.read_csv(path, dtype=RAW_DTYPES)
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{os.path.basename(path)}: missing required column(s): {', '.join(missing)}")
    frame = check_frame(frame, TRANSACTIONS, os.path.basename(path))
    if "ts" in frame.columns:
        frame["ts"] = pd.to_datetime(frame["ts"], format="ISO8601")
    if "is_fraud" in frame.columns:
        frame["is_fraud"] = parse_bool(frame["is_fraud"])
    if "channel" in frame.columns:
        unknown = sorted(set(frame["channel"].dropna()) - set(CHANNELS))
        if unknown:
            raise ValueError(f"unknown channel(s): {', '.join(unknown)}")
        frame["channel"] = frame["channel"].astype(pd.CategoricalDtype(CHANNELS))
    return frame


def convert_shard(path: str, rates: dict[str, float], base_currency: str) -> pd.DataFrame:
    """Read one shard and add ``amount_usd`` and ``amount_base`` (runs in a pool worker)."""
    frame = read_shard(path)
    if frame["currency"].isna().any():
        raise ValueError(f"{os.path.basename(path)}: currency is null in "
                         f"{int(frame['currency'].isna().sum())} row(s)")
    unknown = sorted(set(frame["currency"]) - set(rates))
    if unknown:
        raise ValueError(f"unknown currency code(s): {', '.join(unknown)}")
    to_usd = frame["currency"].map(rates).astype("float64")
    frame["amount_usd"] = frame["amount"] * to_usd
    frame["amount_base"] = frame["amount_usd"] / rates[base_currency]
    logger.info("converted %s: %d rows", os.path.basename(path), len(frame))
    return frame


def empty_converted_frame() -> pd.DataFrame:
    """The output of a run with no input shards: right columns and dtypes, no rows."""
    return pd.DataFrame({
        "txn_id": pd.Series(dtype="int64"),
        "amount": pd.Series(dtype="float64"),
        "currency": pd.Series(dtype="str"),
        "ts": pd.Series(dtype="datetime64[us]"),
        "merchant": pd.Series(dtype="str"),
        "channel": pd.Series(dtype=pd.CategoricalDtype(CHANNELS)),
        "is_fraud": pd.Series(dtype=bool),
        "amount_usd": pd.Series(dtype="float64"),
        "amount_base": pd.Series(dtype="float64"),
    })


def list_shards(transactions: str) -> list[str]:
    """The shard files of the input: every ``part-*.csv`` of a directory, or one file."""
    path = Path(transactions)
    if path.is_file():
        return [str(path)]
    if not path.is_dir():
        raise FileNotFoundError(f"transactions input not found: {transactions}")
    return [str(shard) for shard in sorted(path.glob(SHARD_GLOB))]


def main(input_paths: dict[str, str], output_paths: dict[str, str],
         environ_vars: dict[str, str], job_args: Any = None) -> None:
    """Convert every shard of ``transactions`` and write ``converted`` as one Parquet file."""
    rates = load_rates(input_paths["rates"])
    base_currency = environ_vars.get("BASE_CURRENCY") or "USD"
    if base_currency not in rates:
        raise ValueError(f"unknown currency code(s): {base_currency} (BASE_CURRENCY)")
    shards = list_shards(input_paths["transactions"])
    logger.info("converting %d shard(s) to USD and %s", len(shards), base_currency)

    if shards:
        convert = functools.partial(convert_shard, rates=rates, base_currency=base_currency)
        with multiprocessing.Pool(POOL_WORKERS) as pool:
            frames = pool.map(convert, shards)
        converted = pd.concat(frames, ignore_index=True)
        check_frame(converted, {"txn_id": TRANSACTIONS["txn_id"]}, "transactions")  # across shards
    else:
        logger.warning("no %s shards in %s: writing an empty output", SHARD_GLOB,
                       input_paths["transactions"])
        converted = empty_converted_frame()

    if converted.empty:
        logger.warning("no transactions to convert")
    out_path = Path(output_paths["converted"])
    out_path.parent.mkdir(parents=True, exist_ok=True)
    converted.to_parquet(out_path, index=False)
    logger.info("wrote %d rows to %s", len(converted), out_path)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", required=True, help="directory of part-*.csv shards")
    parser.add_argument("--rates", required=True, help="JSON file: currency -> rate to USD")
    parser.add_argument("--converted", required=True, help="output Parquet file")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args()
    main(
        input_paths={"transactions": args.transactions, "rates": args.rates},
        output_paths={"converted": args.converted},
        environ_vars={"BASE_CURRENCY": os.environ.get("BASE_CURRENCY", "USD")},
        job_args=args,
    )
