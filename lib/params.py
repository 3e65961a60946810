"""Parameter schemas and validation: bad input fails fast, in one line, before any training."""
from __future__ import annotations

import copy
import difflib
import math
import reprlib
from dataclasses import dataclass
from typing import Any

from .errors import ParamError

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


@dataclass(frozen=True)
class Param:
    kind: str                      # "int", "float", "bool", "str", "list[int]"
    optional: bool = False         # None allowed
    low: float | None = None
    high: float | None = None
    low_open: bool = False         # low < value instead of low <= value
    high_open: bool = False
    choices: tuple = ()
    help: str = ""
    default: Any = None            # the value a notebook runs with unless a profile sets another
    unique: bool = False           # a list whose values must differ (seeds: a repeat is the same run twice)

    def check(self, name: str, value: Any) -> None:
        if value is None:
            if self.optional:
                return
            raise ParamError(f"parameter {name} must not be empty (null); give a {self.kind}")
        if not _has_kind(self.kind, value):
            raise ParamError(f"parameter {name} must be {self.kind}, got {type(value).__name__} {shown(value)}")
        if self.choices and value not in self.choices:
            raise ParamError(f"parameter {name}={shown(value)} is not one of {', '.join(map(repr, self.choices))}")
        for v in (value if isinstance(value, list) else [value]):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            # NaN passes every range comparison, so it must be refused by name; an int is always finite
            # (and one past float's range would overflow math.isfinite)
            if isinstance(v, float) and not math.isfinite(v):
                bounds = f" ({self._range()})" if self.low is not None or self.high is not None else ""
                raise ParamError(f"parameter {name}={shown(value)} is not a finite number; "
                                 f"give a finite {self.kind}{bounds}")
            if self.low is not None and (v < self.low or (self.low_open and v == self.low)):
                raise ParamError(f"parameter {name}={shown(value)} is out of range: {self._range()}")
            if self.high is not None and (v > self.high or (self.high_open and v == self.high)):
                raise ParamError(f"parameter {name}={shown(value)} is out of range: {self._range()}")
        if self.kind.startswith("list") and not value:
            raise ParamError(f"parameter {name} must list at least one value")
        if self.unique and isinstance(value, list) and len(set(value)) != len(value):
            twice = sorted({v for v in value if value.count(v) > 1})
            raise ParamError(f"parameter {name} lists {shown(twice[0])} twice; give each value once")

    def _range(self) -> str:
        lo = "" if self.low is None else f"{self.low} {'<' if self.low_open else '<='} "
        hi = "" if self.high is None else f" {'<' if self.high_open else '<='} {self.high}"
        return f"need {lo}value{hi}"


def _has_kind(kind: str, value: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "list[int]":
        return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if kind == "list[float]":
        return isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                               for v in value)
    if kind == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    raise ValueError(f"unknown parameter kind {kind}")


@dataclass(frozen=True)
class NameList(Param):
    """A list of names, each of which must be one of ``choices`` (``item`` says what a name is); no repeats."""
    item: str = "value"

    def check(self, name, value):
        if value is None or not isinstance(value, list):
            return super().check(name, value)
        Param(self.kind, optional=self.optional, help=self.help).check(name, value)  # type, non-empty
        for v in value:
            if v not in self.choices:
                raise ParamError(f"parameter {name}: {unknown_name_error(self.item, v, self.choices)}")
        if len(set(value)) != len(value):
            raise ParamError(f"parameter {name} lists a name twice: {shown(value)}")


def positive_int(help="", high=None, optional=False, default=None) -> Param:
    return Param("int", optional=optional, low=1, high=high, help=help, default=default)


def rate(help="", default=None) -> Param:
    return Param("float", low=0.0, high=1.0, high_open=True, help=help, default=default)


def defaults(schema: dict[str, Param]) -> dict:
    """Every parameter's default (fresh copies: a caller may change a list in place)."""
    return {name: copy.deepcopy(p.default) for name, p in schema.items()}


class _ShortRepr(reprlib.Repr):
    """repr() for values from a file: bounded in depth and length, so a YAML alias bomb or a
    self-referencing list prints in a line, and an integer too long for Python's digit limit
    (a hex literal in YAML passes it) is described instead of raising ValueError."""

    def __init__(self):
        super().__init__()
        self.maxlevel, self.maxlist, self.maxdict, self.maxstring, self.maxother = 3, 6, 6, 60, 60

    def repr_int(self, x, level):
        if x.bit_length() > 200:
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return repr(x)

    def repr_bool(self, x, level):  # bool is an int subclass; keep True/False
        return repr(x)


_short = _ShortRepr()


def shown(value: Any) -> str:
    """A value from outside as an error message may show it: one short line, never an exception."""
    try:
        text = " ".join(_short.repr(value).split())
        return text if len(text) <= 160 else text[:157] + "..."
    except Exception:  # a repr that fails must not replace the error being reported
        return f"<a {type(value).__name__}>"


def unknown_name_error(kind: str, name, valid) -> ParamError:
    valid = sorted(valid)
    if not isinstance(name, str):  # YAML keys may be numbers, booleans, dates or lists
        return ParamError(f"{kind} name {shown(name)} is a {type(name).__name__}, not a name; "
                          f"write one of: {', '.join(valid)}")
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ParamError(f"unknown {kind} {shown(name)}{hint}; valid: {', '.join(valid)}")


def validate(schema: dict[str, Param], values: dict, *, where: str = "", complete: bool = False) -> dict:
    """Check ``values`` against ``schema``; return them unchanged or raise ParamError.

    Unknown names are refused with the closest valid name; ``complete``
    also demands every schema name (the notebook's full parameter set).
    """
    prefix = f"{where}: " if where else ""
    for name in values:
        if not isinstance(name, str) or name not in schema:
            raise ParamError(prefix + str(unknown_name_error("parameter", name, schema)))
    if complete:
        missing = [n for n in schema if n not in values]
        if missing:
            raise ParamError(f"{prefix}missing parameters {', '.join(missing)}")
    for name, value in values.items():
        try:
            schema[name].check(name, value)
        except ParamError as exc:
            raise ParamError(prefix + str(exc)) from None
    return dict(values)
