"""``load_dataset``: one entry point for Fashion-MNIST, CIFAR-10 and CIFAR-100.

Sources, in order: the data directory given as ``data_dir`` or by the
``SMALLIMG_DATA_DIR`` environment variable; system locations (Debian's
``dataset-fashion-mnist``); the Keras download cache; a fresh download of the
official files (``keras.utils.get_file``). Every source is read by the same
format readers and validated the same way.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import socket
import stat
import tarfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError, download_problem, one_line
from ..paths import keras_home, path_problem, short_path
from .catalog import (CIFAR10_CLASSES, DATA_DIR_ENV, FASHION_CLASSES, SOURCE_LABELS, SYSTEM_LABELS,
                      SYSTEM_LOCATIONS, SYSTEM_NOTES, DatasetSpec, dataset_spec)
from .formats import (cifar_images, cifar_labels, file_md5, load_cifar_pickle, names_from_meta,
                      read_data_file, read_idx)

log = logging.getLogger(__name__)


@dataclass
class Provenance:
    """Where the arrays came from and whether they match the official release."""
    dataset: str
    source: str                 # "data_dir", "system", "download", "keras-cache"
    path: str                   # for messages to the user; pages show ``label`` instead
    official: bool              # every file matched its published MD5 (the release's own bytes)
    mismatched: list[str] = field(default_factory=list)   # files matching no published checksum
    note: str = ""
    fingerprint: str = ""       # hash of the files' MD5s: identifies the exact data
    recompressed: list[str] = field(default_factory=list)  # other .gz bytes, official decompressed content
    label: str = ""             # where the data came from, in words a page can show

    @property
    def canonical(self) -> bool:
        """The official data: the release's files, or the same content recompressed."""
        return not self.mismatched

    @property
    def status(self) -> str:
        if self.official:
            return "official release"
        return "official content, recompressed" if self.canonical else "non-canonical"

    def describe(self) -> str:
        if self.official:
            status = "official release (MD5 verified against the published checksums)"
        elif self.canonical:
            status = ("official content, recompressed (the .gz files differ from the release, but their "
                      "decompressed files match the published MD5s)")
        else:
            status = (f"NON-CANONICAL copy: MD5 differs from the official release for "
                      f"{', '.join(self.mismatched)}")
        where = self.label or SOURCE_LABELS.get(self.source, self.source)
        text = f"{self.dataset} from the {where}: {status}"
        return f"{text}. {self.note.rstrip('.')}" if self.note else text


@dataclass
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    provenance: Provenance
    y_train_coarse: np.ndarray | None = None
    y_test_coarse: np.ndarray | None = None
    coarse_class_names: list[str] | None = None

    @property
    def name(self) -> str:
        return self.provenance.dataset

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def _candidate_dirs(spec: DatasetSpec, root: Path) -> list[Path]:
    # A data directory holds the standard folder; accept the folder itself too.
    return [root / spec.folder, root]


def _complete(spec: DatasetSpec, folder: Path) -> bool:
    return all((folder / f).is_file() for f in spec.files)


def _partial(spec: DatasetSpec, folder: Path) -> list[str]:
    return [f for f in spec.files if (folder / f).is_file()]


def _keras_cache_dir(spec: DatasetSpec) -> Path:
    return keras_home() / "datasets" / spec.folder


