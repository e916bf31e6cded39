"""Large parquet ports in a real pipeline run are checked one column at a time (issue 15
point 1: specrun's own process never holds the frame), with the verdicts, the failures and
the profiles of reading them whole: the same run is made twice, once with every parquet file
counting as large and once with none, and the two records must agree.  A producer whose
output breaks its contract (a duplicate far from its twin, a value out of range) and a
fixture that breaks its own are each caught on the column-by-column path."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import specrun
from specrun import preflight as preflight_module
from specrun.contract import columnwise
from specrun.modes import large_ports
from specrun.modes.pipeline import mode as mode_module
from specrun.results import to_jsonable
from specrun.spec.model import SpecError

ENRICH = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_parquet(input_paths["raw"])
    frame["eur"] = frame["amount"] * 0.5
    if str(getattr(job_args, "break", False)).lower() == "true":
        frame.loc[len(frame) - 1, "id"] = frame.loc[0, "id"]     # a duplicate far from its twin
        frame.loc[3, "eur"] = 900.0                              # above the contract's max
    frame.to_parquet(output_paths["enriched"], index=False)
'''

SUMMARISE = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_parquet(input_paths["enriched"])
    frame.groupby("segment", as_index=False)["eur"].sum().to_csv(output_paths["totals"], index=False)
'''

SPEC = """\
version: 1
pipeline: wide
defaults: {{timeout: 120, seed: 1}}
schemas:
  raw:
    columns:
      id: {{type: int, unique: true}}
      amount: {{type: float, min: 0, max: 1000}}
      segment: {{type: str, isin: [a, b, c]}}
  enriched:
    rows: {{min: 10}}
    columns:
      id: {{type: int, unique: true}}
      amount: {{type: float, min: 0, max: 1000}}
      segment: {{type: str, isin: [a, b, c]}}
      eur: {{type: float, min: 0, max: 500}}
  strict:
    columns:
      id: {{type: int, unique: true}}
      eur: {{type: float, min: 0, max: 100}}
steps:
  enrich:
    script: enrich.py
    call: main
    job_args: {{break: {broken}}}
    inputs: {{raw: {{format: parquet, schema: raw, fixture: raw.parquet}}}}
    outputs: {{enriched: {{format: parquet, schema: enriched}}}}
  summarise:
    script: summarise.py
    call: main
    inputs: {{enriched: {{from: enrich.enriched{consumer}}}}}
    outputs: {{totals: {{format: csv}}}}
modes:
  pipeline: {{validation: lenient}}
"""


def _project(root, broken: bool, fixture_amount: float = 10.0, consumer: str = ""):
    root.mkdir()
    (root / "enrich.py").write_text(ENRICH)
    (root / "summarise.py").write_text(SUMMARISE)
    (root / "wide.yaml").write_text(SPEC.format(broken="true" if broken else "false", consumer=consumer))
    rng = np.random.default_rng(0)
    amount = rng.uniform(0, 1000, 3000)
    amount[1500] = fixture_amount
    pd.DataFrame({"id": rng.permutation(3000), "amount": amount,
                  "segment": pd.Series(rng.choice(["a", "b", "c"], 3000), dtype="str")}).to_parquet(
        root / "raw.parquet", index=False)


def _run(root, monkeypatch, *, large: bool):
    """The run's cases and profiles, with every parquet file large (checked by column) or none."""
    monkeypatch.chdir(root)
    monkeypatch.setattr(columnwise, "COLUMNWISE_BYTES", 0 if large else 1 << 60)
    by_column: list[str] = []
    real = large_ports.check_columnwise

    def spy(port, *args, **kwargs):
        got = real(port, *args, **kwargs)
        if got is not None:
            by_column.append(port.name)
        return got

    monkeypatch.setattr(large_ports, "check_columnwise", spy)
    profiles: dict = {}
    track = mode_module.track_evolution
    monkeypatch.setattr(mode_module, "track_evolution",
                        lambda dag, found, *a: profiles.update(found) or track(dag, found, *a))
    result = specrun.run_specs("wide.yaml", mode="pipeline", no_cache=True)
    cases = [(c.id, c.outcome.value, json.dumps(to_jsonable(c.validations), default=str)) for c in result.cases]
    return result, cases, {key: repr(value) for key, value in profiles.items()}, by_column


