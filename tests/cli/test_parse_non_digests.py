"""``parse`` and ``validate`` agree on files that are no digest: no JSON form, the same reason."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import SEED_000, Invoke, copy_seed, diagnostic_lines


def test_parse_reports_non_digests_as_validate_does(run: Invoke, in_tmp: Path) -> None:
    (in_tmp / "README.md").write_text("# Notes\n\nSome papers I liked.\n", "utf-8")
    (in_tmp / "empty.md").write_bytes(b"")
    (in_tmp / "binary.md").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00binary")
    copy_seed(SEED_000, in_tmp, "a.md")
    names = ["README.md", "empty.md", "binary.md", "a.md"]
    parsed = run("parse", *names, cwd=in_tmp)
    validated = run("validate", *names[:3], cwd=in_tmp)
    assert parsed.exit_code == 1 and validated.exit_code == 1
    documents = json.loads(parsed.stdout)
    assert [d["path"] for d in documents] == ["a.md"]
    assert documents[0]["kind"] == "digest" and len(documents[0]["entries"]) == 2
    said = diagnostic_lines(parsed.stderr)
    assert said == diagnostic_lines(validated.stdout)
    assert [line.split(":")[0] for line in said] == names[:3]


def test_parse_of_digests_alone_still_exits_0(run: Invoke, in_tmp: Path) -> None:
    copy_seed(SEED_000, in_tmp, "a.md")
    (in_tmp / "README.md").write_text("# Notes\n", "utf-8")
    result = run("parse", ".", cwd=in_tmp)  # found by walking, README.md is skipped
    assert result.exit_code == 0, result.stderr
    assert [d["path"] for d in json.loads(result.stdout)] == ["./a.md"]
