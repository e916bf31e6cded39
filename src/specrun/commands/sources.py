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
from ..atomic import write_text_atomic
from ..config import UsageError
from ..results import ExitCode, to_jsonable
from ..sources.cache import SourceCache
from ..sources.client import S3Settings, make_clients
from ..sources.discovery import discover_execution
from ..sources.errors import SourceError
from ..sources.snapshot import write_snapshot

DEFAULT_SAMPLE_SIZE = 10000


def _settings(config: argparse.Namespace) -> S3Settings:
    return S3Settings(endpoint_url=getattr(config, "endpoint_url", None), region=getattr(config, "aws_region", None),
                      profile=getattr(config, "aws_profile", None))


def _positional(config: argparse.Namespace, count: int, usage: str) -> list[str]:
    given = [p for p in config.argv[1:] if p in config.paths]
    if len(given) != count:
        raise UsageError(f"usage: {usage}")
    return given


def _cache(config: argparse.Namespace) -> SourceCache:
    return SourceCache(Path(getattr(config, "workspace", None) or ".specrun") / "cache" / "s3")


def compare_command(config: argparse.Namespace, pm: Any) -> int:
    """``specrun compare BASELINE COMPARISON``: exit 0 without drift, 1 with drift or failures."""
    from ..modes.deep_dive.compare import compare_executions, open_side
    from ..report.deep_dive_console import comparison_tables

    baseline, comparison = _positional(
        config, 2, "specrun compare BASELINE COMPARISON (execution ARNs or snapshot folders)")
    limits = {k: v for k, v in (("psi", getattr(config, "psi_threshold", None)),
                                ("ks", getattr(config, "ks_threshold", None))) if v is not None}
    if any(v < 0 for v in limits.values()):
        raise UsageError("--psi-threshold and --ks-threshold must be >= 0")
    sample_size = getattr(config, "deep_sample_size", None) or DEFAULT_SAMPLE_SIZE
    seed = config.seed if getattr(config, "seed", None) is not None else 0
    clients = functools.cache(lambda: make_clients(_settings(config)))
    cache = functools.cache(lambda: _cache(config))
    refresh = bool(getattr(config, "refresh", False))
    console = Console(highlight=False, soft_wrap=True)
    try:
        sides = [open_side(ref, None, clients, cache, sample_size, seed, refresh) for ref in (baseline, comparison)]
        result = compare_executions(sides[0], sides[1], DriftThresholds(**limits), getattr(config, "step", None))
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
    if getattr(config, "json_path", None):
        data["drifted"] = result.drifted
        write_text_atomic(Path(config.json_path), json.dumps(data, indent=2) + "\n")
    return int(ExitCode.TESTS_FAILED if drifted or failed else ExitCode.OK)


def snapshot_command(config: argparse.Namespace, pm: Any) -> int:
    """``specrun snapshot ARN --to DIR [--sample-size N] [--step NAME]``."""
    (arn,) = _positional(config, 1, "specrun snapshot EXECUTION_ARN --to DIR [--sample-size N]")
    dest = getattr(config, "snapshot_to", None)
    if not dest:
        raise UsageError("specrun snapshot needs --to DIR")
    sample_size = getattr(config, "deep_sample_size", None) or DEFAULT_SAMPLE_SIZE
    if sample_size < 1:
        raise UsageError("--sample-size must be >= 1")
    seed = config.seed if getattr(config, "seed", None) is not None else 0
    console = Console(highlight=False, soft_wrap=True)
    try:
        s3, sagemaker = make_clients(_settings(config))
        execution = discover_execution(sagemaker, arn)
        steps = getattr(config, "step", None)
        snapshot = write_snapshot(execution, s3, Path(dest), sample_size, seed, steps, cache=_cache(config))
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
