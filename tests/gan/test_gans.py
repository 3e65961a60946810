"""The GAN library: architectures, training steps, checkpoints, resume after a kill, monitoring."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from lib.train import runtime
from lib.errors import ParamError
from lib.gan import checkpoints, families
from lib.train import callbacks
from lib.gan.models import build_conditional_discriminator, build_conditional_generator, build_networks
from lib.gan.loop import CHECKPOINT, build_gan, fixed_inputs, generate, train_gan
from lib.paths import PROJECT_ROOT
from lib.studies.registry import get_study


@pytest.fixture(scope="module", autouse=True)
def float32():
    runtime.configure(seed=0, deterministic=True, precision="float32")


def _images(n=128, shape=(28, 28, 1), seed=0):
    rng = np.random.default_rng(seed)
    return np.tanh(rng.normal(size=(n, *shape))).astype(np.float32), (np.arange(n) % 10).astype(np.int64)


def _kinds(model):
    return [type(layer).__name__ for layer in model.layers]


def test_seed003_networks_follow_the_seed_description():
    f = families.family("seed003")
    assert (f.noise_dim, f.g_lr, f.d_lr, f.beta_1) == (150, 1e-5, 3e-5, 0.5)
    g, d = build_networks("seed003")
    assert g.input_shape == (None, 150) and g.output_shape == (None, 28, 28, 1)
    main = [k for k in _kinds(g) if k in ("Dense", "Conv2DTranspose")]
    assert main == ["Dense", "Conv2DTranspose", "Conv2DTranspose", "Conv2DTranspose"]
    main = [k for k in _kinds(d) if k in ("Conv2D", "Flatten", "Dense", "Dropout")]
    assert main == ["Conv2D", "Conv2D", "Flatten", "Dense", "Dropout", "Dense"]
    assert d.output_shape == (None, 1)


def test_vanilla_generator_has_batch_norm_and_the_critic_has_none():
    assert "BatchNormalization" in _kinds(build_networks("vanilla")[0])
    _, critic = build_networks("wgan_gp")
    assert "BatchNormalization" not in _kinds(critic) and "LayerNormalization" in _kinds(critic)


@pytest.mark.parametrize("shape, classes", [((28, 28, 1), 10), ((32, 32, 3), 100)])
def test_conditional_gan_is_generic_over_image_shape_and_classes(shape, classes):
    g = build_conditional_generator(100, shape, classes)
    d = build_conditional_discriminator(shape, classes)
    noise = np.zeros((4, 100), np.float32)
    labels = np.array([0, 1, classes - 1, 5], np.int32)
    images = np.asarray(g([noise, labels]))
    assert images.shape == (4, *shape) and np.abs(images).max() <= 1.0
    assert np.asarray(d([images, labels])).shape == (4, 1)
    # The label changes the image: the condition is really used.
    assert not np.allclose(images[0], images[1])


def test_generators_output_float32_under_mixed_precision():
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        g, d = build_networks("dcgan")
        assert g.layers[1].compute_dtype == "bfloat16"
        assert g.output.dtype == "float32" and d.output.dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_mixed_float16_training_scales_the_loss_and_keeps_the_critic_schedule(tmp_path):
    import keras
    from keras import layers

    from lib.gan.gans import WGANGP

    keras.mixed_precision.set_global_policy("mixed_float16")
    try:  # tiny dense networks on 4x4 images: float16 convolutions are slow on CPU
        z = keras.Input((8,))
        g = keras.Model(z, layers.Activation("tanh", dtype="float32")(layers.Reshape((4, 4, 1))(layers.Dense(16)(z))))
        img = keras.Input((4, 4, 1))
        d = keras.Model(img, layers.Dense(1, dtype="float32")(layers.Dense(8)(layers.Flatten()(img))))
        gan = WGANGP(g, d, noise_dim=8, n_critic=2)
        gan.compile(d_optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-3)),
                    g_optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-3)))
        before = [np.asarray(w).copy() for w in g.trainable_weights]
        x = np.tanh(np.random.default_rng(0).normal(size=(64, 4, 4, 1))).astype(np.float32)
        out = train_gan(gan, x, run_dir=tmp_path, epochs=2, batch_size=16, seed=0, log=False)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert g.layers[1].compute_dtype == "float16"
    assert all(np.isfinite(v) for vals in out["history"].values() for v in vals)
    assert int(gan.step_counter.value) == 8  # every critic step counted, whatever the loss scaling skipped
    assert any(not np.array_equal(b, np.asarray(w)) for b, w in zip(before, g.trainable_weights))


def test_bad_image_shape_is_refused_in_one_line():
    with pytest.raises(ParamError) as e:
        build_networks("dcgan", (30, 30, 1))
    assert "divisible by 4" in str(e.value) and "\n" not in str(e.value)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["seed003", "wgan_gp", "cgan"])
def test_train_step_is_traced_once_and_updates_alternate(tmp_path, name):
    x, y = _images(96)
    gan = build_gan(name, seed=1, n_critic=2)
    out = train_gan(gan, x, y, run_dir=tmp_path, epochs=2, batch_size=32, seed=1, log=False)
    steps = 2 * (96 // 32)
    assert gan.trace_count == 1  # fixed batch shape: no retracing across steps or epochs
    assert int(gan.d_optimizer.iterations) == int(gan.step_counter.value) == steps
    assert int(gan.g_optimizer.iterations) == (steps // 2 if name == "wgan_gp" else steps)  # 6 critic, 3 G steps
    h = out["history"]
    assert {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"} <= set(h) and len(h["d_loss"]) == 2
    assert all(np.isfinite(v) for vals in h.values() for v in vals)
    assert all(0.0 <= v <= 1.0 for v in h["d_acc_real"] + h["d_acc_fake"])
    if name == "wgan_gp":
        assert {"w_distance", "gp"} <= set(h)


@pytest.mark.slow  # trains a GAN
def test_training_changes_the_generator_and_writes_grids_and_checkpoint(tmp_path):
    x, _ = _images(64)
    gan = build_gan("dcgan", seed=0)
    noise, _ = fixed_inputs(gan, 8, 5)
    before = generate(gan, noise)
    out = train_gan(gan, x, run_dir=tmp_path, epochs=3, batch_size=32, seed=0, grid_every=2, log=False)
    assert not np.allclose(before, generate(gan, noise))
    assert [e for e, _ in out["grids"]] == [0, 2, 3]  # untrained, every 2 epochs, and the last
    assert all(Path(p).is_file() and Path(p).read_bytes()[:4] == b"\x89PNG" for _, p in out["grids"])
    assert (tmp_path / CHECKPOINT).is_file() and out["epochs_run"] == 3 and out["resumed_from"] == 0


@pytest.mark.slow  # trains a GAN
def test_checkpoint_round_trip_restores_weights_optimizers_and_noise(tmp_path):
    x, y = _images(64)
    gan = build_gan("cgan", seed=2)
    train_gan(gan, x, y, run_dir=tmp_path, epochs=1, batch_size=32, seed=2, log=False)
    fresh = build_gan("cgan", seed=7)
    state = checkpoints.restore_checkpoint(fresh, tmp_path / CHECKPOINT)
    assert state is not None and state.epoch == 1 and len(state.history["g_loss"]) == 1
    for a, b in zip(gan.generator.weights + gan.discriminator.weights, fresh.generator.weights + fresh.discriminator.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert int(fresh.g_optimizer.iterations) == int(gan.g_optimizer.iterations) == 2
    np.testing.assert_array_equal(np.asarray(fresh.seed_generator.state), np.asarray(gan.seed_generator.state))
    noise, labels = fixed_inputs(gan, 6, 0)
    np.testing.assert_array_equal(generate(gan, noise, labels), generate(fresh, noise, labels))


@pytest.mark.slow  # trains a GAN
def test_a_checkpoint_of_another_model_is_ignored(tmp_path):
    x, _ = _images(64)
    train_gan(build_gan("vanilla", seed=0), x, run_dir=tmp_path, epochs=1, batch_size=32, seed=0, log=False)
    assert checkpoints.restore_checkpoint(build_gan("dcgan", seed=0), tmp_path / CHECKPOINT) is None


def test_bad_inputs_fail_before_training(tmp_path):
    from lib.errors import DataError

    x, _ = _images(64)
    gan = build_gan("dcgan")
    with pytest.raises(DataError):
        train_gan(gan, x * 255, run_dir=tmp_path, epochs=1, batch_size=32, seed=0, log=False)
    with pytest.raises(ParamError):
        train_gan(gan, x, run_dir=tmp_path, epochs=1, batch_size=128, seed=0, log=False)
    with pytest.raises(DataError):
        train_gan(build_gan("cgan"), x, None, run_dir=tmp_path, epochs=1, batch_size=32, seed=0, log=False)


def test_progress_mode(monkeypatch):
    monkeypatch.setenv(callbacks.PROGRESS_ENV, "lines")
    assert callbacks.progress_mode() == "lines"
    monkeypatch.setenv(callbacks.PROGRESS_ENV, "bar")
    assert callbacks.progress_mode() == "bar"
    monkeypatch.delenv(callbacks.PROGRESS_ENV)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert callbacks.progress_mode() == "lines"  # pytest captures stdout: not a terminal


@pytest.mark.slow  # trains a GAN
def test_progress_log_lines(tmp_path, capsys, monkeypatch):
    from lib.train import callbacks

    monkeypatch.setenv(callbacks.PROGRESS_ENV, "lines")
    x, _ = _images(64)
    train_gan(build_gan("vanilla"), x, run_dir=tmp_path, epochs=2, batch_size=32, seed=0, label="v")
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("[v] epoch")]
    assert len(lines) == 2 and "d_loss" in lines[0] and "d_acc_fake" in lines[1]


def test_variants_parameter_refuses_unknown_and_repeated_names():
    schema = get_study("fashion_gans").schema
    with pytest.raises(ParamError) as e:
        schema["variants"].check("variants", ["dcgn"])
    assert "did you mean 'dcgan'" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ParamError):
        schema["variants"].check("variants", ["dcgan", "dcgan"])
    with pytest.raises(ParamError):
        schema["variants"].check("variants", [])
    schema["variants"].check("variants", list(families.FAMILIES))


RESUME_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import keras, numpy as np
    from lib.train import runtime
    from lib.gan.loop import build_gan, train_gan
    runtime.configure(seed=0, precision="float32")
    slow = sys.argv[2] == "slow"

    class Slow(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if slow and epoch >= 1:
                time.sleep(30)  # killed here, after the first checkpoint

    x = np.tanh(np.random.default_rng(0).normal(size=(96, 28, 28, 1))).astype("float32")
    out = train_gan(build_gan("vanilla", seed=0), x, run_dir=sys.argv[1], epochs=4, batch_size=32, seed=0,
                    log=False, extra_callbacks=[Slow()])
    print("RESULT " + json.dumps({k: out[k] for k in ("epochs_run", "resumed_from", "history", "grids")}))
""")


@pytest.mark.slow
def test_a_killed_run_resumes_from_its_last_checkpoint(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(RESUME_SCRIPT)
    run_dir = tmp_path / "run"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen([sys.executable, str(script), str(run_dir), "slow"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.time() + 90
        while not (run_dir / CHECKPOINT).is_file():
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.time() < deadline, "no checkpoint within 90 s"
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the process group we started: the training run
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done = subprocess.run([sys.executable, str(script), str(run_dir), "fast"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    assert result["resumed_from"] == 1  # not from zero
    assert result["epochs_run"] == 4 and len(result["history"]["d_loss"]) == 4
    assert [e for e, _ in result["grids"]] == [0, 2, 4]  # the untrained grid from before the kill is kept
