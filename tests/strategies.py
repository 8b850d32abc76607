"""Hypothesis strategies for papers and digests with hostile text."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

from digestconv.enrich.record import ArxivRecord, Author
from digestconv.model import Paper

#: fragments that break naive writers of every format
HOSTILE = [
    "{",
    "}",
    "\\",
    "%",
    "&",
    "$",
    "#",
    "_",
    "~",
    "^",
    "@",
    '"',
    "'",
    "<",
    ">",
    "{unbalanced",
    "closing}",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#0;",
    "\\emph{x}",
    "$O(n^2)$",
    "$\\alpha$",
    "深度学习",
    "数据。",
    "😀",
    "e\u0301",
    "\u200b",
    "\u3000",
    "\xa0",
    "\t",
    "|",
    "[^1]",
    "](",
    "(arXiv:",
    "--",
    "</br>",
    "\u0007",
    "\u0008",
]

_alphabet = st.characters(
    blacklist_categories=("Cs",),  # no lone surrogates: not encodable as UTF-8
    blacklist_characters="\n\r",
)


def one_line(
    min_size: int = 0, max_size: int = 80, controls: bool = True
) -> st.SearchStrategy[str]:
    """A single line of text mixing hostile fragments and arbitrary characters.

    ``controls=False`` leaves out C0/C1 control characters.
    """
    pieces = st.lists(
        st.one_of(st.sampled_from(HOSTILE), st.text(_alphabet, max_size=12)),
        min_size=0,
        max_size=max_size // 4 or 1,
    ).map("".join)
    text = pieces.filter(lambda s: min_size <= len(s))
    if not controls:
        text = text.map(
            lambda s: "".join(
                c for c in s if not (ord(c) < 32 and c != "\t") and not 0x7F <= ord(c) <= 0x9F
            )
        )
    return text


def clean(text: str) -> str | None:
    """What a one-line field becomes after reading: outer spaces/tabs stripped, '' -> None."""
    text = text.strip(" \t")
    return text or None


@st.composite
def arxiv_ids(draw: st.DrawFn) -> str:
    """Valid arXiv identifiers, new and old style."""
    if draw(st.booleans()):
        year = draw(st.integers(7, 26))
        month = draw(st.integers(4 if year == 7 else 1, 12))
        digits = 4 if year <= 14 else 5
        number = draw(st.integers(1, 10**digits - 1))
        return f"{year:02d}{month:02d}.{number:0{digits}d}"
    archive = draw(st.sampled_from(["hep-th", "math", "cs", "astro-ph", "cond-mat", "quant-ph"]))
    year = draw(st.sampled_from([91, 95, 99, 0, 3, 6]))
    month = draw(st.integers(1, 12))
    return f"{archive}/{year:02d}{month:02d}{draw(st.integers(1, 999)):03d}"


@st.composite
def papers(draw: st.DrawFn, controls: bool = True, long_abstracts: bool = True) -> Paper:
    """Papers with every contract field filled from hostile text.

    Strings are already in read-back form (stripped, never empty), so a writer
    and reader that lose nothing give back an equal paper.
    """
    arxiv_id = draw(arxiv_ids())
    version = draw(st.none() | st.integers(1, 9))
    scheme_host = draw(
        st.sampled_from(["https://arxiv.org", "http://arxiv.org", "https://rss.arxiv.org"])
    )

    def field(min_size: int = 1, max_size: int = 80) -> str | None:
        return draw(st.none() | one_line(min_size, max_size, controls).map(clean))

    abstract_size = 10_000 if long_abstracts else 400
    abstract = draw(
        st.none()
        | one_line(1, 200, controls).map(clean)
        | st.text(_alphabet, min_size=1, max_size=abstract_size).map(clean)
    )
    return Paper(
        ref=draw(st.integers(1, 500)),
        arxiv_id=arxiv_id,
        version=version,
        url=f"{scheme_host}/abs/{arxiv_id}",
        title=draw(one_line(1, 120, controls).map(clean).filter(bool)),
        title_zh=field(),
        summary_zh=field(),
        summary_en=field(),
        abstract=abstract,
        abstract_zh=field(max_size=200),
        announce_type=draw(
            st.none() | st.sampled_from(["new", "cross", "replace", "replace-cross"])
        ),
        primary_category=draw(
            st.none() | st.sampled_from(["cs.LG", "stat.ML", "hep-th", "q-fin.ST"])
        ),
        abstract_truncated=draw(st.booleans()),
        translation_truncated=draw(st.booleans()),
    )


def unique_papers(
    min_size: int = 1, max_size: int = 8, **kw: bool
) -> st.SearchStrategy[list[Paper]]:
    """Lists of papers with distinct identifiers and refs 1..n."""
    return st.lists(
        papers(**kw), min_size=min_size, max_size=max_size, unique_by=lambda p: p.arxiv_id
    )


# ---------------------------------------------------------------- arXiv metadata

#: real author names from an arXiv API response (tests/data/PROVENANCE.md)
REAL_NAMES: list[str] = json.loads(
    (Path(__file__).parent / "data" / "arxiv-author-names.json").read_text("utf-8")
)["names"]

_PARTICLES = {"van", "der", "de", "la", "von", "del", "della", "da", "mac", "ter", "dem", "di"}
_SUFFIXES = {"i", "ii", "iii", "iv", "v", "jr", "sr", "jr.", "sr."}


def split_name(name: str) -> Author:
    """An author from a written name, by arXiv's rules (last token is the family name,
    particles before it join it, a generational suffix is split off, collaborations and
    one-token names are literal)."""
    tokens = name.split()
    if len(tokens) < 2 or any(t.lower() in ("collaboration", "group", "team") for t in tokens):
        return Author(literal=name)
    suffix = None
    if tokens[-1].lower() in _SUFFIXES and len(tokens) > 2:
        suffix = tokens.pop()
    family = [tokens.pop()]
    while len(tokens) > 1 and tokens[-1].lower() in _PARTICLES and len(family) < 3:
        family.insert(0, tokens.pop())
    return Author(family=" ".join(family), given=" ".join(tokens), suffix=suffix)


#: names that break naive writers: particles, suffixes, collaborations, CJK, accents,
#: letters pdflatex cannot print, commas and "and" inside a name part
HARD_AUTHORS: tuple[Author, ...] = (
    Author("van der Berg", "Jan"),
    Author("de la Cruz", "María José"),
    Author("King", "Martin Luther", "Jr."),
    Author("Gates", "William Henry", "III"),
    Author(literal="ATLAS Collaboration"),
    Author(literal="The LIGO Scientific Collaboration and the Virgo Collaboration"),
    Author(literal="张三"),
    Author("王", "小明"),
    Author("Nguyễn", "Văn Ánh"),
    Author("Trịnh", "Thị Hồng"),
    Author("Παπαδόπουλος", "Γιώργος"),
    Author("Иванов", "Иван"),
    Author("Müller-Lüdenscheidt", "Jörg"),
    Author("Łukasiewicz", "Jan"),
    Author("Wąs", "Agnieszka"),
    Author("O'Neil", "Cathy"),
    Author("Smith, Jr", "Adam"),
    Author("Black and White", "Jack"),
    Author("d'Alembert", "Jean le Rond"),
    Author("Ng", "Andrew Y."),
    Author("Rao", "C. R."),
    Author("Hölder {Braces}", "Otto 50% & $x$"),
)


@st.composite
def authors(draw: st.DrawFn) -> Author:
    """A real name from arXiv, a hard one, or hostile parts."""
    kind = draw(st.integers(0, 4))
    if kind <= 1:
        return split_name(draw(st.sampled_from(REAL_NAMES)))
    if kind == 2:
        return draw(st.sampled_from(HARD_AUTHORS))
    family = draw(one_line(1, 30, controls=False).map(clean))
    given = draw(st.none() | one_line(1, 30, controls=False).map(clean))
    if family is None:
        return Author(literal=given or "Anonymous")
    return Author(family, given, draw(st.none() | st.sampled_from(["Jr.", "III", "Sr"])))


@st.composite
def records_for(draw: st.DrawFn, paper: Paper) -> ArxivRecord:
    """arXiv's record of ``paper``: its abstract continued, or another text; hostile values."""
    assert paper.arxiv_id is not None
    abstract = paper.abstract or ""
    if draw(st.booleans()):
        abstract = abstract + draw(st.text(_alphabet, max_size=200))
    else:
        abstract = draw(one_line(1, 200, controls=False))
    year = draw(st.integers(1991, 2030))
    published = (
        f"{year:04d}-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}T12:00:00Z"
    )
    return ArxivRecord(
        arxiv_id=paper.arxiv_id,
        version=draw(st.integers(1, 9)),
        title=draw(st.sampled_from([paper.title or "x"]) | one_line(1, 80, controls=False)),
        abstract=abstract,
        authors=tuple(draw(st.lists(authors(), max_size=6))),
        published=published,
        updated=published,
        categories=tuple(
            draw(st.lists(st.sampled_from(["cs.LG", "stat.ML", "hep-th", "math.ST"]), max_size=3))
        ),
        comment=draw(st.none() | one_line(1, 60)),
        journal_ref=draw(st.none() | one_line(1, 60)),
        doi=draw(st.none() | st.sampled_from(["10.1103/PhysRevD.1.1", "10.1007/s00220-024-1"])),
    )


@st.composite
def enriched_batches(
    draw: st.DrawFn, **kw: bool
) -> tuple[tuple[Paper, ...], dict[str, ArxivRecord]]:
    """Papers with distinct identifiers and records for some (or all) of them."""
    items = draw(unique_papers(**kw))
    records = {}
    for paper in items:
        if draw(st.integers(0, 3)) > 0:
            records[paper.arxiv_id] = draw(records_for(paper))
    return tuple(items), records
