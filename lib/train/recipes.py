"""Training recipes for the CIFAR classifiers of Study 5: the seed's and an improved one.

A :class:`Recipe` holds everything that decides how a classifier is trained
and turns it into keyword arguments for :func:`lib.train.classifier.train_classifier`:

* the seed's recipe: Adam, categorical cross-entropy on one-hot labels, a
  constant learning rate, early stopping on validation loss, no augmentation;
* the improved recipe: standard CIFAR augmentation (random shifts of up to
  4 pixels with zero fill, the "pad 4 and crop" of the literature, and
  horizontal flips), a linear warm-up then cosine decay of the learning rate
  per step (:class:`WarmupCosine`), a fixed number of epochs (the schedule
  decides the end, so no early stopping), optional weight decay and momentum.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Recipe:
    name: str
    epochs: int
    batch_size: int
    learning_rate: float
    optimizer: str = "adam"
    optimizer_options: dict = field(default_factory=dict)
    early_stopping_patience: int | None = None
    augment: bool = False
    schedule: str = "constant"            # "constant" or "warmup_cosine"
    warmup_epochs: int = 0

    def train_kwargs(self, seed: int) -> dict:
        """Keyword arguments for ``train_classifier`` (one-hot labels, categorical cross-entropy)."""
        callbacks = ([WarmupCosine(self.learning_rate, self.epochs, self.warmup_epochs)]
                     if self.schedule == "warmup_cosine" else [])
        return dict(epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
                    optimizer=self.optimizer, optimizer_options=dict(self.optimizer_options),
                    early_stopping_patience=self.early_stopping_patience,
                    augment=cifar_augmentation(seed) if self.augment else None, one_hot=True,
                    extra_callbacks=callbacks,
                    # the schedule sets the rate in on_train_batch_begin, which Keras calls once per execution
                    **({"steps_per_execution": 1} if callbacks else {}))

    def train_config(self, seed: int, **overrides) -> "TrainConfig":
        """:meth:`train_kwargs` (with ``overrides``) as the ``config`` of ``train_classifier``."""
        from .classifier import TrainConfig

        return TrainConfig(**{**self.train_kwargs(seed), **overrides})

    def describe(self) -> str:
        """The recipe in words for a page: no option names or Python values."""
        opt = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}.get(self.optimizer, self.optimizer)
        o = self.optimizer_options
        if o.get("momentum"):
            opt += f" with {'Nesterov ' if o.get('nesterov') else ''}momentum {o['momentum']:g}"
        if o.get("weight_decay"):
            opt += f"{' and' if o.get('momentum') else ' with'} weight decay {o['weight_decay']:g}"
        lr = (f"learning rate {self.learning_rate:g} with {self.warmup_epochs}-epoch warm-up and cosine decay"
              if self.schedule == "warmup_cosine" else f"constant learning rate {self.learning_rate:g}")
        epochs = (f"up to {self.epochs} epochs with early stopping on validation loss (patience "
                  f"{self.early_stopping_patience}, best weights kept)" if self.early_stopping_patience
                  else f"{self.epochs} epochs")
        return (f"{opt}, {lr}, batch {self.batch_size}, {epochs}, "
                f"{'shift-and-flip augmentation' if self.augment else 'no augmentation'}")


def seed_recipe(epochs: int, batch_size: int = 64, learning_rate: float = 1e-3, patience: int = 5) -> Recipe:
    """The seed's settings: Adam, constant rate, early stopping on validation loss, no augmentation."""
    return Recipe("seed recipe", epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                  optimizer="adam", early_stopping_patience=patience)


def improved_recipe(epochs: int, batch_size: int, learning_rate: float, optimizer: str = "sgd",
                    weight_decay: float = 5e-4, warmup_epochs: int = 1) -> Recipe:
    """Augmentation, warm-up + cosine schedule, weight decay; SGD uses Nesterov momentum 0.9."""
    options = {"momentum": 0.9, "nesterov": True} if optimizer == "sgd" else {}
    if weight_decay:
        options["weight_decay"] = weight_decay
    return Recipe("improved recipe", epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                  optimizer=optimizer, optimizer_options=options, augment=True, schedule="warmup_cosine",
                  warmup_epochs=min(warmup_epochs, max(0, epochs - 1)))
