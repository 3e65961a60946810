"""Run results cached under a key of (parameters, code version, data fingerprint).

A notebook asks for a run by its full specification; when an identical run
already finished (same inputs, same library code, same data) its stored
result is returned instead of training again.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

from . import io

_LIB_DIR = Path(__file__).resolve().parent


# Modules that only present, validate or orchestrate: they never change what a training run
# stores, so editing them (a plot, a table, the index, an error message) re-renders from the cache
# instead of retraining. Everything else, including any module added later, is part of the key.
PRESENTATION_MODULES = frozenset({
    "bench.py", "errors.py", "goldens.py", "index.py", "params.py", "paths.py", "pipeline.py",
    "plots.py", "render.py", "report.py", "stats.py", "studies.py",
    "gan/plots.py", "gan/tables.py", "synthetic/figures.py",
})


def code_version(lib_dir: Path = _LIB_DIR) -> str:
    """Hash of the library sources that determine a run's result (all but PRESENTATION_MODULES)."""
    h = hashlib.sha256()
    for path in sorted(Path(lib_dir).rglob("*.py")):
        name = path.relative_to(lib_dir).as_posix()
        if name in PRESENTATION_MODULES:
            continue
        h.update(name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


class RunCache:
    def __init__(self, root: str | Path, enabled: bool = True):
        self.root = Path(root)
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def key(self, spec: dict) -> str:
        payload = json.dumps({"spec": spec, "code": code_version()}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]

    def path(self, spec: dict) -> Path:
        return self.root / f"{self.key(spec)}.json"

    def workdir(self, spec: dict) -> Path | None:
        """Where a run keeps its epoch checkpoints and final weights (None when caching is off)."""
        return self.root / self.key(spec) if self.enabled else None

    def get_or_run(self, spec: dict, run: Callable, *args, **kwargs) -> dict:
        """Return the stored result for ``spec``, or ``run(*args, **kwargs)`` and store it.

        ``run`` returns a dict or an object with ``to_dict()``; only results
        whose ``status`` is ``"ok"`` are stored, so failures are retried.
        """
        path = self.path(spec)
        if self.enabled and path.is_file():
            try:
                stored = io.read_json(path)
                self.hits += 1
                return stored["result"]
            except (ValueError, KeyError):
                pass  # a damaged entry is recomputed, never trusted
        self.misses += 1
        result = run(*args, **kwargs)
        if hasattr(result, "to_dict"):
            result = result.to_dict()
        if self.enabled and result.get("status", "ok") == "ok":
            io.write_json(path, {"spec": spec, "result": result})
        return result
