"""Train the class-conditional GAN on the real training images and write the synthetic-image artifact.

This is the unit a notebook runs through the experiment cache
(``cache.call(train_and_sample, ..., workdir="run_dir")``): it returns a
:class:`~lib.experiments.RunResult` (the GAN's history and parameter counts;
the artifact's path and the progress grids in ``artifacts``) and writes the
artifact and the GAN's checkpoint into the call's own folder, so an
interrupted run resumes and a finished one is reused.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from ...experiments import RunResult
from ...gan.acgan import CLASS_WEIGHT, LEARNING_RATE, WIDTH, build_acgan
from .artifact import generate_balanced, save_artifact

ARTIFACT = "synthetic.npz"


def train_and_sample(x_train: np.ndarray, y_train: np.ndarray, class_names: list[str], *, epochs: int,
                     batch_size: int, seed: int, per_class: int, width: int = WIDTH,
                     class_weight: float = CLASS_WEIGHT, learning_rate: float = LEARNING_RATE,
                     augment: str = "", keep_of: int = 1, grid_every: int = 5, label: str = "conditional GAN",
                     run_dir: str | Path | None = None, log: bool = True) -> RunResult:
    """Train the AC-GAN of :mod:`lib.gan.acgan` on uint8 ``x_train``; generate ``per_class`` per class.
    ``augment``: the DiffAugment policy of its discriminator ("": none); ``keep_of``: generate that many times
    the images and keep those its class head is most sure of (:func:`.artifact.generate_balanced`).

    Only the images passed in are seen by the GAN: give it the classifiers'
    real training part, never validation or test images. A checkpoint in
    ``run_dir`` (an interrupted run) is continued; without ``run_dir`` (cache
    off) the run writes to a fresh temporary folder.
    """
    from ...gan.loop import to_gan_range, train_gan

    start = time.perf_counter()
    run_dir = Path(run_dir) if run_dir is not None else Path(tempfile.mkdtemp(prefix="study5_gan_"))
    num_classes = len(class_names)
    gan = build_acgan(num_classes, width=width, seed=seed, lr=learning_rate, class_weight=class_weight,
                      image_shape=x_train.shape[1:], augment=augment)
    out = train_gan(gan, to_gan_range(x_train), y_train, run_dir=run_dir, epochs=epochs, batch_size=batch_size,
                    seed=seed, grid_every=grid_every, label=label, log=log)
    result = RunResult(label=label, seed=seed, status=out["status"], message=out["message"], history=out["history"],
                       epochs_run=out["epochs_run"], best_epoch=out["epochs_run"], seconds=out["seconds"],
                       artifacts={"grids": out["grids"], "n_real": int(len(x_train)),
                                  "generator_params": int(gan.generator.count_params()),
                                  "discriminator_params": int(gan.discriminator.count_params()),
                                  "resumed_from": out["resumed_from"]})
    if result.ok:
        t = time.perf_counter()
        x_syn, y_syn = generate_balanced(gan, num_classes, per_class, seed=seed + 30_000, keep_of=keep_of)
        path = save_artifact(run_dir / ARTIFACT, x_syn, y_syn, class_names,
                             meta={"family": "acgan", "augment": augment, "keep_of": keep_of, "seed": seed,
                                   "epochs": epochs, "per_class": per_class,
                                   "n_real": int(len(x_train)), "range": "uint8 [0, 255]; scale by 1/255"})
        result.artifacts.update(artifact_path=str(path), per_class=per_class, n_synthetic=int(len(y_syn)),
                                generate_seconds=time.perf_counter() - t)
    result.metrics["total_seconds"] = time.perf_counter() - start
    return result
