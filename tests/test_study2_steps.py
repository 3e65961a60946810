"""Study 2's notebook steps (lib/studies/fashion_regularisation.py) without training or a notebook."""
from types import SimpleNamespace

import numpy as np
import pytest

from lib.experiments import RunResult, RunSet
from lib.studies import fashion_regularisation as study

P = dict(epochs=3, seeds=[0, 1], profile="smoke", dropout_rate=0.25, dense_dropout_rate=0.5,
         early_stopping_patience=3, augment=False)


def test_scope_and_the_regularisation_sentence_follow_the_parameters():
    split = SimpleNamespace(sizes=lambda: {"train": 1200})
    assert study.scope(split, True, P) == "generated stand-in data, 1,200 train images, ≤3 epochs, 2 seed(s), " \
                                          "profile smoke"
    assert "patience 3 on the validation loss" in study.regularisation_sentence(P)
    assert study.regularisation_sentence(P).endswith("; no augmentation.")
    assert study.regularisation_sentence({**P, "augment": True}).endswith("with dropout.")


def test_both_networks_train_the_full_budget_with_the_test_curve_and_differ_only_in_dropout():
    v = study.variants({**P, "augment": True}, "SPLIT", None, 128, 0.002)
    assert set(v) == {study.BASE, study.DROPOUT}
    base, drop = v[study.BASE].kwargs, v[study.DROPOUT].kwargs
    assert base["data"] == drop["data"] == "SPLIT" and base["batch_size"] == drop["batch_size"] == 128
    assert base["test_curve"] and drop["test_curve"] and base["epochs"] == drop["epochs"] == 3
    assert "early_stopping_patience" not in base and "early_stopping_patience" not in drop
    assert drop["augment"] is not None and "augment" not in base
    assert drop["build_model"].keywords == {"dropout": 0.25, "dense_dropout": 0.5} and not base["build_model"].keywords


def _trained(val_loss_by_arm, seeds=3):
    runs = RunSet()
    for name, losses in val_loss_by_arm.items():
        for seed in range(seeds):
            n = len(losses)
            runs.add(name, RunResult(label=name, seed=seed, epochs_run=n, best_epoch=n, seconds=4.0, history={
                "val_loss": losses, "val_accuracy": [0.80 + 0.01 * e + 0.002 * seed * (e % 2) for e in range(n)],
                "accuracy": [0.85 + 0.02 * e for e in range(n)], "loss": [0.4] * n,
                "test_accuracy": [0.79 + 0.01 * e + 0.001 * seed for e in range(n)],
                "test_loss": [0.5 - 0.01 * e for e in range(n)]},
                metrics={"test_accuracy": 0.79 + 0.01 * (n - 1) + 0.001 * seed, "val_accuracy": 0.8,
                         "train_accuracy": 0.9, "test_loss": 0.4, "val_loss": 0.4},
                artifacts={"test_predictions": [0, 1, 1, 0]}))
    return runs


def test_the_two_by_two_takes_each_arm_at_its_own_epoch_from_the_records():
    runs = _trained({study.BASE: [0.5, 0.4, 0.45, 0.5, 0.6], study.DROPOUT: [0.5, 0.4, 0.35, 0.3, 0.32]})
    arms = study.two_by_two(runs, {**P, "early_stopping_patience": 1})
    assert arms.variants == [study.BASE, study.BASE_ES, study.DROPOUT, study.REG]
    assert arms.values(study.BASE, "kept_epoch") == [5.0] * 3 and arms.values(study.BASE_ES, "kept_epoch") == [2.0] * 3
    assert arms.values(study.REG, "kept_epoch") == [4.0] * 3
    assert arms.values(study.BASE_ES, "held_out_accuracy") == pytest.approx([0.80, 0.801, 0.802])
    assert arms.values(study.REG, "logged_gap") == pytest.approx([0.91 - 0.82, 0.91 - 0.821, 0.91 - 0.822])
    text = study.early_stopping_sentence(arms, {**P, "epochs": 5})
    assert "baseline + early stopping: kept epoch 2, 2, 2 (seed order), 3 of 3 before the 5-epoch limit" in text


def test_stability_is_the_sd_of_the_epoch_to_epoch_changes_over_one_window():
    run = RunResult(label="r", seed=0, history={"val_accuracy": [0.1, 0.5, 0.6, 0.7, 0.75, 0.7]})
    changes = [0.1, 0.05, -0.05]                  # from epoch 3 on
    assert study.val_change_sd(run) == pytest.approx(float(np.std(changes, ddof=1)))
    claim = next(c for c in study.REGULARISATION if c.key == "s2.stability")
    assert claim.measure == "val_change_sd" and claim.variant == study.DROPOUT and claim.metric_kind == "loss"


def test_the_recipe_table_states_the_budget_and_what_the_seed_left_unsaid():
    split = SimpleNamespace(sizes=lambda: {"train": 1200, "val": 300})
    table = study.recipe({**P, "learning_rate": 0.001, "batch_size": 32}, split)
    assert table.loc["batch size"].tolist()[:2] == ["not stated", "32"]
    assert table.loc["batch size", "this run's setting is"].startswith("the reference's: Keras's default")
    assert table.loc["epochs", "this run"].startswith("both networks 3 epochs")
    assert "300 training images held out" in table.loc["validation data", "this run"]
    assert "s2.val_accuracy" in table.loc[f"decides: {study.REG} vs {study.BASE}", "this run"]
    assert "s2.stability" in table.loc[f"decides: {study.DROPOUT} vs {study.BASE}", "this run"]


def test_the_report_functions_hand_the_page_every_figure_and_claim():
    import matplotlib.pyplot as plt

    from tests.test_study1_steps import _Page

    runs, page = _trained({study.BASE: [0.5, 0.4, 0.45], study.DROPOUT: [0.5, 0.4, 0.35]}), _Page()
    arms = study.prepare(page, runs, P)
    split = SimpleNamespace(y_test=np.array([0, 1, 1, 1]), sizes=lambda: {"val": 300})
    study.report_results(page, runs, arms, P, split, SimpleNamespace(class_names=["a", "b"]), "scope")
    assert {"two_by_two", "metrics", "curves", "gap", "confusion", "test_accuracy"} <= \
        {a[1] for kind, a, _ in page.calls if kind in ("table", "figure")}
    study.report_claims(page, arms, split, "fashion_mnist", "scope")
    assert [c["key"] for c in page.claims] == [c.key for c in study.REGULARISATION]
    assert "paired" not in page.said("say") and page.said("say").count("Welch t test") == 2
    assert page.said("finding").startswith(f"{study.REG} − {study.BASE}, held-out accuracy: ")
    assert set(study.golden_metrics(arms)) == {f"{a}_{k}" for a in arms.variants
                                               for k in ("held_out_accuracy", "val_accuracy")}
    plt.close("all")


def test_the_architecture_table_lists_the_baseline_layers():
    table, caption = study.architecture_table()
    assert len(table) > 3 and caption.startswith("Baseline CNN, ") and caption.endswith(" parameters")
