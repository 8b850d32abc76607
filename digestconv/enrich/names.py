"""Split an author's name into family, given and suffix the way arXiv does.

arXiv's own rules (``arxiv-base``, ``arxiv/authors``; the same rules produced
the ``authors_parsed`` field of the bulk snapshot, so the API and the snapshot
agree):

* a name that names a collaboration, group or team is one literal name;
* the last token is the family name ("keyname"), everything before it the
  given names;
* one or two surname particles before the last token belong to the family
  name (``van``, ``der``, ``de``, ``la``, ``von``, ``del``, ``della``, ``da``,
  ``mac``, ``ter``, ``dem``, ``di``, ``vaziri``; case-insensitive):
  "Adrian Del Maestro" is *Del Maestro, Adrian*;
* a trailing ``I`` to ``V``, ``Jr`` or ``Sr`` (with or without a dot) is a
  suffix and the token before it the family name;
* a name of one token is kept whole, as a literal.

Two additions: a name written in CJK script ("张三") has no spaces to split on
and its family name comes first, so it is kept whole as a literal; and the
snapshot's dot-spacing quirk (``"C. -P."`` for ``"C.-P."``) is undone so both
sources give the same given names.

Pure string work, linear in the length of the name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .record import Author

#: surname particles (arXiv's list)
PARTICLES = frozenset(
    "van der de la von del della da mac ter dem di vaziri".split()  # noqa: SIM905
)
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
    low = [t.lower() for t in tokens]
    if len(tokens) >= 4 and low[-3] in PARTICLES and low[-2] in PARTICLES:
        cut = len(tokens) - 3
    elif len(tokens) >= 3 and low[-2] in PARTICLES:
        cut = len(tokens) - 2
    else:
        cut = len(tokens) - 1
    return Author(
        family=" ".join(tokens[cut:]),
        given=" ".join(tokens[:cut]),
        suffix=suffix,
        affiliations=affils,
    )


def from_parsed(parts: Sequence[str]) -> Author | None:
    """An :class:`Author` from the snapshot's ``authors_parsed`` item.

    The item is ``[keyname, forenames, suffix, affiliation...]``; a keyname with
    no forenames (a collaboration, a single name) becomes a literal.
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
    return Author(family=keyname, given=forenames, suffix=suffix or None, affiliations=affils)
