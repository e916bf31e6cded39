"""Linear-time spec loading: strictyaml's pointer lookups made O(1) per mapping level.

strictyaml (1.7.3) finds a mapping value by scanning every key of the mapping
(``YAMLPointer._individual_get``) and walks from the document root for every node it
validates, so loading a spec costs O(keys per mapping x nodes): 2,000 small schemas take
minutes.  :func:`install` puts a dictionary lookup in front of that scan.  It returns
exactly what the scan returns — the value of the key equal to the index (YAML keys are
unique: duplicates are spec errors) — and falls back to the scan whenever the lookup
cannot answer (a key object compared through its ``text``), so behaviour is unchanged.
Installed once, on first load; if strictyaml's internals differ, nothing is patched.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = False


def install() -> None:
    """Patch ``strictyaml.yamlpointer.YAMLPointer._individual_get`` (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True
    try:
        from strictyaml.yamlpointer import YAMLPointer
    except ImportError:   # pragma: no cover - another strictyaml layout: keep its own lookup
        return
    scan = getattr(YAMLPointer, "_individual_get", None)
    if scan is None or getattr(scan, "__name__", "") != "_individual_get":
        return

    def _individual_get(self: Any, segment: Any, index_type: str, index: Any, strictdoc: bool) -> Any:
        if (index_type == "val" and isinstance(segment, dict) and isinstance(index, tuple) and index
                and isinstance(index[0], str)):
            try:
                return segment[index[0]]
            except (KeyError, TypeError, IndexError):
                pass
        return scan(self, segment, index_type, index, strictdoc)

    _individual_get.__wrapped__ = scan  # type: ignore[attr-defined]
    YAMLPointer._individual_get = _individual_get
