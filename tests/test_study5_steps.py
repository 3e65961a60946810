"""Study 5's notebook steps (lib/studies/cifar100_vgg_synthetic/study.py) on fake runs: no training, no notebook."""
from types import SimpleNamespace

from lib.report.pipeline import load_params
from lib.studies.registry import get_study
import numpy as np
import pytest

from lib.experiments.claims import claim_finding
from lib.data import Split
from lib.experiments import RunResult, RunSet
from lib.experiments.stats import WELCH
from lib.studies.cifar100_vgg_synthetic import study

P = dict(n_train=1000, n_test=500, vgg_width=0.125, epochs=2, seeds=[0, 1, 2], profile="smoke", compare_fraction=0.5,
         batch_size=32, learning_rate=0.01, optimizer="sgd", weight_decay=0.005, warmup_epochs=1, seed_epochs=2,
         seed_batch_size=64, seed_learning_rate=0.001, seed_patience=2, synthetic_fractions=[0.0, 0.25, 1.0],
         gan_epochs=2, gan_batch_size=32, gan_augment="color,translation,cutout", gan_keep_of=4)


def _split(n_train=40, num_classes=4):
    y = np.arange(n_train) % num_classes
    x = np.zeros((n_train, 32, 32, 3), np.uint8)   # uint8 at rest, as the study keeps them
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


def test_the_shares_always_include_real_only_and_the_compared_share():
    assert study.fractions(P) == [0.0, 0.25, 0.5, 1.0]


@pytest.fixture
def arms(monkeypatch):
    monkeypatch.setattr(study.imagenet, "find_weights", lambda arch, allow_download: study.imagenet.WeightsFound(None, "skipped: offline"))
    return study.plan_arms(P, _split(), 4, [0.0, 0.25, 0.5], "CIFAR-10 (fallback: CIFAR-100 unavailable)", True)


def test_plan_arms_lists_every_arm_once_with_its_recipe_and_skips_imagenet_without_weights(arms):
    vgg = "VGG-16-BN (0.125× width)"
    seed = "VGG-16 (0.125× width), seed recipe on CIFAR-10 (fallback: CIFAR-100 unavailable)"
    assert list(arms.variants) == [f"{vgg}, real only", f"{vgg}, +25% synthetic", f"{vgg}, +50% synthetic",
                                   f"{vgg}, synthetic only (CAS)", f"{seed}, real only", f"{seed}, +50% synthetic"]
    assert arms.seed_vgg == f"{seed}, +50% synthetic" and arms.seed_real == f"{seed}, real only"
    assert arms.vgg_mix == f"{vgg}, +50% synthetic" and arms.imagenet not in arms.variants
    assert arms.synthetic == set(arms.variants) - {arms.real, arms.seed_real}   # only these take the GAN's images
    assert arms.warnings == ["ImageNet-pretrained VGG-16 baseline skipped: offline."]
    assert arms.variants[arms.cas].kwargs["synthetic_only"] and arms.variants[arms.real].kwargs.get("fraction") is None
    assert arms.recipes[arms.seed_vgg].early_stopping_patience == 2 and arms.recipes[arms.real].batch_size == 32
    assert not any("x_syn" in v.kwargs for v in arms.variants.values())   # per seed, added by study.train
    assert all(n > 0 for n in arms.n_params.values()) and set(arms.n_params) == set(arms.variants)
    table = study.arms_table(arms, 40)
    assert table.loc[arms.cas, "training images"] == "synthetic only, as many as the real ones"
    assert table.loc[f"{vgg}, +25% synthetic", "training images"] == ("40 real + 10 synthetic (8 on top of every "
                                                                       "batch of 32 real)")
    assert table.loc[arms.seed_vgg, "optimiser steps"] == "2 × 1 at most"
    assert table.loc[arms.seed_real, "training images"] == "40 real"
    about = study.describe_arms(arms, P, [0.0, 0.25, 0.5])
    assert about.count("\n- ") == 1 and "ImageNet" not in about and "+25% and +50%" in about
    assert "not a reproduction of the seed's CIFAR-100 numbers" in about and "on real images only" in about


