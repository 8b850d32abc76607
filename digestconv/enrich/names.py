"""Split an author's name into family, given and suffix the way arXiv does.

arXiv's own rules (``arxiv-base``, ``arxiv/authors``; the same rules produced
the ``authors_parsed`` field of the bulk snapshot, so the API and the snapshot
agree):

* a name that names a collaboration, group or team is one literal name;
* the last token is the family name ("keyname"), everything before it the
  given names;
* surname particles before the last token belong to the family name
  (``van``, ``der``, ``de``, ``la``, ``von``, ``del``, ``della``, ``da``,
  ``mac``, ``ter``, ``dem``, ``di``, ``vaziri``; case-insensitive):
  "Adrian Del Maestro" is *Del Maestro, Adrian*;
* a trailing ``I`` to ``V``, ``Jr`` or ``Sr`` (with or without a dot) is a
  suffix and the token before it the family name;
* a name of one token is kept whole, as a literal.

Where arXiv's list falls short, it is extended: arXiv takes at most two
particles, both from its list, so "Willem-Jan van den Heuvel" came out as
*Heuvel* ("den" is missing).  Here every particle directly before the last
token joins the family name, however many ("van den", "von der", "de la",
"von und zu"), as long as a given name is left, from a longer list:
:data:`PARTICLES` (arXiv's, plus ``den``, ``des``, ``dos``, ``das``, ``do``,
``du``, ``ten``, ``zu``, ``dei``, ``degli``, ``delle``, ``dello``, ``'t``;
case-insensitive like arXiv's, so "Sankar Das Sarma" is *Das Sarma* and "Van Den
Heuvel" stays whole) and :data:`LOWER_PARTICLES` (``do``, ``le``, ``lo``, ``und``:
words that are also given names or surnames, so they count only when written in
lower case: "Manfredo do Carmo" is *do Carmo*, "Hoang Le Minh" is *Minh*).  This
is BibTeX's and biber's "von part" where it is written in lower case, and
arXiv's list where it is capitalised; Zotero splits off no particle at all.

Two more additions: a name written in CJK script ("张三") has no spaces to split on
and its family name comes first, so it is kept whole as a literal; and the
snapshot's dot-spacing quirk (``"C. -P."`` for ``"C.-P."``) is undone so both
sources give the same given names.

Pure string work, linear in the length of the name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .record import Author

#: surname particles arXiv knows
ARXIV_PARTICLES = frozenset(
    "van der de la von del della da mac ter dem di vaziri".split()  # noqa: SIM905
)
#: surname particles, in any case (arXiv's and the common ones it lacks)
PARTICLES = ARXIV_PARTICLES | frozenset(
    "den des dos das du ten zu dei degli delle dello 't".split()  # noqa: SIM905
)
#: particles only when written in lower case (also given names or surnames)
LOWER_PARTICLES = frozenset(("do", "le", "lo", "und"))
#: generational suffixes (arXiv's list)
SUFFIXES = frozenset(("i", "ii", "iii", "iv", "v", "jr", "sr", "jr.", "sr."))

_COLLABORATION = re.compile(r"\b(?:collaborations?|groups?|teams?|consortium)\b", re.IGNORECASE)
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_DOT_DASH = re.compile(r"\.\s+-")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _SPACE.sub(" ", text).strip()


def is_collaboration(name: str) -> bool:
    """Whether ``name`` names a collaboration, group or team (``ATLAS Collaboration``)."""
    return len(name.split()) >= 2 and _COLLABORATION.search(name) is not None


def _is_cjk(name: str) -> bool:
    return _CJK.search(name) is not None and _LATIN.search(name) is None


def _is_particle(token: str) -> bool:
    low = token.lower()
    return low in PARTICLES or (token == low and low in LOWER_PARTICLES)


def _family_start(tokens: Sequence[str], end: int) -> int:
    """Where the family name starts when ``tokens[end:]`` is its last part: every
    particle directly before ``end`` joins it, as long as one given name is left."""
    cut = end
    while cut > 1 and _is_particle(tokens[cut - 1]):
        cut -= 1
    return cut


def split_name(name: str, affiliations: Sequence[str] = ()) -> Author | None:
    """Split one author's name (as the API's ``<name>`` gives it) into an :class:`Author`.

    Returns ``None`` for an empty name.
    """
    text = fold(name)
    affils = tuple(fold(a) for a in affiliations if fold(a))
    if not text:
        return None
    # "Martin Luther King, Jr." : a suffix after a comma
    suffix: str | None = None
    head, comma, tail = text.rpartition(",")
    if comma and tail.strip().lower() in SUFFIXES and head.strip():
        text, suffix = head.strip(), tail.strip()
    if is_collaboration(text) or _is_cjk(text):
        return Author(literal=text if suffix is None else f"{text}, {suffix}", affiliations=affils)
    tokens = text.split(" ")
    if len(tokens) == 1:
        if suffix is not None:
            return Author(family=tokens[0], suffix=suffix, affiliations=affils)
        return Author(literal=text, affiliations=affils)
    if suffix is None and len(tokens) >= 3 and tokens[-1].lower() in SUFFIXES:
        suffix = tokens.pop()
        return Author(
            family=tokens[-1], given=" ".join(tokens[:-1]), suffix=suffix, affiliations=affils
        )
    cut = _family_start(tokens, len(tokens) - 1)
    return Author(
        family=" ".join(tokens[cut:]),
        given=" ".join(tokens[:cut]),
        suffix=suffix,
        affiliations=affils,
    )


def from_parsed(parts: Sequence[str]) -> Author | None:
    """An :class:`Author` from the snapshot's ``authors_parsed`` item.

    The item is ``[keyname, forenames, suffix, affiliation...]``; a keyname with
    no forenames (a collaboration, a single name) becomes a literal.  Particles
    at the end of the forenames (arXiv's list lacks ``den``) move to the family
    name, so the snapshot and the API agree.
    """
    if not parts:
        return None
    keyname = fold(str(parts[0])) if parts[0] is not None else ""
    forenames = fold(str(parts[1])) if len(parts) > 1 and parts[1] else ""
    suffix = fold(str(parts[2])) if len(parts) > 2 and parts[2] else ""
    affils = tuple(fold(str(a)) for a in parts[3:] if a and fold(str(a)))
    if not keyname and not forenames:
        return None
    forenames = _DOT_DASH.sub(".-", forenames)
    if not forenames or not keyname:
        literal = keyname or forenames
        if suffix:
            return Author(family=literal, suffix=suffix, affiliations=affils)
        return Author(literal=literal, affiliations=affils)
    if is_collaboration(f"{forenames} {keyname}"):
        return Author(literal=f"{forenames} {keyname}", affiliations=affils)
    # particles arXiv's parser left with the forenames ("Willem-Jan van den" + "Heuvel")
    # join the family name, as split_name does, so both sources agree
    given = forenames.split(" ")
    cut = _family_start(given, len(given))
    if cut < len(given):
        keyname = " ".join([*given[cut:], keyname])
        forenames = " ".join(given[:cut])
    return Author(family=keyname, given=forenames, suffix=suffix or None, affiliations=affils)
