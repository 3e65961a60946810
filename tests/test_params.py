"""Parameter files, notebooks and schemas agree; bad parameters fail in one line."""
import ast
import json

import pytest
import yaml

from lib import pipeline
from lib.errors import ParamError
from lib.params import validate
from lib.paths import NOTEBOOKS, PARAMS
from lib.studies import STUDIES, get_study


def _parameters_cell(notebook):
    nb = json.loads((NOTEBOOKS / notebook).read_text())
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{notebook} needs exactly one cell tagged 'parameters'"
    tree = ast.parse("".join(cells[0]["source"]))
    return {t.id: ast.literal_eval(node.value) if not isinstance(node.value, ast.BinOp) else eval(
        compile(ast.Expression(node.value), "<p>", "eval"))
            for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}


PARAM_FILES = sorted(PARAMS.glob("*/*.yaml"))


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_params_key_exists_in_the_notebooks_parameters_cell(path):
    study = get_study(path.stem)
    names = _parameters_cell(study.notebook)
    keys = set(yaml.safe_load(path.read_text()) or {})
    assert keys <= set(names), f"{path.name}: not in the notebook: {sorted(keys - set(names))}"


@pytest.mark.parametrize("key", list(STUDIES))
def test_parameters_cell_matches_schema_and_its_defaults_are_valid(key):
    study = STUDIES[key]
    defaults = _parameters_cell(study.notebook)
    assert set(defaults) == set(study.schema)
    validate(study.schema, defaults, complete=True)
    assert defaults["profile"] == "smoke", "notebook defaults must be the smoke profile"


@pytest.mark.parametrize("profile", ["smoke", "quick", "full"])
def test_each_profile_has_a_valid_file_per_study(profile):
    for study in STUDIES.values():
        pipeline.load_params(profile, study)


@pytest.mark.parametrize("values, expected", [
    ({"epoch": 3}, "unknown parameter 'epoch' (did you mean 'epochs'?)"),
    ({"epochs": -1}, "epochs=-1 is out of range"),
    ({"batch_size": 0}, "batch_size=0 is out of range"),
    ({"dropout_rate": 1.5}, "dropout_rate=1.5 is out of range"),
    ({"epochs": "10"}, "epochs must be int, got str"),
    ({"augment": "yes"}, "augment must be bool"),
    ({"seeds": []}, "seeds must list at least one value"),
    ({"precision": "fp8"}, "precision='fp8' is not one of"),
    # NaN fails every comparison, so a range check alone lets it through.
    ({"learning_rate": float("nan")}, "learning_rate=nan is not a finite number"),
    ({"val_fraction": float("nan")}, "val_fraction=nan is not a finite number"),
    ({"learning_rate": float("inf")}, "learning_rate=inf is not a finite number"),
    ({"dropout_rate": float("-inf")}, "dropout_rate=-inf is not a finite number"),
])
def test_bad_parameters_give_one_line_errors(values, expected):
    with pytest.raises(ParamError) as e:
        validate(get_study("fashion_regularisation").schema, values)
    assert expected in str(e.value) and "\n" not in str(e.value)


def test_unknown_profile_lists_the_valid_ones():
    with pytest.raises(ParamError) as e:
        pipeline.check_profile("quik")
    assert "did you mean 'quick'" in str(e.value) and "smoke" in str(e.value)


def test_unknown_study_lists_the_valid_ones():
    with pytest.raises(ParamError) as e:
        get_study("fashion_regularization")
    assert "fashion_regularisation" in str(e.value)


def test_bad_params_file_fails_before_anything_runs(tmp_path, monkeypatch):
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / "fashion_regularisation.yaml").write_text("epoch: 5\n")
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path)
    ran = []
    monkeypatch.setattr(pipeline, "execute", lambda *a, **k: ran.append(a))
    code = pipeline.main(["report", "--profile", "custom", "--studies", "2",
                          "--build-dir", str(tmp_path / "b"), "--reports-dir", str(tmp_path / "r")])
    assert code == 2 and ran == []
    assert not (tmp_path / "r" / "custom" / "index.html").exists()


def _custom_profile(tmp_path, monkeypatch, content: bytes):
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / "fashion_regularisation.yaml").write_bytes(content)
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path)
    return ["check", "--profile", "custom", "--studies", "2",
            "--build-dir", str(tmp_path / "b"), "--reports-dir", str(tmp_path / "r")]


@pytest.mark.parametrize("content, expected", [
    (b"learning_rate: .nan\n", "learning_rate=nan is not a finite number"),
    (b"val_fraction: .NaN\n", "val_fraction=nan is not a finite number"),
    (b"learning_rate: .inf\n", "learning_rate=inf is not a finite number"),
    (b"# caf\xe9 in Latin-1\nepochs: 2\n", "is not UTF-8 text (byte 0xe9 at offset 5)"),
])
def test_bad_params_file_fails_check_in_one_line(tmp_path, monkeypatch, capsys, content, expected):
    code = pipeline.main(_custom_profile(tmp_path, monkeypatch, content))
    err = capsys.readouterr().err.strip()
    assert code == 2 and expected in err and "\n" not in err and err.startswith("error: ")


@pytest.mark.parametrize("spec", [",", " , ,", ""])
def test_a_studies_list_naming_no_study_is_an_error(capsys, spec):
    code = pipeline.main(["check", "--profile", "smoke", "--studies", spec])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "names no study" in err and "\n" not in err
