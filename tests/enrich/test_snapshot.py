"""The bulk snapshot: lines written in its layout, the index, gzip, and offline lookups."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from digestconv.enrich import EnrichOptions, lookup
from digestconv.enrich.record import Author
from digestconv.enrich.snapshot import INDEX_SUFFIX, Snapshot, record_from_json

# the snapshot's layout (field names, order, TeX in authors, folded abstract, RFC 2822 dates)
LINES = [
    {
        "id": "0704.0001",
        "submitter": "Pavel Nadolsky",
        "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
        "title": "Calculation of prompt diphoton production cross sections at Tevatron"
        " and\n  LHC energies",
        "comments": "37 pages, 15 figures; published version",
        "journal-ref": "Phys.Rev.D76:013009,2007",
        "doi": "10.1103/PhysRevD.76.013009",
        "report-no": "ANL-HEP-PR-07-12",
        "categories": "hep-ph",
        "license": None,
        "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\n"
        "presented for the production of massive photon pairs at hadron colliders.\n"
        "  A second paragraph, as the snapshot marks them.\n",
        "versions": [
            {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
            {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
        ],
        "update_date": "2008-11-13",
        "authors_parsed": [
            ["Balázs", "C.", ""],
            ["Berger", "E. L.", ""],
            ["Nadolsky", "P. M.", ""],
            ["Yuan", "C. -P.", ""],
        ],
    },
    {
        "id": "hep-th/9608091",
        "submitter": "A. Person",
        "authors": "The Example Collaboration, A. Person Jr., B. van der Berg",
        "title": "A synthetic old-style record",
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "hep-th gr-qc",
        "license": "http://creativecommons.org/publicdomain/zero/1.0/",
        "abstract": "  One paragraph only.\n",
        "versions": [{"version": "v1", "created": "Fri, 30 Aug 1996 12:00:00 GMT"}],
        "update_date": "2016-08-15",
        "authors_parsed": [
            ["The Example Collaboration", "", ""],
            ["Person", "A.", "Jr."],
            ["van der Berg", "B.", ""],
        ],
    },
]


def write_snapshot(path: Path, extra: int = 50, compress: bool = False) -> Path:
    lines = [json.dumps(x) for x in LINES]
    for n in range(extra):
        lines.append(json.dumps({**LINES[0], "id": f"0801.{n:04d}", "title": f"Filler {n}"}))
    lines.insert(2, "{not json at all")  # a broken line is skipped, not fatal
    data = ("\n".join(lines) + "\n").encode()
    if compress:
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def test_record_from_a_snapshot_line() -> None:
    record = record_from_json(LINES[0], "2026-11-29T00:00:00Z")
    assert record is not None
    assert record.arxiv_id == "0704.0001" and record.version == 2
    assert record.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert record.published == "2007-04-02T19:18:42Z"
    assert record.updated == "2007-07-24T20:10:27Z"
    assert record.authors[0] == Author(family="Balázs", given="C.")
    assert record.authors[3] == Author(family="Yuan", given="C.-P.")
    assert record.abstract.split("\n")[1] == "A second paragraph, as the snapshot marks them."
    assert record.doi == "10.1103/PhysRevD.76.013009" and record.source == "snapshot"
    old = record_from_json(LINES[1])
    assert old is not None
    assert old.authors[0] == Author(literal="The Example Collaboration")
    assert old.authors[1] == Author(family="Person", given="A.", suffix="Jr.")
    assert old.authors[2] == Author(family="van der Berg", given="B.")
    assert old.categories == ("hep-th", "gr-qc") and old.license and old.comment is None


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_index_built_once_and_reused(tmp_path: Path, compress: bool) -> None:
    path = write_snapshot(tmp_path / "arxiv-metadata-oai-snapshot.json", compress=compress)
    snap = Snapshot(path)
    found = snap.lookup(["hep-th/9608091", "0704.0001", "0801.0049", "9999.99999"])
    assert set(found) == {"hep-th/9608091", "0704.0001", "0801.0049"}
    assert found["0801.0049"].title == "Filler 49"
    assert snap.rebuilt and snap.index_path == path.with_name(path.name + INDEX_SUFFIX)
    assert len(snap) == 52
    snap.close()
    again = Snapshot(path)
    assert set(again.lookup(["0704.0001"])) == {"0704.0001"}
    assert not again.rebuilt
    again.close()


def test_index_rebuilt_when_the_file_changes(tmp_path: Path) -> None:
    path = write_snapshot(tmp_path / "snap.json")
    Snapshot(path).lookup(["0704.0001"])
    with path.open("a") as handle:
        handle.write(json.dumps({**LINES[0], "id": "0802.0001"}) + "\n")
    snap = Snapshot(path)
    assert set(snap.lookup(["0802.0001"])) == {"0802.0001"} and snap.rebuilt
    # same size and mtime but other bytes at the head: rebuilt too
    stat = path.stat()
    data = path.read_bytes().replace(b"Pavel Nadolsky", b"Pavel Nadolskx", 1)
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    snap2 = Snapshot(path)
    snap2.lookup(["0704.0001"])
    assert snap2.rebuilt


def test_index_goes_to_the_cache_folder_when_it_cannot_go_beside(tmp_path: Path) -> None:
    path = write_snapshot(tmp_path / "snap.json")
    path.with_name(path.name + INDEX_SUFFIX).mkdir()  # something else is in the way
    snap = Snapshot(path, index_dir=tmp_path / "cache")
    assert set(snap.lookup(["0704.0001"])) == {"0704.0001"}
    assert snap.index_path is not None and snap.index_path.parent == tmp_path / "cache"


def test_offline_lookup_from_the_snapshot_alone(tmp_path: Path) -> None:
    path = write_snapshot(tmp_path / "snap.json.gz", compress=True)
    options = EnrichOptions(offline=True, snapshot=path, cache_dir=tmp_path / "cache")
    result = lookup(["0704.0001v1", "hep-th/9608091", "2401.00001"], options)
    assert set(result.records) == {"0704.0001", "hep-th/9608091"}
    assert set(result.origin.values()) == {"snapshot"}
    assert result.failed == {"2401.00001": "offline: not in the cache or the snapshot"}
    assert result.requests == 0
    # what the snapshot gave is cached
    cached = lookup(["0704.0001"], EnrichOptions(offline=True, cache_dir=tmp_path / "cache"))
    assert cached.origin == {"0704.0001": "cache"}


def test_a_snapshot_with_nowhere_for_its_index_is_indexed_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    path = write_snapshot(tmp_path / "snap.json")
    path.with_name(path.name + INDEX_SUFFIX).mkdir()  # no index beside it ...
    options = EnrichOptions(
        offline=True,
        snapshot=path,
        cache_dir=blocker / "cache",  # ... nor in the cache folder
    )
    result = lookup(["0704.0001", "2401.00001"], options)
    assert set(result.records) == {"0704.0001"}
    assert result.origin == {"0704.0001": "snapshot"}
    assert result.failed == {"2401.00001": "offline: not in the cache or the snapshot"}
    assert any("indexed in memory for this run" in w for w in result.warnings)


def _gzip_snapshot(tmp_path: Path, extra: int = 2000) -> Path:
    return write_snapshot(tmp_path / "snap.json.gz", extra=extra, compress=True)


def test_a_truncated_gzip_snapshot_still_gives_the_records_before_the_cut(tmp_path: Path) -> None:
    path = _gzip_snapshot(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # an interrupted download
    options = EnrichOptions(offline=True, snapshot=path, cache_dir=tmp_path / "cache")
    result = lookup(["0704.0001", "hep-th/9608091", "0801.1999"], options)
    assert set(result.records) == {"0704.0001", "hep-th/9608091"}
    assert "0801.1999" in result.failed  # after the cut
    damaged = [w for w in result.warnings if "is damaged" in w]
    assert len(damaged) == 1 and "ends early" in damaged[0]
    # the index is kept: a second run says the same without reading the file again
    again = lookup(["0704.0001"], EnrichOptions(offline=True, snapshot=path, use_cache=False))
    assert set(again.records) == {"0704.0001"}
    assert [w for w in again.warnings if "is damaged" in w] == damaged


def test_a_corrupt_gzip_snapshot(tmp_path: Path) -> None:
    path = _gzip_snapshot(tmp_path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # a damaged block
    path.write_bytes(bytes(data))
    options = EnrichOptions(offline=True, snapshot=path, cache_dir=tmp_path / "cache")
    result = lookup(["0704.0001", "0801.1999"], options)
    assert set(result.records) == {"0704.0001"}
    (damaged,) = [w for w in result.warnings if "is damaged" in w]
    assert "unreadable after" in damaged


@pytest.mark.parametrize("kind", ["folder", "garbage", "empty"])
def test_a_snapshot_that_is_not_one_gives_one_warning(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "snap.json"
    if kind == "folder":
        path.mkdir()
    elif kind == "garbage":
        path.write_bytes(bytes(range(256)) * 100)
    else:
        path.write_bytes(b"")
    options = EnrichOptions(offline=True, snapshot=path, cache_dir=tmp_path / "cache")
    result = lookup(["0704.0001"], options)
    assert result.records == {}
    (warning,) = [w for w in result.warnings if "snapshot" in w]
    assert warning.startswith("snapshot not used: ")
    assert ("folder" in warning) if kind == "folder" else ("no arXiv metadata record" in warning)


def test_to_with_a_truncated_gzip_snapshot_writes_the_output(tmp_path: Path) -> None:
    import subprocess

    from ..cli.conftest import _command
    from .test_convert import DIGESTS, SEED_RECORDS, snapshot_line

    body = "".join(snapshot_line(r) + "\n" for r in SEED_RECORDS.values())
    path = tmp_path / "snapshot.json.gz"
    path.write_bytes(gzip.compress(body.encode(), mtime=0)[:-200])
    env = {**os.environ, "DIGESTCONV_OFFLINE": "1", "DIGESTCONV_CACHE_DIR": str(tmp_path / "c")}
    proc = subprocess.run(
        [*_command(), "to", "bibtex", "--enrich", "--snapshot", str(path), *map(str, DIGESTS)],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "Aborted" not in err and "internal error" not in err
    assert err.count("is damaged") == 1
    assert proc.stdout.count(b"@misc{") == 32
