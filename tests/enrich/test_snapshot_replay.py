"""Real arXiv records replayed through ``to --enrich --snapshot``, judged field by field.

The records are real lines of arXiv's bulk metadata snapshot
(``tests/data/arxiv/snapshot-0704.0001-0200.jsonl``, see tests/data/PROVENANCE.md):

* 0704.0033 and 0704.0038, whose ``doi`` field holds two DOIs, the article's and its
  erratum's (``10.1364/JOSAA.23.002578 10.1364/JOSAA.32.002407``);
* 0704.0156, withdrawn: its latest version (v2) is a withdrawal notice;
* 0704.0007 (one journal DOI) and 0704.0004 (none), to tell those cases apart.

A digest naming these papers goes through the command line with the snapshot as the
only metadata source (offline, empty cache).  Every output is read by a real consumer
(bibtexparser and pylatexenc, the CSL-JSON schema, rispy, feedparser, listparser) and
every field is compared with what the snapshot line says, computed here from the line
itself: authors from ``authors_parsed``, the date of ``versions[0]``, the number of the
last version, the DOIs split at white space.
"""

from __future__ import annotations

import json
import shutil
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from ..cli.conftest import Invoke, assert_no_traceback
from ..cli.conftest import cli as cli
from .conftest import DATA

SNAPSHOT = DATA / "snapshot-0704.0001-0200.jsonl"
LINES: dict[str, dict[str, Any]] = {
    line["id"]: line for line in map(json.loads, SNAPSHOT.read_text("utf-8").splitlines())
}
#: the papers of the digest, in its order
IDS = ("0704.0033", "0704.0038", "0704.0156", "0704.0007", "0704.0004")
TWO_DOIS = ("0704.0033", "0704.0038")
WITHDRAWN = "0704.0156"
#: the digest's own text of every paper (what only the digest has)
ZH = {
    "0704.0033": "离散偶极近似的收敛性 I：理论分析",
    "0704.0038": "离散偶极近似：综述与最新进展",
    "0704.0156": "基于直接边界积分表述的非线性无力场日冕磁场外推方法",
    "0704.0007": "聚合物量子力学及其连续极限",
    "0704.0004": "斯特林循环数的行列式计数无标号无环单源自动机",
}
SUMMARY_ZH = "一句话摘要。"
ABSTRACT_ZH = "中文摘要。"
MARK = "Withdrawn: arXiv v2 is a withdrawal notice"


def fold(text: str | None) -> str | None:
    """A snapshot text as one line: every run of white space one space."""
    return " ".join(text.split()) if text else None


def latest(line: dict[str, Any]) -> int:
    return max(int(v["version"][1:]) for v in line["versions"])


def v1_day(line: dict[str, Any]) -> tuple[int, int, int]:
    when = parsedate_to_datetime(line["versions"][0]["created"])
    return when.year, when.month, when.day


def digest_version(ident: str) -> int:
    """The version the digest announces: the withdrawal notice as arXiv listed it (v2) for
    the withdrawn paper, the first version for the others."""
    return latest(LINES[ident]) if ident == WITHDRAWN else 1


def journal_dois(line: dict[str, Any]) -> list[str]:
    return (line["doi"] or "").split()


def printed_doi(ident: str) -> str:
    """The DOI a citation prints: the first journal DOI, else arXiv's."""
    found = journal_dois(LINES[ident])
    return found[0] if found else f"10.48550/arXiv.{ident}"


def other_dois(ident: str) -> list[str]:
    """Every other DOI of the paper: arXiv's, then the further journal DOIs."""
    found = journal_dois(LINES[ident])
    return [f"10.48550/arXiv.{ident}", *found[1:]] if found else []


def names(ident: str) -> list[tuple[str, str]]:
    parsed = LINES[ident]["authors_parsed"]
    assert all(suffix == "" for _family, _given, suffix in parsed)
    return [(family, given) for family, given, _suffix in parsed]