def test_the_seed_recipe_has_a_real_only_counterpart_that_differs_from_its_mixed_arm_only_in_the_images(arms):
    """Alone, the seed-recipe arm tests nothing: the same network, recipe and seeds on real images only."""
    real, mix = arms.variants[arms.seed_real], arms.variants[arms.seed_vgg]
    assert arms.recipes[arms.seed_real] is arms.recipes[arms.seed_vgg]
    assert arms.recipes[arms.seed_real].optimizer == "adam" and arms.recipes[arms.seed_real].batch_size == 64
    assert real.kwargs["build"].args == mix.kwargs["build"].args == (0.125, False, 4)      # VGG-16 without BN
    assert "fraction" not in real.kwargs and mix.kwargs["fraction"] == 0.5
    assert {k: v for k, v in real.kwargs.items() if k != "build"} == {
        k: v for k, v in mix.kwargs.items() if k not in ("build", "fraction")}
    assert arms.n_params[arms.seed_real] == arms.n_params[arms.seed_vgg]

def test_train_gives_each_seed_its_own_gan_images_and_only_to_the_synthetic_arms(arms, monkeypatch):
    calls = []
    monkeypatch.setattr(study, "run_variants", lambda cache, variants, seeds, workdir, runs: calls.append(
        (seeds, {n: v.kwargs.get("x_syn") for n, v in variants.items()}, workdir)))
    syn = {s: (np.full((4, 32, 32, 3), s, np.uint8), np.arange(4)) for s in (0, 1)}
    study.train(None, arms, syn, [0, 1])
    assert [c[0] for c in calls] == [[0], [1]] and calls[0][2] == "checkpoint_dir"
    for seed, (_, kw, _) in zip((0, 1), calls):
        assert kw[arms.real] is None and all(kw[n] is syn[seed][0] for n in arms.synthetic)


def _fake_arms():
    return study.Arms(vgg="V", real="V, real only", cas="V, CAS", vgg_mix=study.mixed("V", 0.5), seed_vgg="S",
                      seed_real="S, real only", imagenet="I", weights=None, weights_from="skipped: offline",
                      n_params={"V, real only": 10, "V, CAS": 10, study.mixed("V", 0.5): 10})


def _runs(accuracy: dict[str, list[float]], train_accuracy: float = 0.9) -> RunSet:
    runs = RunSet()
    for name, values in accuracy.items():
        for seed, v in enumerate(values):
            runs.add(name, RunResult(label=name, seed=seed, seconds=1.0, metrics={
                "test_accuracy": v, "val_accuracy": v, "train_accuracy": train_accuracy, "steps": 4.0}))
    return runs


def test_compare_gates_on_the_cas_against_real_and_tests_each_share_with_welch():
    arms = _fake_arms()
    runs = _runs({arms.real: [0.50, 0.52, 0.54], arms.cas: [0.32, 0.33, 0.34], arms.vgg_mix: [0.55, 0.58, 0.57]})
    c = study.compare(runs, arms, [0.0, 0.5], 0.5)
    assert c.passed and c.gate.ratios == pytest.approx([0.32 / 0.50, 0.33 / 0.52, 0.34 / 0.54])
    assert c.cas_ratio == pytest.approx(0.33 / 0.52)
    assert c.by_fraction[0.5].mean_diff == pytest.approx(0.0467, abs=1e-3) and c.by_fraction[0.5].test == WELCH
    assert c.gap_by_fraction[0.5].mean_diff == pytest.approx(-0.0467, abs=1e-3)   # same train accuracy: gap shrinks
    assert c.overfits and c.real_gap == pytest.approx([0.40, 0.38, 0.36]) and c.imagenet is None
    text = study.comparison_lines(c, arms, 40, 10, "the scope")
    assert "0.64, 0.63 and 0.63 (seeds 0, 1 and 2): at or above 0.6 in 3 of 3 seeds; the gate holds." in text
    assert "no conclusion" not in text and text.endswith("- **Scope.** the scope.")
    assert "skipped: offline." in text and "overfits: the claim can come out either way" in text
    assert "no ResNet is trained and no comparison is made" in text
    # Each share's line names the arms once, by their share, with the test its claim declares.
    assert "- Test accuracy, +50% synthetic − real only: +4.67 points (95 % CI" in text
    assert "Welch t test over 3 seeds" in text and "- Train − test gap, +50% synthetic − real only: -4.67" in text


