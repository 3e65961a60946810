"""Atomic writes: a reader sees the old file or the new one, never half of one."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .errors import OutputError
from .paths import short_path

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def ensure_writable_dir(path: str | os.PathLike, what: str = "output") -> Path:
    """Create ``path`` if needed and prove it is writable, or raise OutputError."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise OutputError(
            f"cannot write the {what} directory {short_path(path)}: {write_problem(exc)}; "
            f"fix that or point the run elsewhere"
        ) from None
    return path


def atomic_write(path: str | os.PathLike, writer: Callable[[Path], None], suffix: str = ".tmp") -> Path:
    """Call ``writer(tmp_path)`` then rename the temporary file onto ``path``.

    The temporary file sits in the same directory so the rename is atomic;
    ``suffix`` is for writers that insist on a file extension.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; outputs are for everyone to read
    try:
        writer(tmp_path)
        os.replace(tmp_path, path)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    return path


def set_aside(path: str | os.PathLike, why: str, what: str = "file") -> tuple[Path | None, str]:
    """Rename a damaged or foreign ``path`` to ``<name>.damaged-<n>`` beside it.

    Kept rather than deleted: the user may want to see what was wrong with it. The caller then
    recomputes what the file held, and shows the user the warning. Returns (the new path, the warning
    naming both), or (None, "") if the file went meanwhile, e.g. another run set it aside first.
    """
    path = Path(path)
    for n in range(1, 1000):
        aside = path.with_name(f"{path.name}.damaged-{n}")
        if aside.exists():
            continue
        try:
            os.rename(path, aside)  # no os.replace: never clobber an earlier damaged copy
        except FileNotFoundError:
            return None, ""
        except OSError as exc:
            return None, (f"{what} {path} is damaged ({why}) and cannot be set aside ({exc.strerror or exc}); "
                          f"ignoring it and recomputing; delete it by hand")
        return aside, f"{what} {path} is damaged ({why}); set aside as {aside.name}, recomputing"
    return None, ""


def write_problem(exc: OSError) -> str:
    """Why a write failed, in words (a study's failure reaches the index: no errno text there)."""
    import errno

    return {errno.ENOSPC: "the file system is full", errno.EDQUOT: "the disk quota is used up",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied",
            errno.EROFS: "the file system is read-only", errno.EISDIR: "a folder is in its place",
            errno.ENOTDIR: "a file stands where a folder on its way belongs",
            errno.ELOOP: "a symbolic link on its way loops", errno.ENAMETOOLONG: "the path is too long",
            errno.EIO: "a disk input/output error", errno.EFBIG: "the file is too large for the file system",
            errno.ENOENT: "a folder on its way does not exist"}.get(exc.errno, "the operating system refused it")


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        kept = "the previous file is kept" if path.is_file() else "nothing was written"
        return OutputError(f"cannot write {short_path(path)}: {write_problem(exc)}; {kept}; "
                           f"free space there and run again")
    return OutputError(f"cannot write {short_path(path)}: {write_problem(exc)}; fix its permissions or remove "
                       f"whatever is in its place")


def write_text(path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes(path, data: bytes) -> Path:
    return atomic_write(path, lambda p: p.write_bytes(data))


def write_json(path, obj: Any) -> Path:
    return write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=_jsonable) + "\n")


def read_json(path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def save_figure(fig, path, **kwargs) -> Path:
    """Save a matplotlib figure atomically; the format comes from ``path``'s suffix."""
    fmt = Path(path).suffix.lstrip(".") or "png"
    return atomic_write(path, lambda p: fig.savefig(p, format=fmt, bbox_inches="tight", **kwargs))


def _jsonable(value):
    # numpy scalars and arrays appear in metrics; JSON wants plain Python.
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def array_digest(x: np.ndarray) -> str:
    """A short digest of an array's dtype, shape and bytes: how the run cache names data."""
    x = np.ascontiguousarray(x)
    h = hashlib.sha256(f"{x.dtype.str}{x.shape}".encode())
    h.update(x.view(np.uint8).reshape(-1).data if x.size else b"")
    return h.hexdigest()[:20]
