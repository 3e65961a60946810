"""Study 1 (lib/studies/cifar10_batchnorm/) on fake runs: its recipe, runs, measures, sections, claims and golden
metrics; no training, no notebook."""
import importlib
import math
from types import SimpleNamespace

import numpy as np
import pytest

from lib.experiments import RunResult, RunSet
from lib.studies import cifar10_batchnorm as study
from lib.studies.cifar10_batchnorm import figures, recipe
from tests.fake_page import FakePage

# The package's face binds ``runs`` and ``claims`` to its functions: the modules of those names by their full path.
runs_mod = importlib.import_module("lib.studies.cifar10_batchnorm.runs")
claims_mod = importlib.import_module("lib.studies.cifar10_batchnorm.claims")

P = dict(epochs=4, batch_size=128, learning_rate=0.001, lr_schedule="constant", seeds=[0, 1, 2], profile="smoke",
         n_train=500, n_test=None, bn_momentum=0.99, accuracy_threshold=0.5, lr_sweep=None, conv_filters=(8, 16, 32),
         dense_units=32)
SPLIT = SimpleNamespace(sizes=lambda: {"train": 500, "test": 100})


def test_scope_and_the_recipe_name_what_differs_from_the_seed():
    assert recipe.scope(SPLIT, False, P) == "500 train images, 4 epochs, 3 seeds, profile smoke"
    assert "(cosine learning-rate decay)" in recipe.scope(SPLIT, True, {**P, "lr_schedule": "cosine"})
    table = recipe.recipe(P, SPLIT, study.BATCHNORM)
    src = "this run's setting is"
    assert table.loc["epochs"].tolist()[:2] == ["15", "4"] and table.loc["epochs", src].startswith("ours")
    assert table.loc["batch-norm momentum"].tolist() == ["not stated", "0.99", "the reference's: Keras's default "
                                                                                "(the seed's framework)"]
    assert table.loc["conv widths", "this run"] == "8, 16, 32" and table.loc["conv widths", src].startswith("ours")
    assert table.loc["decides: the reference reading, both CNNs", "this run"] == "s1.accuracy, s1.convergence, " \
                                                                                   "s1.overfitting"
    reference = {**P, "epochs": 15, **study.REFERENCE.settings}
    assert recipe.recipe(reference, SPLIT, study.BATCHNORM).loc["conv widths", src].startswith(
        "the reference's: TensorFlow's CNN")
    note = recipe.recipe_note(P)
    assert "epochs 4 (seed or Keras default: 15)" in note and "batch size" not in note and "`" not in note
    assert "describe this profile's recipe" in note and "conv filters" in note
    assert "(the reference reading: [32, 64, 64])" in note
    assert "trains the seed's recipe" in recipe.recipe_note(reference)
    assert note.endswith("The learning-rate sweep is not part of this profile.")
    with_reading = recipe.recipe({**P, "readings": ["narrow"]}, SPLIT, study.BATCHNORM)
    assert with_reading.loc["other readings run", "this run"] == study.READINGS["narrow"].name


def test_the_seeds_budget_is_declared_once_and_read_by_the_table_and_every_claim(monkeypatch):
    assert {c.seed_budget for c in study.BATCHNORM} == {recipe.SEED["epochs"]}
    assert {c.dataset for c in study.BATCHNORM} == {recipe.DATASET}
    monkeypatch.setitem(recipe.SEED, "epochs", 20)
    assert recipe.recipe(P, SPLIT, study.BATCHNORM).loc["epochs", "the seed"] == "20"
    assert "epochs 4 (seed or Keras default: 20)" in recipe.recipe_note(P)


def test_both_variants_share_every_setting_but_batch_norm():
    build = runs_mod.builders(P)
    assert build[study.BN].keywords["batch_norm"] and not build[study.PLAIN].keywords["batch_norm"]
    v = runs_mod.variants(build, "SPLIT", P, learning_rate=0.01)
    assert v[study.PLAIN].kwargs["config"] == v[study.BN].kwargs["config"]  # one recipe for both CNNs
    assert {n: x.kwargs["config"].learning_rate for n, x in v.items()} == {study.PLAIN: 0.01, study.BN: 0.01}
    assert v[study.BN].kwargs["config"].one_hot and v[study.BN].kwargs["data"] == "SPLIT"
    assert runs_mod.variants(build, "SPLIT", P)[study.BN].kwargs["config"].learning_rate == 0.001


