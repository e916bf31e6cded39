"""specrun as a pytest plugin: ``pytest specs/`` runs the specs' cases as pytest items.

Registered through the ``pytest11`` entry point (``specrun``), so installing specrun is
enough; ``-p no:specrun`` turns it off, ``-p specrun.pytest_plugin`` loads it from a
checkout that is not installed (or with plugin auto-loading off).
Spec files become :class:`~.collect.SpecFile` nodes (which files: see :mod:`.collect`),
each case an item whose node id ends with the case id that ``specrun --collect-only``
prints; pytest selects (``-k``, ``--lf``, ``--ff``, node ids, ``-m specrun``), stops
(``-x``), distributes (``-n``) and reports (``--junitxml``, pytest-html); specrun plans
and runs the cases (:mod:`.state`, :mod:`.runner`) and a failure's report is specrun's
FAILURES block.  Options: ``--specrun-*`` flags and ``specrun_*`` ini keys (:mod:`.options`).

This module is imported by every pytest run where specrun is installed, so it imports
only pytest and the standard library; specrun's machinery is imported when the first
spec file is collected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .options import addoption, check_addopts, worker_id
from .state import current_state


def pytest_addoption(parser: pytest.Parser) -> None:
    addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    check_addopts(config)
    config.addinivalue_line("markers", "specrun: a specrun case collected from a spec file")
    config.addinivalue_line("markers", "xdist_group(name): pytest-xdist --dist loadgroup runs a group in one worker")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    from .collect import SPEC_SUFFIXES, SpecFile, looks_like_spec, matches

    if file_path.suffix.lower() not in SPEC_SUFFIXES:
        return None
    if not parent.session.isinitpath(file_path) and not matches(file_path, parent.config.getini("specrun_files")):
        return None
    if not looks_like_spec(file_path):
        return None
    return SpecFile.from_parent(parent, path=file_path)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The items are final: tell each which cases of its group run after it in this
    process (see :mod:`.runner`), and tell specrun's plugins what was collected."""
    from .collect import CaseItem

    items = [item for item in session.items if isinstance(item, CaseItem)]
    state = current_state(session.config)
    if state is None:
        return
    from .runner import batched

    in_worker = worker_id(session.config) is not None
    groups: dict[tuple[int, str], list[CaseItem]] = {}
    for item in items:
        groups.setdefault((id(item.spec), item.case.mode), []).append(item)
    for (_, mode), members in groups.items():
        if batched(mode, in_worker):
            for index, item in enumerate(members):
                item.later = [other.case for other in members[index + 1:]]
    state.collected([item.case for item in items])


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """Take specrun's workspace before the first item runs: a usage error, before any case
    runs, when another run holds it."""
    from .collect import CaseItem

    state = current_state(session.config)
    if state is not None and not session.config.option.collectonly \
            and any(isinstance(item, CaseItem) for item in session.items):
        state.runner    # noqa: B018  (the property takes the workspace)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = current_state(session.config)
    if state is not None:
        state.finish(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)
