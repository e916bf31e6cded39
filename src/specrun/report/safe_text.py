"""Text a script wrote, made safe for a report: no script output can break a file or a terminal.

* :func:`xml_text` — what XML 1.0 allows: characters it forbids (NUL, ESC, VT, lone
  surrogates, U+FFFE/U+FFFF …) are shown as ``\\xNN`` / ``\\uNNNN`` escapes;
* :func:`visible` — for the terminal: control characters and escape sequences are
  shown (``\\x1b[2J``), never interpreted; newlines and tabs stay.
"""

from __future__ import annotations

import re

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates
_NOT_VISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by a visible escape."""
    return _NOT_XML.sub(_escape, text)


def visible(text: str) -> str:
    """``text`` with control characters (ESC, NUL, CR, C1 …) and surrogates shown as escapes."""
    return _NOT_VISIBLE.sub(_escape, text)


def shown(text: str) -> str:
    """``text`` for a rich console line: control characters made :func:`visible`, then rich
    markup escaped, so a script's ``[bold]`` or ``\\x1b]0;title\\x07`` is printed as written."""
    from rich.markup import escape

    return escape(visible(text))
