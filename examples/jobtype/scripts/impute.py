"""Missing-value imputation in the style of a SageMaker processing script.

One script serves every job type (``job_args.job_type``):

* ``training``: reads ``train/``, ``test/`` and ``val/`` (``{split}/{split}_data.csv``),
  fits the median of every numeric feature on the train split, writes the medians to
  ``imputation_dict.json`` and every split, imputed, as ``{split}/{split}_processed_data.csv``;
* any other job type (``validation``, ``testing``, ``calibration`` …): reads the one folder
  named after the job type, imputes it with the medians a training job wrote, and writes
  ``{job_type}/{job_type}_processed_data.csv``.

The id and label columns are named by the environment (``ID_FIELD``, ``LABEL_FIELD``);
neither is imputed, and a row without a label is dropped.

SageMaker processing-job style entry point::

    main(input_paths, output_paths, environ_vars, job_args)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

TRAINING_SPLITS = ("train", "test", "val")


def splits_of(job_type: str) -> tuple[str, ...]:
    return TRAINING_SPLITS if job_type == "training" else (job_type,)


def fit(frame: pd.DataFrame, skip: set[str]) -> dict[str, float]:
    numeric = [c for c in frame.columns if c not in skip and pd.api.types.is_numeric_dtype(frame[c])]
    return {c: float(frame[c].median()) if frame[c].notna().any() else 0.0 for c in numeric}


def impute(frame: pd.DataFrame, medians: dict[str, float], label: str) -> pd.DataFrame:
    frame = frame.dropna(subset=[label]).copy()
    for column, value in medians.items():
        if column in frame:
            frame[column] = frame[column].fillna(value)
    return frame


def main(input_paths: dict[str, str], output_paths: dict[str, str], environ_vars: dict[str, str],
         job_args: Any) -> None:
    job_type = job_args.job_type
    label, ident = environ_vars["LABEL_FIELD"], environ_vars["ID_FIELD"]
    data, processed = Path(input_paths["data"]), Path(output_paths["processed"])
    frames = {split: pd.read_csv(data / split / f"{split}_data.csv") for split in splits_of(job_type)}
    for split, frame in frames.items():
        missing = {ident, label} - set(frame.columns)
        if missing:
            raise ValueError(f"{split}: no column {sorted(missing)} (ID_FIELD / LABEL_FIELD)")
    if job_type == "training":
        medians = fit(frames["train"], {ident, label})
        Path(output_paths["model"]).write_text(json.dumps(medians, indent=2))
    else:
        medians = json.loads(Path(input_paths["model"]).read_text())
    for split, frame in frames.items():
        out = processed / split / f"{split}_processed_data.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        impute(frame, medians, label).to_csv(out, index=False)
