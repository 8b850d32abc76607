"""The ``sarif`` renderer: a SARIF 2.1.0 log with one run.

Mapping:

- ``runs[0].tool.driver``: name ``digestconv``, the installed version, an
  information URI, and one ``reportingDescriptor`` per rule that has a result
  (ordered by code): ``id`` is the rule code (``DC301``), ``name`` its kebab-case
  name, ``shortDescription`` its one-line summary, ``fullDescription`` its
  explanation, ``help`` the explanation with the rule's bad and good examples
  (plain text and Markdown), ``defaultConfiguration.level`` its default severity.
  A code the rule registry does not know still gets a descriptor, with only an
  id and a name.
- one result per diagnostic in :meth:`Diagnostic.sort_key` order: ``ruleId``,
  ``ruleIndex``, ``level`` (``error`` | ``warning``, the severity the rule was
  reported with), ``message.text`` (made printable like the text report's:
  control and bidirectional characters as backslash escapes, line breaks kept), and one physical
  location.
- locations: a file inside ``root`` (default: the current directory) has a
  relative, percent-encoded ``uri`` with ``uriBaseId`` ``%SRCROOT%``, and
  ``run.originalUriBaseIds`` maps ``%SRCROOT%`` to ``root``'s ``file:`` URI
  (with a trailing slash).  A file outside ``root`` has an absolute ``file:``
  URI.  Standard input has no URI, only the description ``<stdin>``.
- regions: 1-based ``startLine``/``startColumn``/``endLine``/``endColumn``, the
  end column exclusive.  Columns count Unicode code points, which
  ``run.columnKind`` says (``unicodeCodePoints``; SARIF's default would be
  UTF-16 code units).

The log holds no timestamps and no GUIDs: the same report gives the same bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..text import printable
from .common import STDIN_PATHS, RuleInfo, relative_to_root, sorted_diagnostics
from .json import dumps

if TYPE_CHECKING:
    from ..model import Diagnostic, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "digestconv"
SRCROOT = "%SRCROOT%"
#: where the tool is described when the installed metadata names no home page
DEFAULT_INFORMATION_URI = "https://pypi.org/project/digestconv/"

_BACKTICKS = re.compile("`+")
_URL_KEYS = ("homepage", "home", "repository", "source", "source code", "documentation")


def tool_version() -> str:
    """The version of digestconv that is running (``0+unknown`` if not installed)."""
    from .._version import __version__ as version

    if version:
        return version
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version(TOOL_NAME)
    except PackageNotFoundError:
        return "0+unknown"


def information_uri() -> str:
    """The project's home page from the installed metadata, else its package index page."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        meta = metadata(TOOL_NAME)
    except PackageNotFoundError:
        return DEFAULT_INFORMATION_URI
    urls: dict[str, str] = {}
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip().lower()] = url.strip()
    for key in _URL_KEYS:
        if urls.get(key, "").startswith(("https://", "http://")):
            return urls[key]
    home = meta.get("Home-page") or ""
    return home if home.startswith(("https://", "http://")) else DEFAULT_INFORMATION_URI


def _fenced(code: str) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}markdown\n{code}\n{fence}"


def _indented(code: str) -> str:
    return "\n".join("    " + row if row else "" for row in code.split("\n"))


def _help(info: RuleInfo) -> dict[str, str]:
    intro = "\n\n".join(part for part in (info.summary, info.explanation) if part)
    text, markdown = [intro], [intro]
    for label, example in (("Bad", info.bad), ("Good", info.good)):
        if example:
            text.append(f"{label}:\n{_indented(example)}")
            markdown.append(f"{label}:\n\n{_fenced(example)}")
    return {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)}


def _descriptor(code: str, name: str, info: RuleInfo | None) -> dict[str, Any]:
    if info is None:
        return {"id": code, "name": name}
    out: dict[str, Any] = {"id": code, "name": info.name}
    if info.summary:
        out["shortDescription"] = {"text": info.summary}
    if info.explanation or info.summary:
        out["fullDescription"] = {"text": info.explanation or info.summary}
    help_ = _help(info)
    if help_["text"]:
        out["help"] = help_
    out["defaultConfiguration"] = {"level": info.severity}
    return out


def _file_uri(path: str) -> str:
    return Path(os.path.abspath(path)).as_uri()