def resolve_source(name: str, data_dir: str | os.PathLike | None = None,
                   allow_download: bool = True) -> tuple[DatasetSpec, str, Path]:
    """Find where ``name`` will be read from without reading it.

    Returns ``(spec, source_kind, folder)``; ``source_kind`` is ``"download"``
    when nothing local exists and the network looks reachable. Raises
    DataError with the fix when there is no way to get the data.
    """
    spec = dataset_spec(name)
    roots: list[tuple[str, Path]] = []
    explicit = data_dir if data_dir not in (None, "") else os.environ.get(DATA_DIR_ENV) or None
    if explicit is not None:
        root = Path(explicit).expanduser()
        check_data_dir(root, "data_dir" if data_dir not in (None, "") else f"${DATA_DIR_ENV}")
        roots.append(("data_dir", root))
    roots += [("system", Path(p)) for p in SYSTEM_LOCATIONS.get(spec.name, [])]

    try:
        found = _first_local(spec, roots)
    except OSError as exc:  # a folder below the data directory, a system location or KERAS_HOME
        what, fix = path_problem(exc)
        raise DataError(f"the folder {short_path(exc.filename or 'a dataset folder')} where {spec.name} is "
                        f"looked for {what}; {fix}") from None
    if found:
        return found

    where = f"no {spec.name} files in {explicit}" if explicit else "no local copy"
    if not allow_download:
        raise DataError(f"{where} and downloads are disabled; set {DATA_DIR_ENV} or data_dir to a "
                        f"directory holding {spec.folder}/ (see README, 'Data')")
    if not _network_reachable(spec.origin):
        raise DataError(f"cannot get {spec.name}: {where} and no network to download it; set "
                        f"{DATA_DIR_ENV} or data_dir to a directory holding {spec.folder}/ "
                        f"(see README, 'Data')")
    return spec, "download", _keras_cache_dir(spec)


def _first_local(spec: DatasetSpec, roots: list[tuple[str, Path]]) -> tuple[DatasetSpec, str, Path] | None:
    """The first complete local copy of ``spec`` among ``roots`` and the Keras cache, or None."""
    for kind, root in _then_keras_cache(roots, spec):
        for folder in _candidate_dirs(spec, root):
            if folder.is_dir() and not _listable(folder):
                raise DataError(f"cannot read the folder {folder} (permission denied); fix its permissions "
                                f"or point data_dir elsewhere")
            if _complete(spec, folder):
                return spec, kind, folder
            have = _partial(spec, folder)
            if have and kind != "keras-cache":
                missing = sorted(set(spec.files) - set(have))
                raise DataError(f"{spec.name} in {folder} is incomplete: missing (or not a regular file) "
                                f"{', '.join(missing)}; "
                                f"copy the full dataset there or remove the folder")
    return None


def _then_keras_cache(roots: list[tuple[str, Path]], spec: DatasetSpec):
    yield from roots
    yield "keras-cache", _keras_cache_dir(spec).parent


def _listable(folder: Path) -> bool:
    return os.access(folder, os.R_OK | os.X_OK)


def check_data_dir(root: Path, origin: str) -> None:
    """Raise DataError, in one line naming ``root``, ``origin`` and the fix, unless ``root`` is a readable folder.

    Every way a path can fail to resolve (missing, a symbolic link that loops, too long, through a
    file, permission denied) is the user's input, not a bug, and is named in words.
    """
    where = f"data directory {short_path(root)} (from {origin})"
    try:
        st = os.stat(root)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise DataError(f"{where} does not exist; create it with the datasets' standard layouts or "
                            f"unset it to download") from None
        what, fix = path_problem(exc)
        raise DataError(f"{where} {what}; {fix}, or unset it to download") from None
    if not stat.S_ISDIR(st.st_mode):
        raise DataError(f"{where} is not a directory; point it at the "
                        f"folder that holds the datasets' standard folders (see README, 'Data')")
    if not _listable(root):
        raise DataError(f"cannot read the {where}: permission denied; "
                        f"fix its permissions or point it elsewhere")


