"""The library API: find files, read them, run the rules, convert.

Everything the command line does is a call into this module, so scripts can do
the same without a subprocess::

    import digestconv

    report = digestconv.validate(["seeds/"])
    for d in report.diagnostics:
        print(d.path, d.line, d.rule, d.message)

    digests = digestconv.parse(["seeds/000_20f5c0d8057fc2ad.txt"])
    print(digests[0].papers[0].arxiv_id)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .model import IO_ERROR_CODE, Diagnostic, Digest, Report
from .output import display_path
from .reader import read
from .settings import Settings, _path_matches

STDIN = "-"
STDIN_NAME = "<stdin>"
IO_RULE = "io-error"


@dataclass(frozen=True)
class Input:
    """One file to read: its display name and where its bytes come from."""

    name: str
    path: Path | None  # None: standard input


def _io_error(name: str, message: str) -> Diagnostic:
    return Diagnostic(name, 1, 1, 1, 1, IO_ERROR_CODE, IO_RULE, "error", message)


def discover(
    paths: Iterable[str | os.PathLike[str]], settings: Settings | None = None
) -> tuple[list[Input], list[Diagnostic]]:
    """Expand files and folders into inputs, in argument order.

    Folders are walked recursively in sorted order; their files are kept when
    they match ``settings.include`` and no ``settings.exclude`` pattern.  Files
    named explicitly are always kept unless excluded.  ``-`` is standard input.
    Paths that do not exist become I/O diagnostics.
    """
    settings = settings or Settings()
    found: list[Input] = []
    problems: list[Diagnostic] = []
    seen: set[str] = set()

    def add(name: str, path: Path | None) -> None:
        # names not valid UTF-8 are shown escaped; two files never merge into one name
        if name not in seen:
            seen.add(name)
            found.append(Input(display_path(name), path))

    for raw in paths:
        name = os.fspath(raw)
        if name == STDIN:
            add(STDIN_NAME, None)
            continue
        path = Path(name)
        if _excluded(name, settings):
            continue
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".") and not _excluded(os.path.join(root, d), settings)
                )
                for file in sorted(files):
                    full = os.path.join(root, file)
                    if _included(full, settings) and not _excluded(full, settings):
                        add(full, Path(full))
        elif path.exists():
            add(name, path)
        else:
            problems.append(_io_error(display_path(name), "no such file or folder"))
    return found, problems


def _included(path: str, settings: Settings) -> bool:
    return any(_path_matches(path, p) for p in settings.include)


def _excluded(path: str, settings: Settings) -> bool:
    return any(_path_matches(path, p) for p in settings.exclude)


def load(
    source: Input, settings: Settings | None = None, stdin: BinaryIO | None = None
) -> Digest | Diagnostic:
    """Read and parse one input; an unreadable file gives an I/O diagnostic."""
    settings = settings or Settings()
    try:
        if source.path is None:
            data = (stdin or sys.stdin.buffer).read()
        else:
            data = source.path.read_bytes()
    except IsADirectoryError:
        return _io_error(source.name, "is a folder, not a file")
    except OSError as exc:
        return _io_error(source.name, f"cannot read: {exc.strerror or exc}")
    return read(data, source.name, cut=settings.abstract_cut)


def check(digests: Sequence[Digest], settings: Settings | None = None) -> list[Diagnostic]:
    """Run every enabled rule over ``digests``; diagnostics in report order."""
    from . import rules as registry
    from .suppress import apply_suppressions

    settings = settings or Settings()
    out: list[Diagnostic] = []
    for digest in digests:
        found: list[Diagnostic] = []
        for rule in registry.iter_file_rules():
            if not settings.enabled(rule.code, rule.name, digest.path):
                continue
            severity = settings.severity_of(rule.code, rule.name, rule.severity)
            found.extend(
                rule.diagnostic(digest.path, f, severity) for f in rule.check(digest, settings)
            )
        out.extend(found)
    paths = {d.path for d in digests}
    for rule in registry.iter_corpus_rules():
        severity = settings.severity_of(rule.code, rule.name, rule.severity)
        for finding in rule.check(list(digests), settings):
            path = finding.path or ""
            if path in paths and settings.enabled(rule.code, rule.name, path):
                out.append(rule.diagnostic(path, finding, severity))
    out = apply_suppressions(digests, out, settings)
    out.sort(key=Diagnostic.sort_key)
    return out


def _visible(digest: Digest, settings: Settings) -> bool:
    """Whether a file is in scope (``skip_non_digests`` drops unrecognised files)."""
    return not (settings.skip_non_digests and not digest.recognized and digest.kind == "digest")


def parse(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings | None = None,
    *,
    stdin: BinaryIO | None = None,
) -> list[Digest]:
    """Read every file under ``paths`` into a :class:`Digest`, in argument order.

    Unreadable paths are skipped here; :func:`validate` reports them.
    """
    settings = settings or Settings()
    inputs, _ = discover(paths, settings)
    out = []
    for source in inputs:
        loaded = load(source, settings, stdin)
        if isinstance(loaded, Digest):
            out.append(loaded)
    return out


def validate(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings | None = None,
    *,
    stdin: BinaryIO | None = None,
    progress: Callable[[Iterable[Input]], Iterable[Input]] | None = None,
) -> Report:
    """Validate files and folders; return every diagnostic and the counts.

    ``progress`` may wrap the inputs (the command line shows a progress bar).
    """
    settings = settings or Settings()
    inputs, problems = discover(paths, settings)
    digests: list[Digest] = []
    for source in progress(inputs) if progress else inputs:
        loaded = load(source, settings, stdin)
        if isinstance(loaded, Diagnostic):
            problems.append(loaded)
        elif _visible(loaded, settings):
            digests.append(loaded)
    diagnostics = problems + check(digests, settings)
    diagnostics.sort(key=Diagnostic.sort_key)
    return Report(
        tuple(diagnostics),
        files=len(digests),
        papers=sum(len(d.papers) for d in digests),
    )
