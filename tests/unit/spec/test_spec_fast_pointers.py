"""The O(1) pointer lookup (spec/yaml_pointer_speed.py) changes no result of loading a spec:
the same model for valid specs, the same located error (message, line, key) for broken ones,
compared against strictyaml's own linear-scan lookup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strictyaml.yamlpointer import YAMLPointer
from test_spec_fuzz import MUTATIONS, TEMPLATES, as_data, as_text, load

from specrun.spec import yaml_pointer_speed
from specrun.spec.model import SpecError

yaml_pointer_speed.install()
FAST = YAMLPointer._individual_get
SCAN = FAST.__wrapped__


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("pointers")


@contextmanager
def lookup(method: Callable[..., Any]) -> Iterator[None]:
    YAMLPointer._individual_get = method
    try:
        yield
    finally:
        YAMLPointer._individual_get = FAST


def outcome(folder: Any, text: str) -> Any:
    try:
        return repr(load(folder, text))
    except SpecError as error:
        return (str(error), error.line, error.key)


def test_the_lookup_is_installed_and_wraps_strictyaml_s_own() -> None:
    assert FAST is not SCAN and SCAN.__name__ == "_individual_get"


def test_valid_specs_load_to_the_same_model(folder) -> None:
    for template in TEMPLATES:
        with lookup(SCAN):
            slow = outcome(folder, template)
        assert outcome(folder, template) == slow and not isinstance(slow, tuple)


@pytest.mark.slow
@settings(deadline=None, max_examples=40)
@given(template=st.sampled_from(TEMPLATES), mutation=st.sampled_from(sorted(MUTATIONS)), data=st.data())
def test_broken_specs_give_the_same_located_error(folder, template, mutation, data) -> None:
    document = as_data(template)
    MUTATIONS[mutation](document, data.draw)
    text = as_text(document)
    with lookup(SCAN):
        slow = outcome(folder, text)
    assert outcome(folder, text) == slow
