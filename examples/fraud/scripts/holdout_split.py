"""Hold-out split of the converted transactions, written as a SageMaker Processing script.

It takes no paths: like the processing scripts of the public SageMaker examples it reads
every ``*.parquet`` under ``/opt/ml/processing/input`` and writes
``/opt/ml/processing/output/train/train.parquet`` and
``/opt/ml/processing/output/test/test.parquet``; the job's ``ProcessingInput`` /
``ProcessingOutput`` put the data there.  specrun runs it unchanged with
``container: sagemaker-processing`` (specs/fraud.yaml), binding the ports onto those
folders in a private mount namespace.

Rows are shuffled with ``--seed`` and the first ``--train-test-split-ratio`` of them
(rounded) go to test.  Input that breaks the ``converted`` contract is refused.

Run (SageMaker processing-job style arguments)::

    python holdout_split.py --train-test-split-ratio 0.2
"""

from __future__ import annotations

import argparse
import glob
import logging
import os

import numpy as np
import pandas as pd
from input_contract import check_frame
from preprocessing import CONVERTED, Rule

logger = logging.getLogger(__name__)

INPUT_DIR = "/opt/ml/processing/input"
OUTPUT_DIR = "/opt/ml/processing/output"
# Unlike preprocessing, which drops rows without an amount, a hold-out split keeps every
# row as it is: a null amount is refused here.
RULES = {**CONVERTED, "amount": Rule("float", min=0, max=1_000_000), "amount_usd": Rule("float", min=0)}


def read_input() -> pd.DataFrame:
    files = sorted(glob.glob(os.path.join(INPUT_DIR, "*.parquet")))
    if not files:
        raise FileNotFoundError(f"no .parquet files in {INPUT_DIR}")
    frame = pd.concat([pd.read_parquet(path) for path in files], ignore_index=True)
    logger.info("read %d rows from %d file(s)", len(frame), len(files))
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-test-split-ratio", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if not 0 <= args.train_test_split_ratio < 1:
        parser.error("--train-test-split-ratio must be in [0, 1)")

    frame = read_input()
    check_frame(frame, RULES, "converted")
    order = np.random.default_rng(args.seed).permutation(len(frame))
    n_test = int(round(len(frame) * args.train_test_split_ratio))
    splits = {"test": frame.iloc[order[:n_test]], "train": frame.iloc[order[n_test:]]}
    for name, part in splits.items():
        folder = os.path.join(OUTPUT_DIR, name)
        os.makedirs(folder, exist_ok=True)
        part.reset_index(drop=True).to_parquet(os.path.join(folder, f"{name}.parquet"), index=False)
        logger.info("wrote %d rows to %s", len(part), folder)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main()
