"""Study 3 (lib/studies/fashion_fcn_vs_alexnet/): the grid (expansion, validation-only selection), the
successive-halving search, the final models, the recipe and the claims, on fake runs: no notebook."""
import importlib
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from lib.errors import ParamError
from lib.experiments import RunResult, RunSet
from lib.paths import PARAMS
from lib.studies import fashion_fcn_vs_alexnet as study
from lib.studies.fashion_fcn_vs_alexnet import figures, recipe, search
from lib.studies.fashion_fcn_vs_alexnet.data import scopes, search_split
from lib.studies.fashion_fcn_vs_alexnet.search import GridConfig

# The package's face shadows its runs.py and claims.py with the functions of those names: the modules by path.
s3_runs = importlib.import_module("lib.studies.fashion_fcn_vs_alexnet.runs")
s3_claims = importlib.import_module("lib.studies.fashion_fcn_vs_alexnet.claims")

P = dict(lr_schedule="constant", seeds=[0, 1], profile="smoke", halving_epochs=[1, 2], batch_size=64, fcn_units=(32,),
         dnn_units=(32, 16), dropout_rate=0.2, l2_factor=1e-4, fcn_epochs=2, alexnet_epochs=3,
         alexnet_filters=(8, 16, 16, 16, 8), alexnet_dense_units=(32, 32), alexnet_dropout=0.5,
         alexnet_learning_rate=1e-3, readings=None)
CONFIGS = search.expand_grid(["adam", "sgd"], ["he_uniform"], ["none"], ["none", "batchnorm"])
SEARCH = search.expand_grid(["sgd", "adam"], ["he_uniform"], ["none", "l2"], ["none", "batchnorm"])
FCN, RIVAL, ALEXNET = study.FCN, study.RIVAL, study.ALEXNET


class _Page:
    """Records what a study hands the page (the notebook's StudyReport, duck-typed)."""
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *a, **k: self.calls.append((name, a, k))

    def names(self, *kinds) -> list:
        return [a[1] for kind, a, _ in self.calls if kind in kinds]


# --- the grid and its ranking ---------------------------------------------------------------------------------

def test_expand_grid_is_the_full_factorial_in_order():
    configs = search.expand_grid(["sgd", "adam"], ["glorot_uniform", "he_uniform"], ["none", "dropout", "l2"],
                                 ["none", "batchnorm"])
    assert len(configs) == 24 and len(set(configs)) == 24
    assert configs[0] == GridConfig("sgd", "glorot_uniform", "none", "none")
    assert configs[-1] == GridConfig("adam", "he_uniform", "l2", "batchnorm")
    assert search.grid_of({"grid_optimizers": ["sgd"], "grid_initializers": ["he_uniform"],
                           "grid_regularizations": ["none"], "grid_normalizations": ["none", "batchnorm"]}) == [
        GridConfig("sgd", "he_uniform", "none", "none"), GridConfig("sgd", "he_uniform", "none", "batchnorm")]


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
        search.expand_grid(*args)
    assert expected in str(e.value) and "\n" not in str(e.value)


def test_optimizer_choices_map_to_keras_defaults_and_momentum():
    assert GridConfig("sgd_momentum", "he_uniform", "none", "none").train_kwargs() == {
        "optimizer": "SGD", "learning_rate": 0.01, "optimizer_options": {"momentum": 0.9}}
    assert GridConfig("adam", "he_uniform", "none", "none").train_kwargs()["learning_rate"] == 0.001
    assert GridConfig("rmsprop", "he_uniform", "l2", "batchnorm").model_kwargs() == {
        "initializer": "he_uniform", "regularization": "l2", "normalization": "batchnorm"}


def test_select_best_uses_validation_accuracy_then_loss_and_skips_diverged_runs():
    configs = search.expand_grid(["sgd", "adam"], ["glorot_uniform", "he_uniform"], ["none"], ["none"])
    # Config 1 and 2 tie on accuracy; 2 has the lower loss. Config 3 diverged (NaN).
    best = search.select_best(configs, [0.80, 0.85, 0.85, float("nan")], [0.5, 0.45, 0.40, float("nan")])
    assert best == configs[2]
    with pytest.raises(ParamError):
        search.select_best(configs[:1], [float("nan")], [float("nan")])


