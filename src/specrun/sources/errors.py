"""The one error type of the sources layer."""

from __future__ import annotations


class SourceError(Exception):
    """Reading real data failed; names the URI, and whether trying again could help.

    ``permanent`` is true for failures that retrying cannot fix (access denied, no
    such key or bucket, a key escaping the cache directory, an unreadable format) and
    false for transient ones that outlived the retries (throttling, 5xx, connection).
    """

    def __init__(self, uri: str, message: str, permanent: bool) -> None:
        self.uri = uri
        self.message = message
        self.permanent = permanent
        super().__init__(f"{uri}: {message}")

    def __reduce__(self) -> tuple[type, tuple[str, str, bool]]:
        return (type(self), (self.uri, self.message, self.permanent))
