"""Study 5's recipes, declared once: the seed's classifier settings, our improved ones, the GAN's (ours, fixed in
advance), the reference reading of what the seed left open about the GAN's images and the other readings declared
beside it, and the table that sets them side by side. They feed the runs (:mod:`.runs`), the recipe table and the
claims' budgets.

A :class:`Recipe` holds everything that decides how a classifier is trained and turns it into the ``config`` of
:func:`lib.train.classifier.train_classifier`:

* the seed's recipe: Adam, categorical cross-entropy on one-hot labels, a constant learning rate, early stopping on
  validation loss, no augmentation;
* the improved recipe: standard CIFAR augmentation (random shifts of up to 4 pixels with zero fill, the "pad 4 and
  crop" of the literature, and horizontal flips), a linear warm-up then cosine decay of the learning rate per step
  (:class:`lib.train.recipes.WarmupCosine`), a fixed number of epochs (the schedule decides the end, so no early
  stopping), optional weight decay and momentum.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ...experiments.claims import Reading
from ...gan.acgan import CLASS_WEIGHT, LEARNING_RATE, WIDTH

# How the GAN's settings were set: the page says it beside each of them (issue 35).
FIXED = "fixed in advance, not chosen on any test-set result"
# The seed names a GAN and no filter of its samples. Which generated images reach the classifier can decide the
# CAS gate and so every claim about adding them: the reference reading is ours (the GAN's class head keeps, per
# class, the quarter of four times the images needed it is most sure of); the other reading keeps every sample
# as drawn, as the AC-GAN paper uses its samples (the GAN this study trains). Declared before the run
# (registry.VGG_SYNTHETIC_READINGS names the same keys).
ACGAN = ("Odena, Olah & Shlens 2017, \"Conditional Image Synthesis with Auxiliary Classifier GANs\" "
         "(arXiv:1610.09585v4): samples used as drawn")
REFERENCE = Reading("reference: the GAN's images filtered by its class head", {"gan_keep_of": 4},
                    f"ours, {FIXED}: so that the images added carry the class they are labelled with",
                    reference=True)
READINGS = {
    "keep_all": Reading("every generated image kept (no filter)", {"gan_keep_of": 1}, ACGAN),
}


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
        from ...train.recipes import WarmupCosine, cifar_augmentation

        callbacks = ([WarmupCosine(self.learning_rate, self.epochs, self.warmup_epochs)]
                     if self.schedule == "warmup_cosine" else [])
        return dict(epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
                    optimizer=self.optimizer, optimizer_options=dict(self.optimizer_options),
                    early_stopping_patience=self.early_stopping_patience,
                    augment=cifar_augmentation(seed) if self.augment else None, one_hot=True,
                    extra_callbacks=callbacks,
                    # the schedule sets the rate in on_train_batch_begin, which Keras calls once per execution
                    **({"steps_per_execution": 1} if callbacks else {}))

    def train_config(self, seed: int, **overrides):
        """:meth:`train_kwargs` (with ``overrides``) as the ``config`` of ``train_classifier``."""
        from ...train.classifier import TrainConfig

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


def seed(P: dict) -> Recipe:
    """The seed's recipe at this profile's settings (the seed-recipe arms)."""
    return seed_recipe(P["seed_epochs"], P["seed_batch_size"], P["seed_learning_rate"], P["seed_patience"])


def improved(P: dict, rate_divisor: float = 1) -> Recipe:
    """Our improved recipe at this profile's settings; ``rate_divisor`` 10 fine-tunes the ImageNet VGG-16."""
    return improved_recipe(P["epochs"], P["batch_size"], P["learning_rate"] / rate_divisor, P["optimizer"],
                           P["weight_decay"], P["warmup_epochs"])


@dataclass(frozen=True)
class GanRecipe:
    """How one seed's AC-GAN trains and what it writes out (ours, fixed in advance): ``augment`` is the DiffAugment
    policy of its discriminator ("": none); ``keep_of``: generate that many times the images and keep those its class
    head is most sure of; ``per_class``: images kept per class; ``grid_every``: epochs between progress grids."""
    epochs: int
    batch_size: int
    per_class: int
    augment: str = ""
    keep_of: int = 1
    grid_every: int = 5
    width: int = WIDTH
    class_weight: float = CLASS_WEIGHT
    learning_rate: float = LEARNING_RATE


def gan(P: dict, per_class: int) -> GanRecipe:
    """This profile's GAN recipe, writing ``per_class`` images per class."""
    return GanRecipe(epochs=P["gan_epochs"], batch_size=P["gan_batch_size"], per_class=per_class,
                     augment=P["gan_augment"], keep_of=P["gan_keep_of"], grid_every=max(1, P["gan_epochs"] // 5))



def recipe_table(P: dict, dataset_label: str) -> pd.DataFrame:
    """The seed's recipe beside this run's, each setting marked as the seed's, Keras's default (the seed's
    framework: it writes TensorFlow) or ours (why)."""
    from ..reporting import recipe_table as table, runs_and_readings, source

    keras = "Keras's default (the seed's framework)"
    return table([
        ("dataset", "CIFAR-100, all 50,000 training images", dataset_label, "the seed's" if "CIFAR-100" in
         dataset_label and not P["n_train"] else "ours: what this machine and profile afford; the seed's claims "
                                                   "are not tested here"),
        ("network", "VGG-16", f"VGG-16 at {P['vgg_width']:g}× width", source(P["vgg_width"] == 1, seed=True)),
        ("optimiser, loss", "Adam, categorical cross-entropy", "Adam, categorical cross-entropy (seed-recipe arm)",
         "the seed's"),
        ("batch size", 64, P["seed_batch_size"], source(P["seed_batch_size"] == 64, seed=True)),
        ("learning rate", "not stated", f"{P['seed_learning_rate']:g}", source(P["seed_learning_rate"] == 0.001,
                                                                               keras)),
        ("early stopping", "on validation loss; patience not stated", f"patience {P['seed_patience']}",
         "ours: Keras's default patience 0 stops at the first flat epoch"),
        ("epochs", "not stated", f"at most {P['seed_epochs']}", "ours: early stopping decides within it"),
        ("GAN", "a GAN generating CIFAR-100-like images; design not stated",
         f"an AC-GAN per seed (width {WIDTH}, Adam at {LEARNING_RATE:g}), {P['gan_epochs']} epochs at "
         f"batch {P['gan_batch_size']}, "
         + (f"DiffAugment ({P['gan_augment'].replace(',', ', ')})" if P["gan_augment"] else "no DiffAugment"),
         f"ours, {FIXED}: class labels for the synthetic images need a conditional generator"),
        ("synthetic images kept", "not stated",
         f"per class, the 1 in {P['gan_keep_of']} generated that the GAN's class head is most sure of"
         if P["gan_keep_of"] > 1 else "all generated",
         (f"{REFERENCE.source} (the reference reading); the class head learnt from the real training images only, "
          "and no test image is read") if P["gan_keep_of"] == REFERENCE.settings["gan_keep_of"]
         else "ours, this profile's (it departs from the reference reading)"),
        ("improved-recipe arms", "—", f"{P['optimizer']}, batch {P['batch_size']}, warm-up and cosine schedule, "
                                      f"augmentation, weight decay {P['weight_decay']:g}",
         "ours: a better-trained VGG-16 in an overfitting regime; the synthetic-image claims are judged on it, "
         "with the seed recipe's own with − without comparison shown beside them"),
        *runs_and_readings(P, READINGS, "arm"),
    ], {})
