"""Hypothesis strategies that mutate real digests (seeds and corpus) the way a hostile user would.

A mutant is a real file with one to six mutations applied in turn: byte flips,
control and bidi characters, CR/CRLF/BOM line ends, deleted, duplicated and
swapped lines, truncation, brackets and pipes, suppression comments, LaTeX
specials, and huge or odd numbers.  Every draw is a small integer or a choice,
so Hypothesis shrinks a finding to the fewest, smallest mutations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
CORPUS = ROOT / "tests" / "fixtures" / "corpus"


@cache
def sources() -> tuple[tuple[str, bytes], ...]:
    """Every seed and corpus digest: (name, bytes), smallest first (they shrink best)."""
    paths = sorted(SEEDS.glob("*.txt")) + sorted(p for p in CORPUS.glob("*.md") if p.stem.isdigit())
    found = [(p.name, p.read_bytes()) for p in paths]
    return tuple(sorted(found, key=lambda item: (len(item[1]), item[0])))


#: control, format and bidi characters, line and paragraph separators, odd spaces
CONTROLS = (
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\xa0",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c",
    "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029",
    "\u3000", "\ufeff", "\ufffd", "\ufffe", "\U0001f600", "\t", "\r",
)  # fmt: skip
#: markdown structure: brackets, pipes, footnote markers, code, emphasis
BRACKETS = (
    "|", "\\|", "[", "]", "(", ")", "[^", "](", ")[", "[^1]", "[^1]:", "`", "**", "<", ">",
    "&", "&amp;", "<!--", "-->", "# ", "#", "| --- |", "||", "[](", "<br>", "\\",
)  # fmt: skip
#: LaTeX that BibTeX writers must escape or keep balanced
LATEX = (
    "$\\mathbf\\{A}$", "$\\mathbb{Z}_2$", "{", "}", "}{", "\\", "\\\\", "%", "&", "#", "_",
    "^", "~", "$", "$$", "@", "\\begin{", "\\end{document}", "\\'e", '\\"o', "{\\em x}",
    "\\url{", "@comment{", "@misc{x,", "\\}", "\\{",
)  # fmt: skip
#: suppression comments, well-formed and not
SUPPRESSIONS = (
    "<!-- digestconv: ignore[abstract-truncated] -->",
    "<!-- digestconv: ignore[DC301, DC302] -->",
    "<!-- digestconv: ignore -->",
    "<!-- digestconv: ignore[] -->",
    "<!-- digestconv: ignore[no-such-rule] -->",
    "<!-- digestconv: ignore-file[title-mismatch] -->",
    "<!-- digestconv: ignore-file -->",
    "<!-- digestconv: ignore[DC201 -->",
    "<!-- digestconv: ignore[title-mismatch] --> trailing",
    "<!-- a comment -->",
    "<!--",
)
#: numbers that overflow, underflow or are merely odd
NUMBERS = ("0", "00", "-1", "9" * 13, "1" * 4301, "9" * 5000, "1e9", "٣", "²", "1.5", "")

_DIGITS = re.compile(rb"[0-9]+")


def _line_bounds(data: bytes) -> list[tuple[int, int]]:
    out, start = [], 0
    for end in [m.start() for m in re.finditer(b"\n", data)] + [len(data)]:
        out.append((start, end))
        start = end + 1
    return out


Mutation = Callable[[st.DrawFn, bytes], bytes]


def _position(draw: st.DrawFn, data: bytes) -> int:
    """A byte offset: usually at the end of a line or after indentation, sometimes anywhere."""
    if not data:
        return 0
    lines = _line_bounds(data)
    start, end = lines[draw(st.integers(0, len(lines) - 1))]
    where = draw(st.sampled_from(("end", "start", "indent", "any")))
    if where == "end":
        return end
    if where == "start":
        return start
    if where == "indent":
        line = data[start:end]
        return start + (len(line) - len(line.lstrip(b" \t")))
    return draw(st.integers(start, end))


def _insert(pool: tuple[str, ...]) -> Mutation:
    def mutate(draw: st.DrawFn, data: bytes) -> bytes:
        text = draw(st.sampled_from(pool)).encode("utf-8", "surrogatepass")
        at = _position(draw, data)
        return data[:at] + text + data[at:]

    return mutate


def flip_byte(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]


def line_ends(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(("crlf", "cr", "bom", "double-bom", "some-crlf", "no-final")))
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "cr":
        return data.replace(b"\n", b"\r")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "double-bom":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + data
    if kind == "no-final":
        return data.rstrip(b"\n")
    lines = data.split(b"\n")
    step = draw(st.integers(2, 7))
    return b"\n".join(line + b"\r" if i % step == 0 else line for i, line in enumerate(lines))


def _pick_line(draw: st.DrawFn, lines: list[bytes]) -> int:
    return draw(st.integers(0, max(len(lines) - 1, 0)))


def delete_lines(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = _pick_line(draw, lines)
    count = draw(st.integers(1, 14))
    return b"\n".join(lines[:at] + lines[at + count :])


def duplicate_lines(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = _pick_line(draw, lines)
    count = draw(st.integers(1, 16))
    return b"\n".join(lines[: at + count] + lines[at : at + count] + lines[at + count :])


def swap_lines(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.split(b"\n")
    a, b = _pick_line(draw, lines), _pick_line(draw, lines)
    lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def suppression_line(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = _pick_line(draw, lines)
    comment = draw(st.sampled_from(SUPPRESSIONS)).encode()
    if draw(st.booleans()):
        lines.insert(at, comment)
    else:
        lines[at] = lines[at].rstrip(b" ") + b" " + comment
    return b"\n".join(lines)


def huge_number(draw: st.DrawFn, data: bytes) -> bytes:
    runs = list(_DIGITS.finditer(data))
    if not runs:
        return data
    m = runs[draw(st.integers(0, len(runs) - 1))]
    number = draw(st.sampled_from(NUMBERS)).encode("utf-8")
    return data[: m.start()] + number + data[m.end() :]


MUTATIONS: tuple[Mutation, ...] = (
    flip_byte,
    _insert(CONTROLS),
    line_ends,
    delete_lines,
    duplicate_lines,
    swap_lines,
    truncate,
    _insert(BRACKETS),
    suppression_line,
    _insert(LATEX),
    huge_number,
)


@st.composite
def mutants(draw: st.DrawFn, max_mutations: int = 6) -> tuple[str, bytes]:
    """A real digest with one to ``max_mutations`` mutations: (source name, bytes)."""
    name, data = draw(st.sampled_from(sources()))
    for _ in range(draw(st.integers(1, max_mutations))):
        data = draw(st.sampled_from(MUTATIONS))(draw, data)
    return name, data
