"""Where a report run stands and how long it has left, from the study output it has seen.

The study in progress is estimated from its own measured epochs: seconds per epoch
times the epochs left in the current run plus those of the runs still to come (the
``::run i/n`` markers say how many). Studies not started yet are estimated from the
compute time of the previous build's ``summary.json``; a study without one is counted,
not guessed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..progress import CacheCount, Epoch, Event, RunStart


def previous_seconds(summary: dict | None) -> float | None:
    """The compute time an earlier build of a study took, or None when it never finished."""
    if not summary or not str(summary.get("status", "ok")).startswith("ok"):
        return None
    value = summary.get("compute_seconds", summary.get("seconds"))
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


@dataclass
class StudyProgress:
    key: str
    started: float
    run: RunStart | None = None
    label: str = ""
    epoch: int = 0
    epochs: int = 0
    epoch_seconds: float = 0.0
    epochs_measured: int = 0
    cache: CacheCount | None = None
    last_event: float = 0.0

    def per_epoch(self) -> float | None:
        return self.epoch_seconds / self.epochs_measured if self.epochs_measured else None


@dataclass
class Tracker:
    """Feed it the events of the studies in order; ask it for the status and the time left."""
    keys: list[str]
    previous: dict[str, float | None] = field(default_factory=dict)
    clock: object = time.monotonic
    index: int = 0                       # 1-based position of the study in progress, 0 before the first
    current: StudyProgress | None = None

    def start_study(self, key: str) -> None:
        self.index = self.keys.index(key) + 1
        now = self.clock()
        self.current = StudyProgress(key, started=now, last_event=now)

    def feed(self, event: Event) -> None:
        cur, now = self.current, self.clock()
        if cur is None:
            return
        if isinstance(event, RunStart):
            cur.run, cur.label, cur.epoch, cur.epochs = event, event.label, 0, event.epochs
        elif isinstance(event, Epoch):
            # A line without its own timing is timed by the wall clock since the previous event.
            seconds = event.seconds if event.seconds is not None else now - cur.last_event
            cur.label, cur.epoch, cur.epochs = event.label, event.epoch, event.epochs
            cur.epoch_seconds += seconds
            cur.epochs_measured += 1
        elif isinstance(event, CacheCount):
            cur.cache = event
        cur.last_event = now

    def position(self) -> str:
        """``[2/5 fashion_regularisation] [run 4/6] baseline seed 1 epoch 3/15`` as far as known."""
        cur = self.current
        if cur is None:
            return ""
        parts = [f"[{self.index}/{len(self.keys)} {cur.key}]"]
        run = cur.run
        if run is not None and run.label == cur.label:
            parts.append(f"[run {run.index}/{run.total}]")
        if cur.label:
            parts.append(cur.label)
        if cur.epoch:
            parts.append(f"epoch {cur.epoch}/{cur.epochs}")
        return " ".join(parts)

    def _current_left(self) -> tuple[float | None, bool]:
        """(seconds left in the study in progress or None, whether that is only a lower bound)."""
        cur = self.current
        per_epoch = cur.per_epoch()
        # Counted from the last event, so a line redrawn every second counts down.
        since = self.clock() - cur.last_event
        if cur.run is not None:
            if cur.run.cached and cur.run.index == cur.run.total:
                return 0.0, False
            if per_epoch is None:
                return None, False
            in_run = max(0, cur.run.epochs - cur.epoch) if cur.label == cur.run.label else cur.run.epochs
            return max(0.0, per_epoch * (in_run + (cur.run.total - cur.run.index) * cur.run.epochs) - since), False
        # No run markers: the current run's epochs are a floor, the previous build's time a guess.
        floor = max(0.0, per_epoch * max(0, cur.epochs - cur.epoch) - since) if per_epoch is not None else None
        earlier = self.previous.get(cur.key)
        if earlier is not None:
            guess = earlier - (self.clock() - cur.started)
            return max(guess, floor or 0.0), False
        return floor, True

    def remaining(self) -> tuple[float | None, bool, int]:
        """(seconds left, lower bound only, studies to come without an earlier time)."""
        start = self.index if self.current is not None else 0
        later = self.keys[start:]
        untimed = sum(1 for k in later if self.previous.get(k) is None)
        known = sum(self.previous[k] for k in later if self.previous.get(k) is not None)
        if self.current is None:
            return (known if len(later) > untimed else None), False, untimed
        left, bound = self._current_left()
        if left is None:
            return None, False, untimed
        return left + known, bound, untimed

    def eta_text(self) -> str:
        left, bound, untimed = self.remaining()
        if left is None:
            return "estimate after the first epoch"
        text = f"ETA {'≥ ' if bound else ''}{duration(left)}"
        if untimed:
            text += f" + {untimed} {'study' if untimed == 1 else 'studies'} not timed before"
        return text
