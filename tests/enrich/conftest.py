"""A loopback server that answers like the arXiv API, and a fake clock.

:class:`ReplayServer` holds the entries of the recorded real API responses in
``tests/data/arxiv/`` (plus the synthesized ``seeds-api.xml`` for the seeds'
papers) and answers ``id_list`` queries from them: the entries it has for the
requested identifiers (matched by identifier, at most ``max_results``), in the
layout of the real 2026 responses, and an empty feed for unknown ones.
Scripted failures can be queued for the next requests: any status with any
body and headers, the recorded 400 error feed, an empty feed, a slow answer, a
connection reset mid-body, malformed XML, gzip, an off-host redirect.  Every
request is logged with its time, path and query, and User-Agent.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

DATA = Path(__file__).resolve().parents[1] / "data" / "arxiv"
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
RECORDED = (
    "arxiv-api-sample-100.xml",
    "arxiv-api-sample-10.xml",
    "arxiv-api-sample-oldid-astro-ph-0601001.xml",
    "arxiv-api-sample-classic-2016.xml",
    "seeds-api.xml",
)


def sample(name: str) -> bytes:
    """The bytes of one recorded response."""
    return (DATA / name).read_bytes()


def _key(entry_id: str) -> str:
    tail = entry_id.strip().split("/abs/", 1)[1]
    head, _, version = tail.rpartition("v")
    return head if version.isdigit() and head else tail


def load_entries() -> dict[str, etree._Element]:
    """Every entry of the recorded responses, by unversioned identifier."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    out: dict[str, etree._Element] = {}
    for name in RECORDED:
        root = etree.fromstring(sample(name), parser)
        for entry in root.iterfind(f"{{{ATOM}}}entry"):
            out.setdefault(_key(entry.findtext(f"{{{ATOM}}}id") or ""), entry)
    return out


@dataclass
class Logged:
    """One request as the server saw it."""

    time: float
    path: str
    user_agent: str
    ids: list[str]
    max_results: int | None
    headers: dict[str, str] = field(default_factory=dict)


Action = Callable[[BaseHTTPRequestHandler, "ReplayServer", list[str], int], None]


class ReplayServer:
    """The loopback arXiv API: see the module docstring."""

    def __init__(self) -> None:
        self.entries = load_entries()
        self.script: deque[Action] = deque()
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                ids = [i for i in ",".join(query.get("id_list", [""])).split(",") if i]
                try:
                    limit = int(query.get("max_results", ["10"])[0])
                except ValueError:
                    limit = 10
                with server._lock:
                    server.log.append(
                        Logged(
                            time.time(),
                            self.path,
                            self.headers.get("User-Agent", ""),
                            ids,
                            limit if "max_results" in query else None,
                            {k.lower(): v for k, v in self.headers.items()},
                        )
                    )
                    action = server.script.popleft() if server.script else answer
                action(self, server, ids, limit)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/query"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def feed(self, ids: list[str], limit: int) -> bytes:
        """A response in the 2026 layout with the entries held for ``ids``."""
        nsmap = {"opensearch": OPENSEARCH, "arxiv": ARXIV, None: ATOM}
        feed = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)
        joined = ",".join(ids)
        for tag, text in (
            ("id", "https://arxiv.org/api/replay"),
            ("title", f"arXiv Query: search_query=&id_list={joined}&start=0&max_results={limit}"),
            ("updated", "2026-11-29T00:00:00Z"),
        ):
            etree.SubElement(feed, f"{{{ATOM}}}{tag}").text = text
        etree.SubElement(
            feed,
            f"{{{ATOM}}}link",
            href=f"https://arxiv.org/api/query?search_query=&start=0&max_results={limit}"
            f"&id_list={joined}",
            type="application/atom+xml",
        )
        found = [self.entries[i] for i in ids if i in self.entries][:limit]
        for tag, text in (("itemsPerPage", limit), ("totalResults", len(found)), ("startIndex", 0)):
            etree.SubElement(feed, f"{{{OPENSEARCH}}}{tag}").text = str(text)
        for entry in found:
            feed.append(_copy(entry))
        etree.indent(feed, space="  ")
        return etree.tostring(feed, xml_declaration=True, encoding="UTF-8")

    # -- scripting -------------------------------------------------------------------------
    def then(self, *actions: Action) -> ReplayServer:
        """Queue actions for the next requests (later requests get normal answers)."""
        self.script.extend(actions)
        return self

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _copy(entry: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(entry))


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
) -> None:
    """Write one complete response."""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/atom+xml; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Connection", "close")
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(body)
    handler.close_connection = True


