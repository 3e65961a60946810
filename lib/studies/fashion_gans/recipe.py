"""Study 4's recipe, declared once: the seeds' budgets, the named reference for seed 000's budget, the feature
classifier's settings (ours) and the families of the batch-norm comparison. They feed the runs (``runs.py``),
the recipe table below, the scope every number carries and each claim's budget gate (``claims.py``).

The GAN families themselves (networks, noise sizes, optimisers) are records in :mod:`lib.gan.families`; the
profile's settings (epochs, batch, images, seeds) are the study's parameters in ``lib/studies/registry.py``.
"""
from __future__ import annotations

import pandas as pd

from ...gan.families import family
from ..reporting import recipe_table as _recipe_table

SEED_STEPS = 30 * 60_000 // 64   # seed 003's budget: 30 epochs of all 60,000 images at batch 64
REFERENCE_STEPS = 50 * -(-60_000 // 256)   # the DCGAN tutorial's 50 epochs at batch 256: 11,750 steps
# Seed 000 states no GAN budget: its gate is TensorFlow's DCGAN tutorial for MNIST
# (tensorflow.org/tutorials/generative/dcgan, TensorFlow 2.x).
REFERENCE = "TensorFlow's DCGAN tutorial's (50 epochs at batch 256)"

# Seed 000's comparison: the vanilla GAN with and without batch norm in its generator, over ``bn_seeds``.
BN_VARIANTS = ("vanilla", "vanilla_nobn")

# The feature classifier (ours): the Study 2 CNN, Adam with a cosine decay from 1e-3, batch 64, trained once on
# seed 0. The page warns when its test accuracy on real data falls below MIN_FEATURE_ACCURACY (issue 24: at
# least Study 2's CNN, 91 %).
CLASSIFIER = dict(batch_size=64, learning_rate=1e-3, lr_schedule="cosine")
CLASSIFIER_SEED = 0
MIN_FEATURE_ACCURACY = 0.91


def scope(generated: bool, n_images: int, P: dict) -> str:
    """What every number on the page was measured on: images × epochs = steps against the seed's, and the sample."""
    steps = n_images // P["batch_size"] * P["epochs"]
    return (("generated stand-in data, " if generated else "") + f"{n_images:,} images × {P['epochs']} epochs = "
            f"{steps:,} steps ({steps / SEED_STEPS:.0%} of seed 003's {SEED_STEPS:,}), metrics on {P['n_eval']:,} "
            f"images, profile {P['profile']}")


def recipe_table(P: dict) -> pd.DataFrame:
    """The two seeds' GAN recipes beside this run's, each setting marked as the seed's, a named reference's or
    ours (why); built from the family records, so the table cannot drift from what trains."""
    van, s3 = family("vanilla"), family("seed003")
    common = "ours: the classic fully connected GAN of the literature; seed 000 gives no architecture"
    return _recipe_table([
        ("seed 000: generator", "a vanilla GAN with batch norm in the generator", van.description, common),
        ("seed 000: noise, learning rates", "not stated", f"noise {van.noise_dim}; Adam G {van.g_lr:g} / D "
                                                         f"{van.d_lr:g}, beta1 {van.beta_1:g}",
         "ours: the DCGAN paper's Adam settings (Radford et al. 2016), the usual choice"),
        ("seed 000: budget", "not stated", f"{P['epochs']} epochs", f"the gate: {REFERENCE}, {REFERENCE_STEPS:,} "
                                                                   f"steps; below half of it no verdict"),
        ("seed 003: networks", "Dense then three Conv2DTranspose; D: two Conv2D, Flatten, Dense, Dropout, Dense",
         s3.description, "the seed's layers; widths and kernel sizes ours (not stated)"),
        ("seed 003: noise, learning rates", "noise 150; G 1e-5, D 3e-5, beta1 0.5",
         f"noise {s3.noise_dim}; G {s3.g_lr:g}, D {s3.d_lr:g}, beta1 {s3.beta_1:g}", "the seed's"),
        ("seed 003: batch, epochs", "batch 64, 30 epochs", f"batch {P['batch_size']}, {P['epochs']} epochs",
         "the seed's" if P["batch_size"] == 64 and P["epochs"] >= 30 else
         f"ours, for time: its claims are gated on its budget ({SEED_STEPS:,} steps)"),
        ("metrics", "visual inspection", "FID, KID × 10³, precision/recall, classes covered in a Fashion-MNIST "
                                         "classifier's features", "ours: the seeds judged by eye"),
        ("runs per family", "one", f"{len(P['seeds'])} seeds", "ours: seeds make the test possible"),
    ], {})
