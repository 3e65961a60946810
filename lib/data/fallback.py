"""Which dataset a study runs on: the requested one or, when it cannot be had, a declared fallback.

CIFAR-100 cannot be downloaded on an offline machine. A study that names a
``fallback_dataset`` then runs on that one instead, and the returned reason
says so, for the page header and every number; without a fallback the
one-line :class:`~lib.errors.DataError` stands. Only absence falls back
(no local copy and no download); a local copy with bad files is an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import Dataset, load_dataset, load_for_study, resolve_source
from ..errors import DataError

PRETTY = {"cifar100": "CIFAR-100", "cifar10": "CIFAR-10", "fashion_mnist": "Fashion-MNIST"}


@dataclass
class DataChoice:
    ds: Dataset
    generated: bool
    requested: str
    used: str
    reason: str = ""             # why ``used`` differs from ``requested`` (empty when it does not)

    @property
    def fell_back(self) -> bool:
        return self.used != self.requested

    def label(self) -> str:
        """'CIFAR-100' or 'CIFAR-10 (fallback: CIFAR-100 unavailable)', for every number on the page."""
        name = PRETTY.get(self.used, self.used)
        return f"{name} (fallback: {PRETTY.get(self.requested, self.requested)} unavailable)" if self.fell_back else name


def _available(name: str, data_dir) -> tuple[bool, str]:
    """(True, where it would come from: "data_dir", "system", "keras-cache" or "download") when ``name`` can be
    read locally or downloaded; else (False, the one-line reason it cannot)."""
    try:
        _, kind, _ = resolve_source(name, data_dir)
    except DataError as exc:
        return False, str(exc)
    return True, kind


def load_with_fallback(dataset: str, fallback: str | None, params: dict, output_dir: Path) -> DataChoice:
    """Load ``dataset`` as ``params["data_source"]`` says, or ``fallback`` when ``dataset`` is unavailable."""
    if params["data_source"] == "generated":
        ds, generated = load_for_study(dataset, params, output_dir)
        return DataChoice(ds, generated, dataset, dataset)
    data_dir = params.get("data_dir")
    ok, detail = _available(dataset, data_dir)
    if ok:
        try:
            return DataChoice(load_dataset(dataset, data_dir), False, dataset, dataset)
        except DataError as exc:
            if detail != "download":   # local files that fail their checks are an error, not an absence
                raise
            ok, detail = False, str(exc)
    if not fallback or fallback == dataset:
        raise DataError(detail)
    if data_dir:   # the reason goes on the page, where this machine's paths mean nothing
        detail = detail.replace(str(data_dir), "the data directory")
    # ...and so do the fix's environment variables and parameter names: the page states why, the README how.
    detail = detail.split("; ")[0].replace(f"cannot get {dataset}: ", "")
    reason = (f"{PRETTY.get(dataset, dataset)} is not available on this machine ({detail.rstrip('.')}), so this run "
              f"uses {PRETTY.get(fallback, fallback)}, as the profile allows (the README's 'Data' section says "
              f"how to provide {PRETTY.get(dataset, dataset)})")
    return DataChoice(load_dataset(fallback, data_dir), False, dataset, fallback, reason)
