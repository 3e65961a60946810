"""The Keras callbacks every training run shares, classifier or GAN.

* :class:`StopOnNonFinite`: stops the run at the first step whose loss is NaN or infinite; remembers the epoch.
* :class:`EpochLogger`: one flushed line per epoch (batch logs, papermill), or a progress bar when a person
  watches (:func:`progress_mode`); in lines, also one ``pace`` line early in a run's first epoch.
* :class:`EpochCheckpoint`: the whole training state after every epoch (:mod:`lib.train.checkpoints`), for resume.
* :class:`TestSetMonitor`: test loss and accuracy after every epoch, for display only.

Keras' own ``TerminateOnNaN`` watches ``loss`` only (a GAN logs ``d_loss`` and ``g_loss``) and does not
say when the run went wrong; ``BackupAndRestore`` cannot save the GANs (custom ``compile``), nor the
bookkeeping (image grids, periodic metrics) that a resumed GAN run needs.
"""
from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path
from typing import Callable

import keras

from .checkpoints import RunState, save_checkpoint

PROGRESS_ENV = "SMALLIMG_PROGRESS"

# The pace line: timed from the end of the run's second batch (the first traces the step function, which is
# start-up, not training) over at least PACE_SECONDS, so that ``make report`` can give a time estimate seconds
# into a cold run instead of after a whole first epoch (lib.report.eta).
PACE_FROM_BATCH = 2
PACE_SECONDS = 3.0


def progress_mode() -> str:
    """"bar" in a terminal or a notebook a person runs in Jupyter; "lines" in batch.

    ``$SMALLIMG_PROGRESS`` (``bar`` or ``lines``) overrides the guess.
    Jupyter's server names each kernel's notebook in ``$JPY_SESSION_NAME``;
    papermill's kernels have no such variable.
    """
    forced = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if forced in ("bar", "lines"):
        return forced
    interactive = (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()) or "JPY_SESSION_NAME" in os.environ
    return "bar" if interactive else "lines"


class StopOnNonFinite(keras.callbacks.Callback):
    """Stop training the moment a loss (any log ending in ``loss``: ``loss``, ``d_loss``, ``g_loss``)
    is NaN or infinite; ``bad_epoch`` is then the (1-based) epoch it happened in."""

    def __init__(self):
        super().__init__()
        self.bad_epoch = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if any(not math.isfinite(float(v)) for k, v in (logs or {}).items() if k.endswith("loss")):
            self.bad_epoch = self._epoch + 1
            self.model.stop_training = True


class EpochLogger(keras.callbacks.Callback):
    """One line per epoch, flushed: readable in batch logs and in notebooks alike.

    ``mode``: "lines" (the default), "bar" (a Keras progress bar over ``steps``
    batches, then no line), or None to pick by :func:`progress_mode`.
    """

    def __init__(self, label: str, epochs: int, steps: int | None = None, mode: str | None = "lines"):
        super().__init__()
        self.label, self.epochs, self.steps = label, epochs, steps
        self.mode = mode or progress_mode()
        self._pace_from: tuple[int, float] | None = None
        self._paced = False

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()
        self._bar = None
        self._pace_from = None  # an epoch too short to pace: the next one starts over
        if self.mode == "bar":
            print(f"[{self.label}] epoch {epoch + 1}/{self.epochs}", flush=True)

    def on_train_batch_end(self, batch, logs=None):
        if self.mode == "bar":
            logs = logs or {}
            if self._bar is None:  # the logs are running means already: show them as they are
                self._bar = keras.utils.Progbar(self.steps, stateful_metrics=list(logs))
            self._bar.update(batch + 1, [(k, float(v)) for k, v in logs.items()])
        elif not self._paced:
            self._pace(batch)

    def _pace(self, batch: int) -> None:
        """``[label] pace 40/352 batches 3.02 s``, once per run: the batches trained (of the epoch's) and their
        seconds, from the end of batch ``PACE_FROM_BATCH``; no line where the epoch ends first."""
        now = time.perf_counter()
        if self._pace_from is None:
            if batch + 1 >= PACE_FROM_BATCH:
                self._pace_from = (batch, now)
            return
        start, since = self._pace_from
        steps = self.steps or (self.params or {}).get("steps")
        if now - since >= PACE_SECONDS and steps:
            print(f"[{self.label}] pace {batch - start}/{int(steps)} batches {now - since:.2f} s", flush=True)
            self._paced = True

    def on_epoch_end(self, epoch, logs=None):
        if self.mode == "lines":
            parts = " ".join(f"{k} {float(v):.4f}" for k, v in (logs or {}).items() if k != "learning_rate")
            print(f"[{self.label}] epoch {epoch + 1}/{self.epochs} {parts} "
                  f"({time.perf_counter() - self._t:.1f} s)", flush=True)


class EpochCheckpoint(keras.callbacks.Callback):
    """After every epoch: record its logs in ``state`` and write the checkpoint to ``path``.

    ``variables(model)`` names the groups of variables to save (see
    :func:`lib.train.checkpoints.save_checkpoint`). With ``stop``, a diverged
    model is never checkpointed. Put it after the callbacks that change ``state``.
    """

    def __init__(self, path: Path, state: RunState, variables: Callable[[keras.Model], dict],
                 stop: StopOnNonFinite | None = None):
        super().__init__()
        self.path, self.state, self.variables, self.stop = Path(path), state, variables, stop

    def on_epoch_end(self, epoch, logs=None):
        self.state.record_epoch(logs or {})
        if self.stop is None or self.stop.bad_epoch is None:
            save_checkpoint(self.variables(self.model), self.state, self.path)


class TestSetMonitor(keras.callbacks.Callback):
    """Loss and accuracy on the test set after every epoch, for display only.

    No decision (early stopping, model choice) reads these numbers; they let a
    page show training, validation and test curves side by side.
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset
        self.history = {"test_loss": [], "test_accuracy": []}

    def on_epoch_end(self, epoch, logs=None):
        loss, acc = self.model.evaluate(self.dataset, verbose=0)
        self.history["test_loss"].append(float(loss))
        self.history["test_accuracy"].append(float(acc))
