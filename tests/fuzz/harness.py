"""Run one input through every command and check each output with its real consumer.

:func:`check` writes the bytes to a file in a fresh folder and drives, in-process
through the library API and the typer ``CliRunner``:

- ``parse`` (JSON that ``json.loads`` reads, one document);
- ``validate`` in every output format: text, json (``json.loads``), github,
  sarif (jsonschema with the SARIF 2.1.0 schema), junit (lxml);
- ``to`` in every format, twice: BibTeX (bibtexparser v2 and pybtex, one entry
  per written paper), CSL-JSON (the CSL schema), RSS and Atom (feedparser,
  ``bozo == 0``; Atom also the RFC 4287 RELAX NG schema), OPML (listparser), and
  markdown (digestconv's own reader: no error);
- ``fmt`` twice, in the library and in place on the file.

It asserts: no exception and no "internal error"; exit codes in {0, 1} (the
file exists and every option is valid, so 2, usage or I/O, is a finding);
byte-identical output for the same input; fmt idempotent, content-preserving
and never adding findings.  A finding raises :class:`AssertionError` naming the
command and what broke.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from digestconv.api import check as run_rules
from digestconv.cli import app
from digestconv.fmt import format_digest
from digestconv.model import ENTRY_FIELDS, Digest
from digestconv.reader import read

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
REPORT_FORMATS = ("text", "json", "github", "sarif", "junit")
TO_FORMATS = ("bibtex", "csl-json", "rss", "atom", "opml", "markdown")
#: what fmt must keep: every contract field but where a paper sits
CONTENT = tuple(f for f in ENTRY_FIELDS if f not in ("ref", "line", "end_line"))
#: the environment every run gets (no colour, no pinned date, no format override)
ENV: dict[str, str | None] = {
    "SOURCE_DATE_EPOCH": None,
    "DIGESTCONV_OUTPUT_FORMAT": None,
    "FORCE_COLOR": None,
    "NO_COLOR": "1",
    "CI": "1",
}


@dataclass
class Counts:
    """What a fuzz run did: inputs, command runs, and outcomes."""

    inputs: int = 0
    runs: int = 0
    exits: Counter[str] = field(default_factory=Counter)
    fmt: Counter[str] = field(default_factory=Counter)
    papers_written: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line for the closing report."""
        exits = ", ".join(f"{k}={v}" for k, v in sorted(self.exits.items()))
        fmts = ", ".join(f"{k}={v}" for k, v in sorted(self.fmt.items()))
        known = ", ".join(f"{k.rsplit('::', 1)[-1]}={v}" for k, v in sorted(self.known.items()))
        return (
            f"{self.inputs} inputs, {self.runs} command runs ({exits}); fmt: {fmts}; "
            f"{self.papers_written} papers written; known findings: {known or 'none'}"
        )


COUNTS = Counts()


class Finding(AssertionError):
    """A broken guarantee: the message names the command and the evidence."""


@dataclass(frozen=True)
class Known:
    """A finding whose fix is not on main yet, pinned by a named xfail regression test.

    The fuzz property lets exactly these through (and counts them) so the suite
    stays green; when the fix lands, the strict xfail test passes, fails the
    suite, and both the mark and this entry go.
    """

    owner: str
    test: str
    message: re.Pattern[str]
    applies: Callable[[bytes], bool]

    def matches(self, finding: Exception, data: bytes) -> bool:
        """Whether ``finding`` on input ``data`` is this known one."""
        return bool(self.message.search(str(finding))) and self.applies(data)


KNOWN: tuple[Known, ...] = ()


def known(finding: Exception, data: bytes) -> Known | None:
    """The :data:`KNOWN` entry ``finding`` is, if any."""
    return next((k for k in KNOWN if k.matches(finding, data)), None)


def expect(condition: object, command: str, what: str) -> None:
    """Raise :class:`Finding` unless ``condition`` holds."""
    if not condition:
        raise Finding(f"{command}: {what}")


# --- the real consumers ----------------------------------------------------------------


@cache
def _sarif() -> Any:
    from jsonschema.validators import validator_for

    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    return validator_for(schema)(schema)


@cache
def _csl() -> Any:
    from jsonschema import Draft7Validator

    return Draft7Validator(json.loads((DATA / "csl-data.json").read_text("utf-8")))


@cache
def _atom_rng() -> Any:
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))


