"""One GAN family, one seed: evaluate the untrained generator, train (resuming), evaluate the result.

This is the unit a study notebook caches with ``RunCache``: its return value
is JSON (history, per-epoch progress, metrics, grid paths), and its
``run_dir`` (checkpoint and image grids) is keyed by the same specification,
so an interrupted notebook run continues where it stopped.
"""
from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import numpy as np

from .evaluation import FeatureExtractor, evaluate_images, quick_metrics
from .gans import ConditionalGAN
from .train import build_gan, fixed_inputs, generate, to_unit_range, train_gan


def _sample(gan, n: int, seed: int):
    noise, labels = fixed_inputs(gan, n, seed)
    return to_unit_range(generate(gan, noise, labels)), labels


def _monitor(gan, extractor: FeatureExtractor, reference_features: np.ndarray, n: int, seed: int) -> dict:
    images, _ = _sample(gan, n, seed)
    return quick_metrics(extractor, images, reference_features)


def run_gan_experiment(name: str, x: np.ndarray, y: np.ndarray | None, extractor: FeatureExtractor,
                       reference_features: np.ndarray, *, run_dir: str | Path, epochs: int, batch_size: int,
                       seed: int, grid_every: int, n_eval: int, num_classes: int = 10, knn_k: int = 3,
                       n_critic: int = 5, gp_weight: float = 10.0, n_monitor: int = 1000, label: str | None = None,
                       resume: bool = True, log: bool = True) -> dict:
    """Train family ``name`` on ``x`` (in [-1, 1]; ``y`` labels for the conditional GAN) and evaluate it.

    ``n_eval`` generated images (fixed noise from ``seed``; balanced classes
    for the conditional GAN) are compared with ``reference_features`` on every
    metric, before training (``untrained``) and after (``metrics``);
    ``progress`` holds FID and class coverage on ``n_monitor`` images every
    ``grid_every`` epochs.
    """
    label = label or f"{name} seed {seed}"
    start = time.perf_counter()
    gan = build_gan(name, image_shape=x.shape[1:], num_classes=num_classes, seed=seed, n_critic=n_critic,
                    gp_weight=gp_weight)
    eval_seed = seed + 20_000
    conditional = isinstance(gan, ConditionalGAN)

    def evaluate() -> dict:
        images, labels = _sample(gan, n_eval, eval_seed)
        return evaluate_images(extractor, images, reference_features, labels=labels if conditional else None,
                               knn_k=knn_k, seed=seed)

    untrained = evaluate()
    monitor = partial(_monitor, extractor=extractor, reference_features=reference_features,
                      n=min(n_monitor, n_eval), seed=eval_seed)
    out = train_gan(gan, x, y if conditional else None, run_dir=run_dir, epochs=epochs, batch_size=batch_size,
                    seed=seed, grid_every=grid_every, label=label, log=log, resume=resume, monitor=monitor)
    out.update(family=name, seed=seed, untrained=untrained, train_seconds=out.pop("seconds"),
               generator_params=int(gan.generator.count_params()),
               discriminator_params=int(gan.discriminator.count_params()))
    if out["status"] == "ok":
        out["metrics"] = evaluate()
        if log:
            m = out["metrics"]
            print(f"[{label}] FID {m['fid']:.2f} (untrained {untrained['fid']:.2f}), precision {m['precision']:.2f}, "
                  f"recall {m['recall']:.2f}, classes covered {m['classes_covered']}", flush=True)
    out["seconds"] = time.perf_counter() - start
    return out


def run_dir_for(cache, spec: dict, output_dir: str | Path) -> Path:
    """Checkpoints and grids of the run ``spec``: beside its cache entry (resumable), or, without a
    cache, under ``output_dir`` (then a rerun starts afresh)."""
    key = cache.key(spec)
    return cache.root / "runs" / key if cache.enabled else Path(output_dir) / "runs" / key


def cached_gan_experiment(cache, spec: dict, output_dir: str | Path, *args, **kwargs) -> dict:
    """``run_gan_experiment(*args, **kwargs)`` through ``cache``, in the run directory of ``spec``.

    With the cache on, an interrupted run resumes from its checkpoint, and a
    stored result whose image grids have gone is recomputed, not trusted.
    """
    import shutil

    from .. import io

    stored, run_dir = cache.path(spec), run_dir_for(cache, spec, output_dir)
    if cache.enabled and stored.is_file():
        try:
            grids = io.read_json(stored)["result"]["grids"]
        except (ValueError, KeyError, TypeError):
            grids = []
        if not grids or not all(Path(p).is_file() for _, p in grids):
            stored.unlink(missing_ok=True)
            shutil.rmtree(run_dir, ignore_errors=True)  # a damaged run directory: train again from scratch
    return cache.get_or_run(spec, run_gan_experiment, *args, run_dir=run_dir, resume=cache.enabled, **kwargs)


def copy_grids(run: dict, dest: str | Path) -> list:
    """Copy a run's image grids to ``dest`` (the study's artifacts); returns [[epoch, new path], ...]."""
    from .. import io

    out = []
    for epoch, path in run["grids"]:
        target = Path(dest) / Path(path).name
        io.write_bytes(target, Path(path).read_bytes())
        out.append([epoch, str(target)])
    return out


def raise_if_all_failed(runs: dict[str, list[dict]]) -> None:
    from ..errors import TrainingDiverged

    flat = [r for rs in runs.values() for r in rs]
    if flat and all(r["status"] != "ok" for r in flat):
        raise TrainingDiverged("; ".join(r["message"] for r in flat))
