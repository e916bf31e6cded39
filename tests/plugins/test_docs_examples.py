"""The worked example of docs/plugins.md, run as written: a column type, a check, a
property, spec keys, CLI options, configure/unconfigure, a mode, a reporter, an
executor, a classification rule and a selection rule."""

from __future__ import annotations

import importlib
import json
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plugin_project import PluginProject, docs_files

from specrun.contract.types import TypeRegistry
from specrun.hooks import make_plugin_manager
from specrun.results import ChildError, ErrorClass, ExecutionMetrics
from specrun.spec.model import ColumnSpec

FILES = docs_files()


@pytest.fixture
def shop(project: PluginProject) -> PluginProject:
    for relative, text in FILES.items():
        project.write(relative, text)
    return project


def test_docs_have_the_example_files() -> None:
    assert {"specrun.toml", "plugins/sku.py", "plugins/owners.py", "plugins/smoke_mode.py",
            "plugins/tally.py", "plugins/policy.py", "specs/shop.yaml", "scripts/tag.py"} <= set(FILES)


def test_example_project_runs(shop: PluginProject) -> None:
    run = shop.run("specs", "--notify", "owners.txt", "--events", "events.ndjson")
    assert run.code == 0, run.output
    cases = {c["id"]: c for c in run.cases()}
    assert set(cases) == {"shop::tag[standard]", "shop::tag[smoke]"}
    assert cases["shop::tag[smoke]"]["mode"] == "smoke"
    assert "PASSED  shop::tag[smoke]" in run.stdout          # the console renders a plugin mode's results
    standard = cases["shop::tag[standard]"]
    assert standard["outcome"] == "passed"
    assert [p["name"] for p in standard["properties"]] == ["sorted_by(sku)"]
    assert run.record["records"]["smoke"] == {"rows": 5, "steps": ["tag"]}
    # the configure → sessionfinish → unconfigure plugin, loaded from specrun.toml, with its option
    assert (shop.root / "owners.txt").read_text() == "shop: data-eng@example.com (0 failed)\n"
    tally = json.loads((shop.root / ".specrun" / "tally.json").read_text())
    assert tally["events"] == {"sessionstart": 1, "collected": 2, "case_start": 2}
    assert tally["outcomes"] == {"isolation:passed": 1, "smoke:passed": 1}
    assert tally["records"] == ["smoke"] and tally["exit_code"] == 0
    events = [json.loads(line)["event"] for line in (shop.root / "events.ndjson").read_text().splitlines()]
    assert events.count("case_finish") == 2 and events[-1] == "session_finish"


def test_plugin_type_and_check_validate_outputs(shop: PluginProject) -> None:
    shop.write("scripts/tag.py", '''
        import pandas as pd


        def main(input_paths, output_paths, environ_vars, job_args):
            items = pd.read_csv(input_paths["items"])
            items["pack"] = items["qty"] * 5 + 1          # not divisible by 5
            items.loc[0, "sku"] = "sku-1"                  # not an SKU
            items.sort_values("sku").to_csv(output_paths["tagged"], index=False)
        ''')
    run = shop.run("specs", "--mode", "isolation")
    assert run.code == 1, run.output
    case = run.cases()[0]
    assert case["classification"] == "CONTRACT_ERROR"
    failures = {(f["column"], f["check"]) for v in case["validations"] for f in v["failures"]}
    assert ("sku", "str_matches('^SKU-[0-9]{5}$')") in failures
    assert ("pack", "divisible_by(5)") in failures


def test_plugin_property_fails_unsorted_output(shop: PluginProject) -> None:
    shop.write("scripts/tag.py", '''
        import pandas as pd


        def main(input_paths, output_paths, environ_vars, job_args):
            items = pd.read_csv(input_paths["items"])
            items["pack"] = items["qty"] * 5
            items.sort_values("sku", ascending=False).to_csv(output_paths["tagged"], index=False)
        ''')
    run = shop.run("specs", "--mode", "isolation")
    assert run.code == 1, run.output
    assert "property sorted_by(sku) failed: sku is not sorted" in run.cases()[0]["message"]


