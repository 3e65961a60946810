"""Train the conditional GAN on the real training images and write the synthetic-image artifact.

This is the unit a notebook caches: :func:`train_and_sample` returns JSON
(the GAN's history, grid paths, the artifact's path and size) and writes the
artifact and the GAN's checkpoint into a folder keyed by the same run
specification, so an interrupted run resumes and a finished one is reused.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..runs import RunCache
from .artifact import generate_balanced, save_artifact

ARTIFACT = "synthetic.npz"


def train_and_sample(x_train: np.ndarray, y_train: np.ndarray, class_names: list[str], *, run_dir: str | Path,
                     epochs: int, batch_size: int, seed: int, per_class: int, grid_every: int = 5,
                     family: str = "cgan", log: bool = True, resume: bool = True) -> dict:
    """Train ``family`` (a conditional GAN of :mod:`lib.gan`) on uint8 ``x_train``; generate ``per_class`` per class.

    Only the images passed in are seen by the GAN: give it the classifiers'
    real training part, never validation or test images. With ``resume`` a
    checkpoint in ``run_dir`` (an interrupted run) is continued.
    """
    from ..gan.train import build_gan, to_gan_range, train_gan

    start = time.perf_counter()
    run_dir = Path(run_dir)
    num_classes = len(class_names)
    gan = build_gan(family, image_shape=x_train.shape[1:], num_classes=num_classes, seed=seed,
                    jit_compile=False)  # XLA was slower for these small steps on CPU (lib.gan.experiment)
    out = train_gan(gan, to_gan_range(x_train), y_train, run_dir=run_dir, epochs=epochs, batch_size=batch_size,
                    seed=seed, grid_every=grid_every, label=f"conditional GAN seed {seed}", log=log,
                    resume=resume)
    out.update(family=family, seed=seed, train_seconds=out.pop("seconds"), n_real=int(len(x_train)),
               generator_params=int(gan.generator.count_params()),
               discriminator_params=int(gan.discriminator.count_params()))
    if out["status"] == "ok":
        t = time.perf_counter()
        x_syn, y_syn = generate_balanced(gan, num_classes, per_class, seed=seed + 30_000)
        path = save_artifact(run_dir / ARTIFACT, x_syn, y_syn, class_names,
                             meta={"family": family, "seed": seed, "epochs": epochs, "per_class": per_class,
                                   "n_real": int(len(x_train)), "range": "uint8 [0, 255]; scale by 1/255"})
        out.update(artifact=str(path), per_class=per_class, n_synthetic=int(len(y_syn)),
                   generate_seconds=time.perf_counter() - t)
    out["seconds"] = time.perf_counter() - start
    return out


def cached_train_and_sample(cache: RunCache, spec: dict, root: str | Path, *args, **kwargs) -> dict:
    """:func:`train_and_sample` through ``cache``, in ``root/<key>/``; reruns when the artifact has gone."""
    run_dir = Path(root) / cache.key(spec)
    if not (run_dir / ARTIFACT).is_file():
        cache.path(spec).unlink(missing_ok=True)  # a result without its images cannot be reused
    # Without the cache nothing is reused, not even an interrupted run's checkpoint.
    return cache.get_or_run(spec, train_and_sample, *args, run_dir=run_dir, resume=cache.enabled, **kwargs)
