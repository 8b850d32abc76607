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

from .data import read_text
from .model import _fast_frozen

#: hosts whose ``/abs/`` and ``/pdf/`` pages are arXiv's own
ARXIV_HOSTS = frozenset(
    {"arxiv.org", "www.arxiv.org", "rss.arxiv.org", "export.arxiv.org", "browse.arxiv.org"}
)

_NEW_ID = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})")
_OLD_ID = re.compile(r"([a-z][a-z-]*)(\.[A-Za-z]{2})?/(\d{2})(\d{2})(\d{3})")
_VERSION = re.compile(r"v([1-9]\d*)")
_URL = re.compile(r"(https?)://([^/\s?#]+)/(abs|pdf)/([^\s?#]+)")
_ANNOUNCE = re.compile(r"arXiv:(\S+?)(?:v(\d+))? Announce Type: ([a-z-]+) {1,2}Abstract: ?")
#: the old-feed title suffix, exactly: `` (arXiv:IDvN [cat])``, optionally with
#: `` UPDATED`` or `` CROSS LISTED`` before the ``)``, at the very end of the title
#: (``vN`` may be missing: digestconv writes no version it does not know)
_SUFFIX = re.compile(
    r"\(arXiv:([^\s\[\]()]+?)(?:v(\d+))? \[([^\]\s]+)\](?: (UPDATED|CROSS LISTED))?\)"
)
_SUFFIX_OPEN = "(arXiv:"

#: the largest version number ``vN`` digestconv reads or writes; a larger one is
#: reported (``id-malformed``) and never converted to an integer.  Shared by the
#: identifier parser, the digest reader and every format's reader and writer.
MAX_VERSION = 9999
_MAX_VERSION_DIGITS = len(str(MAX_VERSION))


def parse_version(digits: str) -> int | None:
    """The number written as ``digits`` (ASCII), or ``None`` above :data:`MAX_VERSION`.

    Safe on any length: a number with more significant digits than the limit is
    never converted (Python refuses to convert strings of more than 4,300 digits).
    """
    if len(digits) > _MAX_VERSION_DIGITS:
        digits = digits.lstrip("0") or "0"
        if len(digits) > _MAX_VERSION_DIGITS:
            return None
    value = int(digits)
    return value if value <= MAX_VERSION else None


def version_from_text(text: str | None) -> int | None:
    """A version field read from another format: ASCII digits up to :data:`MAX_VERSION`.

    ``None`` when absent, not a number, or above the limit (never an exception).
    """
    if text is None:
        return None
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        return None
    return parse_version(text)


ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
_SUFFIX_TYPES = {None: "new", "UPDATED": "replace", "CROSS LISTED": "cross"}


@_fast_frozen
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


#: new-style identifiers that :func:`check_id` surely accepts, found without its work:
#: YYMM.NNNN from April 2007 to 2014, YYMM.NNNNN from 2015, a real month (a test holds it
#: to check_id); any other text needs check_id
SURELY_WELL_FORMED = re.compile(
    r"(?:07(?:0[4-9]|1[0-2])|(?:0[89]|1[0-4])(?:0[1-9]|1[0-2]))\.[0-9]{4}"
    r"|(?:1[5-9]|[2-9][0-9])(?:0[1-9]|1[0-2])\.[0-9]{5}"
)


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
    """Split ``2403.15711v2`` into ``("2403.15711", 2)``; no version gives ``None``.

    A version above :data:`MAX_VERSION` is split off too and gives ``None``
    (see :func:`split_version_text` for the digits).
    """
    raw, digits = split_version_text(text)
    return raw, parse_version(digits) if digits is not None else None


def split_version_text(text: str) -> tuple[str, str | None]:
    """Split ``2403.15711v2`` into ``("2403.15711", "2")``: the digits as written."""
    cut = text.rfind("v")
    if cut > 0:
        m = _VERSION.fullmatch(text, cut)
        if m and text[cut - 1].isdigit():
            return text[:cut], m[1]
    return text, None


@_fast_frozen
@dataclass(frozen=True, slots=True)
class ArxivUrl:
    """The parts of an arXiv abstract or PDF URL."""

    scheme: str
    host: str
    kind: str
    raw_id: str
    version: int | None
    #: the version's digits as written (``None``: no ``vN``); ``version`` is ``None``
    #: while these are set when the number is above :data:`MAX_VERSION`
    version_text: str | None = None

    @property
    def is_arxiv(self) -> bool:
        """Whether the host is one of arXiv's own (:data:`ARXIV_HOSTS`)."""
        return self.host in ARXIV_HOSTS


@lru_cache(maxsize=1024)
def parse_url(url: str) -> ArxivUrl | None:
    """Parse ``http(s)://HOST/abs/ID[vN]``; ``None`` when it is not of that shape.

    The host is not checked here: see :data:`ARXIV_HOSTS`.
    """
    m = _URL.fullmatch(url)
    if not m:
        return None
    # the shortest identifier the URL may end after: at most one '/', then one '.pdf'
    path = m[4]
    if path[-1] == "/" and len(path) > 1:
        path = path[:-1]
    if path.endswith(".pdf") and len(path) > 4:
        path = path[:-4]
    raw, digits = split_version_text(path)
    version = parse_version(digits) if digits is not None else None
    return ArxivUrl(m[1], m[2].lower(), m[3], raw, version, digits)


