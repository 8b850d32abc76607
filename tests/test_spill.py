"""A spill file that cannot be read or written says which, and ``to`` exits 2 with it."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from digestconv.cli import app
from digestconv.spill import Spill, SpillError

ROOT = Path(__file__).resolve().parent.parent
SEED_001 = ROOT / "seeds" / "001_47dd8e642f9add4b.txt"


class _Failing(tempfile.SpooledTemporaryFile):  # type: ignore[type-arg]
    """A spill file whose reads (``fail="read"``) or writes fail as a broken disk does."""

    fail = "read"

    def read(self, *args: Any) -> bytes:
        if self.fail == "read":
            raise OSError(errno.EIO, "Input/output error")
        return super().read(*args)

    def write(self, data: Any) -> int:
        if self.fail == "write":
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch) -> type[_Failing]:
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", _Failing)
    monkeypatch.setattr(_Failing, "fail", "read")
    return _Failing


def test_a_failed_read_says_read(failing: type[_Failing]) -> None:
    spill: Spill[str] = Spill()
    spill.append("a")
    spill.append("b")
    with pytest.raises(SpillError, match="cannot read a temporary file") as raised:
        spill[1]
    assert raised.value.errno == errno.EIO and "write" not in str(raised.value)
    with pytest.raises(SpillError, match="cannot read a temporary file"):
        list(spill)
    spill.close()


def test_a_failed_write_says_write(
    failing: type[_Failing], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(failing, "fail", "write")
    with pytest.raises(SpillError, match="cannot write a temporary file") as raised:
        Spill[str]().append("a")
    assert raised.value.errno == errno.ENOSPC


def test_a_short_file_is_a_read_error(tmp_path: Path) -> None:
    spill: Spill[str] = Spill(str(tmp_path))
    spill.append("a" * 100)
    spill.append("b" * 100)
    handle = spill._open()
    handle.flush()
    handle.truncate(120)  # the second item is cut short
    assert spill[0] == "a" * 100
    with pytest.raises(SpillError, match=r"cannot read a temporary file .*: the file is shorter"):
        spill[1]
    with pytest.raises(SpillError, match=r"cannot read a temporary file .*: the file is shorter"):
        list(spill)
    spill.close()


@pytest.mark.parametrize(
    "args",
    [["to", "rss"], ["to", "bibtex", "--strict"]],  # papers, and rendered entries, spilled
    ids=" ".join,
)
def test_to_exits_2_naming_the_failed_read(failing: type[_Failing], args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, str(SEED_001)])
    assert result.exit_code == 2, result.output
    assert "cannot read a temporary file" in result.stderr
    assert "cannot write" not in result.stderr
    assert "Traceback" not in result.output
