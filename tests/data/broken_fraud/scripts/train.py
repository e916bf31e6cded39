"""Training step of the fraud-detection pipeline.

Trains a logistic-regression fraud classifier with numpy (mini-batch gradient
descent with L2 regularisation) on ``train.parquet`` from the features directory,
evaluates it on ``val.parquet`` and writes ``model.json`` (feature names, weights,
bias, metrics and warnings) to the model directory.

Degenerate data does not crash the job: with an empty train split or a single
label class the script logs a warning and writes a constant model (zero weights,
bias set to the log-odds of the observed fraud rate).

Run (SageMaker training-job style arguments)::

    python train.py --train FEATURES_DIR --model-dir MODEL_DIR --epochs 5
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

LABEL = "is_fraud"
ID_COLUMN = "txn_id"
BATCH_SIZE = 256
PROBABILITY_EPS = 1e-7
SUCCESS_MARKER = "_SUCCESS"


def wait_for_upstream(features_dir: Path, poll_s: float = 0.5) -> None:
    """Block until the upstream job marks the features directory complete."""
    # BUG: feature_engineering never writes _SUCCESS and there is no deadline.
    while not (features_dir / SUCCESS_MARKER).exists():
        logger.info("waiting for %s", features_dir / SUCCESS_MARKER)
        time.sleep(poll_s)


def read_features(features_dir: Path, split: str) -> pd.DataFrame:
    """One split of the features directory (``{split}.parquet``)."""
    path = features_dir / f"{split}.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"missing {split} features: {path}")
    frame = pd.read_parquet(path)
    if LABEL not in frame.columns:
        raise ValueError(f"{path.name}: missing required column(s): {LABEL}")
    return frame


def to_matrix(frame: pd.DataFrame, feature_names: list[str], split: str) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix and 0/1 label vector, refusing missing columns and non-finite values."""
    missing = [name for name in feature_names if name not in frame.columns]
    if missing:
        raise ValueError(f"{split}: missing feature column(s): {', '.join(missing)}")
    features = frame[feature_names].to_numpy(dtype="float64")
    if features.size and not np.isfinite(features).all():
        bad = [name for i, name in enumerate(feature_names) if not np.isfinite(features[:, i]).all()]
        raise ValueError(f"{split}: non-finite values in feature(s): {', '.join(bad)}")
    labels = frame[LABEL].astype(bool).to_numpy(dtype="float64")
    return features, labels


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


def fit_logistic_regression(features: np.ndarray, labels: np.ndarray, epochs: int,
                            learning_rate: float, l2: float, seed: int) -> tuple[np.ndarray, float]:
    """Weights and bias after ``epochs`` passes of shuffled mini-batch gradient descent."""
    rng = np.random.default_rng(seed)
    rows, width = features.shape
    weights = np.zeros(width)
    prior = float(np.clip(labels.mean(), PROBABILITY_EPS, 1 - PROBABILITY_EPS))
    bias = float(np.log(prior / (1 - prior)))
    for epoch in range(epochs):
        order = rng.permutation(rows)
        for start in range(0, rows, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            error = sigmoid(features[batch] @ weights + bias) - labels[batch]
            weights -= learning_rate * (features[batch].T @ error / len(batch) + l2 * weights)
            bias -= learning_rate * float(error.mean())
        loss = log_loss(labels, sigmoid(features @ weights + bias))
        logger.info("epoch %d/%d: train log-loss %.5f", epoch + 1, epochs, loss)
    return weights, bias


def log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    p = np.clip(probabilities, PROBABILITY_EPS, 1 - PROBABILITY_EPS)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve (rank formula, ties averaged); None with one class."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = pd.Series(scores).rank(method="average").to_numpy()
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def evaluate(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, Any]:
    """Classification metrics at threshold 0.5; undefined ones are None."""
    if len(labels) == 0:
        return {"rows": 0, "accuracy": None, "log_loss": None, "auc": None,
                "precision": None, "recall": None, "positive_rate": None}
    predicted = probabilities >= 0.5
    actual = labels == 1
    true_positives = int((predicted & actual).sum())
    return {
        "rows": int(len(labels)),
        "accuracy": float((predicted == actual).mean()),
        "log_loss": log_loss(labels, probabilities),
        "auc": roc_auc(labels, probabilities),
        "precision": true_positives / int(predicted.sum()) if predicted.any() else None,
        "recall": true_positives / int(actual.sum()) if actual.any() else None,
        "positive_rate": float(actual.mean()),
    }


def main(args: argparse.Namespace) -> None:
    """Train on the train split, evaluate on val, write ``model.json``."""
    features_dir = Path(args.train)
    wait_for_upstream(features_dir)
    train = read_features(features_dir, "train")
    val = read_features(features_dir, "val")
    feature_names = [c for c in train.columns if c not in (ID_COLUMN, LABEL)]
    train_x, train_y = to_matrix(train, feature_names, "train")
    val_x, val_y = to_matrix(val, feature_names, "val")
    logger.info("train: %d rows x %d features; val: %d rows", len(train_y), len(feature_names), len(val_y))

    warnings: list[str] = []
    classes = np.unique(train_y)
    if len(classes) < 2:
        reason = ("train split is empty" if len(classes) == 0
                  else f"train labels contain a single class ({LABEL}={bool(classes[0])})")
        warnings.append(f"{reason}: wrote a constant model")
        logger.warning("%s: writing a constant model", reason)
        prior = float(np.clip(train_y.mean(), PROBABILITY_EPS, 1 - PROBABILITY_EPS)) if len(train_y) else 0.5
        weights, bias = np.zeros(len(feature_names)), float(np.log(prior / (1 - prior)))
    else:
        weights, bias = fit_logistic_regression(train_x, train_y, args.epochs,
                                                args.learning_rate, args.l2, args.seed)

    model = {
        "model_type": "logistic_regression",
        "feature_names": feature_names,
        "weights": [float(w) for w in weights],
        "bias": bias,
        "hyperparameters": {"epochs": args.epochs, "learning_rate": args.learning_rate,
                            "l2": args.l2, "batch_size": BATCH_SIZE, "seed": args.seed},
        "metrics": {"train": evaluate(train_y, sigmoid(train_x @ weights + bias)),
                    "val": evaluate(val_y, sigmoid(val_x @ weights + bias))},
        "warnings": warnings,
    }
    model_dir = Path(args.model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "model.json").write_text(json.dumps(model, indent=2, allow_nan=False), encoding="utf-8")
    logger.info("val metrics: %s", model["metrics"]["val"])
    logger.info("wrote %s", model_dir / "model.json")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", required=True, help="features directory (train/val .parquet)")
    parser.add_argument("--model-dir", required=True, help="where model.json is written")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    return args


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main(parse_args())
