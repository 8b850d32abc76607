"""Regenerate the golden writer outputs (run with the code of the commit named in README.md).

    python tests/data/golden/make_golden.py

Reads the seeds and the test corpus with the reader, stores the papers as
``papers.json.gz`` (so the golden test does not depend on later reader changes)
and the SHA-256 of every writer's output for them as ``hashes.json``: one batch
per input file (with its source) and one merged batch of all files, each in
UTF-8 and ASCII mode.  Writers without metadata must keep producing exactly
these bytes.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from digestconv.model import ENTRY_FIELDS  # noqa: E402
from digestconv.reader import read  # noqa: E402
from tests.formats.golden import HERE, hashes, inputs, load  # noqa: E402


def main() -> None:
    data = {}
    for path in inputs():
        papers = read(path.read_bytes(), str(path)).papers
        data[path.relative_to(ROOT).as_posix()] = [
            {name: getattr(p, name) for name in ENTRY_FIELDS} for p in papers
        ]
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0).encode()
    (HERE / "papers.json.gz").write_bytes(gzip.compress(raw, mtime=0))
    (HERE / "hashes.json").write_text(
        json.dumps(hashes(load(data)), indent=1, sort_keys=True) + "\n"
    )


if __name__ == "__main__":
    main()
