"""Executed notebook -> code-free HTML page (nbconvert), written atomically."""
from __future__ import annotations

from pathlib import Path

import nbformat

from . import io


def _drop_logs(nb):
    """Logs stay in the executed notebook, not on the page: stderr everywhere (library
    warnings) and stdout of cells tagged ``log`` (per-epoch training lines).

    Errors and rich outputs are kept, so a failure still shows.
    """
    for cell in nb.cells:
        is_log = "log" in cell.get("metadata", {}).get("tags", [])
        cell.outputs = [o for o in cell.get("outputs", []) if not (
            o.get("output_type") == "stream" and (is_log or o.get("name") == "stderr"))]
    return nb


def render_html(executed: str | Path, html: str | Path, title: str) -> Path:
    from nbconvert import HTMLExporter

    nb = _drop_logs(nbformat.read(str(executed), as_version=4))
    nb.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return io.write_text(html, body)
