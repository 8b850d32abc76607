"""What the feed format tests share: real inputs and the documented normalisation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from digestconv.model import Paper

ROOT = Path(__file__).resolve().parents[2]
#: every seed and corpus file
FILES = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
    (ROOT / "tests" / "fixtures" / "corpus").glob("[0-9][0-9][0-9].md")
)
UTC = dt.timezone.utc
WHEN = dt.datetime(2026, 8, 31, 12, 30, 5, tzinfo=UTC)
#: characters XML cannot carry, which the writers remove
CONTROLS = "".join(map(chr, [*range(9), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]))
CONTROLS += "\r\ufffe\uffff"
#: and the bidirectional controls and invisible characters they leave out too
CONTROLS += "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
CONTROLS += "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\u061c\u180e"


def expected(paper: Paper) -> Paper:
    """The documented normalisation: control characters removed, empty -> None, no lines."""
    out = {}
    for f in dataclasses.fields(Paper):
        if f.name in ("line", "end_line", "source"):
            continue
        value = getattr(paper, f.name)
        if isinstance(value, str):
            value = "".join(c for c in value if c not in CONTROLS) or None
        out[f.name] = value
    return Paper(**out)
