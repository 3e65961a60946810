"""Where a report run stands and how long it has left, from the study output it has seen.

Each study declares its training in image-epochs, part by part (:mod:`lib.studies.work`). Every
measured epoch line credits the image-epochs of the epoch it is in that declared order, with the wall time
since the previous epoch line (so that runs trained side by side, whose lines interleave, are not counted
twice), so the run measures its own speed: wall seconds per image-epoch, per study and pooled over the
studies measured so far. From it:

* the study in progress: its image-epochs still ahead × its wall factor (the study's time beyond its
  epochs, :data:`lib.studies.work.WALL_FACTOR`) × its own speed, counted down between epochs;
  before its first epoch, the previous build's time for it less the time it has run, else its
  image-epochs × the pooled speed;
* a study not started: the previous build's compute time for it, where that build (its
  ``summary.json``) timed it, as that measured this very study; else its image-epochs × its wall factor ×
  the pooled speed; a study with neither is counted, not guessed;
* a run announced from the run cache passes its epochs uncredited, and a finished study has nothing
  left, so a study finished from the cache adds neither time nor speed.

Until its credited epochs span ``SETTLED_SECONDS``, a study's speed comes from the pace lines (:class:`lib.progress.Pace`): the
seconds of a few batches early in each run's first epoch, with the step function already traced, over their
share of that epoch's image-epochs (shared among the runs beside it). That is what gives a cold run its first
whole-report estimate seconds after training starts. The study's first epoch line then only starts the wall
clock: its own seconds include tracing the step, which is start-up, not a speed to multiply by the hours
ahead. A study whose runs print no pace line (a progress bar, epochs too short to pace) credits its first epoch
line with its own seconds, shared among the runs beside it, as before.

The whole-report estimate is the time run so far plus the time left, once every study has a time; the
first one is kept for the closing summary (see :mod:`lib.studies.work` for what the unit leaves out). A study without declared work (none in this project) falls back to its
run markers: seconds per epoch times the epochs of the runs still to come in its current group.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..progress import CacheCount, Epoch, Event, Pace, RunStart
from ..studies.work import Work


# Seconds of credited epochs after which a study's own epochs, not its pace lines, give its speed.
SETTLED_SECONDS = 30.0
# An epoch's time over its batches' at the pace: it also scores the validation part and writes a checkpoint.
# Study 1's batch-norm CNN, two cold quick runs here (2-core Xeon with AMX): 1.05 and 1.12.
PACE_TO_EPOCH = 1.1


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
    work: Work | None = None
    run: RunStart | None = None
    label: str = ""
    epoch: int = 0
    epochs: int = 0
    epoch_seconds: float = 0.0
    epochs_measured: int = 0
    lines: int = 0                       # epochs of the declared work passed: measured, cached or resumed
    cache: CacheCount | None = None
    last_event: float = 0.0
    last_credit: float | None = None     # when the previous measured epoch line arrived
    finished: bool = False

    def per_epoch(self) -> float | None:
        return self.epoch_seconds / self.epochs_measured if self.epochs_measured else None

    def left_from_markers(self, clock, earlier: float | None) -> tuple[float | None, bool]:
        """(seconds left by the run markers and the measured epochs or None, whether only a lower bound), for a
        study without declared work; ``earlier``: the previous build's time for the study."""
        per_epoch = self.per_epoch()
        since = clock() - self.last_event  # counted from the last event, so a line redrawn every second counts down
        if self.run is not None:
            if self.run.cached and self.run.index == self.run.total:
                return 0.0, False
            if per_epoch is None:
                return None, False
            in_run = max(0, self.run.epochs - self.epoch) if self.label == self.run.label else self.run.epochs
            return max(0.0, per_epoch * (in_run + (self.run.total - self.run.index) * self.run.epochs) - since), False
        # No run markers: the current run's epochs are a floor, the previous build's time a guess.
        floor = max(0.0, per_epoch * max(0, self.epochs - self.epoch) - since) if per_epoch is not None else None
        if earlier is not None:
            guess = earlier - (clock() - self.started)
            return max(guess, floor or 0.0), False
        return floor, True


