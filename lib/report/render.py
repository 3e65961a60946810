"""Executed notebook -> code-free HTML page (nbconvert), written atomically."""
from __future__ import annotations

from pathlib import Path

import nbformat

from .. import io
from ..errors import OutputError


GOLDEN_MARKER = "NBVAL_CHECK_OUTPUT"


def _strip_markers(text: str) -> str:
    """Progress and warning markers are for the terminal (lib.progress); pages show warnings themselves."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("::"))


def _drop_logs(nb):
    """Logs stay in the executed notebook, not on the page: stderr everywhere (library
    warnings), stdout of cells tagged ``log`` (per-epoch training lines), progress markers,
    and the nbval golden cell (a test's check, not a result).

    Errors and rich outputs are kept, so a failure still shows.
    """
    kept = []
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and GOLDEN_MARKER in cell.get("source", "") and not any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])):
            continue
        is_log = "log" in cell.get("metadata", {}).get("tags", [])
        outputs = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                if is_log or o.get("name") == "stderr":
                    continue
                o["text"] = _strip_markers(o.get("text", ""))
                if not o["text"]:
                    continue
            outputs.append(o)
        cell.outputs = outputs
        kept.append(cell)
    nb.cells = kept
    return nb


def render_html(executed: str | Path, html: str | Path, title: str) -> Path:
    from nbconvert import HTMLExporter

    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception as exc:  # noqa: BLE001 -- a truncated or foreign file: JSON, validation or OS errors
        raise OutputError(f"cannot read the executed notebook {executed} ({type(exc).__name__}); "
                          f"the page is left as it was; run the study again") from None
    nb = _drop_logs(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return io.write_text(html, body)