@pytest.mark.parametrize("broken", [False, True])
def test_a_large_hand_off_is_judged_and_profiled_as_if_read_whole(tmp_path, monkeypatch, broken):
    _project(tmp_path / "by-column", broken)
    _project(tmp_path / "whole", broken)
    result, cases, profiles, by_column = _run(tmp_path / "by-column", monkeypatch, large=True)
    assert by_column.count("enriched") >= 1 and "raw" in by_column     # the output and the fixture
    _, whole_cases, whole_profiles, read_whole = _run(tmp_path / "whole", monkeypatch, large=False)
    assert read_whole == []
    assert cases == whole_cases
    assert profiles == whole_profiles and ("enrich", "enriched", "output") in profiles
    step = next(c for c in result.cases if c.step == "enrich" and c.kind != "transition")
    if broken:
        assert step.outcome.value == "failed"
        found = {(f.column, f.check) for v in step.validations for f in v.failures}
        assert {("id", "field_uniqueness"), ("eur", "in_range(0.0, 500.0)")} <= found, found
    else:
        assert [c.outcome.value for c in result.cases] == ["passed"] * len(result.cases)


def test_a_consumer_with_its_own_contract_checks_the_hand_off_by_column(tmp_path, monkeypatch):
    """The consumer's stricter contract (eur at most 100): the two contracts disagree on the data."""
    _project(tmp_path / "by-column", False, consumer=", schema: strict")
    _project(tmp_path / "whole", False, consumer=", schema: strict")
    result, cases, profiles, by_column = _run(tmp_path / "by-column", monkeypatch, large=True)
    _, whole_cases, whole_profiles, _ = _run(tmp_path / "whole", monkeypatch, large=False)
    assert by_column.count("enriched") == 2          # the producer's output and the consumer's input
    assert cases == whole_cases and profiles == whole_profiles
    assert ("summarise", "enriched", "input") in profiles
    transition = next(c for c in result.cases if c.kind == "transition")
    assert transition.outcome.value == "failed" and transition.details["blame"] == "contracts"


def test_a_fixture_breaking_its_contract_is_the_same_spec_error(tmp_path, monkeypatch):
    _project(tmp_path / "by-column", False, fixture_amount=-5.0)
    _project(tmp_path / "whole", False, fixture_amount=-5.0)
    messages = []
    for name, large in (("by-column", True), ("whole", False)):
        with pytest.raises(SpecError) as raised:
            _run(tmp_path / name, monkeypatch, large=large)
        messages.append(str(raised.value).replace(name, "X"))
    assert messages[0] == messages[1]
    assert "fixture X/raw.parquet violates schema 'raw': amount: in_range(0.0, 1000.0) (1 rows, e.g. [-5.0])" \
        in messages[0].replace(str(tmp_path) + "/", "")


def test_the_fixture_is_checked_by_column(tmp_path, monkeypatch):
    _project(tmp_path / "p", False, fixture_amount=-5.0)
    seen: list[str] = []
    real = preflight_module.checked_by_column
    monkeypatch.setattr(preflight_module, "checked_by_column",
                        lambda session, name, *a, **k: seen.append(name) or real(session, name, *a, **k))
    monkeypatch.setattr(columnwise, "COLUMNWISE_BYTES", 0)
    monkeypatch.setattr(preflight_module, "read_port", None)     # read whole, it would fail here
    monkeypatch.chdir(tmp_path / "p")
    with pytest.raises(SpecError, match="amount: in_range"):
        specrun.run_specs("wide.yaml", mode="pipeline", no_cache=True)
    assert seen == ["raw"]
