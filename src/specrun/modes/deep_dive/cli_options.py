"""The command-line options the deep-dive plugin adds (:func:`specrun_addoption`, re-exported by
``mode.py``), typed: read by the mode and by ``specrun compare`` / ``specrun snapshot``.  A light
module: ``specrun --help`` registers it in place of the mode (see ``config.OPTION_PLUGINS``)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from ...hooks import hookimpl
from ...run_options import NamespaceOptions


def add_source_options(group: argparse._ArgumentGroup | argparse.ArgumentParser) -> None:
    """The options of real-data sources, shared by deep-dive runs, ``specrun compare`` and ``specrun snapshot``."""
    group.add_argument("--refresh", action="store_true", help="ignore cached samples and fetch them again")
    group.add_argument("--sample-size", dest="deep_sample_size", type=int, metavar="N",
                       help="rows sampled per source (default: the spec's deep_dive.sample_size, else 10000)")
    group.add_argument("--endpoint-url", metavar="URL", help="S3/SageMaker endpoint (an S3-compatible server)")
    group.add_argument("--region", dest="aws_region", metavar="NAME", help="AWS region")
    group.add_argument("--aws-profile", metavar="NAME", help="AWS profile of the credentials file")


@hookimpl
def specrun_addoption(parser: argparse.ArgumentParser) -> None:
    """Re-exported by ``mode.py``; ``--to`` and the drift thresholds belong to ``specrun snapshot`` /
    ``compare`` (commands/parsers.py)."""
    add_source_options(parser.add_argument_group("deep dive (real data)"))


@dataclass(frozen=True)
class DeepDiveRunOptions(NamespaceOptions):
    """``--refresh``, ``--sample-size``, the S3 endpoint and credentials, ``--to`` and the drift thresholds."""

    refresh: bool = False
    sample_size: int | None = field(default=None, metadata={"dest": "deep_sample_size"})
    endpoint_url: str | None = None
    region: str | None = field(default=None, metadata={"dest": "aws_region"})
    profile: str | None = field(default=None, metadata={"dest": "aws_profile"})
    snapshot_to: str | None = None                  # snapshot: --to DIR
    psi_threshold: float | None = None              # compare
    ks_threshold: float | None = None               # compare

    def mode_overrides(self) -> dict[str, Any]:
        """The ``modes.deep_dive`` options given on the command line, which win over the spec's."""
        given = {"sample_size": self.sample_size, "endpoint_url": self.endpoint_url, "region": self.region,
                 "profile": self.profile}
        return {key: value for key, value in given.items() if value is not None}