def test_heatmap_frame_puts_optimisers_on_rows_and_the_rest_on_columns():
    configs = search.expand_grid(["sgd", "adam"], ["glorot_uniform"], ["none", "l2"], ["none", "batchnorm"])
    table = pd.DataFrame([{**c.as_dict(), "val_accuracy": i / 10} for i, c in enumerate(configs)])
    frame = figures.heatmap_frame(table)
    assert list(frame.index) == ["sgd", "adam"] and frame.shape == (2, 4)
    assert frame.loc["adam", "glorot_uniform / l2 / batchnorm"] == pytest.approx(0.7)
    assert frame.loc["sgd", "glorot_uniform / none / none"] == pytest.approx(0.0)


@pytest.mark.slow
def test_every_configuration_of_the_full_profiles_grid_builds():
    from lib.models import build_fcn

    from lib.studies.registry import get_study

    full = {**get_study("fashion_fcn_vs_alexnet").defaults(),
            **yaml.safe_load((PARAMS / "full" / "fashion_fcn_vs_alexnet.yaml").read_text())}
    configs = search.expand_grid(full["grid_optimizers"], full["grid_initializers"], full["grid_regularizations"],
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
    sub = search_split(split, 50)
    assert len(sub.y_train) == 50 and np.bincount(sub.y_train).tolist() == [5] * 10
    assert sub.x_val is split.x_val and sub.sizes()["test"] == 0 and sub.x_test.shape == (0, 2, 2, 1)
    whole = search_split(split, None)
    assert whole.x_train is split.x_train and whole.sizes() == {"train": 200, "val": 30, "test": 0}
    assert whole.cache_token() != split.cache_token()


@pytest.mark.slow
def test_every_optimizer_choice_trains(tmp_path):
    from lib.data import classification_split, load_dataset, write_fixture
    from lib.models import build_fcn
    from lib.train import runtime
    from lib.train.classifier import TrainConfig, train_classifier

    write_fixture("fashion_mnist", tmp_path, n_train=200, n_test=40)
    runtime.configure(seed=0, deterministic=True, precision="float32")
    split = classification_split(load_dataset("fashion_mnist", tmp_path, allow_download=False), None, None, 0.2)
    for name in study.OPTIMIZERS:
        cfg = GridConfig(name, "he_uniform", "none", "none")
        r = train_classifier(lambda: build_fcn([8], **cfg.model_kwargs()), split,
                             TrainConfig(epochs=1, batch_size=32, **cfg.train_kwargs()), label=name, seed=0, log=False)
        assert r.status == "ok" and 0.0 <= r.metrics["val_accuracy"] <= 1.0, name


def test_selection_margin_counts_configurations_within_two_standard_errors():
    cfgs = [GridConfig("adam", "he_uniform", r, n) for r in ("none", "l2") for n in ("none", "batchnorm")]
    m = search.selection_margin(cfgs, [0.864, 0.862, 0.85, 0.80], n_val=10_000)
    assert m["best"] == cfgs[0] and m["margin"] == pytest.approx(0.002)
    assert m["se"] == pytest.approx((0.864 * 0.136 / 10_000) ** 0.5)
    assert m["within_noise"] == [cfgs[1]]  # 0.2 points apart with SE 0.34: indistinguishable


def test_seed_setting_within_noise_or_absent():
    cfgs = [GridConfig("adam", "he_uniform", "none", "batchnorm"), GridConfig("rmsprop", "glorot_uniform", "l2", "none")]
    ok, why = search.seed_setting_within_noise(cfgs, [0.860, 0.862], 10_000)
    assert ok is True and "ranks 2 of 2" in why
    ok, _ = search.seed_setting_within_noise(cfgs, [0.80, 0.862], 10_000)
    assert ok is False
    ok, why = search.seed_setting_within_noise(cfgs[1:], [0.862], 10_000)
    assert ok is None and "does not include" in why


# --- the runs --------------------------------------------------------------------------------------------------

def test_scopes_name_the_final_and_the_grid_data():
    split, sub = SimpleNamespace(sizes=lambda: {"train": 900}), SimpleNamespace(sizes=lambda: {"train": 300})
    scope, grid_scope = scopes(split, sub, True, P)
    assert scope == "generated stand-in data, 900 train images, 2 seed(s), profile smoke"
    assert grid_scope == "generated stand-in data, 300 train images, rungs of 1, 2 epoch(s), seed 0, profile smoke"


def test_one_grid_variant_per_configuration_with_its_optimiser():
    v = s3_runs.grid_variants(CONFIGS, "SUB", P, 3)
    assert list(v) == [c.name for c in CONFIGS] and all(x.kwargs["data"] == "SUB" for x in v.values())
    assert {x.kwargs["config"].epochs for x in v.values()} == {3}
    assert {x.kwargs["config"].optimizer for x in v.values()} == {"Adam", "SGD"}
    assert not any(x.kwargs["config"].test_curve for x in v.values())      # the search never measures test images


def _grid_runs():
    runs = RunSet()
    for cfg, acc in zip(CONFIGS[:3], (0.8, 0.7, 0.9)):
        runs.add(cfg.name, RunResult(label=cfg.name, seed=0, metrics={"val_accuracy": acc, "val_loss": 1 - acc,
                                                                      "train_accuracy": acc + 0.05}))
    return runs


def test_grid_results_rank_and_average_the_configurations():
    table = s3_runs.grid_results(_grid_runs(), CONFIGS)
    assert len(table) == 4 and math.isnan(table["val_accuracy"].iloc[3])        # the missing run is NaN, not dropped
    ranked = figures.ranked_grid_table(table)
    assert ranked.index[0] == 1 and ranked["val_accuracy"].iloc[0] == "90.00%"
    means = figures.factor_means_table(table)
    assert means.loc[("optimizer", "adam"), "mean val accuracy"] == "75.00%"


def test_choice_sentence_states_the_margin_and_the_noise():
    text = figures.choice_sentence(CONFIGS[0], {"best_accuracy": 0.9, "margin": 0.01, "se": 0.02,
                                                "within_noise": ["a", "b"]}, 1000, "g")
    assert "(90.00%), 1.00 points ahead" in text and "1,000 images is 2.00 points" in text
    assert "so 2 other configuration(s)" in text and text.endswith("(g).")


def _halving(chosen, rival):
    return search.Halving(table=None, chosen=chosen, rival=rival, order=[chosen, rival])


def test_final_variants_train_both_finalists_the_dnn_and_alexnet():
    v = s3_runs.final_variants(_halving(CONFIGS[1], CONFIGS[0]), "SPLIT", P)
    cfg = {name: x.kwargs["config"] for name, x in v.items()}
    assert list(v) == [FCN, RIVAL, "DNN", ALEXNET]
    assert cfg[FCN].optimizer == cfg["DNN"].optimizer == CONFIGS[1].train_kwargs()["optimizer"]
    assert cfg[RIVAL].optimizer == "Adam" and v[RIVAL].epochs == v[FCN].epochs == cfg[FCN].epochs == 2
    assert cfg[ALEXNET].optimizer == "adam" and v[ALEXNET].epochs == cfg[ALEXNET].epochs == 3
    assert all(c.test_curve and c.batch_size == 64 for c in cfg.values())
    assert "DNN" not in s3_runs.final_variants(_halving(CONFIGS[1], None), "SPLIT", {**P, "dnn_units": None})


def test_ranking_and_survivors_carry_the_seed_setting_and_put_diverged_runs_last():
    table = pd.DataFrame({"val_accuracy": [0.9, math.nan, 0.8, 0.85, 0.5, 0.6, 0.7, 0.7],
                          "val_loss": [0.1, 0.1, 0.2, 0.15, 0.5, 0.4, 0.31, 0.3]})
    order = search.ranked(SEARCH, table)
    assert order[0] == SEARCH[0] and order[-1] == SEARCH[1] and order[3:5] == [SEARCH[7], SEARCH[6]]
    seed = search.seed_setting(order)
    assert (seed.optimizer, seed.normalization) == ("adam", "batchnorm") and seed == SEARCH[7]
    assert search.survivors(order) == order[:4]                       # the seed's setting is among the better half
    low = search.ranked(SEARCH, table.assign(val_accuracy=[0.9, 0.89, 0.8, 0.85, 0.5, 0.1, 0.7, 0.2]))
    assert search.survivors(low)[-1] == SEARCH[7] and len(search.survivors(low)) == 5


def _fake_run_variants(trained):
    def run_variants(cache, variants, seeds, **kw):
        runs = RunSet()
        for seed in seeds:
            for name, v in variants.items():
                trained.append((name, v.epochs, seed))
                acc = (0.5 + 0.01 * [c.name for c in SEARCH].index(name) + 0.001 * v.epochs if name in
                       [c.name for c in SEARCH] else 0.8 + 0.01 * seed)
                runs.add(name, RunResult(label=name, seed=seed, history={"test_accuracy": [acc - 0.01, acc]},
                                         metrics={"val_accuracy": acc, "val_loss": 1 - acc, "train_accuracy": acc,
                                                  "test_accuracy": acc, "test_loss": 1 - acc, "train_loss": 1 - acc}))
        return runs
    return run_variants


def _fake_runs(monkeypatch, trained):
    """run_variants and run_groups (every group through the same fake) on the experiments layer."""
    import lib.experiments as experiments

    fake = _fake_run_variants(trained)
    monkeypatch.setattr(experiments, "run_variants", fake)
    monkeypatch.setattr(experiments, "run_groups", lambda cache, groups, executor=None: [
        fake(cache, g.variants, g.seeds) for g in groups])


def test_successive_halving_trains_the_better_half_longer_and_names_the_finalists(monkeypatch):
    import lib.experiments as experiments

    trained = []
    monkeypatch.setattr(experiments, "run_variants", _fake_run_variants(trained))
    h, rungs = s3_runs.run_halving(None, SEARCH, "SUB", P)
    assert [e for _, e, _ in trained].count(1) == 8 and [e for _, e, _ in trained].count(2) == 4
    assert {s for *_, s in trained} == {0} and len(rungs) == 2               # the first seed only
    assert h.chosen == SEARCH[7] and h.rival == SEARCH[6]     # the seed's setting won: the runner-up is the rival
    assert list(figures.halving_table(h)["rung"][:4]) == [2, 2, 2, 2] and len(figures.halving_table(h)) == 8
    assert len(figures.first_rung(h)) == 8


def test_a_rung_in_which_no_run_finished_stops_the_study(monkeypatch):
    import lib.experiments as experiments
    from lib.errors import TrainingDiverged

    def diverged(cache, variants, seeds, **kw):
        runs = RunSet()
        for name in variants:
            runs.add(name, RunResult(label=name, seed=0, status="diverged", message=f"{name}: loss nan"))
        return runs

    monkeypatch.setattr(experiments, "run_variants", diverged)
    with pytest.raises(TrainingDiverged, match="loss nan"):
        s3_runs.run_halving(None, SEARCH, "SUB", P)


def _data(y_test=np.array([0, 1, 2, 3])):
    return study.StudyData(ds=SimpleNamespace(provenance=SimpleNamespace(dataset="fashion_mnist")), generated=False,
                           split=SimpleNamespace(y_test=y_test, sizes=lambda: {"train": 900, "val": 1000}),
                           grid_split=SimpleNamespace(sizes=lambda: {"train": 300}), configs=SEARCH,
                           scope="scope", grid_scope="grid scope")


def test_runs_trains_the_search_the_final_models_and_each_reading_and_records_every_run_once(monkeypatch):
    trained = []
    _fake_runs(monkeypatch, trained)
    runs = study.runs({**P, "readings": ["batch_128"]}, _data(), None)
    assert len(runs.search) == 2 and list(runs.readings) == ["final models at batch 128"]
    finals = 4 * len(P["seeds"])                                   # FCN, the other finalist, the DNN, AlexNet
    assert len(runs.records()) == len(trained) == 8 + 4 + 2 * finals
    assert runs.readings["final models at batch 128"][0]["batch_size"] == 128
    gold = study.golden(runs, P)
    assert set(gold) == {"FCN_test_accuracy", "FCN_rival_test_accuracy", "DNN_test_accuracy",
                         "AlexNet-style_test_accuracy", "grid_configs", "grid_best_val_accuracy"}
    assert gold["grid_configs"] == 8 and gold["grid_best_val_accuracy"] == pytest.approx(0.572)


# --- the page's sections, the recipe and the claims ------------------------------------------------------------

def test_the_recipe_states_the_budgets_and_the_search():
    split = SimpleNamespace(sizes=lambda: {"train": 900})
    sub = SimpleNamespace(sizes=lambda: {"train": 300})
    table = recipe.table(P, SimpleNamespace(split=split, grid_split=sub, configs=[None] * 8), ["s3.fcn"])
    assert table.loc["FCN epochs"].tolist()[:2] == ["50", "2"] and table.loc["AlexNet epochs"].tolist()[:2] == ["10", "3"]
    assert table.loc["FCN epochs", "this run's setting is"].startswith("ours")      # 2 of the seed's 50
    assert table.loc["batch size"].tolist()[:2] == ["not stated", "64"]
    assert table.loc["batch size", "this run's setting is"].startswith("the reference's: PyTorch")
    assert table.loc["learning rates", "this run"] == "Keras defaults (SGD 0.01, RMSprop 0.001, Adam 0.001)"
    assert "successive halving over 8 configurations: rungs of 1, 2 epoch(s) on 300" in table.loc["FCN search",
                                                                                                  "this run"]
    # The seed's budgets, declared once, are the claims' budgets and the comparison's share.
    assert [c.seed_budget for c in study.FCN_VS_ALEXNET] == [recipe.SEED_FCN_EPOCHS, recipe.SEED_ALEXNET_EPOCHS,
                                                             recipe.SEED_FCN_EPOCHS, recipe.SEED_FCN_EPOCHS]
    assert recipe.budget_share({"fcn_epochs": 50, "alexnet_epochs": 5}) == 25


def test_report_sections_draw_the_search_and_the_results(monkeypatch):
    from lib import plots

    _fake_runs(monkeypatch, [])
    for name in ("plot_grid_heatmap", "plot_split_curves", "plot_confusion_matrices"):
        monkeypatch.setattr(plots, name, lambda *a, **k: "FIG")
    monkeypatch.setattr(figures, "architectures", lambda P: {})
    runs = study.runs({**P, "readings": ["batch_128"]}, _data(), None)
    runs.data.ds.class_names = ["a", "b", "c", "d"]
    page = _Page()
    study.report(page, runs, P, "search")
    assert page.names("table", "figure") == ["grid", "grid_heatmap", "grid_factor_means"]
    assert "**Chosen on validation data:** adam / he_uniform / l2 / batchnorm" in str(page.calls[-2][1][0])
    page = _Page()
    study.report(page, runs, P, "results")
    assert page.names("table", "figure") == ["metrics", "curves", "confusion", "reading_0_128"]
    with pytest.raises(ValueError, match="unknown section"):
        study.report(page, runs, P, "claims")


def test_the_seed_setting_claim_compares_it_with_the_other_finalist():
    runs = RunSet()
    for name, right in ((FCN, [1, 1, 0, 0]), (RIVAL, [1, 0, 0, 0])):
        for seed in (0, 1, 2):
            runs.add(name, RunResult(label=name, seed=seed, metrics={"test_accuracy": sum(right) / 4},
                                     artifacts={"test_predictions": np.where(right, [0, 1, 2, 3], 9)}))
    adam_bn = GridConfig("adam", "he_uniform", "none", "batchnorm")
    common = dict(budget=50, dataset="fashion_mnist")
    claim, ev = s3_claims.seed_setting_claim(_halving(adam_bn, CONFIGS[0]), runs, common, "s")
    assert (claim.variant, claim.baseline) == (FCN, RIVAL) and ev.comparison.n > 0 and ev.budget == 50
    assert ev.comparison.test == "Welch t"
    claim, ev = s3_claims.seed_setting_claim(_halving(CONFIGS[0], adam_bn), runs, common, "s")
    assert (claim.variant, claim.baseline) == (RIVAL, FCN)
    claim, ev = s3_claims.seed_setting_claim(search.Halving(None, CONFIGS[0], CONFIGS[2], [CONFIGS[0], CONFIGS[2]]),
                                             runs, common, "s")
    assert not ev.applicable and "does not include" in ev.reason


def test_the_finding_is_the_welch_claims_row_with_the_per_image_test_beside_it():
    labels, final = np.array([0, 1, 2, 3]), RunSet()
    for name, right in ((FCN, [1, 1, 0, 0]), (RIVAL, [1, 0, 0, 0]), (ALEXNET, [1, 1, 1, 0])):
        for seed in (0, 1, 2):
            acc = sum(right) / 4 + 0.01 * seed
            final.add(name, RunResult(label=name, seed=seed, metrics={"test_accuracy": acc},
                                      history={"test_accuracy": [acc - 0.05, acc + 0.02, acc]},
                                      artifacts={"test_predictions": np.where(right, labels, 9)}))
    runs = study.StudyRuns(_data(labels), [], _halving(CONFIGS[0], CONFIGS[1]), final)
    family = study.claims(runs, {**P, "fcn_epochs": 50, "alexnet_epochs": 10})
    assert [r["key"] for r in family.rows] == [c.key for c in study.FCN_VS_ALEXNET]
    row = family.row("s3.alexnet_better")
    assert row["test"] == "Welch t" and "McNemar" in row["detail"] and "supporting, not counted" in row["detail"]
    assert family.finding.startswith("AlexNet-style CNN − FCN, test accuracy (the seed's 'significantly "
                                     "better'): " + row["ours"] + ", Welch t, Holm-adjusted p")
    fcn = family.row("s3.fcn")
    assert "maximum over epochs" in fcn["ours"] and "final epoch" in fcn["ours"] and fcn["seed_check"]
