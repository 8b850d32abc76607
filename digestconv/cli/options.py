"""Checks ``to`` makes on its options before any input is read.

A mistyped format, an unwritable ``-o`` target, an option that does nothing
for the chosen format, an empty feed title or a feed link that is not a URL
are refused here (exit 2), so nothing is read and nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from .common import _check_output, _fail

if TYPE_CHECKING:
    from ..formats.base import Format


def _unknown_format(name: str, extra: str = "") -> typer.Exit:
    import difflib

    from .. import formats

    names = sorted({n for f in formats.all_formats() for n in (f.name, *f.aliases)})
    close = difflib.get_close_matches(name.lower(), names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return _fail(f"unknown format '{name}'{extra} ({hint}see 'digestconv formats')")


def pick_format(words: Sequence[str], output: Path | None) -> tuple[Format, list[str]]:
    """The format and the input paths of ``to FORMAT PATH...`` (or ``to PATH... -o FILE.EXT``).

    The first word is the format when it names one.  With ``-o``, it may be
    left out and the output's suffix names the format; then the first word must
    be an input that exists, so a mistyped format (``to bibtx seeds/ -o
    refs.bib``) is refused rather than read as a file name.
    """
    from .. import formats

    args = list(words)
    if not args:
        raise _fail("no format and no input: 'digestconv to FORMAT PATH...'")
    fmt = formats.find(args[0])
    if fmt is not None:
        args = args[1:]
    elif output is None:
        raise _unknown_format(args[0])
    elif args[0] != "-" and not os.path.lexists(args[0]):
        raise _unknown_format(args[0], ", and no file or folder has that name")
    else:
        fmt = formats.find(filename=str(output))
        if fmt is None:
            raise _fail(f"cannot tell the format from '{output.name}': name it, e.g. 'to bibtex'")
    if not args:
        raise _fail("no input: give files, folders or '-'")
    if not fmt.can_write:
        raise _fail(f"format '{fmt.name}' cannot be written")
    return fmt, args


#: the options that only some formats use, with the batch field each one sets
_FORMAT_OPTIONS = {
    "--feed-title": ("title", "One title", "Another title"),
    "--feed-author": ("author", "One author", "Another author"),
    "--feed-link": ("link", "https://one.example/", "https://another.example/"),
    "--ascii": ("ascii", False, True),
}


def _probe() -> Any:
    """A one-paper batch with non-ASCII text: what an option can change is visible in it."""
    from ..formats.base import Batch
    from ..model import Paper

    paper = Paper(
        ref=1,
        arxiv_id="2403.15711",
        version=1,
        url="https://arxiv.org/abs/2403.15711",
        title="Café Modèle",
        title_zh="模型",
        summary_zh="一句话。",
        abstract="Naïve résumé.",
        abstract_zh="摘要。",
        primary_category="cs.LG",
        line=1,
        end_line=1,
    )
    return Batch((paper,))


def applies(fmt: Format, option: str) -> bool:
    """Whether ``option`` changes what ``fmt`` writes (probed on a small batch).

    Probing keeps the answer true for every format, plugins included: an
    option applies to a format exactly when it changes its output.
    """
    import dataclasses

    field, one, other = _FORMAT_OPTIONS[option]
    batch = _probe()
    try:
        first = fmt.write(dataclasses.replace(batch, **{field: one}))
        second = fmt.write(dataclasses.replace(batch, **{field: other}))
    except Exception:  # a plugin that cannot write the probe: give it the benefit of the doubt
        return True
    return first != second


def refuse_unused(fmt: Format, given: dict[str, object]) -> None:
    """Exit 2 when an option given does nothing for ``fmt``, naming the formats it serves."""
    from .. import formats

    for option, value in given.items():
        if value in (None, False) or applies(fmt, option):
            continue
        users = [f.name for f in formats.all_formats() if f.can_write and applies(f, option)]
        raise _fail(
            f"{option} does not apply to {fmt.name} (it changes only {', '.join(users)}): "
            "leave it out"
        )


def check_to_options(
    fmt: Format,
    output: Path | None,
    *,
    feed_title: str | None,
    feed_link: str | None,
    ascii_: bool,
    feed_author: str | None = None,
) -> None:
    """Every check ``to`` makes before reading any input; exit 2 on the first failure."""
    from ..output import (
        OutputError,
        check_feed_link,
        check_feed_title,
        check_option_text,
        source_date_epoch,
    )

    try:
        check_option_text("--feed-title", feed_title)
        check_option_text("--feed-link", feed_link)
        check_option_text("--feed-author", feed_author)
        check_feed_title(feed_title)
        check_feed_title(feed_author, "--feed-author")
        check_feed_link(feed_link)
        source_date_epoch()  # a bad SOURCE_DATE_EPOCH is refused before any file is read
    except (OutputError, ValueError) as exc:
        raise _fail(str(exc)) from None
    refuse_unused(
        fmt,
        {
            "--feed-title": feed_title,
            "--feed-author": feed_author,
            "--feed-link": feed_link,
            "--ascii": ascii_,
        },
    )
    _check_output(output)
