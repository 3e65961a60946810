"""Build a GAN of a given family and train it, resuming from its last checkpoint.

    gan = build_gan("dcgan", image_shape=(28, 28, 1), seed=0)
    out = train_gan(gan, x, run_dir=Path("runs/dcgan-0"), epochs=30, batch_size=64, seed=0)

``x`` holds images scaled to [-1, 1] (``to_gan_range``); the conditional
family also needs integer labels ``y``. ``run_dir`` receives
``checkpoint.npz`` after every epoch and ``grids/epoch_XXX.png``; calling
``train_gan`` again with the same ``run_dir`` after an interruption continues
from the last completed epoch with the saved weights, optimizer state and noise
generator (the shuffling order of the resumed epochs differs from an
uninterrupted run).
"""
from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from ..errors import DataError, ParamError
from ..train.runtime import reseed
from ..train.callbacks import EpochCheckpoint, EpochLogger, StopOnNonFinite
from ..train.checkpoints import CHECKPOINT
from .callbacks import ImageGrid, PeriodicMetrics
from .checkpoints import GanState, gan_variables, restore_checkpoint
from .families import family
from .gans import GAN, WGANGP, ConditionalGAN
from .models import build_networks


def to_gan_range(x_uint8: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1], the range of the generators' tanh output."""
    return x_uint8.astype(np.float32) / 127.5 - 1.0


def to_unit_range(x: np.ndarray) -> np.ndarray:
    """Generator output in [-1, 1] -> [0, 1], the classifiers' input range."""
    return np.clip((np.asarray(x, dtype=np.float32) + 1.0) / 2.0, 0.0, 1.0)


def _adam(lr: float, beta_1: float, beta_2: float):
    opt = keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2)
    if keras.mixed_precision.global_policy().name == "mixed_float16":
        opt = keras.optimizers.LossScaleOptimizer(opt)  # float16 gradients underflow without loss scaling
    return opt


def build_gan(name: str, image_shape=(28, 28, 1), num_classes: int = 10, seed: int = 0, n_critic: int = 5,
              gp_weight: float = 10.0, jit_compile: bool | str = False) -> GAN:
    """A compiled GAN of family ``name`` (see ``lib.gan.families``), initialised from ``seed``.

    ``jit_compile`` defaults to False: XLA made these train steps 2-4x slower on CPU.
    """
    f = family(name)
    reseed(seed)
    generator, discriminator = build_networks(name, image_shape, num_classes)
    if f.kind == "wgan_gp":
        gan = WGANGP(generator, discriminator, f.noise_dim, seed=seed, n_critic=n_critic, gp_weight=gp_weight,
                     name=name)
    elif f.conditional:
        gan = ConditionalGAN(generator, discriminator, f.noise_dim, num_classes, seed=seed, name=name)
    else:
        gan = GAN(generator, discriminator, f.noise_dim, seed=seed, name=name)
    gan.compile(d_optimizer=_adam(f.d_lr, f.beta_1, f.beta_2), g_optimizer=_adam(f.g_lr, f.beta_1, f.beta_2),
                jit_compile=jit_compile)
    return gan


def gan_dataset(x: np.ndarray, y: np.ndarray | None, batch_size: int, seed: int):
    """Shuffled (seeded, reshuffled each epoch) fixed-size batches: the train step is traced once."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y.astype(np.int32)))
    ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def fixed_inputs(gan: GAN, n: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Noise (and, for a conditional GAN, balanced labels 0, 1, ..., K-1, 0, ...) that depend only on ``seed``."""
    noise = np.random.default_rng(seed).standard_normal((n, gan.noise_dim)).astype(np.float32)
    labels = (np.arange(n) % gan.num_classes).astype(np.int32) if isinstance(gan, ConditionalGAN) else None
    return noise, labels


def grid_layout(gan: GAN) -> tuple[int, int]:
    """(images, columns) of the progress grid: 8x8, or one column per class (up to 10 wide) when conditional."""
    if isinstance(gan, ConditionalGAN):
        cols = min(gan.num_classes, 10)
        return (6 * cols if gan.num_classes <= 10 else math.ceil(gan.num_classes / cols) * cols), cols
    return 64, 8


