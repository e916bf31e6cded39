"""How a notebook shows specrun's records: the renderers the top layer registers.

The records (``results.py``) and the spec model sit below the HTML report, so their
``_repr_html_`` cannot import it; they ask this registry instead, which
:mod:`specrun.notebook` fills when ``specrun`` is imported (rendering itself imports
jinja2 on the first display only).  With no renderer, ``_repr_html_`` returns None and
Jupyter falls back to the plain ``repr``.  Imports nothing of specrun.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_RENDERERS: dict[str, Callable[[Any], str]] = {}


def register_html(kind: str, render: Callable[[Any], str]) -> None:
    """Render objects of ``kind`` ("session", "case", "pipeline", "spec") with ``render``."""
    _RENDERERS[kind] = render


def html(kind: str, obj: Any) -> str | None:
    """The HTML of ``obj`` by the renderer registered for ``kind``, or None without one."""
    render = _RENDERERS.get(kind)
    return render(obj) if render is not None else None
