"""Every value from the network, a snapshot or an import is validated at one boundary.

A value of the wrong type, a date outside arXiv's years, an absurd version, text
that is not valid Unicode, a line nested 200,000 deep: each becomes a warning
about its paper (or a refused import line), never a crash and never a cached
record that breaks later runs.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from digestconv.enrich import EnrichOptions, lookup
from digestconv.enrich.cache import FILE_NAME, Cache
from digestconv.enrich.record import ArxivRecord, Author
from digestconv.enrich.snapshot import record_from_json

from ..cli.conftest import SEED_000, Invoke, assert_no_traceback
from ..cli.conftest import run as run
from .conftest import FakeClock, ReplayServer, rewrite, set_element
from .test_snapshot import LINES, write_snapshot

GOOD = ArxivRecord(
    "2402.04177",
    2,
    "A title",
    "An abstract.",
    (Author(family="Doe", given="Jane"),),
    "2024-02-06T18:00:00Z",
    "2024-03-01T00:00:00Z",
    ("cs.LG",),
    source="api",
    fetched_at="2026-11-01T00:00:00Z",
)


def _with(**changes: object) -> dict[str, object]:
    data = GOOD.to_json()
    data.update(changes)
    return data


# -- the validator ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": -5}, "version -5 is out of range"),
        ({"version": 10**40}, "out of range"),
        ({"version": float("inf")}, "not a whole number"),
        ({"version": True}, "not a whole number"),
        ({"version": "2"}, "not a whole number"),
        ({"published": 123}, "published is int"),
        ({"published": "0001-01-01T00:00:00Z"}, "out of range"),
        ({"updated": "9999-12-31T23:59:59Z"}, "out of range"),
        ({"updated": "2024-02-30T00:00:00Z"}, "not a date"),
        ({"doi": 10}, "doi is int"),
        ({"comment": {}}, "comment is dict"),
        ({"categories": [1]}, "categories holds int"),
        ({"categories": "cs.LG"}, "categories is not a list"),
        ({"authors": [1]}, "author 1 is int"),
        ({"authors": [{"family": 7}]}, "family is int"),
        ({"authors": [{"given": "No family"}]}, "has no name"),
        ({"title": None, "arxiv_id": "2402.04177v2"}, "not an unversioned"),
        ({"arxiv_id": 2402.04177}, "arxiv_id is float"),
        ({"source": "mirror"}, "source"),
        ({"title": "x" * 5000}, "title is longer"),
        ({"format": 2}, "unknown record format"),
    ],
)
def test_wrong_types_and_ranges_are_refused(changes: dict[str, object], message: str) -> None:
    from digestconv.enrich.record import RecordError, validate

    with pytest.raises(RecordError, match=message):
        validate(_with(**changes))


def test_text_is_made_valid_and_visible() -> None:
    from digestconv.enrich.record import validate

    record = validate(
        _with(title="\ud800T\u202e \u200bX\x1b", abstract="One\u2066.\n  Two \ufeff.", doi=None)
    )
    assert record.title == "\ufffdT X"
    assert record.abstract == "One.\nTwo ."
    assert record.title.encode("utf-8")  # encodable


def test_a_valid_record_survives_unchanged() -> None:
    from digestconv.enrich.record import validate

    assert validate(GOOD.to_json()) == GOOD
    assert validate(GOOD) == GOOD


@pytest.mark.parametrize(
    "line",
    [
        "null",
        "[]",
        "1",
        '"text"',
        "[" * 200_000 + "]" * 200_000,
        '{"a":' * 200_000 + "1" + "}" * 200_000,
        json.dumps(_with(version=10**40)),
        json.dumps(_with(authors=[1])),
        json.dumps(_with(version=float("inf"))),  # written as Infinity
        json.dumps(_with(published=123)),
        json.dumps(_with(categories=[1])),
        json.dumps(_with(comment={})),
        json.dumps(_with(doi=10)),
        json.dumps(_with(authors=[{"family": 1}])),
        json.dumps(_with(version=-5)),
    ],
    ids=lambda line: line[:30],
)
def test_cache_import_refuses_a_bad_line_and_keeps_nothing(tmp_path: Path, line: str) -> None:
    good = json.dumps(GOOD.to_json())
    with Cache(tmp_path) as cache:
        with pytest.raises(ValueError, match="line 2: not a metadata record"):
            cache.import_(io.StringIO(f"{good}\n{line}\n"), now=1_800_000_000.0)
        assert cache.info().records == 0


def test_a_poisoned_row_already_in_the_cache_is_dropped_not_served(tmp_path: Path) -> None:
    """A row written by an older version (or by hand) with wrong types never reaches a writer."""
    with Cache(tmp_path) as cache:
        cache.put({GOOD.arxiv_id: GOOD}, [], now=1_800_000_000.0)
    db = sqlite3.connect(tmp_path / FILE_NAME)
    bad = _with(arxiv_id="2402.01399", categories=[1], authors=[{"family": 3}])
    db.execute(
        "INSERT INTO records VALUES (?, ?, 'api', ?)",
        ("2402.01399", json.dumps(bad), 1_800_000_000.0),
    )
    db.commit()
    db.close()
    result = lookup(
        [GOOD.arxiv_id, "2402.01399"],
        EnrichOptions(cache_dir=tmp_path, offline=True),
        clock=FakeClock(),
    )
    assert list(result.records) == [GOOD.arxiv_id]
    assert "2402.01399" in result.failed
    assert any("dropped 1 invalid record (2402.01399)" in w for w in result.warnings)
    with Cache(tmp_path) as cache:
        assert cache.info().records == 1  # it is gone for good


# -- the API ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tag", "text"),
    [
        ("published", "0001-01-01T00:00:00+14:00"),
        ("updated", "9999-12-31T23:59:59-12:00"),
        ("published", "yesterday"),
    ],
)
def test_an_extreme_api_date_fails_that_paper_only(
    arxiv_server: ReplayServer, tmp_path: Path, tag: str, text: str
) -> None:
    clock = FakeClock()
    arxiv_server.then(rewrite(set_element(tag, text)))
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url)
    ids = ["2202.12139", "2405.13786"]
    result = lookup(ids, options, clock=clock, sleep=clock.sleep)
    assert list(result.records) == ["2405.13786"]
    assert "invalid record" in result.failed["2202.12139"]
    assert any("arXiv:2202.12139" in w and tag in w for w in result.warnings)
    # nothing wrong was cached: the next run asks again and gets the real answer
    again = lookup(ids, options, clock=clock, sleep=clock.sleep)
    assert set(again.records) == set(ids) and again.requests == 1


def test_to_enrich_with_an_extreme_api_date_writes_the_output(
    run: Invoke, env: dict[str, str | None], arxiv_server: ReplayServer
) -> None:
    plain = run("to", "bibtex", SEED_000, env=env)
    arxiv_server.then(rewrite(set_element("published", "0001-01-01T00:00:00+14:00")))
    result = run("to", "bibtex", "--enrich", SEED_000, env=env)
    assert result.exit_code == 0, result.stderr
    assert_no_traceback(result.stdout, result.stderr)
    assert "internal error" not in result.stderr
    assert "invalid record" in result.stderr and "out of range" in result.stderr
    assert result.stdout.count("@") == plain.stdout.count("@")  # every paper written


# -- the snapshot ----------------------------------------------------------------------------
def test_snapshot_lines_with_extreme_values(tmp_path: Path) -> None:
    from digestconv.enrich.record import RecordError

    late = {
        **LINES[0],
        "versions": [{"version": "v1", "created": "Fri, 31 Dec 9999 23:59:59 -1200"}],
    }
    with pytest.raises(RecordError, match="out of range"):
        record_from_json(late)
    with pytest.raises(RecordError, match="out of range"):
        record_from_json({**LINES[0], "versions": [{"version": "v" + "9" * 50}]})
    with pytest.raises(RecordError):
        record_from_json({**LINES[0], "categories": 5})
    with pytest.raises(RecordError):
        record_from_json({**LINES[0], "authors_parsed": [[1, 2]]})
    odd = record_from_json({**LINES[0], "title": "\ud800T"})
    assert odd is not None and odd.title == "\ufffdT"


def test_snapshot_with_a_bad_line_uses_the_others(tmp_path: Path) -> None:
    path = write_snapshot(tmp_path / "snap.json")
    late = {
        **LINES[0],
        "id": "0801.0049",
        "versions": [{"version": "v1", "created": "Fri, 31 Dec 9999 23:59:59 -1200"}],
    }
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(late) + "\n")
        handle.write(json.dumps({**LINES[0], "id": "0802.0001", "title": "\ud800T"}) + "\n")
    options = EnrichOptions(offline=True, snapshot=path, cache_dir=tmp_path / "cache")
    result = lookup(["0704.0001", "0801.0048", "0802.0001"], options)
    assert set(result.records) == {"0704.0001", "0801.0048", "0802.0001"}
    assert result.records["0802.0001"].title == "\ufffdT"
    # the filler line 0801.0049 was indexed first (INSERT OR IGNORE): the late one is not used
    bad = lookup(["0801.0049"], options)
    assert "0801.0049" in bad.records


def test_to_and_enrich_with_a_surrogate_and_a_late_date_in_the_snapshot(
    run: Invoke, env: dict[str, str | None], tmp_path: Path
) -> None:
    line = {
        **LINES[0],
        "id": "2402.04177",
        "title": "\ud800T",
        "versions": [{"version": "v1", "created": "Mon, 5 Feb 2024 10:00:00 GMT"}],
    }
    late = {
        **LINES[0],
        "id": "2403.15711",
        "versions": [{"version": "v1", "created": "Fri, 31 Dec 9999 23:59:59 -1200"}],
    }
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(line) + "\n" + json.dumps(late) + "\n", "utf-8")
    offline = {**env, "DIGESTCONV_OFFLINE": "1"}
    result = run("to", "bibtex", "--enrich", "--snapshot", snapshot, SEED_000, env=offline)
    # written in full; the record's title is not the digest's, an error, so exit 1
    assert result.exit_code == 1, result.stderr
    assert "DC504 arxiv-title-mismatch" in result.stderr
    assert_no_traceback(result.stdout, result.stderr)
    assert "\ufffdT" in result.stdout
    assert "arXiv:2403.15711: invalid record" in result.stderr
    enrich = run("enrich", "--snapshot", snapshot, SEED_000, env=offline)
    assert enrich.exit_code == 1  # one paper not enriched, no internal error
    assert "1 found" in enrich.stdout and "internal error" not in enrich.stderr


def test_a_lone_surrogate_in_a_snapshot_title(
    run: Invoke, env: dict[str, str | None], tmp_path: Path
) -> None:
    line = {
        **LINES[0],
        "id": "2402.04177",
        "title": "\ud800T",
        "versions": [{"version": "v1", "created": "Mon, 5 Feb 2024 10:00:00 GMT"}],
    }
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(line) + "\n", "utf-8")  # written as the escape \ud800
    offline = {**env, "DIGESTCONV_OFFLINE": "1"}
    for command in (["to", "bibtex", "--enrich"], ["to", "csl-json", "--enrich"], ["enrich"]):
        result = run(*command, "--snapshot", snapshot, SEED_000, env=offline)
        assert "internal error" not in result.stderr, result.stderr
        assert result.exit_code in (0, 1)
        assert_no_traceback(result.stdout, result.stderr)
        if command[0] == "to":
            assert "\ufffdT" in result.stdout_bytes.decode("utf-8")  # valid UTF-8 throughout