def next_epoch(cur: StudyProgress) -> float:
    """Image-epochs of the epoch the study is in: the next one in its declared order."""
    return cur.work.units_before(cur.lines + 1) - cur.work.units_before(cur.lines)


def _pooled(speeds: dict[str, list[float]], key: str | None) -> tuple[float, float]:
    pairs = list(speeds.values()) if key is None else [speeds.get(key, (0.0, 0.0))]
    return sum(s for s, _ in pairs), sum(u for _, u in pairs)


def _add(speeds: dict[str, list[float]], key: str, seconds: float, units: float) -> None:
    pair = speeds.setdefault(key, [0.0, 0.0])
    pair[0], pair[1] = pair[0] + seconds, pair[1] + units


@dataclass
class Tracker:
    """Feed it the events of the studies in order; ask it for the status and the time left."""
    keys: list[str]
    previous: dict[str, float | None] = field(default_factory=dict)
    clock: object = time.monotonic
    work: dict[str, Work | None] = field(default_factory=dict)
    index: int = 0                       # 1-based position of the study in progress, 0 before the first
    current: StudyProgress | None = None
    started: float | None = None         # when the first study started
    measured: dict[str, list[float]] = field(default_factory=dict)  # key -> [epoch seconds, image-epochs]
    paced: dict[str, list[float]] = field(default_factory=dict)     # key -> [pace seconds, image-epochs]
    first_estimate: tuple[float, float] | None = None  # (given at, whole report), seconds from the start
    at_once: int = 1                     # runs trained side by side (local:N), whose epoch lines interleave

    def start_study(self, key: str) -> None:
        self.index = self.keys.index(key) + 1
        now = self.clock()
        self.started = now if self.started is None else self.started
        self.current = StudyProgress(key, started=now, work=self.work.get(key), last_event=now)
        self._note_estimate()

    def finish_study(self) -> None:
        # No estimate is noted here: once the last study is done, "run so far plus nothing left" predicts nothing.
        if self.current is not None:
            self.current.finished = True

    def feed(self, event: Event) -> None:
        cur, now = self.current, self.clock()
        if cur is None:
            return
        if isinstance(event, RunStart):
            cur.run, cur.label, cur.epoch, cur.epochs = event, event.label, 0, event.epochs
            if cur.work is not None:
                cur.lines = cur.work.at_marker(cur.lines)
            if event.cached:
                cur.lines += event.epochs  # passed, never measured: no time and no speed
        elif isinstance(event, Epoch):
            # A line without its own timing is timed by the wall clock since the previous event.
            seconds = event.seconds if event.seconds is not None else now - cur.last_event
            if cur.run is not None and cur.run.label == cur.label == event.label and cur.epoch == 0:
                cur.lines += event.epoch - 1  # resumed from its checkpoint: those epochs ran before
            # The speed is wall time per image-epoch: with several runs at once (EXECUTOR=local:2, the default
            # on 2+ cores) their epoch lines interleave and each epoch's own seconds would count the same wall
            # time twice. So an epoch line is credited with the wall time since the previous one. The study's
            # first has none before it: where a pace line gave the speed it only starts the clock (its own
            # seconds include tracing the step), else its own seconds count, shared among the runs beside it.
            wall = now - cur.last_credit if cur.last_credit is not None else seconds / self.at_once
            if cur.work is not None and (cur.last_credit is not None or cur.key not in self.paced):
                _add(self.measured, cur.key, wall, next_epoch(cur))
            cur.lines += 1
            cur.last_credit = now
            cur.label, cur.epoch, cur.epochs = event.label, event.epoch, event.epochs
            cur.epoch_seconds += seconds
            cur.epochs_measured += 1
        elif isinstance(event, Pace) and cur.work is not None and cur.key not in self.measured:
            _add(self.paced, cur.key, event.seconds * PACE_TO_EPOCH / self.at_once, next_epoch(cur) * event.share)
        elif isinstance(event, CacheCount):
            cur.cache = event
        cur.last_event = now
        self._note_estimate()

    def seconds_per_unit(self, key: str | None = None) -> float | None:
        """Measured seconds per image-epoch: of study ``key``, or pooled over every study measured so far; from
        the pace lines until the epochs credited span ``SETTLED_SECONDS`` (a few interleaved lines apart are
        seconds or a whole epoch apart)."""
        (ms, mu), (ps, pu) = (_pooled(source, key) for source in (self.measured, self.paced))
        if mu and (ms >= SETTLED_SECONDS or not pu):
            return ms / mu
        return ps / pu if pu else None

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
        if cur.finished:
            return 0.0, False
        if cur.work is None:
            return cur.left_from_markers(self.clock, self.previous.get(cur.key))
        now = self.clock()
        since = now - cur.last_event  # counted from the last event, so a line redrawn every second counts down
        ahead = max(0.0, cur.work.units - cur.work.units_before(cur.lines)) * cur.work.wall_factor
        own = self.seconds_per_unit(cur.key)
        if own is not None:
            return max(0.0, ahead * own - since), False
        if self.previous.get(cur.key) is not None:
            return max(0.0, self.previous[cur.key] - (now - cur.started)), False
        pooled = self.seconds_per_unit()
        return (max(0.0, ahead * pooled - since) if pooled is not None else None), False

    def _later(self, key: str) -> float | None:
        """Seconds a study not started will take: the previous build's time, else its work at the pooled speed."""
        if self.previous.get(key) is not None:
            return self.previous[key]
        pooled, work = self.seconds_per_unit(), self.work.get(key)
        return work.units * work.wall_factor * pooled if pooled is not None and work is not None else None

    def remaining(self) -> tuple[float | None, bool, int]:
        """(seconds left, lower bound only, studies to come without an estimate)."""
        start = self.index if self.current is not None else 0
        later = [self._later(k) for k in self.keys[start:]]
        untimed = sum(1 for t in later if t is None)
        known = sum(t for t in later if t is not None)
        if self.current is None:
            return (known if len(later) > untimed else None), False, untimed
        left, bound = self._current_left()
        if left is None:
            return None, False, untimed
        return left + known, bound, untimed

    def whole_estimate(self) -> float | None:
        """Seconds the whole report takes, from the first study's start: run so far plus time left, once every
        study has an estimate (none while one is only a lower bound or not timed at all)."""
        left, bound, untimed = self.remaining()
        if self.started is None or left is None or bound or untimed:
            return None
        return self.clock() - self.started + left

    def _note_estimate(self) -> None:
        if self.first_estimate is None and (total := self.whole_estimate()) is not None:
            self.first_estimate = (self.clock() - self.started, total)

    def eta_text(self) -> str:
        left, bound, untimed = self.remaining()
        if left is None:
            return "estimate after the first epoch"
        text = f"ETA {'≥ ' if bound else ''}{duration(left)}"
        if untimed:
            text += f" + {untimed} {'study' if untimed == 1 else 'studies'} not timed before"
        elif not bound and self.started is not None:
            text += f", whole report ≈ {duration(self.clock() - self.started + left)}"
        return text


def estimate_error(first: tuple[float, float] | None, actual_seconds: float) -> float | None:
    """The first whole-report estimate's error as a share of the actual time (negative: it was short)."""
    if first is None or actual_seconds <= 0:
        return None
    return (first[1] - actual_seconds) / actual_seconds


def estimate_record(tracker: Tracker, actual_seconds: float) -> dict:
    """What the build's ``report.json`` keeps of the estimate: the first one, the actual time, and per study
    its declared image-epochs beside the epochs measured (to check the unit against later runs)."""
    first = tracker.first_estimate
    return {"actual_seconds": round(actual_seconds, 1),
            "first_estimate": None if first is None else {"given_at_seconds": round(first[0], 1),
                                                          "whole_report_seconds": round(first[1], 1)},
            "error": None if (e := estimate_error(first, actual_seconds)) is None else round(e, 4),
            "studies": {key: {"image_epochs": work.units if (work := tracker.work.get(key)) else None,
                              "measured_seconds": round(tracker.measured.get(key, (0.0, 0.0))[0], 1),
                              "measured_image_epochs": tracker.measured.get(key, (0.0, 0.0))[1]}
                        for key in tracker.keys}}
