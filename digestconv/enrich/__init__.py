"""arXiv metadata for the papers of a digest: authors, exact dates, full abstracts.

Digests carry no authors, no dates beyond what an arXiv identifier implies and
English abstracts cut at 1000 characters.  This package looks the papers up in
a local cache, a bulk metadata snapshot or the arXiv API (in that order) and
returns one :class:`~digestconv.enrich.record.ArxivRecord` per paper.

Nothing here is imported unless enrichment is asked for, so plain validation
and conversion never load a network module.
"""

from __future__ import annotations

from .record import ArxivRecord, Author

__all__ = ["ArxivRecord", "Author"]
