"""Study 5's pieces on tiny generated data: VGG-16 / ResNet shapes, dataset fallback, synthetic images added on
top of the real batches, CAS, DiffAugment."""
from lib.report.pipeline import load_params
from lib.studies.registry import get_study
import numpy as np
import pytest
import yaml

from lib.data import load_dataset
from lib.data import loading
from lib.data.fixtures import write_cifar10, write_cifar100
from lib.errors import DataError, ParamError
from lib.paths import PARAMS
from lib.data import Split


# --- models ------------------------------------------------------------------------------------------------

def test_vgg16_has_the_real_vgg16_convolutions_for_32x32_inputs_and_100_classes():
    from lib.models.vgg import build_vgg16

    model = build_vgg16(width=1.0, batch_norm=False, num_classes=100)
    convs = [layer for layer in model.layers if layer.__class__.__name__ == "Conv2D"]
    assert [c.filters for c in convs] == [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 100)
    assert tuple(model.get_layer("block5_pool").output.shape[1:]) == (1, 1, 512)
    # 14,714,688 convolution weights (Keras's VGG16 without its top) + 512-512-100 dense layers.
    assert model.count_params() == 14_714_688 + (512 * 512 + 512) * 2 + 512 * 100 + 100
    assert not any(layer.__class__.__name__.endswith("BatchNormalization") for layer in model.layers)


def test_vgg16_bn_normalises_every_conv_and_hidden_dense_layer_and_width_scales_it():
    from lib.models.vgg import build_vgg16

    model = build_vgg16(width=0.25, batch_norm=True, num_classes=100)
    bns = [layer for layer in model.layers if "BatchNormalization" in layer.__class__.__name__]
    convs = [layer for layer in model.layers if layer.__class__.__name__ == "Conv2D"]
    assert len(bns) == 13 + 2
    assert [c.filters for c in convs][::3] == [16, 32, 64, 128, 128]
    assert all(not c.use_bias for c in convs)
    assert model.output_shape == (None, 100)
    with pytest.raises(ParamError):
        build_vgg16(width=0)


# --- which dataset --------------------------------------------------------------------------------------------

def _params(root):
    return {"data_source": "auto", "data_dir": str(root)}


def test_cifar100_is_used_when_present(isolated_sources):
    from lib.data.fallback import load_with_fallback

    write_cifar100(isolated_sources, n_train=200, n_test=100)
    write_cifar10(isolated_sources, n_train=50, n_test=10)
    choice = load_with_fallback("cifar100", "cifar10", _params(isolated_sources), isolated_sources)
    assert choice.used == "cifar100" and not choice.fell_back and choice.reason == ""
    assert choice.ds.num_classes == 100 and choice.label() == "CIFAR-100"


def test_cifar10_is_used_only_when_cifar100_is_unavailable_and_the_page_is_told_why(isolated_sources):
    from lib.data.fallback import load_with_fallback

    write_cifar10(isolated_sources, n_train=50, n_test=10)
    choice = load_with_fallback("cifar100", "cifar10", _params(isolated_sources), isolated_sources)
    assert choice.used == "cifar10" and choice.requested == "cifar100" and choice.fell_back
    assert choice.ds.num_classes == 10
    assert "CIFAR-100 is not available" in choice.reason and "CIFAR-10" in choice.reason
    assert choice.label() == "CIFAR-10 (fallback: CIFAR-100 unavailable)"


def test_a_failed_download_falls_back_too(isolated_sources, monkeypatch):
    from lib.data.fallback import load_with_fallback

    write_cifar10(isolated_sources / "d", n_train=50, n_test=10)
    monkeypatch.setattr(loading, "_network_reachable", lambda url, timeout=3.0: True)

    def refuse(spec):
        raise DataError(f"downloading {spec.name} failed (HTTP 503)")

    monkeypatch.setattr(loading, "_download", refuse)
    choice = load_with_fallback("cifar100", "cifar10", _params(isolated_sources / "d"), isolated_sources)
    assert choice.used == "cifar10" and "HTTP 503" in choice.reason


def test_without_a_fallback_a_missing_dataset_is_a_one_line_error(isolated_sources):
    from lib.data.fallback import load_with_fallback

    write_cifar10(isolated_sources, n_train=50, n_test=10)
    with pytest.raises(DataError) as e:
        load_with_fallback("cifar100", None, _params(isolated_sources), isolated_sources)
    assert "cifar100" in str(e.value) and "\n" not in str(e.value)


