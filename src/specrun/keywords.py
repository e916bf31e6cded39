"""``-k`` expressions, as in pytest: ``train and not performance``, ``(a or b)``.

An identifier matches when it is a case-insensitive substring of the case id.
Identifiers may contain any character except whitespace and parentheses, so
``currency_conversion[standard]`` works as a single term.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")
_OPERATORS = {"and", "or", "not"}


class KeywordError(ValueError):
    """A malformed ``-k`` expression (a usage error)."""


@dataclass(frozen=True)
class KeywordExpression:
    source: str
    _match: Callable[[str], bool]

    @classmethod
    def compile(cls, source: str) -> KeywordExpression:
        tokens = [m.group(1) for m in _TOKEN.finditer(source)]
        if "".join(tokens) != "".join(source.split()):
            raise KeywordError(f"-k {source!r}: cannot parse")
        parser = _Parser(tokens, source)
        if not tokens:
            return cls(source, lambda _: True)
        matcher = parser.expression()
        if parser.pos != len(tokens):
            raise KeywordError(f"-k {source!r}: unexpected {tokens[parser.pos]!r}")
        return cls(source, matcher)

    def matches(self, case_id: str) -> bool:
        return self._match(case_id.lower())


class _Parser:
    """Recursive descent: expr := and ('or' and)*; and := not ('and' not)*; not := 'not' not | atom."""

    def __init__(self, tokens: list[str], source: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.source = source

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise KeywordError(f"-k {self.source!r}: unexpected end of expression")
        self.pos += 1
        return token

    def expression(self) -> Callable[[str], bool]:
        left = self.conjunction()
        while self.peek() == "or":
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda s: a(s) or b(s))(left, right)
        return left

    def conjunction(self) -> Callable[[str], bool]:
        left = self.negation()
        while self.peek() == "and":
            self.take()
            right = self.negation()
            left = (lambda a, b: lambda s: a(s) and b(s))(left, right)
        return left

    def negation(self) -> Callable[[str], bool]:
        if self.peek() == "not":
            self.take()
            inner = self.negation()
            return lambda s: not inner(s)
        return self.atom()

    def atom(self) -> Callable[[str], bool]:
        token = self.take()
        if token == "(":
            inner = self.expression()
            if self.take() != ")":
                raise KeywordError(f"-k {self.source!r}: missing ')'")
            return inner
        if token == ")" or token in _OPERATORS:
            raise KeywordError(f"-k {self.source!r}: unexpected {token!r}")
        needle = token.lower()
        return lambda s: needle in s
