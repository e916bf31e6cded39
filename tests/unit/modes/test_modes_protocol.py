"""Every built-in mode satisfies the Mode protocol the plugin boundary promises."""

from __future__ import annotations

from specrun.config import load_plugins
from specrun.plugin_types import Mode


def test_built_in_modes_are_modes(monkeypatch, tmp_path):
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    pm = load_plugins([])
    modes = [m for provided in pm.hook.specrun_modes() for m in (provided or ())]
    assert sorted(m.name for m in modes) == ["deep_dive", "isolation", "pipeline"]
    assert all(isinstance(m, Mode) for m in modes)


def test_an_object_without_run_is_not_a_mode():
    class PlanOnly:
        name = "half"

        def plan(self, session, spec):
            return []

    assert not isinstance(PlanOnly(), Mode)
