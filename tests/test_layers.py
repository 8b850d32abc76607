"""The package layout: layers point one way, and no import cycle exists.

Every import statement counts, wherever it stands: at module level, inside a
function (a lazy import) and under ``if TYPE_CHECKING``.  A module may import
modules of its own layer (without a cycle) and of the layers below it, never
of a layer above.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "digestconv"

#: layers from the bottom up; a module belongs to the longest prefix listed
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "model and text utilities",
        (
            "digestconv._version",
            "digestconv._gccontrol",
            "digestconv._schema_validator",
            "digestconv.model",
            "digestconv.text",
            "digestconv.jsontext",
            "digestconv.arxiv",
            "digestconv.latex",
            "digestconv.settings",
            "digestconv.suppress",
            "digestconv.output",
            "digestconv.streams",
            "digestconv.data",
            "digestconv.spill",
        ),
    ),
    (
        "readers and the model's own forms",
        ("digestconv.reader", "digestconv.schema", "digestconv.layout"),
    ),
    ("metadata", ("digestconv.enrich",)),
    ("rules", ("digestconv.rules",)),
    ("formats and reports", ("digestconv.formats", "digestconv.report", "digestconv.fmt")),
    ("pipeline", ("digestconv.pipeline",)),
    (
        "commands and API",
        ("digestconv", "digestconv.api", "digestconv.conversion", "digestconv.config"),
    ),
    ("command line", ("digestconv.cli",)),
)

#: third-party modules only the command line may import
CLI_ONLY = ("typer", "click", "rich")
#: the largest module a newcomer should have to read at once
MAX_LINES = 600
#: generated code, exempt from the size limit
GENERATED = {"digestconv._schema_validator"}


def _modules() -> dict[str, tuple[Path, bool]]:
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _known(name: str) -> str | None:
    """The module ``name`` refers to: itself, else its nearest enclosing module."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else None


def _imports(module: str) -> tuple[set[str], set[str]]:
    """The package modules ``module`` imports, and the top-level external ones."""
    path, is_package = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    inside: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                parent = ".".join([*base, *([node.module] if node.module else [])])
            else:
                parent = node.module or ""
            # "from pkg import mod" imports pkg.mod when that is a module, else pkg
            targets = [
                f"{parent}.{alias.name}" if f"{parent}.{alias.name}" in MODULES else parent
                for alias in node.names
            ]
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                known = _known(target)
                if known is not None and known != module:
                    inside.add(known)
            else:
                outside.add(target.split(".")[0])
    return inside, outside


GRAPH = {module: _imports(module)[0] for module in MODULES}


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of ``module``'s layer (longest matching prefix)."""
    best, best_len = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if layer_of(m) < 0] == []


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in sorted(GRAPH.items())
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_lazy_and_type_checking_imports() -> None:
    # the real modules show both kinds: the rule engine imports enrichment types under
    # TYPE_CHECKING, and the per-file worker imports the reader inside a function
    assert "digestconv.enrich.apply" in GRAPH["digestconv.rules.engine"]
    assert "digestconv.reader" in GRAPH["digestconv.pipeline.work"]


def test_only_the_command_line_knows_typer() -> None:
    offenders = {
        module: sorted(set(CLI_ONLY) & _imports(module)[1])
        for module in MODULES
        if layer_of(module) != len(LAYERS) - 1
    }
    assert {m: names for m, names in offenders.items() if names} == {}


@pytest.mark.parametrize("module", sorted(set(MODULES) - GENERATED))
def test_no_module_is_too_long_to_read(module: str) -> None:
    path, _ = MODULES[module]
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_importing_the_library_does_not_load_the_command_line() -> None:
    import subprocess

    code = (
        "import sys, digestconv, digestconv.api, digestconv.conversion;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich')"
        " or m.startswith('digestconv.cli')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"


def test_layers_are_ordered_as_documented() -> None:
    order = ["digestconv.model", "digestconv.reader.walk", "digestconv.enrich.cache"]
    order += ["digestconv.rules.engine", "digestconv.formats.bibtex", "digestconv.pipeline.pool"]
    order += ["digestconv.api", "digestconv.cli.base"]
    assert [layer_of(m) for m in order] == list(range(len(LAYERS)))
