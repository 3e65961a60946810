"""Study 2's notebook steps (lib/studies/fashion_regularisation.py) without training or a notebook."""
from types import SimpleNamespace

from lib.experiments import RunResult, RunSet
from lib.studies import fashion_regularisation as study

P = dict(epochs=3, seeds=[0, 1], profile="smoke", dropout_rate=0.25, dense_dropout_rate=0.5,
         early_stopping_patience=3, augment=False)


def test_scope_and_the_regularisation_sentence_follow_the_parameters():
    split = SimpleNamespace(sizes=lambda: {"train": 1200})
    assert study.scope(split, True, P) == "generated stand-in data, 1,200 train images, ≤3 epochs, 2 seed(s), " \
                                          "profile smoke"
    assert study.regularisation_sentence(P).endswith("patience 3; no augmentation.")
    assert study.regularisation_sentence({**P, "augment": True}).endswith("; random shifts and flips.")


def test_the_two_variants_differ_only_in_regularisation():
    v = study.variants({**P, "augment": True}, "SPLIT", None, 128, 0.002)
    base, reg = v[study.BASE].kwargs, v[study.REG].kwargs
    assert base["data"] == reg["data"] == "SPLIT" and base["batch_size"] == reg["batch_size"] == 128
    assert reg["early_stopping_patience"] == 3 and reg["augment"] is not None and "augment" not in base
    assert reg["build_model"].keywords == {"dropout": 0.25, "dense_dropout": 0.5} and not base["build_model"].keywords


def test_early_stopping_sentence_counts_the_runs_it_ended_and_says_when():
    runs = RunSet()
    runs.add(study.REG, RunResult(label="r", seed=0, epochs_run=2, best_epoch=1))
    runs.add(study.REG, RunResult(label="r", seed=1, epochs_run=3, best_epoch=3))
    text = study.early_stopping_sentence(runs, P)
    assert text == ("**Early stopping** ended 1 of 2 regularised runs before the 3-epoch limit: seed 0 after "
                    "epoch 2 (kept epoch 1).")
    assert study.early_stopping_table(runs, P).loc[0].tolist() == [2, "yes", 1]
    runs.runs[study.REG][0].epochs_run = 3
    assert "in effect dropout alone" in study.early_stopping_sentence(runs, P)
    assert study.early_stopping_sentence(runs, {**P, "early_stopping_patience": None}) == ""


def test_stability_is_the_sample_sd_of_the_last_epochs_validation_accuracy():
    run = RunResult(label="r", seed=0, history={"val_accuracy": [0.1, 0.5, 0.6, 0.7, 0.8]})
    assert abs(study.val_accuracy_sd(run) - 0.12909944) < 1e-6          # the last 4 epochs, n − 1
    assert study.val_accuracy_sd(RunResult(label="r", seed=0, history={"val_accuracy": [0.5]})) != \
        study.val_accuracy_sd(run)                                       # NaN: one epoch has no spread
    claim = next(c for c in study.REGULARISATION if c.key == "s2.stability")
    assert claim.measure == "val_accuracy_sd" and not claim.higher_is_better and claim.test == "Welch t"


def test_the_recipe_table_states_both_budgets_and_what_the_seed_left_unsaid():
    split = SimpleNamespace(sizes=lambda: {"train": 1200, "val": 300})
    table = study.recipe({**P, "learning_rate": 0.001, "batch_size": 32}, split)
    assert table.loc["batch size"].tolist() == ["not stated; Keras default 32", "32"]
    assert table.loc["epochs", "this run"] == ("baseline 3 epochs; regularised at most 3 epochs, stopped when the "
                                               "validation loss has not improved for 3 epochs, best weights kept")
    assert "300 training images held out" in table.loc["validation data", "this run"]
    assert "s2.stability" in table.loc["decides: this run's recipe, both models", "this run"]


def test_the_report_functions_hand_the_page_every_figure_and_claim():
    import matplotlib.pyplot as plt
    import numpy as np

    from tests.test_study1_steps import _Page

    runs, page = RunSet(), _Page()
    for name in (study.BASE, study.REG):
        for seed in range(3):
            runs.add(name, RunResult(label=name, seed=seed, seconds=4.0, epochs_run=3, best_epoch=3,
                                     history={k: [0.5, 0.6, 0.6 + 0.01 * seed] for k in
                                              ("accuracy", "val_accuracy", "loss", "val_loss")},
                                     metrics={"test_accuracy": 0.8 + 0.01 * seed, "val_accuracy": 0.8,
                                              "train_accuracy": 0.9, "test_loss": 1.0, "val_loss": 1.0},
                                     artifacts={"test_predictions": np.array([0, 1, 1, 0])}))
    study.prepare(page, runs)
    study.report_results(page, runs, P, SimpleNamespace(y_test=np.array([0, 1, 1, 1])),
                         SimpleNamespace(class_names=["a", "b"]), "scope")
    assert {"metrics", "early_stopping", "curves", "gap", "confusion", "test_accuracy"} <= \
        {a[1] for kind, a, _ in page.calls if kind in ("table", "figure")}
    study.report_claims(page, runs, "scope")
    assert [c["key"] for c in page.claims] == [c.key for c in study.REGULARISATION]
    assert "paired" not in page.said("say") and page.said("say").count("Welch t test") == 2
    assert page.said("finding").startswith("Regularisation − baseline, validation accuracy: ours of "
                                           "s2.val_accuracy, Welch t, Holm-adjusted p 0.04")
    assert study.golden_metrics(runs)["baseline_test_accuracy"] == 0.81
    plt.close("all")


def test_the_architecture_table_lists_the_baseline_layers():
    table, caption = study.architecture_table()
    assert len(table) > 3 and caption.startswith("Baseline CNN, ") and caption.endswith(" parameters")
