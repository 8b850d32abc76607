"""The run-scanning LaTeX codec writes what the per-character one wrote, in memory
linear in its output with a small constant.

The per-character codec (``latex_reference``) is the reference for every text except
those the run-scanning codec writes differently on purpose: math it pairs differently
(unbalanced dollars, ``$$``, ``\\(...\\)``, ``\\[...\\]``), Unicode inside math
(written as macros), and source LaTeX it now keeps (spaced accents, ``\\'\\i``,
``\\ss``, braced accents ``{\\"o}``), and, for the reader, the control symbols it reads
as one token (``\\\\``, ``\\~``; the per-character reader split them).  Those have
tests of their own in ``test_latex_tex.py``.
"""

from __future__ import annotations

import itertools
import re
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from digestconv import latex
from digestconv.formats.base import Batch
from digestconv.formats.bibtex import BibTeX
from digestconv.latex import encode, mathspans, tables
from digestconv.model import Paper
from digestconv.reader import read
from tests.formats import latex_reference as reference

ROOT = Path(__file__).resolve().parents[2]
FLAGS = list(itertools.product((False, True), repeat=3))  # title, ascii_only, pdflatex

#: pieces that exercise every branch: TeX specials, math, braces, backslash runs,
#: source accents (spaced too), Greek, Latin letters with one or more marks, CJK,
#: combining marks, every kind of white space, case oddities (titlecase, Roman numerals)
PIECES = [
    *"$\\{}&%#_~^",
    "$$", "\\\\", "\\{", "\\}", "\\\\{", "\\\\}", "\\$", "\\%", "\\&", "\\#", "\\_",
    "$x$", "$\\alpha$", "$\\mathbf{x}$", "$a_{i}$", "$x%$", "$\\$", "\\(", "\\)", "\\[", "\\]",
    "\\'e", '\\"o', "\\'{e}", "\\c{c}", "\\' c", '\\" o', "\\v{s}", "\\emph{x}", "\\ss",
    "a", "A", "word", "Word", "BERT", " ", "  ", "\t", "\xa0", "\u2009", "\u3000", "\u2028",
    "α", "ω", "Γ", "Θ", "ϵ", "Α", "Ρ", "é", "É", "ß", "Ø", "ł", "ı", "ễ", "Ḿ", "ą", "ǅ", "Ⅰ",
    "\u212b", "Иван", "张三", "深度学习", "😀", "e\u0301", "\u0301", "\u20dd", "∈", "≤", "ℝ",
]  # fmt: skip
TEXT = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=20).map("".join),
    st.text(max_size=60),
)


def _old_math(text: str) -> list[str]:
    tokens = reference._tokens(text, False, False)
    return [src for kind, src, _ in tokens if kind == reference._MATH]


def _new_math(text: str) -> list[str]:
    spans = mathspans._spans(text)
    return [text[spans[k] : spans[k + 1]] for k in range(0, len(spans), 2)]


def same_by_design(text: str) -> bool:
    """Whether the two codecs are meant to agree on ``text`` (see the module docstring)."""
    for m in re.finditer(r"\\", text):
        old, new = (
            reference._SOURCE_RE.match(text, m.start()),
            tables._SOURCE_RE.match(text, m.start()),
        )
        if (old and old[0]) != (new and new[0]):
            return False
    if tables._SOURCE_BRACED.search(text) or tables._SOURCE_DOUBLE.search(text):
        return False
    math = _new_math(text)
    return math == _old_math(text) and all(span.isascii() for span in math)


def reads_alike(value: str) -> bool:
    """Whether the two readers are meant to agree on ``value``: no backslash before a
    backslash or a tilde, the control symbols the per-character reader split in two."""
    return "\\\\" not in value and "\\~" not in value


def test_the_filter_keeps_most_texts_and_drops_each_deliberate_change() -> None:
    for changed in (
        "$ω$",
        "a $ b $ c $ d",
        "$x%$ and $y$",
        "$$x$$",
        r"\(x\)",
        r"\[x\]",
        r"Petojevi\' c",
        r"{\"o}",
        r"\ss",
        r"\'\i",
    ):
        assert not same_by_design(changed), changed
    for same in ("$x$", r"Schr\"odinger", "α and ω", r"\emph{x} {y}", "50% & $1"):
        assert same_by_design(same), same


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_escape_is_byte_identical_to_the_per_character_codec(text: str) -> None:
    assume(same_by_design(text))
    for title, ascii_only, pdflatex in FLAGS:
        assert latex.escape(text, title, ascii_only, pdflatex) == reference.escape(
            text, title, ascii_only, pdflatex
        ), (title, ascii_only, pdflatex)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_unescape_is_identical_to_the_per_character_codec(text: str) -> None:
    for title, ascii_only, pdflatex in FLAGS:
        written = reference.escape(text, title, ascii_only, pdflatex)
        if same_by_design(written) and "$$" not in written:
            assert latex.unescape(written) == reference.unescape(written)
    assume(same_by_design(text) and "$$" not in text and reads_alike(text))
    assert latex.unescape(text) == reference.unescape(text)


