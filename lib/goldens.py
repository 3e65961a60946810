"""Record nbval goldens: run each notebook with its default (smoke) parameters and store
the outputs of the cells marked ``# NBVAL_CHECK_OUTPUT`` in the committed notebook.

    python -m lib.goldens notebooks/*.ipynb        (or: make goldens)

Only those cells carry outputs in git; every other cell stays clean.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat

from . import io
from .paths import PROJECT_ROOT

MARKER = "NBVAL_CHECK_OUTPUT"


def record(notebook: Path, kernel: str = "smallimg") -> int:
    import papermill as pm

    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / notebook.name
        pm.execute_notebook(str(notebook), str(executed), kernel_name=kernel, progress_bar=False,
                            cwd=str(PROJECT_ROOT))
        ran = nbformat.read(str(executed), as_version=4)
    source = nbformat.read(str(notebook), as_version=4)
    kept = 0
    for cell, done in zip(source.cells, ran.cells):
        if cell.cell_type != "code":
            continue
        if MARKER in cell.source:
            cell.outputs = [o for o in done.outputs if o.get("output_type") != "stream"]
            cell.execution_count = done.execution_count  # nbval refuses outputs of "unrun" cells
            kept += 1
        else:
            cell.outputs = []
            cell.execution_count = None
    io.write_text(notebook, nbformat.writes(source) + "\n")
    return kept


def main(paths: list[str]) -> int:
    for p in paths:
        n = record(Path(p))
        print(f"{p}: recorded {n} golden cell(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