_BYTE_ESCAPE = re.compile(rb"\\x([0-9a-f]{2})")


def _on_disk(path: str) -> str:
    r"""The file name behind a diagnostic's path, as Python holds it.

    Diagnostics carry a name that is not valid UTF-8 in its shown form
    (``bad\xff.md``, see :func:`~digestconv.output.display_path`).  A URI must
    name the file itself (``bad%FF.md``), so when no file has the shown name
    and one has the escaped bytes, that one is meant.
    """
    if "\\x" not in path or os.path.lexists(path):
        return path
    raw = _BYTE_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), path.encode("utf-8"))
    return os.fsdecode(raw) if os.path.lexists(raw) else path


def _artifact(path: str, root: Path) -> dict[str, Any]:
    if path in STDIN_PATHS:
        return {"description": {"text": "<stdin>"}}
    path = _on_disk(path)
    relative = relative_to_root(path, root)
    if relative is None:
        return {"uri": _file_uri(path)}
    return {"uri": quote(os.fsencode(relative), safe="/"), "uriBaseId": SRCROOT}


def _region(d: Diagnostic) -> dict[str, int] | None:
    if d.line < 1:
        return None
    region = {"startLine": d.line}
    if d.column >= 1:
        region["startColumn"] = d.column
    if d.end_line >= d.line:
        region["endLine"] = d.end_line
        if d.column >= 1 and d.end_column >= 1 and (d.end_line, d.end_column) >= (d.line, d.column):
            region["endColumn"] = d.end_column
    return region


def _result(d: Diagnostic, index: int, root: Path) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(d.path, root)}
    region = _region(d)
    if region is not None:
        physical["region"] = region
    return {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": d.severity,
        "message": {"text": printable(d.message, lines=True)},
        "locations": [{"physicalLocation": physical}],
    }


def _run(names: Mapping[str, str], base: Path) -> dict[str, Any]:
    """The run object without its results; ``names`` maps each reported code to its rule."""
    from ..model import INTERNAL_ERROR_CODE, IO_ERROR_CODE
    from .common import rule_metadata  # looked up at call time

    codes = sorted(names)
    rules = [_descriptor(code, names[code], rule_metadata(code)) for code in codes]
    root_uri = base.as_uri()
    return {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": tool_version(),
                "informationUri": information_uri(),
                "rules": rules,
            }
        },
        "invocations": [
            {"executionSuccessful": IO_ERROR_CODE not in names and INTERNAL_ERROR_CODE not in names}
        ],
        "originalUriBaseIds": {
            SRCROOT: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}
        },
        "results": [],
        "columnKind": "unicodeCodePoints",
    }


def _base(root: Path | None) -> Path:
    return Path(os.path.abspath(root if root is not None else os.curdir))


def render(report: Report, *, color: bool = False, root: Path | None = None) -> str:
    """The SARIF log as indented JSON text (``color`` is ignored)."""
    diagnostics = sorted_diagnostics(report)
    names: dict[str, str] = {}
    for d in diagnostics:
        names.setdefault(d.code, d.rule)
    return "".join(stream(diagnostics, names, root))


#: stands for the results array while the rest of the log is serialised
_HOLE = "\x00results\x00"


def stream(
    diagnostics: Iterable[Diagnostic], names: Mapping[str, str], root: Path | None = None
) -> Iterator[str]:
    """:func:`render`'s text piece by piece: the log around the results, then each result.

    ``names`` maps every code among ``diagnostics`` to its rule (the rules
    table and each result's ``ruleIndex`` come before the results); the
    diagnostics are read once, in report order, and never held.
    """
    base = _base(root)
    run = _run(names, base)
    run["results"] = _HOLE
    text = dumps({"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]})
    hole = json_string(_HOLE)
    head, tail = text.split(hole, 1)
    index = {code: i for i, code in enumerate(sorted(names))}
    indent = " " * 8  # the results array's elements: in runs[0], in the log
    first = True
    for d in diagnostics:
        element = dumps(_result(d, index[d.code], base))[:-1].replace("\n", "\n" + indent)
        yield (head + "[\n" if first else ",\n") + indent + element
        first = False
    yield (head + "[]" if first else "\n" + " " * 6 + "]") + tail


def json_string(value: str) -> str:
    """``value`` as :func:`~digestconv.report.json.dumps` writes a JSON string."""
    return dumps(value)[:-1]
