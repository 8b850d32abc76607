"""Title conflicts end to end, offline: the installed command with a cache of recorded records.

The cache is filled with ``digestconv cache import`` from the records of the recorded
response for the seeds (``tests/data/arxiv/seeds-api.xml``, the one the loopback
server replays), one of them changed as arXiv would change it, and every run is
``--offline``: no server, no network.

* a wrong link (the digest's title names another paper) is a ``DC504`` error, and
  ``to`` exits 1 as it does for every error it reports;
* a paper arXiv retitled in a later version is a ``DC509`` warning: exit 0, also
  when the new title shares no word with the old one but the abstracts agree.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import bibtexparser

from digestconv.enrich.atom import parse_feed
from digestconv.enrich.record import ArxivRecord
from digestconv.latex import unescape

from ..cli.conftest import SEED_000, Invoke, Run, assert_no_traceback, diagnostic_lines
from ..cli.conftest import run as run
from .conftest import sample

TITLE = "Identifiable Latent Neural Causal Models"
PAPER = "2403.15711"
#: a real retitle (arXiv:2303.06016 v1 and v2), the digest naming v1
OLD = "Modelling Projection Bias in Intertemporal Choices: A Prospect Theory Based Approach"
NEW = "Probe: Learning Users' Personalized Projection Bias in Intertemporal Bundle Choices"
#: the title of another seed paper: a link one row off
OTHER = "Scaling Laws for Downstream Task Performance of Large Language Models"


def recorded() -> dict[str, ArxivRecord]:
    """The records of the recorded response for the seeds, by identifier."""
    return parse_feed(sample("seeds-api.xml")).records


def offline(tmp_path: Path, run: Invoke, **change: object) -> dict[str, str | None]:
    """An environment whose cache holds the recorded records, ``PAPER``'s changed."""
    records = recorded()
    assert records[PAPER].title == TITLE and records[PAPER].version == 1
    records[PAPER] = dataclasses.replace(records[PAPER], **change)  # type: ignore[arg-type]
    lock = tmp_path / "records.jsonl"
    lock.write_text(
        "".join(json.dumps(r.to_json(), sort_keys=True) + "\n" for r in records.values()),
        "utf-8",
    )
    env: dict[str, str | None] = {
        "DIGESTCONV_CACHE_DIR": str(tmp_path / "cache"),
        "DIGESTCONV_OFFLINE": "1",
        "DIGESTCONV_ARXIV_API": "http://127.0.0.1:9/api/query",  # never asked: offline
        "DIGESTCONV_CONTACT": None,
    }
    imported = run("cache", "import", lock, env=env)
    assert imported.exit_code == 0, imported.output
    return env


def digest(tmp_path: Path, title: str, abstract: str | None = None) -> Path:
    """Seed 000 with its first paper's English title (table and details) replaced, and
    its English abstract when ``abstract`` is given."""
    text = SEED_000.read_text("utf-8")
    assert text.count(TITLE) == 2
    text = text.replace(TITLE, title)
    if abstract is not None:
        own = recorded()[PAPER].abstract[:200]
        assert text.count(own) == 1
        start = text.index(own)
        end = text.index("\n", start)
        text = text[:start] + abstract + text[end:]
    path = tmp_path / SEED_000.name
    path.write_text(text, "utf-8")
    return path


def codes(result: Run) -> list[str]:
    return [line.split(": ")[1].split()[0] for line in diagnostic_lines(result.stderr)]


def test_to_exits_1_when_it_reports_a_title_error(run: Invoke, tmp_path: Path) -> None:
    """The digest names v1, arXiv's latest is v1, and the titles differ: an error."""
    env = offline(tmp_path, run)
    path = digest(tmp_path, OTHER)
    result = run("to", "bibtex", "--enrich", path, env=env)
    assert_no_traceback(result.output)
    assert codes(result).count("DC504") == 1, result.stderr
    assert "1 error" in result.stderr.splitlines()[-1]
    assert result.exit_code == 1, result.stderr
    # the output is written all the same, with arXiv's title and the digest's kept for people
    entry = next(
        e for e in bibtexparser.parse_string(result.stdout).entries if e.key == f"arxiv{PAPER}"
    )
    assert unescape(entry.fields_dict["title"].value) == TITLE
    assert f"Digest title: {OTHER}" in unescape(entry.fields_dict["annote"].value).split("\n")
    # validate says the same
    checked = run("validate", "--enrich", path, env=env)
    assert checked.exit_code == 1 and ": DC504 arxiv-title-mismatch " in checked.stdout


def test_to_exits_0_without_errors(run: Invoke, tmp_path: Path) -> None:
    env = offline(tmp_path, run)
    result = run("to", "bibtex", "--enrich", SEED_000, env=env)
    assert "DC504" not in result.stderr and " error" not in result.stderr
    assert result.exit_code == 0, result.stderr


def test_a_retitle_in_a_later_version_is_a_warning(run: Invoke, tmp_path: Path) -> None:
    env = offline(tmp_path, run, version=2, title=NEW)
    path = digest(tmp_path, OLD)
    result = run("to", "bibtex", "--enrich", "--show-warnings", path, env=env)
    assert "DC509" in codes(result) and "DC504" not in codes(result), result.stderr
    [line] = [x for x in diagnostic_lines(result.stderr) if "DC509" in x]
    assert ": DC509 arxiv-retitled " in line and "after v1: v2 is 'Probe:" in line
    assert result.exit_code == 0, result.stderr
    entry = next(
        e for e in bibtexparser.parse_string(result.stdout).entries if e.key == f"arxiv{PAPER}"
    )
    assert unescape(entry.fields_dict["title"].value) == NEW
    checked = run("validate", "--enrich", path, env=env)
    assert checked.exit_code == 0, checked.stdout
    assert ": DC509 arxiv-retitled " in checked.stdout and "DC504" not in checked.stdout
    # --strict makes the warning fail the run, as every warning
    assert run("validate", "--enrich", "--strict", path, env=env).exit_code == 1


def test_a_wrong_link_to_a_later_version_is_still_an_error(run: Invoke, tmp_path: Path) -> None:
    """arXiv's latest is v2 and the digest names v1, but the digest's entry is another
    paper's: its title and its English abstract."""
    env = offline(tmp_path, run, version=2)
    other = recorded()["2402.04177"]
    assert other.title == OTHER
    path = digest(tmp_path, OTHER, other.abstract[:1000])
    result = run("to", "bibtex", "--enrich", path, env=env)
    assert codes(result).count("DC504") == 1 and "DC509" not in codes(result), result.stderr
    [line] = [x for x in diagnostic_lines(result.stderr) if "DC504" in x]
    assert "the abstracts share" in line and "the link points at another paper" in line
    assert result.exit_code == 1, result.stderr


def test_a_retitle_to_unrelated_words_is_a_warning_when_abstracts_agree(
    run: Invoke, tmp_path: Path
) -> None:
    """arXiv's v2 has a title sharing no word with v1's; the abstract is the same paper's."""
    new = "Learning Hidden Causes from Changing Environments"
    env = offline(tmp_path, run, version=2, title=new)
    result = run("to", "bibtex", "--enrich", "--show-warnings", SEED_000, env=env)
    assert "DC509" in codes(result) and "DC504" not in codes(result), result.stderr
    [line] = [x for x in diagnostic_lines(result.stderr) if "DC509" in x]
    assert "the titles share 0% of words, but the abstracts agree" in line
    assert result.exit_code == 0, result.stderr
    checked = run("validate", "--enrich", SEED_000, env=env)
    assert checked.exit_code == 0 and "DC504" not in checked.stdout, checked.stdout
