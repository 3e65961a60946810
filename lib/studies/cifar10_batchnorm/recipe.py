"""Study 1's recipe, declared once: the seed's settings, the reference reading that fills what it left open, our
other readings; the runs, the recipe table and each claim's budget read them from here."""
from __future__ import annotations

from ...experiments.claims import Reading

# Seed 000's own training settings: 15 epochs, batch 128, Adam, categorical cross-entropy on one-hot labels.
SEED = {"epochs": 15, "batch_size": 128}
# It is silent on the rate, the schedule and the batch-norm momentum: Keras's defaults of its framework fill them.
KERAS = {"learning_rate": 0.001, "lr_schedule": "constant", "bn_momentum": 0.99}
KERAS_SOURCE = "Keras's default (the seed's framework)"
DATASET = "cifar10"
# It is silent on the widths too: the reference reading, declared by rule before the run, takes them from
# TensorFlow's CNN tutorial for a three-layer CIFAR-10 CNN (32-64-64 convolutions, a 64-unit dense layer).
TUTORIAL = "TensorFlow's CNN tutorial (tensorflow.org/tutorials/images/cnn, TensorFlow 2.x)"
REFERENCE = Reading("reference: the tutorial's widths", {"conv_filters": [32, 64, 64], "dense_units": 64}, TUTORIAL,
                    reference=True)
# Other declared readings of what the seed left open, run beside the reference where a profile lists them
# (registry.BATCHNORM_READINGS names the same keys).
READINGS = {
    "narrow": Reading("narrow widths 16-32-64, no dense layer", {"conv_filters": [16, 32, 64], "dense_units": 0},
                      "ours: the widths of this project's earlier committed report, chosen for speed"),
    "wide_cosine": Reading("widths 32-64-128 with cosine decay", {"conv_filters": [32, 64, 128], "dense_units": 0,
                                                                 "lr_schedule": "cosine"},
                           "ours: an earlier recipe of this project, under which batch norm raised test accuracy"),
}


def scope(split, generated: bool, P: dict) -> str:
    """What every number on the page was measured on."""
    return (("generated stand-in data, " if generated else "") + f"{split.sizes()['train']:,} train images, "
            f"{P['epochs']} epochs" + (" (cosine learning-rate decay)" if P["lr_schedule"] == "cosine" else "")
            + f", {len(P['seeds'])} seeds, profile {P['profile']}")


def recipe(P: dict, split, claims: list):
    """The seed's recipe beside this run's, each setting marked as the seed's, the reference's or ours, and the
    arm that decides the seed's ``claims``."""
    from ..reporting import recipe_table, runs_and_readings, source

    ref = REFERENCE.settings
    widths = source(P["conv_filters"] == ref["conv_filters"], TUTORIAL, "ours, this profile's")
    dense = source(P["dense_units"] == ref["dense_units"], TUTORIAL, "ours, this profile's")
    return recipe_table([
        ("optimiser, loss", "Adam, categorical cross-entropy", "Adam, categorical cross-entropy (one-hot labels)",
         "the seed's"),
        ("learning rate", "not stated", f"{P['learning_rate']:g}",
         source(P["learning_rate"] == KERAS["learning_rate"], KERAS_SOURCE)),
        ("learning-rate schedule", "not stated", P["lr_schedule"],
         source(P["lr_schedule"] == KERAS["lr_schedule"], KERAS_SOURCE)),
        ("epochs", SEED["epochs"], P["epochs"], source(P["epochs"] == SEED["epochs"], seed=True)),
        ("batch size", SEED["batch_size"], P["batch_size"], source(P["batch_size"] == SEED["batch_size"], seed=True)),
        ("network", "three conv layers with ReLU, softmax", "three 3×3 conv layers with ReLU, each followed by 2×2 "
                                                             "max pooling, then softmax" + (
             f" after a {P['dense_units']}-unit dense layer" if P["dense_units"] else ""),
         "the seed's layers; 'same' padding and a pool after each convolution are ours (one block shape)"),
        ("conv widths", "not stated", ", ".join(map(str, P["conv_filters"])), widths),
        ("dense layer", "not stated", P["dense_units"] or "none", dense),
        ("batch norm", "between the layers", "between each convolution and its ReLU", "the seed's"),
        ("batch-norm momentum", "not stated", f"{P['bn_momentum']:g}",
         source(P["bn_momentum"] == KERAS["bn_momentum"], KERAS_SOURCE)),
        ("training images", "CIFAR-10's training set", f"{split.sizes()['train']:,} (validation held out)",
         "ours: a validation split for the curves"),
        *runs_and_readings(P, READINGS, "network"),
    ], {"the reference reading, both CNNs": ", ".join(c.key for c in claims)})


def recipe_note(P: dict) -> str:
    """Where this profile departs from the seed's settings and the reference reading's."""
    changes = [f"{k.replace('_', ' ')} {P[k]} (seed or Keras default: {v})" for k, v in {**SEED, **KERAS}.items()
               if P[k] != v]
    changes += [f"{k.replace('_', ' ')} {P[k]} (the reference reading: {v})" for k, v in REFERENCE.settings.items()
                if P[k] != v]
    return ("**Recipe.** " + ("This profile departs from the seed's settings or the reference reading: "
                              + "; ".join(changes) + ". Its verdicts describe this profile's recipe." if changes else
                              "This profile trains the seed's recipe, filled where the seed is silent by the "
                              "reference reading, which decides every claim below.")
            + ("" if P["lr_sweep"] else " The learning-rate sweep is not part of this profile."))
