"""``make goldens``: re-record each notebook's golden cell after an intended change of results.

Runs the notebook on its defaults with ``golden="record"`` (which rewrites
``notebooks/goldens/<study>.json`` through :func:`lib.report.goldens.check`) and keeps only the golden
cell's output in the committed notebook, in nbformat's canonical JSON.

    python -m tools.record_goldens notebooks/*.ipynb
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat

from lib import io
from lib.report.goldens import MARKER
from lib.paths import PROJECT_ROOT


def record(notebook: Path, kernel: str = "smallimg") -> int:
    """Run ``notebook`` on its defaults with golden="record"; keep only the golden cell's output."""
    import papermill as pm

    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / notebook.name
        pm.execute_notebook(str(notebook), str(executed), kernel_name=kernel, progress_bar=False,
                            parameters={"golden": "record"}, cwd=str(PROJECT_ROOT))
        ran = nbformat.read(str(executed), as_version=4)
    source = nbformat.read(str(notebook), as_version=4)
    kept = 0
    ran_cells = [c for c in ran.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    for cell, done in zip(source.cells, ran_cells):
        if cell.cell_type != "code":
            continue
        if MARKER in cell.source:
            cell.outputs = [o for o in done.outputs if o.get("output_type") != "stream"]
            cell.execution_count = 1  # nbval refuses outputs of "unrun" cells
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
