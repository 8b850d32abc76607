"""arXiv metadata for the papers of a digest: authors, exact dates, full abstracts.

Digests carry no authors, no dates beyond what an arXiv identifier implies and
English abstracts cut at 1000 characters.  This package looks the papers up in
a local cache, a bulk metadata snapshot or the arXiv API (in that order) and
returns one :class:`~digestconv.enrich.record.ArxivRecord` per paper::

    from digestconv.enrich import EnrichOptions, lookup

    result = lookup(["2403.15711", "hep-th/9901001"], EnrichOptions(offline=True))
    for arxiv_id, record in result.records.items():
        print(arxiv_id, [a.name for a in record.authors], record.published)
    print(result.missing, result.failed)

Nothing heavy is imported unless a lookup is made, so plain validation and
conversion never load a network module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .options import EnrichOptions
from .record import ArxivRecord, Author

if TYPE_CHECKING:
    from .service import EnrichResult, lookup

__all__ = ["ArxivRecord", "Author", "EnrichOptions", "EnrichResult", "lookup"]


def __getattr__(name: str) -> Any:
    if name in ("lookup", "EnrichResult"):
        from . import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