def test_the_seed_recipe_is_compared_with_itself_on_real_only_welch_over_seeds_with_its_interval():
    arms = _fake_arms()
    runs = _runs({arms.real: [0.50, 0.52, 0.54], arms.cas: [0.32, 0.33, 0.34], arms.vgg_mix: [0.55, 0.58, 0.57],
                  arms.seed_real: [0.30, 0.32, 0.31], arms.seed_vgg: [0.36, 0.35, 0.37]})
    c = study.compare(runs, arms, [0.0, 0.5], 0.5)
    assert c.seed_recipe.test == WELCH and c.seed_recipe.n == 3
    assert c.seed_recipe.mean_diff == pytest.approx(0.05) and c.seed_recipe.ci_low > 0
    assert c.seed_recipe_gap.mean_diff == pytest.approx(-0.05)          # same train accuracy: the gap shrinks
    text = study.comparison_lines(c, arms, 40, 10, "s")
    line = next(x for x in text.splitlines() if x.startswith("- **The seed's recipe"))
    assert "Test accuracy, +50% synthetic − real only: +5.00 points (95 % CI +" in line
    assert "Welch t test over 3 seeds" in line and "Train − test gap, +50% synthetic − real only: -5.00" in line
    sweep = study.fraction_sweep(runs, arms, [0.0, 0.5], 0.5)
    assert sweep["VGG-16, seed recipe"] == {0.0: pytest.approx([30.0, 32.0, 31.0]),
                                            0.5: pytest.approx([36.0, 35.0, 37.0])}
    # Without its real-only runs the mixed arm alone is drawn, and no difference is made up.
    alone = _runs({arms.real: [0.5, 0.52, 0.54], arms.cas: [0.32, 0.33, 0.34], arms.seed_vgg: [0.36, 0.35, 0.37]})
    c = study.compare(alone, arms, [0.0], 0.5)
    assert c.seed_recipe.n == 0 and "no seed finished both runs" in study.seed_recipe_line(c)
    assert list(study.fraction_sweep(alone, arms, [0.0], 0.5)["VGG-16, seed recipe"]) == [0.5]


def test_the_synthetic_image_claims_carry_the_seed_recipe_comparison_beside_them_uncounted():
    from lib.experiments.claims import judge_all
    from lib.studies.cifar100_vgg_synthetic import claims as s5

    arms = _fake_arms()
    runs = _runs({arms.real: [0.50, 0.52, 0.54], arms.cas: [0.32, 0.33, 0.34], arms.vgg_mix: [0.55, 0.58, 0.57],
                  arms.seed_real: [0.30, 0.32, 0.31], arms.seed_vgg: [0.36, 0.35, 0.37]})
    setting = s5.Setting(real=arms.real, cas=arms.cas, mixed=arms.vgg_mix, seed_vgg=arms.seed_vgg, imagenet="",
                         comparable=False, dataset="cifar100", why_not="reduced", cas_passed=True, gated="",
                         overfits=True, seed_real=arms.seed_real)
    pairs = s5.claims(runs, setting, share=0.6)
    ev = {c.key: e for c, e in pairs}
    assert ev["synthetic_generalisation"].supporting.startswith("the seed's recipe (VGG-16 without batch "
                                                                "normalisation, the same seeds), with − without")
    assert "test accuracy: +5.00 points (95 % CI" in ev["synthetic_generalisation"].supporting
    assert "train − test gap: -5.00 points" in ev["synthetic_overfitting"].supporting
    verdicts = {c.key: v for (c, _), v in zip(pairs, judge_all(pairs))}
    # The claim is judged on VGG-16-BN (+4.67 points); the seed recipe's +5.00 is shown beside it, not counted.
    assert verdicts["synthetic_generalisation"].ours.startswith("+4.67 points")
    assert "supporting, not counted: the seed's recipe" in verdicts["synthetic_generalisation"].detail
    unrun = s5.claims(_runs({arms.real: [0.5, 0.52, 0.54], arms.vgg_mix: [0.55, 0.58, 0.57]}), setting, 0.6)
    assert all(e.supporting == "" for _, e in unrun)


