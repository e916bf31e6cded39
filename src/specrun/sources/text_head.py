"""The head of a CSV / TSV / JSONL object: enough complete records, fetched by growing ranges.

Ranged reads start small and double until the (decompressed, for gzip) bytes hold
the header plus the records asked for, or the object ends.  The head is cut at a
record boundary — for CSV/TSV as the ``csv`` module parses it, so a quoted field
spanning lines is never split — and returned byte for byte as stored.
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass

from .ranged import RangedObject

FIRST_RANGE = 64 * 1024
MAX_RANGE = 8 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class TextHead:
    """Header (if any) plus ``records`` complete records, as stored (decompressed)."""

    data: bytes
    records: int
    gzip: bool
    whole_object: bool     # the object ended before enough records were found


def _complete_lines(buffer: bytes, at_eof: bool) -> list[bytes]:
    lines = buffer.splitlines(keepends=True)
    if lines and not at_eof and not lines[-1].endswith((b"\n", b"\r")):
        lines.pop()   # the last line continues in bytes not fetched yet
    return lines


def cut_records(buffer: bytes, fmt: str, records: int, at_eof: bool) -> tuple[int, int] | None:
    """``(byte_length, record_count)`` of the shortest prefix holding ``records`` records
    (plus the header for CSV/TSV), or ``None`` if ``buffer`` holds too few and more can come."""
    lines = _complete_lines(buffer, at_eof)
    if fmt == "jsonl":
        length = count = 0
        for line in lines:
            if count == records:
                break
            length += len(line)
            count += bool(line.strip())
        return (length, count) if count == records or at_eof else None
    delimiter = "\t" if fmt == "tsv" else ","
    texts = [line.decode("utf-8", errors="replace") for line in lines]
    reader = csv.reader(iter(texts), delimiter=delimiter)
    wanted = records + 1   # the header
    parsed = consumed = previous = 0
    try:
        for _ in reader:
            parsed += 1
            previous, consumed = consumed, reader.line_num
            if parsed == wanted:
                break
    except csv.Error:   # a quoted field continues past the bytes we have
        pass
    if parsed and consumed == len(lines) and not at_eof and _open_quote(texts[previous:consumed], delimiter):
        parsed, consumed = parsed - 1, previous   # the last record's quoted field goes on in bytes not fetched
    if parsed < wanted and not at_eof:
        return None
    return sum(len(line) for line in lines[:consumed]), max(parsed - 1, 0)


def _open_quote(texts: list[str], delimiter: str) -> bool:
    """Whether the record in ``texts`` ends inside a quoted field (the lenient reader
    would otherwise close it at the end of the buffer)."""
    try:
        list(csv.reader(iter(texts), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


class _GzipStream:
    """Incremental gunzip that continues into the next member of a multi-member file."""

    def __init__(self) -> None:
        self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)

    def feed(self, chunk: bytes) -> bytes:
        out = self.inflater.decompress(chunk)
        while self.inflater.eof and self.inflater.unused_data:
            rest = self.inflater.unused_data
            self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            out += self.inflater.decompress(rest)
        return out


def text_head(obj: RangedObject, fmt: str, records: int) -> TextHead:
    """Fetch growing ranges of ``obj`` until its head holds ``records`` records."""
    gunzip: _GzipStream | None = None
    buffer = b""
    position, step = 0, FIRST_RANGE
    while True:
        end = min(position + step, obj.size)
        chunk = obj.read_range(position, end) if end > position else b""
        if position == 0 and chunk.startswith(GZIP_MAGIC):
            gunzip = _GzipStream()
        position = end
        at_eof = position >= obj.size
        buffer += gunzip.feed(chunk) if gunzip is not None else chunk
        found = cut_records(buffer, fmt, records, at_eof)
        if found is not None:
            length, count = found
            return TextHead(buffer[:length], count, gunzip is not None, at_eof and length == len(buffer))
        step = min(step * 2, MAX_RANGE)
