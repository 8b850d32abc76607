"""File-level rules: is this a digest at all, can it be decoded, does it parse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Digest, Span
from .registry import Finding, rule

if TYPE_CHECKING:
    from ..settings import Settings


def _issues(digest: Digest, name: str) -> Iterator[Finding]:
    for issue in digest.issues:
        if issue.rule == name:
            yield Finding(issue.span, issue.message)


@rule(
    "DC000",
    "io-error",
    "error",
    bad="""
        $ digestconv validate missing.md locked/ fifo.md
        missing.md:1:1: DC000 io-error no such file or folder
    """,
    good="""
        $ digestconv validate digests/
    """,
)
def io_error(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A file or folder could not be read.

    The path does not exist, is not a regular file (a FIFO, socket or device
    named on the command line), or could not be opened or listed (permissions).
    Nothing in it was checked, so the run exits with status 2. It is always an
    error and cannot be ignored. Reported by the pipeline, not by a check.
    """
    return iter(())


@rule(
    "DC001",
    "not-a-digest",
    "error",
    bad="""
        # My reading notes

        Some papers I liked this week.
    """,
    good="""
        # 摘要

        | Ref | Title | Summary |
        | --- | --- | --- |
        | [^1] | [A Title](https://arxiv.org/abs/2403.15711) | 一句话总结。 |

        # 详细

        [^1]: 中文标题
        ...
    """,
)
def not_a_digest(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The file is not a digest: empty, an abstract page, or text of another kind.

    A digest has a `# 摘要` summary table and a `# 详细` section of `[^N]:`
    blocks. An abstract page (an English abstract followed by `翻译:` and its
    translation) has no title, link or arXiv identifier, so it can be neither
    cited nor converted. Pass only digests, or exclude other files with the
    `exclude` setting.
    """
    if digest.kind == "abstract-page":
        yield Finding(
            Span.point(1),
            "abstract page (an English abstract and its '翻译:' translation), not a digest: "
            "it has no title, arXiv link or identifier, so it cannot be cited or converted; "
            "add the paper to a digest instead",
        )
    elif not digest.recognized and not any(i.rule == "encoding" for i in digest.issues):
        if not digest.text.strip():
            yield Finding(
                Span.point(1), "empty file: a digest needs '# 摘要' and '# 详细' sections"
            )
        else:
            yield Finding(
                Span.point(1),
                "not a digest: no '# 摘要' or '# 详细' heading, no '| [^N] |' table row and no "
                "'[^N]:' detail block; exclude this file or add the digest sections",
            )


@rule(
    "DC002",
    "page-chrome",
    "error",
    bad="""
        翻译:当今人工智能产品的主要驱动力之一是……

        下载
        关闭预览
        相关内容
    """,
    good="""
        翻译:当今人工智能产品的主要驱动力之一是……
    """,
)
def page_chrome(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """Scraped web-page text (buttons, related links, footers) follows the content.

    Text copied from a web page often drags the page's chrome along: download
    and close buttons, lists of related articles, membership and funding
    blocks, a QR-code footer. It is not part of the paper: delete it.
    """
    yield from _issues(digest, "page-chrome")


@rule(
    "DC003",
    "encoding",
    "error",
    bad="""
        (a file saved as UTF-16, with a byte-order mark, CRLF line ends or a
        stray U+0007 BELL character inside a title)
    """,
    good="""
        (UTF-8 without BOM, LF line ends, no control characters but tab)
    """,
)
def encoding(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """Invalid UTF-8, a byte-order mark, CRLF line ends or control characters.

    Digests are UTF-8 text with LF line ends. Invalid bytes, a BOM and CRLF
    come from hand edits on other systems; control characters (U+0007 BELL,
    U+0008 BACKSPACE, ...) come from copy and paste and break XML outputs.
    `digestconv fmt` removes a BOM and CRLF; control characters must be deleted
    by hand (the message says which and where).
    """
    yield from _issues(digest, "encoding")


@rule(
    "DC004",
    "syntax",
    "error",
    bad="""
        [^1]: 中文标题

        English title, not indented
    """,
    good="""
        [^1]: 中文标题

            English title, indented by four spaces
    """,
)
def syntax(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A line the digest grammar cannot place.

    Every non-blank line of a digest is a heading (`# 摘要`, `# 详细`), the
    table header, a table row `| [^N] | [title](url) | summary |`, a detail
    block header `[^N]: 中文标题` or an indented line of a detail block. Any
    other line would be lost by a converter, so it is reported: indent it,
    move it into a field, or delete it.
    """
    yield from _issues(digest, "syntax")


@rule(
    "DC005",
    "schema",
    "error",
    bad="""
        | [^0] | [A Title](https://arxiv.org/abs/2403.15711) | 总结 |
    """,
    good="""
        | [^1] | [A Title](https://arxiv.org/abs/2403.15711) | 总结 |
    """,
)
def schema(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The parsed file violates the published JSON Schema.

    `digestconv parse` prints each file in the form described by
    `schemas/digest.schema.json`; this rule validates that form (references
    start at 1, identifiers and URLs have their shapes, ...) and points at the
    source of the offending field. A violation that another enabled rule
    already reports (a reference `[^0]`, a malformed identifier or URL, an
    unknown category) is left to that rule: one defect, one diagnostic.
    """
    from .. import schema as json_schema

    for path, message in json_schema.errors(digest.to_dict()):
        where = "/".join(map(str, path)) or "(file)"
        yield Finding(json_schema.locate(digest, path), f"{where}: {message}")


@rule(
    "DC099",
    "internal-error",
    "error",
    bad="""
        digest.md:1:1: DC099 internal-error internal error in rule ref-order:
          ValueError: ...; the rest of this file was not checked
    """,
    good="""
        (no internal errors: please report one with the file that caused it)
    """,
)
def internal_error(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """An unexpected failure while handling this file; the other files were still handled.

    An unexpected exception in the reader or in one rule is reported at the
    file it happened in, with the exception's type and message, and the run
    exits with status 2. It is always an error and cannot be ignored. Please
    report it together with the file. Reported by the pipeline, not by a check.
    """
    return iter(())