# -- actions -------------------------------------------------------------------------------
def answer(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """The normal answer: the held entries for the requested identifiers."""
    send(h, 200, s.feed(ids, limit))


def status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Action:
    """Answer with ``code`` (and an HTML-ish body unless given)."""

    def act(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
        payload = body or f"<html><body><h1>{code}</h1></body></html>".encode()
        send(h, code, payload, {"Content-Type": "text/html", **(headers or {})})

    return act


def error_400(bad: str) -> Action:
    """The recorded 400 error feed, naming ``bad`` instead of ``abc``."""

    def act(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
        body = sample("arxiv-api-sample-error-400.xml").replace(b"abc", bad.encode())
        send(h, 400, body)

    return act


def empty(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """The recorded empty feed."""
    send(h, 200, sample("arxiv-api-sample-empty.xml"))


def slow(seconds: float) -> Action:
    """Answer normally after ``seconds``."""

    def act(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
        time.sleep(seconds)
        with contextlib.suppress(OSError):  # the client gave up
            answer(h, s, ids, limit)

    return act


def reset_mid_body(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """Send the headers and half the body, then reset the connection."""
    body = s.feed(ids, limit)
    h.send_response(200)
    h.send_header("Content-Type", "application/atom+xml")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body[: len(body) // 2])
    h.wfile.flush()
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
    h.close_connection = True


def malformed(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """A 200 whose XML stops in the middle."""
    body = s.feed(ids, limit)
    send(h, 200, body[: len(body) // 2])


def gzipped(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """The normal answer, gzip-encoded."""
    send(h, 200, gzip.compress(s.feed(ids, limit), mtime=0), {"Content-Encoding": "gzip"})


def redirect_off_host(
    h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int
) -> None:
    """A redirect to another host."""
    send(h, 302, b"", {"Location": "https://example.org/api/query?" + h.path.split("?", 1)[-1]})


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture
def arxiv_server() -> Iterator[ReplayServer]:
    """A started replay server."""
    with ReplayServer() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, arxiv_server: ReplayServer) -> dict[str, str | None]:
    """The command's environment: the loopback API, a cache in the test's folder, and no
    offline or contact setting from the caller's."""
    return {
        "DIGESTCONV_ARXIV_API": arxiv_server.url,
        "DIGESTCONV_CACHE_DIR": str(tmp_path / "cache"),
        "DIGESTCONV_OFFLINE": None,
        "DIGESTCONV_CONTACT": None,
    }


class FakeClock:
    """A wall clock that only moves when slept on; records every sleep."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock."""
    return FakeClock()


# -- hostile actions -----------------------------------------------------------------------
def trickle(interval: float, where: str = "body", sent: list[int] | None = None) -> Action:
    """Send the normal answer one byte every ``interval`` seconds.

    ``where`` is ``"headers"`` (the status line and headers trickle, the body
    would follow at once) or ``"body"`` (headers at once, then the body
    trickles).  The bytes actually sent before the client hung up are appended
    to ``sent``.
    """

    def act(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
        body = s.feed(ids, limit)
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        slow = head if where == "headers" else body
        count = 0
        try:
            if where == "body":
                h.wfile.write(head)
                h.wfile.flush()
            for i in range(len(slow)):
                h.wfile.write(slow[i : i + 1])
                h.wfile.flush()
                count += 1
                time.sleep(interval)
            if where == "headers":
                h.wfile.write(body)
        except OSError:  # the client gave up
            pass
        finally:
            if sent is not None:
                sent.append(count)
        h.close_connection = True

    return act


def redirect_to_self(
    h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int
) -> None:
    """A redirect to the very same URL (a loop, if it keeps being answered so)."""
    send(h, 302, b"", {"Location": h.path})


class TickClock:
    """A clock that moves ``step`` seconds each time it is read (and when slept on)."""

    def __init__(self, step: float, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.step = step
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


def rewrite(transform: Callable[[bytes], bytes], code: int = 200) -> Action:
    """The normal answer, passed through ``transform`` (a lying or broken server)."""

    def act(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
        send(h, code, transform(s.feed(ids, limit)))

    return act


def set_element(tag: str, text: str, nth: int = 0) -> Callable[[bytes], bytes]:
    """A transform that sets the text of element ``tag`` (Atom or arXiv) of the ``nth`` entry."""

    def transform(body: bytes) -> bytes:
        root = etree.fromstring(body)
        ns = ARXIV if tag in ("doi", "comment", "journal_ref") else ATOM
        entry = root.findall(f"{{{ATOM}}}entry")[nth]
        found = entry.find(f"{{{ns}}}{tag}")
        if found is None:
            found = etree.SubElement(entry, f"{{{ns}}}{tag}")
        found.text = text
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    return transform


def swap_ids(body: bytes) -> bytes:
    """Exchange the ``<id>`` of the first two entries (each answers for the other)."""
    root = etree.fromstring(body)
    entries = root.findall(f"{{{ATOM}}}entry")
    a, b = (e.find(f"{{{ATOM}}}id") for e in entries[:2])
    assert a is not None and b is not None
    a.text, b.text = b.text, a.text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def answer_for(other: list[str]) -> Action:
    """Answer with the entries of ``other`` instead of the identifiers asked for."""

    def act(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
        send(h, 200, s.feed(other, len(other)))

    return act