@_fast_frozen
@dataclass(frozen=True, slots=True)
class Announce:
    """A new-feed abstract prefix ``arXiv:2403.15711v1 Announce Type: cross  Abstract:``."""

    raw_id: str
    version: int | None
    type: str
    length: int
    #: the version's digits as written (``version`` is ``None`` above :data:`MAX_VERSION`)
    version_text: str | None = None


def parse_announce(abstract: str) -> Announce | None:
    """Recognise the announce prefix at the start of an English abstract."""
    if not abstract.startswith("arXiv:"):
        return None
    m = _ANNOUNCE.match(abstract)
    if not m:
        return None
    digits = m[2]
    return Announce(m[1], parse_version(digits) if digits else None, m[3], m.end(), digits)


@_fast_frozen
@dataclass(frozen=True, slots=True)
class TitleSuffix:
    """An old-feed title suffix ``(arXiv:2310.15719v1 [cs.LG] UPDATED)``."""

    raw_id: str
    version: int | None
    category: str
    announce_type: str
    #: where the suffix starts in the title, whitespace before it included
    start: int
    #: the version's digits as written (``version`` is ``None`` above :data:`MAX_VERSION`)
    version_text: str | None = None


def parse_title_suffix(title: str) -> TitleSuffix | None:
    """The old-feed suffix at the very end of ``title``, in its exact grammar.

    Only `` (arXiv:IDvN [cat])`` (also with `` UPDATED`` or `` CROSS LISTED``
    before the ``)``) after whitespace, and nothing after it, is a suffix.
    """
    if not title.endswith(")"):
        return None
    start = title.rfind(_SUFFIX_OPEN)
    if start < 0 or (start > 0 and not title[start - 1].isspace()):
        return None
    m = _SUFFIX.fullmatch(title, start)
    if not m:
        return None
    while start > 0 and title[start - 1].isspace():
        start -= 1
    digits = m[2]
    version = parse_version(digits) if digits is not None else None
    return TitleSuffix(m[1], version, m[3], _SUFFIX_TYPES[m[4]], start, digits)


def title_suffix_problem(title: str) -> tuple[int, int, str] | None:
    """Where and why ``title`` holds an old-feed suffix that is not in its exact grammar.

    Two shapes are malformed suffixes: a suffix followed by more text
    (``Title. (arXiv:2310.15719v1 [cs.LG]) more``), and a title whose last
    parenthesised group opens with ``(arXiv:`` but does not fit the grammar
    (``Title. (arXiv:2310.15719v 1 [cs.LG])``, no space before it, ...).
    Returns the index of that ``(arXiv:``, the index where the problem is,
    and what is wrong; ``None`` for an exact suffix
    (:func:`parse_title_suffix`) and for titles that merely mention
    ``(arXiv:`` or ``(arXiv)`` elsewhere.
    """
    at = title.rfind(_SUFFIX_OPEN)
    if at < 0 or parse_title_suffix(title) is not None:
        return None
    m = _SUFFIX.match(title, at)
    if m is not None and m.end() < len(title):
        return (
            at,
            len(title) - len(title[m.end() :].lstrip()),
            (f"text after the old-feed suffix '{title[at : m.end()]}': the suffix ends the title"),
        )
    tail = title[at:]
    if not tail.endswith(")") or tail.count("(") != 1 or tail.count(")") != 1:
        return None  # not the title's last group: text that mentions arXiv
    if m is not None:
        return at, at, "no space before the old-feed suffix '(arXiv:...)'"
    return (
        at,
        at,
        (
            "malformed old-feed suffix: it must read ' (arXiv:IDvN [category])', optionally with "
            "' UPDATED' or ' CROSS LISTED' before the ')'"
        ),
    )


def table_title(title: str) -> str:
    """What the summary table shows for detail title ``title``.

    The producer cut the table title before the old-feed suffix.  An exact
    suffix (:func:`parse_title_suffix`) is cut with the whitespace before it;
    a malformed one (:func:`title_suffix_problem`, which reports it) is cut
    with the whitespace before it too.  Any other title, even one holding
    ``(arXiv)`` or ``(arXiv:`` in its text, is shown whole.
    """
    suffix = parse_title_suffix(title)
    if suffix is not None:
        return title[: suffix.start]
    problem = title_suffix_problem(title)
    if problem is None:
        return title
    return title[: problem[0]].rstrip()


#: the former name of :func:`table_title`
strip_table_suffix = table_title


@lru_cache(maxsize=1)
def categories() -> dict[str, tuple[str, bool]]:
    """The arXiv taxonomy: category -> (name, active)."""
    text = read_text("categories.tsv")
    out: dict[str, tuple[str, bool]] = {}
    for line in text.splitlines()[1:]:
        if line and not line.startswith("#"):
            cat, name, _archive, active = line.split("\t")
            out[cat] = (name, active == "1")
    return out


@lru_cache(maxsize=1)
def archives() -> frozenset[str]:
    """Archives that old-style identifiers can name (``hep-th``, ``math``, ...)."""
    text = read_text("archives.txt")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def abs_url(arxiv_id: str) -> str:
    """The canonical abstract-page URL of an identifier."""
    return f"https://arxiv.org/abs/{arxiv_id}"
