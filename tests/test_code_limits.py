"""Size limits for lib/: parameters per function, lines per function, lines per class.

A function over these limits is a sign it does several things; split it into named helpers."""

import ast
from pathlib import Path

import pytest
from lib.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

LIB = PROJECT_ROOT / "lib"
MAX_PARAMS = 12
MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 150

EXCLUDED: tuple[str, ...] = ()  # paths spared the limits (none now: every study has the one shape)


def _excluded(relative: str) -> bool:
    return any(relative == item or (item.endswith("/") and relative.startswith(item)) for item in EXCLUDED)


def _parameter_count(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    arguments = node.args
    count = len(arguments.posonlyargs) + len(arguments.args) + len(arguments.kwonlyargs)
    count += arguments.vararg is not None
    count += arguments.kwarg is not None
    if arguments.args and arguments.args[0].arg in {"self", "cls"}:
        count -= 1
    return count


def offenders(root: Path = LIB) -> list[str]:
    """Every function or class under ``root`` over a limit, as 'path:line name: what'."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        spared = _excluded(relative)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            lines = getattr(node, "end_lineno", 0) - getattr(node, "lineno", 0) + 1
            where = f"{root.name}/{relative}:{getattr(node, 'lineno', 0)} {getattr(node, 'name', '')}"
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if _parameter_count(node) > MAX_PARAMS and not spared:
                    found.append(f"{where}: {_parameter_count(node)} parameters")
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{where}: {lines} lines")
            elif isinstance(node, ast.ClassDef) and lines > MAX_CLASS_LINES and not spared:
                found.append(f"{where}: class of {lines} lines")
    return found


def test_lib_stays_within_size_limits():
    assert offenders() == []


def test_checker_sees_an_over_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n", encoding="utf-8")
    params = ", ".join(f"a{i}" for i in range(MAX_PARAMS + 1))
    (tmp_path / "wide.py").write_text(f"def wide(self, {params}):\n    pass\n", encoding="utf-8")
    assert offenders(tmp_path) == [f"{tmp_path.name}/long.py:1 long: {MAX_FUNCTION_LINES + 1} lines",
                                   f"{tmp_path.name}/wide.py:1 wide: {MAX_PARAMS + 1} parameters"]


def test_checker_counts_a_function_at_the_limit_as_within_it(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES - 1))
    params = ", ".join(f"a{i}" for i in range(MAX_PARAMS))
    (tmp_path / "edge.py").write_text(f"def edge({params}):\n{body}\n", encoding="utf-8")
    assert offenders(tmp_path) == []
