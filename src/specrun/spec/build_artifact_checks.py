"""A port's ``checks:`` (artifact contracts of non-tabular outputs) → :class:`ArtifactCheck`.

``- not_empty``, ``- size: {min: 1KB, max: 10MB}``, ``- json_schema: params.schema.json``
(a file next to the spec, checked to be a JSON Schema now), ``- python: module:function``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .model import ArtifactCheck
from .options import LoadOptions
from .schema import ARTIFACT_CHECK_PARAMS
from .yamlnodes import Node


def build_checks(node: Node, options: LoadOptions) -> list[ArtifactCheck]:
    """Every item of ``checks:``; an unknown, repeated or malformed check is a SpecError."""
    checks: list[ArtifactCheck] = []
    for element in node.elements():
        if element.is_mapping():
            (kind, params), = element.items()
        else:
            kind, params = str(element.data), None
        if kind not in ARTIFACT_CHECK_PARAMS:
            raise element.error(f"unknown check {kind!r} (known: {', '.join(ARTIFACT_CHECK_PARAMS)})")
        if any(c.kind == kind for c in checks):
            raise element.error(f"check {kind!r} is given twice")
        value = _value(kind, params, element, options)
        if value is not None:
            checks.append(ArtifactCheck(kind, value, element.location))
    return checks


def _value(kind: str, params: Node | None, element: Node, options: LoadOptions) -> object:
    if params is None:
        if kind != "not_empty":
            raise element.error(f"check {kind!r} needs a value")
        return True
    params.revalidate(ARTIFACT_CHECK_PARAMS[kind]())
    data = params.data
    if kind == "not_empty":
        return True if data else None
    if kind == "size":
        size = dict(data)
        if not size:
            raise params.error("size needs 'min' and/or 'max'")
        if "min" in size and "max" in size and size["min"] > size["max"]:
            raise params.error(f"size min ({size['min']}) is above max ({size['max']})")
        return size
    if kind == "json_schema":
        path = options.resolve(str(data))
        try:
            check_schema_file(path)
        except ValueError as error:
            raise params.error(str(error)) from None
        return str(path)
    return str(data)


def check_schema_file(path: Path) -> None:
    """A ``json_schema:`` file that is not a JSON Schema raises ValueError."""
    import jsonschema  # imported when a spec names a json_schema check, not at start-up (~0.1 s)

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read JSON Schema {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not JSON: {exc}") from None
    try:
        jsonschema.validators.validator_for(document).check_schema(document)
    except jsonschema.exceptions.SchemaError as exc:
        raise ValueError(f"{path} is not a valid JSON Schema: {exc.message}") from None

