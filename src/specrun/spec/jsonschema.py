"""The published JSON Schema of a spec file, generated from the strictyaml grammar.

:func:`generate` walks :func:`.schema.spec_validator` (Map, MapPattern, Seq, Str,
Bool, …, :class:`.schema.Checked`) and adds what the grammar's :mod:`.json_notes`
say; the packaged ``specrun.schema.json`` is its output, so a new key is written once,
in :mod:`.schema`.  ``python -m specrun.spec.jsonschema`` prints it;
``python -m specrun.spec.jsonschema --write`` rewrites the packaged file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import strictyaml as sy
from strictyaml import constants

from .json_notes import Kinds, Note, any_case, note_of
from .schema import NAME_PATTERN, SCALAR_JSON, Checked, spec_validator

SCHEMA_PATH = Path(__file__).with_name("specrun.schema.json")
REGENERATE = "python -m specrun.spec.jsonschema --write"


def _boolean_json() -> dict[str, Any]:
    """strictyaml's booleans: true/false, and yes/no/on/off/y/n/1/0 in any case."""
    words = [word for word in constants.BOOL_VALUES if not word.isdigit()]
    return {"description": "true or false (also yes/no, on/off, y/n, 1/0)",
            "anyOf": [{"type": "boolean"},
                      {"enum": sorted(int(word) for word in constants.BOOL_VALUES if word.isdigit())},
                      {"type": "string",
                       "pattern": "^(" + "|".join(any_case(word) for word in words) + ")$"}]}


class _Generator:
    """One walk over a validator tree, collecting the named parts into ``$defs``."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {"boolean": _boolean_json()}

    def schema(self, validator: sy.Validator) -> dict[str, Any]:
        found = note_of(validator)
        if found is not None and found.name:
            if found.name not in self.defs:
                self.defs[found.name] = {}  # reserved first: a part may refer to itself
                self.defs[found.name] = self._noted(validator, found)
            return {"$ref": f"#/$defs/{found.name}"}
        return self._noted(validator, found)

    def _noted(self, validator: sy.Validator, found: Note | None) -> dict[str, Any]:
        if found is None:
            return self._derived(validator)
        result = self._kinds(found.kinds) if found.kinds else self._derived(validator)
        if found.description:
            result = {"description": found.description, **result}
        return {**result, **found.rules}

    def _derived(self, validator: sy.Validator) -> dict[str, Any]:
        if isinstance(validator, Checked):
            return dict(validator.json_schema)
        if isinstance(validator, sy.Bool):
            return {"$ref": "#/$defs/boolean"}
        if isinstance(validator, sy.Float):
            return {"type": "number"}
        if isinstance(validator, sy.Int):
            return {"type": "integer"}
        if isinstance(validator, sy.Enum):
            return {"enum": list(validator._restricted_to)}
        if isinstance(validator, sy.Str):
            return dict(SCALAR_JSON)
        if isinstance(validator, sy.Any):
            return {}
        if isinstance(validator, sy.OrValidator):
            return {"anyOf": [self.schema(validator._validator_a), self.schema(validator._validator_b)]}
        if isinstance(validator, sy.Seq):
            return {"type": "array", "items": self.schema(validator._validator)}
        if isinstance(validator, sy.Map):  # MapCombined is a Map with a value validator for the rest
            return self._map(validator)
        if isinstance(validator, sy.MapPattern):
            return self._map_pattern(validator)
        raise TypeError(f"no JSON Schema for {validator!r}: give it one with json_notes.note()")

    def _map(self, validator: sy.Map) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "object"}
        required = [str(key) for key in validator._required_keys]
        if required:
            result["required"] = required
        result["properties"] = {str(key): self.schema(value)
                                for key, value in validator._validator_dict.items()}
        rest = getattr(validator, "_value_validator", None)  # MapCombined
        result["additionalProperties"] = self.schema(rest) if rest is not None else False
        return result

    def _map_pattern(self, validator: sy.MapPattern) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "object"}
        if type(validator._key_validator) is not sy.Str:
            result["propertyNames"] = self.schema(validator._key_validator)
        result["additionalProperties"] = self.schema(validator._value_validator)
        if validator._minimum_keys is not None:
            result["minProperties"] = validator._minimum_keys
        if validator._maximum_keys is not None:
            result["maxProperties"] = validator._maximum_keys
        return result

    def _kinds(self, kinds: Kinds) -> dict[str, Any]:
        """``{kind: parameters}`` items: each built-in kind's parameters, bare names, plugin kinds."""
        builtin = list(kinds.params)
        siblings = {key: self.schema(factory()) for key, factory in kinds.siblings.items()}
        choices: list[dict[str, Any]] = [
            {"type": "object", "required": [kind], "properties": {kind: self.schema(factory()), **siblings},
             "additionalProperties": False}
            for kind, factory in kinds.params.items()]
        if kinds.bare:
            choices.append({"enum": list(kinds.bare)})
        if kinds.plugins:
            choices.append({"description": "a kind added by a plugin", "type": "object",
                            "minProperties": 1, "maxProperties": 1 + len(siblings),
                            "propertyNames": {"not": {"enum": builtin}}})
            if kinds.bare:
                choices.append({"description": "a kind added by a plugin", "type": "string",
                                "pattern": f"^{NAME_PATTERN}$", "not": {"enum": builtin}})
        return {"anyOf": choices}


def generate() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec file, as packaged in ``specrun.schema.json``."""
    generator = _Generator()
    body = generator.schema(spec_validator())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://specrun.dev/specrun.schema.json",
        "title": "specrun spec",
        **body,
        "$defs": dict(sorted(generator.defs.items())),
    }


def render() -> str:
    """:func:`generate` as the packaged file's text."""
    return json.dumps(generate(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the schema; with ``--write``, rewrite the packaged file instead."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write"]:
        SCHEMA_PATH.write_text(render(), encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
        return 0
    if args:
        print("usage: python -m specrun.spec.jsonschema [--write]", file=sys.stderr)
        return 2
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
