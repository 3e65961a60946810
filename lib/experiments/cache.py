"""The run cache: a call's result stored under a key taken from the call itself.

``Cache.call(fn, *args, **kwargs)`` keys the result by ``fn``'s name, every
argument that reaches it (defaults applied, so an argument left at its default
is keyed too) and the version of the library code that ``fn`` and its callable
arguments can reach by import. Data enters through the arguments and is keyed
by content, so editing a loader, a plot or the index never retrains, while
editing a model, the training loop or a changed argument always does. This is
how ``joblib.Memory`` keys a call, with two differences that matter here: the
code version covers the modules a run imports (not only the function's own
source), and a run gets a per-key work directory for resumable checkpoints.

A run in progress is owned: the process that prepares it holds an exclusive ``flock`` on
``runs/<key>.lock`` until its result is stored (or it fails), and the operating system lets go of
the lock when that process dies, however it dies. Another process (a second report on a shared
cache) never resumes a run whose owner lives: it trains its own copy from scratch in a private work
directory and leaves the entry to the owner, so both compute the same numbers. A run whose owner
died is resumed by the next process that prepares it.
"""
from __future__ import annotations

import ast
import dataclasses
import fcntl
import functools
import hashlib
import inspect
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import io
from ..progress import warn_user
from .record import RunResult

LIB_DIR = Path(__file__).resolve().parent.parent
_PACKAGE = LIB_DIR.name


# ---------------------------------------------------------------- arguments -> token

