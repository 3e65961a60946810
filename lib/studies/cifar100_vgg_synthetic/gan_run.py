"""Train the class-conditional GAN on the real training images and write the synthetic-image artifact.

This is the unit :mod:`.runs` hands to :func:`lib.experiments.run_variants` (one per seed, through the run
cache and the executor, so ``local:2`` trains two seeds' GANs at once; ``workdir="run_dir"``): it returns a
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
from ...gan.acgan import build_acgan
from .artifact import generate_balanced, save_artifact
from .recipe import GanRecipe

ARTIFACT = "synthetic.npz"


def train_and_sample(x_train: np.ndarray, y_train: np.ndarray, class_names: list[str], recipe: GanRecipe, *,
                     seed: int, label: str = "conditional GAN", run_dir: str | Path | None = None,
                     log: bool = True) -> RunResult:
    """Train the AC-GAN of :mod:`lib.gan.acgan` on uint8 ``x_train`` as ``recipe`` says; generate
    ``recipe.per_class`` images per class (of ``recipe.keep_of`` times as many, those its class head is most sure
    of: :func:`.artifact.generate_balanced`), with DiffAugment policy ``recipe.augment`` on its discriminator.

    Only the images passed in are seen by the GAN: give it the classifiers'
    real training part, never validation or test images. A checkpoint in
    ``run_dir`` (an interrupted run) is continued; without ``run_dir`` (cache
    off) the run writes to a fresh temporary folder.
    """
    from ...gan.loop import to_gan_range, train_gan

    start = time.perf_counter()
    run_dir = Path(run_dir) if run_dir is not None else Path(tempfile.mkdtemp(prefix="study5_gan_"))
    num_classes = len(class_names)
    r = recipe
    gan = build_acgan(num_classes, width=r.width, seed=seed, lr=r.learning_rate, class_weight=r.class_weight,
                      image_shape=x_train.shape[1:], augment=r.augment)
    out = train_gan(gan, to_gan_range(x_train), y_train, run_dir=run_dir, epochs=r.epochs, batch_size=r.batch_size,
                    seed=seed, grid_every=r.grid_every, label=label, log=log)
    result = RunResult(label=label, seed=seed, status=out["status"], message=out["message"], history=out["history"],
                       epochs_run=out["epochs_run"], best_epoch=out["epochs_run"], seconds=out["seconds"],
                       artifacts={"grids": out["grids"], "n_real": int(len(x_train)),
                                  "generator_params": int(gan.generator.count_params()),
                                  "discriminator_params": int(gan.discriminator.count_params()),
                                  "resumed_from": out["resumed_from"]})
    if result.ok:
        t = time.perf_counter()
        x_syn, y_syn = generate_balanced(gan, num_classes, r.per_class, seed=seed + 30_000, keep_of=r.keep_of)
        path = save_artifact(run_dir / ARTIFACT, x_syn, y_syn, class_names,
                             meta={"family": "acgan", "augment": r.augment, "keep_of": r.keep_of, "seed": seed,
                                   "epochs": r.epochs, "per_class": r.per_class,
                                   "n_real": int(len(x_train)), "range": "uint8 [0, 255]; scale by 1/255"})
        result.artifacts.update(artifact_path=str(path), per_class=r.per_class, n_synthetic=int(len(y_syn)),
                                generate_seconds=time.perf_counter() - t)
    result.metrics["total_seconds"] = time.perf_counter() - start
    return result
