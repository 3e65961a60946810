"""The lines a study prints for the batch runner, and the parsers that read them back.

A notebook's stdout is the only channel from a study to ``make report``:

* ``::run 4/6 epochs=15 cached=0 :: baseline seed 1``: run 4 of the study's 6 starts
  (``cached=1``: it comes from the run cache and will print no epochs);
* ``::warning <text>``: something the user must see (a fallback dataset, a skipped part);
* the training loops' epoch lines, ``[baseline seed 1] epoch 3/15 loss 0.3 ... (12.3 s)``
  (:class:`lib.train.callbacks.EpochLogger`, classifier and GAN runs alike), and early in each run's first
  epoch one pace line, ``[baseline seed 1] pace 40/352 batches 3.02 s`` (batches timed, of the epoch's);
* the notebooks' ``cache: 2 reused, 4 trained`` line;
* ``[label] STOPPED: <why>``, printed to stderr when a run diverges.

The markers stay plain text so a notebook run by hand in Jupyter reads them as well.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import one_line

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

RUN_PREFIX = "::run "
WARNING_PREFIX = "::warning "


@dataclass(frozen=True)
class RunStart:
    index: int
    total: int
    label: str
    epochs: int
    cached: bool


@dataclass(frozen=True)
class Alert:
    text: str


@dataclass(frozen=True)
class Epoch:
    label: str
    epoch: int
    epochs: int
    metrics: str
    seconds: float | None  # None where the line carries no timing (the GAN loop's bar mode)


@dataclass(frozen=True)
class Pace:
    label: str
    batches: int
    steps: int      # batches in an epoch
    seconds: float

    @property
    def share(self) -> float:
        """The share of an epoch's images the timed batches trained."""
        return min(self.batches, self.steps) / self.steps


@dataclass(frozen=True)
class CacheCount:
    reused: int
    trained: int


Event = RunStart | Alert | Epoch | Pace | CacheCount


def run_marker(index: int, total: int, label: str, epochs: int, cached: bool) -> str:
    return f"{RUN_PREFIX}{int(index)}/{int(total)} epochs={int(epochs)} cached={int(bool(cached))} :: {one_line(label)}"


def print_run_marker(index: int, total: int, label: str, epochs: int, cached: bool) -> None:
    """Call before each training run of a study, with ``cached=True`` when it will come from the cache."""
    print(run_marker(index, total, label, epochs, cached), flush=True)


def warn_user(text: str) -> None:
    """A warning ``make report`` shows prominently and repeats in its closing summary."""
    print(f"{WARNING_PREFIX}{one_line(text)}", flush=True)


_RUN = re.compile(r"::run (\d+)/(\d+) epochs=(\d+) cached=([01]) :: (.*)")
_WARNING = re.compile(r"::warning (.*)")
_EPOCH = re.compile(r"\[(?P<label>[^\]]+)\] epoch (?P<epoch>\d+)/(?P<epochs>\d+)"
                    r"(?P<metrics>(?: (?!\()\S+)*?)(?: \((?P<seconds>\d+(?:\.\d+)?) s\))?")
_PACE = re.compile(r"\[(?P<label>[^\]]+)\] pace (?P<batches>\d+)/(?P<steps>\d+) batches (?P<seconds>\d+(?:\.\d+)?) s")
_CACHE = re.compile(r"cache: (\d+) reused, (\d+) trained")
_STOPPED = re.compile(r"\[(?P<label>[^\]]+)\] STOPPED: (?P<why>.*)")


# Ray prefixes what a worker prints with where it ran, coloured in a terminal: "(_ray_task pid=4242) " or
# "(_ray_task pid=4242, ip=10.0.0.2) ".
_RAY_PREFIX = re.compile(r"(?:\x1b\[[0-9;]*m)?\([\w.<>-]+ pid=\d+(?:, ip=[^)\s]+)?\)(?:\x1b\[[0-9;]*m)?\s*")


def without_worker_prefix(line: str) -> str:
    """``line`` without the prefix a Ray worker's output gets on its way to the driver."""
    line = line.strip()
    m = _RAY_PREFIX.match(line)
    return line[m.end():] if m else line


def parse_line(line: str) -> Event | None:
    """The event a line of study output announces, or None for any other line (a Ray worker's line read
    without Ray's prefix)."""
    line = without_worker_prefix(line)
    if m := _RUN.fullmatch(line):
        return RunStart(int(m[1]), int(m[2]), m[5], int(m[3]), m[4] == "1")
    if m := _WARNING.fullmatch(line):
        return Alert(m[1])
    if m := _EPOCH.fullmatch(line):
        return Epoch(m["label"], int(m["epoch"]), int(m["epochs"]), m["metrics"].strip(),
                     float(m["seconds"]) if m["seconds"] else None)
    if (m := _PACE.fullmatch(line)) and int(m["steps"]) > 0:
        return Pace(m["label"], int(m["batches"]), int(m["steps"]), float(m["seconds"]))
    if m := _CACHE.fullmatch(line):
        return CacheCount(int(m[1]), int(m[2]))
    if m := _STOPPED.fullmatch(line):
        return Alert(f"{m['label']} stopped: {m['why']}")
    return None
