"""Study 1's notebook steps (lib/studies/cifar10_batchnorm.py) on fake runs: no training, no notebook."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from lib.experiments import RunResult, RunSet
from lib.studies import cifar10_batchnorm as study

P = dict(epochs=4, batch_size=128, learning_rate=0.001, lr_schedule="constant", seeds=[0, 1, 2], profile="smoke",
         n_train=500, n_test=None, bn_momentum=0.99, accuracy_threshold=0.5, lr_sweep=None, conv_filters=(8, 16, 32),
         dense_units=32)
SPLIT = SimpleNamespace(sizes=lambda: {"train": 500, "test": 100})


def test_scope_and_the_recipe_name_what_differs_from_the_seed():
    assert study.scope(SPLIT, False, P) == "500 train images, 4 epochs, 3 seeds, profile smoke"
    assert "(cosine learning-rate decay)" in study.scope(SPLIT, True, {**P, "lr_schedule": "cosine"})
    table = study.recipe(P, SPLIT)
    src = "this run's setting is"
    assert table.loc["epochs"].tolist()[:2] == ["15", "4"] and table.loc["epochs", src].startswith("ours")
    assert table.loc["batch-norm momentum"].tolist() == ["not stated", "0.99", "the reference's: Keras's default "
                                                                                "(the seed's framework)"]
    assert table.loc["conv widths", "this run"] == "8, 16, 32" and table.loc["conv widths", src].startswith("ours")
    assert table.loc["decides: the reference reading, both CNNs", "this run"] == "s1.accuracy, s1.convergence, " \
                                                                                   "s1.overfitting"
    reference = {**P, "epochs": 15, **study.REFERENCE.settings}
    assert study.recipe(reference, SPLIT).loc["conv widths", src].startswith("the reference's: TensorFlow's CNN")
    note = study.recipe_note(P)
    assert "epochs 4 (seed or Keras default: 15)" in note and "batch size" not in note and "`" not in note
    assert "describe this profile's recipe" in note and "conv filters" in note and "(the reference reading: [32, 64, 64])" in note
    assert "trains the seed's recipe" in study.recipe_note(reference)
    assert note.endswith("The learning-rate sweep is not part of this profile.")
    with_reading = study.recipe({**P, "readings": ["narrow"]}, SPLIT)
    assert with_reading.loc["other readings run", "this run"] == study.READINGS["narrow"].name


def test_both_variants_share_every_setting_but_batch_norm():
    build = study.builders(P)
    assert build[study.BN].keywords["batch_norm"] and not build[study.PLAIN].keywords["batch_norm"]
    v = study.variants(build, "SPLIT", P, learning_rate=0.01)
    assert {n: x.kwargs["learning_rate"] for n, x in v.items()} == {study.PLAIN: 0.01, study.BN: 0.01}
    assert v[study.BN].kwargs["one_hot"] and v[study.BN].kwargs["data"] == "SPLIT"
    assert study.variants(build, "SPLIT", P)[study.BN].kwargs["learning_rate"] == 0.001


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
    study.derive_measures(runs, 0.5, 4)
    assert runs.values(study.BN, "epochs_to_threshold") == [2, 5]       # never reached: epochs + 1
    assert runs.values(study.BN, "test_error") == [0.25, 0.25]
    assert runs.values(study.BN, "mean_val_accuracy") == pytest.approx([0.6, 0.3375])    # no threshold in it
    assert runs.values(study.BN, "train_val_gap") == pytest.approx([0.1, 0.45])
    assert study.seconds_per_epoch(runs) == {study.BN: [2.0, 2.0]}


def test_per_class_errors_and_their_table():
    errors = study.per_class_errors(_runs(), np.array([0, 0, 1, 1]), 2)
    assert errors[study.BN].shape == (2, 2) and errors[study.BN][0].tolist() == [0.5, 0.0]
    table = study.per_class_table(errors, ["a", "b"])
    assert list(table.index) == ["a", "b"] and list(table.columns) == [study.BN]


def test_the_sweep_table_marks_a_diverged_rate():
    table = study.sweep_table({study.BN: {0.01: 80.0, 0.1: math.nan}})
    assert table.loc["0.01", study.BN] == "80.00%" and table.loc["0.1", study.BN] == "diverged"


class _Page:
    """Records what a study hands the page (the notebook's StudyReport, duck-typed)."""
    def __init__(self):
        self.calls, self.claim_rows, self.family = [], [], None

    def __getattr__(self, name):
        return lambda *a, **k: self.calls.append((name, a, k))

    def claims(self, family):
        # The page renders the family the study judged once; it never judges.
        assert self.family is None, "a study hands the page its claims in one call"
        self.family, self.claim_rows = family, family.rows
        self.calls += [("say", ("\n".join(family.notes),), {}), ("finding", (family.finding,), {})]

    def said(self, kind: str) -> str:
        return "\n".join(str(a[0]) for k, a, _ in self.calls if k == kind)


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


def test_the_report_functions_hand_the_page_tables_figures_and_every_claim():
    import matplotlib.pyplot as plt

    runs, page = _both_runs(), _Page()
    split = SimpleNamespace(y_test=np.array([0, 1, 1, 0]))
    ds = SimpleNamespace(class_names=["a", "b"], num_classes=2)
    study.prepare(page, runs, P)
    study.report_results(page, runs, P, split, ds, "scope")
    names = [a[1] for kind, a, _ in page.calls if kind in ("table", "figure")]
    assert {"metrics", "curves", "gap", "confusion", "per_class_error", "epochs_to_threshold",
            "test_accuracy"} <= set(names)
    assert runs.values(study.BN, "epochs_to_threshold") == [2, 2, 2]
    assert study.lr_sweep(page, None, study.builders(P), split, P, "scope") == {study.PLAIN: {}, study.BN: {}}
    study.report_claims(page, runs, {**P, "epochs": 15}, split, "cifar10", "scope")
    assert [c["key"] for c in page.claim_rows] == [c.key for c in study.BATCHNORM]
    # Batch norm changes the weights a seed draws: no sentence may pair the arms by seed.
    assert "paired" not in page.said("say") and page.said("say").count("Welch t test") == 1
    assert "no spread, no test" in page.said("say")       # the gap is the same in every run here
    row = page.claim_rows[0]
    assert row["test"] == "Welch t" and "McNemar" in row["detail"] and "supporting, not counted" in row["detail"]
    assert page.said("finding") == (f"Batch norm − plain, test accuracy: {row['ours']}, Welch t, Holm-adjusted p "
                                    f"{row['p_holm_text']}: {row['verdict']} (scope).")
    other = _Page()
    study.report_claims(other, runs, {**P, "epochs": 15}, split, "generated stand-in data", "scope")
    assert all(r["verdict"] == "not tested here" and "this run trained on generated" in r["detail"]
               for r in other.claim_rows)
    assert study.golden_metrics(runs, {})["batch-norm_test_accuracy"] == 0.71
    plt.close("all")
