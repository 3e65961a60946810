"""Study 2 (lib/studies/fashion_regularisation/) without training or a notebook: its face (data, runs, report,
claims, golden), the 2 × 2 and the seed-state reading read from recorded epochs, the recipe declared once."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from lib.experiments import RunResult, RunSet
from lib.report.pipeline import load_params
from lib.studies import fashion_regularisation as study
from lib.studies.fashion_regularisation.data import StudyData, scope
from lib.studies.fashion_regularisation.figures import (early_stopping_sentence, architecture_table, recipe,
                                                        regularisation_sentence)
from lib.studies.fashion_regularisation.readings import main_arms, other_readings, seed_state, two_by_two, \
    val_change_sd
from lib.studies.fashion_regularisation.runs import StudyRuns, variants
from lib.studies.registry import get_study
from tests.fake_page import FakePage as _Page

P = dict(epochs=3, seeds=[0, 1], profile="smoke", dropout_rate=0.25, dense_dropout_rate=0.5,
         early_stopping_patience=3, augment=False)
PACKAGE = Path(study.__file__).parent


def _study_runs(trained, P, split, class_names=("a", "b")):
    """The study's runs as runs() returns them, from made-up trained networks and a stand-in split."""
    data = StudyData(SimpleNamespace(class_names=list(class_names)), split, False, None, "scope", "fashion_mnist")
    return StudyRuns(data, trained, main_arms(trained, P), other_readings(trained, P))


def test_scope_and_the_regularisation_sentence_follow_the_parameters():
    split = SimpleNamespace(sizes=lambda: {"train": 1200})
    assert scope(split, True, P) == "generated stand-in data, 1,200 train images, ≤3 epochs, 2 seed(s), " \
                                          "profile smoke"
    assert "patience 3 on the validation loss" in regularisation_sentence(P)
    assert regularisation_sentence(P).endswith("; no augmentation.")
    assert regularisation_sentence({**P, "augment": True}).endswith("with dropout.")


def test_both_networks_train_the_full_budget_with_the_test_curve_and_differ_only_in_dropout():
    v = variants({**P, "augment": True}, "SPLIT", None, 128, 0.002)
    assert set(v) == {study.BASE, study.DROPOUT}
    base, drop = v[study.BASE].kwargs, v[study.DROPOUT].kwargs
    assert base["data"] == drop["data"] == "SPLIT"
    b, d = base["config"], drop["config"]
    assert b.batch_size == d.batch_size == 128 and b.learning_rate == d.learning_rate == 0.002
    assert b.test_curve and d.test_curve and b.epochs == d.epochs == 3
    assert b.early_stopping_patience is None and d.early_stopping_patience is None
    assert d.augment is not None and b.augment is None
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
    arms = two_by_two(runs, {**P, "early_stopping_patience": 1})
    assert arms.variants == [study.BASE, study.BASE_ES, study.DROPOUT, study.REG]
    assert arms.values(study.BASE, "kept_epoch") == [5.0] * 3 and arms.values(study.BASE_ES, "kept_epoch") == [2.0] * 3
    assert arms.values(study.REG, "kept_epoch") == [4.0] * 3
    assert arms.values(study.BASE_ES, "held_out_accuracy") == pytest.approx([0.80, 0.801, 0.802])
    assert arms.values(study.REG, "logged_gap") == pytest.approx([0.91 - 0.82, 0.91 - 0.821, 0.91 - 0.822])
    # Inference-mode measures are taken once, after the last epoch: an early-stopping arm carries none of them.
    assert all("train_accuracy" not in r.metrics and "test_accuracy" not in r.metrics
               for arm in (study.BASE_ES, study.REG) for r in arms.ok(arm))
    assert arms.values(study.DROPOUT, "test_accuracy") == pytest.approx([0.83, 0.831, 0.832])
    text = early_stopping_sentence(arms, {**P, "epochs": 5})
    assert "baseline + early stopping: kept epoch 2, 2, 2 (seed order), 3 of 3 before the 5-epoch limit" in text


def test_stability_is_the_sd_of_the_epoch_to_epoch_changes_over_one_window():
    run = RunResult(label="r", seed=0, history={"val_accuracy": [0.1, 0.5, 0.6, 0.7, 0.75, 0.7]})
    changes = [0.1, 0.05, -0.05]                  # from epoch 3 on
    assert val_change_sd(run) == pytest.approx(float(np.std(changes, ddof=1)))
    claim = next(c for c in study.REGULARISATION if c.key == "s2.stability")
    assert claim.measure == "val_change_sd" and claim.variant == study.DROPOUT and claim.metric_kind == "loss"


