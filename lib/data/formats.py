"""Readers for the datasets' standard file formats: IDX (Fashion-MNIST) and CIFAR pickles.

Every file is untrusted. Reads are bounded (no size from a header is
allocated before its bytes have arrived), and CIFAR pickles are interpreted by
:mod:`.safe_pickle`, which never executes them. Each problem becomes a
one-line :class:`DataError` naming the file and the fix.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from . import safe_pickle

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
# The largest file any supported dataset holds is CIFAR-100's `train` (~155 MB).
MAX_FILE_BYTES = 512 << 20
_CHUNK = 1 << 20
_MAX_IDX_DIMS = 8    # numpy allows 64; image datasets use 1 to 4


@contextlib.contextmanager
def _reading(path: Path):
    """Turn every way reading ``path`` can fail into one line that names it."""
    try:
        yield
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(f"missing dataset file {path}; re-create the data directory "
                        f"(see README, 'Data') or remove it to download") from None
    except (PermissionError, IsADirectoryError) as exc:
        raise DataError(f"cannot read dataset file {path} ({exc.strerror}); fix its permissions "
                        f"or replace it with a readable copy") from None
    except (EOFError, OSError, zlib.error) as exc:   # gzip.BadGzipFile is an OSError
        raise DataError(f"dataset file {path} is truncated or corrupted ({' '.join(str(exc).split())}); "
                        f"replace it with a fresh copy") from None


@contextlib.contextmanager
def _open(path: Path, decompress: bool = True):
    """The file's bytes, gunzipped when it starts with the gzip magic number."""
    with open(path, "rb") as raw:
        if decompress and raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw, mode="rb") as fh:
                yield fh
        else:
            raw.seek(0)
            yield raw


def _read_upto(fh, n: int) -> bytearray:
    # In chunks: one read(n) would allocate n bytes up front, whatever the file holds.
    buf = bytearray()
    while len(buf) < n:
        chunk = fh.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return buf


def read_data_file(path: str | Path, limit: int | None = None, decompress: bool = True) -> bytearray:
    """A whole (optionally gzip-compressed) file, refusing one larger than ``limit`` (default: the cap) bytes."""
    path = Path(path)
    limit = MAX_FILE_BYTES if limit is None else limit
    with _reading(path), _open(path, decompress) as fh:
        data = _read_upto(fh, limit + 1)
    if len(data) > limit:
        raise DataError(f"dataset file {path} is larger than {limit >> 20} MiB, more than any supported "
                        f"dataset file; replace it with the official file")
    return data


