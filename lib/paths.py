"""Project locations; relative paths in parameters are taken from the project root."""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = PROJECT_ROOT / "notebooks"
PARAMS = PROJECT_ROOT / "params"
BUILD = PROJECT_ROOT / "build"
REPORTS = PROJECT_ROOT / "reports"
CACHE = BUILD / "cache"


def resolve(path: str | Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path