def test_plugin_spec_key_bad_value_is_a_located_spec_error(shop: PluginProject) -> None:
    spec = shop.root / "specs" / "shop.yaml"
    spec.write_text(spec.read_text().replace("owners: [data-eng@example.com]", "owners: [not-an-email]"))
    run = shop.run("specs")
    assert run.code == 4, run.output
    assert f"{spec}:4: owners" in run.stdout
    assert "Traceback" not in run.output


def test_plugin_mode_bad_option_is_a_located_spec_error(shop: PluginProject) -> None:
    spec = shop.root / "specs" / "shop.yaml"
    text = spec.read_text().replace("smoke: {rows: 5}", "smoke: {rows: many}")
    spec.write_text(text)
    line = text.splitlines().index("  smoke: {rows: many}") + 1
    run = shop.run("specs")
    assert run.code == 4, run.output
    assert f"{spec}:{line}: modes.smoke.rows: rows must be a positive integer, not 'many'" in run.stdout


def test_plugin_selection_and_executor(shop: PluginProject) -> None:
    run = shop.run("specs", "--executor", "counting", env=shop.env(SHOP_SMOKE_ONLY="1"))
    assert run.code == 0, run.output
    assert [c["id"] for c in run.cases()] == ["shop::tag[smoke]"]


@pytest.fixture
def policy(shop: PluginProject, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(shop.root))
    for name in [m for m in sys.modules if m == "plugins" or m.startswith("plugins.")]:
        monkeypatch.delitem(sys.modules, name)
    pm = make_plugin_manager()
    pm.register(importlib.import_module("specrun.execution.classify"), name="classify")
    pm.register(importlib.import_module("plugins.policy"), name="policy")
    return pm


def test_classification_rule_decides_first(policy) -> None:
    metrics = ExecutionMetrics(exit_code=1)
    timeout = ChildError("TimeoutError", "builtins", "remote", "", mro=["builtins.TimeoutError", "builtins.OSError"])
    value = ChildError("ValueError", "builtins", "bad", "", mro=["builtins.ValueError"])
    classify = policy.hook.specrun_classify_error
    assert classify(error=timeout, metrics=metrics, stderr="", inputs_valid=None) is ErrorClass.TIMEOUT
    assert classify(error=value, metrics=metrics, stderr="", inputs_valid=None) is ErrorClass.DATA_ERROR


@settings(max_examples=30, deadline=None)
@given(digits=st.integers(1, 6), rows=st.integers(0, 50), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_sku_generators_satisfy_the_sku_checks(tmp_path_factory, digits, rows, seed, data) -> None:
    """The documented column type's numpy generator and Hypothesis strategy only make
    values its own pandera checks accept."""
    module = _SKU.setdefault("module", None) or _load_sku(tmp_path_factory)
    sku = module.SkuType()
    column = ColumnSpec(name="sku", type="sku", options={"digits": digits})
    values = sku.vectorised(column, rows, np.random.default_rng(seed))
    drawn = data.draw(st.lists(sku.strategy(column), max_size=5))
    frame = pd.Series(list(values) + drawn + sku.boundary_values(column), dtype=object)
    for check in sku.checks(column):
        assert bool(check(frame).check_passed)
    assert not bool(sku.checks(column)[0](pd.Series(sku.extreme_values(column), dtype=object)).check_passed)
    assert TypeRegistry([sku]).get("sku") is sku


_SKU: dict[str, object] = {}


def _load_sku(tmp_path_factory):
    root = tmp_path_factory.mktemp("sku")
    (root / "sku_doc_example.py").write_text(FILES["plugins/sku.py"])
    sys.path.insert(0, str(root))
    try:
        _SKU["module"] = importlib.import_module("sku_doc_example")
    finally:
        sys.path.remove(str(root))
    return _SKU["module"]
