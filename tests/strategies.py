"""Hypothesis strategies for papers and digests with hostile text."""

from __future__ import annotations

from hypothesis import strategies as st

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
