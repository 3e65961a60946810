"""Every study has the one shape: the same face in lib/studies/<key>, the same notebook skeleton.

A reader who knows one study knows where everything of another is; adding a study is copying one package
and one notebook (README, "Layout")."""
import ast
import importlib
import inspect

import nbformat
import pytest

from lib.paths import NOTEBOOKS
from lib.studies.registry import STUDIES

pytestmark = pytest.mark.unit

FACE = {"data": ["P", "page"], "runs": ["P", "data", "cache"], "report": ["page", "runs", "P", "section"],
        "claims": ["runs", "P"], "golden": ["runs", "P"]}
# What a notebook may call: the page's and the study's face, nothing else of lib.
ALLOWED_CALLS = {"report.open_study", "report.check_golden", "page.record", "page.claims", "page.finish",
                 *(f"study.{name}" for name in FACE)}


def _code(key: str) -> list[str]:
    nb = nbformat.read(str(NOTEBOOKS / STUDIES[key].notebook), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("key", list(STUDIES))
def test_each_study_package_exposes_the_same_face(key):
    study = importlib.import_module(f"lib.studies.{key}")
    assert study.KEY == key and study.__file__.endswith("__init__.py")
    assert isinstance(study.SECTIONS, tuple) and study.SECTIONS
    for name, args in FACE.items():
        assert callable(getattr(study, name)), f"{key}.{name} is not a function (a submodule shadows it?)"
        assert list(inspect.signature(getattr(study, name)).parameters) == args, (key, name)


@pytest.mark.parametrize("key", list(STUDIES))
def test_each_notebook_is_the_skeleton_and_reports_every_section_in_order(key):
    cells = _code(key)
    tree = ast.parse("\n".join(cells[1:]))
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert imports == ["from lib.report import page as report", f"from lib.studies import {key} as study"]
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute)}
    assert calls <= ALLOWED_CALLS, sorted(calls - ALLOWED_CALLS)
    reports = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == "study.report"),
                     key=lambda n: n.lineno)
    assert tuple(n.args[3].value for n in reports) == importlib.import_module(f"lib.studies.{key}").SECTIONS
    assert "P, page, cache = report.open_study(study.KEY, params)" in cells[1]
    assert cells[-1].splitlines()[-2:] == ["summary = page.finish(runs)",
                                           "report.check_golden(study.KEY, P, study.golden(runs, P))"]
