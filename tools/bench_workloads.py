"""What the benchmarks time, shared by ``tools.bench`` and the one-process-per-setting ``tools.bench_threads``
workers (kept apart from both so that neither imports the other)."""
from __future__ import annotations

import time
from functools import partial
from typing import Callable

import keras


class EpochTimer(keras.callbacks.Callback):
    """Seconds of each epoch's training steps, to its last batch (validation and evaluation stay out)."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = self._last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(self._last - self._t)


LEVER_LABELS = {"fashion_cnn": "Study 2 CNN", "vgg16_quarter": "Study 5 VGG-16 1/4"}


def lever_models() -> dict[str, tuple[Callable, str]]:
    """The small and the large model the lever tables, thread settings and profiles measure: (build, dataset)."""
    from lib.models import build_fashion_cnn, build_vgg16

    return {"fashion_cnn": (build_fashion_cnn, "fashion_mnist"),
            "vgg16_quarter": (partial(build_vgg16, width=0.25, batch_norm=False, num_classes=10), "cifar10")}
