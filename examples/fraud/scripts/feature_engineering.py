"""Feature engineering step of the fraud-detection pipeline.

Reads the train / test / val splits written by preprocessing and turns them into
model-ready features:

- ``log_amount``: ``log1p`` of the USD amount;
- ``merchant_freq``: the share of train transactions made at the same merchant
  (frequency encoding fitted on train only; unseen or missing merchants get 0);
- ``hour``, ``day_of_week``: passed through from preprocessing;
- one-hot ``channel_*`` and ``currency_*`` indicator columns.

The four numeric features are standardised with means and standard deviations
fitted on train and clipped to +/- ``Z_CLIP``.  Features are written as
``{split}.parquet`` in the ``features`` directory, and the fitted statistics as a
JSON artifact ``feature_stats`` (what serving needs to transform new data).

SageMaker processing-job style entry point::

    main(input_paths, output_paths, environ_vars, job_args)

    input_paths  = {"splits": DIR}            # DIR/{split}/{split}_processed_data.csv
    output_paths = {"features": DIR, "feature_stats": FILE}

Run by hand::

    python feature_engineering.py --splits DIR --features DIR --feature-stats stats.json
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from input_contract import Rule, check_frame

logger = logging.getLogger(__name__)

SPLITS = ("train", "test", "val")
CHANNELS = ("web", "pos", "app")
CURRENCIES = ("USD", "EUR", "GBP", "JPY")
NUMERIC_FEATURES = ("log_amount", "merchant_freq", "hour", "day_of_week")
Z_CLIP = 10.0
REQUIRED_COLUMNS = ["txn_id", "amount_usd", "merchant", "channel", "currency",
                    "hour", "day_of_week", "is_fraud"]
# What the features rest on (specs/fraud.yaml, schema processed): a transaction in one
# split only, and an amount to take the log of.
PROCESSED: dict[str, Rule] = {"txn_id": Rule("int", unique=True), "amount_usd": Rule("float", min=0)}
READ_DTYPES = {"txn_id": "int64", "amount_usd": "float64", "merchant": "str",
               "channel": "str", "currency": "str", "hour": "int64", "day_of_week": "int64"}


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


def read_split(splits_dir: Path, name: str) -> pd.DataFrame:
    """One split written by preprocessing, with the columns this step needs, typed."""
    path = splits_dir / name / f"{name}_processed_data.csv"
    if not path.is_file():
        raise FileNotFoundError(f"missing split {name!r}: {path}")
    frame = pd.read_csv(path, dtype=READ_DTYPES)
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing required column(s): {', '.join(missing)}")
    frame["is_fraud"] = parse_bool(frame["is_fraud"])
    return frame


def one_hot(values: pd.Series, categories: tuple[str, ...], prefix: str) -> pd.DataFrame:
    """Indicator columns ``{prefix}_{category}``; values outside ``categories`` are an error."""
    unknown = sorted(set(values.dropna()) - set(categories))
    if unknown or values.isna().any():
        shown = ", ".join(unknown) if unknown else "null"
        raise ValueError(f"unknown {values.name} value(s): {shown}")
    return pd.DataFrame({f"{prefix}_{category.lower()}": (values == category).astype("int64")
                         for category in categories}, index=values.index)


def fit_merchant_frequency(train: pd.DataFrame) -> dict[str, float]:
    """Share of train transactions per merchant (missing merchants are not counted)."""
    if train.empty:
        return {}
    shares = train["merchant"].value_counts(dropna=True) / len(train)
    return {str(merchant): float(share) for merchant, share in shares.items()}


def raw_features(frame: pd.DataFrame, merchant_frequency: dict[str, float]) -> pd.DataFrame:
    """Unscaled features of one split (label and id kept alongside)."""
    if (frame["amount_usd"] < 0).any():
        raise ValueError("amount_usd has negative value(s)")
    features = pd.DataFrame({
        "txn_id": frame["txn_id"],
        "is_fraud": frame["is_fraud"],
        "log_amount": np.log1p(frame["amount_usd"].astype("float64")),
        "merchant_freq": frame["merchant"].map(merchant_frequency).astype("float64").fillna(0.0),
        "hour": frame["hour"].astype("float64"),
        "day_of_week": frame["day_of_week"].astype("float64"),
    }, index=frame.index)
    return pd.concat([features,
                      one_hot(frame["channel"], CHANNELS, "channel"),
                      one_hot(frame["currency"], CURRENCIES, "currency")], axis=1)


def fit_scaling(train_features: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each numeric feature on train (std 1 when undefined)."""
    scaling: dict[str, dict[str, float]] = {}
    for column in NUMERIC_FEATURES:
        values = train_features[column]
        with np.errstate(over="ignore", invalid="ignore"):   # overflow -> inf, handled below
            mean = float(values.mean()) if len(values) else 0.0
            std = float(values.std(ddof=0)) if len(values) else 1.0
        if not math.isfinite(mean):
            mean = 0.0
        if not math.isfinite(std) or std == 0.0:
            std = 1.0
        scaling[column] = {"mean": mean, "std": std}
    return scaling


