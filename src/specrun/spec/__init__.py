"""YAML spec → typed model (:mod:`.model`), with line-numbered errors."""
