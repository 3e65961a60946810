"""Study 3's grid (expansion, validation-only selection); Study 1's measures are in tests/studies/."""
import numpy as np
import pandas as pd
import pytest
import yaml

from lib.studies import fashion_fcn_vs_alexnet as grid
from lib.experiments import stats
from lib.errors import ParamError
from lib.models import build_fcn
from lib.paths import PARAMS


def test_expand_grid_is_the_full_factorial_in_order():
    configs = grid.expand_grid(["sgd", "adam"], ["glorot_uniform", "he_uniform"], ["none", "dropout", "l2"],
                               ["none", "batchnorm"])
    assert len(configs) == 24 and len(set(configs)) == 24
    assert configs[0] == grid.GridConfig("sgd", "glorot_uniform", "none", "none")
    assert configs[-1] == grid.GridConfig("adam", "he_uniform", "l2", "batchnorm")


@pytest.mark.parametrize("args, expected", [
    ((["adamw"], ["glorot_uniform"], ["none"], ["none"]), "grid_optimizers: unknown optimizer 'adamw' (did you mean 'adam'?)"),
    ((["adam"], ["he_uniformm"], ["none"], ["none"]), "grid_initializers: unknown initializer 'he_uniformm'"),
    ((["adam"], ["he_uniform"], ["l1"], ["none"]), "grid_regularizations: unknown regularization 'l1'"),
    ((["adam"], ["he_uniform"], ["none"], ["batch_norm"]), "did you mean 'batchnorm'"),
    ((["adam", "adam"], ["he_uniform"], ["none"], ["none"]), "lists a value twice"),
    (([], ["he_uniform"], ["none"], ["none"]), "must list at least one value"),
])
def test_bad_grid_values_fail_in_one_line(args, expected):
    with pytest.raises(ParamError) as e:
        grid.expand_grid(*args)
    assert expected in str(e.value) and "\n" not in str(e.value)


def test_optimizer_choices_map_to_keras_defaults_and_momentum():
    assert grid.GridConfig("sgd_momentum", "he_uniform", "none", "none").train_kwargs() == {
        "optimizer": "SGD", "learning_rate": 0.01, "optimizer_options": {"momentum": 0.9}}
    assert grid.GridConfig("adam", "he_uniform", "none", "none").train_kwargs()["learning_rate"] == 0.001
    assert grid.GridConfig("rmsprop", "he_uniform", "l2", "batchnorm").model_kwargs() == {
        "initializer": "he_uniform", "regularization": "l2", "normalization": "batchnorm"}


def test_select_best_uses_validation_accuracy_then_loss_and_skips_diverged_runs():
    configs = grid.expand_grid(["sgd", "adam"], ["glorot_uniform", "he_uniform"], ["none"], ["none"])
    # Config 1 and 2 tie on accuracy; 2 has the lower loss. Config 3 diverged (NaN).
    best = grid.select_best(configs, [0.80, 0.85, 0.85, float("nan")], [0.5, 0.45, 0.40, float("nan")])
    assert best == configs[2]
    with pytest.raises(ParamError):
        grid.select_best(configs[:1], [float("nan")], [float("nan")])


def test_heatmap_frame_puts_optimisers_on_rows_and_the_rest_on_columns():
    configs = grid.expand_grid(["sgd", "adam"], ["glorot_uniform"], ["none", "l2"], ["none", "batchnorm"])
    table = pd.DataFrame([{**c.as_dict(), "val_accuracy": i / 10} for i, c in enumerate(configs)])
    frame = grid.heatmap_frame(table)
    assert list(frame.index) == ["sgd", "adam"] and frame.shape == (2, 4)
    assert frame.loc["adam", "glorot_uniform / l2 / batchnorm"] == pytest.approx(0.7)
    assert frame.loc["sgd", "glorot_uniform / none / none"] == pytest.approx(0.0)


@pytest.mark.slow
def test_every_configuration_of_the_full_profiles_grid_builds():
    full = yaml.safe_load((PARAMS / "full" / "fashion_fcn_vs_alexnet.yaml").read_text())
    configs = grid.expand_grid(full["grid_optimizers"], full["grid_initializers"], full["grid_regularizations"],
                               full["grid_normalizations"])
    assert len(configs) == (len(full["grid_optimizers"]) * len(full["grid_initializers"]) *
                            len(full["grid_regularizations"]) * len(full["grid_normalizations"]))
    for cfg in configs:
        model = build_fcn([8], **cfg.model_kwargs())
        assert model.output_shape == (None, 10)


def test_the_search_split_stratifies_keeps_validation_and_holds_no_test_image():
    from lib.data import Split

    y = np.repeat(np.arange(10), 20)
    split = Split(np.zeros((200, 2, 2, 1), "float32"), y, np.ones((30, 2, 2, 1)), np.arange(30) % 10,
                  np.ones((40, 2, 2, 1)), np.arange(40) % 10)
    sub = grid.search_split(split, 50)
    assert len(sub.y_train) == 50 and np.bincount(sub.y_train).tolist() == [5] * 10
    assert sub.x_val is split.x_val and sub.sizes()["test"] == 0 and sub.x_test.shape == (0, 2, 2, 1)
    whole = grid.search_split(split, None)
    assert whole.x_train is split.x_train and whole.sizes() == {"train": 200, "val": 30, "test": 0}
    assert whole.cache_token() != split.cache_token()


@pytest.mark.slow
def test_every_optimizer_choice_trains(tmp_path):
    from lib.train import runtime
    from lib.data import classification_split, load_dataset, write_fixture
    from lib.train.classifier import train_classifier

    write_fixture("fashion_mnist", tmp_path, n_train=200, n_test=40)
    runtime.configure(seed=0, deterministic=True, precision="float32")
    split = classification_split(load_dataset("fashion_mnist", tmp_path, allow_download=False), None, None, 0.2)
    for name in grid.OPTIMIZERS:
        cfg = grid.GridConfig(name, "he_uniform", "none", "none")
        r = train_classifier(lambda: build_fcn([8], **cfg.model_kwargs()), split, label=name, seed=0, epochs=1,
                             batch_size=32, log=False, **cfg.train_kwargs())
        assert r.status == "ok" and 0.0 <= r.metrics["val_accuracy"] <= 1.0, name


def test_selection_margin_counts_configurations_within_two_standard_errors():
    from lib.studies.fashion_fcn_vs_alexnet import GridConfig, selection_margin
    cfgs = [GridConfig("adam", "he_uniform", r, n) for r in ("none", "l2") for n in ("none", "batchnorm")]
    m = selection_margin(cfgs, [0.864, 0.862, 0.85, 0.80], n_val=10_000)
    assert m["best"] == cfgs[0] and m["margin"] == pytest.approx(0.002)
    assert m["se"] == pytest.approx((0.864 * 0.136 / 10_000) ** 0.5)
    assert m["within_noise"] == [cfgs[1]]  # 0.2 points apart with SE 0.34: indistinguishable


def test_seed_setting_within_noise_or_absent():
    from lib.studies.fashion_fcn_vs_alexnet import GridConfig, seed_setting_within_noise
    cfgs = [GridConfig("adam", "he_uniform", "none", "batchnorm"), GridConfig("rmsprop", "glorot_uniform", "l2", "none")]
    ok, why = seed_setting_within_noise(cfgs, [0.860, 0.862], 10_000)
    assert ok is True and "ranks 2 of 2" in why
    ok, _ = seed_setting_within_noise(cfgs, [0.80, 0.862], 10_000)
    assert ok is False
    ok, why = seed_setting_within_noise(cfgs[1:], [0.862], 10_000)
    assert ok is None and "does not include" in why
