"""One HTTP GET with an overall deadline: the only module that imports ``urllib.request``.

It is imported lazily (inside :func:`get`), so nothing pays for it unless a
request is made.  What it guarantees:

* ``https`` only; plain ``http`` is accepted for loopback hosts (a local
  mirror, the test server) and nothing else;
* an overall deadline per request: socket timeouts bound each read, not a
  whole response, so the body is read in chunks against the deadline;
* a redirect to another host is refused (``http`` to ``https`` on the same
  host is followed);
* gzip responses are decompressed, with a size limit;
* proxies from the environment are used, except for loopback hosts.

Failures raise :class:`TransportError` with a ``kind`` the retry policy reads:
``timeout``, ``reset``, ``connect`` (refused, DNS), ``redirect``,
``protocol`` or ``too-large``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .._version import __version__

#: arXiv's API endpoint
DEFAULT_API = "https://export.arxiv.org/api/query"
PROJECT_URL = "https://github.com/digestconv/digestconv"
#: a response body larger than this is refused (100 API entries are about 300 kB)
MAX_BYTES = 64 * 1024 * 1024
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class TransportError(Exception):
    """A request failed before a complete HTTP response arrived."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Response:
    """A complete HTTP response (any status); header names are lower case."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    url: str = ""


def user_agent(contact: str | None = None) -> str:
    """``digestconv/<version> (+<project URL>; mailto:<contact>)``."""
    extra = f"; mailto:{contact}" if contact else ""
    return f"digestconv/{__version__} (+{PROJECT_URL}{extra})"


def check_endpoint(url: str) -> str:
    """Return ``url`` if requests may go there; raise ``ValueError`` with the reason."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"API URL {url!r} has no host")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and host in LOOPBACK:
        return url
    raise ValueError(f"API URL {url!r} must use https (plain http only for a loopback host)")


def _decompress(body: bytes, limit: int) -> bytes:
    import zlib

    inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise TransportError("protocol", f"bad gzip body: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise TransportError("too-large", f"decompressed body larger than {limit} bytes")
    return out


def get(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    deadline: float,
    connect_timeout: float = 10.0,
    max_bytes: int = MAX_BYTES,
    clock: Callable[[], float] = time.monotonic,
) -> Response:
    """GET ``url`` and return the complete response, by ``deadline`` (a ``clock`` time).

    Any HTTP status is returned as a :class:`Response`; only a missing or
    incomplete response raises :class:`TransportError`.
    """
    import http.client
    import socket
    import urllib.error
    import urllib.request

    check_endpoint(url)
    origin = urlsplit(url)
    host = (origin.hostname or "").lower()

    class NoOffHostRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, hdrs: Any, newurl: str
        ) -> Any:
            target = urlsplit(newurl)
            if (target.hostname or "").lower() != host or target.scheme not in ("http", "https"):
                raise TransportError("redirect", f"refused redirect to another host: {newurl}")
            try:
                check_endpoint(newurl)
            except ValueError as exc:
                raise TransportError("redirect", str(exc)) from None
            return super().redirect_request(req, fp, code, msg, hdrs, newurl)

    handlers: list[Any] = [NoOffHostRedirect()]
    if host in LOOPBACK:
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, method="GET")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    request.add_header("Accept-Encoding", "gzip")

    def remaining() -> float:
        left = deadline - clock()
        if left <= 0:
            raise TransportError("timeout", "the request's deadline passed")
        return left

    try:
        try:
            handle = opener.open(request, timeout=min(connect_timeout, remaining()))
        except urllib.error.HTTPError as exc:
            handle = exc  # a complete HTTP error response: read its body below
        with handle:
            status = int(getattr(handle, "status", None) or handle.getcode())
            head = {k.lower(): v for k, v in handle.headers.items()}
            sock = _socket_of(handle)
            chunks: list[bytes] = []
            size = 0
            while True:
                left = remaining()
                if sock is not None:
                    try:
                        sock.settimeout(min(left, connect_timeout))
                    except OSError:  # closed: the body is complete
                        sock = None
                chunk = handle.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise TransportError("too-large", f"response larger than {max_bytes} bytes")
                chunks.append(chunk)
            final_url = handle.geturl() or url
    except TransportError:
        raise
    except TimeoutError as exc:
        raise TransportError("timeout", f"timed out ({exc})") from None
    except (
        http.client.IncompleteRead,
        ConnectionResetError,
        http.client.RemoteDisconnected,
    ) as exc:
        raise TransportError("reset", f"connection reset ({type(exc).__name__})") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TransportError):
            raise reason from None
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise TransportError("timeout", "connection timed out") from None
        if isinstance(reason, ConnectionResetError):
            raise TransportError("reset", "connection reset") from None
        why = getattr(reason, "strerror", None) or reason
        raise TransportError("connect", f"cannot connect to {host}: {why}") from None
    except (http.client.HTTPException, ConnectionError, OSError) as exc:
        raise TransportError("reset", f"connection failed: {type(exc).__name__}: {exc}") from None
    body = b"".join(chunks)
    if head.get("content-encoding", "").strip().lower() in ("gzip", "x-gzip", "deflate"):
        body = _decompress(body, max_bytes)
    return Response(status, body, head, final_url)


def _socket_of(handle: Any) -> Any:
    """The socket under an ``http.client`` response, to bound each read (best effort)."""
    fp = getattr(handle, "fp", None)
    for _ in range(4):
        if fp is None:
            return None
        sock = getattr(fp, "_sock", None)
        if sock is not None and hasattr(sock, "settimeout"):
            return sock
        fp = getattr(fp, "raw", None) or getattr(fp, "fp", None)
    return None
