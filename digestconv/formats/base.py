"""The contract every output format implements.

A format module defines a subclass of :class:`Format` with a ``write`` method
(and ``read`` when the format can be read back into the model).  Writers see
only the model (:class:`Batch` of :class:`~digestconv.model.Paper`), never
markdown; readers return papers.  The base class owns all I/O with an explicit
UTF-8 encoding, so no format depends on the platform default.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from ..model import Paper

if TYPE_CHECKING:
    from ..enrich.record import ArxivRecord


class FormatError(Exception):
    """Raised by a format's reader when input cannot be read (with a clear message)."""


@dataclass(frozen=True)
class Source:
    """One input file and the papers it contributed (for per-file outlines)."""

    path: str
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class Batch:
    """What a writer receives: merged papers plus the context of the run.

    ``papers`` are deduplicated by arXiv identifier in first-appearance order.
    ``updated`` is the timestamp feeds carry: ``SOURCE_DATE_EPOCH`` when set,
    otherwise derived from the input (never the wall clock).
    ``records`` holds arXiv metadata by unversioned identifier for the papers
    that were enriched; it is empty without ``--enrich``, and a writer given
    no record for a paper writes it from the digest alone.
    ``accepted`` names, by identifier, the rules that suppression comments in
    the paper's source silenced on it (``to markdown`` keeps them silenced).
    """

    papers: tuple[Paper, ...]
    sources: tuple[Source, ...] = ()
    updated: _dt.datetime = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
    title: str = "arXiv digest"
    link: str = "https://arxiv.org/"
    ascii: bool = False
    records: Mapping[str, ArxivRecord] = field(default_factory=dict)
    accepted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def record(self, paper: Paper) -> ArxivRecord | None:
        """The arXiv metadata of ``paper``, or ``None`` when it was not enriched."""
        if paper.arxiv_id is None or not self.records:
            return None
        return self.records.get(paper.arxiv_id)


class Format:
    """Base class of a format plugin.  Subclasses set the class attributes."""

    #: registry name (``bibtex``), used on the command line
    name: ClassVar[str] = ""
    #: file suffixes that select this format for ``-o FILE`` (``.bib``)
    suffixes: ClassVar[tuple[str, ...]] = ()
    #: other names accepted on the command line (``bib``)
    aliases: ClassVar[tuple[str, ...]] = ()
    media_type: ClassVar[str] = "text/plain"
    description: ClassVar[str] = ""

    @property
    def can_read(self) -> bool:
        """Whether this format overrides :meth:`read`."""
        return type(self).read is not Format.read

    @property
    def can_write(self) -> bool:
        """Whether this format overrides :meth:`write`."""
        return type(self).write is not Format.write

    def write(self, batch: Batch) -> str:
        """Serialise ``batch`` to text (encoded as UTF-8 by :meth:`write_bytes`)."""
        raise NotImplementedError(f"{self.name} cannot be written")

    def read(self, text: str) -> list[Paper]:
        """Parse text of this format back into papers; raise :class:`FormatError`."""
        raise NotImplementedError(f"{self.name} cannot be read")

    def write_bytes(self, batch: Batch) -> bytes:
        """The output as UTF-8 bytes."""
        return self.write(batch).encode("utf-8")

    def read_bytes(self, data: bytes) -> list[Paper]:
        """Decode UTF-8 (BOM tolerated) and :meth:`read`."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"not UTF-8: byte {exc.start}") from exc
        return self.read(text)
