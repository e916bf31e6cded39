"""boto3 clients for S3 and SageMaker, and how their failures become :class:`SourceError`.

Retries are botocore's own (``standard`` or ``adaptive`` mode): exponential backoff
with jitter, a bounded number of attempts, throttling / 5xx / connection errors
retried, client errors such as access denied or no such key not retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from .errors import SourceError

if TYPE_CHECKING:
    import boto3
    import botocore.config as boto_config
    import botocore.exceptions as bexc
else:
    boto3 = lazy_module("boto3")
    bexc = lazy_module("botocore.exceptions")
    boto_config = lazy_module("botocore.config")

# Client-error codes that are not worth retrying even if botocore let them through.
_PERMANENT_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "AllAccessDisabled", "403", "401",
    "NoSuchKey", "NoSuchBucket", "NotFound", "404", "ResourceNotFound", "ValidationException",
    "InvalidObjectState", "PreconditionFailed", "412", "InvalidRange", "416",
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "UnrecognizedClientException",
})


def _transient_exceptions() -> tuple[type[Exception], ...]:
    return (bexc.ConnectionError, bexc.HTTPClientError, bexc.ResponseStreamingError, bexc.IncompleteReadError)


def _credential_exceptions() -> tuple[type[Exception], ...]:
    return (bexc.NoCredentialsError, bexc.PartialCredentialsError, bexc.ProfileNotFound, bexc.NoRegionError)


@dataclass(frozen=True)
class S3Settings:
    """How to reach S3 and SageMaker: the normal boto3 credential chain plus these options.

    ``max_attempts`` counts every attempt, the first one included.
    """

    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    max_attempts: int = 5
    retry_mode: str = "standard"          # or "adaptive" (client-side rate limiting too)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    def botocore_config(self) -> boto_config.Config:
        return boto_config.Config(
            retries={"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )


DEFAULT_SETTINGS = S3Settings()


def make_clients(settings: S3Settings = DEFAULT_SETTINGS) -> tuple[Any, Any]:
    """``(s3, sagemaker)`` clients sharing one boto3 session and retry configuration."""
    where = settings.endpoint_url or "aws"
    try:
        session = boto3.session.Session(profile_name=settings.profile, region_name=settings.region)
        config = settings.botocore_config()
        kwargs = {"endpoint_url": settings.endpoint_url, "config": config}
        return session.client("s3", **kwargs), session.client("sagemaker", **kwargs)
    except _credential_exceptions() as exc:
        raise SourceError(where, f"cannot set up AWS clients: {exc}", permanent=True) from exc
    except ValueError as exc:   # a bad endpoint URL or retry mode
        raise SourceError(where, f"invalid S3 settings: {exc}", permanent=True) from exc


def error_code(exc: bexc.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_permanent(exc: BaseException) -> bool:
    """Whether retrying the call that raised ``exc`` cannot help."""
    if isinstance(exc, bexc.ClientError):
        code = error_code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _PERMANENT_CODES:
            return True
        return not (status >= 500 or status == 429 or "thrott" in code.lower()
                    or code in ("SlowDown", "RequestTimeout", "RequestLimitExceeded"))
    if isinstance(exc, _transient_exceptions()):
        return False
    return True


def source_error(uri: str, exc: BaseException) -> SourceError:
    """A :class:`SourceError` for ``exc`` raised while reading ``uri``."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, bexc.ClientError):
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message") or code
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        text = f"{code}: {message}" if message != code else code
        if attempts:
            text += f" (after {attempts + 1} attempts)"
        return SourceError(uri, text, permanent=is_permanent(exc))
    if isinstance(exc, _credential_exceptions()):
        return SourceError(uri, f"no usable AWS credentials: {exc}", permanent=True)
    return SourceError(uri, f"{type(exc).__name__}: {exc}", permanent=is_permanent(exc))


@contextmanager
def reading(uri: str) -> Iterator[None]:
    """Turn any boto3/botocore failure inside the block into a :class:`SourceError` for ``uri``."""
    try:
        yield
    except SourceError:
        raise
    except (bexc.BotoCoreError, bexc.ClientError) as exc:
        raise source_error(uri, exc) from exc


__all__ = ["S3Settings", "SourceError", "make_clients", "reading", "source_error", "is_permanent"]