def test_below_the_gate_the_differences_are_stated_without_a_conclusion():
    arms = _fake_arms()
    runs = _runs({arms.real: [0.50, 0.52, 0.54], arms.cas: [0.25, 0.26, 0.27], arms.vgg_mix: [0.55, 0.58, 0.57]},
                 train_accuracy=0.55)
    c = study.compare(runs, arms, [0.0, 0.5], 0.5)
    assert not c.passed and not c.overfits          # a gap of 1-5 points is below the declared 5
    text = study.comparison_lines(c, arms, 40, 10, "s")
    # the share's two lines and the seed recipe's two sentences
    assert "in 0 of 3 seeds; the gate does not hold." in text
    assert text.count("(measured; no conclusion below the CAS gate).") == 4
    assert "- Test accuracy, +50% synthetic − real only: +4.67 points" in text
    assert "does not overfit enough to test it" in text


def test_metrics_table_sweeps_and_golden_numbers_are_built_from_the_runs():
    arms = _fake_arms()
    runs = _runs({arms.real: [0.5, 0.6], arms.vgg_mix: [0.7, 0.8], arms.cas: [0.2, 0.2]}, train_accuracy=0.75)
    table = study.metrics_table(runs, arms.n_params)
    assert list(table["parameters"]) == ["10", "10", "10"] and "train − test" in table.columns
    sweep = study.fraction_sweep(runs, arms, [0.0, 0.5], 0.5)
    assert sweep == {"V": {0.0: [50.0, 60.0], 0.5: [70.0, 80.0]}}   # the seed recipe did not run: not in the sweep
    gaps = study.fraction_sweep(runs, arms, [0.0, 0.5], 0.5, study.gap_pct)
    assert gaps["V"][0.0] == pytest.approx([25.0, 15.0])
    c = study.compare(runs, arms, [0.0, 0.5], 0.5)
    syn = {0: (None, np.arange(6)), 1: (None, np.arange(6))}
    assert study.golden_metrics(4, syn, runs, c) == {"classes": 4, "synthetic_images": 12, "runs": 6,
                                                     "vgg_bn_real_test_accuracy": pytest.approx(0.55),
                                                     "cas_test_accuracy": pytest.approx(0.2)}


def test_gan_paragraph_reports_every_seed_s_gan_and_the_images():
    gans = {s: RunResult(label="gan", seed=s, seconds=120.0, epochs_run=3,
                         history={"d_cls_real": [0.5, 0.8 + s / 100], "g_cls": [0.4, 0.7]},
                         artifacts={"generator_params": 1234, "discriminator_params": 567, "n_real": 800})
            for s in (0, 1)}
    x = np.array([[0, 255]], np.uint8)
    text = study.gan_paragraph(gans, {0: (x, None), 1: (x, None)}, 8, P, 3)
    assert text.startswith("One GAN per seed (1,234-parameter generator") and "DiffAugment (color, translation" in text
    assert "2.0 min each" in text and "mean ± sd over 2 GAN(s)" in text and "values 0–255" in text
    assert "first 3 classes" in text and "include the GAN's variation" in text


@pytest.mark.slow
def test_an_arm_trains_through_train_classifier_for_the_requested_steps_on_a_repeating_stream(tmp_path):
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
                  log=False, checkpoint_dir=tmp_path)
    assert r.ok and r.metrics["steps"] == 2 * 3 and r.artifacts["n_train_images"] == 60
    assert (tmp_path / "final.weights.h5").is_file()                 # checkpointed like the other studies' runs
    assert r.artifacts["steps_per_epoch"] == 3 and len(r.test_predictions) == 12
    assert len(recipe.train_kwargs(0)["extra_callbacks"]) == 1 and recipe.train_kwargs(0)["steps_per_execution"] == 1
    bad = Split(np.full(split.x_train.shape, np.nan, np.float32), split.y_train, split.x_val, split.y_val, split.x_test,
                split.y_test)
    from lib.errors import DataError
    with pytest.raises(DataError, match="training images contain NaN"):
        train_arm(bad, tiny, recipe, num_classes=4, seed=0, label="arm", log=False)


