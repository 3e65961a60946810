"""Study 3's notebook steps (lib/studies/fashion_fcn_vs_alexnet.py) on fake runs: no training, no notebook."""
import math
from types import SimpleNamespace

from lib.experiments import RunResult, RunSet
from lib.studies import fashion_fcn_vs_alexnet as grid

P = dict(lr_schedule="constant", seeds=[0, 1], profile="smoke", grid_epochs=1, batch_size=64, fcn_units=(32,),
         dnn_units=(32, 16), dropout_rate=0.2, l2_factor=1e-4, fcn_epochs=2, alexnet_epochs=3,
         alexnet_filters=(8, 16, 16, 16, 8), alexnet_dense_units=(32, 32), alexnet_dropout=0.5,
         alexnet_learning_rate=1e-3)
CONFIGS = grid.expand_grid(["adam", "sgd"], ["he_uniform"], ["none"], ["none", "batchnorm"])


def test_scopes_name_the_final_and_the_grid_data():
    split, sub = SimpleNamespace(sizes=lambda: {"train": 900}), SimpleNamespace(sizes=lambda: {"train": 300})
    scope, grid_scope = grid.scopes(split, sub, True, P)
    assert scope == "generated stand-in data, 900 train images, 2 seed(s), profile smoke"
    assert grid_scope == "generated stand-in data, 300 train images, 1 epoch(s), seed 0, profile smoke"


def test_one_grid_variant_per_configuration_with_its_optimiser():
    v = grid.grid_variants(CONFIGS, "SUB", P)
    assert list(v) == [c.name for c in CONFIGS] and all(x.kwargs["data"] == "SUB" for x in v.values())
    assert {x.kwargs["optimizer"] for x in v.values()} == {"Adam", "SGD"}


def _grid_runs():
    runs = RunSet()
    for cfg, acc in zip(CONFIGS[:3], (0.8, 0.7, 0.9)):
        runs.add(cfg.name, RunResult(label=cfg.name, seed=0, metrics={"val_accuracy": acc, "val_loss": 1 - acc,
                                                                      "train_accuracy": acc + 0.05}))
    return runs


def test_grid_results_rank_and_average_the_configurations():
    table = grid.grid_results(_grid_runs(), CONFIGS)
    assert len(table) == 4 and math.isnan(table["val_accuracy"].iloc[3])        # the missing run is NaN, not dropped
    ranked = grid.ranked_grid_table(table)
    assert ranked.index[0] == 1 and ranked["val_accuracy"].iloc[0] == "90.00%"
    means = grid.factor_means_table(table)
    assert means.loc[("optimizer", "adam"), "mean val accuracy"] == "75.00%"


def test_choice_sentence_states_the_margin_and_the_noise():
    text = grid.choice_sentence(CONFIGS[0], {"best_accuracy": 0.9, "margin": 0.01, "se": 0.02,
                                             "within_noise": ["a", "b"]}, 1000, "g")
    assert "(90.00%), 1.00 points ahead" in text and "1,000 images is 2.00 points" in text
    assert "so 2 other configuration(s)" in text and text.endswith("(g).")


def test_final_variants_share_the_chosen_configuration():
    v = grid.final_variants(CONFIGS[1], "SPLIT", P)
    assert list(v) == [grid.FCN, "DNN", grid.ALEXNET]
    assert v[grid.FCN].kwargs["optimizer"] == v["DNN"].kwargs["optimizer"] == CONFIGS[1].train_kwargs()["optimizer"]
    assert v[grid.ALEXNET].kwargs["optimizer"] == "adam" and v[grid.ALEXNET].epochs == 3
    assert all(x.kwargs["test_curve"] for x in v.values())
