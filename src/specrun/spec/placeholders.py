"""``{inputs.X}`` / ``{outputs.Y}`` in step ``args`` and ``{shard}`` / ``{split}`` in layouts.

The syntax is Python's format syntax: a literal brace is written twice (``{{``).
The loader checks placeholders with :func:`arg_placeholders` / :func:`layout_fields`;
executors fill them with :func:`fill_args` the same way.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence

ARG_PREFIXES = ("inputs", "outputs")
LAYOUT_FIELDS = ("shard", "split")
_FORMATTER = string.Formatter()
#: ``{job_args.NAME}`` or ``{env.NAME}`` (not inside a doubled, literal brace): resolved per
#: case before a layout is used (spec/case_templates.py)
TEMPLATE = re.compile(r"(?<!\{)\{(job_args|env)\.([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def arg_placeholders(text: str) -> list[tuple[str, str]]:
    """``(prefix, port)`` for each placeholder of an argument; ValueError if malformed."""
    found = []
    for _, field_name, format_spec, conversion in _parse(text):
        if field_name is None:
            continue
        prefix, dot, port = field_name.partition(".")
        if prefix not in ARG_PREFIXES or not dot or not port or "." in port or "[" in port:
            raise ValueError(f"unknown placeholder {{{field_name}}} "
                             "(expected {inputs.NAME} or {outputs.NAME}; write {{ for a brace)")
        if format_spec or conversion:
            raise ValueError(f"placeholder {{{field_name}}} takes no format or conversion")
        found.append((prefix, port))
    return found


def fill_args(args: Sequence[str], inputs: Mapping[str, str],
              outputs: Mapping[str, str]) -> list[str]:
    """``args`` with each ``{inputs.X}`` / ``{outputs.Y}`` replaced by the port's path."""
    ports = {"inputs": inputs, "outputs": outputs}
    filled = []
    for arg in args:
        pieces = []
        for literal, field_name, _, _ in _parse(arg):
            pieces.append(literal)
            if field_name is not None:
                prefix, _, port = field_name.partition(".")
                pieces.append(str(ports[prefix][port]))
        filled.append("".join(pieces))
    return filled


def layout_fields(layout: str) -> set[str]:
    """Fields a layout uses (``shard``, ``split``); ValueError if malformed or unknown.
    ``{job_args.NAME}`` / ``{env.NAME}`` are no fields: each case fills them first."""
    layout = TEMPLATE.sub("x", layout)
    fields = set()
    for _, field_name, _, _ in _parse(layout):
        if field_name is None:
            continue
        if field_name not in LAYOUT_FIELDS:
            raise ValueError(f"unknown layout field {{{field_name}}} (expected {{shard}} or {{split}})")
        fields.add(field_name)
    try:
        layout.format(shard=0, split="train")
    except (ValueError, TypeError) as error:
        raise ValueError(f"invalid layout {layout!r}: {error}") from None
    return fields


def layout_pattern(layout: str, splits: Sequence[str] | None = None, *,
                   capture_shard: bool = False) -> re.Pattern[str]:
    """The one rule of which relative paths a layout holds, for local discovery and S3
    sampling alike: ``{shard}`` is digits only, ``{split}`` one of ``splits`` (any one
    path segment when no names are declared), the literals exactly as written.
    ``capture_shard``: the first ``{shard}`` is the group ``shard``."""
    parts, captured = [], not capture_shard
    for literal, field_name, _, _ in _parse(layout):
        parts.append(re.escape(literal))
        if field_name == "shard":
            parts.append(r"\d+" if captured else r"(?P<shard>\d+)")
            captured = True
        elif field_name == "split" and splits:
            parts.append("(?:" + "|".join(re.escape(name) for name in splits) + ")")
        elif field_name is not None:
            parts.append(r"[^/]+")
    return re.compile("".join(parts))


def _parse(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(_FORMATTER.parse(text))
    except ValueError as error:
        raise ValueError(f"malformed placeholder in {text!r}: {error} (write {{{{ for a brace)") \
            from None
