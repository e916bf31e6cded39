"""Preprocessing step of the fraud-detection pipeline.

Reads the converted transactions (Parquet), drops rows without an amount, adds
calendar features (``hour``, ``day_of_week``) and, for a training job, splits the
rows into train / test / val.  The split is deterministic: each row goes where the
seeded hash of its ``txn_id`` falls, so reruns and new data never move a
transaction from one split to another.  Each split is written as
``{split}/{split}_processed_data.csv`` under the output directory; other job types
write every row to ``{job_type}/{job_type}_processed_data.csv``.

Run (SageMaker processing-job style arguments)::

    python preprocessing.py --input converted.parquet --output OUT_DIR --job-type training
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import pandas as pd
from input_contract import Rule, check_frame

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ["txn_id", "amount", "amount_usd", "ts", "is_fraud"]
SPLITS = ("train", "test", "val")
JOB_TYPES = ("training", "validation", "testing", "calibration")
HASH_BUCKETS = 10_000
# The input contract (specs/fraud.yaml, schema converted).  Rows without an amount are
# dropped below rather than refused, so amount and amount_usd may be null here.
CONVERTED: dict[str, Rule] = {
    "txn_id": Rule("int", unique=True),
    "amount": Rule("float", min=0, max=1_000_000, nullable=True),
    "currency": Rule("str", isin=("USD", "EUR", "GBP", "JPY")),
    "ts": Rule("datetime", min=pd.Timestamp("2024-01-01"), max=pd.Timestamp("2024-12-31")),
    "merchant": Rule("str", nullable=True, pattern=r"^[A-Z]{3}-[0-9]{4}$"),
    "channel": Rule("str", isin=("web", "pos", "app")),
    "is_fraud": Rule("bool"),
    "amount_usd": Rule("float", min=0, nullable=True),
    "amount_base": Rule("float", min=0),
}


def read_converted(path: str) -> pd.DataFrame:
    """The converted transactions: one Parquet file, or every ``*.parquet`` of a directory."""
    source = Path(path)
    if source.is_dir():
        files = sorted(source.glob("*.parquet"))
        if not files:
            raise FileNotFoundError(f"no .parquet files in {path}")
        return pd.concat([pd.read_parquet(file) for file in files], ignore_index=True)
    return pd.read_parquet(source)


def check_columns(frame: pd.DataFrame) -> None:
    """Fail with the names of the required columns the input lacks."""
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"missing required column(s): {', '.join(missing)}")


def drop_missing_amounts(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose amount (local or USD) is unknown cannot be scored: drop them."""
    kept = frame.dropna(subset=["amount", "amount_usd"])
    dropped = len(frame) - len(kept)
    if dropped:
        logger.warning("dropped %d row(s) with a null amount", dropped)
    return kept.reset_index(drop=True)


def add_calendar_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``hour`` (0-23) and ``day_of_week`` (0 = Monday) from the timestamp."""
    ts = frame["ts"]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        ts = pd.to_datetime(ts, format="ISO8601")
    frame = frame.assign(ts=ts)
    frame["hour"] = ts.dt.hour.astype("int64")
    frame["day_of_week"] = ts.dt.day_of_week.astype("int64")
    return frame


def assign_splits(txn_ids: pd.Series, seed: int, train_ratio: float,
                  test_ratio: float) -> np.ndarray:
    """The split of each row, from a seeded hash of its transaction id."""
    hash_key = f"{seed % 10**16:016d}"
    hashes = pd.util.hash_pandas_object(txn_ids, index=False, hash_key=hash_key).to_numpy()
    position = (hashes % HASH_BUCKETS) / HASH_BUCKETS
    return np.where(position < train_ratio, "train",
                    np.where(position < train_ratio + test_ratio, "test", "val"))


def write_split(frame: pd.DataFrame, output_dir: Path, name: str) -> None:
    """Write one split as ``{name}/{name}_processed_data.csv`` (a header only when empty)."""
    target = output_dir / name / f"{name}_processed_data.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False)
    logger.info("wrote %d rows to %s", len(frame), target)


def main(args: argparse.Namespace) -> None:
    """Clean, enrich and split the converted transactions."""
    frame = read_converted(args.input)
    logger.info("read %d rows from %s", len(frame), args.input)
    check_columns(frame)
    frame = check_frame(frame, CONVERTED, Path(args.input).name)
    frame = add_calendar_features(drop_missing_amounts(frame))
    output_dir = Path(args.output)

    if args.job_type != "training":
        write_split(frame, output_dir, args.job_type)
        return
    splits = assign_splits(frame["txn_id"], args.split_seed, args.train_ratio, args.test_ratio)
    for name in SPLITS:
        write_split(frame[splits == name], output_dir, name)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="converted transactions (Parquet)")
    parser.add_argument("--output", required=True, help="output directory")
    parser.add_argument("--job-type", required=True, choices=JOB_TYPES)
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--train-ratio", type=float, default=0.7)
    parser.add_argument("--test-ratio", type=float, default=0.15)
    args = parser.parse_args(argv)
    if not (0 < args.train_ratio and 0 <= args.test_ratio and args.train_ratio + args.test_ratio < 1):
        parser.error("need 0 < train-ratio, 0 <= test-ratio and train-ratio + test-ratio < 1")
    return args


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main(parse_args())
