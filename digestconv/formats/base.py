"""The contract every output format implements.

A format module defines a subclass of :class:`Format` with a ``chunks`` method
(and ``read`` when the format can be read back into the model).  ``chunks``
yields the output piece by piece: the header, one piece per entry, then the
footer, so a writer never holds more than one entry's text; :meth:`Format.write`
joins them and :meth:`Format.write_to` encodes and writes each as it comes.
A format written before ``chunks`` existed, overriding only ``write``, still
works: its whole text is the one chunk.

A format whose entry depends only on its paper, its place in the output and the
run's options (not on the other papers, the files or the feed's date) also
offers an :class:`EntryStream` (:meth:`Format.entry_stream`): ``to`` then
renders each paper the moment it is merged, while the other files are still
being read, and keeps only the entries' text until the run ends.

Writers see only the model (:class:`Batch` of :class:`~digestconv.model.Paper`),
never markdown; readers return papers.  ``Batch.papers`` and ``Source.papers``
are :class:`Papers`: re-iterable and sized, but not indexable, so the caller may
back them by storage on disk; a writer iterates them, never indexes them or
copies them into a list.  The base class owns all I/O with an explicit UTF-8
encoding, so no format depends on the platform default.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, ClassVar, Protocol

from ..model import Paper

if TYPE_CHECKING:
    from ..enrich.record import ArxivRecord


#: the feed title when none is given
DEFAULT_TITLE = "arXiv digest"


class FormatError(Exception):
    """Raised by a format's reader when input cannot be read (with a clear message)."""


class Papers(Protocol):
    """What writers get papers as: iterable any number of times, with a length.

    A tuple is one; so is a view of papers spilled to disk.  Writers must not
    index it or materialise it.
    """

    def __iter__(self) -> Iterator[Paper]: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Source:
    """One input file and the papers it contributed (for per-file outlines)."""

    path: str
    papers: Papers


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
    ``title`` and ``author`` name the feed (``--feed-title``, ``--feed-author``):
    the title defaults to :data:`DEFAULT_TITLE` whatever the inputs, so a feed
    keeps its name from one run to the next; the author defaults to the title
    (the digest that selected and translated the papers, never a claim about
    who wrote them).

    Values a writer needs before its first entry are fields here, computed by
    the caller while it gathers the papers, never by the writer walking
    ``papers`` first:

    ``authored`` is whether every paper has arXiv metadata naming an author
    (the Atom feed then carries no feed-level author).  The caller folds
    :func:`has_authors` over the papers' records; ``None`` (the default, for
    library callers) makes the Atom writer find out with one extra pass.
    """

    papers: Papers
    sources: tuple[Source, ...] = ()
    updated: _dt.datetime = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
    title: str = DEFAULT_TITLE
    link: str = "https://arxiv.org/"
    author: str | None = None
    ascii: bool = False
    records: Mapping[str, ArxivRecord] = field(default_factory=dict)
    accepted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    authored: bool | None = None

    def record(self, paper: Paper) -> ArxivRecord | None:
        """The arXiv metadata of ``paper``, or ``None`` when it was not enriched."""
        if paper.arxiv_id is None or not self.records:
            return None
        return self.records.get(paper.arxiv_id)


class EntryStream(Protocol):
    """A format's output one entry at a time (see :meth:`Format.entry_stream`).

    ``head()``, then ``entry(paper)`` for each paper in batch order, then
    ``tail()``: the pieces joined are the format's whole output.  An entry
    stream is stateful (citation keys are unique, separators go between
    entries), so each output takes a new one.
    """

    def head(self) -> str: ...

    def entry(self, paper: Paper) -> str: ...

    def tail(self) -> str: ...


def streamed(stream: EntryStream, papers: Papers) -> Iterator[str]:
    """The chunks of an :class:`EntryStream` over ``papers``: head, entries, tail."""
    yield stream.head()
    for paper in papers:
        yield stream.entry(paper)
    yield stream.tail()


def has_authors(record: ArxivRecord | None) -> bool:
    """Whether ``record`` names at least one author (see :attr:`Batch.authored`).

    ``authored = all(has_authors(batch.record(p)) for p in papers)``, folded as
    the papers and their records come in.
    """
    if record is None:
        return False
    from ..text import strip_illegal

    return any(strip_illegal(a.name).strip() for a in record.authors)


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
        """Whether this format overrides :meth:`chunks` or :meth:`write`."""
        cls = type(self)
        return cls.chunks is not Format.chunks or cls.write is not Format.write

    def chunks(self, batch: Batch) -> Iterator[str]:
        """The output of ``batch`` piece by piece: header, one piece per entry, footer.

        Formats override this.  A format that overrides only :meth:`write` (the
        contract before this method existed) gets its whole text as one piece.
        """
        if type(self).write is Format.write:
            raise NotImplementedError(f"{self.name} cannot be written")
        yield self.write(batch)

    def entry_stream(self, batch: Batch) -> EntryStream | None:
        """Entries one at a time, for papers that arrive one by one; ``None`` (the default)
        when an entry needs more than its paper, its place and ``batch``'s options.

        The stream may read ``batch``'s ``ascii``, ``title``, ``link``, ``author``
        and ``records``, never its ``papers``, ``sources`` or ``updated``: the
        caller may pass a batch without papers and render each one as soon as it
        is known.  Its pieces joined are the bytes :meth:`chunks` makes of the
        same papers.
        """
        return None

    def write(self, batch: Batch) -> str:
        """The whole output of ``batch`` as text: the :meth:`chunks` joined."""
        return "".join(self.chunks(batch))

    def write_to(self, stream: BinaryIO, batch: Batch) -> int:
        """Write the output of ``batch`` to ``stream`` as UTF-8, chunk by chunk.

        Each chunk is encoded and written as soon as it is made, so memory holds
        one entry, not the output.  Returns the number of bytes written.  Errors
        of ``stream`` (a full disk, a closed pipe) propagate.
        """
        total = 0
        for chunk in self.chunks(batch):
            data = chunk.encode("utf-8")
            view = memoryview(data)
            while view:
                written = stream.write(view)
                if written is None or written >= len(view):
                    break
                view = view[written:]
            total += len(data)
        return total

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