def digest() -> str:
    """A digest of the papers, in the layout of the real ones, from the snapshot's text."""
    rows, blocks = [], []
    for n, ident in enumerate(IDS, 1):
        line = LINES[ident]
        title, link = fold(line["title"]), f"https://arxiv.org/abs/{ident}"
        kind = "replace" if digest_version(ident) > 1 else "new"
        rows.append(f"| [^{n}] | [{title}]({link}) | {SUMMARY_ZH} |")
        blocks.append(
            f"[^{n}]: {ZH[ident]}\n\n    {title}\n\n    [{link}]({link})\n\n"
            f"    {SUMMARY_ZH}\n\n    \n\n    {ABSTRACT_ZH}\n\n"
            f"    arXiv:{ident}v{digest_version(ident)} Announce Type: {kind}  "
            f"Abstract: {fold(line['abstract'])}\n    \n"
        )
    head = "# 摘要\n\n| Ref | Title | Summary |\n| --- | --- | --- |\n"
    return head + "\n".join(rows) + "\n\n# 详细\n\n" + "\n".join(blocks)


def digest_notes(ident: str) -> list[str]:
    """The digest's own lines every citation format keeps, after the withdrawal mark."""
    out = [f"标题: {ZH[ident]}", f"摘要: {SUMMARY_ZH}", f"译文: {ABSTRACT_ZH}"]
    if latest(LINES[ident]) != digest_version(ident):
        out.append(f"Digest version: v{digest_version(ident)}")
    return out


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The digest and a copy of the snapshot (its index is written beside it)."""
    folder = tmp_path_factory.mktemp("replay")
    snapshot = folder / "arxiv-metadata-oai-snapshot.json"
    shutil.copyfile(SNAPSHOT, snapshot)
    path = folder / "digest.md"
    path.write_text(digest(), "utf-8")
    return {"folder": folder, "snapshot": snapshot, "digest": path}


def convert(cli: Invoke, replay: dict[str, Any], fmt: str, *options: str) -> tuple[str, str]:
    """``to FORMAT --enrich --offline --snapshot`` with an empty cache: (stdout, stderr)."""
    env = {
        "DIGESTCONV_CACHE_DIR": str(replay["folder"] / f"cache-{fmt}{''.join(options)}"),
        "DIGESTCONV_ARXIV_API": "http://127.0.0.1:9/api/query",  # never asked: offline
        "DIGESTCONV_OFFLINE": None,
    }
    result = cli(
        "to",
        fmt,
        "--enrich",
        "--offline",
        "--snapshot",
        replay["snapshot"],
        *options,
        replay["digest"],
        env=env,
    )
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    assert "DC502" not in result.stderr  # every paper found in the snapshot
    return result.stdout, result.stderr


def test_the_replayed_lines_are_the_cases_named() -> None:
    """The snapshot lines hold what the tests below rely on."""
    assert [len(journal_dois(LINES[i])) for i in IDS] == [2, 2, 1, 1, 0]
    assert LINES["0704.0033"]["doi"] == "10.1364/JOSAA.23.002578 10.1364/JOSAA.32.002407"
    assert LINES["0704.0038"]["doi"] == "10.1016/j.jqsrt.2007.01.034 10.1016/j.jqsrt.2015.11.025"
    withdrawn = LINES[WITHDRAWN]
    assert latest(withdrawn) == 2
    assert fold(withdrawn["abstract"]) == "This paper has been withdrawn by the authors."
    assert withdrawn["comments"].startswith("This paper has been withdrawn by the authors.")


# ---------------------------------------------------------------- BibTeX


def bib_text(value: str) -> str:
    """A BibTeX value as text: LaTeX decoded by pylatexenc, math kept as written."""
    from pylatexenc.latex2text import LatexNodes2Text

    return str(LatexNodes2Text(math_mode="verbatim").latex_to_text(value))


def expected_bibtex(ident: str) -> dict[str, str]:
    """Every field of the entry, from the snapshot line (text fields as text)."""
    line = LINES[ident]
    y, m, d = v1_day(line)
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    fields = {
        "author": " and ".join(f"{family}, {given}" for family, given in names(ident)),
        "title": fold(line["title"]),
        "date": f"{y:04d}-{m:02d}-{d:02d}",
        "year": str(y),
        "month": months[m - 1],
        "eprint": ident,
        "eprinttype": "arxiv",
        "eprintclass": line["categories"].split()[0],
        "version": str(latest(line)),
        "doi": printed_doi(ident),
        "url": f"https://arxiv.org/abs/{ident}",
        "keywords": ", ".join(line["categories"].split()),
        "abstract": fold(line["abstract"]),
        "usere": "replace" if digest_version(ident) > 1 else "new",
    }
    if line["journal-ref"]:
        fields["note"] = fold(line["journal-ref"])
    if ident == WITHDRAWN:
        fields["addendum"] = MARK
    annote = digest_notes(ident)
    if other_dois(ident):
        annote.append("Other DOIs: " + " ".join(other_dois(ident)))
        fields["verbb"] = " ".join(other_dois(ident))
    if line["comments"]:
        annote.append(f"arXiv comment: {fold(line['comments'])}")
    fields["annote"] = "\n".join(annote)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf8", "ascii"])
def test_bibtex_every_field_from_the_snapshot(
    cli: Invoke, replay: dict[str, Any], ascii_only: bool
) -> None:
    import bibtexparser

    text, _ = convert(cli, replay, "bibtex", *(["--ascii"] if ascii_only else []))
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == [f"arxiv{i}" for i in IDS]
    for entry, ident in zip(library.entries, IDS, strict=True):
        got = {f.key: bib_text(str(f.value)) for f in entry.fields}
        assert got == expected_bibtex(ident), ident


def test_bibtex_prints_the_journal_doi_and_keeps_the_erratum(
    cli: Invoke, replay: dict[str, Any]
) -> None:
    """The first journal DOI in ``doi`` (the field styles print, which pybtex and pandoc
    read as the DOI); arXiv's and the erratum's in ``verbb`` and ``annote``."""
    import pybtex.database

    text, _ = convert(cli, replay, "bibtex")
    entries = pybtex.database.parse_string(text, "bibtex").entries
    for ident in IDS:
        fields = entries[f"arxiv{ident}"].fields
        assert fields["doi"] == printed_doi(ident)
        assert fields.get("verbb", "").split() == other_dois(ident)
    for ident in TWO_DOIS:
        first, erratum = journal_dois(LINES[ident])
        assert entries[f"arxiv{ident}"].fields["doi"] == first
        assert erratum in entries[f"arxiv{ident}"].fields["verbb"].split()
        assert erratum in entries[f"arxiv{ident}"].fields["annote"]


def test_pandoc_reads_the_journal_doi_and_the_withdrawal(
    cli: Invoke, replay: dict[str, Any]
) -> None:
    import subprocess

    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed")
    text, _ = convert(cli, replay, "bibtex")
    done = subprocess.run(
        ["pandoc", "-f", "biblatex", "-t", "csljson"],
        input=text.encode(),
        capture_output=True,
        timeout=120,
        check=True,
    )
    items = {item["id"]: item for item in json.loads(done.stdout)}
    for ident in IDS:
        item = items[f"arxiv{ident}"]
        assert item["DOI"] == printed_doi(ident)
        assert item["version"] == str(latest(LINES[ident]))
        assert item["issued"] == {"date-parts": [list(v1_day(LINES[ident]))]}
        assert [(a["family"], a["given"]) for a in item["author"]] == names(ident)
        assert (MARK in item.get("note", "")) == (ident == WITHDRAWN)


# ---------------------------------------------------------------- CSL-JSON


def record_notes(ident: str) -> list[str]:
    """The note lines the record adds after the digest's: journal reference, further
    DOIs, arXiv's comment (CSL-JSON's note and RIS's N1 notes alike)."""
    line = LINES[ident]
    out = []
    if line["journal-ref"]:
        out.append(f"Journal reference: {fold(line['journal-ref'])}")
    if other_dois(ident):
        out.append("Other DOIs: " + " ".join(other_dois(ident)))
    if line["comments"]:
        out.append(f"arXiv comment: {fold(line['comments'])}")
    return out