def test_epochs_to_threshold_and_censoring():
    h = {"val_accuracy": [0.3, 0.55, 0.62, 0.7]}
    assert runs_mod.epochs_to_threshold(h, 0.6) == 3
    assert runs_mod.epochs_to_threshold(h, 0.3) == 1
    assert runs_mod.epochs_to_threshold(h, 0.9) is None
    assert runs_mod.censored_epochs([3, None, 1], epochs=4) == [3, 5, 1]


def test_per_class_error_counts_mistakes_per_true_class():
    err = figures.per_class_error([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 0], num_classes=4)
    assert err[:3].tolist() == pytest.approx([0.5, 1 / 3, 1.0]) and math.isnan(err[3])


def _runs():
    runs = RunSet()
    for seed, reached in enumerate([[0.3, 0.6, 0.7, 0.8], [0.2, 0.3, 0.4, 0.45]]):
        runs.add(study.BN, RunResult(label="bn", seed=seed, seconds=8.0, epochs_run=4,
                                     history={"val_accuracy": reached},
                                     metrics={"test_accuracy": 0.75, "train_accuracy": 0.9, "val_accuracy": reached[-1]},
                                     artifacts={"test_predictions": [0, 1, 1, 1]}))
    return runs


def test_derived_measures_censor_runs_that_never_reach_the_threshold():
    runs = _runs()
    runs_mod.derive_measures(runs, 0.5, 4)
    assert runs.values(study.BN, "epochs_to_threshold") == [2, 5]       # never reached: epochs + 1
    assert runs.values(study.BN, "test_error") == [0.25, 0.25]
    assert runs.values(study.BN, "mean_val_accuracy") == pytest.approx([0.6, 0.3375])    # no threshold in it
    assert runs.values(study.BN, "train_val_gap") == pytest.approx([0.1, 0.45])
    assert figures.seconds_per_epoch(runs) == {study.BN: [2.0, 2.0]}


def test_per_class_errors_and_their_table():
    errors = figures.per_class_errors(_runs(), np.array([0, 0, 1, 1]), 2)
    assert errors[study.BN].shape == (2, 2) and errors[study.BN][0].tolist() == [0.5, 0.0]
    table = figures.per_class_table(errors, ["a", "b"])
    assert list(table.index) == ["a", "b"] and list(table.columns) == [study.BN]


def test_the_sweep_table_marks_a_diverged_rate():
    table = figures.sweep_table({study.BN: {0.01: 80.0, 0.1: math.nan}})
    assert table.loc["0.01", study.BN] == "80.00%" and table.loc["0.1", study.BN] == "diverged"


def _both_runs():
    runs = RunSet()
    for name in (study.PLAIN, study.BN):
        for seed in range(3):
            runs.add(name, RunResult(label=name, seed=seed, seconds=8.0, epochs_run=4,
                                     history={k: [0.4, 0.5, 0.6, 0.7] for k in ("accuracy", "val_accuracy", "loss",
                                                                                 "val_loss")},
                                     metrics={"test_accuracy": 0.7 + 0.01 * seed, "val_accuracy": 0.7,
                                              "train_accuracy": 0.8, "test_loss": 1.0, "val_loss": 1.0},
                                     artifacts={"test_predictions": np.array([0, 1, 1, seed % 2])}))
    return runs


def _data(dataset="cifar10"):
    return study.StudyData(ds=SimpleNamespace(class_names=["a", "b"], num_classes=2),
                           split=SimpleNamespace(y_test=np.array([0, 1, 1, 0])), generated=False, scope="scope",
                           dataset=dataset)


def test_runs_trains_the_reference_every_listed_reading_and_the_sweep_and_records_each_run_once(monkeypatch):
    import lib.experiments as experiments

    calls, handed = [], []

    def fake(cache, groups, executor=None):
        handed.append(len(groups))
        for g in groups:
            config = g.variants[study.BN].kwargs["config"]
            filters = g.variants[study.BN].kwargs["build_model"].keywords["filters"]
            calls.append((filters, config.lr_schedule, tuple(g.seeds),
                          config.learning_rate if len(g.seeds) == 1 else None))
            assert g.variants[study.BN].cost > g.variants[study.PLAIN].cost  # batch norm's epochs handed out first
        return [_both_runs() for _ in groups]

    monkeypatch.setattr(experiments, "run_groups", fake)
    Pr = {**P, "readings": ["narrow", "wide_cosine"], "lr_sweep": [0.001, 0.01]}
    out = study.runs(Pr, _data(), cache=None)
    assert calls == [((8, 16, 32), "constant", (0, 1, 2), None), ([16, 32, 64], "constant", (0, 1, 2), None),
                     ([32, 64, 128], "cosine", (0, 1, 2), None), ((8, 16, 32), "constant", (0,), 0.001),
                     ((8, 16, 32), "constant", (0,), 0.01)]
    assert handed[:2] == [3, 2]  # the reference and both readings in one executor call, the sweep in another
    assert list(out.readings) == [study.READINGS["narrow"].name, study.READINGS["wide_cosine"].name]
    assert out.sweep[study.BN] == {0.001: 70.0, 0.01: 70.0} and len(out.records()) == 5 * 6
    assert all("train_val_gap" in r.metrics for rs in (out.main, *out.readings.values()) for r in rs.all())
    none = study.runs(P, _data(), cache=None)
    assert none.readings == {} and none.sweep == {study.PLAIN: {}, study.BN: {}} and len(none.records()) == 6


