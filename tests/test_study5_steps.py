"""Study 5's notebook steps (lib/studies/cifar100_vgg_synthetic/study.py) on fake runs: no training, no notebook."""
from types import SimpleNamespace

import numpy as np
import pytest

from lib.data import Split
from lib.experiments import RunResult, RunSet
from lib.studies.cifar100_vgg_synthetic import study

P = dict(n_train=1000, n_test=500, vgg_width=0.125, epochs=2, seeds=[0, 1, 2], profile="smoke", compare_fraction=0.5,
         resnet_depth=8, resnet_width=0.5, batch_size=32, learning_rate=0.01, optimizer="sgd", weight_decay=0.005,
         warmup_epochs=1, seed_epochs=2, seed_batch_size=64, seed_learning_rate=0.001, seed_patience=2)


def _split(n_train=40, num_classes=4):
    y = np.arange(n_train) % num_classes
    x = np.zeros((n_train, 32, 32, 3), np.float32)
    return Split(x, y, x[:8], y[:8], x[:12], y[:12])


def _choice(total=10, generated=True, used="cifar100"):
    return SimpleNamespace(ds=SimpleNamespace(num_classes=total), generated=generated, used=used,
                           label=lambda: {"cifar100": "CIFAR-100", "cifar10": "CIFAR-10"}[used])


def test_scope_names_the_data_every_reduction_the_budget_and_the_profile():
    text = study.scope(_choice(), _split(), 4, P)
    assert text.startswith("generated stand-in data in the CIFAR-100 format, CIFAR-100 — reduced: first 4 of 10")
    assert "40 real train / 8 val / 12 test images" in text and "VGG-16 at 0.125× width" in text
    assert text.endswith("; 2 epochs' worth of steps, 3 seed(s), profile smoke")
    full = study.scope(_choice(total=4, generated=False), _split(), 4, {**P, "n_train": None, "n_test": None,
                                                                        "vgg_width": 1})
    assert full == "CIFAR-100; 2 epochs' worth of steps, 3 seed(s), profile smoke"
    assert study.classes_kept(_choice(total=4), 4) == "" and "first 4 of 10" in study.classes_kept(_choice(), 4)


@pytest.fixture
def arms(monkeypatch):
    monkeypatch.setattr(study.imagenet, "find_weights", lambda arch, allow_download: (None, "skipped: offline"))
    split = _split()
    x_syn, y_syn = np.zeros((8, 32, 32, 3), np.uint8), np.arange(8) % 4
    return study.plan_arms(P, split, 4, x_syn, y_syn, [0.0, 0.25, 0.5], "cifar100", True, "float32")


def test_plan_arms_lists_every_arm_once_with_its_recipe_and_skips_imagenet_without_weights(arms):
    vgg = "VGG-16-BN (0.125× width)"
    assert list(arms.variants) == [f"{vgg}, real only", f"{vgg}, +25% synthetic", f"{vgg}, +50% synthetic",
                                   f"{vgg}, synthetic only (CAS)", "ResNet-8 (0.5× width), +50% synthetic",
                                   "VGG-16 (0.125× width), seed recipe, +50% synthetic"]
    assert arms.vgg_mix == f"{vgg}, +50% synthetic" and arms.imagenet not in arms.variants
    assert arms.warnings == ["ImageNet-pretrained VGG-16 baseline skipped: offline."]
    assert arms.variants[arms.cas].kwargs["synthetic_only"] and arms.variants[arms.real].kwargs.get("fraction") is None
    assert arms.recipes[arms.seed_vgg].early_stopping_patience == 2 and arms.recipes[arms.real].batch_size == 32
    assert all(n > 0 for n in arms.n_params.values()) and set(arms.n_params) == set(arms.variants)
    table = study.arms_table(arms, 40)
    assert table.loc[arms.cas, "training images"] == "synthetic only"
    assert table.loc[f"{vgg}, +25% synthetic", "training images"] == "40 real + 10 synthetic"
    assert table.loc[arms.seed_vgg, "optimiser steps"] == "2 × 1 at most"
    about = study.describe_arms(arms, P, [0.0, 0.25, 0.5])
    assert about.count("\n- ") == 2 and "ImageNet" not in about and "+25% and +50%" in about


def test_the_seed_recipe_arm_runs_only_on_cifar100(monkeypatch):
    monkeypatch.setattr(study.imagenet, "find_weights", lambda arch, allow_download: (None, "skipped"))
    arms = study.plan_arms(P, _split(), 4, None, None, [0.0, 0.5], "cifar10", True, "float32")
    assert arms.seed_vgg not in arms.variants


def _fake_arms(names=("real", "cas", "mix", "resnet")):
    return study.Arms(vgg="V", resnet="R", real="V, real only", cas="V, CAS", vgg_mix=study.mixed("V", 0.5),
                      resnet_mix=study.mixed("R", 0.5), seed_vgg="S", imagenet="I", weights=None,
                      weights_from="skipped: offline", n_params={"V, real only": 10, "V, CAS": 10,
                                                                 study.mixed("V", 0.5): 10, study.mixed("R", 0.5): 7})


