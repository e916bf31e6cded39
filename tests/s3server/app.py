"""The test server's WSGI app: moto behind a request log, fault injection and a control API.

Control endpoints (JSON, under ``/_specrun/``; never logged, never faulted):

- ``GET /_specrun/health`` — 200 when the server answers;
- ``GET /_specrun/requests`` / ``DELETE /_specrun/requests`` — the request log
  (method, path, query, Range header, X-Amz-Target, status, body bytes sent);
- ``POST /_specrun/faults`` ``{"path": REGEX, "method": M?, "target": REGEX?, "kind": K,
  "count": N}`` — the next N requests whose path (and X-Amz-Target) match fail with kind ``internal`` (500),
  ``slowdown`` (503 SlowDown), ``throttle`` (Throttling), ``access_denied`` (403),
  ``truncate`` (half the body, then the connection drops) or ``stall`` (half the body,
  then silence for ``stall_s`` seconds, then the connection drops);
  ``DELETE /_specrun/faults`` clears them;
- ``POST /_specrun/pipeline-execution-steps`` ``{"PipelineExecutionArn", "Steps"}`` —
  seeds the steps ``ListPipelineExecutionSteps`` returns (see ``sagemaker_steps``).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from .sagemaker_steps import seed_steps

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CONTROL_PREFIX = "/_specrun/"
FAULT_KINDS: dict[str, tuple[int, str]] = {
    "internal": (500, "InternalError"),
    "slowdown": (503, "SlowDown"),
    "throttle": (400, "Throttling"),
    "access_denied": (403, "AccessDenied"),
    "truncate": (0, ""),
    "stall": (0, ""),
}


@dataclass
class LoggedRequest:
    """One request the server received, as the tests see it."""

    method: str
    path: str
    query: str
    range: str | None
    target: str | None
    status: int = 0
    bytes_sent: int = 0
    fault: str | None = None


@dataclass
class Fault:
    """A failure to inject into the next ``count`` matching requests."""

    path: str
    kind: str
    count: int = 1
    method: str | None = None
    target: str | None = None     # regex on X-Amz-Target (JSON APIs all use path "/")
    stall_s: float = 30.0
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {sorted(FAULT_KINDS)}")
        self.pattern = re.compile(self.path)

    def matches(self, method: str, path: str, target: str | None) -> bool:
        return (self.count > 0 and (self.method is None or self.method == method)
                and self.pattern.search(path) is not None
                and (self.target is None or re.search(self.target, target or "") is not None))


class InstrumentedApp:
    """Wraps moto's WSGI app with the request log, the faults and the control API."""

    def __init__(self, moto_app: WSGIApp) -> None:
        self.moto_app = moto_app
        self.lock = threading.Lock()
        self.log: list[LoggedRequest] = []
        self.faults: list[Fault] = []

    # -- control API ---------------------------------------------------------
    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        name = path[len(CONTROL_PREFIX):].strip("/")
        try:
            body = self._read_json(environ)
            if name == "health":
                payload: Any = {"ok": True}
            elif name == "requests" and method == "GET":
                with self.lock:
                    payload = [asdict(r) for r in self.log]
            elif name == "requests" and method == "DELETE":
                with self.lock:
                    self.log.clear()
                payload = {"ok": True}
            elif name == "faults" and method == "POST":
                fault = Fault(**body)
                with self.lock:
                    self.faults.append(fault)
                payload = {"ok": True}
            elif name == "faults" and method == "DELETE":
                with self.lock:
                    self.faults.clear()
                payload = {"ok": True}
            elif name == "pipeline-execution-steps" and method == "POST":
                payload = {"count": seed_steps(body["PipelineExecutionArn"], body["Steps"])}
            else:
                return self._reply(start_response, 404, {"error": f"no control endpoint {method} {path}"})
        except Exception as exc:  # a test's mistake: tell it, keep serving
            return self._reply(start_response, 400, {"error": f"{type(exc).__name__}: {exc}"})
        return self._reply(start_response, 200, payload)

    @staticmethod
    def _read_json(environ: dict[str, Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        return json.loads(raw) if raw else {}

    @staticmethod
    def _reply(start_response: Callable[..., Any], status: int, payload: Any) -> list[bytes]:
        data = json.dumps(payload).encode()
        start_response(f"{status} X", [("Content-Type", "application/json"),
                                       ("Content-Length", str(len(data)))])
        return [data]

    # -- faults --------------------------------------------------------------
    def _take_fault(self, method: str, path: str, target: str | None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path, target):
                    fault.count -= 1
                    return fault
        return None

    @staticmethod
    def _error_response(environ: dict[str, Any], start_response: Callable[..., Any],
                        fault: Fault) -> tuple[int, list[bytes]]:
        status, code = FAULT_KINDS[fault.kind]
        message = f"injected {fault.kind}"
        if environ.get("HTTP_X_AMZ_TARGET"):
            code = "ThrottlingException" if fault.kind == "throttle" else code
            body = json.dumps({"__type": code, "message": message}).encode()
            ctype = "application/x-amz-json-1.1"
        elif environ["REQUEST_METHOD"] == "HEAD":
            body, ctype = b"", "application/xml"
        else:
            body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                    f"<Message>{message}</Message><RequestId>specrun</RequestId></Error>").encode()
            ctype = "application/xml"
        start_response(f"{status} X", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return status, [body]

    @staticmethod
    def _broken_body(environ: dict[str, Any], body: bytes, fault: Fault,
                     entry: LoggedRequest) -> Iterator[bytes]:
        half = body[: max(1, len(body) // 2)]
        entry.bytes_sent += len(half)
        yield half
        if fault.kind == "stall":
            time.sleep(fault.stall_s)
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise ConnectionAbortedError(f"injected {fault.kind}")

    # -- WSGI ----------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._control(environ, start_response)
        entry = LoggedRequest(method=method, path=path, query=environ.get("QUERY_STRING", ""),
                              range=environ.get("HTTP_RANGE"), target=environ.get("HTTP_X_AMZ_TARGET"))
        with self.lock:
            self.log.append(entry)
        fault = self._take_fault(method, path, entry.target)
        if fault is not None:
            entry.fault = fault.kind
        if fault is not None and fault.kind not in ("truncate", "stall"):
            entry.status, body = self._error_response(environ, start_response, fault)
            entry.bytes_sent = sum(map(len, body))
            return body

        def recording_start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            entry.status = int(status.split()[0])
            return start_response(status, headers, *exc)

        result = self.moto_app(environ, recording_start_response)
        if fault is not None:
            try:
                body = b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()
            return self._broken_body(environ, body, fault, entry)
        return self._counting(result, entry)

    @staticmethod
    def _counting(result: Iterable[bytes], entry: LoggedRequest) -> Iterator[bytes]:
        try:
            for chunk in result:
                entry.bytes_sent += len(chunk)
                yield chunk
        finally:
            getattr(result, "close", lambda: None)()
