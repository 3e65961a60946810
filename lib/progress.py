"""Marker lines a study prints for the report pipeline's progress view.

A notebook runs in its own kernel; the pipeline sees only its output. These
lines tell it where the study is (run 4 of 6) and what the user must see.
"""
from __future__ import annotations

RUN_PREFIX = "::run "
WARNING_PREFIX = "::warning "


def run_marker(index: int, total: int, label: str, epochs: int, cached: bool) -> str:
    return f"{RUN_PREFIX}{index}/{total} epochs={epochs} cached={int(bool(cached))} :: {label}"


def print_run_marker(index: int, total: int, label: str, epochs: int, cached: bool) -> None:
    print(run_marker(index, total, label, epochs, cached), flush=True)


def warn_user(text: str) -> None:
    print(f"{WARNING_PREFIX}{' '.join(str(text).split())}", flush=True)
