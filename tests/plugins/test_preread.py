"""Reading a spec's ``plugins:`` before the spec is validated, and the project config."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.project_config import load_project_config
from specrun.spec.loader import plugin_names
from specrun.spec.model import SpecError

MODULE = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=3).map(".".join)
FILLER = st.sampled_from(["", "# a comment", "   # indented comment"])


@settings(max_examples=60, deadline=None)
@given(names=st.lists(MODULE, min_size=1, max_size=5), before=st.lists(FILLER, max_size=3),
       inside=st.lists(FILLER, max_size=2), flow=st.booleans(), data=st.data())
def test_plugin_names_and_their_lines(tmp_path_factory, names, before, inside, flow, data) -> None:
    lines = ["version: 1", "pipeline: p", *before]
    expected = []
    if flow:
        lines.append(f"plugins: [{', '.join(names)}]")
        expected = [(name, len(lines)) for name in names]
    else:
        lines.append("plugins:")
        for name in names:
            lines += [f"  {f}" if f else "" for f in data.draw(st.lists(FILLER, max_size=1))]
            lines.append(f"  - {name}")
            expected.append((name, len(lines)))
        lines += inside
    lines += ["steps:", "  a: {script: a.py}", "modes:", "  plugins: {x: 1}"]   # a nested 'plugins' key is not it
    path = tmp_path_factory.mktemp("spec") / "spec.yaml"
    path.write_text("\n".join(lines) + "\n")
    found = plugin_names(path)
    assert [(name, location.line) for name, location in found] == expected
    assert [location.key for _, location in found] == [f"plugins.{i}" for i in range(len(names))]


@pytest.mark.parametrize("text", ["version: 1\nplugins: 3\n", "plugins: [\n", "{version: 1}\n", ""])
def test_unreadable_plugins_are_left_to_the_full_load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    assert plugin_names(path) == []


def test_project_config_modes_and_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.specrun]\nplugins = ["a.b"]\n\n[tool.specrun.modes.isolation]\nmax_memory = "1GB"\n'
        '[tool.specrun.modes.drift]\nreference = "ref"\n')
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    config = load_project_config(sub)
    assert config.path == tmp_path / "pyproject.toml" and config.root == tmp_path
    assert config.plugins == ["a.b"]
    assert config.modes == {"isolation": {"max_memory": "1GB"}, "drift": {"reference": "ref"}}
    (tmp_path / "specrun.toml").write_text("[modes.pipeline]\nexecution_mode = 'sideways'\n")
    with pytest.raises(SpecError) as error:
        load_project_config(sub)
    assert str(error.value) == (f"{tmp_path / 'specrun.toml'}:2: modes.pipeline.execution_mode: "
                                "must be one of parallel, sequential")
    (tmp_path / "specrun.toml").write_text("plugins = [\n")
    with pytest.raises(SpecError, match="invalid TOML"):
        load_project_config(sub)
