"""Study 3's notebook steps (lib/studies/fashion_fcn_vs_alexnet.py) on fake runs: no training, no notebook."""
import math
from types import SimpleNamespace

from lib.experiments import RunResult, RunSet
from lib.studies import fashion_fcn_vs_alexnet as grid

P = dict(lr_schedule="constant", seeds=[0, 1], profile="smoke", halving_epochs=[1, 2], batch_size=64, fcn_units=(32,),
         dnn_units=(32, 16), dropout_rate=0.2, l2_factor=1e-4, fcn_epochs=2, alexnet_epochs=3,
         alexnet_filters=(8, 16, 16, 16, 8), alexnet_dense_units=(32, 32), alexnet_dropout=0.5,
         alexnet_learning_rate=1e-3)
CONFIGS = grid.expand_grid(["adam", "sgd"], ["he_uniform"], ["none"], ["none", "batchnorm"])


def test_scopes_name_the_final_and_the_grid_data():
    split, sub = SimpleNamespace(sizes=lambda: {"train": 900}), SimpleNamespace(sizes=lambda: {"train": 300})
    scope, grid_scope = grid.scopes(split, sub, True, P)
    assert scope == "generated stand-in data, 900 train images, 2 seed(s), profile smoke"
    assert grid_scope == "generated stand-in data, 300 train images, rungs of 1, 2 epoch(s), seed 0, profile smoke"


def test_one_grid_variant_per_configuration_with_its_optimiser():
    v = grid.grid_variants(CONFIGS, "SUB", P, 3)
    assert list(v) == [c.name for c in CONFIGS] and all(x.kwargs["data"] == "SUB" for x in v.values())
    assert {x.kwargs["epochs"] for x in v.values()} == {3}
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


def _halving(chosen, rival):
    return grid.Halving(table=None, chosen=chosen, rival=rival, order=[chosen, rival])


def test_final_variants_train_both_finalists_the_dnn_and_alexnet():
    v = grid.final_variants(_halving(CONFIGS[1], CONFIGS[0]), "SPLIT", P)
    assert list(v) == [grid.FCN, grid.RIVAL, "DNN", grid.ALEXNET]
    assert v[grid.FCN].kwargs["optimizer"] == v["DNN"].kwargs["optimizer"] == CONFIGS[1].train_kwargs()["optimizer"]
    assert v[grid.RIVAL].kwargs["optimizer"] == "Adam" and v[grid.RIVAL].epochs == v[grid.FCN].epochs == 2
    assert v[grid.ALEXNET].kwargs["optimizer"] == "adam" and v[grid.ALEXNET].epochs == 3
    assert all(x.kwargs["test_curve"] for x in v.values())
    assert "DNN" not in grid.final_variants(_halving(CONFIGS[1], None), "SPLIT", {**P, "dnn_units": None})


SEARCH = grid.expand_grid(["sgd", "adam"], ["he_uniform"], ["none", "l2"], ["none", "batchnorm"])


def test_ranking_and_survivors_carry_the_seed_setting_and_put_diverged_runs_last():
    import pandas as pd

    table = pd.DataFrame({"val_accuracy": [0.9, math.nan, 0.8, 0.85, 0.5, 0.6, 0.7, 0.7],
                          "val_loss": [0.1, 0.1, 0.2, 0.15, 0.5, 0.4, 0.31, 0.3]})
    order = grid.ranked(SEARCH, table)
    assert order[0] == SEARCH[0] and order[-1] == SEARCH[1] and order[3:5] == [SEARCH[7], SEARCH[6]]
    seed = grid.seed_setting(order)
    assert (seed.optimizer, seed.normalization) == ("adam", "batchnorm") and seed == SEARCH[7]
    assert grid.survivors(order) == order[:4]                       # the seed's setting is among the better half
    low = grid.ranked(SEARCH, table.assign(val_accuracy=[0.9, 0.89, 0.8, 0.85, 0.5, 0.1, 0.7, 0.2]))
    assert grid.survivors(low)[-1] == SEARCH[7] and len(grid.survivors(low)) == 5


