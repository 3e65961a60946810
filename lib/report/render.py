"""Executed notebook -> code-free HTML page (nbconvert), written atomically."""
from __future__ import annotations

from pathlib import Path

import nbformat

from .. import io
from ..errors import OutputError


GOLDEN_MARKER = "NBVAL_CHECK_OUTPUT"


def _is_bare_repr(output) -> bool:
    """A cell's last expression shown as plain text only (a dict, a list): a value, not page content."""
    return output.get("output_type") == "execute_result" and set(output.get("data", {})) <= {"text/plain"}


def _drop_logs(nb):
    """What a notebook prints is log, not page: every stream (training lines, download messages,
    library warnings) stays in the executed notebook and the study log, never on the page; so do
    bare reprs and the nbval golden cell (a test's check, not a result).

    A page shows only what the study displays on purpose (markdown, tables, figures) and errors,
    so a failure still shows.
    """
    kept = []
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and GOLDEN_MARKER in cell.get("source", "") and not any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])):
            continue
        cell.outputs = [o for o in cell.get("outputs", [])
                        if o.get("output_type") != "stream" and not _is_bare_repr(o)]
        kept.append(cell)
    nb.cells = kept
    return nb


def render_html(executed: str | Path, html: str | Path, title: str) -> Path:
    from nbconvert import HTMLExporter

    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception as exc:  # noqa: BLE001 -- a truncated or foreign file: JSON, validation or OS errors
        raise OutputError(f"cannot read the executed notebook {executed} (it is unreadable, cut short or not a "
                          f"notebook); "
                          f"the page is left as it was; run the study again") from None
    nb = _drop_logs(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return io.write_text(html, body)
