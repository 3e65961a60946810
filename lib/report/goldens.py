"""nbval goldens compared with a tolerance, not as exact text.

Each notebook's last cell (marked ``# NBVAL_CHECK_OUTPUT``) calls
:func:`check` with a few rounded metrics of its smoke run. With
``golden="check"`` (the notebook default, which nbval runs) they are compared
with ``notebooks/goldens/<study>.json`` as ``pytest.approx`` would, so another
CPU or TensorFlow build that moves a number by round-off does not fail the
suite, while a real change does; the cell's printed line, which nbval compares,
stays the same. ``golden="record"`` rewrites the file (``make goldens``); the
report pipeline passes ``golden="off"``. The recorder is a developer tool:
``python -m tools.record_goldens notebooks/*.ipynb`` (``make goldens``).
"""
from __future__ import annotations

import math
from pathlib import Path

from .. import io
from ..paths import NOTEBOOKS, shown

MARKER = "NBVAL_CHECK_OUTPUT"
GOLDENS = NOTEBOOKS / "goldens"
# Accuracies of tiny smoke runs move by a few hundredths between CPUs (oneDNN kernels differ);
# counts and configuration values do not move at all.
DEFAULT_TOLERANCE = {"abs": 0.03, "rel": 0.05}


class GoldenMismatch(AssertionError):
    pass


def _close(actual: float, expected: float, tol: dict) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    return abs(actual - expected) <= max(tol["abs"], tol["rel"] * abs(expected))


def check(study_key: str, params: dict, metrics: dict, root: Path = GOLDENS) -> str:
    mode = params.get("golden", "off")
    path = Path(root) / f"{study_key}.json"
    metrics = {k: float(v) for k, v in sorted(metrics.items())}
    if mode == "off":
        return "golden check: off"
    if mode == "record":
        io.write_json(path, {"tolerance": DEFAULT_TOLERANCE, "metrics": metrics})
        return f"golden check: {len(metrics)} metrics match {shown(path)} within tolerance"
    if not path.is_file():
        raise GoldenMismatch(f"no golden file {path}; record it with `make goldens`")
    golden = io.read_json(path)
    tol = {**DEFAULT_TOLERANCE, **golden.get("tolerance", {})}
    expected = golden["metrics"]
    problems = [f"{k}: missing" for k in expected if k not in metrics]
    problems += [f"{k}: not in the golden file" for k in metrics if k not in expected]
    problems += [f"{k}: {metrics[k]:.4g} vs golden {expected[k]:.4g}" for k in expected
                 if k in metrics and not _close(metrics[k], float(expected[k]), tol)]
    if problems:
        raise GoldenMismatch(f"{study_key} smoke metrics differ from {path.name} (abs {tol['abs']}, rel "
                             f"{tol['rel']}): {'; '.join(problems)}; if intended, run `make goldens`")
    return f"golden check: {len(metrics)} metrics match {shown(path)} within tolerance"
