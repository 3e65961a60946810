"""Copy the schema's defaults (lib/studies/registry.py) into each notebook's ``parameters`` cell.

    python -m tools.notebook_params           # rewrite the cells whose values differ from the schema
    python -m tools.notebook_params --check   # only say which differ (exit 1 if any)

A default is edited in the schema; this writes it into the cell, keeping the cell's comments and
layout: only a value that differs is replaced, a parameter the cell lacks is appended with the
schema's help as its comment, and one the schema lacks is removed. tests/test_params.py fails
while a cell and the schema disagree. The notebook is written canonically (nbformat, outputs kept).
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat

from lib.paths import NOTEBOOKS
from lib.studies.registry import STUDIES, Study


def cell_values(source: str, where: str = "the parameters cell") -> dict:
    """The cell's assignments, in order; each statement must be ``name = constant`` (``1 / 6`` allowed)."""
    values = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise ValueError(f"{where}: line {node.lineno} is not `name = value`; the cell may only assign names")
        name = node.targets[0].id
        if name in values:
            raise ValueError(f"{where}: {name} is assigned twice")
        values[name] = eval(compile(ast.Expression(node.value), where, "eval"), {"__builtins__": {}})
    return values


def _same(a, b) -> bool:
    return a == b and type(a) is type(b)


def synced_source(source: str, study: Study) -> str:
    """The cell's source with every value the schema's default; comments and order kept."""
    defaults = study.defaults()
    lines = source.split("\n")
    tree = ast.parse(source)
    # From the last statement up, so earlier line and column numbers stay valid.
    for node in reversed(tree.body):
        name = node.targets[0].id
        value = eval(compile(ast.Expression(node.value), study.notebook, "eval"), {"__builtins__": {}})
        start, end = node.lineno - 1, node.end_lineno - 1
        if name not in defaults:
            del lines[start:end + 1]
        elif not _same(value, defaults[name]):
            v = node.value
            head, tail = lines[v.lineno - 1][:v.col_offset], lines[v.end_lineno - 1][v.end_col_offset:]
            lines[v.lineno - 1:v.end_lineno] = [head + repr(defaults[name]) + tail]
    present = {node.targets[0].id for node in tree.body}
    text = "\n".join(lines).rstrip("\n")
    for name, param in study.schema.items():
        if name not in present:
            text += f"\n{name} = {defaults[name]!r}" + (f"  # {param.help}" if param.help else "")
    return text


def parameters_cell(nb, notebook: str):
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{notebook} needs exactly one cell tagged 'parameters', has {len(cells)}")
    return cells[0]


def sync(study: Study, notebooks_dir: Path = NOTEBOOKS, write: bool = True) -> bool:
    """True when the notebook's cell differed from the schema (and, with ``write``, was rewritten)."""
    path = notebooks_dir / study.notebook
    nb = nbformat.read(str(path), as_version=4)
    cell = parameters_cell(nb, study.notebook)
    cell_values(cell.source, study.notebook)
    new = synced_source(cell.source, study)
    if new == cell.source:
        return False
    if write:
        cell.source = new
        path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.notebook_params", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a cell differs")
    args = parser.parse_args(argv)
    differ = [s.notebook for s in STUDIES.values() if sync(s, write=not args.check)]
    for name in differ:
        print(f"{name}: parameters cell {'differs from' if args.check else 'rewritten from'} the schema")
    return 1 if differ and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
