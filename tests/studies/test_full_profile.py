"""The `full` profile, exercised end to end at toy scale: ready for a GPU without having one.

Each study's notebook runs through the pipeline with its `params/full/` file, keeping every
setting that shapes the code path (full-width models, 100 CIFAR-100 classes, every grid factor, all
GAN families, every synthetic share, the learning-rate sweep) and shrinking only how much data,
how many epochs and how many seeds, on generated stand-in data in the real on-disk formats.

One exception, for CI time: Study 3's toy search trains two values of each grid factor (16 of the 96
configurations, including the seed's setting and the factor values only the full grid has), not all 96,
whose 128 one-epoch runs took most of three minutes. The other configurations share these code paths,
every one of the 96 is built by test_every_configuration_of_the_full_profiles_grid_builds, and every
optimiser trains in test_every_optimizer_choice_trains.
"""
import pytest
import yaml

from lib.report import pipeline

# Only amounts (and Study 3's grid breadth, above) change; every other full-profile value is kept as written.
TOY = {
    "cifar10_batchnorm": {"n_train": 300, "n_test": 100, "epochs": 2},
    "fashion_regularisation": {"n_train": 300, "n_test": 100, "epochs": 2},
    "fashion_fcn_vs_alexnet": {"n_train": 300, "n_test": 100, "halving_epochs": [1, 1], "fcn_epochs": 1,
                               "alexnet_epochs": 1, "grid_optimizers": ["sgd_momentum", "adam"],
                               "grid_initializers": ["glorot_normal", "he_uniform"],
                               "grid_regularizations": ["dropout", "l2"]},
    "fashion_gans": {"n_train": 256, "epochs": 1, "n_eval": 100, "classifier_n_train": 300,
                     "classifier_epochs": 1, "bn_seeds": [0]},
    # Two epochs still cover the warm-up epoch and the cosine one.
    "cifar100_vgg_synthetic": {"n_train": 400, "n_test": 200, "seed_epochs": 1, "epochs": 2, "gan_epochs": 1},
}


@pytest.mark.slow
@pytest.mark.parametrize("key", list(TOY))
def test_full_profile_runs_at_toy_scale(key, tmp_path, monkeypatch):
    full = pipeline.load_params("full", pipeline.get_study(key))  # the profile laid over the defaults
    toy = {**full, **TOY[key], "data_source": "generated", "seeds": full["seeds"][:1], "use_cache": False}
    assert set(TOY[key]) <= set(full), "a toy override names a parameter of the study"
    for name, values in TOY[key].items():
        if name.startswith("grid_"):
            assert set(values) <= set(full[name]), f"the toy {name} takes its values from the full profile's"
    params = tmp_path / "params" / "fulltoy"
    params.mkdir(parents=True)
    (params / f"{key}.yaml").write_text(yaml.safe_dump(toy))
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path / "params")
    study = pipeline.get_study(key)
    code = pipeline.report("fulltoy", [study], build_root=tmp_path / "build", reports_root=tmp_path / "reports")
    assert code == 0
    page = (tmp_path / "reports" / "fulltoy" / study.page).read_text()
    assert "fulltoy" in page and "Traceback" not in page
