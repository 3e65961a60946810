"""make lab: the prepared notebook carries exactly the profile's validated parameters, and is not run."""
import ast

import nbformat
import pytest
import yaml

from lib.report import lab, pipeline
from lib.errors import ProjectError
from lib.paths import PARAMS


@pytest.fixture
def no_data_lookup(monkeypatch):
    # Where the data is found is make check's concern; preparing a notebook must not depend on this machine.
    monkeypatch.setattr(pipeline, "check_data", lambda *a, **k: None)


def _injected(path):
    nb = nbformat.read(str(path), as_version=4)
    [cell] = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    [node] = ast.parse(cell.source).body  # one mapping, as papermill hands it to every study notebook
    assert node.targets[0].id == "params"
    return nb, ast.literal_eval(node.value)


def test_prepared_notebook_has_the_quick_parameters_and_no_new_outputs(tmp_path, monkeypatch, no_data_lookup):
    monkeypatch.setattr(lab.subprocess, "call", lambda *a, **k: pytest.fail("JupyterLab must not start"))
    assert lab.main(["--study", "2", "--profile", "quick", "--build-dir", str(tmp_path), "--prepare-only"]) == 0
    path = tmp_path / "lab" / "quick" / "02_fashion_regularisation.ipynb"
    nb, values = _injected(path)
    expected = yaml.safe_load((PARAMS / "quick" / "fashion_regularisation.yaml").read_text())
    assert {k: values[k] for k in expected} == expected
    assert values["profile"] == "quick"
    assert values["output_dir"] == str((tmp_path / "lab" / "quick" / "fashion_regularisation").resolve())
    assert nb.metadata.kernelspec.name == "smallimg"
    assert all(c.metadata.get("papermill", {}).get("status") != "completed" for c in nb.cells)


@pytest.mark.parametrize("spec", ["", "all", "2,3"])
def test_lab_needs_exactly_one_study(tmp_path, spec, no_data_lookup):
    with pytest.raises(ProjectError, match="name one study"):
        lab.parameterised_notebook(spec, "quick", build_root=tmp_path)


def test_a_bad_profile_fails_in_one_line(tmp_path, capsys):
    assert lab.main(["--study", "2", "--profile", "quik", "--build-dir", str(tmp_path), "--prepare-only"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown profile 'quik'") and "\n" not in err
