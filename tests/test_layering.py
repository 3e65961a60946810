"""Imports run downward: data and models know nothing above them, and the library never imports the tools."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lib.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT


def _imported_lib_modules(module: str) -> set[str]:
    code = f"import {module}, sys, json; print(json.dumps(sorted(m for m in sys.modules if m.startswith('lib'))))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module, allowed", [
    ("lib.data", ("lib", "lib.data", "lib.errors", "lib.io", "lib.paths")),
    ("lib.models", ("lib", "lib.models", "lib.errors")),
    ("lib.io", ("lib", "lib.io", "lib.errors", "lib.paths")),
])
def test_lower_layers_import_nothing_above_them(module, allowed):
    above = {m for m in _imported_lib_modules(module)
             if not any(m == a or m.startswith(a + ".") for a in allowed if a != "lib") and m != "lib"}
    assert not above, f"{module} imports {sorted(above)}"


def test_the_library_never_imports_the_developer_tools():
    offenders = []
    for path in (ROOT / "lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n == "tools" or n.startswith("tools.")]
    assert not offenders


def _imports(path: Path) -> set[str]:
    """Absolute module names ``path`` imports anywhere in its body (function-level imports count: they still run)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name == "__init__.py":
        package += ".__init__"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:-node.level]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _modules(*tops: str) -> dict[str, set[str]]:
    graph = {}
    for top in tops:
        for path in (ROOT / top).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            graph[name] = _imports(path)
    return {m: {i for i in deps if i in graph and i != m} for m, deps in graph.items()}


def _offenders(importer: str, forbidden: str) -> list[str]:
    graph = _modules("lib", "tools")
    return sorted(f"{m} imports {i}" for m, deps in graph.items() if m == importer or m.startswith(importer + ".")
                  for i in deps if i == forbidden or i.startswith(forbidden + "."))


def test_the_studies_never_import_the_report_machinery():
    assert not _offenders("lib.studies", "lib.report")


@pytest.mark.parametrize("layer", ["lib.gan", "lib.train", "lib.experiments", "lib.data", "lib.models"])
def test_lower_layers_never_import_a_study(layer):
    assert not _offenders(layer, "lib.studies")


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle between modules (a package's ``__init__`` counts as the package), or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == "open":
                return stack[stack.index(d):] + [d]
            if d not in state and (found := visit(d)):
                return found
        state[m] = "done"
        stack.pop()
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def _without_package_parents(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # ``from . import x`` in a package's own __init__ names the package itself; a submodule importing its
    # package's __init__ (which re-exports the submodule) is Python's normal package idiom, not a design circle
    return {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in graph.items()}


def test_no_import_circle_in_lib_or_tools():
    graph = _without_package_parents(_modules("lib", "tools"))
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_circle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("layer", ["lib.io", "lib.models", "lib.data"])
def test_io_models_and_data_hand_their_warnings_up_instead_of_importing_progress(layer):
    # warn_user is the report's voice: a lower floor returns its warning text and the caller shows it
    assert not _offenders(layer, "lib.progress")
