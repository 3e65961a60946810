"""Project locations; relative paths in parameters are taken from the project root."""
from __future__ import annotations

import os
from pathlib import Path

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = PROJECT_ROOT / "notebooks"
PARAMS = PROJECT_ROOT / "params"
BUILD = PROJECT_ROOT / "build"
REPORTS = PROJECT_ROOT / "reports"
# The run cache; SMALLIMG_CACHE_DIR moves it (the tests point it into a temporary directory).
CACHE = Path(os.environ.get("SMALLIMG_CACHE_DIR") or BUILD / "cache").expanduser()


def resolve(path: str | Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path
