"""The LaTeX codec shared by the formats: math that every parser reads alike, pdflatex spelling."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pybtex.database
import pybtex.errors
import pytest
from hypothesis import given
from hypothesis import strategies as st

import digestconv
from digestconv.formats.base import Batch
from digestconv.formats.bibtex import BibTeX, normalise
from digestconv.latex import PDFLATEX_PRINTS, escape, tex_math, to_unicode, unescape
from digestconv.model import Paper
from tests.strategies import HOSTILE

ROOT = Path(__file__).resolve().parents[2]

#: hostile pieces for math: braces and backslashes in every combination
MATH_PIECES = [
    "$", "\\", "{", "}", "\\{", "\\}", "\\\\", "\\\\{", "\\\\}", "\\mathbf", "\\mathbf\\{A}",
    "A", " ", "x^2", "_i", "%", "\\%", "#", "&", "\\$", "\\alpha", "{\\bf x}", "\\'e", '\\"o',
]  # fmt: skip


def parse_everywhere(text: str) -> dict[str, str]:
    """The single entry's fields as bibtexparser v2 reads them; pybtex (strict) must agree."""
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert len(library.entries) == 1
    fields = {f.key: f.value for f in library.entries[0].fields}
    pybtex.errors.set_strict_mode(True)
    data = pybtex.database.parse_string(text, "bibtex")
    [entry] = data.entries.values()
    for name, value in entry.fields.items():
        if name.lower() != "month":
            assert str(value) == " ".join(fields[name.lower()].split()), name
    return fields


def test_regression_math_with_escaped_brace_after_a_command() -> None:
    # An abstract with $\mathbf\{A}$ (a brace escaped right after a command) used to end
    # the field early in bibtexparser v2: 0 entries, and digestconv's own reader failed.
    abstract = r"We bound $\mathbf\{A}$ and $\|x\|_{\infty}$, then $\\{a}$ and $b\\}$ too."
    paper = Paper(arxiv_id="2403.15711", title=r"On $\mathbf\{A}$ Bounds", abstract=abstract)
    text = BibTeX().write(Batch(papers=(paper,)))
    fields = parse_everywhere(text)
    assert unescape(fields["abstract"]) == abstract
    assert unescape(fields["title"]) == paper.title
    [back] = BibTeX().read(text)
    assert back.abstract == abstract and back.title == paper.title


@given(st.lists(st.sampled_from(MATH_PIECES + HOSTILE), max_size=30).map("".join))
def test_any_math_parses_everywhere_with_every_field_intact(text: str) -> None:
    text = normalise(text) or "x"
    paper = Paper(arxiv_id="2403.15711", title=text, abstract=text, summary_en=text)
    out = BibTeX().write(Batch(papers=(paper,)))
    fields = parse_everywhere(out)
    want = tex_math(text)
    assert [unescape(fields[name]) for name in ("title", "abstract", "userc")] == [want] * 3
    [back] = BibTeX().read(out)
    assert (back.title, back.abstract, back.summary_en) == (want, want, want)


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("Nguyễn", r"Nguy{\~{\^{e}{}}}n"),
        ("Trịnh", r"Tr{\d{i{}}}nh"),
        ("ḿ", r"{\'{m{}}}"),
        ("Ψ and Α", r"{$\Psi$} and {$\mathrm{A}$}"),
        ("Gödel, Łukasz, Dvořák", "Gödel, Łukasz, Dvořák"),  # pdflatex prints these
        ("Иван 张三", "Иван 张三"),  # no macro pdflatex prints: kept, nothing lost
    ],
)
def test_pdflatex_spelling(text: str, latex: str) -> None:
    assert escape(text, pdflatex=True) == latex
    assert unescape(latex) == text


@given(st.text(max_size=40))
def test_pdflatex_spelling_inverts(text: str) -> None:
    text = "".join(c for c in text if c.isprintable() and c not in "\r\n")
    for title in (False, True):
        assert unescape(escape(text, title=title, pdflatex=True)) == tex_math(text)


def test_pdflatex_prints_latin_and_not_vietnamese() -> None:
    assert all(PDFLATEX_PRINTS.match(c) for c in "éüßçøåłŁœ–—“”…")
    assert not any(PDFLATEX_PRINTS.match(c) for c in "ễịαИ张ą")


def test_to_unicode() -> None:
    assert to_unicode(r"Schr\"odinger at 50\% and $\alpha$") == "Schrödinger at 50% and α"
    assert to_unicode(r"Schr\"odinger at $\alpha + 1$") == r"Schrödinger at $\alpha + 1$"


def test_regression_real_digest_with_math_in_its_abstract(tmp_path: Path) -> None:
    # a real digest whose English abstract gains TeX math with escaped braces: the
    # converted file must parse in bibtexparser v2, pybtex and digestconv's reader
    text = (ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt").read_text("utf-8")
    needle = "Hence leveraging {seen} distribution shifts"
    assert needle in text
    # before the fix, bibtexparser ended the abstract at the "}" after "\\{" and lost
    # every later field (the Chinese title, summary and abstract)
    math = r"Hence leveraging $\mathbf{A}\\{\mathbf{x}}$ distribution shifts"
    digest = tmp_path / "digest.md"
    digest.write_text(text.replace(needle, math), encoding="utf-8")
    out = digestconv.convert([digest], "bibtex").output.decode("utf-8")
    library = bibtexparser.parse_string(out)
    assert not library.failed_blocks and len(library.entries) == 2
    pybtex.errors.set_strict_mode(True)
    assert len(pybtex.database.parse_string(out, "bibtex").entries) == 2
    [first, _] = BibTeX().read(out)
    assert first.abstract is not None and math in first.abstract
    [original, _] = digestconv.read(digest.read_bytes(), str(digest)).papers
    assert (first.title_zh, first.summary_zh, first.abstract_zh) == (
        original.title_zh,
        original.summary_zh,
        original.abstract_zh,
    )