@pytest.mark.parametrize(
    "text",
    [
        "{" * 3000 + "x",  # every brace unpaired: the second pass
        "}" * 3000,
        "{a}" * 2000 + "{",
        "$" * 5000,
        "$a" * 3000,
        "\\" * 5001 + "$",
        "$" + "\\" * 5001 + "$",
        "$" + "{" * 2000 + "}" * 2000 + "$",
        "A&" * 3000,  # a title word longer than one chunk
        ("Wörd " * 3000) + "ΓΓ" * 2000,
    ],
)
def test_long_hostile_shapes_are_identical(text: str) -> None:
    for title, ascii_only, pdflatex in FLAGS:
        assert latex.escape(text, title, ascii_only, pdflatex) == reference.escape(
            text, title, ascii_only, pdflatex
        )
    assert latex.unescape(text) == reference.unescape(text)


@pytest.mark.parametrize(("greek", "ascii_only", "pdflatex"), FLAGS)
def test_every_character_the_run_pattern_passes_is_copied(
    greek: bool, ascii_only: bool, pdflatex: bool
) -> None:
    # every code point the fast path copies must be copied by the reference too
    scanner = encode._scanner(greek, ascii_only, pdflatex)
    copied = "".join(
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if not 0xD800 <= cp < 0xE000 and not chr(cp).isspace() and not scanner.match(chr(cp))
    )
    assert len(copied) > 1_000_000
    tokens = reference._tokens(copied, greek=greek, ascii_only=ascii_only, pdflatex=pdflatex)
    assert all(src == tex for _kind, src, tex in tokens)


@pytest.fixture(scope="module")
def corpus_text() -> str:
    """4 MB of the corpus's titles and abstracts, English and Chinese, repeated."""
    texts = []
    for path in sorted((ROOT / "tests" / "fixtures" / "corpus").glob("*.md"))[:20]:
        for paper in read(path.read_bytes(), path.name).papers:
            texts += [t for t in (paper.title, paper.abstract, paper.title_zh) if t]
    text = " ".join(texts)
    text = (text * (4_000_000 // len(text) + 1))[:4_000_000]
    assert "{" in text and "$" in text and "\\" in text and any(c.isupper() for c in text)
    return text


def _peak_per_character(fn: Callable[[], object], size: int) -> float:
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / size


@pytest.mark.parametrize(
    ("title", "ascii_only", "pdflatex", "size"),
    [
        (False, False, False, 4_000_000),
        (False, True, True, 4_000_000),
        # title words are objects of their own until joined: fewer characters, same bound
        (True, False, False, 2_000_000),
        (True, True, True, 2_000_000),
    ],
)
def test_memory_is_linear_with_a_small_constant(
    corpus_text: str, title: bool, ascii_only: bool, pdflatex: bool, size: int
) -> None:
    # the per-character codec held a tuple per character: about 85 bytes each
    text = corpus_text[:size]
    per_char = _peak_per_character(lambda: latex.escape(text, title, ascii_only, pdflatex), size)
    assert per_char < 8, f"{per_char:.1f} bytes per input character"


def test_bibtex_writer_memory_is_linear_with_a_small_constant(corpus_text: str) -> None:
    # a 60 MB title took 5.2 GB in the writer
    text = corpus_text[:2_000_000]
    batch = Batch(papers=(Paper(arxiv_id="2403.15711", title=text, abstract=text),))
    per_char = _peak_per_character(lambda: BibTeX().write(batch), 2 * len(text))
    assert per_char < 8, f"{per_char:.1f} bytes per input character"


@given(st.text(alphabet=st.sampled_from("$\\{}~-`'ab \u00e9\u4e2d\n"), max_size=40))
def test_the_quick_test_for_tex_asks_what_the_scan_pattern_asks(text: str) -> None:
    """``to_unicode`` returns a text unchanged when substring tests find nothing its
    scanning pattern could match: the two must agree on every text."""
    from digestconv.latex.decode import _TEXT_SCAN, _may_hold_tex

    assert _may_hold_tex(text) == (_TEXT_SCAN.search(text) is not None)


def test_printable_text_holds_nothing_strip_illegal_removes() -> None:
    """``strip_illegal`` returns a text ``isprintable`` accepts as it is: no code point
    of all Unicode that :data:`ILLEGAL` matches is printable."""
    from digestconv.text import ILLEGAL, strip_illegal

    every = "".join(map(chr, range(0x110000)))
    matched = [m.group() for m in ILLEGAL.finditer(every)]
    assert len(matched) > 2_000 and not any(ch.isprintable() for ch in matched)
    assert strip_illegal("a\x00b\u202ec\td\ne") == "abc\td\ne"
    assert strip_illegal("中文\u200b标题\ufffe") == "中文标题"
