"""Notebook prose states no findings: numbers and comparatives come from code, built from runs."""
import json
import re

import pytest
from lib.paths import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
# A result number (a share, points, a speed-up) or a comparative verdict written by hand.
# (A "95 % interval" names a method, and "3×3" a kernel size: neither is a result.)
RESULT_NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%(?!\s*(?:interval|CI\b|confidence))|percent|points?\b|pts\b|"
                           r"×(?!\s*\d)|x faster)", re.I)
COMPARATIVE = re.compile(r"\b(?:faster|slower|better|worse|outperform\w*|beats?|beaten|superior|inferior)\b", re.I)


def _markdown(nb_path):
    cells = json.loads(nb_path.read_text())["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_cells_hold_no_result_numbers_or_comparatives(nb_path):
    found = [(i, m.group(0)) for i, text in _markdown(nb_path)
             for m in [*RESULT_NUMBER.finditer(text), *COMPARATIVE.finditer(text)]]
    assert not found, f"{nb_path.name}: hand-written results in markdown cells {found}; compute them in code"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_the_page_header_is_a_top_level_title(nb_path):
    heads = [i for i, text in _markdown(nb_path) for line in text.splitlines() if re.match(r"#\s", line)]
    assert not heads, f"{nb_path.name}: markdown cells {heads} start an H1; the page header is the only title"


def test_the_checker_catches_what_it_is_for(tmp_path):
    assert RESULT_NUMBER.search("reached 93.14 % in ten epochs") and RESULT_NUMBER.search("about 3× faster")
    assert COMPARATIVE.search("batch norm is faster") and not COMPARATIVE.search("a 3×3 convolution")
    assert not RESULT_NUMBER.search("3×3 convolutions with stride 1") and not RESULT_NUMBER.search("its 95 % interval")


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_are_canonical_and_stripped_but_for_the_golden_cell(nb_path):
    import nbformat

    text = nb_path.read_text()
    nb = nbformat.reads(text, as_version=4)
    assert text == nbformat.writes(nb) + "\n", f"{nb_path.name} is not in nbformat's canonical JSON; run make goldens"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "NBVAL_CHECK_OUTPUT" in cell.source:
            assert cell.outputs, f"{nb_path.name}: the golden cell has no recorded output (make goldens)"
        else:
            assert not cell.outputs and cell.execution_count is None, f"{nb_path.name} keeps outputs"