def expected_csl(ident: str) -> dict[str, Any]:
    line = LINES[ident]
    item: dict[str, Any] = {
        "id": f"arxiv{ident}",
        "type": "article",
        "genre": "Preprint",
        "title": fold(line["title"]),
        "author": [{"family": family, "given": given} for family, given in names(ident)],
        "publisher": "arXiv",
        "number": f"arXiv:{ident}",
        "version": str(latest(line)),
        "issued": {"date-parts": [list(v1_day(line))]},
        "DOI": printed_doi(ident),
        "URL": f"https://arxiv.org/abs/{ident}",
        "abstract": fold(line["abstract"]),
        "keyword": ", ".join(line["categories"].split()),
    }
    note = [MARK] if ident == WITHDRAWN else []
    note += digest_notes(ident)
    note.append("Announce type: " + ("replace" if digest_version(ident) > 1 else "new"))
    note += record_notes(ident)
    item["note"] = "\n".join(note)
    if ident == WITHDRAWN:
        item["status"] = "withdrawn"
    return item


def test_csl_json_every_field_from_the_snapshot(cli: Invoke, replay: dict[str, Any]) -> None:
    from jsonschema import Draft7Validator

    from ..formats.citeutil import ROOT

    schema = json.loads((ROOT / "tests/data/csl-data.json").read_text("utf-8"))
    text, _ = convert(cli, replay, "csl-json")
    items = json.loads(text)
    assert list(Draft7Validator(schema).iter_errors(items)) == []
    assert [item["id"] for item in items] == [f"arxiv{i}" for i in IDS]
    for item, ident in zip(items, IDS, strict=True):
        assert item == expected_csl(ident), ident


