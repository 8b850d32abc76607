"""Shared helpers for the rule tests: real digests, small edits, and running the rules.

Every failing case starts from a real digest (a seed or a corpus file) and
applies one small, visible string edit; positions are computed from the edited
text, never typed by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

import pytest

from digestconv import rules
from digestconv.api import check
from digestconv.model import Diagnostic, Digest
from digestconv.reader import read
from digestconv.rules import Rule
from digestconv.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
CORPUS = ROOT / "tests" / "fixtures" / "corpus"

#: new-feed digest: two papers, announce prefixes, truncated abstracts
SEED_000 = "000_20f5c0d8057fc2ad.txt"
#: mixed digest: rss.arxiv.org links, new prefixes and old-feed title suffixes
SEED_001 = "001_47dd8e642f9add4b.txt"
#: digest sharing arXiv:2402.04177 with seed 000
SEED_003 = "003_025763420b998cbe.txt"
#: an abstract page followed by scraped web-page chrome: not a digest
SEED_004 = "004_6a7442de060cbd81.txt"

#: rules that legitimately fire on unedited real digests
FIRES_ON_REAL_DATA = frozenset({"abstract-truncated", "translation-truncated", "duplicate-paper"})


@cache
def seed_bytes(name: str) -> bytes:
    """The bytes of seed file ``name``."""
    return (SEEDS / name).read_bytes()


def seed(name: str) -> str:
    """The text of seed file ``name``."""
    return seed_bytes(name).decode("utf-8")


@cache
def corpus(number: int) -> str:
    """The text of corpus file ``NNN.md``."""
    return (CORPUS / f"{number:03d}.md").read_text("utf-8")


def corpus_paths() -> list[Path]:
    """Every real digest of the corpus, in name order."""
    return sorted(p for p in CORPUS.glob("*.md") if p.stem.isdigit())


def _nth(text: str, needle: str, occurrence: int) -> int:
    index = -1
    for _ in range(occurrence):
        index = text.find(needle, index + 1)
        assert index >= 0, f"{needle!r} occurs fewer than {occurrence} times"
    return index


def edit(text: str, old: str, new: str, *, occurrence: int | None = None) -> str:
    """Replace one occurrence of ``old`` by ``new``.

    Without ``occurrence`` the text must hold ``old`` exactly once, so an edit
    never lands somewhere unexpected.
    """
    if occurrence is None:
        count = text.count(old)
        assert count == 1, f"{old!r} occurs {count} times; pass occurrence="
        occurrence = 1
    index = _nth(text, old, occurrence)
    return text[:index] + new + text[index + len(old) :]


def position(text: str, needle: str, *, occurrence: int = 1, offset: int = 0) -> tuple[int, int]:
    """1-based line and code-point column of ``needle`` (plus ``offset``) in ``text``."""
    index = _nth(text, needle, occurrence) + offset
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def line_of(text: str, needle: str, *, occurrence: int = 1) -> int:
    """1-based line of ``needle`` in ``text``."""
    return position(text, needle, occurrence=occurrence)[0]


def parse(data: str | bytes, path: str = "digest.md") -> Digest:
    """Read ``data`` (text is encoded as UTF-8 first, like a file on disk)."""
    return read(data.encode("utf-8") if isinstance(data, str) else data, path)


def run(
    data: str | bytes, path: str = "digest.md", settings: Settings | None = None
) -> list[Diagnostic]:
    """Every diagnostic of one file."""
    return check([parse(data, path)], settings or Settings())


def only(diagnostics: Sequence[Diagnostic], name: str) -> list[Diagnostic]:
    """The diagnostics of rule ``name``."""
    return [d for d in diagnostics if d.rule == name]


def fired(
    data: str | bytes, name: str, path: str = "digest.md", settings: Settings | None = None
) -> list[Diagnostic]:
    """The diagnostics of rule ``name`` on one file."""
    return only(run(data, path, settings), name)


def registered(name: str) -> Rule:
    """The registered rule called ``name``."""
    found = rules.get(name)
    assert found is not None, f"rule {name} is not registered"
    return found


def assert_diagnostic(
    diag: Diagnostic,
    name: str,
    line: int,
    column: int | None = None,
    *,
    says: Sequence[str] = (),
    path: str | None = None,
) -> None:
    """``diag`` is rule ``name`` at its default code and severity, at ``line:column``,
    with a message holding every fragment of ``says``."""
    rule = registered(name)
    assert (diag.code, diag.rule, diag.severity) == (rule.code, rule.name, rule.severity)
    assert diag.line == line, diag
    if column is not None:
        assert diag.column == column, diag
    assert (diag.end_line, diag.end_column) >= (diag.line, diag.column), diag
    for fragment in says:
        assert fragment in diag.message, (fragment, diag.message)
    if path is not None:
        assert diag.path == path


def assert_registered(name: str, code: str, severity: str, scope: str = "file") -> None:
    """Rule ``name`` is found by name and by code (any case) and has these properties."""
    rule = registered(name)
    assert rules.get(code) is rule
    assert rules.get(code.lower()) is rule
    assert rules.get(f"  {name.upper()}  ") is rule
    assert (rule.code, rule.name, rule.severity, rule.scope) == (code, name, severity, scope)
    assert rule in rules.all_rules()


def assert_ignorable(data: str | bytes, name: str, path: str = "digest.md") -> None:
    """Rule ``name`` fires on ``data``; ignoring it by name or code silences only it."""
    rule = registered(name)
    before = run(data, path)
    assert only(before, name), f"{name} does not fire"
    rest = [d for d in before if d.rule != name]
    for key in (name, rule.code, name.upper()):
        after = run(data, path, Settings(ignore=(key,)))
        assert not only(after, name), key
        if name != "unused-suppression":
            assert [d for d in after if d.rule != "unused-suppression"] == [
                d for d in rest if d.rule != "unused-suppression"
            ]
    # selecting the rule alone keeps it
    assert only(run(data, path, Settings(select=(name,))), name)


@lru_cache(maxsize=1)
def _real() -> tuple[Diagnostic, ...]:
    digests = [read(p.read_bytes(), str(p)) for p in corpus_paths()]
    digests += [read(seed_bytes(n), f"seeds/{n}") for n in (SEED_000, SEED_001, SEED_003)]
    return tuple(check(digests, Settings()))


@pytest.fixture(scope="session")
def real_diagnostics() -> tuple[Diagnostic, ...]:
    """Every diagnostic over all real digests (corpus and seeds 000, 001, 003), checked together."""
    return _real()