def test_the_recipe_table_states_the_budget_and_what_the_seed_left_unsaid():
    split = SimpleNamespace(sizes=lambda: {"train": 1200, "val": 300})
    table = recipe({**P, "learning_rate": 0.001, "batch_size": 32}, split)
    assert table.loc["batch size"].tolist()[:2] == ["not stated", "32"]
    assert table.loc["batch size", "this run's setting is"].startswith("the reference's: Keras's default")
    assert table.loc["epochs", "this run"].startswith("both networks 3 epochs")
    assert "300 training images held out" in table.loc["validation data", "this run"]
    assert "s2.val_accuracy" in table.loc[f"decides: {study.REG} vs {study.BASE}", "this run"]
    assert "s2.stability" in table.loc[f"decides: {study.DROPOUT} vs {study.BASE}", "this run"]


def test_the_report_functions_hand_the_page_every_figure_and_claim():
    import matplotlib.pyplot as plt

    trained, page = _trained({study.BASE: [0.5, 0.4, 0.45], study.DROPOUT: [0.5, 0.4, 0.35]}), _Page()
    split = SimpleNamespace(y_test=np.array([0, 1, 1, 1]), sizes=lambda: {"val": 300})
    runs = _study_runs(trained, P, split)
    # The page counts every trained run once (the 2 × 2 is a view of them); the arms carry the inference-mode gap.
    assert runs.records() == trained.all() and len(runs.records()) == 6
    assert all("train_val_gap" in r.metrics for arm in (study.BASE, study.DROPOUT) for r in runs.arms.ok(arm))
    for section in study.SECTIONS:
        study.report(page, runs, P, section)
    assert {"two_by_two", "metrics", "curves", "gap", "confusion", "test_accuracy"} <= \
        {a[1] for kind, a, _ in page.calls if kind in ("table", "figure")}
    page.claims(study.claims(runs, P))
    assert [c["key"] for c in page.claim_rows] == [c.key for c in study.REGULARISATION]
    assert "paired" not in page.said("say") and page.said("say").count("Welch t test") == 2
    overfitting = next(c for c in page.claim_rows if c["key"] == "s2.overfitting")
    assert "inference mode (dropout off), measured at the last epoch only, so dropout − baseline: " in \
        overfitting["detail"]
    assert page.said("finding").startswith(f"{study.REG} − {study.BASE}, held-out accuracy: ")
    assert set(study.golden(runs, P)) == {f"{a}_{k}" for a in runs.arms.variants
                                          for k in ("held_out_accuracy", "val_accuracy")}
    with pytest.raises(ValueError, match="no section 'claims'"):
        study.report(page, runs, P, "claims")
    plt.close("all")


def test_the_architecture_table_lists_the_baseline_layers():
    table, caption = architecture_table()
    assert len(table) > 3 and caption.startswith("Baseline CNN, ") and caption.endswith(" parameters")


# Toy records for the seed-state reading: the baseline's logged training accuracy reaches the seed's 92.46 % first at
# epoch 3, 4 and 5 (seed 1 exactly at it, after passing 92 % but not 92.46 % at epoch 3). The dropout network's own
# training accuracy never gets there (it must not decide its budget), and its validation loss falls every epoch, so
# early stopping keeps the last epoch of whatever budget it is given.
_BASE_ACC = {0: [0.85, 0.90, 0.93, 0.95, 0.96, 0.97], 1: [0.86, 0.91, 0.922, 0.9246, 0.96, 0.97],
             2: [0.80, 0.88, 0.90, 0.91, 0.925, 0.96]}


def _curves(base_acc=None, n=6):
    runs = RunSet()
    for name in study.TRAINED:
        for seed, acc in (base_acc or _BASE_ACC).items():
            dropout = name == study.DROPOUT
            runs.add(name, RunResult(label=name, seed=seed, epochs_run=n, best_epoch=n, history={
                "accuracy": [0.80 + 0.01 * e for e in range(n)] if dropout else acc[:n],
                "val_loss": [0.5 - 0.02 * e for e in range(n)] if dropout else [0.5, 0.4, 0.45, 0.42, 0.5, 0.6][:n],
                "val_accuracy": [0.80 + 0.01 * e + 0.003 * seed * (e % 2) + (0.004 * e * e if dropout else 0)
                                 for e in range(n)],
                "loss": [0.4] * n,
                "test_accuracy": [0.70 + 0.02 * e + 0.001 * seed + (0.01 if dropout else 0) for e in range(n)],
                "test_loss": [0.6 - 0.03 * e - (0.05 if dropout else 0) for e in range(n)]},
                metrics={"test_accuracy": 0.9, "val_accuracy": 0.9, "train_accuracy": 0.99, "test_loss": 0.3,
                         "val_loss": 0.3}))
    return runs


P6 = {**P, "epochs": 6, "seeds": [0, 1, 2], "early_stopping_patience": 1, "readings": ["seed_state"]}