def generate(gan: GAN, noise: np.ndarray, labels: np.ndarray | None = None, batch_size: int = 500) -> np.ndarray:
    """Generator output in [-1, 1] as float32 numpy, in batches (inference mode)."""
    out = [np.asarray(gan.generate(noise[i:i + batch_size], None if labels is None else labels[i:i + batch_size],
                                   training=False), dtype=np.float32)
           for i in range(0, len(noise), batch_size)]
    return np.concatenate(out)


def train_gan(gan: GAN, x: np.ndarray, y: np.ndarray | None = None, *, run_dir: str | Path, epochs: int,
              batch_size: int, seed: int, grid_every: int = 2, label: str = "gan", log: bool = True,
              monitor: Callable | None = None, extra_callbacks=()) -> dict:
    """Fit ``gan`` on ``x`` (and ``y``) up to ``epochs``, checkpointing every epoch in ``run_dir``.

    A checkpoint in ``run_dir`` is resumed from. ``monitor(gan) -> dict`` is called at epoch 0, every
    ``grid_every`` epochs and at the end; its values go to ``progress``. The epoch log's form (lines or a bar)
    follows :func:`lib.train.callbacks.progress_mode`.
    Returns a dict: ``status`` ("ok" or "diverged"), ``message``,
    ``history`` (per epoch), ``grids`` ([epoch, PNG path]), ``progress``,
    ``epochs_run``, ``resumed_from`` (0 for a fresh start), ``seconds``.
    """
    if x.ndim != 4 or not np.isfinite(x).all() or x.min() < -1.0001 or x.max() > 1.0001:
        raise DataError("GAN training images must be finite, 4-D (n, h, w, c) and scaled to [-1, 1] "
                        "(use to_gan_range)")
    if isinstance(gan, ConditionalGAN) and (y is None or len(y) != len(x)):
        raise DataError("the conditional GAN needs one integer label per training image")
    if batch_size > len(x):
        raise ParamError(f"batch_size {batch_size} is larger than the {len(x)} training images")
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    state = restore_checkpoint(gan, run_dir / CHECKPOINT) or GanState()
    resumed_from = state.epoch
    if resumed_from and log:
        print(f"[{label}] resuming from the checkpoint after epoch {resumed_from} of {epochs}", flush=True)
    stop = StopOnNonFinite()
    steps = len(x) // batch_size
    n_grid, cols = grid_layout(gan)
    grid_noise, grid_labels = fixed_inputs(gan, n_grid, seed + 10_000)
    callbacks = [ImageGrid(state, run_dir, grid_noise, grid_labels, cols, grid_every, epochs)]
    if monitor is not None:
        callbacks.append(PeriodicMetrics(state, monitor, grid_every, epochs))
    if log:
        callbacks.append(EpochLogger(label, epochs, steps, mode=None))
    callbacks += [stop, *extra_callbacks, EpochCheckpoint(run_dir / CHECKPOINT, state, gan_variables, stop)]
    start = time.perf_counter()
    if state.epoch < epochs:
        gan.fit(gan_dataset(x, y, batch_size, seed), epochs=epochs, initial_epoch=state.epoch,
                callbacks=callbacks, verbose=0, shuffle=False)  # the dataset shuffles itself, seeded
    out = {"status": "ok", "message": "", "history": state.history, "progress": state.progress,
           "grids": [[e, str(run_dir / "grids" / name)] for e, name in sorted(state.grids)],
           "epochs_run": state.epoch, "resumed_from": resumed_from, "seconds": time.perf_counter() - start}
    if stop.bad_epoch is not None:
        out["status"] = "diverged"
        out["message"] = (f"{label}: a loss became NaN/inf in epoch {stop.bad_epoch}; lower the learning rates "
                          f"or check the inputs")
        print(f"[{label}] STOPPED: {out['message']}", file=sys.stderr, flush=True)
    return out
