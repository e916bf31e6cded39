"""YAML spec → typed model (:mod:`.model`), with line-numbered errors.

The grammar is written once (:mod:`.schema`, strictyaml); the loader builds the model
and every mistake is a ``SpecError(file, line, key)``; the published JSON Schema is
generated from the grammar (:mod:`.jsonschema`).  May import only the bottom layer
(``error_class``, ``atomic`` …); knows nothing of pandas, processes or results.
"""

from .loader import discover_specs, load_spec
from .model import PipelineSpec, SpecError

__all__ = ["discover_specs", "load_spec", "PipelineSpec", "SpecError"]
