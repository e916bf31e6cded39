"""Tests of the example fraud scripts themselves: run by hand, as real subprocesses.

These check that the example behaves as its spec (specs/fraud.yaml) claims, without
specrun: the whole chain on the sample data, the failure messages the edge-case
scenarios expect, and properties of the parsing and splitting helpers.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

EXAMPLE = Path(__file__).resolve().parents[1]
SCRIPTS = EXAMPLE / "scripts"
RATES = EXAMPLE / "data" / "rates.json"
SAMPLE = EXAMPLE / "data" / "transactions"
SPLITS = ("train", "test", "val")


def load_script(name: str) -> ModuleType:
    """Import a script as a real module (as specrun's child does for ``call: main``)."""
    if str(SCRIPTS) not in sys.path:   # the script's folder is importable, as in specrun's child
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(f"fraud_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_script(name: str, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": os.environ.get("PATH", ""), **(env or {})}
    return subprocess.run([sys.executable, str(SCRIPTS / f"{name}.py"), *map(str, args)],
                          capture_output=True, text=True, env=environ, timeout=120)


def run_chain(transactions: Path, out: Path, env: dict[str, str] | None = None) -> dict:
    """All four steps in order; returns the written model."""
    steps = [
        ("currency_conversion", ["--transactions", transactions, "--rates", RATES,
                                 "--converted", out / "converted.parquet"]),
        ("preprocessing", ["--input", out / "converted.parquet", "--output", out / "splits",
                           "--job-type", "training"]),
        ("feature_engineering", ["--splits", out / "splits", "--features", out / "features",
                                 "--feature-stats", out / "feature_stats.json"]),
        ("train", ["--train", out / "features", "--model-dir", out / "model", "--epochs", "3"]),
    ]
    for name, args in steps:
        done = run_script(name, *args, env=env)
        assert done.returncode == 0, f"{name} failed:\n{done.stderr}"
    return json.loads((out / "model" / "model.json").read_text())


def write_shards(frame: pd.DataFrame, directory: Path, shards: int = 3) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for index, rows in enumerate(np.array_split(np.arange(len(frame)), shards)):
        frame.iloc[rows].to_csv(directory / f"part-{index:05d}.csv", index=False)
    return directory


def sample_frame() -> pd.DataFrame:
    return pd.concat([pd.read_csv(path) for path in sorted(SAMPLE.glob("part-*.csv"))], ignore_index=True)


def test_chain_on_sample_data_keeps_every_row_and_writes_a_model(tmp_path: Path) -> None:
    model = run_chain(SAMPLE, tmp_path)
    sample = sample_frame()
    converted = pd.read_parquet(tmp_path / "converted.parquet")
    rates = json.loads(RATES.read_text())
    assert len(converted) == len(sample)
    expected_usd = converted["amount"] * converted["currency"].map(rates)
    assert np.allclose(converted["amount_usd"], expected_usd)
    split_ids = [pd.read_csv(tmp_path / "splits" / s / f"{s}_processed_data.csv")["txn_id"] for s in SPLITS]
    assert sorted(pd.concat(split_ids)) == sorted(sample["txn_id"])
    features = pd.read_parquet(tmp_path / "features" / "train.parquet")
    assert model["feature_names"] == [c for c in features.columns if c not in ("txn_id", "is_fraud")]
    assert len(model["weights"]) == len(model["feature_names"])
    stats = json.loads((tmp_path / "feature_stats.json").read_text())
    assert stats["train_rows"] == len(split_ids[0])


def test_base_currency_sets_amount_base(tmp_path: Path) -> None:
    done = run_script("currency_conversion", "--transactions", SAMPLE, "--rates", RATES,
                      "--converted", tmp_path / "c.parquet", env={"BASE_CURRENCY": "EUR"})
    assert done.returncode == 0, done.stderr
    converted = pd.read_parquet(tmp_path / "c.parquet")
    eur = json.loads(RATES.read_text())["EUR"]
    assert np.allclose(converted["amount_base"] * eur, converted["amount_usd"])


@pytest.mark.parametrize(("mutate", "env", "message"), [
    (lambda f: f.assign(currency=["XXX"] + list(f["currency"][1:])), {}, "unknown currency code(s): XXX"),
    (lambda f: f, {"BASE_CURRENCY": "CHF"}, "unknown currency code(s): CHF"),
    (lambda f: f.drop(columns=["amount"]), {}, "missing required column(s): amount"),
])
def test_currency_conversion_rejects_bad_input_with_a_clear_message(tmp_path, mutate, env, message) -> None:
    shards = write_shards(mutate(sample_frame()), tmp_path / "in")
    done = run_script("currency_conversion", "--transactions", shards, "--rates", RATES,
                      "--converted", tmp_path / "c.parquet", env=env)
    assert done.returncode == 1
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ValueError: ") and message in last_line
    assert not (tmp_path / "c.parquet").exists()


def test_preprocessing_names_a_missing_column(tmp_path: Path) -> None:
    sample_frame().drop(columns=["amount"]).to_parquet(tmp_path / "c.parquet")
    done = run_script("preprocessing", "--input", tmp_path / "c.parquet", "--output", tmp_path / "out",
                      "--job-type", "training")
    assert done.returncode == 1
    assert "ValueError: missing required column(s): amount" in done.stderr


def test_empty_input_gives_empty_outputs_and_a_constant_model(tmp_path: Path) -> None:
    shards = write_shards(sample_frame().iloc[:0], tmp_path / "in")
    model = run_chain(shards, tmp_path / "out")
    assert pd.read_parquet(tmp_path / "out" / "converted.parquet").empty
    assert model["weights"] == [0.0] * len(model["feature_names"])
    assert model["warnings"] and "empty" in model["warnings"][0]


def test_single_class_labels_write_a_constant_model_with_a_warning(tmp_path: Path) -> None:
    shards = write_shards(sample_frame().assign(is_fraud=False), tmp_path / "in")
    model = run_chain(shards, tmp_path / "out")
    assert "single class" in model["warnings"][0]
    assert model["bias"] < -10          # log-odds of a (clipped) zero fraud rate


def test_null_merchants_pass_and_null_amounts_are_refused(tmp_path: Path) -> None:
    frame = sample_frame()
    frame["merchant"] = None                     # merchant is nullable in the contract
    model = run_chain(write_shards(frame, tmp_path / "in"), tmp_path / "out")
    kept = sum(len(pd.read_csv(tmp_path / "out" / "splits" / s / f"{s}_processed_data.csv")) for s in SPLITS)
    assert kept == len(frame)
    assert all(math.isfinite(w) for w in model["weights"])
    frame.loc[::4, "amount"] = np.nan            # amount is not: conversion refuses it, naming it
    done = run_script("currency_conversion", "--transactions", write_shards(frame, tmp_path / "nulls"),
                      "--rates", RATES, "--converted", tmp_path / "nulls.parquet")
    assert done.returncode == 1 and "amount is null in" in done.stderr
    assert not (tmp_path / "nulls.parquet").exists()


def test_preprocessing_drops_rows_without_an_amount() -> None:
    frame = pd.DataFrame({"amount": [1.0, None, 3.0], "amount_usd": [1.0, 2.0, None]})
    assert preprocessing.drop_missing_amounts(frame)["amount"].tolist() == [1.0]


preprocessing = load_script("preprocessing")
conversion = load_script("currency_conversion")
features = load_script("feature_engineering")

txn_ids = st.lists(st.integers(min_value=-2**63, max_value=2**63 - 1), min_size=1, max_size=50, unique=True)


@given(ids=txn_ids, seed=st.integers(min_value=0, max_value=2**32), data=st.data())
def test_split_of_a_transaction_does_not_depend_on_the_other_rows(ids, seed, data) -> None:
    whole = dict(zip(ids, preprocessing.assign_splits(pd.Series(ids, dtype="int64"), seed, 0.7, 0.15)))
    subset = data.draw(st.permutations(ids)).copy()[: data.draw(st.integers(1, len(ids)))]
    again = preprocessing.assign_splits(pd.Series(subset, dtype="int64"), seed, 0.7, 0.15)
    assert [whole[i] for i in subset] == list(again)
    assert set(again) <= set(SPLITS)


@given(values=st.lists(st.booleans(), max_size=30), spelling=st.sampled_from(["py", "lower", "digit"]))
def test_parse_bool_reads_back_every_spelling(values, spelling) -> None:
    text = {"py": str, "lower": lambda v: str(v).lower(), "digit": lambda v: str(int(v))}[spelling]
    series = pd.Series([text(v) for v in values], name="is_fraud", dtype="str")
    assert conversion.parse_bool(series).tolist() == values


@settings(max_examples=50, deadline=None)
@given(frame=st.lists(st.tuples(st.floats(0, 1_000_000), st.sampled_from(["USD", "EUR", "GBP", "JPY"])),
                      max_size=20))
def test_convert_shard_multiplies_by_the_rate(frame) -> None:
    rates = conversion.load_rates(str(RATES))
    raw = pd.DataFrame({"txn_id": range(len(frame)),
                        "amount": pd.Series([amount for amount, _ in frame], dtype="float64"),
                        "currency": pd.Series([code for _, code in frame], dtype="str"),
                        "ts": "2024-06-01 12:00:00", "merchant": "ABC-1234", "channel": "web",
                        "is_fraud": False})
    with tempfile.TemporaryDirectory() as tmp:
        raw.to_csv(Path(tmp) / "part-00000.csv", index=False)
        out = conversion.convert_shard(str(Path(tmp) / "part-00000.csv"), rates, "GBP")
    assert out["txn_id"].tolist() == raw["txn_id"].tolist()
    assert np.allclose(out["amount_usd"], raw["amount"] * raw["currency"].map(rates).astype("float64"))
    assert np.allclose(out["amount_base"] * rates["GBP"], out["amount_usd"])
    assert (out["amount_usd"] >= 0).all()


@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=30))
def test_scaled_features_stay_inside_the_contract_bounds(values) -> None:
    frame = pd.DataFrame({name: values for name in features.NUMERIC_FEATURES})
    scaled = features.apply_scaling(frame, features.fit_scaling(frame))
    assert scaled.abs().max().max() <= features.Z_CLIP
    assert scaled.notna().all().all()