def _xml(data: bytes, command: str) -> Any:
    from lxml import etree

    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise Finding(f"{command}: not well-formed XML: {exc}") from None


def check_report(fmt: str, out: bytes) -> None:
    """``validate -f fmt`` output, read by its consumer."""
    command = f"validate -f {fmt}"
    text = out.decode("utf-8")  # UnicodeDecodeError is a finding too
    if fmt == "json":
        expect(isinstance(json.loads(text), list), command, "not a JSON array")
    elif fmt == "sarif":
        errors = sorted(_sarif().iter_errors(json.loads(text)), key=str)
        expect(not errors, command, f"SARIF schema: {errors[:1]}")
    elif fmt == "junit":
        expect(_xml(out, command).tag == "testsuites", command, "root is not <testsuites>")
    elif fmt == "github":
        for line in text.splitlines():
            if line.startswith("::"):
                expect("\r" not in line, command, "CR inside an annotation")


def _bibtex_entries(text: str, papers: int) -> None:
    import bibtexparser
    from pybtex.database import parse_string

    library = bibtexparser.parse_string(text)
    expect(
        not library.failed_blocks,
        "to bibtex",
        f"bibtexparser v2 failed blocks: {[b.error for b in library.failed_blocks[:2]]}",
    )
    expect(len(library.entries) == papers, "to bibtex", f"{len(library.entries)} of {papers}")
    try:
        data = parse_string(text, "bibtex")
    except Exception as exc:
        raise Finding(f"to bibtex: pybtex: {type(exc).__name__}: {exc}") from None
    expect(len(data.entries) == papers, "to bibtex", "pybtex entry count")


def check_converted(fmt: str, out: bytes, papers: int) -> None:
    """``to fmt`` output, read by its consumer; ``papers`` were written.

    A markdown output validates with no error, also when the input's
    suppression comments let papers with errors through (it carries them).
    """
    command = f"to {fmt}"
    if fmt == "bibtex":
        _bibtex_entries(out.decode("utf-8"), papers)
    elif fmt == "csl-json":
        items = json.loads(out.decode("utf-8"))
        errors = sorted(_csl().iter_errors(items), key=str)
        expect(not errors, command, f"CSL schema: {errors[:1]}")
        expect(len(items) == papers, command, f"{len(items)} items of {papers}")
    elif fmt in ("rss", "atom"):
        import feedparser

        feed = feedparser.parse(out)
        expect(not feed.bozo, command, f"feedparser bozo: {feed.get('bozo_exception')!r}")
        expect(len(feed.entries) == papers, command, f"{len(feed.entries)} entries of {papers}")
        if fmt == "atom":
            rng = _atom_rng()
            expect(rng.validate(_xml(out, command)), command, f"RELAX NG: {rng.error_log}")
    elif fmt == "opml":
        import listparser

        result = listparser.parse(out)
        expect(not result.bozo, command, f"listparser bozo: {result.get('bozo_exception')!r}")
        _xml(out, command)
    elif fmt == "markdown":
        digest = read(out, "out.md")
        errors = [d for d in run_rules([digest]) if d.severity == "error"]
        expect(not errors, command, f"output does not validate: {errors[:2]}")
        expect(len(digest.papers) == papers, command, f"{len(digest.papers)} of {papers}")


# --- driving the commands ----------------------------------------------------------------


def content(digest: Digest) -> list[tuple[object, ...]]:
    """What fmt must keep, per paper, in order.

    A block without a Chinese summary paragraph takes its table row's summary
    (fmt writes it into the block, as documented), so that is the content.
    """
    out = []
    for paper in digest.papers:
        row = paper.source.row
        fields = {f: getattr(paper, f) for f in CONTENT}
        if fields["summary_zh"] is None and row is not None and row.summary:
            fields["summary_zh"] = row.summary
        out.append(tuple(fields.values()))
    return out


def findings(data: bytes | str) -> Counter[str]:
    """Every rule's findings on one file, by code."""
    return Counter(d.code for d in run_rules([read(data, "x.md")]))


