"""``to`` and ``validate`` with ``--enrich``, end to end against the loopback arXiv server.

The three digest seeds hold 32 distinct papers; the server answers for them
from the synthesized ``seeds-api.xml`` (see tests/data/PROVENANCE.md).
"""

from __future__ import annotations

import email.utils
import json
import socket
from pathlib import Path

from digestconv import formats
from digestconv.conversion import convert
from digestconv.enrich import EnrichOptions
from digestconv.enrich.atom import parse_feed
from digestconv.enrich.record import ArxivRecord

from ..cli.conftest import SEED_000, SEED_001, SEED_003, Invoke, assert_no_traceback
from ..cli.conftest import run as run
from .conftest import DATA, FakeClock, ReplayServer

DIGESTS = (SEED_000, SEED_001, SEED_003)
SEED_RECORDS = parse_feed((DATA / "seeds-api.xml").read_bytes()).records


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    return f"http://127.0.0.1:{port}/api/query"


def _created(stamp: str) -> str:
    import datetime as dt

    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return email.utils.format_datetime(when, usegmt=True)


def snapshot_line(record: ArxivRecord) -> str:
    """``record`` as one line of arxiv-metadata-oai-snapshot.json."""
    assert record.published and record.updated
    versions = [{"version": "v1", "created": _created(record.published)}]
    for n in range(2, record.version + 1):
        versions.append({"version": f"v{n}", "created": _created(record.updated)})
    parsed = [
        [a.literal, "", ""] if a.literal else [a.family, a.given or "", a.suffix or ""]
        for a in record.authors
    ]
    return json.dumps(
        {
            "id": record.arxiv_id,
            "submitter": record.authors[0].name,
            "authors": ", ".join(a.name for a in record.authors),
            "title": record.title,
            "comments": record.comment,
            "journal-ref": record.journal_ref,
            "doi": record.doi,
            "report-no": None,
            "categories": " ".join(record.categories),
            "license": None,
            "abstract": "  " + record.abstract + "\n",
            "versions": versions,
            "update_date": record.updated[:10],
            "authors_parsed": parsed,
        }
    )