def test_a_damaged_cifar100_copy_is_an_error_not_a_silent_fallback(isolated_sources):
    from lib.data.fallback import load_with_fallback

    folder = write_cifar100(isolated_sources, n_train=200, n_test=100)
    write_cifar10(isolated_sources, n_train=50, n_test=10)
    (folder / "train").write_bytes(b"not a pickle")
    with pytest.raises(DataError):
        load_with_fallback("cifar100", "cifar10", _params(isolated_sources), isolated_sources)


def test_generated_data_uses_the_requested_format(tmp_path):
    from lib.data.fallback import load_with_fallback

    choice = load_with_fallback("cifar100", "cifar10", {"data_source": "generated", "n_train": 300, "n_test": 100},
                                tmp_path)
    assert choice.used == "cifar100" and choice.generated and choice.ds.y_train_coarse is not None


def test_select_classes_keeps_the_first_classes_with_their_coarse_labels(isolated_sources):
    from lib.data.fallback import select_classes

    write_cifar100(isolated_sources, n_train=500, n_test=200)
    ds = select_classes(load_dataset("cifar100", isolated_sources), 10)
    assert ds.num_classes == 10 and set(ds.y_train) == set(range(10)) and ds.y_test.max() < 10
    assert len(ds.x_train) == len(ds.y_train) == len(ds.y_train_coarse)
    np.testing.assert_array_equal(ds.y_train // 5, ds.y_train_coarse)
    with pytest.raises(ParamError):
        select_classes(ds, 11)


def test_quick_profile_asks_for_cifar100_with_a_cifar10_fallback_and_full_has_none():
    quick = load_params("quick", get_study("cifar100_vgg_synthetic"))
    full = load_params("full", get_study("cifar100_vgg_synthetic"))
    assert (quick["dataset"], quick["fallback_dataset"]) == ("cifar100", "cifar10")
    assert (full["dataset"], full["fallback_dataset"], full["vgg_width"], full["n_classes"]) == ("cifar100", None, 1.0,
                                                                                                  None)


# --- synthetic images -------------------------------------------------------------------------------------------

def _split(n_per_class=20, num_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(num_classes), n_per_class)
    real = lambda n: rng.integers(0, 128, (n, 32, 32, 3)).astype(np.uint8)  # noqa: E731  (uint8 at rest)
    yv, yt = np.repeat(np.arange(num_classes), 5), np.repeat(np.arange(num_classes), 3)
    return Split(real(len(y)), y, real(len(yv)), yv, real(len(yt)), yt)


def _synthetic(per_class=40, num_classes=4):
    from lib.studies.cifar100_vgg_synthetic.artifact import balanced_labels

    y = balanced_labels(num_classes, per_class)
    return np.full((len(y), 32, 32, 3), 255, dtype=np.uint8), y   # all white: real images are darker


def test_to_uint8_maps_the_generator_range_onto_the_real_files_range():
    from lib.studies.cifar100_vgg_synthetic.artifact import to_uint8, unit_to_uint8

    out = to_uint8(np.array([-1.5, -1.0, 0.0, 1.0, 2.0]))
    assert out.dtype == np.uint8 and out.tolist() == [0, 0, 128, 255, 255]
    x = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(unit_to_uint8(x.astype(np.float32) / 255.0), x)


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5, 1.0])
def test_the_synthetic_images_an_arm_adds_are_the_requested_share_class_balanced_and_uint8(fraction):
    from lib.studies.cifar100_vgg_synthetic.mixing import per_batch, pick_synthetic

    split = _split()
    x_syn, y_syn = _synthetic()
    xs, ys = pick_synthetic(split, x_syn, y_syn, fraction, 4, seed=0)
    assert len(ys) == round(fraction * len(split.y_train)) and xs.dtype == np.uint8 and np.all(xs == 255)
    counts = np.bincount(ys, minlength=4)
    assert counts.max() - counts.min() <= 1                       # class-balanced like the real set
    assert per_batch(fraction, 128) == round(fraction * 128) and per_batch(0.001, 16) == 1


def test_smaller_shares_are_nested_in_larger_ones_and_zero_adds_nothing():
    from lib.studies.cifar100_vgg_synthetic.mixing import pick_per_class, pick_synthetic

    split = _split()
    x_syn, y_syn = _synthetic()
    assert len(pick_synthetic(split, x_syn, y_syn, 0.0, 4, seed=0)[1]) == 0
    small = set(pick_per_class(y_syn, np.array([2, 2, 2, 2]), seed=3))
    large = set(pick_per_class(y_syn, np.array([5, 5, 5, 5]), seed=3))
    assert small < large
    with pytest.raises(ParamError, match="artifact has"):
        pick_per_class(y_syn, np.array([41, 0, 0, 0]), seed=0)


