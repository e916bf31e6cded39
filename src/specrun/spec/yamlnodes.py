"""Parsed YAML with locations, and strictyaml errors turned into :class:`SpecError`.

:func:`parse` runs strictyaml (flow style allowed, as the spec language uses it) and
returns a :class:`Node`: a validated value that knows its dotted key path and the
1-based line of its key, so the model builder can point every error at the file.
Line numbers come from the parser's own marks (ruamel ``lc``), never from
re-dumping the document.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import strictyaml as sy
from strictyaml.ruamel.comments import CommentedMap, CommentedSeq
from strictyaml.ruamel.error import MarkedYAMLError

from .model import Location, SpecError
from .yaml_pointer_speed import install as install_fast_pointers

# Characters the YAML reader refuses (it would otherwise fail with an internal error).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BLOCK_KEY = re.compile(r"^(\s*)((?:-\s+)*)(\"[^\"]*\"|'[^']*'|[^\s#'\"{\[][^#]*?)\s*:(\s|$)")


class Node:
    """A validated YAML value with its dotted key path and the line of its key."""

    def __init__(self, yaml: sy.YAML, file: Path, key: str, line: int) -> None:
        self.yaml = yaml
        self.file = file
        self.key = key
        self.line = line

    # -- values ---------------------------------------------------------------
    @property
    def data(self) -> Any:
        """The plain Python value (typed as far as the validator typed it)."""
        return self.yaml.data

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.key)

    def is_mapping(self) -> bool:
        return self.yaml.is_mapping()

    def is_sequence(self) -> bool:
        return self.yaml.is_sequence()

    def error(self, message: str, key: str | None = None) -> SpecError:
        """A SpecError at this node (or at its child ``key``, if it has one)."""
        if key is not None:
            child = self.get(key)
            if child is not None:
                return child.error(message)
            return SpecError(message, Location(self.file, self.line, _join(self.key, key)))
        return SpecError(message, self.location)

    # -- navigation -----------------------------------------------------------
    def _raw(self) -> Any:
        return self.yaml.as_marked_up()

    def __contains__(self, key: str) -> bool:
        return self.is_mapping() and key in self.yaml.keys()

    def get(self, key: str) -> Node | None:
        return self[key] if key in self else None

    def __getitem__(self, key: str) -> Node:
        raw = self._raw()
        line = raw.lc.key(key)[0] + 1 if isinstance(raw, CommentedMap) else self.line
        return Node(self.yaml[key], self.file, _join(self.key, key), line)

    def items(self) -> list[tuple[str, Node]]:
        """(key, child) pairs of a mapping, in file order."""
        return [(str(key), self[str(key)]) for key in self.yaml.keys()] if self.is_mapping() else []

    def elements(self) -> list[Node]:
        """Items of a sequence, each at its own line, keyed ``path.index``."""
        if not self.is_sequence():
            return []
        raw = self._raw()
        return [Node(item, self.file, _join(self.key, str(index)), raw.lc.item(index)[0] + 1)
                for index, item in enumerate(self.yaml)]

    def walk(self) -> Iterator[Node]:
        """This node and every mapping value / sequence item below it."""
        yield self
        children = self.items() if self.is_mapping() else [
            (str(i), node) for i, node in enumerate(self.elements())]
        for _, child in children:
            yield from child.walk()

    def revalidate(self, validator: sy.Validator) -> Node:
        """Validate this part again with a stricter, kind-specific validator."""
        try:
            self.yaml.revalidate(validator)
        except sy.YAMLValidationError as error:
            raise validation_error(error, self.file) from None
        return self


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def parse(text: str, file: Path, validator: sy.Validator) -> Node:
    """Validate ``text`` against ``validator``; every problem becomes a SpecError."""
    bad = _NON_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise SpecError(f"non-printable character {bad.group()!r} is not allowed in YAML",
                        file=file, line=line, key=key_path_at_line(text, line))
    install_fast_pointers()
    deep = too_deep(text)
    if deep is not None:
        raise SpecError(f"values nested more than {MAX_NESTING} levels deep are not allowed in a spec",
                        file=file, line=deep, key=key_path_at_line(text, deep))
    try:
        document = sy.dirty_load(text, validator, label=str(file), allow_flow_style=True)
    except sy.YAMLValidationError as error:
        raise validation_error(error, file) from None
    except MarkedYAMLError as error:
        raise syntax_error(error, text, file) from None
    except AssertionError:   # strictyaml asserts that every key is text: a list or mapping as a key
        at = complex_key_line(text)
        if at is None:
            raise
        raise SpecError("a key must be a plain value, not a list or a mapping (in flow style, "
                        "'{a:, [x]}' makes [x] a key: write 'a: [x]')", file=file, line=at,
                        key=key_path_at_line(text, at)) from None
    except RecursionError:   # nesting the scan above cannot see (e.g. block style): still located
        line = _deepest_indent_line(text)
        raise SpecError("the spec is nested too deeply to be parsed", file=file, line=line,
                        key=key_path_at_line(text, line)) from None
    return Node(document, file, "", 1)


def complex_key_line(text: str) -> int | None:
    """The line of the first mapping key that is a list or a mapping (YAML allows them,
    strictyaml cannot hold them), or None."""
    from strictyaml.ruamel import compose
    from strictyaml.ruamel.nodes import MappingNode, ScalarNode, SequenceNode

    try:
        pending = [compose(text)]
    except MarkedYAMLError:
        return None
    lines = []
    while pending:
        node = pending.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if not isinstance(key, ScalarNode):
                    lines.append(int(key.start_mark.line) + 1)
                pending.extend((key, value))
        elif isinstance(node, SequenceNode):
            pending.extend(node.value)
    return min(lines, default=None)


#: deeper than any spec key needs (the grammar's deepest path is about ten levels)
MAX_NESTING = 64


def too_deep(text: str) -> int | None:
    """The line where flow-style brackets (``[`` / ``{``) nest deeper than :data:`MAX_NESTING`
    outside quoted strings, or None; found before the parser recurses into them."""
    depth, line, quote, comment, previous = 0, 1, "", False, "\n"
    for char in text:
        if char == "\n":
            line, comment = line + 1, False
        elif comment:
            pass
        elif quote:
            if char == quote:
                quote = ""
        elif char == "#" and previous in " \t\n":
            comment = True
        elif char in "'\"" and previous in " \t\n[{,:":   # a quote opens a scalar only at its start
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        previous = char
    return None


def _deepest_indent_line(text: str) -> int:
    lines = text.splitlines() or [""]
    indents = [len(line) - len(line.lstrip(" ")) for line in lines]
    return indents.index(max(indents)) + 1


def syntax_error(error: MarkedYAMLError, text: str, file: Path) -> SpecError:
    """A YAML syntax problem (bad indentation, duplicate key, tags, anchors …)."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    parts = [str(part).strip() for part in (error.context, error.problem) if part]
    message = "; ".join(parts) or type(error).__name__
    duplicate = re.match(r"Duplicate key '(.*)' found", str(error.problem or ""))
    if duplicate:
        message = f"duplicate key {duplicate.group(1)!r}"
    elif isinstance(error, sy.AnchorTokenDisallowed):
        message = "YAML anchors and aliases (&name, *name) are not allowed; quote the value"
    elif isinstance(error, sy.TagTokenDisallowed):
        message = "YAML tags (!!type) are not allowed; quote the value"
    elif "block" in message:
        message += " (check the indentation)"
    message = " ".join(message.split())
    return SpecError(message, file=file, line=line, key=key_path_at_line(text, line))


def validation_error(error: sy.YAMLValidationError, file: Path) -> SpecError:
    """A schema violation, placed with the strictyaml pointer of the offending chunk."""
    chunk = error._chunk  # strictyaml keeps the failing chunk here; its pointer is the path
    parts, line, target = _follow(chunk.whole_document, chunk.pointer._indices)
    context = " ".join(str(error.context or "").split())
    problem = " ".join(str(error.problem or "").split())
    message = _message(context, problem, target)
    required = re.match(r"required key\(s\) '(.*)' not found", problem)
    if required and "', '" not in required.group(1):
        parts = parts + [required.group(1)]
    return SpecError(message, file=file, line=line, key=".".join(parts))


def warn_at(chunk: Any, found: warnings.WarningMessage) -> None:
    """Emit again a warning that reading the value of strictyaml's ``chunk`` raised, placed at
    the spec file and line of that value and naming its key, instead of the line of specrun's
    code that read it.  The same warning raised again later in this process (the pattern
    compiled again by the generator or by a pandera check) is not repeated: it was said here."""
    parts, line, _ = _follow(chunk.whole_document, chunk.pointer._indices)
    key = ".".join(parts)
    text = str(found.message)
    warnings.warn_explicit(f"{key}: {text}" if key else text, found.category,
                           filename=str(chunk.label), lineno=line)
    if key:
        warnings.filterwarnings("ignore", message=re.escape(text) + r"\Z", category=found.category)


def _follow(document: Any, indices: list[tuple[str, Any]]) -> tuple[list[str], int, Any]:
    """Key path parts, line of the last key / item, and the value a pointer leads to."""
    node, parts, line = document, [], 1
    for kind, index in indices:
        if kind in ("val", "key") and isinstance(node, CommentedMap) and index[0] in node:
            line = node.lc.key(index[0])[0] + 1
            parts.append(str(index[0]))
            node = node[index[0]] if kind == "val" else index[0]
        elif kind == "index" and isinstance(node, CommentedSeq) and index < len(node):
            line = node.lc.item(index)[0] + 1
            parts.append(str(index))
            node = node[index]
        else:
            break
    return parts, line, node


def _message(context: str, problem: str, target: Any) -> str:
    if not context:
        return problem
    unexpected = re.match(r"unexpected key not in schema '(.*)'", problem)
    if unexpected:
        return f"unknown key {unexpected.group(1)!r}"
    required = re.match(r"required key\(s\) '(.*)' not found", problem)
    if required:
        keys = required.group(1).split("', '")
        return f"missing required key{'s' if len(keys) > 1 else ''} " + ", ".join(
            repr(key) for key in keys)
    many = re.match(r"expected a (maximum|minimum) of 1 key, found (\d+)", problem)
    if many:
        return f"expected exactly one key ({{name: parameters}}), found {many.group(2)}"
    if context.startswith("when expecting "):
        found = problem
        if isinstance(target, str) and problem.startswith("found ") and target.strip():
            shown = target.strip()
            found = f"found {shown if len(shown) <= 60 else shown[:57] + '...'!r}"
        expected = context[len("when expecting "):]
        expected = {"a str": "a single value", "a bool": "true or false"}.get(expected, expected)
        return f"expected {expected}, {found}"
    return f"{context}: {problem}"


def key_path_at_line(text: str, line: int) -> str:
    """Best-effort dotted key path of block-style ``key:`` lines enclosing ``line``."""
    stack: list[tuple[int, str]] = []
    lines = text.splitlines()
    for content in lines[:max(line - 1, 0)]:
        match = _BLOCK_KEY.match(content)
        if match:
            indent = len(match.group(1)) + len(match.group(2))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, match.group(3).strip().strip("'\"")))
    target = lines[line - 1] if 0 < line <= len(lines) else ""
    match = _BLOCK_KEY.match(target)
    if match:
        indent = len(match.group(1)) + len(match.group(2))
        stack = [entry for entry in stack if entry[0] < indent]
        stack.append((indent, match.group(3).strip().strip("'\"")))
    elif target.strip():
        indent = len(target) - len(target.lstrip())
        stack = [entry for entry in stack if entry[0] < indent]
    return ".".join(key for _, key in stack)
