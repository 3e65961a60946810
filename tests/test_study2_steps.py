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


def test_early_stopping_sentence_counts_the_runs_it_ended():
    runs = RunSet()
    runs.add(study.REG, RunResult(label="r", seed=0, epochs_run=2))
    runs.add(study.REG, RunResult(label="r", seed=1, epochs_run=3))
    assert study.early_stopping_sentence(runs, P).startswith("**Early stopping** ended 1 of 2 regularised runs")
    runs.runs[study.REG][0].epochs_run = 3
    assert "in effect dropout alone" in study.early_stopping_sentence(runs, P)
    assert study.early_stopping_sentence(runs, {**P, "early_stopping_patience": None}) == ""


def test_the_architecture_table_lists_the_baseline_layers():
    table, caption = study.architecture_table()
    assert len(table) > 3 and caption.startswith("Baseline CNN, ") and caption.endswith(" parameters")
