"""The pieces of a CIFAR training recipe: the warm-up + cosine learning-rate schedule (:class:`WarmupCosine`,
also used by tools/bench.py) and the standard CIFAR augmentation (:func:`cifar_augmentation`).

The recipes themselves (the seed's and an improved one) are Study 5's, declared once in
:mod:`lib.studies.cifar100_vgg_synthetic.recipe`.
"""
from __future__ import annotations

import math

import keras


class WarmupCosine(keras.callbacks.Callback):
    """Learning rate per training step: linear warm-up to ``base`` over ``warmup_epochs``, then cosine to 0.

    Computed from the epoch and step index alone, so a resumed run continues
    the same schedule. The value of the first step of each epoch is kept in
    ``rates`` (for the page) and in the epoch logs as ``learning_rate``.
    """

    def __init__(self, base: float, epochs: int, warmup_epochs: int = 0):
        super().__init__()
        self.base, self.epochs, self.warmup_epochs = float(base), int(epochs), int(warmup_epochs)
        self.rates: list[float] = []
        self._epoch = 0

    def rate(self, epoch: int, step: int, steps: int) -> float:
        t = epoch + step / max(1, steps)                       # epochs done, fractional
        if t < self.warmup_epochs:
            return self.base * (t + 1.0 / max(1, steps)) / self.warmup_epochs
        span = max(1e-9, self.epochs - self.warmup_epochs)
        return self.base * 0.5 * (1.0 + math.cos(math.pi * min(1.0, (t - self.warmup_epochs) / span)))

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self.rates.append(self.rate(epoch, 0, self.params.get("steps") or 1))

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate = self.rate(self._epoch, batch, self.params.get("steps") or 1)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.rates[-1]


def cifar_augmentation(seed: int):
    """Random shifts of up to 4 pixels (zero fill, whole pixels) and horizontal flips."""
    from keras import layers

    return keras.Sequential([layers.RandomTranslation(4 / 32, 4 / 32, fill_mode="constant", interpolation="nearest",
                                                      seed=seed),
                             layers.RandomFlip("horizontal", seed=seed)], name="cifar_augmentation")