# ---------------------------------------------------------------- RIS


def expected_ris(ident: str) -> dict[str, Any]:
    line = LINES[ident]
    y, m, d = v1_day(line)
    notes = [MARK] if ident == WITHDRAWN else []
    notes += digest_notes(ident)
    notes += record_notes(ident)
    return {
        "type_of_reference": "UNPB",
        "id": f"arxiv{ident}",
        "authors": [f"{family}, {given}" for family, given in names(ident)],
        "title": fold(line["title"]),
        "year": f"{y:04d}",
        "date": f"{y:04d}/{m:02d}/{d:02d}",
        "publisher": "arXiv",
        "name_of_database": "arXiv",
        "accession_number": ident,
        "doi": printed_doi(ident),
        "urls": [f"https://arxiv.org/abs/{ident}"],
        "abstract": fold(line["abstract"]),
        "keywords": line["categories"].split(),
        "notes": notes,
        "custom1": str(latest(line)),
        "custom2": "replace" if digest_version(ident) > 1 else "new",
    }


def test_ris_every_field_from_the_snapshot(cli: Invoke, replay: dict[str, Any]) -> None:
    import rispy

    text, _ = convert(cli, replay, "ris")
    entries = rispy.loads(text)
    assert [e["id"] for e in entries] == [f"arxiv{i}" for i in IDS]
    for entry, ident in zip(entries, IDS, strict=True):
        assert entry == expected_ris(ident), ident


# ---------------------------------------------------------------- feeds and the warning


def test_the_feeds_mark_the_withdrawn_paper_alone(cli: Invoke, replay: dict[str, Any]) -> None:
    import feedparser
    import listparser

    rss = feedparser.parse(convert(cli, replay, "rss")[0].encode())
    atom = feedparser.parse(convert(cli, replay, "atom")[0].encode())
    assert rss.bozo == 0 and atom.bozo == 0
    for feed, body in ((rss, "description"), (atom, "content")):
        assert len(feed.entries) == len(IDS)
        for entry, ident in zip(feed.entries, IDS, strict=True):
            text = entry.description if body == "description" else entry.content[0].value
            assert ident in entry.link
            assert (MARK in text) == (ident == WITHDRAWN), ident
    opml_text = convert(cli, replay, "opml")[0]
    assert listparser.parse(opml_text).bozo == 0
    from lxml import etree

    outlines = etree.fromstring(opml_text.encode()).findall("body/outline/outline")
    assert [o.get("url") for o in outlines] == [f"https://arxiv.org/abs/{i}" for i in IDS]
    for outline, ident in zip(outlines, IDS, strict=True):
        assert outline.get("withdrawn") == (MARK if ident == WITHDRAWN else None)


