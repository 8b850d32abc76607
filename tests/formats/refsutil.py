"""What the reference tests share: real items, and citeproc-js (Zotero's engine) via node.

``citeproc-js`` is the npm package ``citeproc``, installed by ``.ci/run`` under
``tests/.node`` (or named by ``CITEPROC_JS``); tests that need it skip with the
reason when node or the package is absent.  It reads the CSL-JSON items exactly as
``to csl-json`` writes them (``custom`` aside, which Zotero drops too), with the
same CSL locale files as citeproc-py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from digestconv.enrich.atom import parse_feed
from digestconv.enrich.record import ArxivRecord
from digestconv.formats._common import paper_keys
from digestconv.formats.base import Batch
from digestconv.formats.csljson import item
from digestconv.model import Paper
from tests.formats.citeutil import ROOT, merged

DATA = ROOT / "tests" / "data" / "arxiv"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CORPUS = sorted((ROOT / "tests" / "fixtures" / "corpus").glob("[0-9][0-9][0-9].md"))
DRIVER = Path(__file__).with_name("citeproc_js.js")
NODE_MODULES = ROOT / "tests" / ".node" / "node_modules"


@cache
def records() -> dict[str, ArxivRecord]:
    """Every record of the recorded (and the seeds' synthesized) arXiv API responses."""
    out: dict[str, ArxivRecord] = {}
    for path in sorted(DATA.glob("*.xml")):
        if "error" in path.name or "empty" in path.name:
            continue
        out.update(parse_feed(path.read_bytes()).records)
    return out


@cache
def seed_records() -> dict[str, ArxivRecord]:
    """The seeds' records (the synthesized ``seeds-api.xml``)."""
    return dict(parse_feed((DATA / "seeds-api.xml").read_bytes()).records)


def seed_batch() -> Batch:
    """The 32 papers of the seeds with their arXiv records, as ``--enrich`` gives them."""
    return Batch(papers=merged(SEEDS), records=seed_records(), title="Seeds")


@cache
def papers() -> tuple[tuple[Paper, ...], dict[str, ArxivRecord]]:
    """A wide set of real papers: the seeds (enriched), every recorded arXiv record as
    a paper (real names: particles, accents, old identifiers) and 200 corpus papers
    from the digest alone (no author)."""
    seeds = list(merged(SEEDS))
    recs = records()
    seen = {p.arxiv_id for p in seeds}
    from_records = [
        Paper(
            arxiv_id=key,
            title=rec.title,
            abstract=rec.abstract,
            url=f"https://arxiv.org/abs/{key}",
        )
        for key, rec in sorted(recs.items())
        if key not in seen
    ]
    seen.update(p.arxiv_id for p in from_records)
    corpus = [p for p in merged(CORPUS) if p.arxiv_id not in seen][:200]
    return tuple(seeds + from_records + corpus), recs


def items() -> list[dict[str, Any]]:
    """The CSL-JSON items of :func:`papers`, as ``to csl-json`` writes them."""
    all_papers, recs = papers()
    keys = paper_keys(all_papers)
    return [item(p, k, recs.get(p.arxiv_id or "")) for p, k in zip(all_papers, keys, strict=True)]


def citeproc_js_or_skip() -> tuple[str, Path]:
    """``(node, citeproc package dir)``, or skip the test saying what is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: citeproc-js comparison skipped")
    package = Path(os.environ.get("CITEPROC_JS") or NODE_MODULES / "citeproc")
    if not (package / "package.json").is_file():
        pytest.skip(
            f"the npm package citeproc is not installed at {package} "
            "(.ci/run installs it with npm): citeproc-js comparison skipped"
        )
    return node, package


def citeproc_js(
    items: Iterable[dict[str, Any]], style_path: str, locale: str
) -> list[tuple[str, str]]:
    """``(id, plain-text entry)`` in bibliography order, rendered by citeproc-js."""
    import citeproc

    node, package = citeproc_js_or_skip()
    request = {
        "items": [{k: v for k, v in i.items() if k != "custom"} for i in items],
        "style": style_path,
        "locales": citeproc.LOCALES_PATH,
        "lang": locale,
    }
    done = subprocess.run(
        [node, str(DRIVER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CITEPROC_JS": str(package)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    return list(zip(data["ids"], data["entries"], strict=True))
