"""What the pytest plugin adds to pytest's command line and ini file, and how it becomes
specrun's own options.

Each ``--specrun-*`` flag has an ini key of the same name (``specrun_seed`` …); the flag
wins.  ``specrun_addopts`` passes any other specrun option (a plugin's too) as written
on specrun's command line.  The options pytest itself owns (``-k``, ``-x``, ``-n``,
``--junitxml``, ``--collect-only``, paths) are refused there, with a pointer to
pytest's own.  The result is the argument list that specrun's parser reads
(:func:`specrun_argv`), so a pytest run and a ``specrun`` run read options one way.

This module imports only pytest and the standard library: pytest imports the plugin
in every project where specrun is installed.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

#: where spec files are looked for below a folder given to pytest (see ``collect.py``)
DEFAULT_FILES = ("specs/*.yaml", "specs/*.yml")

#: specrun options that pytest owns in a pytest run: (option dest, what to use instead)
PYTEST_OWNED = {
    "paths": "give paths to pytest",
    "keyword": "use pytest's -k",
    "ids": "select node ids on pytest's command line",
    "exitfirst": "use pytest's -x",
    "jobs": "use pytest-xdist's -n",
    "collect_only": "use pytest's --collect-only",
    "junitxml": "use pytest's --junitxml",
}


#: the same options as spelt on specrun's command line, checked before anything is imported
PYTEST_OWNED_FLAGS = {"-k": "keyword", "--id": "ids", "-x": "exitfirst", "--exitfirst": "exitfirst",
                      "-n": "jobs", "--jobs": "jobs", "--collect-only": "collect_only", "--junitxml": "junitxml"}


def check_addopts(config: pytest.Config) -> None:
    """``specrun_addopts`` may not hold an option pytest owns: a usage error saying what to use."""
    for arg in config.getini("specrun_addopts"):
        flag = arg.split("=", 1)[0]
        dest = PYTEST_OWNED_FLAGS.get(flag) or next(
            (d for f, d in PYTEST_OWNED_FLAGS.items() if len(f) == 2 and arg.startswith(f) and arg != f), None)
        if dest is not None:
            raise pytest.UsageError(f"specrun_addopts: {arg}: {PYTEST_OWNED[dest]}")


@dataclass(frozen=True)
class Flag:
    """One ``--specrun-NAME`` flag, its ini key ``specrun_NAME`` and the specrun option it sets."""

    name: str                 # e.g. "seed": --specrun-seed, ini specrun_seed
    specrun: str              # the specrun option, e.g. "--seed"
    help: str
    metavar: str | None = None    # None: a switch (store_true / ini bool)
    repeat: bool = False          # repeatable flag / ini linelist


FLAGS: tuple[Flag, ...] = (
    Flag("seed", "--seed", "seed of the specrun cases (default: each spec's defaults.seed, else random)", "N"),
    Flag("executor", "--executor", "how scripts run: fresh (default) or fork", "NAME"),
    Flag("workspace", "--workspace", "specrun's workspace, relative to the rootdir (default .specrun)", "DIR"),
    Flag("mode", "--mode", "run these specrun modes instead of each spec's (repeatable)", "NAME", repeat=True),
    Flag("scenario", "--scenario", "only these scenarios (repeatable)", "NAME", repeat=True),
    Flag("quick", "--quick", "isolation mode only, no negative cases"),
    Flag("keep-sandboxes", "--keep-sandboxes", "keep every case's sandbox, not only failures'"),
)


def addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("specrun", "specrun spec files (see docs/pytest.md)")
    for flag in FLAGS:
        dest = "specrun_" + flag.name.replace("-", "_")
        if flag.metavar is None:
            group.addoption(f"--specrun-{flag.name}", dest=dest, action="store_true", default=None, help=flag.help)
            parser.addini(dest, f"{flag.help} (ini: true/false)", type="bool", default=None)
        elif flag.repeat:
            group.addoption(f"--specrun-{flag.name}", dest=dest, action="append", metavar=flag.metavar,
                            help=flag.help)
            parser.addini(dest, flag.help, type="linelist", default=[])
        else:
            group.addoption(f"--specrun-{flag.name}", dest=dest, metavar=flag.metavar, help=flag.help)
            parser.addini(dest, flag.help, default=None)
    parser.addini("specrun_addopts", "more specrun options, as on specrun's command line", type="args", default=[])
    parser.addini("specrun_files", "glob patterns of the spec files collected below a folder given to pytest "
                  f"(default: {' '.join(DEFAULT_FILES)}; a file named on the command line is always collected)",
                  type="linelist", default=list(DEFAULT_FILES))


def specrun_argv(config: pytest.Config) -> list[str]:
    """specrun's command-line arguments for this pytest run: ``specrun_addopts``, then the
    flags (or their ini keys).  The workspace is made absolute from the rootdir, and an
    xdist worker gets a folder of its own below it (the workspace lock admits one run)."""
    argv = list(config.getini("specrun_addopts"))
    workspace = ".specrun"
    for flag in FLAGS:
        dest = "specrun_" + flag.name.replace("-", "_")
        value = config.getoption(dest)
        if flag.metavar is None:
            on = value if value is not None else config.getini(dest)
            if on:
                argv.append(flag.specrun)
            continue
        if flag.repeat:
            values = list(value or ()) or list(config.getini(dest))
            for item in values:
                argv += [flag.specrun, item]
            continue
        if value is None:
            value = config.getini(dest)
        if value in (None, ""):
            continue
        if flag.name == "workspace":
            workspace = str(value)
            continue
        argv += [flag.specrun, str(value)]
    root = Path(workspace) if Path(workspace).is_absolute() else config.rootpath / workspace
    worker = worker_id(config)
    if worker is not None:
        root = root / "workers" / worker
    return [*argv, "--workspace", str(root)]


def worker_id(config: pytest.Config) -> str | None:
    """The pytest-xdist worker's id (``gw0`` …) when ``config`` is a worker's, else None.
    Read from the config xdist gives its workers (``workerinput``), not from the environment
    (``PYTEST_XDIST_WORKER``), which a pytest run inside a worker (pytester) inherits."""
    workerinput = vars(config).get("workerinput")
    return str(workerinput["workerid"]) if workerinput else None


def owned_by_pytest(namespace_values: dict[str, object], defaults: dict[str, object]) -> list[str]:
    """The ``PYTEST_OWNED`` options set in specrun's parsed arguments, each with its pointer."""
    return [f"{dest}: {hint}" for dest, hint in PYTEST_OWNED.items()
            if namespace_values.get(dest) not in (None, False, [], defaults.get(dest))]


def quoted(argv: Sequence[str]) -> str:
    return " ".join(shlex.quote(a) for a in argv)
