"""A digest whose title disagrees with arXiv, end to end against the loopback arXiv server.

``validate --enrich`` reports it as an error (DC504) and nothing else new; ``to --enrich``
writes arXiv's title and keeps the digest's for people.
"""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from digestconv.latex import unescape

from ..cli.conftest import SEED_000, SEED_001, SEED_003, Invoke
from ..cli.conftest import run as run

TITLE = "Identifiable Latent Neural Causal Models"
WRONG = "Latent Diffusion Models Are Secretly Causal"


@pytest.fixture
def digests(tmp_path: Path) -> list[Path]:
    """The three digest seeds, the first paper of the first retitled (table and details)."""
    out = []
    for seed in (SEED_000, SEED_001, SEED_003):
        path = tmp_path / seed.name
        text = seed.read_text("utf-8")
        if seed == SEED_000:
            assert text.count(TITLE) == 2
            text = text.replace(TITLE, WRONG)
        path.write_text(text, "utf-8")
        out.append(path)
    return out


def test_validate_enrich_reports_the_title_and_nothing_else(
    run: Invoke, env: dict[str, str | None], digests: list[Path]
) -> None:
    plain = run("validate", *digests, env=env)
    enriched = run("validate", "--enrich", *digests, env=env)
    new = set(enriched.stdout.splitlines()[:-1]) - set(plain.stdout.splitlines()[:-1])
    [line] = new
    assert ": DC504 arxiv-title-mismatch " in line and WRONG in line and TITLE in line
    assert line.startswith(f"{digests[0]}:")
    assert plain.exit_code == 0 and enriched.exit_code == 1
    assert "1 error" in enriched.stdout.splitlines()[-1]


def test_to_enrich_writes_arxivs_title(
    run: Invoke, env: dict[str, str | None], digests: list[Path]
) -> None:
    result = run("to", "bibtex", "--enrich", *digests, env=env)
    library = bibtexparser.parse_string(result.stdout)
    entry = next(e for e in library.entries if e.key == "arxiv2403.15711")
    assert unescape(entry.fields_dict["title"].value) == TITLE
    assert f"Digest title: {WRONG}" in unescape(entry.fields_dict["annote"].value).split("\n")
    assert entry.fields_dict["author"].value
