"""Loading a spec that uses every key gives exactly the expected model."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import strictyaml as sy
from spec_helpers import DATA

from specrun.spec.loader import load_spec
from specrun.spec.model import (
    ColumnSpec,
    Defaults,
    ExpectSpec,
    Location,
    MutationSpec,
    PipelineSpec,
    PortSpec,
    PropertySpec,
    ScenarioSpec,
    SchemaSpec,
    StepSpec,
)

FULL = DATA / "full.yaml"
NOTIFY = {"notify": sy.Map({"channel": sy.Str(), "on_failure": sy.Bool()})}


def strip(value: Any) -> Any:
    """A copy without locations, so models compare by content."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: strip(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if f.name not in ("location", "locations")}
        if any(f.name == "location" for f in dataclasses.fields(value)):
            changes["location"] = None
        return dataclasses.replace(value, **changes)
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return copy.copy(value)


@pytest.fixture(scope="module")
def spec() -> PipelineSpec:
    return load_spec(FULL, NOTIFY, known_types=["money"], known_mutators=["shuffle"],
                     known_properties=["my_property"], known_checks=["my_check"])


def col(name: str, type_: str, **kw: Any) -> ColumnSpec:
    return ColumnSpec(name=name, type=type_, **kw)


TRANSACTIONS = {
    "txn_id": col("txn_id", "int", unique=True, min=1),
    "amount": col("amount", "float", min=0.0, max=1e6),
    "currency": col("currency", "str", isin=["USD", "001"], pattern="^[A-Z0-9]{3}$"),
    "ts": col("ts", "datetime", min=dt.date(2024, 1, 1), max=dt.datetime(2024, 12, 31, 23, 59, 59)),
    "merchant": col("merchant", "str", nullable=True, required=False),
    "kind": col("kind", "category", isin=["a", "b"]),
    "flag": col("flag", "bool", checks=[{"my_check": {"limit": 3}}]),
    "price": col("price", "money", min=1, options={"currency": "EUR"}),
}
CONVERTED = {**TRANSACTIONS, "amount": col("amount", "float", min=0.0, max=500.0),
             "amount_usd": col("amount_usd", "float", min=0.0)}


def test_top_level(spec):
    assert spec.path == FULL.absolute()
    assert (spec.version, spec.pipeline, spec.plugins) == (1, "fraud", ["my_plugins.modes"])
    assert spec.defaults == Defaults(timeout=300.0, memory_limit=2 * 1024**3, seed=7, executor="fork")
    assert spec.dag == [("convert.converted", "train.extra")]
    assert spec.extensions == {"notify": {"channel": "#data", "on_failure": True}}
    assert spec.modes == {
        "isolation": {"scenarios": ["standard", "bad_currency"]},
        "pipeline": {"execution": "parallel", "validation": "strict",
                     "continue_on_failure": False, "max_parallel": 4,
                     "timeout_per_step": 120.0, "max_pipeline_time": 3600.0},
        "deep_dive": {"execution_arn": "arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/x",
                      "sample_size": 10000},
        "custom": {"level": 3},
    }


def test_schemas(spec):
    base = DATA
    assert strip(spec.schemas) == {
        "transactions": SchemaSpec("transactions", TRANSACTIONS, rows_min=1, rows_max=500,
                                   strict=True),
        "converted": SchemaSpec("converted", CONVERTED, rows_min=1, rows_max=500, strict=True,
                                extends="transactions"),
        "external": SchemaSpec("external", pandera="mypkg.schemas:Model"),
        "from_file": SchemaSpec("from_file", pandera=str(base / "schemas" / "model.yaml")),
    }
    # an inherited column keeps its location in the parent; an override is located at the child
    assert spec.schemas["converted"].columns["txn_id"].location == Location(
        FULL.absolute(), 12, "schemas.transactions.columns.txn_id")
    assert spec.schemas["converted"].columns["amount"].location.line == 25


