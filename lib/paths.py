"""Project locations; relative paths in parameters are taken from the project root."""
from __future__ import annotations

import os
from pathlib import Path

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = PROJECT_ROOT / "notebooks"
# SMALLIMG_PARAMS_DIR points at another parameter tree (tools.bench_executors runs shortened copies).
PARAMS = Path(os.environ.get("SMALLIMG_PARAMS_DIR") or PROJECT_ROOT / "params").expanduser()
BUILD = PROJECT_ROOT / "build"
REPORTS = PROJECT_ROOT / "reports"
# The run cache; SMALLIMG_CACHE_DIR moves it (the tests point it into a temporary directory).
CACHE = Path(os.environ.get("SMALLIMG_CACHE_DIR") or BUILD / "cache").expanduser()


def keras_home() -> Path:
    """The Keras home folder, found the way Keras finds it, without importing Keras.

    Importing Keras starts TensorFlow (seconds, and its start-up lines in the terminal); the
    report's own process checks the data and must not pay for that.
    """
    if "KERAS_HOME" in os.environ:
        return Path(os.environ["KERAS_HOME"])
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return Path(base) / ".keras"


def shown(path: str | Path) -> str:
    """A path as the user should type it: relative to the project when inside it."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def resolve(path: str | Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path
