"""Runs that fail the way a worker fails (importable by spawned and Ray workers): see test_reliability_executors."""
import os
import time
from pathlib import Path

from lib.experiments import RunResult


def dies_after(marker: str, seconds: float, *, seed: int, label: str, always: bool = False) -> RunResult:
    """A run whose worker process dies ``seconds`` in (its "first epoch"), the first time only unless ``always``."""
    if always or not os.path.exists(marker):
        time.sleep(seconds)
        Path(marker).touch()
        os._exit(1)
    return RunResult(label=label, seed=seed, metrics={"value": 1.0})


def slow_start(seconds: float, *, seed: int, label: str) -> RunResult:
    """A run that takes ``seconds`` (a worker still importing TensorFlow when the other dies)."""
    time.sleep(seconds)
    return RunResult(label=label, seed=seed, metrics={"value": 2.0})


def dies_after_with(data, marker: str, seconds: float, *, seed: int, label: str, always: bool = False) -> RunResult:
    return dies_after(marker, seconds, seed=seed, label=label, always=always)


def slow_start_with(data, seconds: float, *, seed: int, label: str) -> RunResult:
    return slow_start(seconds, seed=seed, label=label)


def prints_an_epoch(*, seed: int, label: str) -> RunResult:
    """A run that prints one epoch line, as the training loops do."""
    print(f"[{label}] epoch 1/1 loss 0.5000 (0.1 s)", flush=True)
    return RunResult(label=label, seed=seed, metrics={"value": 1.0})
