"""The pytest nodes: a spec file, the groups of its case ids, one item per specrun case.

Which YAML files are specs: a file whose top level has ``version:`` and ``pipeline:``
that is either named on pytest's command line or matches a ``specrun_files`` glob
(default ``specs/*.yaml specs/*.yml``: any spec below a folder called ``specs``),
matched the way pytest matches ``python_files``.  So ``pytest specs/`` and ``pytest
path/to/spec.yaml`` collect specs, and ``pytest tests/`` does not start collecting the
spec files a test suite keeps as fixtures.

A case id ``pipeline::step[scenario]`` becomes the node id ``FILE::pipeline::step[scenario]``:
each ``::`` part before the brackets is a collector, the last part the item, so node ids
given on pytest's command line select cases and ``-k`` matches the parts of the id.
"""

from __future__ import annotations

import fnmatch
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from ..plan import PlannedCase
    from ..results import CaseResult
    from ..spec.model import PipelineSpec, SpecError

SPEC_SUFFIXES = (".yaml", ".yml")
SNIFF_BYTES = 1 << 20
_TOP_KEY = re.compile(r"^(version|pipeline)[ \t]*:", re.MULTILINE)


def looks_like_spec(path: Path) -> bool:
    """Whether the YAML file's top level has both ``version:`` and ``pipeline:``."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            text = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return {m.group(1) for m in _TOP_KEY.finditer(text)} == {"version", "pipeline"}


def matches(path: Path, patterns: Iterable[str]) -> bool:
    """pytest's rule for ``python_files``: a pattern with a ``/`` matches the end of the
    path, one without matches the file name."""
    for pattern in patterns:
        if "/" in pattern:
            if fnmatch.fnmatch(path.as_posix(), pattern if pattern.startswith("/") else "*/" + pattern):
                return True
        elif fnmatch.fnmatch(path.name, pattern):
            return True
    return False


def id_parts(case_id: str) -> list[str]:
    """``a::b::c[x::y]`` → ``["a", "b", "c[x::y]"]``: ``::`` splits only before the brackets."""
    head, bracket, tail = case_id.partition("[")
    parts = head.split("::")
    parts[-1] += bracket + tail
    return parts


class SpecCollectionError(Exception):
    """A spec file that cannot be collected; shown as its one line (file:line: key: message)."""


class SpecFile(pytest.File):
    """A spec file: loaded, preflighted and planned by specrun, one item per case."""

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        from ..errors import UsageError
        from ..plugin_types import PluginError
        from ..spec.model import SpecError
        from .state import specrun_state

        try:   # the first spec file makes the session: a bad option or plugin is its error, in one line
            state = specrun_state(self.config)
        except (pytest.UsageError, PluginError, SpecError) as exc:
            raise SpecCollectionError(str(exc) if isinstance(exc, pytest.UsageError) else f"specrun: {exc}") from None
        try:
            spec = state.load(self.path)
            cases = state.plan(spec)
        except SpecError as exc:
            raise SpecCollectionError(_shown(exc)) from None
        except (PluginError, UsageError) as exc:
            raise SpecCollectionError(f"{self.path}: {exc}") from None
        tree: dict[str, Any] = {}
        for case in cases:
            *groups, leaf = id_parts(case.id)
            node = tree
            for part in groups:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise SpecCollectionError(f"{self.path}: case id {case.id!r} clashes with {node.case.id!r}")
            if leaf in node:
                raise SpecCollectionError(f"{self.path}: case id {case.id!r} is not unique in the spec")
            node[leaf] = _Leaf(case)
        yield from _children(self, tree, spec)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str | Any:  # type: ignore[override]
        if isinstance(excinfo.value, SpecCollectionError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class _Leaf:
    def __init__(self, case: PlannedCase) -> None:
        self.case = case


class CaseGroup(pytest.Collector):
    """One ``::`` part of case ids (the pipeline, ``pipeline`` for pipeline mode …)."""

    tree: dict[str, Any]
    spec: PipelineSpec

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        yield from _children(self, self.tree, self.spec)


def _children(parent: pytest.Collector, tree: dict[str, Any], spec: PipelineSpec
              ) -> Iterator[pytest.Item | pytest.Collector]:
    for name, node in tree.items():
        if isinstance(node, _Leaf):
            # the full node id, parsed by pytest: a name's "[...]" is then the item's parameters, as
            # pytest reads them back from its cache (--lf) and from the command line
            yield CaseItem.from_parent(parent, name=name, nodeid=f"{parent.nodeid}::{name}", spec=spec, case=node.case)
        else:
            group = CaseGroup.from_parent(parent, name=name)
            group.tree, group.spec = node, spec
            yield group


class CaseFailed(Exception):
    """A case that failed or errored; its report is specrun's FAILURES block."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.message)
        self.result = result


class CaseItem(pytest.Item):
    """One specrun case.  Its verdict is specrun's: passed, failed (or an error), skipped."""

    def __init__(self, *, spec: PipelineSpec, case: PlannedCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.case = case
        self.later: Sequence[PlannedCase] = ()    # set at the end of collection (see __init__.py)
        self.add_marker(pytest.mark.specrun)
        if case.mode == "pipeline":   # `-n --dist loadgroup` keeps a spec's pipeline in one worker
            self.add_marker(pytest.mark.xdist_group(name=f"specrun-pipeline-{spec.pipeline}"))
        self.user_properties.append(("specrun_case", case.id))

    def runtest(self) -> None:
        from ..results import Outcome
        from .state import specrun_state

        result = specrun_state(self.config).runner.result(self.spec, self.case, self.later)
        self.user_properties.append(("specrun_outcome", result.outcome.value))
        if result.classification is not None:
            self.user_properties.append(("specrun_classification", result.classification.value))
        if result.outcome is Outcome.PASSED:
            return
        if result.outcome is Outcome.SKIPPED:
            # reported at the item (its spec file and step), not at this line
            raise pytest.skip.Exception(result.message or "skipped by specrun", _use_item_location=True)
        raise CaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, CaseFailed):
            return failures_block(self.config, excinfo.value.result)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.spec.where(f"steps.{self.case.step}").line if self.case.step else None
        return self.path, (line - 1 if line else None), self.case.id


def failures_block(config: pytest.Config, result: CaseResult) -> str:
    """specrun's FAILURES block of ``result``, as plain text as wide as pytest's terminal."""
    from rich.console import Console

    from ..report.console import ConsoleReporter
    from .state import specrun_state

    buffer = io.StringIO()
    width = config.get_terminal_writer().fullwidth
    console = Console(file=buffer, width=max(width, 60), color_system=None, force_terminal=False,
                      highlight=False, soft_wrap=True)
    ConsoleReporter(specrun_state(config).namespace, console=console).render_failure(result)
    # the block's title rule names the case: pytest's own title line above it does that
    _title, _, block = buffer.getvalue().partition("\n")
    return block.rstrip("\n")


def _shown(exc: SpecError) -> str:
    """A spec error with its file relative to the working directory, as specrun prints it."""
    file = exc.file
    if file is not None:
        try:
            file = file.absolute().relative_to(Path.cwd())
        except ValueError:
            pass
    return str(type(exc)(exc.message, file=file, line=exc.line, key=exc.key))