def _invoke(runner: CliRunner, args: list[str]) -> tuple[int, bytes, str]:
    result = runner.invoke(app, args, env=ENV, catch_exceptions=True)
    command = " ".join(a for a in args if not a.startswith(tempfile.gettempdir()))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        raise Finding(f"{command}: raised {type(exc).__name__}: {exc}") from exc
    COUNTS.runs += 1
    COUNTS.exits[str(result.exit_code)] += 1
    expect("internal error" not in result.stderr, command, result.stderr[-300:])
    expect("Traceback" not in result.stderr, command, "a traceback reached the user")
    expect(result.exit_code in (0, 1), command, f"exit {result.exit_code}: {result.stderr[-300:]}")
    return result.exit_code, result.stdout_bytes, result.stderr


def check_fmt(data: bytes) -> None:
    """The library's fmt: idempotent, content kept, no new findings."""
    result = format_digest(data, "x.md")
    again = format_digest(data, "x.md")
    expect(result == again, "fmt", "not deterministic")
    if result.text is None:
        COUNTS.fmt["refused"] += 1
        COUNTS.refusals[re.sub(r"line \d+: |'[^']*'|\d+", "", result.reason or "")[:60]] += 1
        expect(result.reason, "fmt", "refused without a reason")
        return
    COUNTS.fmt["changed" if result.changed else "unchanged"] += 1
    if not result.changed:
        return
    twice = format_digest(result.text.encode("utf-8"), "x.md")
    expect(twice.text == result.text, "fmt", f"not idempotent: {twice.reason}")
    expect(
        content(read(result.text, "x.md")) == content(read(data, "x.md")),
        "fmt",
        "content changed",
    )
    added = findings(result.text) - findings(data)
    expect(not added, "fmt", f"added findings {dict(added)}")


def check(data: bytes) -> None:
    """Every command on ``data``; raises :class:`Finding` on a broken guarantee.

    An exception escaping the library (not through the command line) is a
    finding too.
    """
    try:
        _check(data)
    except Finding:
        raise
    except Exception as exc:
        raise Finding(f"library: raised {type(exc).__name__}: {exc}"[:500]) from exc


def _check(data: bytes) -> None:
    COUNTS.inputs += 1
    runner = CliRunner()
    with tempfile.TemporaryDirectory(prefix="digestconv-fuzz-") as folder:
        path = Path(folder) / "x.md"
        path.write_bytes(data)
        target = str(path)
        # parse: JSON, one document, the same twice
        code, out, err = _invoke(runner, ["parse", target])
        documents = json.loads(out.decode("utf-8"))
        if documents:
            expect(len(documents) == 1 and "entries" in documents[0], "parse", "not one document")
        else:  # no digest at all: left out, with validate's reason, exit 1
            said = (" DC001 not-a-digest " in err) or (" DC003 encoding " in err)
            expect(code == 1 and said, "parse", f"no document and no reason: {err[-300:]}")
        expect(_invoke(runner, ["parse", target])[1] == out, "parse", "not deterministic")
        # validate in every format
        for fmt in REPORT_FORMATS:
            code, out, _ = _invoke(runner, ["validate", "-f", fmt, target])
            check_report(fmt, out)
            if fmt == "json":
                again = _invoke(runner, ["validate", "-f", fmt, target])
                expect(again[:2] == (code, out), "validate", "not deterministic")
        # to, every format twice, and the library's conversion agrees
        from digestconv import formats
        from digestconv.conversion import convert

        for name in TO_FORMATS:
            fmt_obj = formats.find(name)
            assert fmt_obj is not None
            first = _invoke(runner, ["to", name, target])
            second = _invoke(runner, ["to", name, target])
            expect(first[:2] == second[:2], f"to {name}", "not deterministic")
            result = convert([target], fmt_obj, env={})
            expect(result.output == first[1], f"to {name}", "the library gives other bytes")
            check_converted(name, first[1], len(result.papers))
            COUNTS.papers_written += len(result.papers)
        # fmt twice: in the library, then in place through the command line
        check_fmt(data)
        _invoke(runner, ["fmt", "--check", target])
        _invoke(runner, ["fmt", target])
        once = path.read_bytes()
        _invoke(runner, ["fmt", target])
        expect(path.read_bytes() == once, "fmt", "a second run changed the file")
        expect(
            not (findings(once) - findings(data)),
            "fmt",
            "the rewritten file has new findings",
        )


def iter_crashers() -> Iterator[Path]:
    """Saved inputs that once broke a guarantee (``tests/fuzz/crashers``)."""
    folder = Path(__file__).parent / "crashers"
    yield from sorted(p for p in folder.iterdir() if p.is_file() and p.name != "README.md")