def file_md5(path: str | Path, decompress: bool = False) -> str:
    """MD5 of the file's bytes, or (``decompress``) of its gunzipped content, read at most to the size cap."""
    path = Path(path)
    h, seen = hashlib.md5(), 0
    with _reading(path), _open(path, decompress) as fh:
        while seen <= MAX_FILE_BYTES and (chunk := fh.read(_CHUNK)):
            h.update(chunk)
            seen += len(chunk)
    return h.hexdigest()


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed) into an array of the type its header names.

    The header's shape is checked against the bytes actually present before
    the array is made, so a corrupted header cannot ask for gigabytes.
    """
    path = Path(path)
    with _reading(path), _open(path) as fh:
        head = bytes(_read_upto(fh, 4))
        if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_DTYPES:
            raise DataError(f"{path} is not an IDX file (bad magic number); replace it with the official file")
        ndim = head[3]
        if ndim > _MAX_IDX_DIMS:
            raise DataError(f"{path} has an IDX header with {ndim} dimensions (at most {_MAX_IDX_DIMS} make "
                            f"sense); the file is corrupted, replace it")
        dims_raw = bytes(_read_upto(fh, 4 * ndim))
        if len(dims_raw) < 4 * ndim:
            raise DataError(f"{path} is truncated (header incomplete); replace it with a fresh copy")
        dims = struct.unpack(f">{ndim}I", dims_raw)
        dtype = np.dtype(_IDX_DTYPES[head[2]])
        expected = math.prod(dims) * dtype.itemsize   # Python ints: no overflow
        if expected > MAX_FILE_BYTES:
            raise DataError(f"{path} has a header promising {expected} data bytes (shape {dims}), more than "
                            f"any dataset file holds; the file is corrupted, replace it")
        data = _read_upto(fh, expected + 1)
    if len(data) != expected:
        raise DataError(f"{path} holds {len(data)} data bytes but its header promises "
                        f"{expected} (shape {dims}); the file is truncated or corrupted, replace it")
    return np.frombuffer(data, dtype=dtype).reshape(dims)


def load_cifar_pickle(path: str | Path) -> dict:
    """Load one CIFAR batch/meta file without executing it; keys come back as ``str``."""
    path = Path(path)
    raw = read_data_file(path)
    try:
        obj = safe_pickle.loads(raw)
    except safe_pickle.PickleMalformed as exc:
        raise DataError(f"{path} is truncated or corrupted ({exc}); replace it with a fresh copy") from None
    except safe_pickle.PickleRefused as exc:
        raise DataError(f"refusing to load {path}: {exc} (a CIFAR file holds only uint8 arrays, lists, "
                        f"numbers and strings); replace it with the official file") from None
    if not isinstance(obj, dict):
        raise DataError(f"{path} does not hold a CIFAR dictionary; replace it with the official file")
    return {k.decode("utf-8", "replace") if isinstance(k, bytes) else k: v for k, v in obj.items()}


def _field(batch: dict, key: str, path: Path):
    if key not in batch:
        raise DataError(f"{path} has no '{key}'; it is not a CIFAR file, replace it with the official file")
    return batch[key]


def cifar_images(batch: dict, path: Path) -> np.ndarray:
    """Convert a batch's flat CHW rows (N, 3072) into NHWC uint8 images."""
    data = _field(batch, "data", path)
    if not isinstance(data, np.ndarray):
        raise DataError(f"{path}: 'data' is a {type(data).__name__}, expected an (N, 3072) uint8 array; "
                        f"the file is not a CIFAR batch, replace it")
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or data.dtype != np.uint8:
        raise DataError(f"{path}: 'data' has shape {data.shape} and dtype {data.dtype}, "
                        f"expected (N, 3072) uint8; the file is not a CIFAR batch")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()


def cifar_labels(batch: dict, key: str, path: Path, n_images: int, num_classes: int) -> np.ndarray:
    """The batch's ``key`` labels: one int in 0..num_classes-1 per image of this batch."""
    labels = _field(batch, key, path)
    if isinstance(labels, np.ndarray) and labels.ndim == 1:
        labels = labels.tolist()
    if type(labels) is not list or not all(type(v) is int for v in labels):
        kind = type(labels).__name__ if type(labels) is not list else "a list with non-integer entries"
        raise DataError(f"{path}: '{key}' is {kind}, expected a list of class indices (ints); "
                        f"the file is not a CIFAR batch, replace it")
    if len(labels) != n_images:
        raise DataError(f"{path} has {n_images} images but {len(labels)} '{key}'; the file is "
                        f"corrupted, replace it")
    if labels and (min(labels) < 0 or max(labels) >= num_classes):
        raise DataError(f"{path}: '{key}' range over {min(labels)}..{max(labels)}, expected "
                        f"0..{num_classes - 1}; the file is wrong, replace it")
    return np.asarray(labels, dtype=np.int64)


def names_from_meta(meta: dict, key: str, path: Path) -> list[str]:
    names = _field(meta, key, path)
    if type(names) is not list or not all(type(n) in (str, bytes) for n in names):
        raise DataError(f"{path}: '{key}' is not a list of names (str or bytes); the metadata file is "
                        f"wrong, replace it")
    return [n.decode("utf-8", "replace") if isinstance(n, bytes) else n for n in names]
