"""Property tests: broken specs and garbage never raise anything but a located SpecError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import strictyaml as sy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spec_helpers import BASE, DATA

from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError

FULL_OPTIONS = dict(known_types=["money"], known_mutators=["shuffle"],
                    known_properties=["my_property"])
EXTRA_KEYS = {"notify": sy.Map({"channel": sy.Str(), "on_failure": sy.Bool()})}
TEMPLATES = [BASE, (DATA / "full.yaml").read_text()]
# Paths whose values are free-form (plugin data, settings, typed later): not "wrong" when changed.
OPEN_PARENTS = ("modes", "job_args", "env", "notify", "checks", "my_property", "shuffle",
                "price")  # price: a plugin-type column, which takes extra keys
REQUIRED = [("version",), ("pipeline",), ("steps",), ("steps", "*", "script")]

settings.register_profile("spec", deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def as_data(text: str) -> Any:
    return sy.dirty_load(text, sy.Any(), allow_flow_style=True).data


def as_text(data: Any) -> str:
    return sy.as_document(data).as_yaml()


def nodes(data: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """Every (path, value) below ``data``; list items use int path parts."""
    found = [(path, data)]
    children = data.items() if isinstance(data, dict) else enumerate(data) \
        if isinstance(data, list) else []
    for key, value in children:
        found.extend(nodes(value, path + (key,)))
    return found


def is_open(path: tuple) -> bool:
    return any(part in OPEN_PARENTS for part in path if isinstance(part, str))


def get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def load(folder: Path, text: str) -> Any:
    path = folder / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path, EXTRA_KEYS, **FULL_OPTIONS)


def assert_located_error(folder: Path, text: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load(folder, text)
    error = caught.value
    assert error.file == folder / "spec.yaml"
    assert 1 <= error.line <= max(1, len(text.splitlines())), (error.line, str(error))
    assert error.key, str(error)
    return error


@pytest.mark.parametrize("template", TEMPLATES, ids=["base", "full"])
def test_round_tripped_templates_load(folder, template):
    load(folder, as_text(as_data(template)))


def delete_required(data: Any, draw: Any) -> None:
    required = draw(st.sampled_from(REQUIRED))
    if required[0] == "steps" and len(required) > 1:
        step = draw(st.sampled_from(sorted(data["steps"])))
        del data["steps"][step]["script"]
    else:
        del data[required[0]]


def add_unknown_key(data: Any, draw: Any) -> None:
    mappings = [path for path, value in nodes(data) if isinstance(value, dict) and not is_open(path)]
    path = draw(st.sampled_from(mappings))
    get(data, path)["zz_unknown"] = draw(st.sampled_from(["1", "x", "true"]))


def wrong_type(data: Any, draw: Any) -> None:
    candidates = [(path, value) for path, value in nodes(data)
                  if path and not is_open(path) and not isinstance(value, list)]
    path, value = draw(st.sampled_from(candidates))
    replacement = "zz wrong" if isinstance(value, dict) else {"zz": ["1"]}
    get(data, path[:-1])[path[-1]] = replacement


def break_reference(data: Any, draw: Any) -> None:
    sites = []
    for path, value in nodes(data):
        last = path[-1] if path else None
        if last in ("from", "extends") or (last == "schema" and isinstance(value, str)):
            sites.append((path, "nope.port" if last == "from" else "nope"))
        elif len(path) >= 2 and path[-2] == "steps" and isinstance(last, int):
            sites.append((path, "nope"))
        elif len(path) >= 2 and path[-2] == "args" and isinstance(value, str) and "{" in value:
            sites.append((path, "{inputs.nope}"))
        elif last in ("output", "equals", "le", "ge", "input") and isinstance(value, str):
            sites.append((path, "nope"))
        elif len(path) >= 2 and path[-2] == "dag":
            sites.append((path, "nope.a -> nope.b"))
        elif len(path) >= 3 and path[-3:-1] == ("isolation", "scenarios"):
            sites.append((path, "nope"))
    path, replacement = draw(st.sampled_from(sites))
    get(data, path[:-1])[path[-1]] = replacement


MUTATIONS = {"delete_required": delete_required, "add_unknown_key": add_unknown_key,
             "wrong_type": wrong_type, "break_reference": break_reference}


@pytest.mark.slow
@settings(settings.get_profile("spec"))
@given(template=st.sampled_from(TEMPLATES), mutation=st.sampled_from(sorted(MUTATIONS)),
       data=st.data())
def test_broken_specs_raise_located_spec_errors(folder, template, mutation, data):
    document = as_data(template)
    MUTATIONS[mutation](document, data.draw)
    assert_located_error(folder, as_text(document))


YAML_TOKENS = st.sampled_from([
    "version", "pipeline", "steps", "schemas", "scenarios", "columns", "inputs", "script",
    ":", ": ", " ", "  ", "\n", "- ", "{", "}", "[", "]", ",", "'", '"', "#", "&a", "*a", "!!",
    "1", "-1", "1.5", "true", "null", "~", "a.b", "{inputs.x}", "\t", "|", ">", "---", "?",
    "é", "\x00", "\ufeff", "%YAML 1.2", "<<: ", "2GB", "5m",
])


@settings(settings.get_profile("spec"), max_examples=100)
@given(st.one_of(st.text(max_size=200), st.lists(YAML_TOKENS, max_size=40).map("".join)))
def test_garbage_only_raises_spec_error(folder, text):
    try:
        load(folder, text)
    except SpecError as error:
        assert error.line is not None and error.line >= 1


@settings(settings.get_profile("spec"))
@given(prefix=st.lists(YAML_TOKENS, max_size=8).map("".join), cut=st.integers(0, 4000))
def test_damaged_valid_specs_only_raise_spec_error(folder, prefix, cut):
    template = TEMPLATES[1]
    position = cut % len(template)
    text = template[:position] + prefix + template[position:]
    try:
        load(folder, text)
    except SpecError as error:
        assert 1 <= error.line <= len(text.splitlines()) + 1
