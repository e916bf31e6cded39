"""A mode's options: defaults, project config under the spec, aliases, normalisation, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from specrun.modes.options import DEFAULTS, mode_options
from specrun.spec.model import Location, PipelineSpec, SpecError


def spec_with(modes: dict) -> PipelineSpec:
    spec = PipelineSpec(path=Path("/p/spec.yaml"), pipeline="p", modes=modes)
    spec.locations = {f"modes.{m}.{k}": Location(Path("/p/spec.yaml"), 10 + i, f"modes.{m}.{k}")
                      for m, opts in modes.items() for i, k in enumerate(opts)}
    return spec


def test_nothing_written_gives_the_defaults():
    for mode, defaults in DEFAULTS.items():
        assert mode_options(spec_with({}), mode) == defaults


def test_the_spec_wins_over_the_project_config_key_by_key():
    options = mode_options(spec_with({"isolation": {"timeout": "2m"}}), "isolation",
                           {"isolation": {"timeout": "5m", "memory_limit": "1GB"}})
    assert (options["timeout"], options["memory_limit"]) == (120.0, 10**9)


@pytest.mark.parametrize("mode, alias, value, canonical, expected", [
    ("isolation", "timeout_per_scenario", "90s", "timeout", 90.0),
    ("isolation", "max_memory", "1GiB", "memory_limit", 1024**3),
    ("isolation", "parallel_execution", False, "jobs", 1),
    ("pipeline", "execution_mode", "sequential", "execution", "sequential"),
    ("pipeline", "data_flow_validation", "lenient", "validation", "lenient"),
    ("pipeline", "max_memory_per_step", "2GB", "memory_limit", 2 * 10**9),
    ("deep_dive", "s3_execution_arn", "arn:x", "execution_arn", "arn:x"),
])
def test_design_note_aliases_set_the_canonical_option(mode, alias, value, canonical, expected):
    assert mode_options(spec_with({mode: {alias: value}}), mode)[canonical] == expected


@pytest.mark.parametrize("mode, key, value, expected", [
    ("pipeline", "continue_on_failure", "yes", True),
    ("pipeline", "continue_on_failure", "off", False),
    ("pipeline", "max_pipeline_time", "1h30m", 5400.0),
    ("deep_dive", "cache_max_bytes", "5GB", 5 * 10**9),
    ("deep_dive", "sample_size", "25", 25),
])
def test_values_are_normalised(mode, key, value, expected):
    assert mode_options(spec_with({mode: {key: value}}), mode)[key] == expected


@pytest.mark.parametrize("mode, key, value, message", [
    ("pipeline", "execution", "random", "must be one of parallel, sequential"),
    ("pipeline", "max_parallel", 0, "must be >= 1"),
    ("pipeline", "continue_on_failure", "maybe", "expected true or false"),
    ("isolation", "timeout", "soon", ""),
])
def test_bad_values_are_spec_errors_at_their_key(mode, key, value, message):
    with pytest.raises(SpecError) as info:
        mode_options(spec_with({mode: {key: value}}), mode)
    assert info.value.key == f"modes.{mode}.{key}"
    assert message in str(info.value)


def test_an_unknown_option_of_a_built_in_mode_is_a_spec_error_naming_the_known_ones():
    with pytest.raises(SpecError) as info:
        mode_options(spec_with({"isolation": {"timeot": 5}}), "isolation")
    assert "unknown option 'timeot' of mode isolation" in str(info.value)
    assert "timeout" in str(info.value)


def test_a_plugin_mode_gets_its_options_as_written():
    assert mode_options(spec_with({"drift": {"reference": "../ref", "x": 1}}), "drift",
                        {"drift": {"x": 0, "y": 2}}) == {"reference": "../ref", "x": 1, "y": 2}
