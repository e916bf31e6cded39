"""The session the modes are typed to take (``plugin_types.SessionLike``) is the real one."""

from __future__ import annotations

import argparse

import pytest

from specrun.config import load_plugins
from specrun.plugin_types import SessionLike
from specrun.session import Session


@pytest.fixture
def session(monkeypatch, tmp_path) -> Session:
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    return Session(argparse.Namespace(workspace=str(tmp_path / ".specrun")), load_plugins([]))


def test_a_session_has_everything_modes_use(session: Session) -> None:
    assert isinstance(session, SessionLike)


def test_an_object_missing_a_member_is_not_session_like(session: Session) -> None:
    class NoSeeds:
        def __getattr__(self, name: str) -> object:
            if name == "case_seed":
                raise AttributeError(name)
            return getattr(session, name)

    assert not isinstance(NoSeeds(), SessionLike)