def token(value: Any) -> Any:
    """A JSON-able stand-in for ``value`` that changes whenever ``value`` does.

    Objects may define ``cache_token()`` (a Split hashes its arrays once). An
    argument of a type we cannot key is refused: a silent ``str()`` would let
    two different arguments share one cache entry.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "cache_token") and not isinstance(value, type):
        return {"object": _qualname(type(value)), "token": token(value.cache_token())}
    if isinstance(value, np.ndarray):
        return {"ndarray": io.array_digest(value)}
    if isinstance(value, np.generic):
        return token(value.item())
    if isinstance(value, (list, tuple)):
        return [token(v) for v in value]
    if isinstance(value, dict):
        return {str(k): token(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(token(v), sort_keys=True) for v in value)
    if isinstance(value, functools.partial):
        return {"partial": token(value.func), "args": token(value.args), "kwargs": token(value.keywords)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"dataclass": _qualname(type(value)),
                "fields": {f.name: token(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if inspect.isfunction(value) or inspect.isclass(value) or inspect.isbuiltin(value) or inspect.ismethod(value):
        return {"callable": _qualname(value)}
    if hasattr(value, "get_config"):  # Keras layers, models, optimizers
        return {"keras": _qualname(type(value)), "config": json.loads(json.dumps(value.get_config(), default=str))}
    if hasattr(value, "num_replicas_in_sync"):  # tf.distribute strategies
        return {"strategy": type(value).__name__, "replicas": int(value.num_replicas_in_sync)}
    raise TypeError(f"cannot key an argument of type {type(value).__name__} for the run cache; "
                    f"give it a cache_token() method")


def _qualname(obj) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__name__)}"


# ---------------------------------------------------------------- code version

# A module that presents, validates, orchestrates or writes files, and never changes what a run computes,
# says so itself with a top-level `CACHE_NEUTRAL = True`; everything in the report package is neutral by
# rule. Editing such a module re-renders pages from the cache; any other module a run imports is part of
# its key. The declaration lives in the module, so moving or renaming a file cannot silently change it.
NEUTRAL_PACKAGES = ("report",)
_MARKER = re.compile(rb"^CACHE_NEUTRAL\s*=\s*True\b", re.MULTILINE)


@functools.lru_cache(maxsize=512)
def _declares_neutral(path: Path, mtime_ns: int, size: int) -> bool:
    return _MARKER.search(path.read_bytes()) is not None


def is_cache_neutral(path: Path) -> bool:
    """True when editing ``path`` (a file under LIB_DIR) cannot change what any run computes."""
    if path.relative_to(LIB_DIR).parts[0] in NEUTRAL_PACKAGES:
        return True
    st = path.stat()
    return _declares_neutral(path, st.st_mtime_ns, st.st_size)


def _module_file(module: str) -> Path | None:
    """lib.x.y -> its source file under LIB_DIR (a package's __init__.py), or None outside lib."""
    parts = module.split(".")
    if parts[0] != _PACKAGE:
        return None
    base = LIB_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(LIB_DIR).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([_PACKAGE, *parts])


@functools.lru_cache(maxsize=512)
def _imports_of(path: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    """Modules of lib imported anywhere in ``path`` (lazy imports inside functions too)."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - (node.level - 1)] if node.level else []
            mod = ".".join([*base, *(node.module.split(".") if node.module else [])])
            submodules = [f"{mod}.{a.name}" for a in node.names if _module_file(f"{mod}.{a.name}")]
            # `from . import io` reads lib/io.py; only names that are not modules come from mod itself
            found += submodules
            if len(submodules) < len(node.names):
                found.append(mod)
    return tuple(m for m in found if m.split(".")[0] == _PACKAGE)


def _closure(modules: set[str]) -> list[Path]:
    seen: dict[Path, None] = {}
    todo = [m for m in modules]
    while todo:
        # Parent packages' __init__ files run on import too, but only re-export names: what a
        # run computes comes from the modules it names, so they are not followed.
        path = _module_file(todo.pop())
        if path is None or path in seen or is_cache_neutral(path):
            continue
        seen[path] = None
        st = path.stat()
        todo += _imports_of(path, st.st_mtime_ns, st.st_size)
    return sorted(seen)


def _modules_in(value: Any, out: set[str]) -> None:
    """The lib modules of every callable reachable from ``value`` (partials, lists, dicts)."""
    if isinstance(value, functools.partial):
        _modules_in(value.func, out)
        _modules_in(value.args, out)
        _modules_in(value.keywords, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _modules_in(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _modules_in(v, out)
    elif callable(value) or hasattr(value, "cache_token"):
        module = getattr(value, "__module__", None) or getattr(type(value), "__module__", "")
        if module and module.split(".")[0] == _PACKAGE:
            out.add(module)


def code_version(fn: Callable, arguments: dict | None = None) -> str:
    """Hash of the code of the lib modules ``fn`` (and the callables among its arguments) can import."""
    modules: set[str] = set()
    _modules_in(fn, modules)
    _modules_in(arguments or {}, modules)
    h = hashlib.sha256()
    for path in _closure(modules):
        h.update(path.relative_to(LIB_DIR).as_posix().encode())
        h.update(_code_of(path.read_bytes()).encode())
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=512)  # keyed by the source itself: an edit within one mtime tick still counts
def _code_of(source: bytes) -> str:
    """What of a module's ``source`` can change a run: its syntax tree without docstrings, so that a comment, a
    docstring or a reformatting leaves every key as it was."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False)


# ---------------------------------------------------------------- the cache

class Cache:
    """Results of finished runs, keyed by the call (see the module docstring).

    Only results whose status is ``"ok"`` are stored, so a failed or diverged
    run is tried again next time; a damaged entry is recomputed, never trusted.
    """

    def __init__(self, root: str | Path, enabled: bool = True):
        self.root = Path(root)
        self.enabled = enabled
        self.reused = 0
        self.trained = 0
        self._owned: dict[str, Any] = {}   # key -> the open lock file of a run this process owns
        self.guests: set[str] = set()      # keys whose run another live process owns: trained here, not stored

    def key(self, fn: Callable, *args, ignore: tuple[str, ...] = (), **kwargs) -> str:
        arguments = _bind(fn, args, kwargs, ignore)
        payload = {"fn": _qualname(fn.func if isinstance(fn, functools.partial) else fn),
                   "args": token(arguments), "code": code_version(fn, arguments), "context": runtime_context()}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]

    def entry(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def workdir(self, key: str) -> Path:
        return self.root / "runs" / key

    def stored(self, key: str) -> RunResult | None:
        """The stored result of ``key``, or None (also for a damaged entry or a missing artifact file)."""
        path = self.entry(key)
        if not (self.enabled and path.is_file()):
            return None
        result, problem = read_entry(path)
        if problem:  # kept aside for a look, out of the way of this and every later run
            _set_aside(path, problem, "run cache entry")
            return None
        if not all(Path(p).is_file() for p in _artifact_files(result.artifacts)):
            return None
        return result

    def call(self, fn: Callable, *args, workdir: str | None = None, ignore: tuple[str, ...] = ("log",),
             **kwargs) -> RunResult:
        """``fn(*args, **kwargs)`` or its stored result.

        ``workdir`` names a keyword argument of ``fn`` that receives this call's
        own directory (epoch checkpoints, image grids), so an interrupted run
        resumes where it stopped and a finished one keeps its files beside its
        entry. Arguments named in ``ignore`` only change what is printed.
        """
        key, found, kwargs = self.prepare(fn, *args, workdir=workdir, ignore=ignore, **kwargs)
        if found is not None:
            return found
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            self.release(key)
            raise
        return self.store(key, fn, result)

    def prepare(self, fn: Callable, *args, workdir: str | None = None, ignore: tuple[str, ...] = ("log",),
                **kwargs) -> tuple[str, RunResult | None, dict]:
        """The first half of :meth:`call`, for executors that run ``fn`` elsewhere (lib.experiments.executors):
        ``(key, stored result or None, kwargs with the work directory filled in)``."""
        key = self.key(fn, *args, ignore=(*ignore, *((workdir,) if workdir else ())), **kwargs)
        found = self.stored(key)
        if found is not None:
            self.reused += 1
            found.cached = True
            return key, found, kwargs
        if workdir:
            directory = self.workdir(key) if self.enabled else None
            owner = self.own(key) if directory is not None else None
            if owner is not None:  # its checkpoint is another live process's, still being written
                directory = self.guest_workdir(key)
                shutil.rmtree(directory, ignore_errors=True)
                self.guests.add(key)
                print(f"run cache: {kwargs.get('label') or key} is in progress in another process "
                      f"({f'pid {owner}' if owner else 'pid unknown'}, key {key}); trained here from scratch in the run "
                      f"cache's runs/{directory.name}, not resumed from its checkpoint, and its entry left to that "
                      f"process", flush=True)
            elif directory is not None and self.entry(key).is_file():
                shutil.rmtree(directory, ignore_errors=True)  # an entry whose files went: start afresh
            kwargs[workdir] = directory
        self.trained += 1
        return key, None, kwargs

    def lockfile(self, key: str) -> Path:
        return self.root / "runs" / f"{key}.lock"

    def guest_workdir(self, key: str) -> Path:
        """Where this process trains a run that another live process owns (see the module docstring)."""
        return self.root / "runs" / f"{key}.guest-{os.getpid()}"

    def own(self, key: str) -> int | None:
        """Take ownership of ``key``'s run in progress: None once this process owns it, else the pid of the live
        process that does (0 when it wrote none). The lock goes with :meth:`release` or this process's death."""
        if key in self._owned:
            return None
        path = self.lockfile(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            text = fh.read().strip()
            fh.close()
            return int(text) if text.isdigit() else 0
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._owned[key] = fh
        return None

    def release(self, key: str) -> None:
        """Let go of ``key``'s run (stored, failed or interrupted); the lock file stays, unlocked."""
        fh = self._owned.pop(key, None)
        if fh is not None:
            fh.close()  # closing the file releases its flock

    def store(self, key: str, fn: Callable, result) -> RunResult:
        """The second half of :meth:`call`: ``result`` as a RunResult, stored under ``key`` if it is ok."""
        result = result if isinstance(result, RunResult) else RunResult.from_dict(
            result.to_dict() if hasattr(result, "to_dict") else result)
        if self.enabled and result.ok and key not in self.guests:
            io.write_json(self.entry(key), {"fn": _qualname(fn), "result": result.to_dict()})
        self.release(key)
        return result


# The type each field of a stored RunResult must have (JSON gives int for a whole float).
_RECORD_TYPES = {"label": str, "seed": int, "status": str, "message": str, "history": dict, "metrics": dict,
                 "epochs_run": int, "best_epoch": int, "seconds": (int, float), "variant": str, "artifacts": dict,
                 "cached": bool}


def read_entry(path: Path) -> tuple[RunResult | None, str]:
    """(the RunResult stored at ``path``, "") or (None, what is wrong with the file).

    The file is checked field by field before it is trusted: a truncated, empty or foreign file
    (valid JSON of another shape included) must cost a recomputation, never a study.
    """
    try:
        data = io.read_json(path)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None, f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"
    record = data.get("result") if isinstance(data, dict) else None
    if not isinstance(record, dict):
        return None, "not a run cache entry (no result record)"
    for name, kind in _RECORD_TYPES.items():
        if name in record and (not isinstance(record[name], kind) or (kind is int and isinstance(record[name], bool))):
            return None, f"its {name} is a {type(record[name]).__name__}"
    missing = [n for n in ("label", "seed") if n not in record]
    if missing:
        return None, f"its result lacks {', '.join(missing)}"
    if not all(isinstance(k, str) and isinstance(v, list) and all(_number(x) for x in v)
               for k, v in record.get("history", {}).items()):
        return None, "its history is not lists of numbers"
    if not all(isinstance(k, str) and not isinstance(v, str) for k, v in record.get("metrics", {}).items()):
        return None, "its metrics are not numbers"
    try:
        result = RunResult.from_dict(record)
    except TypeError as exc:
        return None, f"TypeError: {exc}"
    for p in _artifact_files(result.artifacts):
        problem = _damaged_artifact(Path(p))
        if problem:
            _set_aside(p, problem, "run artifact")
            return None, f"its artifact {Path(p).name} was damaged"
    return result, ""


def _number(x) -> bool:
    return x is None or (isinstance(x, (int, float)) and not isinstance(x, bool))


def _damaged_artifact(path: Path) -> str:
    """What is wrong with an .npz or .h5 artifact (every member read, so every checksum checked), or ""."""
    if not path.is_file() or path.suffix not in (".npz", ".h5"):
        return ""
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as npz:
                for name in npz.files:
                    npz[name]
        else:
            import h5py

            with h5py.File(path, "r") as h5:
                h5.visititems(lambda _, obj: obj[()] if isinstance(obj, h5py.Dataset) else None)
    except Exception as exc:  # noqa: BLE001 -- zipfile, numpy and h5py raise many kinds for a damaged file
        return f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"
    return ""


def runtime_context() -> dict:
    """Process-wide settings that change a run's numbers without being an argument of it:
    the Keras dtype policy (bfloat16 or float32) and TensorFlow's op determinism."""
    import sys

    context = {}
    if "keras" in sys.modules:
        import keras

        context["dtype_policy"] = keras.config.dtype_policy().name
    if "tensorflow" in sys.modules:
        from tensorflow.python.framework import config as tf_config  # no public query in TF 2.21

        context["deterministic"] = bool(tf_config.is_op_determinism_enabled())
    return context


def _bind(fn: Callable, args: tuple, kwargs: dict, ignore: tuple[str, ...]) -> dict:
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{_qualname(fn)}: {exc}") from None
    bound.apply_defaults()
    return {k: v for k, v in bound.arguments.items() if k not in ignore}


def _artifact_files(artifacts: dict) -> list[str]:
    """Paths a result points to (keys ending in ``_path`` or ``_paths``, and GAN grids)."""
    files = []
    for key, value in artifacts.items():
        if key.endswith("_path") and isinstance(value, str):
            files.append(value)
        elif key.endswith("_paths") and isinstance(value, list):
            files += [v for v in value if isinstance(v, str)]
        elif key == "grids" and isinstance(value, list):
            files += [g[1] for g in value if isinstance(g, (list, tuple)) and len(g) == 2]
    return files


def _set_aside(path, why: str, what: str) -> None:
    """:func:`lib.io.set_aside`, its warning shown to the user."""
    _, warning = io.set_aside(path, why, what)
    if warning:
        warn_user(warning)
