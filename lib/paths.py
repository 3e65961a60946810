"""Project locations; relative paths in parameters are taken from the project root."""
from __future__ import annotations

import errno
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
    except (ValueError, OSError, RuntimeError):  # outside the project; or unresolvable (a loop: RuntimeError)
        return short_path(path)


def short_path(path: str | Path, limit: int = 120) -> str:
    """``path`` for a one-line message: whole when short, else its start and end and its length."""
    text = str(path)
    return text if len(text) <= limit else f"{text[:60]}…{text[-40:]} ({len(text):,} characters)"


def path_problem(exc: OSError) -> tuple[str, str]:
    """(what is wrong, what to do) in words, for an OSError met while reaching a path the user gave.

    The words complete "<the path> ...": "does not exist", "is a symbolic link that loops", ...
    """
    code = exc.errno
    if code == errno.ENOENT:
        return "does not exist", "create it or correct the path"
    if code == errno.ELOOP:
        return ("is a symbolic link that loops (it, or a link on its way, leads back to itself)",
                "point the link at a real directory or give the real path")
    if code == errno.ENAMETOOLONG:
        return "is too long a path for this system (or has a part too long)", "give a shorter path"
    if code == errno.ENOTDIR:
        return "goes through a file as if it were a folder", "correct the path"
    if code in (errno.EACCES, errno.EPERM):
        return "cannot be reached: permission denied", "fix the permissions of it and the folders above it"
    return (f"cannot be reached ({exc.strerror or 'the operating system refused it'})",
            "correct the path or point it elsewhere")


def resolve(path: str | Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path