def test_mixing_refuses_float_images():
    from lib.studies.cifar100_vgg_synthetic.mixing import pick_synthetic

    x_syn, y_syn = _synthetic()
    with pytest.raises(ValueError, match="uint8"):
        pick_synthetic(_split(), x_syn.astype(np.float32), y_syn, 0.5, 4, seed=0)


def test_cas_split_trains_and_validates_on_synthetic_images_only_and_tests_on_real_ones():
    from lib.studies.cifar100_vgg_synthetic.mixing import cas_split, synthetic_per_class

    split = _split()
    assert synthetic_per_class(split, 4, [0.0, 0.5]) == 20 + 5
    x_syn, y_syn = _synthetic(per_class=25)
    cas = cas_split(split, x_syn, y_syn, 4, seed=0)
    assert np.all(cas.x_train == 255) and np.all(cas.x_val == 255) and cas.x_train.dtype == np.uint8
    assert cas.x_test is split.x_test and cas.y_test is split.y_test
    np.testing.assert_array_equal(np.bincount(cas.y_train), np.bincount(split.y_train))
    np.testing.assert_array_equal(np.bincount(cas.y_val), np.bincount(split.y_val))


def test_artifact_round_trip_and_one_grid_per_class(tmp_path):
    from lib.studies.cifar100_vgg_synthetic.artifact import export, load_artifact, save_artifact

    x, y = _synthetic(per_class=3, num_classes=3)
    path = save_artifact(tmp_path / "a.npz", x, y, ["a", "b/c", "d"], {"seed": 7})
    target, grids = export(path, tmp_path / "out")
    x2, y2, names, meta = load_artifact(target)
    np.testing.assert_array_equal(x2, x)
    np.testing.assert_array_equal(y2, y)
    assert names == ["a", "b/c", "d"] and meta == {"seed": 7}
    assert [g.name for g in grids] == ["class_000_a.png", "class_001_b_c.png", "class_002_d.png"]
    assert all(g.is_file() for g in grids)


@pytest.mark.slow
def test_conditional_gan_writes_a_balanced_uint8_artifact(tmp_path):
    from lib.train import runtime
    from lib.studies.cifar100_vgg_synthetic.artifact import load_artifact
    from lib.studies.cifar100_vgg_synthetic.gan_run import train_and_sample

    runtime.configure(seed=0, precision="float32")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (64, 32, 32, 3)).astype(np.uint8)
    y = np.arange(64) % 2
    out = train_and_sample(x, y, ["cat", "dog"], run_dir=tmp_path, epochs=1, batch_size=32, seed=0, per_class=5,
                           width=8, log=False)
    assert out.ok and out.epochs_run == 1 and out.artifacts["n_real"] == 64
    assert {"d_cls_real", "g_cls"} <= set(out.history)            # the class head's accuracies are logged
    xs, ys, names, meta = load_artifact(out.artifacts["artifact_path"])
    assert xs.shape == (10, 32, 32, 3) and xs.dtype == np.uint8
    assert np.bincount(ys).tolist() == [5, 5] and names == ["cat", "dog"] and meta["per_class"] == 5


def test_acgan_generator_depends_on_the_label_and_the_discriminator_classifies():
    from lib.train import runtime
    from lib.gan.acgan import build_acgan

    runtime.configure(seed=0, precision="mixed_bfloat16")      # the GAN keeps its own float32 policy
    gan = build_acgan(3, width=8, seed=0)
    runtime.configure(seed=0, precision="float32")
    assert gan.generator.compute_dtype == "float32"
    noise = np.zeros((3, gan.noise_dim), np.float32)
    images = np.asarray(gan.generate(noise, np.array([0, 1, 2], np.int32)))
    assert images.shape == (3, 32, 32, 3) and np.abs(images).max() <= 1
    assert not np.allclose(images[0], images[1])                # same noise, another class: another image
    score, logits = gan.discriminator([images, np.array([0, 1, 2], np.int32)])
    assert tuple(score.shape) == (3, 1) and tuple(logits.shape) == (3, 3)


