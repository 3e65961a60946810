"""Write small datasets in the real on-disk formats, for tests and smoke runs.

The images are not pure noise: each class has its own faint patch, so a model
learns them in a few steps and a smoke run shows falling loss; one image in
ten carries another class's patch, so accuracy stays below 100 % and the
smoke goldens are informative. The files are read back through the same
loaders as the real datasets.
"""
from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np

from .catalog import CIFAR10_CLASSES, DATASETS

GENERATED_NOTE = "generated stand-in data (class-coded patches plus noise), not the real dataset"


def _class_images(rng: np.random.Generator, labels: np.ndarray, hw: int, channels: int,
                  num_classes: int) -> np.ndarray:
    n = len(labels)
    x = rng.integers(0, 140, size=(n, hw, hw, channels), dtype=np.int64)
    grid = int(np.ceil(np.sqrt(num_classes)))
    cell = hw // grid
    shown = np.where(rng.random(n) < 0.1, rng.integers(0, num_classes, n), labels)
    for i, label in enumerate(shown):
        r, c = divmod(int(label), grid)
        x[i, r * cell:(r + 1) * cell, c * cell:(c + 1) * cell, :] += 60
        if channels == 3:  # colour carries class information as well, as in CIFAR
            x[i, ..., int(label) % 3] += 40
    return np.clip(x, 0, 255).astype(np.uint8)


def _labels(rng, n, num_classes):
    # Every class appears; the rest are random.
    base = np.arange(n) % num_classes
    return rng.permutation(base).astype(np.int64)


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    # mtime=0: the same data gives the same bytes, so the data fingerprint (and run cache key) is stable.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(header + array.astype(np.uint8).tobytes())


def write_fashion_mnist(root: str | Path, n_train: int = 600, n_test: int = 200, seed: int = 0) -> Path:
    """Write ``root/fashion-mnist/`` with the four IDX ``.gz`` files."""
    rng = np.random.default_rng(seed)
    folder = Path(root) / DATASETS["fashion_mnist"].folder
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        y = _labels(rng, n, 10)
        x = _class_images(rng, y, 28, 1, 10)[..., 0]
        _write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", x)
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", y.astype(np.uint8))
    return folder


def _cifar_rows(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 3, 1, 2).reshape(len(x), -1)  # NHWC -> flat CHW rows, as in the release


def _dump(path: Path, obj: dict) -> None:
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=2)


def write_cifar10(root: str | Path, n_train: int = 500, n_test: int = 100, seed: int = 0) -> Path:
    """Write ``root/cifar-10-batches-py/`` with five training batches, a test batch and meta."""
    rng = np.random.default_rng(seed)
    folder = Path(root) / DATASETS["cifar10"].folder
    folder.mkdir(parents=True, exist_ok=True)
    y = _labels(rng, n_train, 10)
    x = _class_images(rng, y, 32, 3, 10)
    for i, idx in enumerate(np.array_split(np.arange(n_train), 5), start=1):
        _dump(folder / f"data_batch_{i}", {b"batch_label": f"training batch {i} of 5".encode(),
                                           b"labels": y[idx].tolist(), b"data": _cifar_rows(x[idx])})
    yt = _labels(rng, n_test, 10)
    _dump(folder / "test_batch", {b"batch_label": b"testing batch 1 of 1", b"labels": yt.tolist(),
                                  b"data": _cifar_rows(_class_images(rng, yt, 32, 3, 10))})
    _dump(folder / "batches.meta", {b"label_names": [c.encode() for c in CIFAR10_CLASSES],
                                    b"num_cases_per_batch": n_train // 5, b"num_vis": 3072})
    return folder


def write_cifar100(root: str | Path, n_train: int = 1000, n_test: int = 200, seed: int = 0) -> Path:
    """Write ``root/cifar-100-python/`` (``train``, ``test``, ``meta``) with fine and coarse labels."""
    rng = np.random.default_rng(seed)
    folder = Path(root) / DATASETS["cifar100"].folder
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("test", n_test)):
        fine = _labels(rng, n, 100)
        _dump(folder / split, {b"filenames": [f"{split}_{i}.png".encode() for i in range(n)],
                               b"fine_labels": fine.tolist(), b"coarse_labels": (fine // 5).tolist(),
                               b"data": _cifar_rows(_class_images(rng, fine, 32, 3, 100))})
    _dump(folder / "meta", {b"fine_label_names": [f"class_{i:02d}".encode() for i in range(100)],
                            b"coarse_label_names": [f"superclass_{i:02d}".encode() for i in range(20)]})
    return folder


WRITERS = {"fashion_mnist": write_fashion_mnist, "cifar10": write_cifar10, "cifar100": write_cifar100}


def write_fixture(name: str, root: str | Path, n_train: int, n_test: int, seed: int = 0) -> Path:
    """Write a generated dataset for ``name`` under ``root`` and a PROVENANCE.txt that says so."""
    from .catalog import dataset_spec

    spec = dataset_spec(name)
    folder = WRITERS[spec.name](root, n_train=n_train, n_test=n_test, seed=seed)
    (Path(root) / "PROVENANCE.txt").write_text(
        "".join(f"{s.folder}/: {GENERATED_NOTE}\n" for s in DATASETS.values()))
    return folder