# --- the validation images -----------------------------------------------------------------------------------

def _dataset(per_class=60, num_classes=4, n_test=20):
    """Every training image carries its own index in its first pixel (two bytes), so overlaps can be checked."""
    n = per_class * num_classes
    x = np.zeros((n, 32, 32, 3), np.uint8)
    x[:, 0, 0, 0], x[:, 0, 0, 1] = np.arange(n) % 256, np.arange(n) // 256
    y = np.arange(n) % num_classes
    return SimpleNamespace(x_train=x, y_train=y, x_test=np.full((n_test, 32, 32, 3), 7, np.uint8),
                           y_test=np.arange(n_test) % num_classes)


def _ids(x):
    return set((x[:, 0, 0, 0].astype(int) + 256 * x[:, 0, 0, 1].astype(int)).tolist())


def test_the_validation_images_come_from_outside_the_training_part_which_stays_as_it_was():
    from lib.data import classification_split

    ds = _dataset()
    params = {"n_train": 100, "val_fraction": 0.2, "n_val": 80}
    plain = classification_split(ds, 100, None, 0.2, scale=False)
    split = study.with_validation(ds, plain, params)
    assert split.x_train is plain.x_train and split.y_train is plain.y_train       # the 80 training images kept
    assert split.x_test is plain.x_test and len(split.y_val) == 80 and len(plain.y_val) == 20
    assert not _ids(split.x_val) & _ids(split.x_train)                                 # disjoint from training
    assert len(_ids(split.x_val)) == 80 and np.bincount(split.y_val).tolist() == [20] * 4   # stratified
    ids = split.x_val[:, 0, 0, 0].astype(int) + 256 * split.x_val[:, 0, 0, 1].astype(int)
    np.testing.assert_array_equal(ds.y_train[ids], split.y_val)                        # each keeps its label
    assert _ids(split.x_train) == set(study.training_part(ds.y_train, 100, 0.2).tolist())
    assert study.with_validation(ds, plain, {**params, "n_val": None}) is plain
    with pytest.raises(study.ParamError, match="only 160 training images of these classes lie outside the 80"):
        study.with_validation(ds, plain, {**params, "n_val": 161})
    # A split drawn otherwise than the profile says cannot be matched: refused, never a silent overlap.
    with pytest.raises(RuntimeError, match="disjoint"):
        study.with_validation(ds, classification_split(ds, 120, None, 0.2, scale=False), params)


def test_the_page_states_the_validation_images_and_their_standard_error():
    split = Split(np.zeros((1000, 1)), np.zeros(1000, int), np.zeros((2000, 1)), np.zeros(2000, int),
                  np.zeros((5000, 1)), np.zeros(5000, int))
    text = study.validation_note(split, {"n_train": 1250, "val_fraction": 0.2, "n_val": 2000}, "CIFAR-10", 10)
    assert text.startswith("**Validation images:** 2,000 real images drawn from CIFAR-10's training set outside "
                           "the 1,000 training images (stratified over the 10 classes")
    assert "at most 1.1 points (at 50 %), against 3.2 with the 250 held out of 1,250" in text
    held = Split(split.x_train, split.y_train, np.zeros((250, 1)), np.zeros(250, int), split.x_test, split.y_test)
    text = study.validation_note(held, {"n_train": 1250, "val_fraction": 0.2, "n_val": None}, "CIFAR-10", 10)
    assert "the 250 held out of the training images (0.2 of them" in text and "at most 3.2 points" in text


def test_the_quick_profile_validates_on_thousands_of_images_that_cifar100_can_supply():
    import yaml

    from lib.paths import PARAMS

    quick = load_params("quick", get_study("cifar100_vgg_synthetic"))
    trained = round(quick["n_train"] * (1 - quick["val_fraction"]))
    assert trained == 1000 and quick["n_val"] >= 2000
    assert trained + quick["n_val"] <= 500 * quick["n_classes"]       # CIFAR-100: 500 training images per class


# --- what the study chooses, and on what ----------------------------------------------------------------------

