"""Exceptions whose message is one line: what is wrong and how to fix it."""

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def one_line(text) -> str:
    """``text`` with every run of whitespace, line breaks included, made one space."""
    return " ".join(str(text).split())


class ProjectError(Exception):
    """Base class. ``str(err)`` is a single line meant for the user."""

    def __init__(self, message: str):
        super().__init__(one_line(message))


class DataError(ProjectError):
    """A dataset is missing, truncated, corrupted, unsafe or malformed."""


class ParamError(ProjectError):
    """A profile, study or parameter is unknown, mistyped or out of range."""


class OutputError(ProjectError):
    """A build or report directory cannot be written."""


class TrainingDiverged(ProjectError):
    """A loss became NaN or infinite during training."""