def test_the_seed_state_is_each_seeds_first_epoch_at_the_seeds_training_accuracy_and_every_arm_is_read_there():
    state = seed_state(_curves(), P6)
    assert state.target == study.SEED_REPORTED[study.BASE]["train_accuracy"] == 0.9246
    assert state.epochs == {0: 3, 1: 4, 2: 5} and not state.reason and state.mean_epoch == 4
    assert state.reached == pytest.approx({0: 0.93, 1: 0.9246, 2: 0.925})
    arms = state.arms
    # The baseline and the dropout network at the paired seed's baseline epoch (not the dropout network's own).
    for arm in (study.BASE, study.DROPOUT):
        assert arms.values(arm, "kept_epoch") == [3.0, 4.0, 5.0]
    assert arms.values(study.BASE, "held_out_accuracy") == pytest.approx([0.74, 0.761, 0.782])
    assert arms.values(study.DROPOUT, "held_out_accuracy") == pytest.approx([0.75, 0.771, 0.792])
    assert arms.values(study.BASE, "logged_gap") == pytest.approx([0.93 - 0.74, 0.9246 - 0.761, 0.925 - 0.782])
    # Early stopping within each seed's budget: the baseline's val loss turns up at epoch 3 (kept 2 in every seed);
    # the dropout network's falls throughout, so it keeps the budget's last epoch, not the profile's 6th.
    assert arms.values(study.BASE_ES, "kept_epoch") == [2.0, 2.0, 2.0]
    assert arms.values(study.REG, "kept_epoch") == [3.0, 4.0, 5.0]
    assert arms.values(study.REG, "val_accuracy") == pytest.approx([0.836, 0.869, 0.904])
    # The stability window runs from epoch 3 to each budget's last: one change at epoch 4, none at 3.
    assert [v != v for v in arms.values(study.BASE, "val_change_sd")] == [True, True, False]
    # No end-of-training number leaks into the reading (those belong to epoch 6).
    assert all("test_accuracy" not in r.metrics and "train_accuracy" not in r.metrics for r in arms.all())
    reference = two_by_two(_curves(), P6)
    assert reference.values(study.BASE, "kept_epoch") == reference.values(study.REG, "kept_epoch") == [6.0] * 3


def test_the_claims_are_judged_at_the_seed_state_as_a_reading_beside_the_counted_reference():
    import math

    page = _Page()
    runs = _study_runs(_curves(), P6, SimpleNamespace(y_test=np.array([0, 1]), sizes=lambda: {"val": 10_000}))
    arms = runs.arms
    assert list(runs.readings) == ["seed_state"]
    study.report(page, runs, P6, "readings")
    page.claims(study.claims(runs, P6))
    said = page.said("say")
    assert "first reaches it at epoch 3, 4, 5 (seed order; 93.00 %, 92.46 %, 92.50 % there) of the 6 epochs" in said
    assert "the mean curve over seeds first reaches it at epoch 4" in said
    assert "(baseline + early stopping: 2, 2, 2; dropout + early stopping: 3, 4, 5)" in said
    assert "two_by_two_seed_state" in {a[1] for kind, a, _ in page.calls if kind == "table"}
    rows = {c["key"]: c for c in page.claim_rows}
    assert [c["key"] for c in page.claim_rows] == [c.key for c in study.REGULARISATION]
    # The counted reference is the full budget; the reading is beside every claim, named with its epochs.
    assert rows["s2.baseline_val"]["ours"].startswith("85.30 % ± ")   # val accuracy at epoch 6, mean of 3 seeds
    for row in page.claim_rows:
        assert row["readings"].startswith("the seed's training state (epoch 3, 4, 5): "), row["key"]
    # The baseline's val accuracy at epochs 3, 4, 5; the reading's own estimate, verdict and difference test.
    val = [0.80 + 0.01 * (e - 1) + 0.003 * s * ((e - 1) % 2) for s, e in ((0, 3), (1, 4), (2, 5))]
    assert f"{sum(val) / 3 * 100:.2f} % ± " in rows["s2.baseline_val"]["readings"]
    assert "+1.00 points" in rows["s2.val_accuracy"]["readings"]   # the dropout network's offset, at every epoch
    # Logged train − held-out, dropout + early stopping − baseline, at each seed's epoch (3, 4, 5).
    gaps = [(0.80 + 0.01 * (e - 1) - 0.01) - _BASE_ACC[s][e - 1] for s, e in ((0, 3), (1, 4), (2, 5))]
    assert f"state (epoch 3, 4, 5): {sum(gaps) / 3 * 100:+.2f} points (" in rows["s2.overfitting"]["readings"]
    assert "difference of effects p = " in rows["s2.overfitting"]["readings"]
    # Seed 0's budget of 3 epochs leaves the stability window no change: not measured, and the reason is said.
    assert "not tested here (the stability window" in rows["s2.stability"]["readings"]
    assert not math.isnan(arms.values(study.BASE, "val_change_sd")[0])   # the reference's window is whole


