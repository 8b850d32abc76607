"""Property tests: render -> read is the identity; no input makes the reader raise."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from digestconv import arxiv
from digestconv.api import check
from digestconv.layout import render
from digestconv.model import ENTRY_FIELDS, Paper
from digestconv.reader import read
from digestconv.settings import Settings
from tests.strategies import papers

#: fields the digest layout cannot carry or recomputes on reading
NOT_CARRIED = {"line", "end_line", "abstract_truncated", "translation_truncated"}


def representable(paper: Paper) -> Paper:
    """The paper as a digest can hold it (documented limits of the layout).

    * an old-feed title suffix cannot say ``replace-cross`` and always says some type;
    * a version is written only inside a suffix or an announce prefix.
    """
    if paper.primary_category and paper.announce_type not in ("new", "replace", "cross"):
        paper = dataclasses.replace(paper, announce_type="new")
    if not paper.primary_category and not paper.announce_type:
        paper = dataclasses.replace(paper, version=None)
    return paper


def _content(paper: Paper) -> dict[str, object]:
    return {k: v for k, v in paper.to_dict().items() if k not in NOT_CARRIED}


_LINKISH = re.compile(r"^\[[^\]]*\]\([^()\s]*\)$")


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(papers(long_abstracts=False), min_size=0, max_size=6, unique_by=lambda p: p.arxiv_id)
)
def test_render_then_read_is_identity(generated: list[Paper]) -> None:
    expected = [dataclasses.replace(representable(p), ref=i + 1) for i, p in enumerate(generated)]
    # a field that is itself a markdown link would be taken for the link line
    assume(not any(_LINKISH.match(v or "") for p in expected for v in (p.title, p.summary_zh)))
    # a title ending in a malformed old-feed suffix is reported, not read back as written
    assume(not any(arxiv.title_suffix_problem(p.title or "") for p in expected))
    text = render(expected)
    digest = read(text, "generated.md")
    assert [_content(p) for p in digest.papers] == [_content(p) for p in expected]
    assert not [i for i in digest.issues if i.rule == "syntax"]
    # and the output is stable: rendering what was read gives the same text
    assert render(list(digest.papers)) == text


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    digest = read(data, "fuzz.bin")
    check([digest], Settings())


_LINES = st.sampled_from(
    [
        "# 摘要",
        "# 详细",
        "| Ref | Title | Summary |",
        "| --- | --- | --- |",
        "| [^1] | [T](https://arxiv.org/abs/2403.15711) | 总结 |",
        "| [^2] | [T](http://arxiv.org/abs/2413.99999) | a | b |",
        "| [^x] | broken",
        "[^1]: 标题",
        "[^1]:",
        "[^]: x",
        "    Title. (arXiv:2310.15719v1 [cs.XX] UPDATED)",
        "    [https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)",
        "    [a](b)",
        "    arXiv:2403.15711v1 Announce Type: new  Abstract: text",
        "    ",
        "",
        "翻译:中文",
        "<!-- digestconv: ignore[abstract-truncated] -->",
        "<!-- digestconv: ignore-file -->",
        "<!-- digestconv: nonsense -->",
        "plain text",
        "\t[^3]: tabbed",
        "| [^1] | [T](https://arxiv.org/abs/2403.15711) | 总结 |\u0007",
    ]
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_LINES, st.text(max_size=30)), max_size=40))
def test_digest_like_noise_never_raises(lines: list[str]) -> None:
    text = "\n".join(lines)
    digest = read(text, "noise.md")
    total = text.count("\n") + 1
    for issue in digest.issues:
        assert 1 <= issue.span.line <= issue.span.end_line <= total
    diagnostics = check([digest], Settings())
    for d in diagnostics:
        assert 1 <= d.line <= total and d.column >= 1
    for paper in digest.papers:
        assert set(paper.to_dict()) == set(ENTRY_FIELDS)