def test_the_gan_settings_are_ours_fixed_in_advance_with_no_test_set_evidence():
    import re

    import yaml

    from lib.paths import PARAMS

    table = study.recipe_table({**P, "n_train": 1000, "gan_epochs": 60, "gan_batch_size": 64, "gan_augment": "",
                                "gan_keep_of": 4, "seeds": [0, 1, 2]}, "CIFAR-10 (fallback: CIFAR-100 unavailable)")
    source, run = table.columns[-1], table.columns[-2]
    for row in ("GAN", "synthetic images kept"):
        assert table.loc[row, source].startswith("ours, fixed in advance, not chosen on any test-set result")
    assert table.loc["GAN", run].endswith("60 epochs at batch 64, no DiffAugment")
    assert table.loc["synthetic images kept", run] == "per class, the 1 in 4 generated that the GAN's class head " \
                                                      "is most sure of"
    # No profile justifies a setting with a measured CAS or accuracy (test-set numbers, with their decimals):
    # selection never uses the data that scores it.
    for profile in ("smoke", "quick", "full"):
        comments = "\n".join(line for line in (PARAMS / profile / "cifar100_vgg_synthetic.yaml").read_text()
                             .splitlines() if line.lstrip().startswith("#"))
        assert not re.search(r"CAS \(?\d|\d+\.\d+ ?%", comments), profile
        assert "pilot" not in comments and "reduced run" not in comments
    quick = load_params("quick", get_study("cifar100_vgg_synthetic"))
    assert (quick["gan_epochs"], quick["gan_augment"]) == (60, "")      # the settings the table states as ours


def test_each_gan_learns_from_the_training_images_only_and_its_filter_reads_no_real_image():
    """What the study selects at run time (the GAN's samples, by its class head) sees no validation or test
    image: the GAN is handed the training part, and the filter only its own samples."""
    import inspect

    from lib.studies.cifar100_vgg_synthetic import artifact

    split = _split()
    calls = []

    class Cache:
        def call(self, fn, *args, **kwargs):
            calls.append((args, kwargs))
            return RunResult(label="gan", seed=kwargs["seed"], status="ok")

    gans = study.train_gans(Cache(), split, ["a", "b", "c", "d"], {**P, "seeds": [0, 1]}, per_class=12)
    assert sorted(gans) == [0, 1] and len(calls) == 2
    for args, kwargs in calls:
        assert args[0] is split.x_train and args[1] is split.y_train and kwargs["keep_of"] == P["gan_keep_of"]
        assert not any(v is split.x_val or v is split.x_test for v in kwargs.values())
    assert list(inspect.signature(artifact._most_confident).parameters) == ["gan", "images", "labels", "per_class",
                                                                           "batch_size"]


def test_the_class_head_filter_keeps_per_class_the_samples_the_head_is_most_sure_of():
    from lib.studies.cifar100_vgg_synthetic import artifact

    labels = np.repeat(np.arange(2), 4)
    images = np.zeros((8, 32, 32, 3), np.float32)
    sure = np.array([0.1, 0.9, 0.5, 0.7, 0.2, 0.3, 0.95, 0.6])    # the head's probability of the asked class

    def discriminator(inputs, training=False):
        x, y = inputs
        idx = np.arange(len(y)) + discriminator.offset
        discriminator.offset += len(y)
        p = sure[idx]
        logits = np.log(np.where(np.arange(2)[None, :] == y[:, None], p[:, None], (1 - p)[:, None]))
        return None, logits.astype(np.float32)

    discriminator.offset = 0
    keep = artifact._most_confident(SimpleNamespace(discriminator=discriminator), images, labels, 2, batch_size=3)
    assert keep.tolist() == [1, 3, 6, 7]


def test_early_stopping_reads_the_validation_loss_and_no_arm_watches_the_test_set(arms):
    from lib.train import classifier

    stop = classifier._callbacks(object(), None, None, None, None, [], 5)[-1]
    assert stop.monitor == "val_loss" and stop.restore_best_weights
    for name, recipe in arms.recipes.items():
        assert not recipe.train_kwargs(0).get("test_curve"), name


# --- the CAS gate, seed by seed, and the finding -------------------------------------------------------------

