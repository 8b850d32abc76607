"""The ``digestconv`` command: a thin typer layer over :mod:`digestconv.api`.

The app, and the options several commands share; what the commands do without
typer is in :mod:`~digestconv.cli.common`.

Exit codes: 0 clean (warnings allowed), 1 findings at error severity (or
warnings with ``--strict``), 2 usage, I/O or internal error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from .._version import __version__

#: what the tool does, in one line (the top-level help)
SUMMARY = (
    "Validate Chinese arXiv digests and convert them to BibTeX, CSL-JSON, RIS, RSS 2.0, "
    "Atom 1.0, OPML 2.0, canonical markdown, and references formatted in any CSL style "
    "(text, markdown-refs, an html reading page)."
)


class Command(TyperCommand):
    """A command whose usage line reads ``[OPTIONS] PATH...``, as in its help.

    typer wraps required arguments in braces (``{paths}...``), a notation no
    other tool's usage line uses.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """The usage line's pieces, arguments without braces."""
        pieces = super().collect_usage_pieces(ctx)
        return [piece.replace("{", "").replace("}", "") for piece in pieces]


app = typer.Typer(
    name="digestconv",
    help=SUMMARY,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"digestconv {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Validate Chinese arXiv digests and convert them to other formats."""


PathsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="PATH...",
        help="Files or folders ('-' reads standard input).",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", metavar="FILE", help="Config file (pyproject.toml or digestconv.toml)."
    ),
]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option("--select", metavar="RULE", help="Only these rules (codes, prefixes, names)."),
]
ExtendOpt = Annotated[
    list[str] | None,
    typer.Option("--extend-select", metavar="RULE", help="Add rules to the selection."),
]
IgnoreOpt = Annotated[
    list[str] | None, typer.Option("--ignore", metavar="RULE", help="Skip these rules.")
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude", metavar="GLOB", help="Skip files matching this glob."),
]
AllowEmptyOpt = Annotated[
    bool,
    typer.Option(
        "--allow-empty",
        help="No digest among the inputs is not an error (config: allow-empty).",
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary line.")]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        metavar="N",
        help="Worker processes for large inputs (default: the 'jobs' setting, else every CPU).",
        show_default=False,
    ),
]
EnrichFlag = Annotated[
    bool,
    typer.Option(
        "--enrich",
        help="Add arXiv metadata (authors, dates, full abstracts): cache, snapshot, then the API.",
    ),
]
OfflineOpt = Annotated[
    bool,
    typer.Option(
        "--offline", help="Never touch the network: cache and snapshot only (DIGESTCONV_OFFLINE=1)."
    ),
]
SnapshotOpt = Annotated[
    Path | None,
    typer.Option(
        "--snapshot", metavar="FILE", help="arXiv's bulk metadata file (JSON Lines, plain or gzip)."
    ),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", metavar="DIR", help="Metadata cache folder (DIGESTCONV_CACHE_DIR)."
    ),
]
MaxAgeOpt = Annotated[
    str | None,
    typer.Option(
        "--max-age", metavar="AGE", help="How long cached records stay fresh (30d, 12h, 90m)."
    ),
]
RefreshOpt = Annotated[
    bool, typer.Option("--refresh", help="Ask arXiv again even for fresh cached records.")
]
ContactOpt = Annotated[
    str | None,
    typer.Option(
        "--contact",
        metavar="EMAIL",
        help="E-mail address for the User-Agent (DIGESTCONV_CONTACT).",
    ),
]
BudgetOpt = Annotated[
    str | None,
    typer.Option(
        "--budget", metavar="TIME", help="Time the arXiv requests may take in all (300s, 10m)."
    ),
]
