"""arXiv identifiers, URLs and categories.

Everything here is pure string work with anchored, linear-time patterns.

Identifier grammar (https://info.arxiv.org/help/arxiv_identifier.html):

* new style ``YYMM.NNNN`` (0704 to 1412) and ``YYMM.NNNNN`` (from 1501), with a
  real month, optionally followed by ``vN``;
* old style ``archive/YYMMNNN`` or ``archive.SC/YYMMNNN`` (1991 to 2007) with a
  known archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: hosts whose ``/abs/`` and ``/pdf/`` pages are arXiv's own
ARXIV_HOSTS = frozenset(
    {"arxiv.org", "www.arxiv.org", "rss.arxiv.org", "export.arxiv.org", "browse.arxiv.org"}
)

_NEW_ID = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})")
_OLD_ID = re.compile(r"([a-z][a-z-]*)(\.[A-Za-z]{2})?/(\d{2})(\d{2})(\d{3})")
_VERSION = re.compile(r"v([1-9]\d{0,3})")
_URL = re.compile(r"(https?)://([^/\s?#]+)/(abs|pdf)/([^\s?#]+?)(\.pdf)?/?")
_ANNOUNCE = re.compile(r"arXiv:(\S+?)(?:v(\d+))? Announce Type: ([a-z-]+) {1,2}Abstract: ?")
_SUFFIX = re.compile(r"\s*\(arXiv:(\S+?)(?:v(\d+))? \[([^\]\s]+)\](?: (UPDATED|CROSS LISTED))?\)")

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
_SUFFIX_TYPES = {None: "new", "UPDATED": "replace", "CROSS LISTED": "cross"}


@dataclass(frozen=True, slots=True)
class Identifier:
    """A checked arXiv identifier (without version)."""

    id: str
    year: int
    month: int
    old_style: bool

    @property
    def doi(self) -> str:
        """arXiv's DataCite DOI for this paper (``10.48550/arXiv.ID``)."""
        return f"10.48550/arXiv.{self.id}"


@lru_cache(maxsize=1024)
def check_id(text: str) -> tuple[Identifier | None, str | None]:
    """Check a bare identifier (no version); return it or why it is malformed."""
    m = _NEW_ID.fullmatch(text)
    if m:
        yy, mm, num = int(m[1]), int(m[2]), m[3]
        if not 1 <= mm <= 12:
            return None, f"month {m[2]} is not a month"
        if (yy, mm) < (7, 4):
            return None, "new-style identifiers start in April 2007 (0704)"
        if yy <= 14 and len(num) != 4:
            return None, "identifiers before 2015 have a 4-digit number (YYMM.NNNN)"
        if yy >= 15 and len(num) != 5:
            return None, "identifiers from 2015 on have a 5-digit number (YYMM.NNNNN)"
        return Identifier(text, 2000 + yy, mm, False), None
    m = _OLD_ID.fullmatch(text)
    if m:
        archive, yy, mm = m[1], int(m[3]), int(m[4])
        if archive not in archives():
            return None, f"'{archive}' is not an arXiv archive"
        if not 1 <= mm <= 12:
            return None, f"month {m[4]} is not a month"
        year = 1900 + yy if yy >= 91 else 2000 + yy
        if year > 2007 or (year == 2007 and mm > 3):
            return None, "old-style identifiers end in March 2007"
        return Identifier(text, year, mm, True), None
    return None, "not of the form YYMM.NNNNN or archive/YYMMNNN"


def split_version(text: str) -> tuple[str, int | None]:
    """Split ``2403.15711v2`` into ``("2403.15711", 2)``; no version gives ``None``."""
    cut = text.rfind("v")
    if cut > 0:
        m = _VERSION.fullmatch(text, cut)
        if m and text[cut - 1].isdigit():
            return text[:cut], int(m[1])
    return text, None


@dataclass(frozen=True, slots=True)
class ArxivUrl:
    """The parts of an arXiv abstract or PDF URL."""

    scheme: str
    host: str
    kind: str
    raw_id: str
    version: int | None


@lru_cache(maxsize=1024)
def parse_url(url: str) -> ArxivUrl | None:
    """Parse ``http(s)://HOST/abs/ID[vN]``; ``None`` when it is not of that shape.

    The host is not checked here: see :data:`ARXIV_HOSTS`.
    """
    m = _URL.fullmatch(url)
    if not m:
        return None
    raw, version = split_version(m[4])
    return ArxivUrl(m[1], m[2].lower(), m[3], raw, version)


@dataclass(frozen=True, slots=True)
class Announce:
    """A new-feed abstract prefix ``arXiv:2403.15711v1 Announce Type: cross  Abstract:``."""

    raw_id: str
    version: int | None
    type: str
    length: int


def parse_announce(abstract: str) -> Announce | None:
    """Recognise the announce prefix at the start of an English abstract."""
    if not abstract.startswith("arXiv:"):
        return None
    m = _ANNOUNCE.match(abstract)
    if not m:
        return None
    return Announce(m[1], int(m[2]) if m[2] else None, m[3], m.end())


@dataclass(frozen=True, slots=True)
class TitleSuffix:
    """An old-feed title suffix ``(arXiv:2310.15719v1 [cs.LG] UPDATED)``."""

    raw_id: str
    version: int | None
    category: str
    announce_type: str
    start: int


def parse_title_suffix(title: str) -> TitleSuffix | None:
    """Find an old-feed suffix at the very end of ``title``."""
    if not title.endswith(")"):
        return None
    start = title.rfind("(arXiv:")
    if start < 0:
        return None
    # include the whitespace before the parenthesis in the suffix
    while start > 0 and title[start - 1].isspace():
        start -= 1
    m = _SUFFIX.fullmatch(title, start)
    if not m:
        return None
    version = int(m[2]) if m[2] else None
    return TitleSuffix(m[1], version, m[3], _SUFFIX_TYPES[m[4]], start)


def strip_table_suffix(title: str) -> str:
    """What the producer wrote in the table: the title cut before ``(arXiv``."""
    cut = title.find("(arXiv")
    if cut < 0:
        return title
    return title[:cut].rstrip()


@lru_cache(maxsize=1)
def categories() -> dict[str, tuple[str, bool]]:
    """The arXiv taxonomy: category -> (name, active)."""
    text = resources.files("digestconv.data").joinpath("categories.tsv").read_text("utf-8")
    out: dict[str, tuple[str, bool]] = {}
    for line in text.splitlines()[1:]:
        if line and not line.startswith("#"):
            cat, name, _archive, active = line.split("\t")
            out[cat] = (name, active == "1")
    return out


@lru_cache(maxsize=1)
def archives() -> frozenset[str]:
    """Archives that old-style identifiers can name (``hep-th``, ``math``, ...)."""
    text = resources.files("digestconv.data").joinpath("archives.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def abs_url(arxiv_id: str) -> str:
    """The canonical abstract-page URL of an identifier."""
    return f"https://arxiv.org/abs/{arxiv_id}"
