"""Readers for the datasets' standard file formats: IDX (Fashion-MNIST) and CIFAR pickles.

CIFAR ships as Python pickles. ``pickle.load`` on an untrusted file can run
arbitrary code, so :func:`load_cifar_pickle` uses an unpickler that resolves
only the few globals a numpy array needs and refuses everything else.
"""
from __future__ import annotations

import gzip
import io
import pickle
import struct
from pathlib import Path

import numpy as np

from ..errors import DataError

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_maybe_gzip(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise DataError(f"missing dataset file {path}; re-create the data directory "
                        f"(see README, 'Data') or remove it to download") from None
    except (EOFError, OSError, gzip.BadGzipFile) as exc:
        raise DataError(f"dataset file {path} is truncated or corrupted ({exc}); "
                        f"replace it with a fresh copy") from None


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed) into a numpy array."""
    path = Path(path)
    raw = _read_maybe_gzip(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number); replace it with the official file")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated (header incomplete); replace it with a fresh copy")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(f"{path} holds {len(raw) - header} data bytes but its header promises "
                        f"{expected} (shape {dims}); the file is truncated or corrupted, replace it")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).copy()


class ForbiddenGlobal(pickle.UnpicklingError):
    """The pickle asked for a global outside the allow-list."""


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that admits only numpy arrays, dtypes and plain containers.

    Dicts, lists, bytes, str and numbers need no globals at all; numpy arrays
    need the reconstruct function, the ndarray and dtype classes and (for
    Python-2 era pickles) ``_codecs.encode``.
    """

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"): ("numpy._core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"): ("numpy._core.multiarray", "scalar"),
        ("numpy", "ndarray"): ("numpy", "ndarray"),
        ("numpy", "dtype"): ("numpy", "dtype"),
        ("_codecs", "encode"): ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        target = self._ALLOWED.get((module, name))
        if target is None:
            raise ForbiddenGlobal(f"global '{module}.{name}' is not allowed")
        return super().find_class(*target)


def load_cifar_pickle(path: str | Path) -> dict:
    """Load one CIFAR batch/meta file safely; keys come back as ``str``."""
    path = Path(path)
    raw = _read_maybe_gzip(path)
    try:
        obj = RestrictedUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except ForbiddenGlobal as exc:
        raise DataError(f"refusing to load {path}: {exc} (a CIFAR file holds only arrays, "
                        f"lists and dicts); replace it with the official file") from None
    except Exception as exc:  # truncated pickles raise EOFError, ValueError, ...
        raise DataError(f"{path} is truncated or corrupted ({type(exc).__name__}: {exc}); "
                        f"replace it with a fresh copy") from None
    if not isinstance(obj, dict):
        raise DataError(f"{path} does not hold a CIFAR dictionary; replace it with the official file")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in obj.items()}


def cifar_images(batch: dict, path: Path) -> np.ndarray:
    """Convert a batch's flat CHW rows (N, 3072) into NHWC uint8 images."""
    data = np.asarray(batch.get("data"))
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or data.dtype != np.uint8:
        raise DataError(f"{path}: 'data' has shape {data.shape} and dtype {data.dtype}, "
                        f"expected (N, 3072) uint8; the file is not a CIFAR batch")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()


def names_from_meta(meta: dict, key: str) -> list[str]:
    return [n.decode() if isinstance(n, bytes) else str(n) for n in meta[key]]
