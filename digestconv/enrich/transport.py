"""One HTTP GET with an overall deadline: the only module that imports ``urllib.request``.

It is imported lazily (inside :func:`get`), so nothing pays for it unless a
request is made.  What it guarantees:

* ``https`` only; plain ``http`` is accepted for loopback hosts (a local
  mirror, the test server) and nothing else;
* a total deadline per request, status line, headers and body together,
  whatever the rate the server sends at: every read of the socket is bounded by
  the time left (a server trickling one byte a second is cut at the deadline,
  not after one socket timeout per byte), and a watchdog shuts the connection
  down at the deadline whatever the request is blocked in (a TLS handshake
  included);
* redirects are never followed here: a 3xx response is returned as it is, so
  the caller can check the target and pace the next request like any other;
* gzip responses are decompressed, with a size limit;
* proxies from the environment are used for ``https``, except for loopback
  hosts.

``clock`` is the clock ``deadline`` is read on (:func:`time.monotonic` by
default); a test can pass a fake one, and the deadline is then checked against
it before every read of the socket.

Failures raise :class:`TransportError` with a ``kind`` the retry policy reads:
``timeout``, ``reset``, ``connect`` (refused, DNS), ``redirect``,
``protocol`` or ``too-large``.
"""

from __future__ import annotations

import contextlib
import io
import threading
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
#: HTTP statuses that are redirects (returned to the caller, never followed here)
REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (a malformed port raises here)
    except ValueError as exc:
        raise ValueError(f"API URL {url!r} is malformed ({exc})") from None
    if not host:
        raise ValueError(f"API URL {url!r} has no host")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and host in LOOPBACK:
        return url
    raise ValueError(f"API URL {url!r} must use https (plain http only for a loopback host)")


def redirect_target(url: str, location: str | None) -> str:
    """Where a redirect from ``url`` to ``location`` leads, if it may be followed.

    Only the same host is allowed (``http`` to ``https`` included, never back);
    raises :class:`TransportError` (``redirect``) otherwise.
    """
    from urllib.parse import urljoin

    if not location or not location.strip():
        raise TransportError("redirect", "redirect without a Location header")
    target = urljoin(url, location.strip())
    origin, parts = urlsplit(url), urlsplit(target)
    if (parts.hostname or "").lower() != (origin.hostname or "").lower():
        raise TransportError("redirect", f"refused redirect to another host: {target}")
    if origin.scheme == "https" and parts.scheme != "https":
        raise TransportError("redirect", f"refused redirect from https to {parts.scheme}")
    try:
        check_endpoint(target)
    except ValueError as exc:
        raise TransportError("redirect", str(exc)) from None
    return target


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


class _Guard:
    """The deadline of one request: checked before every read, enforced by a watchdog."""

    def __init__(self, deadline: float, clock: Callable[[], float], read_timeout: float) -> None:
        self.deadline = deadline
        self.clock = clock
        self.read_timeout = read_timeout
        self.expired = False
        self._timer: threading.Timer | None = None
        self._dup: Any = None
        self._lock = threading.Lock()
        #: sockets to close when the request is over
        self.sockets: list[Any] = []

    def left(self) -> float:
        """Seconds left; raises :class:`TransportError` (``timeout``) when none are."""
        left = self.deadline - self.clock()
        if left <= 0 or self.expired:
            self.expired = True
            raise TransportError("timeout", "the request's deadline passed")
        return left

    def arm(self, sock: Any) -> Any:
        """Shut ``sock`` down when the deadline passes, whatever blocks on it."""
        with self._lock:
            self._dup = sock.dup()  # a shutdown through the copy wakes every user of the socket
            self._timer = threading.Timer(max(self.deadline - self.clock(), 0.0), self._fire)
            self._timer.daemon = True
            self._timer.start()
        return sock

    def _fire(self) -> None:
        import socket

        with self._lock:
            self.expired = True
            if self._dup is not None:
                with contextlib.suppress(OSError):
                    self._dup.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Stop the watchdog and close the request's sockets."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.close()
            self.sockets.clear()
            if self._dup is not None:
                self._dup.close()
                self._dup = None