def test_successive_halving_trains_the_better_half_longer_and_names_the_finalists(monkeypatch):
    import lib.experiments as experiments

    trained = []

    def fake_run_variants(cache, variants, seeds, **kw):
        runs = RunSet()
        for name, v in variants.items():
            trained.append((name, v.epochs))
            acc = 0.5 + 0.01 * [c.name for c in SEARCH].index(name) + 0.001 * v.epochs
            runs.add(name, RunResult(label=name, seed=seeds[0], metrics={"val_accuracy": acc, "val_loss": 1 - acc,
                                                                           "train_accuracy": acc}))
        return runs

    monkeypatch.setattr(experiments, "run_variants", fake_run_variants)
    from tests.test_study1_steps import _Page

    h = grid.run_halving(_Page(), None, SEARCH, "SUB", P)
    assert [e for _, e in trained].count(1) == 8 and [e for _, e in trained].count(2) == 4
    assert h.chosen == SEARCH[7] and h.rival == SEARCH[6]     # the seed's setting won: the runner-up is the rival
    assert list(grid.halving_table(h)["rung"][:4]) == [2, 2, 2, 2] and len(grid.halving_table(h)) == 8
    assert len(grid.first_rung(h)) == 8


def test_the_seed_setting_claim_compares_it_with_the_other_finalist():
    import numpy as np

    runs = RunSet()
    for name, right in ((grid.FCN, [1, 1, 0, 0]), (grid.RIVAL, [1, 0, 0, 0])):
        for seed in (0, 1, 2):
            runs.add(name, RunResult(label=name, seed=seed, metrics={"test_accuracy": sum(right) / 4},
                                     artifacts={"test_predictions": np.where(right, [0, 1, 2, 3], 9)}))
    labels = np.array([0, 1, 2, 3])
    adam_bn = grid.GridConfig("adam", "he_uniform", "none", "batchnorm")
    common = dict(budget=50, dataset="fashion_mnist")
    claim, ev = grid.seed_setting_claim(_halving(adam_bn, CONFIGS[0]), runs, common, "s")
    assert (claim.variant, claim.baseline) == (grid.FCN, grid.RIVAL) and ev.comparison.n > 0 and ev.budget == 50
    assert ev.comparison.test == "Welch t"
    claim, ev = grid.seed_setting_claim(_halving(CONFIGS[0], adam_bn), runs, common, "s")
    assert (claim.variant, claim.baseline) == (grid.RIVAL, grid.FCN)
    claim, ev = grid.seed_setting_claim(grid.Halving(None, CONFIGS[0], CONFIGS[2], [CONFIGS[0], CONFIGS[2]]),
                                        runs, common, "s")
    assert not ev.applicable and "does not include" in ev.reason


def test_the_recipe_states_the_budgets_and_the_search():
    split = SimpleNamespace(sizes=lambda: {"train": 900})
    sub = SimpleNamespace(sizes=lambda: {"train": 300})
    table = grid.recipe(P, split, sub, 8)
    assert table.loc["FCN epochs"].tolist()[:2] == ["50", "2"] and table.loc["AlexNet epochs"].tolist()[:2] == ["10", "3"]
    assert table.loc["FCN epochs", "this run's setting is"].startswith("ours")      # 2 of the seed's 50
    assert table.loc["batch size"].tolist()[:2] == ["not stated", "64"]
    assert table.loc["batch size", "this run's setting is"].startswith("the reference's: PyTorch")
    assert "successive halving over 8 configurations: rungs of 1, 2 epoch(s) on 300" in table.loc["FCN search",
                                                                                                  "this run"]


def test_the_finding_is_the_welch_claims_row_with_the_per_image_test_beside_it():
    import numpy as np

    from tests.test_study1_steps import _Page

    labels, runs, page = np.array([0, 1, 2, 3]), RunSet(), _Page()
    for name, right in ((grid.FCN, [1, 1, 0, 0]), (grid.RIVAL, [1, 0, 0, 0]), (grid.ALEXNET, [1, 1, 1, 0])):
        for seed in (0, 1, 2):
            acc = sum(right) / 4 + 0.01 * seed
            runs.add(name, RunResult(label=name, seed=seed, metrics={"test_accuracy": acc},
                                     history={"test_accuracy": [acc - 0.05, acc + 0.02, acc]},
                                     artifacts={"test_predictions": np.where(right, labels, 9)}))
    full = {**P, "fcn_epochs": 50, "alexnet_epochs": 10}
    grid.report_claims(page, runs, full, _halving(CONFIGS[0], CONFIGS[1]), SimpleNamespace(y_test=labels),
                       "fashion_mnist", "scope")
    row = next(c for c in page.claim_rows if c["key"] == "s3.alexnet_better")
    assert row["test"] == "Welch t" and "McNemar" in row["detail"] and "supporting, not counted" in row["detail"]
    assert page.said("finding").startswith("AlexNet-style CNN − FCN, test accuracy (the seed's 'significantly "
                                           "better'): " + row["ours"] + ", Welch t, Holm-adjusted p")
    fcn = next(c for c in page.claim_rows if c["key"] == "s3.fcn")
    assert "maximum over epochs" in fcn["ours"] and "final epoch" in fcn["ours"] and fcn["seed_check"]
