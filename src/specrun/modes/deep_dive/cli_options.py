"""The command-line options the deep-dive plugin adds (``specrun_addoption`` in ``mode.py``),
typed: read by the mode and by ``specrun compare`` / ``specrun snapshot``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...run_options import NamespaceOptions


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