def test_no_reading_verdict_where_the_baseline_never_reaches_the_seeds_training_accuracy_or_starts_past_it():
    never = {**_BASE_ACC, 2: [0.80, 0.85, 0.88, 0.90, 0.91, 0.92]}
    state = seed_state(_curves(never), P6)
    assert state.arms is None and state.epochs[2] is None
    assert "never reaches the seed's 92.46 % in the 6 recorded epochs (highest seed 2: 92.00 %)" in state.reason
    at_once = seed_state(_curves({**_BASE_ACC, 1: [0.93] * 6}), P6)
    assert at_once.arms is None and "after the first epoch (seed 1)" in at_once.reason
    trained, page = _curves(never), _Page()
    runs = _study_runs(trained, P6, SimpleNamespace(sizes=lambda: {"val": 300}))
    study.report(page, runs, P6, "readings")
    page.claims(study.claims(runs, P6))
    assert "not located in this run, so no claim is judged under it: the baseline's logged" in page.said("say")
    assert all(c["readings"] == "" for c in page.claim_rows)
    assert "two_by_two_seed_state" not in {a[1] for kind, a, _ in page.calls if kind == "table"}
    # A profile that lists no reading reads none.
    assert other_readings(trained, {**P6, "readings": None}) == {}


def test_the_seeds_numbers_are_declared_once_and_feed_the_claims_the_recipe_and_the_reading():
    seed = study.SEED_REPORTED
    claims = {c.key: c for c in study.REGULARISATION}
    assert claims["s2.baseline_val"].seed_value == seed[study.BASE]["val_accuracy"] == 0.8854
    assert claims["s2.overfitting"].seed_effect == pytest.approx((0.8697 - 0.8902) - (0.9246 - 0.8854))
    split = SimpleNamespace(sizes=lambda: {"train": 1200, "val": 300})
    table = recipe({**P6, "learning_rate": 0.001, "batch_size": 32}, split)
    assert "its initial model logged 92.46 % training accuracy at its last epoch" in table.loc["epochs", "the seed"]
    assert table.loc["other readings run", "this run"] == "the seed's training state"
    assert "(92.46 %)" in table.loc["other readings run", "this run's setting is"]
    assert table.loc["runs per model", "this run"] == "3 seeds"


def test_quick_and_full_declare_the_seed_state_reading_and_smoke_reads_it_by_default():
    import yaml

    from lib.paths import PARAMS
    from lib.studies.registry import STUDIES

    assert STUDIES["fashion_regularisation"].defaults()["readings"] == ["seed_state"]   # smoke: it trains nothing
    for profile in ("quick", "full"):
        values = load_params(profile, get_study("fashion_regularisation"))
        assert values["readings"] == ["seed_state"], profile


def test_only_the_module_that_says_what_each_run_trains_is_part_of_the_run_key():
    from lib.experiments.cache import is_cache_neutral

    neutral = {p.name: is_cache_neutral(p) for p in PACKAGE.glob("*.py")}
    assert neutral.pop("runs.py") is False
    assert neutral and all(neutral.values()), neutral


def test_the_notebook_reports_every_section_in_page_order_and_imports_only_the_face():
    import json

    from lib.paths import NOTEBOOKS

    cells = json.loads((NOTEBOOKS / "02_fashion_regularisation.ipynb").read_text())["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert [s for s in study.SECTIONS if f'study.report(page, runs, P, "{s}")' in "\n".join(code)] == \
        list(study.SECTIONS)
    assert [line for src in code for line in src.splitlines() if line.startswith(("from ", "import "))] == \
        ["from lib.report import page as report", "from lib.studies import fashion_regularisation as study"]


def test_data_describes_the_split_and_the_replicas_reach_the_header(tmp_path):
    from lib.studies.registry import resolve

    page = _Page()
    page.output_dir = tmp_path
    Pd = resolve("fashion_regularisation", {"n_train": 120, "n_test": 40})
    loaded = study.data(Pd, page)
    assert page.runtime["replicas"] == loaded.devices.replicas >= 1
    assert (loaded.devices.batch_size, loaded.devices.learning_rate) == \
        (Pd["batch_size"] * loaded.devices.replicas, Pd["learning_rate"] * loaded.devices.replicas)
    assert loaded.generated and loaded.trained_on == "generated stand-in data"
    assert loaded.scope.startswith("generated stand-in data, ") and "profile smoke" in loaded.scope
    assert "train /" in page.said("add_data")
    assert [a[1] for kind, a, _ in page.calls if kind == "table"] == ["recipe", "architecture"]