class _Reader(io.RawIOBase):
    """The receiving side of a guarded socket: each read bounded by the time left."""

    def __init__(self, sock: Any, guard: _Guard) -> None:
        super().__init__()
        self._sock = sock
        self._guard = guard

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(min(self._guard.read_timeout, self._guard.left()))
        n = int(self._sock.recv_into(buffer))
        if self._guard.expired:
            raise TransportError("timeout", "the request's deadline passed")
        return n


class _GuardedSocket:
    """What ``http.client`` sees as its socket: sends and reads checked against the deadline."""

    def __init__(self, sock: Any, guard: _Guard) -> None:
        self._sock = sock
        self._guard = guard

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(min(self._guard.read_timeout, self._guard.left()))
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_Reader(self._sock, self._guard), 8192)

    def close(self) -> None:
        """Left open: the response may still be reading; :meth:`_Guard.close` closes it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _connection(url: str, guard: _Guard, connect_timeout: float) -> tuple[Any, str]:
    """An unopened ``http.client`` connection for ``url`` and the request target."""
    import http.client
    import socket

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https"
    base: type[Any] = http.client.HTTPSConnection if secure else http.client.HTTPConnection

    class Guarded(base):  # type: ignore[misc,valid-type]
        def connect(self) -> None:
            super().connect()
            guard.sockets.append(self.sock)
            self.sock = _GuardedSocket(self.sock, guard)

    def create(address: Any, timeout: Any = None, source: Any = None) -> Any:
        sock = socket.create_connection(address, min(connect_timeout, guard.left()), source)
        guard.sockets.append(sock)
        return guard.arm(sock)

    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    proxy = _proxy(host) if secure else None
    kwargs: dict[str, Any] = {"timeout": connect_timeout}
    if secure:
        import ssl

        kwargs["context"] = ssl.create_default_context()
    if proxy is not None:
        conn = Guarded(proxy[0], proxy[1], **kwargs)
        conn.set_tunnel(parts.hostname, parts.port or 443)
    else:
        conn = Guarded(parts.hostname, parts.port, **kwargs)
    conn._create_connection = create
    return conn, target


def _proxy(host: str) -> tuple[str, int] | None:
    """The ``https`` proxy from the environment for ``host`` (none for loopback)."""
    if host in LOOPBACK:
        return None
    import urllib.request

    proxy = urllib.request.getproxies().get("https")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or 8080


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

    Any HTTP status is returned as a :class:`Response`, redirects included;
    only a missing or incomplete response raises :class:`TransportError`.  No
    single read waits longer than ``connect_timeout``.
    """
    import http.client

    check_endpoint(url)
    host = (urlsplit(url).hostname or "").lower()
    guard = _Guard(deadline, clock, connect_timeout)
    guard.left()
    conn, target = _connection(url, guard, connect_timeout)
    phase = "connect"
    try:
        conn.connect()
        phase = "request"
        conn.putrequest("GET", target, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.putheader("Accept-Encoding", "gzip")
        conn.putheader("Connection", "close")
        conn.endheaders()
        response = conn.getresponse()
        status = int(response.status)
        head = {k.lower(): v for k, v in response.getheaders()}
        declared = head.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise TransportError("too-large", f"response larger than {max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = response.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise TransportError("too-large", f"response larger than {max_bytes} bytes")
            chunks.append(chunk)
    except TransportError:
        raise
    except Exception as exc:
        if guard.expired:
            raise TransportError("timeout", "the request's deadline passed") from None
        if isinstance(exc, TimeoutError):  # socket.timeout too
            raise TransportError("timeout", f"timed out ({phase})") from None
        if phase == "connect" and isinstance(exc, OSError):  # ssl.SSLError too
            why = getattr(exc, "strerror", None) or exc
            raise TransportError("connect", f"cannot connect to {host}: {why}") from None
        if isinstance(
            exc,
            (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError),
        ):
            raise TransportError("reset", f"connection reset ({type(exc).__name__})") from None
        if isinstance(exc, http.client.HTTPException):
            raise TransportError("protocol", f"malformed HTTP response ({exc!r})") from None
        if isinstance(exc, OSError):
            raise TransportError("reset", f"connection failed: {type(exc).__name__}") from None
        raise
    finally:
        guard.close()
        conn.close()
    body = b"".join(chunks)
    if head.get("content-encoding", "").strip().lower() in ("gzip", "x-gzip", "deflate"):
        body = _decompress(body, max_bytes)
    return Response(status, body, head, url)