def test_steps(spec):
    converted = spec.schemas["converted"]
    root = DATA.parent
    assert strip(spec.steps["convert"]) == StepSpec(
        name="convert", script=root / "scripts" / "convert.py", call="main",
        job_args={"job_type": "training", "epochs": 3, "ratio": 0.5, "flags": ["a", "b"]},
        env={"BASE_CURRENCY": "USD"}, timeout=90.0, memory_limit=512_000_000,
        sagemaker_step="Convert", retries=0, transient=[], retry_delay=1.0,
        inputs={
            "transactions": PortSpec("transactions", format="csv", compression="gzip",
                                     schema=strip(spec.schemas["transactions"]),
                                     layout="part-{shard:05d}.csv", shards=3, rows=50),
            "rates": PortSpec("rates", format="json", fixture=DATA / "data" / "rates.json",
                              required=False),
            "sampled": PortSpec("sampled", format="parquet", schema=SchemaSpec(
                "convert.inputs.sampled", {**TRANSACTIONS, "extra": col("extra", "int")},
                rows_min=1, rows_max=500, strict=True, extends="transactions"),
                sample=DATA / "data" / "sample.parquet", source="s3://bucket/prefix/"),
        },
        outputs={
            "converted": PortSpec("converted", format="parquet", schema=strip(converted)),
            "splits": PortSpec("splits", format="csv", layout="{split}/{split}.csv",
                               split=["train", "test"], schema=strip(converted)),
        },
        properties=[
            PropertySpec("row_count", {"output": "converted", "equals": "transactions"}),
            PropertySpec("row_count", {"output": "converted",
                                       "ratio": {"input": "transactions", "min": 0.5, "max": 1.0}}),
            PropertySpec("no_nulls", {"output": "converted", "columns": ["amount_usd"]}),
            PropertySpec("unique", {"output": "converted", "columns": ["txn_id"]}),
            PropertySpec("columns_added", {"output": "converted", "input": "transactions",
                                           "columns": ["amount_usd"]}),
            PropertySpec("columns_removed", {"output": "converted", "input": "transactions",
                                             "columns": ["merchant"]}),
            PropertySpec("python", {"function": "mypkg.checks:amounts_positive"}),
            PropertySpec("my_property", {"output": "converted", "threshold": 2}),
        ],
    )
    assert strip(spec.steps["train"]) == StepSpec(
        name="train", script=Path("/abs/train.py"), retries=0, transient=[], retry_delay=1.0,
        args=["--train", "{inputs.train}", "--model", "{outputs.model}", "{{literal}}"],
        inputs={
            # inherited from the producer: format, layout, split, schema
            "train": PortSpec("train", format="csv", layout="{split}/{split}.csv",
                              split=["train", "test"], schema=strip(converted),
                              from_="convert.splits"),
            "extra": PortSpec("extra", format="csv", schema=strip(converted),
                              from_="convert.converted"),
        },
        outputs={"model": PortSpec("model", format="file")},
    )


def test_scenarios(spec):
    assert list(spec.scenarios) == ["standard", "edge_cases", "performance", "negative", "bad_currency",
                                    "sizes", "property"]
    assert strip(spec.scenarios) == {
        "standard": ScenarioSpec("standard", rows=200),
        "edge_cases": ScenarioSpec("edge_cases", rows=10, mutate={"*": [MutationSpec("boundary", {})]},
                                   expect=ExpectSpec("fail"), edges=True),
        "performance": ScenarioSpec("performance", rows=100000, builtin=True),
        "negative": ScenarioSpec("negative", rows=20, negative=True, builtin=True),
        "bad_currency": ScenarioSpec(
            "bad_currency", rows=10, seed=3, timeout=5400.0, memory_limit=1_000_000_000,
            steps=["convert"],
            columns={"currency": {"isin": ["007"]}, "amount": {"min": 5.0, "nullable": True}},
            mutate={"transactions": [
                MutationSpec("set", {"currency": "001", "amount": -1}),
                MutationSpec("drop_columns", ["amount"]),
                MutationSpec("nulls", {"columns": ["merchant"], "rate": 0.5}),
                MutationSpec("empty", True),
                MutationSpec("boundary", {"columns": ["amount"]}),
                MutationSpec("extreme", {}),
                MutationSpec("duplicates", {"rate": 0.2}),
                MutationSpec("wrong_dtype", {"columns": ["amount"]}),
                MutationSpec("shuffle", {"times": 2}),
            ]},
            expect=ExpectSpec("fail", error="currency", exit_code=1, classification="DATA_ERROR")),
        "sizes": ScenarioSpec("sizes", parametrize={
            "rows": [10, 100], "env.BASE_CURRENCY": ["USD", "001"], "job_args.epochs": [1, 2],
            "columns.currency.isin": [["USD"], ["001", "EUR"]], "timeout": [10.0, 60.0]},
            expect=ExpectSpec("pass")),
        "property": ScenarioSpec("property", examples=20, max_rows=5),
    }


def test_locations(spec):
    file = FULL.absolute()
    assert spec.steps["train"].inputs["train"].location == Location(file, 77, "steps.train.inputs.train")
    assert spec.scenarios["bad_currency"].mutate["transactions"][5].location == Location(
        file, 100, "scenarios.bad_currency.mutate.transactions.5")
    assert spec.scenarios["sizes"].expect.location == Location(file, 112, "scenarios.sizes.expect")
    assert spec.steps["convert"].properties[6].location.line == 71
    # a built-in scenario not written in the file points at the `scenarios:` key
    assert spec.scenarios["performance"].location == Location(file, 83, "scenarios.performance")
    # every key of the file is located, each at its own line
    lines = FULL.read_text().splitlines()
    for key, location in spec.locations.items():
        last = key.rpartition(".")[2]
        if not last.isdigit():
            assert last in lines[location.line - 1], key
    assert spec.locations["modes.custom.level"].line == 118
    assert spec.locations["notify.on_failure"].line == 121
    assert spec.where("steps.convert.inputs.rates.nothing") == Location(
        file, 48, "steps.convert.inputs.rates.nothing")
