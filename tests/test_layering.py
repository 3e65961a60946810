"""Imports run downward: data and models know nothing above them, and the library never imports the tools."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imported_lib_modules(module: str) -> set[str]:
    code = f"import {module}, sys, json; print(json.dumps(sorted(m for m in sys.modules if m.startswith('lib'))))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module, allowed", [
    ("lib.data", ("lib", "lib.data", "lib.errors", "lib.io", "lib.paths")),
    ("lib.models", ("lib", "lib.models", "lib.errors")),
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
