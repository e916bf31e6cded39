"""``s3://bucket/key`` URIs and safe local paths for object keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from .errors import SourceError

SCHEME = "s3://"


@dataclass(frozen=True)
class S3Uri:
    """A bucket and a key; a key that is empty or ends with ``/`` names a prefix."""

    bucket: str
    key: str = ""

    @classmethod
    def parse(cls, text: str) -> S3Uri:
        """Parse ``s3://bucket[/key]``; anything else is a permanent :class:`SourceError`."""
        if not text.startswith(SCHEME):
            raise SourceError(text, "not an s3:// URI", permanent=True)
        bucket, _, key = text[len(SCHEME):].partition("/")
        if not bucket:
            raise SourceError(text, "the URI names no bucket", permanent=True)
        return cls(bucket, key)

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.key}"

    @property
    def is_prefix(self) -> bool:
        return self.key == "" or self.key.endswith("/")

    def as_prefix(self) -> S3Uri:
        """The same location read as a directory (``key/``)."""
        return self if self.is_prefix else S3Uri(self.bucket, self.key + "/")

    def child(self, key: str) -> S3Uri:
        """The URI of an object key in the same bucket."""
        return S3Uri(self.bucket, key)


def relative_key(base: S3Uri, key: str) -> str:
    """The part of ``key`` below the prefix ``base``, or its file name when ``base`` is that object."""
    if not base.is_prefix:
        if key != base.key:
            raise SourceError(str(base.child(key)), f"key is not {base}", permanent=True)
        return key.rpartition("/")[2]
    if not key.startswith(base.key):
        raise SourceError(str(base.child(key)), f"key is not under {base}", permanent=True)
    return key[len(base.key):]


def safe_relative_path(relative: str, uri: str) -> PurePosixPath:
    """A relative path that cannot escape the directory it is joined to.

    Keys with ``..`` or ``.`` segments, absolute keys, empty segments, back-slashes
    or NUL characters are rejected with a permanent :class:`SourceError` naming ``uri``.
    """
    problem = None
    if not relative:
        problem = "empty object path"
    elif relative.startswith("/"):
        problem = "absolute object path"
    elif "\\" in relative or "\x00" in relative:
        problem = "back-slash or NUL in object path"
    else:
        parts = relative.split("/")
        if parts[-1] == "":
            parts = parts[:-1]
        if any(part in ("", ".", "..") for part in parts):
            problem = "object path with '..', '.' or empty segments would escape the cache directory"
    if problem:
        raise SourceError(uri, f"{problem}: {relative!r}", permanent=True)
    return PurePosixPath(relative)