def test_diff_augment_keeps_shapes_is_differentiable_and_each_policy_does_what_it_says():
    import keras
    import tensorflow as tf

    from lib.gan.acgan import check_policy, diff_augment

    seed = keras.random.SeedGenerator(0)
    x = tf.ones((8, 32, 32, 3))
    shifted = diff_augment(x, "translation", seed).numpy()
    assert shifted.shape == (8, 32, 32, 3) and set(np.unique(shifted)) <= {0.0, 1.0}   # whole pixels, zero fill
    assert (shifted == 0).any(axis=(1, 2, 3)).sum() >= 4                              # most images moved
    cut = diff_augment(x, "cutout", seed).numpy()
    assert np.all((cut == 0).sum(axis=(1, 2, 3)) <= 16 * 16 * 3) and (cut == 0).any()  # at most a 16x16 square
    v = tf.Variable(tf.random.uniform((4, 32, 32, 3), -1, 1))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(diff_augment(v, "color,translation,cutout", seed))
    assert tape.gradient(loss, v) is not None
    assert diff_augment(x, "", seed) is x and check_policy("translation,cutout") == "translation,cutout"
    with pytest.raises(ParamError, match="unknown zoom"):
        check_policy("translation,zoom")


@pytest.mark.slow  # 240 training steps of an AC-GAN
def test_class_head_learns_real_classes_and_pushes_the_generator_towards_them(tmp_path):
    """Two trivially separable classes (dark and bright images): the head learns them on real images and the
    generator makes class 1 brighter than class 0 from the same noise; nothing else in the losses tells it to."""
    from lib.train import runtime
    from lib.gan.loop import train_gan
    from lib.gan.acgan import build_acgan

    runtime.configure(seed=0, precision="float32")
    y = np.arange(512) % 2
    x = np.where(y[:, None, None, None] == 0, -0.8, 0.8).astype(np.float32) * np.ones((512, 32, 32, 3), np.float32)
    gan = build_acgan(2, width=8, seed=0, lr=1e-3)
    # 240 steps: enough for the generator's batch-norm averages (momentum 0.99) to settle for inference
    out = train_gan(gan, x, y, run_dir=tmp_path, epochs=15, batch_size=32, seed=0, log=False, grid_every=15)
    assert out["history"]["d_cls_real"][-1] > 0.9
    noise = np.random.default_rng(1).standard_normal((16, gan.noise_dim)).astype(np.float32)
    dark, bright = (np.asarray(gan.generate(noise, np.full(16, c, np.int32))).mean() for c in (0, 1))
    assert bright - dark > 0.2, (dark, bright, out["history"]["g_cls"])


# --- recipes ----------------------------------------------------------------------------------------------------

def test_warmup_cosine_rises_to_the_peak_then_decays_towards_zero():
    from lib.train.recipes import WarmupCosine

    s = WarmupCosine(0.1, epochs=10, warmup_epochs=2)
    steps = 10
    rates = [s.rate(e, b, steps) for e in range(10) for b in range(steps)]
    assert rates[0] == pytest.approx(0.1 / 20)
    assert max(rates) == pytest.approx(0.1) and rates[19] == pytest.approx(0.1)
    after = rates[20:]
    assert all(a >= b for a, b in zip(after, after[1:])) and after[-1] < 0.001


def test_recipes_give_the_seed_settings_and_the_improved_ones():
    from lib.train.recipes import WarmupCosine, improved_recipe, seed_recipe

    seed = seed_recipe(epochs=50).train_kwargs(0)
    assert seed["one_hot"] and seed["optimizer"] == "adam" and seed["batch_size"] == 64
    assert seed["early_stopping_patience"] == 5 and seed["augment"] is None and seed["extra_callbacks"] == []
    imp = improved_recipe(epochs=30, batch_size=128, learning_rate=0.1).train_kwargs(0)
    assert imp["early_stopping_patience"] is None and imp["augment"] is not None
    assert imp["optimizer_options"] == {"momentum": 0.9, "nesterov": True, "weight_decay": 5e-4}
    assert isinstance(imp["extra_callbacks"][0], WarmupCosine)


@pytest.mark.slow
def test_the_schedule_drives_the_optimizer_during_training(tmp_path):
    import keras

    from lib.train import runtime
    from lib.train.recipes import improved_recipe
    from lib.train.classifier import train_classifier

    runtime.configure(seed=0, precision="float32")
    split = _split(n_per_class=16)
    kwargs = improved_recipe(epochs=3, batch_size=32, learning_rate=0.05, warmup_epochs=1).train_kwargs(0)

    def tiny():
        return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                                 keras.layers.Dense(4, activation="softmax")])

    r = train_classifier(tiny, split, label="t", seed=0, log=False, **kwargs)
    schedule = kwargs["extra_callbacks"][0]
    assert r.status == "ok" and len(schedule.rates) == 3
    assert schedule.rates[1] == pytest.approx(0.05) and schedule.rates[2] < schedule.rates[1]
    assert r.history["learning_rate"] == pytest.approx(schedule.rates)


