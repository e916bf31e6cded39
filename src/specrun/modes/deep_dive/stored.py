"""A deep-dive step's analysis back from the JSON the result cache stored.

:func:`revive` is the inverse of :func:`~specrun.results.to_jsonable` for the analysis
dataclasses: each field is rebuilt from its annotation (dataclasses, ``X | None``,
``list[X]``, ``dict[str, X]``, enums, floats that JSON held as text: ``nan``, ``inf``).
A value that does not fit its annotation is a :class:`StoredAnalysisError`, so an entry
written by another specrun version is a cache miss, never a half-built analysis.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union

from .analysis import StepAnalysis

T = TypeVar("T")


class StoredAnalysisError(ValueError):
    """The stored JSON does not describe the annotated type."""


def stored_analysis(data: Any) -> StepAnalysis:
    """The :class:`StepAnalysis` stored as ``data``; :class:`StoredAnalysisError` if it is not one."""
    return revive(StepAnalysis, data)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def revive(tp: Any, data: Any) -> Any:
    """``data`` (JSON values) as the type ``tp``."""
    if tp is Any:
        return data
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        options = typing.get_args(tp)
        if data is None and type(None) in options:
            return None
        for option in (o for o in options if o is not type(None)):
            try:
                return revive(option, data)
            except StoredAnalysisError:
                continue
        raise StoredAnalysisError(f"{data!r} is none of {options}")
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return [revive(item, v) for v in _expect(data, list, tp)]
    if origin is dict:
        _, value = typing.get_args(tp) or (str, Any)
        return {str(k): revive(value, v) for k, v in _expect(data, dict, tp).items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        fields = _expect(data, dict, tp)
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp) if f.init}
        if set(fields) - known:
            raise StoredAnalysisError(f"{tp.__name__} has no field(s) {sorted(set(fields) - known)}")
        try:
            return tp(**{name: revive(hints[name], value) for name, value in fields.items()})
        except TypeError as exc:   # a required field missing
            raise StoredAnalysisError(f"{tp.__name__}: {exc}") from None
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except ValueError:
            raise StoredAnalysisError(f"{data!r} is no {tp.__name__}") from None
    if tp is float:
        if isinstance(data, str):      # to_jsonable writes nan and the infinities as text
            value = float(data) if data in ("nan", "inf", "-inf") else None
            if value is None or math.isfinite(value):
                raise StoredAnalysisError(f"{data!r} is not a float")
            return value
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise StoredAnalysisError(f"{data!r} is not a float")
        return float(data)
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise StoredAnalysisError(f"{data!r} is not an int")
        return data
    if tp in (str, bool):
        return _expect(data, tp, tp)
    raise StoredAnalysisError(f"cannot rebuild a {tp!r}")


def _expect(data: Any, kind: type[T], tp: Any) -> T:
    if not isinstance(data, kind):
        raise StoredAnalysisError(f"{data!r} is not a {tp}")
    return data