def _network_reachable(url: str, timeout: float = 3.0) -> bool:
    host = urllib.parse.urlsplit(url).hostname
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _download(spec: DatasetSpec) -> Path:
    """Fetch the official files into the Keras cache with checksum verification."""
    import keras

    target = _keras_cache_dir(spec)
    try:
        if spec.archive_md5 is None:  # Fashion-MNIST: four separate files
            for fname, md5 in spec.files.items():
                keras.utils.get_file(fname, origin=spec.origin + fname, file_hash=md5,
                                     hash_algorithm="md5", cache_subdir=f"datasets/{spec.folder}")
        else:
            archive = keras.utils.get_file(Path(urllib.parse.urlsplit(spec.origin).path).name,
                                           origin=spec.origin, file_hash=spec.archive_md5,
                                           hash_algorithm="md5", cache_subdir="datasets")
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(target.parent, filter="data")
    except Exception as exc:  # the raw error to the log; the message (which a fallback puts on a page) in words
        log.warning("downloading %s failed: %s: %s", spec.name, type(exc).__name__, one_line(exc))
        raise DataError(f"downloading {spec.name} failed: {download_problem(exc)}; check the "
                        f"network or set {DATA_DIR_ENV} to a local copy (see README, 'Data')") from None
    return target


def _classify(spec: DatasetSpec, folder: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """(file MD5s, recompressed files, mismatched files) against the published checksums."""
    digests = {f: file_md5(folder / f) for f in spec.files}
    recompressed, mismatched = [], []
    for f, digest in digests.items():
        if digest == spec.files[f]:
            continue
        if f in spec.content_md5 and file_md5(folder / f, decompress=True) == spec.content_md5[f]:
            recompressed.append(f)
        else:
            mismatched.append(f)
    return digests, recompressed, mismatched


def _provenance_note(spec: DatasetSpec, folder: Path, source: str) -> str:
    note = SYSTEM_NOTES.get(str(folder), "") if source == "system" else ""
    for candidate in (folder / "PROVENANCE.txt", folder.parent / "PROVENANCE.txt"):
        if candidate.is_file():
            text = read_data_file(candidate, limit=1 << 16, decompress=False).decode("utf-8", "replace")
            return " ".join(ln.strip() for ln in text.splitlines() if ln.strip().startswith(spec.folder))
    return note


def _verify(spec: DatasetSpec, folder: Path, source: str) -> Provenance:
    digests, recompressed, mismatched = _classify(spec, folder)
    # The fingerprint keys cached runs: it hashes the files' own MD5s, as it always has.
    fingerprint = hashlib.sha256("".join(f"{f}:{d};" for f, d in sorted(digests.items())).encode()).hexdigest()[:16]
    label = SYSTEM_LABELS.get(str(folder), SOURCE_LABELS["system"]) if source == "system" else SOURCE_LABELS[source]
    return Provenance(dataset=spec.name, source=source, path=str(folder),
                      official=not mismatched and not recompressed, mismatched=mismatched,
                      note=_provenance_note(spec, folder, source), fingerprint=fingerprint,
                      recompressed=recompressed, label=label)


def _check(spec: DatasetSpec, x: np.ndarray, y: np.ndarray, split: str, folder: Path,
           num_classes: int | None = None) -> None:
    num_classes = num_classes or spec.num_classes
    if x.ndim != 4 or x.shape[1:] != spec.image_shape:
        raise DataError(f"{spec.name} {split} images in {folder} have shape {x.shape[1:]}, "
                        f"expected {spec.image_shape}; the files are not {spec.name}")
    if len(x) != len(y) or len(x) == 0:
        raise DataError(f"{spec.name} {split} in {folder} has {len(x)} images but {len(y)} labels; "
                        f"the files do not belong together, replace them")
    if y.min() < 0 or y.max() >= num_classes:
        raise DataError(f"{spec.name} {split} labels in {folder} range over {y.min()}..{y.max()}, "
                        f"expected 0..{num_classes - 1}; the label file is wrong, replace it")


def _read_fashion(spec: DatasetSpec, folder: Path) -> dict:
    out = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images, labels = folder / f"{prefix}-images-idx3-ubyte.gz", folder / f"{prefix}-labels-idx1-ubyte.gz"
        x, y = read_idx(images), read_idx(labels)
        if x.ndim != 3 or y.ndim != 1:
            raise DataError(f"{folder}: {prefix} IDX files have {x.ndim}-D images and {y.ndim}-D labels, "
                            f"expected 3-D and 1-D; they are not Fashion-MNIST")
        if x.dtype != np.uint8:
            raise DataError(f"{images} stores {x.dtype} pixels, expected unsigned bytes (IDX type 0x08); "
                            f"it is not Fashion-MNIST, replace it with the official file")
        if y.dtype.kind not in "iu":   # float labels would be truncated to a class silently
            raise DataError(f"{labels} stores {y.dtype} labels, expected integer class indices; "
                            f"it is not Fashion-MNIST, replace it with the official file")
        out[f"x_{split}"], out[f"y_{split}"] = x[..., None], y.astype(np.int64)
    out["class_names"] = list(FASHION_CLASSES)
    return out


def _cifar_batch(path: Path, label_keys: dict[str, int]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One batch file's images and, per label key, its labels, checked against this batch's images."""
    batch = load_cifar_pickle(path)
    x = cifar_images(batch, path)
    return x, {key: cifar_labels(batch, key, path, len(x), k) for key, k in label_keys.items()}


def _read_cifar10(spec: DatasetSpec, folder: Path) -> dict:
    xs, ys = [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        x, labels = _cifar_batch(folder / name, {"labels": spec.num_classes})
        xs.append(x)
        ys.append(labels["labels"])
    meta = load_cifar_pickle(folder / "batches.meta")
    names = (names_from_meta(meta, "label_names", folder / "batches.meta") if "label_names" in meta
             else list(CIFAR10_CLASSES))
    return dict(x_train=np.concatenate(xs[:5]), y_train=np.concatenate(ys[:5]), x_test=xs[5], y_test=ys[5],
                class_names=names)


def _read_cifar100(spec: DatasetSpec, folder: Path) -> dict:
    out = {}
    for split in ("train", "test"):
        x, labels = _cifar_batch(folder / split, {"fine_labels": spec.num_classes,
                                                  "coarse_labels": spec.coarse_classes})
        out[f"x_{split}"] = x
        out[f"y_{split}"], out[f"y_{split}_coarse"] = labels["fine_labels"], labels["coarse_labels"]
    meta = load_cifar_pickle(folder / "meta")
    out["class_names"] = names_from_meta(meta, "fine_label_names", folder / "meta")
    out["coarse_class_names"] = names_from_meta(meta, "coarse_label_names", folder / "meta")
    return out


_READERS = {"fashion_mnist": _read_fashion, "cifar10": _read_cifar10, "cifar100": _read_cifar100}


def load_dataset(name: str, data_dir: str | os.PathLike | None = None,
                 allow_download: bool = True) -> Dataset:
    """Load a dataset's standard train/test split as NHWC uint8 arrays and int labels.

    >>> ds = load_dataset("fashion_mnist")           # doctest: +SKIP
    >>> ds.x_train.shape, ds.class_names[0]           # doctest: +SKIP
    ((60000, 28, 28, 1), 'T-shirt/top')
    """
    spec, kind, folder = resolve_source(name, data_dir, allow_download)
    if kind == "download":
        folder = _download(spec)
    provenance = _verify(spec, folder, kind)
    arrays = _READERS[spec.name](spec, folder)
    _check(spec, arrays["x_train"], arrays["y_train"], "train", folder)
    _check(spec, arrays["x_test"], arrays["y_test"], "test", folder)
    if spec.coarse_classes:
        _check(spec, arrays["x_train"], arrays["y_train_coarse"], "train (coarse)", folder, spec.coarse_classes)
        _check(spec, arrays["x_test"], arrays["y_test_coarse"], "test (coarse)", folder, spec.coarse_classes)
    for key, expected in (("class_names", spec.num_classes), ("coarse_class_names", spec.coarse_classes)):
        if expected and len(arrays[key]) != expected:
            raise DataError(f"{folder} names {len(arrays[key])} classes, expected {expected}; "
                            f"the metadata file is wrong, replace it")
    return Dataset(provenance=provenance, **arrays)
