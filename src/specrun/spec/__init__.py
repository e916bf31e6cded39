"""YAML spec → typed model (:mod:`.model`), with line-numbered errors."""

from .loader import discover_specs, load_spec
from .model import PipelineSpec, SpecError

__all__ = ["discover_specs", "load_spec", "PipelineSpec", "SpecError"]
