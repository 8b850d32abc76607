"""Stage 1: bytes to text, with the encoding checks.

A NUL byte marks a binary file (nothing is parsed).  A byte-order mark, invalid
UTF-8, CRLF line ends and control characters are reported as ``encoding``
issues and the text is still read: invalid bytes become U+FFFD, CRLF becomes LF.
"""

from __future__ import annotations

import re

from ..model import Issue, Span
from ..text import CONTROL, control_name

#: at most this many control-character issues per file, then one summary issue
MAX_CONTROL_ISSUES = 20


#: the bytes of C0 controls but tab and LF, and DEL (NUL included)
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F])
#: bytes checked per copy in :func:`_no_controls`
_CHUNK = 1 << 16
#: C1 controls (U+0080-U+009F) in UTF-8
_C1_BYTES = re.compile(b"\xc2[\x80-\x9f]")


def _no_controls(data: bytes) -> bool:
    """Whether ``data`` surely decodes to text without :data:`~digestconv.text.CONTROL` characters.

    Deleting the control bytes is a fast copy, made a chunk at a time so the
    copy stays small and in cache whatever the file's size; only when it finds
    one (a CR of CRLF counts too) or a C1 lead byte does the exact scan run on
    the text.
    """
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
            return False
    return b"\xc2" not in data or _C1_BYTES.search(data) is None


def decode(data: bytes | str, issues: list[Issue]) -> str | None:
    """The text of ``data`` with LF line ends; ``None`` for a binary file.

    Every encoding problem met is appended to ``issues``.
    """
    if isinstance(data, str):
        text: str | None = data
        clean = False
    else:
        clean = _no_controls(data)  # then there is no NUL either
        text = _decode(data, issues, clean)
    if text is None:
        return None
    text = _normalise(text, issues, may_have_cr=not clean)  # clean bytes hold no CR
    if not clean:
        _scan_controls(text, issues)
    return text


def _decode(data: bytes, issues: list[Issue], clean: bool) -> str | None:
    nul = -1 if clean else data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        col = len(data[data.rfind(b"\n", 0, nul) + 1 : nul].decode("utf-8", "replace")) + 1
        issues.append(
            Issue("encoding", Span.point(line, col), "binary file (a NUL byte): not a text digest")
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        issues.append(
            Issue(
                "encoding",
                Span(1, 1, 1, 2),
                "byte-order mark (U+FEFF) at the start of the file: save as UTF-8 without BOM",
            )
        )
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        col = len(data[line_start:start].decode("utf-8", "replace")) + 1
        bad = data[start : exc.end].hex(" ")
        text = data.decode("utf-8", "replace")
        count = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
        more = f" ({count} invalid sequences in all)" if count > 1 else ""
        issues.append(
            Issue(
                "encoding",
                Span(line, col, line, col + 1),
                f"invalid UTF-8 byte(s) {bad}{more}: re-save the file as UTF-8",
            )
        )
        return text


def _normalise(text: str, issues: list[Issue], may_have_cr: bool = True) -> str:
    if text.startswith("\ufeff"):
        issues.append(
            Issue("encoding", Span(1, 1, 1, 2), "byte-order mark (U+FEFF) at the start of the file")
        )
        text = text[1:]
    if not may_have_cr:
        return text
    crlf = text.find("\r\n")
    if crlf >= 0:
        line = text.count("\n", 0, crlf) + 1
        count = text.count("\r\n")
        col = crlf - (text.rfind("\n", 0, crlf) + 1) + 1
        issues.append(
            Issue(
                "encoding",
                Span(line, col, line, col + 1),
                f"CRLF line endings ({count} lines, first on line {line}): use LF",
            )
        )
        text = text.replace("\r\n", "\n")
    return text


def _scan_controls(text: str, issues: list[Issue]) -> None:
    """Report control characters by line and column (one pass; positions found by search)."""
    found = 0
    line = 1
    line_start = 0  # index of the first character of ``line``
    for m in CONTROL.finditer(text):
        found += 1
        if found > MAX_CONTROL_ISSUES:
            continue
        at = m.start()
        # advance the line count only over the text since the previous hit
        line += text.count("\n", line_start, at)
        line_start = text.rfind("\n", 0, at) + 1
        col = at - line_start + 1
        issues.append(
            Issue(
                "encoding",
                Span(line, col, line, col + 1),
                f"control character {control_name(m.group())}: delete it",
            )
        )
    if found > MAX_CONTROL_ISSUES:
        issues.append(
            Issue(
                "encoding",
                Span.point(1),
                f"{found - MAX_CONTROL_ISSUES} more control characters not listed",
            )
        )
