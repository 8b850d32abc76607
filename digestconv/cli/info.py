"""``formats``, ``rules`` and ``rule``: what the tool knows."""

from __future__ import annotations

from typing import Annotated

import typer

from .base import Command, app
from .common import _fail


@app.command(cls=Command)
def formats() -> None:
    """List the output formats: name, suffixes, media type, read/write."""
    from .. import formats as registry

    rows = [("name", "suffixes", "media type", "can")]
    for f in registry.all_formats():
        can = "/".join(x for x, ok in (("read", f.can_read), ("write", f.can_write)) if ok)
        names = f.name + (f" ({', '.join(f.aliases)})" if f.aliases else "")
        rows.append((names, " ".join(f.suffixes), f.media_type, can))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[3])
    for name, why in sorted(registry.broken.items()):
        typer.echo(f"digestconv: format plugin '{name}' failed to load: {why}", err=True)


@app.command(cls=Command)
def styles(
    search: Annotated[
        str | None,
        typer.Option(
            "--search", metavar="WORD", help="Only styles whose name or title contains WORD."
        ),
    ] = None,
) -> None:
    """List the CSL styles for --style: name and title."""
    from ..formats._styles import StyleError, styles_listing

    try:
        lines, code = styles_listing(search)
    except StyleError as exc:
        raise _fail(str(exc)) from None
    typer.echo("\n".join(lines), err=code != 0)
    raise typer.Exit(code)


@app.command(cls=Command)
def rules() -> None:
    """List every rule: code, name, default severity, summary."""
    from ..rules import all_rules

    listed = all_rules()
    name_width = max(len(r.name) for r in listed)
    severity_width = max(len(r.severity) for r in listed)
    for r in listed:
        typer.echo(f"{r.code}  {r.name:<{name_width}}  {r.severity:<{severity_width}}  {r.summary}")


@app.command(cls=Command)
def rule(
    name: Annotated[
        str, typer.Argument(metavar="RULE", help="Rule name or code.", show_default=False)
    ],
) -> None:
    """Explain one rule, with a bad and a good example."""
    from ..rules import get

    r = get(name)
    if r is None:
        raise _fail(f"no rule '{name}' (see 'digestconv rules')")
    indent = lambda s: "\n".join("    " + line for line in s.splitlines())  # noqa: E731
    typer.echo(
        f"{r.code} {r.name} ({r.severity})\n\n{r.summary}\n\n{r.explanation}\n\n"
        f"Bad:\n\n{indent(r.bad)}\n\nGood:\n\n{indent(r.good)}"
    )
