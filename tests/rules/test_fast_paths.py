"""The per-file rules' fast paths report exactly what the plain checks they stand for report.

The rules skip papers early in the common all-good case, pair dollars with one split,
rule out invisible characters with one pass and build findings with less work.  Each
plain check is kept here as written before (the reference), and every rule must give
the same findings, in the same order, on mutated real digests and on digests built
field by field to reach every branch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from digestconv import arxiv, rules
from digestconv.latex.mathspans import _scan_spans
from digestconv.model import Digest, Paper, Source, Span, TableRow
from digestconv.reader import read
from digestconv.rules import Finding, facts
from digestconv.settings import Settings
from digestconv.text import abstract_truncated as is_cut
from digestconv.text import translation_cut

from ..fuzz.mutations import mutants

Reference = Callable[[Digest, Settings], Iterator[Finding]]
_T = TypeVar("_T")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with_detail(digest: Digest) -> Iterator[Paper]:
    return (p for p in digest.papers if p.source.has_detail)


def _ids(paper: Paper) -> list[tuple[str, str, Span]]:
    src = paper.source
    out: list[tuple[str, str, Span]] = []
    if src.url_id:
        out.append(("URL", src.url_id, paper.span("url")))
    row = src.row
    if row is not None and src.has_detail and row.url_id is not None and row.url_id != src.url_id:
        out.append(("table URL", row.url_id, row.spans.get("url", paper.span("url"))))
    if src.title_id:
        out.append(("title suffix", src.title_id, paper.span("title")))
    if src.abstract_id:
        out.append(("abstract prefix", src.abstract_id, paper.span("abstract")))
    return out


def id_malformed(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in digest.papers:
        for where, raw, span in _ids(paper):
            _, why = arxiv.check_id(raw)
            if why is not None:
                yield Finding(span, f"{where} identifier '{_short(raw, 40)}' is malformed: {why}")
        for where, digits, span in paper.source.bad_versions:
            shown = digits if len(digits) <= 12 else f"{digits[:6]}…{digits[-3:]}"
            yield Finding(
                span,
                f"{where} version v{shown} ({len(digits)} digits) is above v{arxiv.MAX_VERSION}: "
                "copy the version from the paper's arXiv page",
            )


def id_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in digest.papers:
        ids = _ids(paper)
        if not ids:
            continue
        first_where, first, _ = ids[0]
        for where, raw, span in ids[1:]:
            if raw != first:
                yield Finding(
                    span,
                    f"{where} names {raw} but the {first_where} names {first}: they must agree",
                )


def version_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in digest.papers:
        src = paper.source
        versions = [
            ("URL", src.url_version, paper.span("url")),
            ("title suffix", src.title_version, paper.span("title")),
            ("abstract prefix", src.abstract_version, paper.span("abstract")),
        ]
        known = [(w, v, s) for w, v, s in versions if v is not None]
        for where, version, span in known[1:]:
            if version != known[0][1]:
                yield Finding(
                    span,
                    f"{where} says v{version} but the {known[0][0]} says v{known[0][1]}: "
                    "use one version",
                )


def missing_field(digest: Digest, settings: Settings) -> Iterator[Finding]:
    if digest.kind == "abstract-page":
        for name in ("title", "arXiv link", "arXiv identifier"):
            yield Finding(
                Span.point(1),
                f"abstract page has no {name}: it cannot be cited; find the paper on arXiv "
                "and add it to a digest",
            )
        return
    for paper in _with_detail(digest):
        missing = list(paper.source.missing)
        if paper.title is None and "title" not in missing:
            missing.append("title")
        if paper.url is not None and paper.arxiv_id is None and paper.source.url_id is None:
            missing.append("arxiv_id")
        names = {
            "title": "English title",
            "url": "[URL](URL) link",
            "abstract": "English abstract",
            "arxiv_id": "arXiv identifier",
        }
        for name in missing:
            yield Finding(
                paper.span("block"),
                f"detail block [^{paper.ref}] has no {names.get(name, name)}: add it",
            )


def title_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in _with_detail(digest):
        src = paper.source
        row, expected = src.row, src.table_title
        if row is None or expected is None:
            continue
        if row.title.strip(" \t") != expected:
            how = (
                " (they differ only in whitespace)" if row.title.split() == expected.split() else ""
            )
            yield Finding(
                row.spans.get("title", paper.span("title")),
                f"table title '{_short(row.title)}' differs from the detail title "
                f"'{_short(expected)}' on line {paper.span('title').line}{how}: make them equal",
            )


def url_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in _with_detail(digest):
        row = paper.source.row
        if row is None or paper.url is None or row.url == paper.url:
            continue
        yield Finding(
            row.spans.get("url", paper.span("url")),
            f"table links to {row.url} but the detail block on line {paper.span('url').line} "
            f"links to {paper.url}: use the same URL",
        )


def summary_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in _with_detail(digest):
        row = paper.source.row
        if row is None or "summary_zh" not in paper.source.spans:
            continue
        table, detail = row.summary, paper.summary_zh or ""
        if table == detail:
            continue
        how = (
            "they differ only in whitespace ('digestconv fmt' fixes this)"
            if table.split() == detail.split()
            else "make them equal"
        )
        yield Finding(
            row.spans.get("summary", paper.span("summary_zh")),
            f"table summary differs from the detail summary on line "
            f"{paper.span('summary_zh').line}: {how}",
        )


def link_text_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in _with_detail(digest):
        text = paper.source.link_text
        if text is not None and paper.url is not None and text != paper.url:
            yield Finding(
                paper.span("link_text"),
                f"link text '{_short(text)}' is not its target {paper.url}: write "
                f"[{paper.url}]({paper.url})",
            )


def url_not_arxiv(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in digest.papers:
        src = paper.source
        urls: list[tuple[str, Span]] = []
        if paper.url is not None and not src.url_arxiv:
            urls.append((paper.url, paper.span("url")))
        row = src.row
        if row is not None and src.has_detail and row.url != paper.url and not row.url_arxiv:
            urls.append((row.url, row.spans.get("url", paper.span("url"))))
        for url, span in urls:
            yield Finding(
                span,
                f"'{_short(url)}' is not an arXiv URL: link to https://arxiv.org/abs/ID",
            )


def ref_order(digest: Digest, settings: Settings) -> Iterator[Finding]:
    expected = 1
    used: set[int] = set()
    for row in digest.rows:
        if row.ref is None or row.ref in used:
            continue
        used.add(row.ref)
        span = row.spans.get("ref", Span.point(row.line))
        if row.ref < 1:
            yield Finding(span, f"reference [^{row.ref}]: references are numbered from [^1]")
        elif row.ref < expected:
            yield Finding(span, f"row [^{row.ref}] comes after [^{expected - 1}]: sort the rows")
        elif row.ref > expected:
            missing = (
                f"[^{expected}]" if row.ref == expected + 1 else f"[^{expected}]..[^{row.ref - 1}]"
            )
            yield Finding(span, f"row [^{row.ref}] skips {missing}: renumber the references")
        expected = max(expected, row.ref + 1)
    table_order = [row.ref for row in digest.rows if row.ref is not None]
    position = {ref: i for i, ref in reversed(list(enumerate(table_order)))}
    last = -1
    for ref, span in digest.blocks:
        if ref is None or ref not in position:
            continue
        if position[ref] < last:
            yield Finding(
                span,
                f"detail block [^{ref}] is out of the table's order: move it after the blocks "
                "of the rows above it",
            )
        last = max(last, position[ref])


def ref_duplicate(digest: Digest, settings: Settings) -> Iterator[Finding]:
    seen: dict[int, int] = {}
    for row in digest.rows:
        if row.ref is None:
            continue
        if row.ref in seen:
            yield Finding(
                row.spans.get("ref", Span.point(row.line)),
                f"reference [^{row.ref}] already used by the table row on line "
                f"{seen[row.ref]}: renumber one of them",
            )
        else:
            seen[row.ref] = row.line
    seen = {}
    for ref, span in digest.blocks:
        if ref is None:
            continue
        if ref in seen:
            yield Finding(
                span,
                f"detail block [^{ref}] already defined on line {seen[ref]}: renumber or "
                "merge them",
            )
        else:
            seen[ref] = span.line


def _tail(text: str, n: int = 24) -> str:
    text = text.rstrip()
    return ("…" + text[-n:]) if len(text) > n else text


def _end(span: Span) -> Span:
    return Span(span.end_line, max(span.end_column - 1, 1), span.end_line, span.end_column)


def abstract_truncated(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in digest.papers:
        if paper.abstract is None:
            continue
        length = paper.source.raw_abstract_length
        if is_cut(length, paper.abstract, settings.abstract_cut):
            yield Finding(
                _end(paper.span("abstract")),
                f"English abstract stops at the {settings.abstract_cut}-character cut "
                f"mid-sentence ('{_tail(paper.abstract)}'): the full abstract is at "
                f"{paper.url or 'the paper arXiv page'}",
            )


def translation_truncated(digest: Digest, settings: Settings) -> Iterator[Finding]:
    for paper in digest.papers:
        if paper.abstract_zh is None:
            continue
        src = paper.source
        why = src.translation_cut if src.has_detail else translation_cut(paper.abstract_zh)
        if why is not None:
            yield Finding(
                _end(paper.span("abstract_zh")),
                f"Chinese abstract {why} ('{_tail(paper.abstract_zh, 12)}'): translate the "
                "full abstract",
            )


_MATH_FIELDS = ("title", "title_zh", "summary_zh", "summary_en", "abstract_zh", "abstract")


def math_unbalanced(digest: Digest, settings: Settings) -> Iterator[Finding]:
    # the rule's own messages and spans, with the dollars judged by the full scan
    from digestconv.rules.texmath import NAMES, _at

    for paper in digest.papers:
        for field in _MATH_FIELDS:
            text = getattr(paper, field)
            if text and "$" in text and _scan_spans(text, dollars=True) is None:
                yield Finding(
                    _at(paper, field, text),
                    f"{NAMES[field]} has a `$` that pairs with no other: its math is written "
                    "as plain text; restore the lost `$`, or write a plain dollar as `\\$`",
                )


REFERENCES: dict[str, Reference] = {
    "id-malformed": id_malformed,
    "id-mismatch": id_mismatch,
    "version-mismatch": version_mismatch,
    "missing-field": missing_field,
    "title-mismatch": title_mismatch,
    "url-mismatch": url_mismatch,
    "summary-mismatch": summary_mismatch,
    "link-text-mismatch": link_text_mismatch,
    "url-not-arxiv": url_not_arxiv,
    "ref-order": ref_order,
    "ref-duplicate": ref_duplicate,
    "abstract-truncated": abstract_truncated,
    "translation-truncated": translation_truncated,
    "math-unbalanced": math_unbalanced,
}


def paper_fact(paper: Paper) -> facts.PaperFact:
    def as_tuple(span: Span) -> tuple[int, int, int, int]:
        return (span.line, span.column, span.end_line, span.end_column)

    first = paper.line or 1
    lines = [(first, paper.end_line or first)]
    row = paper.source.row
    if row is not None and not lines[0][0] <= row.line <= lines[0][1]:
        lines.append((row.line, row.line))
    return facts.PaperFact(
        paper.arxiv_id,
        paper.ref,
        first,
        as_tuple(paper.span("url")),
        as_tuple(paper.span("block")),
        tuple(lines),
    )


def assert_same(digest: Digest, settings: Settings | None = None) -> None:
    settings = settings or Settings()
    for name, reference in REFERENCES.items():
        rule = rules.get(name)
        assert rule is not None
        got = list(rule.check(digest, settings))
        want = list(reference(digest, settings))
        assert got == want, name
        for a, b in zip(got, want, strict=True):
            assert type(a.span) is type(b.span) is Span, name
    for paper in digest.papers:
        fact = facts.paper_fact(paper)
        assert fact == paper_fact(paper)
        assert type(fact.url) is type(fact.block) is tuple


@given(mutants())
@settings(max_examples=150, deadline=None)
def test_mutated_real_digests(mutant: tuple[str, bytes]) -> None:
    name, data = mutant
    assert_same(read(data, name))


def test_every_seed_and_corpus_digest() -> None:
    from ..fuzz.mutations import sources

    for name, data in sources():
        assert_same(read(data, name))
    assert_same(read(sources()[0][1], "x"), Settings(abstract_cut=300))


_IDS = (None, "", "2403.15711", "2403.15712", "2413.15711", "0703.1234", "0704.0001",
        "1412.12345", "hep-th/9901001", "xx-yy/9901001", "2403.1571")  # fmt: skip
_URLS = (None, "https://arxiv.org/abs/2403.15711", "https://arxiv.org/abs/2403.15712",
         "https://example.com/p.pdf")  # fmt: skip
_TEXTS = (None, "", "Title", " Title\t", "Title  words", "摘要", "$x$ and $y", "$$a$$ b",
          "Title. (arXiv:2403.15711v1 [cs.LG])", "cut in the mid", "结束。", "……",
          "中文 cut fragment", "Ends.")  # fmt: skip
#: small pools where the rules compare two texts, so that equal pairs come often
_TITLES = ("", "Title", " Title\t", "Title  words")
_SUMMARIES = ("", "摘要", "摘 要", " 摘要")
_SPAN_NAMES = ("url", "title", "abstract", "abstract_zh", "summary_zh", "link_text", "block")
_FIELDS = ("ref", "title", "url", "summary")


@st.composite
def spans(draw: st.DrawFn, names: tuple[str, ...]) -> dict[str, Span]:
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    out = {}
    for name in chosen:
        line, column = draw(st.integers(1, 9)), draw(st.integers(1, 5))
        out[name] = Span(line, column, line + draw(st.integers(0, 1)), draw(st.integers(1, 9)))
    return out


@st.composite
def rows(draw: st.DrawFn) -> TableRow:
    return TableRow(
        draw(st.none() | st.integers(-1, 6)),
        draw(st.sampled_from(_TITLES)),
        draw(st.sampled_from(_URLS).map(lambda t: t or "")),
        draw(st.sampled_from(_SUMMARIES)),
        draw(st.integers(1, 40)),
        draw(spans(_FIELDS)),
        draw(st.sampled_from(_IDS)),
        draw(st.none() | st.integers(1, 3)),
        draw(st.booleans()),
    )


def _like(draw: st.DrawFn, pool: tuple[_T, ...], other: _T) -> _T:
    """One of ``pool``, or as often ``other``: real digests mostly agree with themselves."""
    return other if draw(st.booleans()) else draw(st.sampled_from(pool))


@st.composite
def built_papers(draw: st.DrawFn) -> Paper:
    text = st.sampled_from(_TEXTS)
    row = draw(st.none() | rows())
    url = draw(st.sampled_from(_URLS)) if row is None else _like(draw, _URLS, row.url or None)
    url_id = draw(st.sampled_from(_IDS)) if row is None else _like(draw, _IDS, row.url_id)
    url_id = None if draw(st.integers(0, 3)) == 0 else url_id  # no identifier in the link
    url_version = draw(st.none() | st.integers(1, 3))
    source = Source(
        spans=draw(spans(_SPAN_NAMES)),
        row=row,
        has_detail=draw(st.booleans()),
        raw_title=draw(text),
        table_title=_like(draw, (None, *_TITLES), row.title if row is not None else None),
        link_text=_like(draw, _URLS, url),
        url_id=url_id,
        url_version=url_version,
        title_id=_like(draw, _IDS, url_id),
        title_version=_like(draw, (None, 1, 2), url_version),
        abstract_id=_like(draw, _IDS, url_id),
        abstract_version=_like(draw, (None, 1, 2), url_version),
        raw_abstract_length=draw(st.sampled_from((0, 10, 987, 988, 995, 1000, 1001))),
        missing=()
        if draw(st.booleans())
        else tuple(draw(st.lists(st.sampled_from(("title", "url", "abstract", "x")), max_size=2))),
        url_arxiv=draw(st.booleans()),
        bad_versions=tuple(
            draw(st.lists(st.tuples(st.just("URL"), st.just("12345"), st.just(Span(1, 1, 1, 2)))))
        ),
        translation_cut=draw(st.sampled_from((None, "ends mid-sentence"))),
    )
    return Paper(
        ref=draw(st.none() | st.integers(1, 6)),
        arxiv_id=_like(draw, _IDS, url_id) or None,
        version=draw(st.none() | st.integers(1, 3)),
        url=url,
        title=draw(text) or None,
        title_zh=draw(text) or None,
        summary_zh=_like(draw, _SUMMARIES, row.summary if row is not None else None) or None,
        summary_en=draw(text) or None,
        abstract=draw(text) or None,
        abstract_zh=draw(text) or None,
        line=draw(st.none() | st.integers(1, 30)),
        end_line=draw(st.none() | st.integers(1, 40)),
        source=source,
    )


@given(
    st.lists(built_papers(), max_size=4),
    st.lists(rows(), max_size=6),
    st.lists(st.tuples(st.none() | st.integers(-1, 6), st.just(Span(3, 1, 3, 5))), max_size=6),
    st.sampled_from(("digest", "abstract-page")),
)
@settings(max_examples=400, deadline=None)
def test_digests_built_field_by_field(
    papers: list[Paper], table: list[TableRow], blocks: list[tuple[int | None, Span]], kind: str
) -> None:
    digest = Digest("x.md", kind, tuple(papers), rows=tuple(table), blocks=tuple(blocks))  # type: ignore[arg-type]
    assert_same(digest)


@given(st.from_regex(r"[0-9]{4}\.[0-9]{4,6}", fullmatch=True) | st.text(max_size=14))
@settings(max_examples=500, deadline=None)
def test_the_surely_well_formed_identifiers_are_well_formed(raw: str) -> None:
    if arxiv.SURELY_WELL_FORMED.fullmatch(raw):
        assert arxiv.check_id(raw)[1] is None, raw


def test_the_surely_well_formed_pattern_covers_every_modern_month() -> None:
    for yy in range(7, 100):
        for mm in range(14):
            for num in ("1234", "12345"):
                raw = f"{yy:02d}{mm:02d}.{num}"
                sure = arxiv.SURELY_WELL_FORMED.fullmatch(raw) is not None
                assert sure == (arxiv.check_id(raw)[1] is None), raw