def test_one_seed_below_the_cas_gate_closes_it_even_when_the_mean_clears_it():
    from types import SimpleNamespace as NS

    from lib.studies.cifar100_vgg_synthetic import claims as s5

    arms = _fake_arms()
    # Mean CAS 0.32 ≥ 0.6 × mean real-only 0.50 = 0.30, but seed 1's GAN gives 0.40× its real-only run.
    runs = _runs({arms.real: [0.49, 0.50, 0.51], arms.cas: [0.36, 0.20, 0.40], arms.vgg_mix: [0.55, 0.58, 0.57]})
    c = study.compare(runs, arms, [0.0, 0.5], 0.5)
    assert c.cas_ratio > 0.6 and not c.passed and c.gate.held == [True, False, True]
    text = study.comparison_lines(c, arms, 40, 10, "s")
    assert "0.73, 0.40 and 0.78 (seeds 0, 1 and 2): at or above 0.6 in 2 of 3 seeds; the gate does not hold." in text
    assert "- Test accuracy, +50% synthetic − real only: +6.67 points" in text and "no conclusion below" in text
    choice = NS(used="cifar100", generated=False)
    setting = s5.setting(choice, 10, {**P, "n_train": None, "n_test": None, "vgg_width": 1}, arms, c, "s", "withdrawn")
    assert not setting.cas_passed and "in every seed" in setting.gated and "2 of 3 seeds" in setting.gated
    ev = {k.key: e for k, e in s5.claims(runs, setting, 0.6)}
    assert not ev["synthetic_generalisation"].applicable and ev["synthetic_generalisation"].reason == setting.gated
    assert ev["cas_class_signal"].values == [1.0, 0.0, 1.0]


def _rows(dataset: str, cas_passed: bool = True):
    from lib.experiments.claims import judge_all
    from lib.experiments.claims import claim_row as _claim_row
    from lib.studies.cifar100_vgg_synthetic import claims as s5

    arms = _fake_arms()
    runs = _runs({arms.real: [0.50, 0.52, 0.54], arms.cas: [0.32, 0.33, 0.34], arms.vgg_mix: [0.55, 0.58, 0.57],
                  arms.seed_real: [0.30, 0.32, 0.31], arms.seed_vgg: [0.36, 0.35, 0.37]})
    setting = s5.Setting(real=arms.real, cas=arms.cas, mixed=arms.vgg_mix, seed_vgg=arms.seed_vgg, imagenet="",
                         comparable=False, dataset=dataset, why_not="not the seed's setting: reduced",
                         cas_passed=cas_passed, gated="" if cas_passed else "below the gate", overfits=True,
                         imagenet_why="skipped: offline", resnet_why="no ResNet is trained", seed_real=arms.seed_real)
    pairs = s5.claims(runs, setting, 0.6)
    return [_claim_row(c, v, "the scope") for (c, _), v in zip(pairs, judge_all(pairs))]


def test_the_finding_says_plainly_that_a_fallback_run_draws_no_verdict_on_the_seed_s_claims():
    rows = _rows("cifar10")
    assert all(r["verdict"] == "not tested here" for r in rows if not r["addition"])
    text = study.finding(rows, "V mix − V real, test accuracy", "synthetic_generalisation", "the scope")
    assert text.startswith("This run draws no verdict on the seed's claims: all 6 are not tested here, 4 because "
                           "they are about CIFAR-100 and this run trained on CIFAR-10; 2 for reasons of their own")
    assert "(“VGG-16 with GANs outperformed ResNet” and “VGG-16 with GANs outperformed ImageNet models”)" in text
    assert "Our own check (the GAN's images carry their class" in text and "is judged: reproduced." in text
    assert text.endswith("For context only, not a verdict: V mix − V real, test accuracy: +4.67 points (the scope).")


def test_where_a_seed_claim_is_tested_the_finding_states_its_verdict_as_every_page_does():
    from lib.experiments import sentences

    rows = _rows("cifar100")
    row = next(r for r in rows if r["key"] == "synthetic_generalisation")
    assert row["verdict"] != "not tested here"
    text = study.finding(rows, "V mix − V real, test accuracy", "synthetic_generalisation", "the scope")
    assert text == claim_finding("V mix − V real, test accuracy", row, "the scope")
    assert "draws no verdict" not in text