def test_library_fills_batch_records_in_one_request(
    arxiv_server: ReplayServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    options = EnrichOptions(api_url=arxiv_server.url, cache_dir=tmp_path)
    result = convert(
        DIGESTS,
        formats.find("bibtex"),  # type: ignore[arg-type]
        enrich=options,
        enrich_hooks={"clock": clock, "sleep": clock.sleep},
    )
    assert result.exit_code == 0 and result.unenriched == 0
    assert set(result.records) == {p.arxiv_id for p in result.papers}
    assert len(result.records) == 32
    assert all(r.authors for r in result.records.values())
    for key, record in result.records.items():
        expected = SEED_RECORDS[key]
        assert (record.authors, record.title, record.abstract, record.published) == (
            expected.authors,
            expected.title,
            expected.abstract,
            expected.published,
        )
    (request,) = arxiv_server.log
    assert len(request.ids) == 32 and request.max_results == 32
    assert clock.sleeps == []  # one request: nothing to wait for


def test_to_bibtex_enrich_online_offline_and_snapshot_give_the_same_bytes(
    run: Invoke, env: dict[str, str | None], arxiv_server: ReplayServer, tmp_path: Path
) -> None:
    plain = run("to", "bibtex", *DIGESTS, env=env)
    assert plain.exit_code == 0 and arxiv_server.log == []
    online = run("to", "bibtex", "--enrich", *DIGESTS, env=env)
    assert online.exit_code == 0, online.stderr
    assert "DC502" not in online.stderr
    (request,) = arxiv_server.log  # 32 papers: one request
    assert len(request.ids) == 32 and request.max_results == 32
    assert request.user_agent.startswith("digestconv/")
    # the same again from the cache alone, with no request
    offline = run("to", "bibtex", "--enrich", "--offline", *DIGESTS, env=env)
    assert offline.exit_code == 0
    assert offline.stdout_bytes == online.stdout_bytes
    assert offline.stderr == online.stderr
    assert len(arxiv_server.log) == 1
    # and from a snapshot file alone, with an empty cache
    snapshot = tmp_path / "arxiv-metadata-oai-snapshot.json"
    snapshot.write_text("".join(snapshot_line(r) + "\n" for r in SEED_RECORDS.values()), "utf-8")
    empty = {**env, "DIGESTCONV_CACHE_DIR": str(tmp_path / "empty-cache")}
    from_snapshot = run(
        "to", "bibtex", "--enrich", "--offline", "--snapshot", snapshot, *DIGESTS, env=empty
    )
    assert from_snapshot.exit_code == 0
    assert from_snapshot.stdout_bytes == online.stdout_bytes
    assert len(arxiv_server.log) == 1


def test_to_bibtex_enrich_writes_the_authors_of_all_32_papers(
    run: Invoke, env: dict[str, str | None], arxiv_server: ReplayServer
) -> None:
    """Read back with bibtexparser v2, names split by its own name parser."""
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

    result = run("to", "bibtex", "--enrich", *DIGESTS, env=env)
    assert result.exit_code == 0
    library = bibtexparser.parse_string(
        result.stdout, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    )
    assert library.failed_blocks == []
    assert len(library.entries) == 32
    for entry in library.entries:
        record = SEED_RECORDS[entry["eprint"]]
        names = entry["author"]
        assert [" ".join(n.last) for n in names] == [
            a.family if a.literal is None else a.literal for a in record.authors
        ]
        assert [" ".join(n.first) for n in names] == [
            a.given or "" if a.literal is None else "" for a in record.authors
        ]
    assert len(arxiv_server.log) == 1


def test_to_with_the_api_unreachable_writes_every_paper_with_one_warning(
    run: Invoke, env: dict[str, str | None]
) -> None:
    plain = run("to", "bibtex", *DIGESTS, env=env)
    dead = run(
        "to", "bibtex", "--enrich", *DIGESTS, env={**env, "DIGESTCONV_ARXIV_API": _dead_url()}
    )
    assert dead.exit_code == 0
    assert dead.stdout_bytes == plain.stdout_bytes  # every paper, from the digest alone
    warnings = [x for x in dead.stderr.splitlines() if "DC502" in x]
    assert len(warnings) == 1
    assert "32 papers not enriched" in warnings[0] and "unreachable" in warnings[0]
    assert_no_traceback(dead.stdout, dead.stderr)
    strict = run(
        "to",
        "bibtex",
        "--strict",
        "--enrich",
        *DIGESTS,
        env={**env, "DIGESTCONV_ARXIV_API": _dead_url()},
    )
    assert strict.exit_code == 1 and strict.stdout_bytes == plain.stdout_bytes


def test_to_offline_with_an_empty_cache_is_todays_output_plus_one_warning(
    run: Invoke, env: dict[str, str | None], arxiv_server: ReplayServer
) -> None:
    plain = run("to", "csl-json", *DIGESTS, env=env)
    offline = run("to", "csl-json", "--enrich", *DIGESTS, env={**env, "DIGESTCONV_OFFLINE": "1"})
    assert offline.exit_code == 0 and offline.stdout_bytes == plain.stdout_bytes
    extra = set(offline.stderr.splitlines()) - set(plain.stderr.splitlines())
    assert len([x for x in extra if "DC502" in x]) == 1
    assert "offline" in next(x for x in extra if "DC502" in x)
    assert arxiv_server.log == []


def test_without_enrich_nothing_changes_and_nothing_is_imported() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from digestconv.cli import app\n"
        "try:\n"
        f"    app(['to', 'bibtex', {str(SEED_000)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "net = sorted(m for m in ('urllib.request', 'http.client', 'ssl', 'sqlite3', "
        "'digestconv.enrich.transport', 'digestconv.enrich.cache') if m in sys.modules)\n"
        "print('NET', net, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "NET []" in proc.stderr, proc.stderr[-500:]


def test_metadata_options_need_enrich(run: Invoke, env: dict[str, str | None]) -> None:
    result = run("to", "bibtex", "--snapshot", "x.json", SEED_000, env=env)
    assert result.exit_code == 2 and "--snapshot only applies with --enrich" in result.stderr
    result = run("validate", "--refresh", SEED_000, env=env)
    assert result.exit_code == 2 and "--refresh only applies with --enrich" in result.stderr


def test_validate_enrich(
    run: Invoke, env: dict[str, str | None], arxiv_server: ReplayServer, tmp_path: Path
) -> None:
    from digestconv import rules

    plain = run("validate", *DIGESTS, env=env)
    enriched = run("validate", "--enrich", *DIGESTS, env=env)
    assert len(arxiv_server.log) == 1
    assert enriched.exit_code == plain.exit_code
    # the papers arXiv has raise nothing new unless a metadata rule finds a difference
    new = set(enriched.stdout.splitlines()[:-1]) - set(plain.stdout.splitlines()[:-1])
    metadata_codes = {r.code for r in rules.iter_metadata_rules()}
    assert all(line.split(": ")[1].split()[0] in metadata_codes for line in new), new
    # unreachable: one warning line, exit unchanged; --strict fails on it
    dead = {**env, "DIGESTCONV_ARXIV_API": _dead_url(), "DIGESTCONV_CACHE_DIR": str(tmp_path / "x")}
    down = run("validate", "--enrich", *DIGESTS, env=dead)
    assert down.exit_code == plain.exit_code
    assert len([x for x in down.stdout.splitlines() if "DC502" in x]) == 1
    assert run("validate", "--strict", "--enrich", *DIGESTS, env=dead).exit_code == 1


def test_validate_enrich_paper_arxiv_does_not_have(
    run: Invoke, env: dict[str, str | None], tmp_path: Path
) -> None:
    from digestconv import rules

    digest = tmp_path / "digest.md"
    digest.write_text(SEED_000.read_text("utf-8").replace("2402.04177", "2402.99999"), "utf-8")
    import digestconv

    result = run("validate", "--enrich", digest, env=env)
    assert_no_traceback(result.stdout, result.stderr)
    assert rules.get("DC501") in list(rules.iter_metadata_rules())
    lines = [x for x in result.stdout.splitlines() if "DC501" in x]
    span = digestconv.parse([digest])[0].papers[1].span("url")
    assert len(lines) == 1 and "2402.99999" in lines[0]
    assert lines[0].startswith(f"{digest}:{span.line}:{span.column}: DC501 enrich-not-found")
    assert result.exit_code == 1


def test_library_validate_with_enrich(arxiv_server: ReplayServer, tmp_path: Path) -> None:
    import digestconv

    plain = digestconv.validate(list(DIGESTS))
    dead = EnrichOptions(api_url=_dead_url(), cache_dir=tmp_path)
    report = digestconv.validate(list(DIGESTS), enrich=dead)
    new = [d for d in report.diagnostics if d not in plain.diagnostics]
    assert [d.code for d in new] == ["DC502"]
    assert new[0].path == str(SEED_000) and "32 papers" in new[0].message
    online = EnrichOptions(api_url=arxiv_server.url, cache_dir=tmp_path)
    report = digestconv.validate(list(DIGESTS), enrich=online)
    assert not any(d.code in ("DC502", "DC503") for d in report.diagnostics)
    assert len(arxiv_server.log) == 1
