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


def _chain(exc: BaseException):
    """``exc``, what it was raised from or during, and a URLError's reason: Keras wraps the socket error twice."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        reason = getattr(e, "reason", None)
        todo += [e.__cause__, e.__context__, reason if isinstance(reason, BaseException) else None]


def download_problem(exc: BaseException) -> str:
    """Why a download failed, in words a page can show: never an exception class, errno or URL.

    The exception's own text belongs in the study log; this is the reason a reader can act on.
    """
    import errno
    import socket
    import ssl

    for e in _chain(exc):
        code = getattr(e, "code", None)
        if isinstance(code, int) and 100 <= code < 600:   # urllib's HTTPError
            return f"the download server answered HTTP {code}"
        if isinstance(e, socket.gaierror):
            return "no network connection (the download server's name could not be looked up)"
        if isinstance(e, ssl.SSLError):
            return "no secure connection to the download server (its certificate could not be checked)"
        if isinstance(e, (TimeoutError, socket.timeout)):
            return "the download timed out (a slow or blocked network connection)"
        if isinstance(e, ConnectionRefusedError):
            return "the download server refused the connection (a firewall or proxy may block it)"
        if isinstance(e, (ConnectionResetError, ConnectionAbortedError)):
            return "the connection broke off during the download"
        if isinstance(e, OSError) and e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return "no network connection (the network is unreachable)"
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return "no space left on the disk to save the download"
        if isinstance(e, (PermissionError, OSError)) and e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "the download folder cannot be written"
        text = str(e)
        if "Name or service not known" in text or "name resolution" in text or "nodename nor servname" in text:
            return "no network connection (the download server's name could not be looked up)"
        if "hash does not match" in text or "corrupted file" in text:
            return "the downloaded file was incomplete or corrupted (its checksum did not match)"
    return "the download failed (the study log has the details)"