def _study_runs():
    main = _both_runs()
    runs_mod.derive_measures(main, P["accuracy_threshold"], P["epochs"])
    return study.StudyRuns(_data(), main)


def test_the_sections_hand_the_page_tables_figures_and_every_claim():
    import matplotlib.pyplot as plt

    runs, page = _study_runs(), FakePage()
    study.report(page, runs, P, "results")
    names = [a[1] for kind, a, _ in page.calls if kind in ("table", "figure")]
    assert {"metrics", "curves", "gap", "confusion", "per_class_error", "epochs_to_threshold",
            "test_accuracy"} <= set(names)
    assert runs.main.values(study.BN, "epochs_to_threshold") == [2, 2, 2]
    study.report(page, runs, P, "lr_sweep")
    assert "the `full` profile runs it" in page.said("say")
    before = len(page.calls)
    study.report(page, runs, P, "readings")                       # no other reading run: nothing to show
    assert len(page.calls) == before and set(study.SECTIONS) == {"results", "lr_sweep", "readings"}
    with pytest.raises(ValueError, match="no section"):
        study.report(page, runs, P, "nothing")
    page.claims(study.claims(runs, {**P, "epochs": 15}))
    assert [c["key"] for c in page.claim_rows] == [c.key for c in study.BATCHNORM]
    # Batch norm changes the weights a seed draws: no sentence may pair the arms by seed.
    assert "paired" not in page.said("say") and page.said("say").count("Welch t test") == 1
    assert "no spread, no test" in page.said("say")       # the gap is the same in every run here
    row = page.claim_rows[0]
    assert row["test"] == "Welch t" and "McNemar" in row["detail"] and "supporting, not counted" in row["detail"]
    assert page.said("finding") == (f"Batch norm − plain, test accuracy: {row['ours']}, Welch t, Holm-adjusted p "
                                    f"{row['p_holm_text']}: {row['verdict']} (scope).")
    other = study.StudyRuns(_data("generated stand-in data"), runs.main)
    assert all(r["verdict"] == "not tested here" and "this run trained on generated" in r["detail"]
               for r in study.claims(other, {**P, "epochs": 15}).rows)
    assert study.golden(runs, P)["batch-norm_test_accuracy"] == 0.71 and study.golden(runs, P)["lr_sweep_runs"] == 0
    plt.close("all")


def test_the_sweep_and_the_readings_sections_draw_what_was_run():
    import matplotlib.pyplot as plt

    runs, page = _study_runs(), FakePage()
    runs.data.scope = recipe.scope(SPLIT, False, P)
    runs.sweep = {study.PLAIN: {0.001: 60.0, 0.01: math.nan}, study.BN: {0.001: 62.0, 0.01: 61.0}}
    narrow = _both_runs()
    runs_mod.derive_measures(narrow, 0.5, 4)
    runs.readings = {study.READINGS["narrow"].name: narrow}
    study.report(page, runs, {**P, "lr_sweep": [0.001, 0.01]}, "lr_sweep")
    study.report(page, runs, P, "readings")
    assert [(k, a[1]) for k, a, _ in page.calls] == [("figure", "lr_sweep"), ("table", "lr_sweep"),
                                                     ("table", "readings")]
    assert page.calls[1][2]["caption"].endswith("(500 train images, 4 epochs, seed 0, profile smoke)")
    assert len(page.calls[2][1][0]) == 4                     # both CNNs under the reference and the narrow reading
    family = claims_mod.claims(runs, {**P, "epochs": 15})
    assert all(r["readings"] for r in family.rows)           # the other reading stands beside each claim
    assert study.golden(runs, P)["lr_sweep_runs"] == 4
    plt.close("all")
