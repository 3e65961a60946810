"""One GAN family, one seed: evaluate the untrained generator, train (resuming), evaluate the result.

This is the unit Study 4 runs through the run cache and the executor (``runs.py``,
``run_variants(..., workdir="run_dir")``): it returns one
``RunResult`` whose ``run_dir`` (checkpoint and image grids) is the cache's
work directory for the call, so an interrupted notebook run continues where it
stopped.

Two generated samples from different noise seeds: ``selection`` (for picking
the best variant) and the report sample (``metrics``), so the variant that is
reported was not chosen on the numbers shown for it. A third, ``balanced``, draws
equal numbers of each class the feature classifier predicts from a larger pool, so
that every family (not only the conditional one, which is asked for balanced
classes) is also scored on a class-balanced sample.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from ...experiments import RunResult
from ...gan.evaluation import FeatureExtractor, Reference, class_balanced, evaluate_images, quick_metrics
from ...gan.gans import ConditionalGAN
from ...gan.loop import build_gan, fixed_inputs, generate, to_unit_range, train_gan

# Noise seeds of the samples, offset from the training seed so that no two samples share noise.
REPORT_OFFSET, SELECTION_OFFSET, BALANCED_OFFSET = 20_000, 30_000, 40_000
BALANCED_POOL = 3  # the class-balanced sample is drawn from this many times n_eval generated images


def _sample(gan, n: int, seed: int):
    noise, labels = fixed_inputs(gan, n, seed)
    return to_unit_range(generate(gan, noise, labels)), labels


def _monitor(gan, extractor: FeatureExtractor, reference: Reference, n: int, seed: int) -> dict:
    images, _ = _sample(gan, n, seed)
    return quick_metrics(extractor, images, reference)


def balanced_metrics(gan, extractor: FeatureExtractor, reference: Reference, n: int, seed: int,
                     pool: int = BALANCED_POOL) -> dict:
    """FID, classes covered and mean pixel of ``n`` images drawn class-balanced (by the classifier's prediction)
    from ``pool`` × ``n`` generated ones; ``balanced_share``: the share of the per-class quotas the pool filled."""
    images, _ = _sample(gan, pool * n, seed)
    _, probs = extractor(images)
    idx, share = class_balanced(probs.argmax(axis=1), n, extractor.num_classes, seed)
    return {**quick_metrics(extractor, images[idx], reference), "balanced_share": share, "n": int(len(idx))}


@dataclass(frozen=True)
class GanSettings:
    """What every GAN run of the study shares (the profile's settings): training, sampling and metric sizes."""
    epochs: int
    batch_size: int
    grid_every: int
    n_eval: int
    num_classes: int = 10
    knn_k: int = 3
    n_critic: int = 5
    gp_weight: float = 10.0
    n_monitor: int = 1000


def run_gan_experiment(name: str, x: np.ndarray, y: np.ndarray | None, extractor: FeatureExtractor,
                       reference: Reference, settings: GanSettings, *, seed: int, label: str | None = None,
                       run_dir: str | Path | None = None, log: bool = True) -> RunResult:
    """Train family ``name`` on ``x`` (in [-1, 1]; ``y`` labels for the conditional GAN) and evaluate it.

    ``metrics``: every metric on ``n_eval`` generated images (balanced classes
    for the conditional GAN) against ``reference``; ``artifacts``:
    ``selection`` (FID, classes covered and mean pixel on a second sample), ``balanced`` (the same on a
    class-balanced sample), ``untrained`` (the report
    sample before training), ``progress`` (FID, classes covered and mean pixel
    value on ``n_monitor`` images every ``grid_every`` epochs), ``grids``,
    parameter counts; sizes and training settings from ``settings``. ``run_dir`` None (cache off): a fresh
    temporary directory.
    """
    S = settings
    epochs, batch_size, n_eval = S.epochs, S.batch_size, S.n_eval
    label = label or f"{name} seed {seed}"
    run_dir = Path(run_dir) if run_dir is not None else Path(tempfile.mkdtemp(prefix=f"gan-{name}-"))
    gan = build_gan(name, image_shape=x.shape[1:], num_classes=S.num_classes, seed=seed, n_critic=S.n_critic,
                    gp_weight=S.gp_weight)
    conditional = isinstance(gan, ConditionalGAN)

    def evaluate(offset: int) -> dict:
        images, labels = _sample(gan, n_eval, seed + offset)
        return evaluate_images(extractor, images, reference, labels=labels if conditional else None,
                               knn_k=S.knn_k, seed=seed)

    untrained = evaluate(REPORT_OFFSET)
    monitor = partial(_monitor, extractor=extractor, reference=reference, n=min(S.n_monitor, n_eval),
                      seed=seed + SELECTION_OFFSET)
    out = train_gan(gan, x, y if conditional else None, run_dir=run_dir, epochs=epochs, batch_size=batch_size,
                    seed=seed, grid_every=S.grid_every, label=label, log=log, monitor=monitor)
    steps = (len(x) // batch_size) * out["epochs_run"]
    artifacts = {"untrained": untrained, "progress": out["progress"], "grids": out["grids"],
                 "resumed_from": out["resumed_from"], "steps": steps,
                 "seconds_per_step": out["seconds"] / max(1, steps - (len(x) // batch_size) * out["resumed_from"]),
                 "generator_params": int(gan.generator.count_params()),
                 "discriminator_params": int(gan.discriminator.count_params())}
    result = RunResult(label=label, seed=seed, status=out["status"], message=out["message"],
                       history=out["history"], epochs_run=out["epochs_run"], best_epoch=out["epochs_run"],
                       seconds=out["seconds"], variant=name, artifacts=artifacts)
    if result.ok:
        start = time.perf_counter()
        result.metrics = evaluate(REPORT_OFFSET)
        artifacts["selection"] = _monitor(gan, extractor, reference, n_eval, seed + SELECTION_OFFSET)
        artifacts["balanced"] = balanced_metrics(gan, extractor, reference, n_eval, seed + BALANCED_OFFSET)
        artifacts["eval_seconds"] = time.perf_counter() - start
        if log:
            m = result.metrics
            print(f"[{label}] FID {m['fid']:.2f} (untrained {untrained['fid']:.2f}), classes covered "
                  f"{m['classes_covered']}, coverage {m['coverage']:.2f}, mean pixel {m['mean_pixel']:.3f}",
                  flush=True)
    return result


def copy_grids(run: RunResult, dest: str | Path) -> list:
    """Copy a run's image grids to ``dest`` (the study's artifacts); returns [[epoch, new path], ...]."""
    from ... import io

    out = []
    for epoch, path in run.artifacts["grids"]:
        target = Path(dest) / Path(path).name
        io.write_bytes(target, Path(path).read_bytes())
        out.append([epoch, str(target)])
    return out