def test_to_warns_of_the_withdrawn_paper(cli: Invoke, replay: dict[str, Any]) -> None:
    """One DC507 warning names the withdrawn paper; the run still writes every entry."""
    text, stderr = convert(cli, replay, "bibtex")
    warned = [line for line in stderr.splitlines() if "DC507" in line]
    assert len(warned) == 1
    assert f"arXiv:{WITHDRAWN}v2" in warned[0] and "withdrawn" in warned[0]
    assert warned[0].startswith(f"{replay['digest']}:")
    assert text.count("@misc{") == len(IDS)


def test_the_cache_gives_the_same_bytes_as_the_snapshot(
    cli: Invoke, replay: dict[str, Any]
) -> None:
    """Records taken from the snapshot are cached; a later run without it writes the same."""
    cache = str(replay["folder"] / "cache-again")
    outputs = []
    for extra in (["--snapshot", str(replay["snapshot"])], []):
        result = cli(
            "to",
            "csl-json",
            "--enrich",
            "--offline",
            *extra,
            replay["digest"],
            env={"DIGESTCONV_CACHE_DIR": cache},
        )
        assert result.exit_code == 0 and "DC502" not in result.stderr
        outputs.append(result.stdout_bytes)
    assert outputs[0] == outputs[1]


# ---------------------------------------------------------------- formatted references


def test_formatted_references_mark_the_withdrawn_paper(cli: Invoke, replay: dict[str, Any]) -> None:
    """GB/T 7714 prints no CSL ``status``: the mark follows the withdrawn paper's entry.
    APA prints it ("(Withdrawn)"): nothing is added there."""
    pytest.importorskip("citeproc")
    gbt, _ = convert(cli, replay, "text")
    lines = gbt.splitlines()
    assert len(lines) == len(IDS)
    for line, ident in zip(lines, IDS, strict=True):
        assert f"https://arxiv.org/abs/{ident}. DOI:{printed_doi(ident)}." in line
        assert line.endswith(f". {MARK}.") == (ident == WITHDRAWN), line
        assert ("withdraw" in line.lower()) == (ident == WITHDRAWN), line
    apa, _ = convert(cli, replay, "text", "--style", "apa")
    (withdrawn,) = [line for line in apa.splitlines() if ident_of(line) == WITHDRAWN]
    assert withdrawn.endswith(f"https://doi.org/{printed_doi(WITHDRAWN)} (Withdrawn)")
    assert "withdrawn" not in apa.replace(withdrawn, "").lower()
    refs, _ = convert(cli, replay, "markdown-refs")
    assert refs.count(MARK) == 1
    page, _ = convert(cli, replay, "html")
    assert page.count(MARK) == 1


def ident_of(reference: str) -> str | None:
    """The identifier of the paper an APA reference cites."""
    return next((i for i in IDS if f"arXiv:{i};" in reference), None)


def test_validate_finds_the_withdrawal_and_nothing_else(
    cli: Invoke, replay: dict[str, Any]
) -> None:
    """The digest is clean, and the real records raise no other metadata finding."""
    from ..cli.conftest import diagnostic_lines

    result = cli(
        "validate",
        "--enrich",
        "--offline",
        "--snapshot",
        replay["snapshot"],
        replay["digest"],
        env={"DIGESTCONV_CACHE_DIR": str(replay["folder"] / "cache-validate")},
    )
    assert result.exit_code == 0, result.output
    (line,) = diagnostic_lines(result.stdout)
    assert " DC507 arxiv-withdrawn " in line and f"arXiv:{WITHDRAWN}v2" in line
