"""The examples of README.md: find them, run them as a reader would, compare their output.

An example is a command of a ``console`` block (``$ command``, followed by the
output it prints), a command of an ``sh`` block (no output shown: it must
succeed), or a ``python`` block (run whole).  In shown output, a line that is
just ``...`` stands for any number of lines, and ``...`` inside a line for
any text: README shortens long output that way.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ELLIPSIS = "..."


@dataclass(frozen=True)
class Example:
    """One example of README.md."""

    #: README line of the command (1-based)
    line: int
    #: ``console``, ``sh`` or ``python``
    kind: str
    #: the command line (``console``, ``sh``) or the code (``python``)
    code: str
    #: the output README shows (``console`` only)
    shown: tuple[str, ...] | None = None


_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")


def _blocks(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """``(first line number, language, lines)`` of every fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m and m[2]:
            indent, language = len(m[1]), m[2]
            body: list[str] = []
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                body.append(lines[j][indent:])
                j += 1
            yield i + 2, language, body
            i = j + 1
        else:
            i += 1


def examples(text: str) -> list[Example]:
    """Every example of ``text`` (README.md), in order."""
    out: list[Example] = []
    for first, language, body in _blocks(text):
        if language == "console":
            command: tuple[int, str] | None = None
            shown: list[str] = []
            for offset, line in enumerate(body):
                if line.startswith("$ "):
                    if command is not None:
                        out.append(Example(command[0], "console", command[1], tuple(shown)))
                    command, shown = (first + offset, line[2:]), []
                elif command is not None:
                    shown.append(line.rstrip())
            if command is not None:
                out.append(Example(command[0], "console", command[1], tuple(shown)))
        elif language == "sh":
            for offset, line in enumerate(body):
                if line.strip() and not line.lstrip().startswith("#"):
                    out.append(Example(first + offset, "sh", line.strip()))
        elif language == "python":
            out.append(Example(first, "python", "\n".join(body) + "\n"))
    return out


def _line_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in pattern.split(ELLIPSIS)), re.S)


def matches(shown: tuple[str, ...], actual: list[str]) -> bool:
    """Whether ``actual`` lines are what ``shown`` shows (see the module docstring)."""
    patterns = [None if s.strip() == ELLIPSIS else _line_pattern(s) for s in shown]

    @cache
    def fit(i: int, j: int) -> bool:
        if i == len(patterns):
            return j == len(actual)
        pattern = patterns[i]
        if pattern is None:  # any number of lines
            return any(fit(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and bool(pattern.fullmatch(actual[j])) and fit(i + 1, j + 1)

    return fit(0, 0)


def fresh_copy(target: Path) -> Path:
    """The files of this checkout a fresh clone would have (tracked and new, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        for raw in listed.stdout.split(b"\0"):
            if not raw:
                continue
            source = ROOT / os.fsdecode(raw)
            if source.is_file():
                place = target / os.fsdecode(raw)
                place.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, place)
        return target
    ignore = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.egg-info", ".*cache")
    shutil.copytree(ROOT, target, ignore=ignore, dirs_exist_ok=True)
    return target


def environment(home: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """A reader's shell: the installed ``digestconv`` first on PATH, no digestconv settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DIGESTCONV_", "PYTEST_", "COV_")) and key not in ("CI", "COLUMNS")
    }
    bin_dir = os.path.dirname(sys.executable)
    env.update(
        PATH=bin_dir + os.pathsep + env.get("PATH", ""),
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",  # stdout and stderr interleave as on a terminal
        PYTHONDONTWRITEBYTECODE="1",
        SOURCE_DATE_EPOCH="",
    )
    env.pop("SOURCE_DATE_EPOCH")
    env.update(extra)
    return env


@dataclass(frozen=True)
class Ran:
    """What one example did: its exit status and everything it printed, in order."""

    status: int
    output: str


def run(example: Example, cwd: Path, env: Mapping[str, str], previous: int = 0) -> Ran:
    """Run ``example`` in ``cwd``; ``previous`` is what ``$?`` holds when it starts."""
    if example.kind == "python":
        argv = [sys.executable, "-c", example.code]
    else:
        argv = ["bash", "-c", f"(exit {previous}); {example.code}"]
    proc = subprocess.run(
        argv,
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )
    return Ran(proc.returncode, proc.stdout.decode("utf-8", "replace"))
