"""Class-balanced synthetic images: generated, quantised like the real data, saved with per-class grids.

The real images are stored as uint8 and scaled to float32 [0, 1] by
:func:`lib.data.scale_images`. Generated images (tanh output in [-1, 1]) are
mapped to [0, 255] and rounded to uint8 here, and stored that way, so they go
through exactly the same scaling as the real images: same dtype, same range,
same 1/255 steps.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ... import io


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Generator output in [-1, 1] -> uint8 [0, 255] (rounded; out-of-range values clipped)."""
    return np.clip(np.rint((np.asarray(images, dtype=np.float32) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def balanced_labels(num_classes: int, per_class: int) -> np.ndarray:
    """0, 0, ..., 1, 1, ...: ``per_class`` labels of each class, as int64 like the real labels."""
    return np.repeat(np.arange(num_classes, dtype=np.int64), per_class)


def generate_balanced(gan, num_classes: int, per_class: int, seed: int, batch_size: int = 500, keep_of: int = 1):
    """``per_class`` images of every class from a trained conditional GAN: (uint8 NHWC, int64 labels).

    ``keep_of`` > 1: generate that many times as many and keep, per class, the ``per_class`` images the GAN's own
    class head (its discriminator's classifier of *real* images) gives the highest probability of the class they
    were asked for: filtering samples by a classifier. The noise depends only on ``seed``; inference mode.
    """
    from ...gan.loop import generate

    labels = balanced_labels(num_classes, per_class * keep_of)
    noise = np.random.default_rng(seed).standard_normal((len(labels), gan.noise_dim)).astype(np.float32)
    images = generate(gan, noise, labels.astype(np.int32), batch_size=batch_size)
    if keep_of > 1:
        keep = _most_confident(gan, images, labels, per_class, batch_size)
        images, labels = images[keep], labels[keep]
    return to_uint8(images), labels


def _most_confident(gan, images: np.ndarray, labels: np.ndarray, per_class: int, batch_size: int) -> np.ndarray:
    """Indices of the ``per_class`` images of each class whose class-head log-probability of their label is highest."""
    import keras

    score = np.concatenate([
        keras.ops.convert_to_numpy(keras.ops.log_softmax(gan.discriminator(
            [images[i:i + batch_size], labels[i:i + batch_size].astype(np.int32)], training=False)[1], axis=-1))
        for i in range(0, len(labels), batch_size)])[np.arange(len(labels)), labels]
    keep = [np.flatnonzero(labels == c)[np.argsort(-score[labels == c], kind="stable")[:per_class]]
            for c in np.unique(labels)]
    return np.sort(np.concatenate(keep))


def save_artifact(path: str | Path, x: np.ndarray, y: np.ndarray, class_names: list[str], meta: dict) -> Path:
    """Write ``x`` (uint8), ``y`` (int64), the class names and ``meta`` (JSON) to one compressed ``.npz``."""
    if x.dtype != np.uint8 or x.ndim != 4 or len(x) != len(y):
        raise ValueError("a synthetic artifact holds uint8 NHWC images and one label per image")

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:  # a file object: np.savez would append ".npz" to a path
            np.savez_compressed(fh, x=x, y=np.asarray(y, dtype=np.int64), class_names=np.array(class_names),
                                meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))

    return io.atomic_write(path, write)


def load_artifact(path: str | Path) -> tuple[np.ndarray, np.ndarray, list[str], dict]:
    """(images uint8, labels int64, class names, meta) from :func:`save_artifact`'s file."""
    with np.load(path, allow_pickle=False) as npz:
        return (npz["x"], npz["y"], [str(c) for c in npz["class_names"]],
                json.loads(npz["meta"].tobytes().decode()))


def save_class_grids(x: np.ndarray, y: np.ndarray, class_names: list[str], folder: str | Path,
                     per_grid: int = 64, cols: int = 8) -> list[Path]:
    """One PNG per class (the first ``per_grid`` images of it), named ``class_XXX_<name>.png``."""
    from ...gan.callbacks import save_png, tile_images

    folder = Path(folder)
    paths = []
    for c, name in enumerate(class_names):
        images = x[np.flatnonzero(y == c)[:per_grid]]
        if not len(images):
            continue
        safe = "".join(ch if ch.isalnum() else "_" for ch in str(name))
        paths.append(save_png(tile_images(images.astype(np.float32) / 255.0, cols), folder / f"class_{c:03d}_{safe}.png"))
    return paths


def unit_to_uint8(x: np.ndarray) -> np.ndarray:
    """Images scaled to [0, 1] by :func:`lib.data.scale_images` back to their uint8 values (exact)."""
    return np.clip(np.rint(np.asarray(x, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)


def export(path: str | Path, folder: str | Path, per_grid: int = 64) -> tuple[Path, list[Path]]:
    """Copy the artifact to ``folder/synthetic_images.npz`` and write its per-class grids to ``folder/grids/``."""
    import shutil

    folder = Path(folder)
    target = io.atomic_write(folder / "synthetic_images.npz", lambda tmp: shutil.copyfile(path, tmp))
    x, y, class_names, _ = load_artifact(target)
    return target, save_class_grids(x, y, class_names, folder / "grids", per_grid=per_grid)
