"""The library API: find files, read them, run the rules, convert.

Everything the command line does is a call into this module, so scripts can do
the same without a subprocess::

    import digestconv

    report = digestconv.validate(["seeds/"])
    for d in report.diagnostics:
        print(d.path, d.line, d.rule, d.message)

    digests = digestconv.parse(["seeds/000_20f5c0d8057fc2ad.txt"])
    print(digests[0].papers[0].arxiv_id)

Settings are found as the command line finds them: each file is governed by
the configuration nearest to it (``digestconv.toml`` or ``[tool.digestconv]``
in a ``pyproject.toml``, see :mod:`digestconv.config`), and the run's own
settings (``jobs``, cross-file checks) come from the one nearest to the current
folder; invalid configuration raises :class:`digestconv.config.ConfigError`.
A :class:`~digestconv.settings.Settings` passed as ``settings`` governs every
path instead and no configuration file is read (as ``--config`` does); a
:class:`digestconv.config.Resolver` chooses per path (with overrides, as the
command line's flags).

The work is done by :mod:`digestconv.pipeline`, one file at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, BinaryIO

from . import pipeline
from ._gccontrol import long_lived
from .model import Diagnostic, Digest, Paper, Report
from .pipeline import IO_RULE, STDIN, STDIN_NAME, FileResult, Input
from .pipeline.work import skipped
from .settings import Resolver, Settings

if TYPE_CHECKING:
    from .enrich.options import EnrichOptions

#: what every function here takes as ``paths``: one path, or any iterable of paths
Paths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


def as_paths(paths: Paths) -> list[str | os.PathLike[str]]:
    """``paths`` as a list: a single ``str`` or path-like is one path, never its characters."""
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        return [os.fsdecode(paths) if isinstance(paths, bytes) else paths]  # type: ignore[list-item]
    if not isinstance(paths, Iterable):
        raise TypeError(f"paths must be a path or an iterable of paths, not {type(paths).__name__}")
    return [os.fsdecode(p) if isinstance(p, bytes) else p for p in paths]


def _resolver(settings: Settings | Resolver | None) -> Settings | Resolver:
    """``settings`` when given (they govern every path, as ``--config`` does); without
    them, configuration discovery from the current folder, as the command line does."""
    if settings is not None:
        return settings
    from .config import Resolver as Discovery

    return Discovery()


def resolve(
    paths: Paths, settings: Settings | Resolver | None = None
) -> tuple[list[Input], Settings]:
    """The inputs under ``paths`` (see :func:`discover`; I/O problems are inputs with
    :attr:`Input.error` set), and the settings of the run carrying each input's own
    (:meth:`Settings.for_path` gives them), as the command line finds them."""
    resolver = _resolver(settings)
    inputs = pipeline.files(as_paths(paths), resolver)
    base = resolver if isinstance(resolver, Settings) else resolver.base
    return inputs, pipeline.bind(base, inputs)


__all__ = [
    "IO_RULE",
    "STDIN",
    "STDIN_NAME",
    "Input",
    "as_paths",
    "check",
    "discover",
    "load",
    "parse",
    "resolve",
    "stream",
    "validate",
]


def discover(
    paths: Paths, settings: Settings | Resolver | None = None
) -> tuple[list[Input], list[Diagnostic]]:
    """Expand files and folders into inputs, in argument order.

    Each input carries the settings of the configuration nearest to it when
    they are not the run's (:attr:`Input.settings`).  Folders are walked
    recursively in path order; their files are kept when they match
    ``settings.include`` and no ``settings.exclude`` pattern (FIFOs, sockets
    and devices are skipped unopened).  Files named explicitly are
    always kept unless excluded.  ``-`` is standard input.  Paths that do not
    exist, folders that cannot be listed and named paths that are not regular
    files become I/O diagnostics.
    """
    found: list[Input] = []
    problems: list[Diagnostic] = []
    for item in pipeline.iter_inputs(as_paths(paths), _resolver(settings)):
        if item.error is not None:
            problems.append(pipeline.io_error(item.name, item.error))
        else:
            found.append(item)
    return found, problems


def load(
    source: Input, settings: Settings | None = None, stdin: BinaryIO | None = None
) -> Digest | Diagnostic:
    """Read and parse one input; an unreadable file gives an I/O diagnostic.

    ``settings`` default to the input's own (those :func:`discover` found for
    it), else the built-in defaults.
    """
    from .reader import read

    settings = settings or source.settings or Settings()
    try:
        data = pipeline.read_bytes(source, stdin)
    except OSError as exc:
        return pipeline.io_error(source.name, str(exc))
    return read(data, source.name, cut=settings.abstract_cut)


def check(digests: Sequence[Digest], settings: Settings | None = None) -> list[Diagnostic]:
    """Run every enabled rule over ``digests``; diagnostics in report order."""
    from .rules.engine import check as run_rules

    with long_lived():  # the caller's digests live through the whole check
        return run_rules(digests, settings)


def parse(
    paths: Paths,
    settings: Settings | Resolver | None = None,
    *,
    stdin: BinaryIO | None = None,
) -> list[Digest]:
    """Read every file under ``paths`` (one path or several) into a :class:`Digest`,
    in argument order.

    Unreadable paths are skipped here (:func:`validate` reports them), and so
    are files without digest structure found by walking a folder.
    """
    inputs, bound = resolve(paths, settings)
    out = []
    for source in inputs:
        own = bound.for_path(source.name)
        loaded = load(source, own, stdin)
        if isinstance(loaded, Digest) and not skipped(loaded, source, own):
            out.append(loaded)
    return out


def stream(
    paths: Paths,
    settings: Settings | Resolver | None = None,
    *,
    stdin: BinaryIO | None = None,
    jobs: int | None = None,
    progress: Callable[[Iterable[FileResult]], Iterable[FileResult]] | None = None,
    papers: bool = False,
) -> tuple[pipeline.Fold, Iterator[tuple[FileResult, list[Diagnostic]]]]:
    """Validate file by file: the fold (running counts) and each file's diagnostics.

    The iterator yields ``(result, diagnostics)`` in input order as files
    complete; the fold's ``files``, ``papers`` and ``skipped`` counts are final
    once it is exhausted.  With ``papers``, each result keeps its papers.
    """
    inputs, settings = resolve(paths, settings)
    planner = pipeline.Planner(settings)
    fold = pipeline.Fold(settings, planner)
    task = pipeline.Task(settings, papers=papers)
    results = pipeline.run(inputs, task, jobs=jobs, stdin=stdin)
    return fold, pipeline.each(results, fold, progress)


def validate(
    paths: Paths,
    settings: Settings | Resolver | None = None,
    *,
    stdin: BinaryIO | None = None,
    progress: Callable[[Iterable[FileResult]], Iterable[FileResult]] | None = None,
    jobs: int | None = None,
    enrich: EnrichOptions | None = None,
) -> Report:
    """Validate files and folders (one path or several); return every diagnostic and the counts.

    ``progress`` may wrap the per-file results (the command line shows a
    progress bar); ``jobs`` is the number of worker processes (default: the
    ``jobs`` setting, else every CPU this process may use).  With ``enrich``,
    the papers are also looked up (cache, snapshot, arXiv API) and the
    metadata rules compare each with its record.
    """
    fold, results = stream(
        paths, settings, stdin=stdin, jobs=jobs, progress=progress, papers=enrich is not None
    )
    diagnostics: list[Diagnostic] = []
    located: list[tuple[str, Paper]] = []
    for result, found in results:
        diagnostics.extend(found)
        if enrich is not None:
            from .enrich.apply import located_papers

            located.extend(located_papers(result.name, result.papers or (), result.facts))
    if enrich is not None:
        from .enrich.apply import enrich_papers
        from .rules.engine import enrichment_diagnostics

        outcome = enrich_papers(located, enrich)
        diagnostics.extend(enrichment_diagnostics(outcome, fold.settings))
    diagnostics.sort(key=Diagnostic.sort_key)
    return Report(tuple(diagnostics), files=fold.files, papers=fold.papers, skipped=fold.skipped)