# --- equal steps, CAS, gate, title ----------------------------------------------------------------------------

def _tiny():
    import keras

    return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.GlobalAveragePooling2D(),
                             keras.layers.Dense(4, activation="softmax")])


@pytest.mark.slow  # trains three arms
def test_every_arm_takes_the_same_steps_on_the_same_real_batches_with_synthetic_images_on_top():
    from lib.train import runtime
    from lib.train.recipes import improved_recipe
    from lib.studies.cifar100_vgg_synthetic.arms import train_arm

    runtime.configure(seed=0, precision="float32")
    split = _split(n_per_class=20)                                 # 80 real training images
    x_syn, y_syn = _synthetic(per_class=40)
    recipe = improved_recipe(epochs=2, batch_size=16, learning_rate=0.01)
    common = dict(split=split, build=_tiny, recipe=recipe, num_classes=4, seed=0, log=False)
    real = train_arm(label="real", **common)
    mixed = train_arm(label="mixed", fraction=1.0, x_syn=x_syn, y_syn=y_syn, **common)
    cas = train_arm(label="cas", synthetic_only=True, x_syn=x_syn, y_syn=y_syn, **common)
    assert real.metrics["steps"] == mixed.metrics["steps"] == cas.metrics["steps"] == 2 * 5   # 2 x ceil(80 / 16)
    assert (real.artifacts["n_train_images"], mixed.artifacts["n_train_images"]) == (80, 160)
    assert mixed.artifacts["n_synthetic"] == 80 and mixed.artifacts["synthetic_per_batch"] == 16
    assert cas.artifacts["synthetic_only"] and cas.artifacts["n_synthetic"] == 80
    assert all(r.ok and r.epochs_run == 2 for r in (real, mixed, cas))


def test_the_mixed_stream_keeps_the_real_batches_and_adds_the_synthetic_ones_on_top():
    from lib.train.datasets import make_dataset, make_mixed_dataset

    x = np.arange(10, dtype=np.uint8)[:, None, None, None] * np.ones((10, 2, 2, 1), np.uint8)
    y = np.arange(10)
    xe, ye = np.full((6, 2, 2, 1), 255, np.uint8), np.full(6, 99)
    plain = [b for _, b in zip(range(4), make_dataset(x, y, 4, shuffle_seed=3, repeat=True))]
    mixed = [b for _, b in zip(range(4), make_mixed_dataset(x, y, xe, ye, 4, 2, shuffle_seed=3))]
    for (xp, yp), (xm, ym) in zip(plain, mixed):
        np.testing.assert_array_equal(ym.numpy()[:4], yp.numpy())       # the same real batch, in the same order
        assert ym.numpy()[4:].tolist() == [99, 99] and xm.dtype.name == "float32"
        np.testing.assert_allclose(xm.numpy()[:4], xp.numpy())          # both scaled once, to [0, 1]
        assert float(xm.numpy()[4:].min()) == 1.0 and float(xp.numpy().max()) <= 9 / 255 + 1e-6
    with pytest.raises(ValueError, match="dtype"):
        make_mixed_dataset(x, y, xe.astype(np.float32), ye, 4, 2, shuffle_seed=0)


def test_train_arm_refuses_a_synthetic_arm_without_images():
    from lib.train.recipes import improved_recipe
    from lib.studies.cifar100_vgg_synthetic.arms import train_arm

    with pytest.raises(ParamError, match="synthetic images are needed"):
        train_arm(_split(), _tiny, improved_recipe(1, 16, 0.01), num_classes=4, seed=0, label="x", fraction=0.5)