def _runs(accuracy: dict[str, list[float]], train_accuracy: float = 0.9) -> RunSet:
    runs = RunSet()
    for name, values in accuracy.items():
        for seed, v in enumerate(values):
            runs.add(name, RunResult(label=name, seed=seed, seconds=1.0, metrics={
                "test_accuracy": v, "val_accuracy": v, "train_accuracy": train_accuracy, "steps": 4.0}))
    return runs


def test_compare_gates_on_the_cas_and_pairs_each_mix_with_real_only():
    arms = _fake_arms()
    runs = _runs({arms.real: [0.50, 0.52, 0.54], arms.cas: [0.30, 0.31, 0.32], arms.vgg_mix: [0.55, 0.58, 0.57],
                  arms.resnet_mix: [0.40, 0.42, 0.41]})
    c = study.compare(runs, arms, 10, [0.0, 0.5], 0.5)
    assert c.passed and c.gate == pytest.approx(0.2) and c.cas_ratio == pytest.approx(0.31 / 0.52)
    assert c.by_fraction[0.5].mean_diff == pytest.approx(0.0467, abs=1e-3) and c.by_fraction[0.5].n == 3
    assert c.resnet.mean_diff == pytest.approx(0.1567, abs=1e-3)     # VGG mix − ResNet mix
    assert c.gap.mean_diff == pytest.approx(-0.0467, abs=1e-3)       # same train accuracy: the gap shrinks
    assert c.imagenet is None
    text = study.comparison_lines(c, arms, 40, 10, 0.5, "the scope")
    assert "at or above the gate" in text and "no conclusion" not in text and text.endswith("- **Scope.** the scope.")
    assert "skipped: offline." in text


def test_below_the_gate_the_differences_are_stated_without_a_conclusion():
    arms = _fake_arms()
    runs = _runs({arms.real: [0.50, 0.52, 0.54], arms.cas: [0.10, 0.11, 0.12], arms.vgg_mix: [0.55, 0.58, 0.57],
                  arms.resnet_mix: [0.40, 0.42, 0.41]})
    c = study.compare(runs, arms, 10, [0.0, 0.5], 0.5)
    assert not c.passed
    text = study.comparison_lines(c, arms, 40, 10, 0.5, "s")
    assert "below the gate" in text and text.count("(measured; no conclusion below the CAS gate)") == 2


def test_metrics_table_and_sweep_are_built_from_the_runs():
    arms = _fake_arms()
    runs = _runs({arms.real: [0.5, 0.6], arms.vgg_mix: [0.7, 0.8], arms.cas: [0.2, 0.2]}, train_accuracy=0.75)
    table = study.metrics_table(runs, arms.n_params)
    assert list(table["parameters"]) == ["10", "10", "10"] and "train − test" in table.columns
    sweep = study.fraction_sweep(runs, arms, [0.0, 0.5], 0.5)
    assert sweep == {"V": {0.0: [50.0, 60.0], 0.5: [70.0, 80.0]}}   # the ResNet did not run: not in the sweep
    assert study.train_test_gap(runs.ok(arms.real)[0]) == pytest.approx(0.25)


def test_gan_paragraph_reports_the_run_and_the_images():
    gan = RunResult(label="gan", seed=0, seconds=120.0, epochs_run=3, history={"d_cls_real": [0.5, 0.8],
                                                                                "g_cls": [0.4, 0.7]},
                    artifacts={"generator_params": 1234, "discriminator_params": 567, "n_real": 800})
    x = np.array([[0, 255]], np.uint8)
    text = study.gan_paragraph(gan, x, 8, 4, 3, 32)
    assert "1,234-parameter generator" in text and "for 80% of real and 70% of generated" in text
    assert "values 0–255" in text and "4 per-class sample grids" in text and "first 3 classes" in text


@pytest.mark.slow
def test_an_arm_trains_through_train_classifier_for_the_requested_steps_on_a_repeating_stream():
    """Study 5's arms use the one classifier training function: steps per epoch, real-image train metrics."""
    import keras

    from lib.studies.cifar100_vgg_synthetic.arms import train_arm
    from lib.train import runtime
    from lib.train.recipes import improved_recipe

    runtime.configure(seed=0, precision="float32")
    split = _split(n_train=40)

    def tiny():
        return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                                 keras.layers.Dense(4, activation="softmax")])

    x_syn, y_syn = np.full((40, 32, 32, 3), 255, np.uint8), np.arange(40) % 4
    recipe = improved_recipe(epochs=2, batch_size=16, learning_rate=0.01)
    r = train_arm(split, tiny, recipe, num_classes=4, seed=0, label="arm", x_syn=x_syn, y_syn=y_syn, fraction=0.5,
                  log=False)
    assert r.ok and r.metrics["steps"] == 2 * 3 and r.artifacts["n_train_images"] == 60
    assert r.artifacts["steps_per_epoch"] == 3 and len(r.test_predictions) == 12
    assert len(recipe.train_kwargs(0)["extra_callbacks"]) == 1 and recipe.train_kwargs(0)["steps_per_execution"] == 1
    bad = Split(np.full_like(split.x_train, np.nan), split.y_train, split.x_val, split.y_val, split.x_test,
                split.y_test)
    from lib.errors import DataError
    with pytest.raises(DataError, match="training images contain NaN"):
        train_arm(bad, tiny, recipe, num_classes=4, seed=0, label="arm", log=False)
