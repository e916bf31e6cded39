"""Each sub-command's own argument parser: ``specrun COMMAND --help`` lists its options only.

``specrun check`` takes the options of a run (it plans as a run does) and so shares
the run's parser (``config.build_parser``); every other command is built here.  The
positional arguments keep the ``paths`` destination the handlers read.  Only argparse
and light option helpers are imported, so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from ..arg_types import positive_int
from ..modes.deep_dive.cli_options import add_source_options
from . import COMMAND_ARGUMENTS, COMMAND_SUMMARIES


def commands_help() -> str:
    """The ``commands`` section of ``specrun --help``."""
    width = max(len(f"{name} {COMMAND_ARGUMENTS[name]}") for name in COMMAND_SUMMARIES)
    lines = ["commands (each with its own --help):"]
    for name, summary in COMMAND_SUMMARIES.items():
        lines.append(f"  {f'{name} {COMMAND_ARGUMENTS[name]}':<{width}}  {summary}")
    return "\n".join(lines)


def _new(name: str, epilog: str | None = None) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=f"specrun {name}", description=COMMAND_SUMMARIES[name] + ".",
                                   epilog=epilog)


def _plugins_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", dest="plugins", action="append", default=[], metavar="NAME",
                        help="load plugin module NAME; -p no:NAME blocks a plugin")


def _workspace_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--workspace", default=".specrun", metavar="DIR",
                        help="the workspace (default .specrun)")


def _plugins(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["specs"], metavar="PATH",
                        help="spec files or folders whose plugins: to load too (default: specs/)")
    parser.add_argument("--json", dest="json_path", metavar="FILE", help="also write the list as JSON ('-': stdout)")
    _plugins_option(parser)


def _replay(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs=1, metavar="ID", help="the failure id printed after a property failure")
    parser.add_argument("--executor", metavar="NAME", help="fresh (default) or fork")
    _workspace_option(parser)
    _plugins_option(parser)


def _sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--step", action="append", metavar="NAME", help="only these SageMaker steps (repeatable)")
    parser.add_argument("--seed", type=int, help="seed of the sampling (default 0)")
    add_source_options(parser.add_argument_group("sources"))
    _workspace_option(parser)
    _plugins_option(parser)


def _compare(parser: argparse.ArgumentParser) -> None:
    parser.usage = "specrun compare [options] BASELINE COMPARISON"
    parser.add_argument("paths", nargs=2, metavar="SIDE",
                        help="BASELINE then COMPARISON: execution ARNs or snapshot folders")
    parser.add_argument("--psi-threshold", type=float, metavar="X", help="PSI above X is drift (default 0.2)")
    parser.add_argument("--ks-threshold", type=float, metavar="X", help="KS above X is drift (default 0.1)")
    parser.add_argument("--json", dest="json_path", metavar="FILE",
                        help="write the comparison record ('-': stdout)")
    _sources(parser)


def _snapshot(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs=1, metavar="ARN", help="the pipeline execution's ARN")
    parser.add_argument("--to", dest="snapshot_to", metavar="DIR", required=True, help="the folder to write")
    _sources(parser)


def _schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--path", dest="schema_path", action="store_true",
                        help="print the installed JSON Schema file's path instead of the schema")


def _report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs=1, metavar="RECORD",
                        help="a JSON result record: .specrun/last-run.json or a file --json wrote")
    parser.add_argument("--html", dest="html_path", metavar="FILE", required=True,
                        help="the HTML file to write")
    _history_source(parser)
    _plugins_option(parser)


def _history_source(parser: argparse.ArgumentParser) -> None:
    """Where the run history is (``specrun report`` draws its trends from it)."""
    from ..report.history.options import add_history_db

    _workspace_option(parser)
    add_history_db(parser)


def _infer(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("infer_files", nargs="+", metavar="FILE",
                        help="sample data files (csv, tsv, parquet, jsonl; .gz too) or s3:// prefixes, "
                             "read as one sample")
    parser.add_argument("--name", dest="infer_name", type=schema_name, metavar="N",
                        help="the schema's name (default: the first file's name)")
    parser.add_argument("--format", dest="infer_format", choices=("csv", "tsv", "parquet", "jsonl"),
                        help="the files' format (default: from their suffix)")
    add_source_options(parser.add_argument_group("s3:// prefixes"))
    _workspace_option(parser)
    _plugins_option(parser)


def _history(parser: argparse.ArgumentParser) -> None:
    from ..report.history.options import add_history_db

    parser.add_argument("--last", type=positive_int, default=10, metavar="N",
                        help="the summary reads the last N runs (default 10)")
    _workspace_option(parser)
    add_history_db(parser)
    group = parser.add_argument_group("regressions")
    group.add_argument("--regressions", action="store_true",
                       help="flag new failures and time/memory regressions of a run against a baseline; exit 1 if any")
    group.add_argument("--run", type=_converter("run_selector"), metavar="RUN",
                       help="the run checked (default latest): an id, latest, latest~K or an ISO date/time")
    group.add_argument("--baseline", type=_converter("run_selector"), metavar="RUN",
                       help="the run compared against (default: the run before --run)")
    group.add_argument("--threshold", type=_converter("percent"), default=None, metavar="PCT",
                       help="growth that is a regression (default 50%%)")
    group.add_argument("--time-floor", dest="time_floor", type=_converter("time_floor"), default=None,
                       metavar="SECONDS", help="and by at least this much time (default 0.2s)")
    group.add_argument("--memory-floor", dest="memory_floor", type=_converter("memory_floor"), default=None,
                       metavar="SIZE", help="and by at least this much peak memory (default 32MiB)")



def _converter(name: str) -> Callable[[str], object]:
    """An argparse type for a ``specrun history`` option value (parsed by report/history)."""
    def convert(text: str) -> object:
        from ..report.history import analysis, store

        parse: Callable[[str], object] = {
            "run_selector": store.parse_run_selector, "percent": analysis.parse_percent,
            "time_floor": analysis.parse_time_floor, "memory_floor": analysis.parse_memory_floor}[name]
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = name   # argparse names it in "invalid run_selector value"
    return convert
def _init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("init_script", metavar="SCRIPT", help="the step's Python script (read, never run)")
    parser.add_argument("--name", dest="init_name", type=schema_name, metavar="N",
                        help="the step's name (default: the script's name)")


def schema_name(text: str) -> str:
    """``--name``: a name a spec accepts for a schema."""
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_\-]*$", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a schema name (letters, digits, _ and -)")
    return text


_BUILDERS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "plugins": _plugins, "replay": _replay, "compare": _compare, "snapshot": _snapshot, "schema": _schema,
    "report": _report,
    "infer": _infer,
    "history": _history,
    "init": _init,
}


def command_parser(name: str) -> argparse.ArgumentParser:
    """The parser of sub-command ``name`` (not ``check``: see ``config.build_parser``)."""
    parser = _new(name)
    _BUILDERS[name](parser)
    return parser