def test_cas_gate_is_the_declared_share_of_the_real_only_accuracy_in_every_seed():
    from lib.studies.cifar100_vgg_synthetic.claims import CAS_GATE_OF_REAL, cas_gate

    assert CAS_GATE_OF_REAL == 0.6
    assert not cas_gate({0: 0.2742}, {0: 0.59}).passed                      # the previous GAN's CAS: 0.46x real
    gate = cas_gate({0: 0.36, 1: 0.37}, {0: 0.59, 1: 0.60})
    assert gate.passed and gate.ratios == pytest.approx([0.36 / 0.59, 0.37 / 0.60]) and gate.seeds == [0, 1]
    # The mean CAS (0.32) clears 0.6x the mean real-only accuracy (0.30), but seed 1's GAN failed: no gate.
    gate = cas_gate({0: 0.36, 1: 0.20, 2: 0.40}, {0: 0.50, 1: 0.50, 2: 0.50})
    assert not gate.passed and gate.held == [True, False, True]
    assert gate.describe() == "0.72, 0.40 and 0.80 (seeds 0, 1 and 2): at or above 0.6 in 2 of 3 seeds"
    # Each seed's CAS is set against its own real-only run, and only seeds with both count.
    assert cas_gate({0: 0.31, 1: 0.29}, {0: 0.50, 1: 0.50, 2: 0.10}).held == [True, False]
    assert not cas_gate({}, {0: 0.5}).passed and not cas_gate({0: 0.5}, {}).passed
    assert cas_gate({}, {0: 0.5}).describe() == "no seed finished both its CAS and its real-only run"


def test_the_title_names_the_dataset_that_ran():
    from lib.studies.cifar100_vgg_synthetic.arms import display_title

    assert display_title("cifar10", "cifar100") == ("Study 5: CIFAR-10 VGG-16 with GAN-synthetic training data "
                                                    "(fallback: CIFAR-100 unavailable)")
    assert display_title("cifar100", "cifar100").startswith("Study 5: CIFAR-100 VGG-16")


def test_quick_profile_is_sized_as_the_issue_asks():
    """Few real images per class and long training (the overfitting regime), three seeds (each its own GAN),
    at least three synthetic shares besides 0, the GAN's samples filtered by its class head."""
    quick = load_params("quick", get_study("cifar100_vgg_synthetic"))
    per_class = quick["n_train"] * (1 - quick["val_fraction"]) / quick["n_classes"]
    assert per_class <= 200 and quick["epochs"] >= 20
    assert len(quick["seeds"]) >= 3 and len({f for f in quick["synthetic_fractions"] if f > 0}) >= 3
    assert quick["gan_keep_of"] > 1 and "resnet_depth" not in quick


# --- ImageNet baseline --------------------------------------------------------------------------------------------

def test_imagenet_weights_come_from_a_path_or_the_keras_cache_else_the_baseline_is_skipped(tmp_path, monkeypatch):
    import keras

    from lib.models import imagenet

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(imagenet.ENV, raising=False)

    def offline(**kwargs):
        raise OSError("no network")

    monkeypatch.setattr(keras.applications, "VGG16", offline)
    found, why = imagenet.find_weights("vgg16").path, imagenet.find_weights("vgg16").source
    assert found is None and why.startswith("skipped: ImageNet weights not available") and "OSError" not in why
    assert "the study log has the details" in why                          # the error's text is for the log
    assert imagenet.FILES["vgg16"] in why                                  # says how to provide them
    assert imagenet.find_weights("vgg16", allow_download=False).path is None
    assert imagenet.find_weights("vgg16", path=str(tmp_path / "missing.h5")).path is None
    cached = tmp_path / "keras" / "models" / imagenet.FILES["vgg16"]
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"h5")
    assert imagenet.find_weights("vgg16") == imagenet.WeightsFound(str(cached), "the Keras model cache")   # no local path on the page
    monkeypatch.setenv(imagenet.ENV, str(cached))
    assert imagenet.find_weights("vgg16").path == str(cached)
    with pytest.raises(ParamError):
        imagenet.find_weights("alexnet")


@pytest.mark.slow  # builds and trains full VGG-16 / ResNet-50
@pytest.mark.parametrize("arch", ["vgg16", "resnet50"])
def test_imagenet_baseline_trains_at_toy_scale_with_random_weights(arch):
    from functools import partial

    from lib.train import runtime
    from lib.train.recipes import improved_recipe
    from lib.studies.cifar100_vgg_synthetic.arms import train_arm
    from lib.models.imagenet import build_pretrained

    runtime.configure(seed=0, precision="float32")
    split = _split(n_per_class=4)
    x_syn, y_syn = _synthetic(per_class=10)
    build = partial(build_pretrained, arch, 4, None, 32)
    assert build().output_shape == (None, 4)
    r = train_arm(split, build, improved_recipe(1, 8, 0.001), num_classes=4, seed=0, label=arch, fraction=0.5,
                  x_syn=x_syn, y_syn=y_syn, log=False)
    assert r.ok and 0 <= r.metrics["test_accuracy"] <= 1 and r.artifacts["n_train_images"] == 24
