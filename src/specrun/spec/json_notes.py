"""JSON Schema notes attached to grammar validators, for what a strictyaml walk cannot see.

The published JSON Schema is derived from :mod:`.schema` by :mod:`.jsonschema`.  Most of
it follows from the validators themselves; a :class:`Note` says the rest once, beside
the grammar: the ``$defs`` name a part is published under, cross-field rules the model
builder enforces (``call`` excludes ``args``), and lists whose items are
``{kind: parameters}`` revalidated per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strictyaml as sy

_ATTRIBUTE = "_specrun_json_note"

V = TypeVar("V", bound=sy.Validator)


@dataclass(frozen=True)
class Kinds:
    """Items written ``{kind: parameters}`` (or a bare ``kind``) whose parameters depend on kind.

    ``params`` gives each built-in kind's parameter validator; ``bare`` the kinds that may
    be written as a bare name; ``plugins`` whether other kinds (from plugins) are allowed;
    ``siblings`` optional keys written beside the kind.
    """

    params: Mapping[str, Callable[[], sy.Validator]]
    bare: tuple[str, ...] = ()
    plugins: bool = False
    #: optional keys that may stand beside the kind's key (a mutation's ``where``)
    siblings: Mapping[str, Callable[[], sy.Validator]] = field(default_factory=dict)


@dataclass(frozen=True)
class Note:
    """What the generator adds to the schema it derives from one validator.

    ``name``: published once under ``$defs/<name>`` and referenced; ``description``:
    shown by editors; ``rules``: JSON Schema keywords merged over the derived schema
    (the cross-field rules the builder checks); ``kinds``: see :class:`Kinds`.
    """

    name: str | None = None
    description: str | None = None
    rules: Mapping[str, Any] = field(default_factory=dict)
    kinds: Kinds | None = None


def note(validator: V, *, name: str | None = None, description: str | None = None,
         rules: Mapping[str, Any] | None = None, kinds: Kinds | None = None) -> V:
    """``validator`` itself, carrying a :class:`Note` for the JSON Schema generator."""
    setattr(validator, _ATTRIBUTE, Note(name, description, dict(rules or {}), kinds))
    return validator


def note_of(validator: sy.Validator) -> Note | None:
    """The note attached to ``validator`` by :func:`note`, if any."""
    found = getattr(validator, _ATTRIBUTE, None)
    return found if isinstance(found, Note) else None


def any_case(word: str) -> str:
    """A JSON Schema (ECMA) regex matching ``word`` in any letter case: ``ms`` → ``[mM][sS]``."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)
