"""Converts amounts to USD, dropping (and logging) the rows it cannot convert."""

import logging

import pandas as pd

logger = logging.getLogger(__name__)

RATES = {"USD": 1.0, "EUR": 1.1}


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["payments"], dtype=str, keep_default_na=False, na_values=[""])
    frame = frame[["txn_id", "amount", "currency"]]
    frame["txn_id"] = pd.to_numeric(frame["txn_id"], errors="coerce")
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce")
    usable = (frame.notna().all(axis=1) & (frame["amount"] >= 0) & frame["currency"].isin(list(RATES))
              & (frame["txn_id"] == frame["txn_id"].round()))
    kept = frame[usable].drop_duplicates("txn_id", keep=False).copy()
    if len(kept) < len(frame):
        logger.warning("dropped %d unusable row(s)", len(frame) - len(kept))
    kept["txn_id"] = kept["txn_id"].astype("int64")
    kept["amount"] = kept["amount"].astype("float64")
    kept["amount_usd"] = kept["amount"] * kept["currency"].map(RATES).astype("float64")
    kept.to_parquet(output_paths["converted"], index=False)