def apply_scaling(features: pd.DataFrame, scaling: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Standardise the numeric features and clip them to +/- Z_CLIP."""
    scaled = features.copy()
    for column, fitted in scaling.items():
        with np.errstate(over="ignore"):                      # +/-inf is clipped below
            z = (features[column] - fitted["mean"]) / fitted["std"]
        scaled[column] = z.clip(-Z_CLIP, Z_CLIP)
    return scaled


def main(input_paths: dict[str, str], output_paths: dict[str, str],
         environ_vars: dict[str, str] | None = None, job_args: Any = None) -> None:
    """Build features for every split and write them with the train-fitted statistics."""
    splits_dir = Path(input_paths["splits"])
    frames = {name: read_split(splits_dir, name) for name in SPLITS}
    for name, frame in frames.items():
        logger.info("read %s: %d rows", name, len(frame))
    check_frame(pd.concat(frames.values(), ignore_index=True), PROCESSED, "splits")
    if frames["train"].empty:
        logger.warning("train split is empty: features are scaled with mean 0, std 1")

    merchant_frequency = fit_merchant_frequency(frames["train"])
    raw = {name: raw_features(frame, merchant_frequency) for name, frame in frames.items()}
    scaling = fit_scaling(raw["train"])

    features_dir = Path(output_paths["features"])
    features_dir.mkdir(parents=True, exist_ok=True)
    feature_names: list[str] = []
    for name, features in raw.items():
        scaled = apply_scaling(features, scaling).reset_index(drop=True)
        feature_names = [c for c in scaled.columns if c not in ("txn_id", "is_fraud")]
        scaled.to_parquet(features_dir / f"{name}.parquet", index=False)
        logger.info("wrote %d rows of %d features for %s", len(scaled), len(feature_names), name)

    stats = {
        "fitted_on": "train",
        "train_rows": len(frames["train"]),
        "feature_names": feature_names,
        "scaling": scaling,
        "clip": Z_CLIP,
        "channels": list(CHANNELS),
        "currencies": list(CURRENCIES),
        "merchant_frequency": merchant_frequency,
    }
    stats_path = Path(output_paths["feature_stats"])
    stats_path.parent.mkdir(parents=True, exist_ok=True)
    stats_path.write_text(json.dumps(stats, indent=2, allow_nan=False), encoding="utf-8")
    logger.info("wrote feature statistics to %s", stats_path)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", required=True, help="preprocessing output directory")
    parser.add_argument("--features", required=True, help="output directory of {split}.parquet")
    parser.add_argument("--feature-stats", required=True, help="output JSON file")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args()
    main(input_paths={"splits": args.splits},
         output_paths={"features": args.features, "feature_stats": args.feature_stats},
         environ_vars={}, job_args=args)
