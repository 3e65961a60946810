"""Parameter files, notebooks and schemas agree; bad parameters fail in one line."""
import ast
import dataclasses
import subprocess
import sys

import nbformat
import pytest
import yaml

from lib.report import pipeline
from lib.errors import ParamError
from lib.params import validate
from lib.paths import NOTEBOOKS, PARAMS, PROJECT_ROOT
from lib.studies.registry import STUDIES, get_study


PARAM_FILES = sorted(PARAMS.glob("*/*.yaml"))


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_profile_file_sets_only_what_differs_from_the_one_default(path):
    """A default lives once, in lib/studies/registry.py: a profile file that repeated one would keep a second
    copy that silently stops being the default when the schema's changes."""
    study = get_study(path.stem)
    values = yaml.safe_load(path.read_text()) or {}
    defaults = study.defaults()
    repeated = sorted(k for k, v in values.items() if k in defaults and v == defaults[k]
                      and type(v) is type(defaults[k]))
    assert not repeated, f"{path.relative_to(PROJECT_ROOT)} repeats the defaults of {repeated}: delete those lines"


@pytest.mark.parametrize("key", list(STUDIES))
def test_a_notebook_holds_no_parameter_value_only_the_mapping_papermill_fills(key):
    """The parameters cell is one empty mapping; no other cell assigns a parameter's name (a second default)."""
    nb = nbformat.read(str(NOTEBOOKS / STUDIES[key].notebook), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and cells[0] is tagged[0]
    body = [n for n in ast.parse(tagged[0].source).body]
    assert len(body) == 1 and ast.unparse(body[0]) == "params = {}"
    assigned = {t.id for c in cells[1:] for n in ast.walk(ast.parse(c.source)) if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)}
    assert not assigned & set(STUDIES[key].schema), sorted(assigned & set(STUDIES[key].schema))


def test_the_defaults_are_the_smoke_profile_and_valid():
    for study in STUDIES.values():
        validate(study.schema, study.defaults(), complete=True)
        assert study.defaults()["profile"] == "smoke", "notebook defaults must be the smoke profile"


def test_the_pipeline_gives_every_parameter_with_the_schema_defaults_under_the_profile(tmp_path, monkeypatch):
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / "fashion_gans.yaml").write_text("epochs: 7\n")
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path)
    study = get_study("fashion_gans")
    assert pipeline.read_params("custom", study) == {"epochs": 7}
    values = pipeline.load_params("custom", study)
    assert values == {**study.defaults(), "epochs": 7}
    # A default edited in the schema reaches the run.
    edited = dataclasses.replace(study, params={**study.params,
                                                "n_critic": dataclasses.replace(study.params["n_critic"], default=3)})
    assert pipeline.load_params("custom", edited)["n_critic"] == 3
    planned = pipeline.plan("custom", [study], None, tmp_path / "b", tmp_path / "r")["fashion_gans"]
    assert set(planned) == set(study.schema) and planned["data_source"] == "generated"
    assert planned["profile"] == "custom" and planned["golden"] == "off"


def test_registry_name_lists_equal_what_the_code_accepts():
    from lib.studies import fashion_fcn_vs_alexnet as grid, registry as studies
    from lib.gan import families
    from lib.models import dense

    assert studies.GAN_VARIANTS == tuple(families.FAMILIES)
    assert studies.GRID_OPTIMIZERS == tuple(grid.OPTIMIZERS)
    assert studies.GRID_INITIALIZERS == grid.INITIALIZERS
    assert studies.GRID_REGULARIZATIONS == dense.REGULARIZATIONS
    assert studies.GRID_NORMALIZATIONS == dense.NORMALIZATIONS
    from lib.studies import cifar10_batchnorm as s1
    assert studies.BATCHNORM_READINGS == tuple(s1.READINGS) and studies.FCN_ALEXNET_READINGS == tuple(grid.READINGS)
    from lib.studies import fashion_regularisation as s2
    assert studies.REGULARISATION_READINGS == tuple(s2.READINGS)
    from lib.studies.fashion_gans import recipe as s4
    assert studies.FASHION_GANS_READINGS == tuple(s4.READINGS)
    from lib.studies import cifar100_vgg_synthetic as s5
    assert studies.VGG_SYNTHETIC_READINGS == tuple(s5.READINGS)
    schema = get_study("fashion_fcn_vs_alexnet").schema
    for name, valid in zip(("grid_optimizers", "grid_initializers", "grid_regularizations", "grid_normalizations"),
                           grid._VALID.values()):
        assert schema[name].choices == tuple(valid), name
        assert grid._PARAM[grid.FACTORS[list(grid._VALID.values()).index(valid)]] == name
    assert get_study("fashion_gans").schema["variants"].choices == tuple(families.FAMILIES)


def test_the_registry_imports_no_model_training_or_gan_code():
    out = subprocess.run([sys.executable, "-c", "import lib.studies.registry, sys; "
                          "print(sorted(m for m in sys.modules if m.startswith('lib.')))"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    loaded = ast.literal_eval(out.strip())
    study_code = [m for m in loaded if m.startswith("lib.studies.") and m != "lib.studies.registry"]
    assert not [m for m in loaded if m.split(".")[1] in ("gan", "models")] + study_code, loaded
    # Of the training package only its Keras-free settings: the strategy and precision names.
    assert [m for m in loaded if m.startswith("lib.train.")] == ["lib.train.distribute", "lib.train.runtime"], loaded
    assert "keras" not in out and "tensorflow" not in out


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


@pytest.mark.parametrize("study, content, expected", [
    ("3", b"grid_optimizers: [adam, adamw]\n",
     "parameter grid_optimizers: unknown optimizer 'adamw' (did you mean 'adam'?); valid: adam, rmsprop, sgd, "
     "sgd_momentum"),
    ("3", b"grid_initializers: [he_unifrom]\n", "unknown initializer 'he_unifrom' (did you mean 'he_uniform'?)"),
    ("3", b"grid_regularizations: [l1]\n", "unknown regularization 'l1'; valid: dropout, l2, none"),
    ("3", b"grid_normalizations: [layernorm]\n", "unknown normalization 'layernorm'"),
    ("3", b"grid_normalizations: [none, none]\n", "grid_normalizations lists a name twice"),
    ("4", b"variants: [dcgan, wgan]\n", "parameter variants: unknown GAN family 'wgan' (did you mean 'cgan'?); valid: cgan, dcgan, seed003"),
])
def test_unknown_grid_and_gan_names_fail_check_before_anything_runs(tmp_path, monkeypatch, capsys, study, content,
                                                                    expected):
    key = get_study(study).key
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / f"{key}.yaml").write_bytes(content)
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path)
    monkeypatch.setattr(pipeline, "check_data", lambda *a, **k: pytest.fail("no data is read before the params pass"))
    code = pipeline.main(["check", "--profile", "custom", "--studies", study,
                          "--build-dir", str(tmp_path / "b"), "--reports-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and expected in err and "\n" not in err and err.startswith("error: ") and f"custom/{key}.yaml: " in err


@pytest.mark.parametrize("spec", [",", " , ,", ""])
def test_a_studies_list_naming_no_study_is_an_error(capsys, spec):
    code = pipeline.main(["check", "--profile", "smoke", "--studies", spec])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "names no study" in err and "\n" not in err
