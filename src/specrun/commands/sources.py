"""``specrun compare A B`` and ``specrun snapshot ARN --to DIR`` (merged into the CLI's commands).

* ``compare`` — two executions (ARNs or snapshot folders): per step the durations
  from the SageMaker metadata, per output dataset the row counts, schema changes and
  drift per column.  Exit 0 when nothing drifted, 1 when something did or a source
  failed.  ``--json FILE`` writes the comparison record.
* ``snapshot`` — samples an execution's channels (``--step`` to choose SageMaker
  steps) into DIR with a manifest, for offline deep dives.  Exit 0, or 1 when some
  sources could not be sampled (they are listed in the manifest with the reason).

Their options (``--to``, ``--sample-size``, ``--endpoint-url``, ``--region``,
``--aws-profile``, ``--refresh``, thresholds) are added by the deep-dive mode plugin.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from ..analysis.drift import DriftThresholds
from ..config import UsageError
from ..modes.deep_dive.cli_options import DeepDiveRunOptions
from ..report.json_report import to_stdout, write_json_text
from ..results import ExitCode, to_jsonable
from ..run_options import RunOptions
from ..sources.cache import SourceCache
from ..sources.client import S3Settings, make_clients
from ..sources.discovery import discover_execution
from ..sources.errors import SourceError
from ..sources.snapshot import write_snapshot

DEFAULT_SAMPLE_SIZE = 10000


def _settings(deep: DeepDiveRunOptions) -> S3Settings:
    return S3Settings(endpoint_url=deep.endpoint_url, region=deep.region, profile=deep.profile)


def _positional(options: RunOptions, count: int, usage: str) -> list[str]:
    given = [p for p in options.argv[1:] if p in options.paths]
    if len(given) != count:
        raise UsageError(f"usage: {usage}")
    return given


def _cache(options: RunOptions) -> SourceCache:
    return SourceCache(Path(options.workspace) / "cache" / "s3")


def compare_command(config: argparse.Namespace, pm: Any) -> int:
    """``specrun compare BASELINE COMPARISON``: exit 0 without drift, 1 with drift or failures."""
    from ..modes.deep_dive.compare import compare_executions, open_side
    from ..report.deep_dive_console import comparison_tables

    options, deep = RunOptions.from_namespace(config), DeepDiveRunOptions.from_namespace(config)
    baseline, comparison = _positional(
        options, 2, "specrun compare BASELINE COMPARISON (execution ARNs or snapshot folders)")
    limits = {k: v for k, v in (("psi", deep.psi_threshold), ("ks", deep.ks_threshold)) if v is not None}
    if any(v < 0 for v in limits.values()):
        raise UsageError("--psi-threshold and --ks-threshold must be >= 0")
    sample_size = deep.sample_size or DEFAULT_SAMPLE_SIZE
    seed = options.seed if options.seed is not None else 0
    clients = functools.cache(lambda: make_clients(_settings(deep)))
    cache = functools.cache(lambda: _cache(options))
    refresh = deep.refresh
    console = Console(highlight=False, soft_wrap=True, stderr=to_stdout(options.json_path))
    try:
        sides = [open_side(ref, None, clients, cache, sample_size, seed, refresh) for ref in (baseline, comparison)]
        result = compare_executions(sides[0], sides[1], DriftThresholds(**limits), options.step or None)
    except SourceError as exc:
        print(f"specrun: error: {exc}", file=sys.stderr)
        return int(ExitCode.TESTS_FAILED)
    data = to_jsonable(result)
    for table in comparison_tables(data):
        console.print(table)
    for name in result.only_in_baseline:
        console.print(f"step {name} only in the baseline")
    for name in result.only_in_comparison:
        console.print(f"step {name} only in the comparison")
    drifted = [d.dataset for d in result.datasets if d.drifted and not d.error]
    failed = result.errors
    summary = (f"{len(drifted)} of {len(result.datasets)} dataset(s) drifted" if drifted
               else f"no drift in {len(result.datasets)} dataset(s)")
    if failed:
        summary += f", {len(failed)} could not be compared"
    console.rule(f"[bold {'red' if drifted or failed else 'green'}]{summary}")
    if options.json_path:
        data["drifted"] = result.drifted
        write_json_text(options.json_path, json.dumps(data, indent=2) + "\n")
    return int(ExitCode.TESTS_FAILED if drifted or failed else ExitCode.OK)


def snapshot_command(config: argparse.Namespace, pm: Any) -> int:
    """``specrun snapshot ARN --to DIR [--sample-size N] [--step NAME]``."""
    options, deep = RunOptions.from_namespace(config), DeepDiveRunOptions.from_namespace(config)
    (arn,) = _positional(options, 1, "specrun snapshot EXECUTION_ARN --to DIR [--sample-size N]")
    dest = deep.snapshot_to
    if not dest:
        raise UsageError("specrun snapshot needs --to DIR")
    sample_size = deep.sample_size or DEFAULT_SAMPLE_SIZE
    if sample_size < 1:
        raise UsageError("--sample-size must be >= 1")
    seed = options.seed if options.seed is not None else 0
    console = Console(highlight=False, soft_wrap=True)
    try:
        s3, sagemaker = make_clients(_settings(deep))
        execution = discover_execution(sagemaker, arn)
        snapshot = write_snapshot(execution, s3, Path(dest), sample_size, seed, options.step or None,
                                  cache=_cache(options))
    except SourceError as exc:
        print(f"specrun: error: {exc}", file=sys.stderr)
        return int(ExitCode.TESTS_FAILED)
    sampled = len(snapshot.sources) - len(snapshot.errors)
    console.print(f"snapshot of {arn}: {len(snapshot.execution.steps)} step(s), {sampled} source(s) sampled "
                  f"({sample_size} rows each) into {snapshot.root}")
    for uri, error in snapshot.errors.items():
        console.print(f"[red]not sampled[/] {uri}: {error}")
    return int(ExitCode.TESTS_FAILED if snapshot.errors else ExitCode.OK)


COMMANDS: dict[str, Callable[[argparse.Namespace, Any], int]] = {
    "compare": compare_command,
    "snapshot": snapshot_command,
}
