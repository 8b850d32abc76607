"""Named regression tests for hostile input to the reader, each built from a real digest.

Each test pins one class of defect found by hand or by fuzzing:

* numbers too large for Python's ``int()`` (refs ``[^N]``, versions ``vN``);
* suppression comments that made reading or suppressing quadratic;
* the old-feed title suffix grammar matched loosely.

Growth is measured by counting the Python lines the library executes (never
wall-clock time), so the tests are deterministic.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import digestconv
from digestconv import arxiv
from digestconv.model import MAX_REF, Diagnostic
from digestconv.reader import read
from digestconv.settings import Settings

from .rules.conftest import SEED_000, SEED_001, corpus, edit, position, seed

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILES = sorted((ROOT / "tests" / "fixtures" / "corpus").glob("[0-9][0-9][0-9].md"))
SEED_FILES = sorted((ROOT / "seeds").glob("*.txt"))
PACKAGE = str(Path(digestconv.__file__).resolve().parent)

HUGE = "9" * 5000  # more digits than Python converts (4,300)
#: paper 1 of corpus 002: an old-feed title
OLD_TITLE = (
    "GPTs are GPTs: An Early Look at the Labor Market Impact Potential of Large Language Models."
)
OLD_SUFFIX = " (arXiv:2303.10130v1 [econ.GN])"


def check(text: str, path: str = "digest.md") -> list[Diagnostic]:
    return digestconv.check([read(text.encode("utf-8"), path)], Settings())


def rules_of(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.rule for d in diagnostics]


# ---------------------------------------------------------------- huge numbers


def test_huge_ref_in_table_row_is_a_syntax_diagnostic() -> None:
    text = edit(seed(SEED_000), "| [^1] |", f"| [^{HUGE}] |")
    digest = read(text.encode("utf-8"), "digest.md")
    [issue] = [i for i in digest.issues if "larger than" in i.message]
    line, col = position(text, HUGE)
    assert (issue.rule, issue.span.line, issue.span.column) == ("syntax", line, col)
    assert issue.span.end_column == col + len(HUGE)
    assert f"[^{MAX_REF}]" in issue.message and "5000 digits" in issue.message
    assert digest.rows[0].ref is None
    assert "syntax" in rules_of(check(text))


def test_huge_ref_in_block_marker_is_a_syntax_diagnostic() -> None:
    text = edit(seed(SEED_000), "[^2]:", f"[^{HUGE}]:")
    digest = read(text.encode("utf-8"), "digest.md")
    [issue] = [i for i in digest.issues if "larger than" in i.message]
    assert (issue.span.line, issue.span.column) == (position(text, HUGE)[0], 3)
    assert [ref for ref, _ in digest.blocks] == [1, None]
    assert "syntax" in rules_of(check(text))


def test_ref_at_the_limit_is_read_and_one_above_is_reported() -> None:
    base = seed(SEED_000)
    at_limit = read(edit(base, "| [^1] |", f"| [^{MAX_REF}] |").encode(), "d.md")
    assert at_limit.rows[0].ref == MAX_REF
    zeros = read(edit(base, "| [^1] |", "| [^" + "0" * 5000 + "1] |").encode(), "d.md")
    assert zeros.rows[0].ref == 1  # leading zeros never count against the limit
    above = read(edit(base, "| [^1] |", f"| [^{MAX_REF + 1}] |").encode(), "d.md")
    assert above.rows[0].ref is None
    assert any("larger than" in i.message for i in above.issues)


@pytest.mark.parametrize(
    ("where", "old", "new"),
    [
        ("URL", "[https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)",
         f"[https://arxiv.org/abs/2403.15711v{HUGE}](https://arxiv.org/abs/2403.15711v{HUGE})"),
        ("abstract prefix", "arXiv:2403.15711v1 Announce", f"arXiv:2403.15711v{HUGE} Announce"),
    ],
    ids=["url", "announce-prefix"],
)  # fmt: skip
def test_huge_version_is_id_malformed_not_a_crash(where: str, old: str, new: str) -> None:
    text = edit(seed(SEED_000), old, new)
    digest = read(text.encode("utf-8"), "digest.md")
    paper = digest.papers[0]
    assert paper.arxiv_id == "2403.15711"
    assert paper.version != int("9" * 40)  # never the huge number
    diagnostics = [d for d in check(text) if d.rule == "id-malformed"]
    assert any(f"{where} version v999999" in d.message for d in diagnostics), diagnostics
    assert all(d.line == position(text, HUGE)[0] for d in diagnostics)


def test_huge_version_in_old_feed_title_suffix() -> None:
    text = edit(corpus(2), "2303.10130v1 [econ.GN]", f"2303.10130v{HUGE} [econ.GN]")
    paper = read(text.encode("utf-8"), "002.md").papers[0]
    assert (paper.title, paper.version, paper.primary_category) == (
        OLD_TITLE[:-1],
        None,
        "econ.GN",
    )
    [diag] = [d for d in check(text) if d.rule == "id-malformed"]
    assert "title suffix version" in diag.message and f"v{arxiv.MAX_VERSION}" in diag.message


def test_thirteen_digit_version_is_reported_on_both_sides() -> None:
    """The limit is shared: what the reader refuses, no writer is handed."""
    big = "1" * 13
    text = edit(seed(SEED_000), "arXiv:2403.15711v1 Announce", f"arXiv:2403.15711v{big} Announce")
    [paper, *_] = read(text.encode("utf-8"), "digest.md").papers
    assert paper.version is None
    assert "id-malformed" in rules_of(check(text))
    assert arxiv.parse_version(big) is None
    assert arxiv.parse_version(str(arxiv.MAX_VERSION)) == arxiv.MAX_VERSION
    assert arxiv.split_version(f"2403.15711v{big}") == ("2403.15711", None)


def test_id_parser_never_raises_on_huge_versions() -> None:
    url = arxiv.parse_url(f"https://arxiv.org/abs/2403.15711v{HUGE}")
    assert url is not None and (url.raw_id, url.version) == ("2403.15711", None)
    assert url.version_text == HUGE
    announce = arxiv.parse_announce(f"arXiv:2403.15711v{HUGE} Announce Type: new  Abstract: x")
    assert announce is not None and announce.version is None
    suffix = arxiv.parse_title_suffix(f"T. (arXiv:2403.15711v{HUGE} [cs.LG])")
    assert suffix is not None and suffix.version is None


def test_format_readers_share_the_version_limit() -> None:
    from digestconv.formats import _xml

    assert _xml.to_int(str(arxiv.MAX_VERSION), "v", arxiv.MAX_VERSION) == arxiv.MAX_VERSION
    with pytest.raises(_xml.FormatError):
        _xml.to_int(str(arxiv.MAX_VERSION + 1), "v", arxiv.MAX_VERSION)
    with pytest.raises(_xml.FormatError):
        _xml.to_int(HUGE, "v", arxiv.MAX_VERSION)


# ---------------------------------------------------------------- linear suppressions


def line_events(fn: Callable[[], object]) -> int:
    """How many lines of digestconv's own code ``fn`` executes."""
    count = 0

    def local(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        if frame.f_code.co_filename.startswith(PACKAGE):
            return local
        return None

    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


COMMENT = "<!-- digestconv: ignore[abstract-truncated] -->\n"


def _comments_before_block(n: int) -> str:
    return edit(seed(SEED_000), "[^2]:", COMMENT * n + "[^2]:")


def _comments_after_rows(n: int) -> str:
    """``n`` more table rows after the last one, each with a suppression comment."""
    text = seed(SEED_000)
    last = next(ln for ln in text.split("\n") if ln.startswith("| [^2] |"))
    rows = "".join(
        last.replace("[^2]", f"[^{i}]", 1) + " <!-- digestconv: ignore[ref-missing-detail] -->\n"
        for i in range(3, n + 3)
    )
    return edit(text, last + "\n", last + "\n" + rows)


def test_many_suppression_comments_before_one_block_all_target_it() -> None:
    text = _comments_before_block(100_000)
    digest = read(text.encode("utf-8"), "digest.md")
    block = position(text, "[^2]:")[0]
    assert len(digest.suppressions) == 100_000
    assert {(s.start, s.end) for s in digest.suppressions} == {(block, digest.papers[1].end_line)}


@pytest.mark.parametrize(
    "build", [_comments_before_block, _comments_after_rows], ids=["before-block", "after-rows"]
)
def test_suppressions_grow_linearly(build: Callable[[int], str]) -> None:
    """Reading and suppressing: twice the comments, about twice the work (not four times)."""
    small, large = build(400).encode("utf-8"), build(800).encode("utf-8")

    def work(data: bytes) -> Callable[[], object]:
        return lambda: digestconv.check([read(data, "digest.md")], Settings())

    base = line_events(work(build(0).encode("utf-8")))
    ratio = (line_events(work(large)) - base) / (line_events(work(small)) - base)
    assert ratio < 2.3, ratio


def test_row_suppressions_silence_their_rows_only() -> None:
    text = _comments_after_rows(50)
    diagnostics = check(text)
    assert not [d for d in diagnostics if d.rule in ("ref-missing-detail", "unused-suppression")]
    assert "ref-order" not in rules_of(diagnostics)
    # each row's comment silenced its own row: removing one brings its diagnostic back
    line = position(text, "| [^30] |")[0]
    lines = text.split("\n")
    lines[line - 1] = lines[line - 1].split(" <!--")[0]
    [back] = [d for d in check("\n".join(lines)) if d.rule == "ref-missing-detail"]
    assert back.line == line


# ---------------------------------------------------------------- title suffix grammar


def test_text_after_old_feed_suffix_is_reported_not_kept_silently() -> None:
    text = edit(corpus(2), OLD_SUFFIX + "\n", OLD_SUFFIX + " <!-- note -->\n")
    diagnostics = check(text, "002.md")
    [diag] = [d for d in diagnostics if d.rule == "syntax"]
    line, col = position(text, " <!-- note -->", offset=1)
    assert (diag.line, diag.column) == (line, col)
    assert "text after the old-feed suffix" in diag.message
    assert "title-mismatch" not in rules_of(diagnostics)  # one defect, one diagnostic
    paper = read(text.encode("utf-8"), "002.md").papers[0]
    assert paper.title is not None and paper.title.endswith("<!-- note -->")


def test_malformed_old_feed_suffix_is_reported() -> None:
    text = edit(corpus(2), "2303.10130v1 [econ.GN]", "2303.10130v 1 [econ.GN]")
    diagnostics = check(text, "002.md")
    [diag] = [d for d in diagnostics if d.rule == "syntax"]
    assert (diag.line, diag.column) == position(text, "(arXiv:2303.10130v 1")
    assert "malformed old-feed suffix" in diag.message
    assert "title-mismatch" not in rules_of(diagnostics)


def test_malformed_suffix_papers_are_not_converted() -> None:
    text = edit(corpus(2), OLD_SUFFIX + "\n", OLD_SUFFIX + " extra words\n")
    digest = read(text.encode("utf-8"), "002.md")
    errors = [d for d in check(text, "002.md") if d.severity == "error"]
    first = digest.papers[0]
    assert any(first.line <= d.line <= (first.end_line or 0) for d in errors)


@pytest.mark.parametrize("suffix", ["", OLD_SUFFIX], ids=["new-feed", "old-feed"])
def test_title_mentioning_arxiv_in_parentheses_is_not_a_mismatch(suffix: str) -> None:
    real = "Mining (arXiv) Preprints"
    if suffix:  # corpus 002: the table keeps the old feed's dot
        text = edit(corpus(2), f"[{OLD_TITLE}]", f"[{real}.]")
        text = edit(text, OLD_TITLE + OLD_SUFFIX, real + "." + OLD_SUFFIX)
    else:
        text = seed(SEED_000)
        old = "Identifiable Latent Neural Causal Models"
        text = edit(edit(text, f"[{old}]", f"[{real}]"), f"    {old}\n", f"    {real}\n")
    diagnostics = check(text)
    assert "title-mismatch" not in rules_of(diagnostics)
    assert "syntax" not in rules_of(diagnostics)
    assert read(text.encode("utf-8"), "d.md").papers[0].title == real


def test_title_mismatch_uses_the_models_grammar() -> None:
    """The table title check and the model agree on every real title."""
    for path in [*CORPUS_FILES, *SEED_FILES]:
        for paper in read(path.read_bytes(), str(path)).papers:
            raw = paper.source.raw_title
            if raw is not None:
                assert paper.source.table_title == arxiv.table_title(raw)


def test_exact_suffix_forms() -> None:
    for kind, announce in (("", "new"), (" UPDATED", "replace"), (" CROSS LISTED", "cross")):
        suffix = arxiv.parse_title_suffix(f"A Title. (arXiv:2310.15719v2 [cs.LG]{kind})")
        assert suffix is not None
        assert (suffix.raw_id, suffix.version, suffix.category, suffix.announce_type) == (
            "2310.15719",
            2,
            "cs.LG",
            announce,
        )
    for bad in (
        "A Title. (arXiv:2310.15719v 1 [cs.LG])",
        "A Title. (arXiv:2310.15719v1 [cs.LG] REPLACED)",
        "A Title.(arXiv:2310.15719v1 [cs.LG])",
        "A Title. (arXiv:2310.15719v1 [cs.LG]) and more",
        "A Title. (arXiv:2310.15719v1 [cs.LG])<!-- c -->",
    ):
        assert arxiv.parse_title_suffix(bad) is None, bad
        assert arxiv.title_suffix_problem(bad) is not None, bad
    for fine in ("Mining (arXiv) Preprints", "On (arXiv: a preprint server) and others"):
        assert arxiv.title_suffix_problem(fine) is None
        assert arxiv.table_title(fine) == fine


# ---------------------------------------------------------------- pickling


@pytest.mark.parametrize("path", [*CORPUS_FILES, *SEED_FILES], ids=lambda p: p.name)
def test_parsed_files_pickle(path: Path) -> None:
    digest = read(path.read_bytes(), str(path))
    loaded = pickle.loads(pickle.dumps(digest))
    assert loaded == digest
    assert loaded.rows == digest.rows and loaded.blocks == digest.blocks
    assert loaded.issues == digest.issues and loaded.suppressions == digest.suppressions
    assert loaded.landmarks == digest.landmarks and loaded.text == digest.text
    for paper, back in zip(digest.papers, loaded.papers, strict=True):
        assert pickle.loads(pickle.dumps(paper)) == paper
        assert back.to_dict() == paper.to_dict()
        assert back.source == paper.source
        assert [r.spans for r in (back.source.row, paper.source.row) if r] == [
            r.spans for r in (paper.source.row, back.source.row) if r
        ]


def test_pickled_suppressed_digest_keeps_its_suppressions() -> None:
    text = edit(seed(SEED_001), "[^1]:", COMMENT + "[^1]:", occurrence=1)
    digest = read(text.encode("utf-8"), "digest.md")
    assert digest.suppressions
    assert pickle.loads(pickle.dumps(digest)).suppressions == digest.suppressions


# ---------------------------------------------------------------- properties


@given(
    digits=st.text("0123456789", min_size=1, max_size=6000),
    place=st.sampled_from(["row", "block", "url", "prefix", "suffix"]),
)
@settings(max_examples=40)
def test_any_number_anywhere_never_raises(digits: str, place: str) -> None:
    if place == "suffix":
        text = edit(corpus(2), "2303.10130v1 [", f"2303.10130v{digits} [")
    else:
        old, new = {
            "row": ("| [^1] |", f"| [^{digits}] |"),
            "block": ("[^2]:", f"[^{digits}]:"),
            "url": ("](https://arxiv.org/abs/2403.15711)\n", f"](https://arxiv.org/abs/2403.15711v{digits})\n"),
            "prefix": ("arXiv:2403.15711v1 Announce", f"arXiv:2403.15711v{digits} Announce"),
        }[place]  # fmt: skip
        text = edit(seed(SEED_000), old, new)
    digest = read(text.encode("utf-8"), "digest.md")
    for paper in digest.papers:
        assert paper.version is None or 0 <= paper.version <= arxiv.MAX_VERSION
        assert paper.ref is None or 0 <= paper.ref <= MAX_REF
    diagnostics = check(text)
    value = int(digits.lstrip("0") or "0") if len(digits.lstrip("0")) < 20 else None
    if place in ("row", "block") and (value is None or value > MAX_REF):
        assert "syntax" in rules_of(diagnostics)
    if place != "row" and place != "block" and (value is None or value > arxiv.MAX_VERSION):
        assert "id-malformed" in rules_of(diagnostics)


@given(
    title=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60),
    version=st.integers(1, arxiv.MAX_VERSION),
    kind=st.sampled_from(["", " UPDATED", " CROSS LISTED"]),
)
def test_exact_suffix_is_split_off_any_title(title: str, version: int, kind: str) -> None:
    from digestconv.reader.assemble import split_title

    title = title.strip()
    assume(title and not title.endswith(".") and not title[-1].isspace())
    parts = split_title(f"{title}. (arXiv:2310.15719v{version} [cs.LG]{kind})")
    assert parts.suffix is not None and parts.suffix.version == version
    assert (parts.title, parts.table_title, parts.problem) == (title, f"{title}.", None)


def test_title_padded_with_ideographic_space_matches_itself() -> None:
    """The table title is compared as the reader reads titles: only spaces and tabs are stripped."""
    old = "Identifiable Latent Neural Causal Models"
    padded = f"\u3000{old}\u3000"
    text = edit(seed(SEED_000), f"[{old}]", f"[{padded}]")
    text = edit(text, f"    {old}\n", f"    {padded}\n")
    assert read(text.encode("utf-8"), "d.md").papers[0].title == padded
    assert "title-mismatch" not in rules_of(check(text))
