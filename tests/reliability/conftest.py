"""Reliability fixtures: a fault-injecting reverse proxy in front of the shared moto server.

``FaultProxy`` listens on 127.0.0.1 (an ephemeral port) and forwards every request to
the moto server unchanged, unless told to answer some of them itself: with an S3
error (500 InternalError, 503 ServiceUnavailable, 503 SlowDown, 409 conflict, 403
AccessDenied), or by hanging without an answer until the test ends. Point an S3
client's ``endpoint_url`` (or ``AWS_ENDPOINT_URL_S3``) at ``proxy.url``.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

FAULTS: dict[str, tuple[int, str, str]] = {
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "503": (503, "ServiceUnavailable", "Service is unable to handle request."),
    "slowdown": (503, "SlowDown", "Please reduce your request rate."),
    "conflict": (
        409,
        "ConditionalRequestConflict",
        "A conflicting conditional operation is currently in progress against this resource.",
    ),
    "access-denied": (403, "AccessDenied", "Access Denied"),
}
HANG = "hang"
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "expect",
}


@dataclass(frozen=True)
class Seen:
    """One request the proxy received, and what it did with it."""

    method: str
    path: str
    status: int | None
    fault: str | None


class FaultProxy:
    """A threaded HTTP reverse proxy to ``upstream`` that fails requests on demand."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._planned: list[str] = []
        self._always: str | None = None
        self._methods: frozenset[str] = frozenset({"PUT"})
        self._release = threading.Event()
        self.seen: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"

    # ------------------------------------------------------------------ configuration

    def fail_first(self, count: int, fault: str, methods: tuple[str, ...] = ("PUT",)) -> None:
        """Answer the next ``count`` requests with these methods with ``fault``."""
        self._check(fault)
        with self._lock:
            self._planned = [fault] * count
            self._always = None
            self._methods = frozenset(methods)

    def fail_always(self, fault: str, methods: tuple[str, ...] = ("PUT",)) -> None:
        """Answer every request with these methods with ``fault`` (HANG: never answer)."""
        self._check(fault)
        with self._lock:
            self._planned = []
            self._always = fault
            self._methods = frozenset(methods)

    def count(self, method: str, *, faulted: bool | None = None) -> int:
        with self._lock:
            return sum(
                1
                for s in self.seen
                if s.method == method and (faulted is None or (s.fault is not None) == faulted)
            )

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @staticmethod
    def _check(fault: str) -> None:
        if fault != HANG and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {sorted(FAULTS)} and {HANG!r}")

    def _take_fault(self, method: str) -> str | None:
        with self._lock:
            if method not in self._methods:
                return None
            if self._always is not None:
                return self._always
            if self._planned:
                return self._planned.pop(0)
            return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    # ------------------------------------------------------------------ HTTP side

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _answer_fault(self, fault: str) -> None:
                status, code, message = FAULTS[fault]
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    f"<Error><Code>{code}</Code><Message>{message}</Message>"
                    "<RequestId>FAULTPROXY</RequestId><HostId>fault-proxy</HostId></Error>"
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _forward(self, body: bytes) -> None:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                headers["Content-Length"] = str(len(body))
                connection = http.client.HTTPConnection(*proxy._upstream, timeout=30)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                    # record before answering, so the client never sees an unrecorded reply
                    proxy._record(Seen(self.command, self.path, response.status, None))
                    self.send_response(response.status, response.reason)
                    for name, value in response.getheaders():
                        lowered = name.lower()
                        if lowered in _HOP_BY_HOP or lowered in (
                            "content-length",
                            "server",
                            "date",
                        ):
                            continue
                        self.send_header(name, value)
                    length = response.getheader("Content-Length")
                    if self.command == "HEAD":
                        self.send_header("Content-Length", length or "0")
                    else:
                        self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    connection.close()

            def _handle(self) -> None:
                body = self._read_body()
                fault = proxy._take_fault(self.command)
                if fault == HANG:
                    proxy._record(Seen(self.command, self.path, None, HANG))
                    proxy._release.wait(timeout=60)
                    self.close_connection = True
                    return
                if fault is not None:
                    proxy._record(Seen(self.command, self.path, FAULTS[fault][0], fault))
                    self._answer_fault(fault)
                    return
                self._forward(body)

        for verb in ("GET", "PUT", "HEAD", "POST", "DELETE"):
            setattr(Handler, f"do_{verb}", Handler._handle)
        return Handler


@pytest.fixture
def fault_proxy(moto_server: str) -> Iterator[FaultProxy]:
    """A fresh fault-injecting proxy in front of the shared moto server."""
    proxy = FaultProxy(moto_server)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Shrink botocore's standard-mode backoff to 1 ms per retry.

    Returns, per retry, the base scale botocore chose (1 s for throttling errors,
    0.05 s otherwise). The retry count and which errors are retried stay botocore's.
    """
    from botocore.retries import standard

    scales: list[float] = []

    def tiny(self: Any, context: Any) -> float:
        scales.append(self._get_base_scale(context))
        return 0.001

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", tiny)
    return scales
