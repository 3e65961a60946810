"""What ``make report`` shows in the terminal while the studies run.

In a terminal: one tqdm line, redrawn every second, with the study, the run, the
epoch and the time left; finished studies and warnings are printed above it. In a
log (CI, ``| tee``): one plain line per epoch with the same prefix and estimate.
Every line a notebook prints also goes, unfiltered, to the study's log file.
"""
from __future__ import annotations

import sys
import threading
from typing import IO

from .eta import Tracker, duration
from ..progress import Alert, Epoch, Pace, RunStart, parse_line, without_worker_prefix

_YELLOW, _RED, _RESET = "\033[1;33m", "\033[1;31m", "\033[0m"


class Console:
    def __init__(self, tracker: Tracker, out: IO | None = None, interactive: bool | None = None,
                 refresh_seconds: float = 1.0):
        self.tracker = tracker
        self.out = out or sys.stdout
        self.interactive = bool(getattr(self.out, "isatty", lambda: False)()) if interactive is None else interactive
        self.warnings: list[str] = []
        self.done = 0
        self._lock = threading.RLock()
        self._bar = None
        self._stop = threading.Event()
        self._refresh_seconds = refresh_seconds
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> "Console":
        if self.interactive:
            from tqdm import tqdm

            self._bar = tqdm(total=len(self.tracker.keys), file=self.out, dynamic_ncols=True, leave=False,
                             bar_format="{n_fmt}/{total_fmt} studies |{bar:10}| {desc} [{elapsed}]")
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None

    def _tick(self) -> None:
        while not self._stop.wait(self._refresh_seconds):
            self._redraw()  # the estimate counts down between epochs

    def _redraw(self) -> None:
        with self._lock:
            if self._bar is not None:
                text = self.tracker.position()
                per_epoch = self.tracker.current.per_epoch() if self.tracker.current else None
                if per_epoch is not None:
                    text += f" · {per_epoch:.1f} s/epoch"
                self._bar.set_description_str(f"{text} · {self.tracker.eta_text()}".lstrip(" ·"), refresh=True)

    # -- output ----------------------------------------------------------------------------
    def say(self, text: str) -> None:
        """A line that stays: above the progress line in a terminal, plain in a log."""
        with self._lock:
            if self._bar is not None:
                self._bar.write(text, file=self.out)
            else:
                print(text, file=self.out, flush=True)

    def warn(self, text: str, failed: bool = False) -> None:
        where = self.tracker.position().split("]")[0] + "]" if self.tracker.current else ""
        line = f"{'FAILED' if failed else 'WARNING'} {where} {text}".replace("  ", " ")
        self.warnings.append(line)
        if self.interactive:
            line = f"{_RED if failed else _YELLOW}{line}{_RESET}"
        self.say(line)

    # -- events ----------------------------------------------------------------------------
    def study_started(self, key: str, title: str) -> None:
        self.tracker.start_study(key)
        self.say(f"[{self.tracker.index}/{len(self.tracker.keys)}] {title}")
        self._redraw()

    def study_finished(self, status: str, seconds: float) -> None:
        self.tracker.finish_study()
        cur = self.tracker.current
        self.done += 1
        self.say(f"[{self.tracker.index}/{len(self.tracker.keys)} {cur.key}] {status} in {duration(seconds)}")
        with self._lock:
            if self._bar is not None:
                self._bar.update(1)

    def study_line(self, line: str) -> None:
        """One complete line of a notebook's output."""
        event = parse_line(line)
        if event is None:
            return
        self.tracker.feed(event)
        if isinstance(event, Alert):
            self.warn(event.text)
        elif self.interactive:
            self._redraw()
        elif isinstance(event, Epoch) or (isinstance(event, Pace) and not self._measured()):
            self.say(f"{self._prefix(event.label)} {without_worker_prefix(line)} · {self.tracker.eta_text()}")
        elif isinstance(event, RunStart) and event.cached:
            self.say(f"{self._prefix(event.label)} {event.label}: from the run cache")

    def _measured(self) -> bool:
        """The study in progress has a credited epoch: from then on its pace lines are not what the estimate
        stands on, so the plain view leaves them to the log."""
        return self.tracker.current.key in self.tracker.measured

    def _prefix(self, label: str) -> str:
        cur = self.tracker.current
        text = f"[{self.tracker.index}/{len(self.tracker.keys)} {cur.key}]"
        if cur.run is not None and cur.run.label == label:
            text += f" [run {cur.run.index}/{cur.run.total}]"
        return text


class StudyOutput:
    """A file-like sink for papermill's ``stdout_file``/``stderr_file``: each complete
    line goes to the study's log file and to the console, which shows what matters."""

    def __init__(self, console: Console, log_file: IO, name: str):
        self.console, self.log_file, self.name = console, log_file, name
        self._partial = ""

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._line(line)
        return len(text)

    def _line(self, line: str) -> None:
        line = line.rstrip("\r")
        self.log_file.write(f"{line}\n" if self.name == "stdout" else f"[stderr] {line}\n")
        self.console.study_line(line)

    def flush(self) -> None:
        self.log_file.flush()

    def close(self) -> None:
        if self._partial:
            self._line(self._partial)
            self._partial = ""
        self.flush()
