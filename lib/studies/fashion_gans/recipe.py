"""Study 4's recipe, declared once: the seeds' budgets, the named reference for seed 000's budget, the reference
reading of seed 000's vanilla GAN and its other declared readings, the feature classifier's settings (ours) and
the families of the batch-norm comparison. They feed the runs (``runs.py``), the recipe table below, the scope
every number carries and each claim's budget gate (``claims.py``).

The GAN families themselves (networks, noise sizes, optimisers) are records in :mod:`lib.gan.families`; the
profile's settings (epochs, batch, images, seeds) are the study's parameters in ``lib/studies/registry.py``.
"""
from __future__ import annotations

import pandas as pd

from ...experiments.claims import Reading
from ...gan.families import family
from ..reporting import recipe_table as _recipe_table
from ..reporting import runs_and_readings

SEED_STEPS = 30 * 60_000 // 64   # seed 003's budget: 30 epochs of all 60,000 images at batch 64
REFERENCE_STEPS = 50 * -(-60_000 // 256)   # the DCGAN tutorial's 50 epochs at batch 256: 11,750 steps
# Seed 000 states no GAN budget: its gate is TensorFlow's DCGAN tutorial for MNIST
# (tensorflow.org/tutorials/generative/dcgan, TensorFlow 2.x).
BUDGET_REFERENCE = "TensorFlow's DCGAN tutorial's (50 epochs at batch 256)"

# Seed 000 names a vanilla GAN with batch norm in its generator, in TensorFlow, and nothing else of it. The
# reference reading takes the networks and the optimiser from one named Keras implementation of exactly that
# model, which ours matches layer for layer (G 256-512-1024 with LeakyReLU 0.2 and batch norm, momentum 0.8;
# D 512-256; noise 100; Adam 2e-4, beta1 0.5). Its batch is ours: seed 003's 64, so that both seeds' GANs
# train alike (the quick profile's runs were measured so; the implementation's own batch is a declared reading).
KERAS_GAN = ("Keras-GAN's gan/gan.py (github.com/eriklindernoren/Keras-GAN, commit 2ccd7cd), a Keras vanilla GAN "
             "with batch norm in G")
REFERENCE = Reading("reference: Keras-GAN's vanilla GAN, batch 64", {"batch_size": 64},
                    f"{KERAS_GAN}: networks, noise and Adam; batch 64 ours (seed 003's)", reference=True)
# Other declared readings of what seed 000 left open, run on seed 000's pair beside the reference where a profile
# lists them (registry.FASHION_GANS_READINGS names the same keys). Seed 003 states its batch, networks' layers
# and rates, so these readings leave its claims alone; its unstated widths and kernels have no reading yet.
READINGS = {
    "batch_32": Reading("batch 32, Keras-GAN's own", {"batch_size": 32},
                        f"{KERAS_GAN}: its training call's batch (batch norm in G sees 32 images a step)"),
}

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


def declared_readings(P: dict) -> tuple:
    """The recipe row naming every other declared reading and whether this profile ran it."""
    ran = set(P.get("readings") or [])
    return ("declared readings (seed 000's pair)", "—",
            "; ".join(f"{r.name}: {'run' if k in ran else 'not run in this profile'}" for k, r in READINGS.items()),
            "declared before the run; only the reference reading's verdicts count")


def recipe_table(P: dict) -> pd.DataFrame:
    """The two seeds' GAN recipes beside this run's, each setting marked as the seed's, a named reference's or
    ours (why), and the declared readings; built from the family records, so the table cannot drift from what
    trains."""
    van, s3 = family("vanilla"), family("seed003")
    batch = REFERENCE.settings["batch_size"]
    return _recipe_table([
        ("seed 000: generator", "a vanilla GAN with batch norm in the generator", van.description,
         f"the reference's: {KERAS_GAN}"),
        ("seed 000: noise, learning rates", "not stated", f"noise {van.noise_dim}; Adam G {van.g_lr:g} / D "
                                                         f"{van.d_lr:g}, beta1 {van.beta_1:g}",
         f"the reference's: {KERAS_GAN} (the DCGAN paper's Adam settings, Radford et al. 2016)"),
        ("seed 000: batch", "not stated", f"batch {P['batch_size']}",
         (f"ours, the reference reading's: seed 003's {batch}, so both seeds' GANs train alike (Keras-GAN trains "
          f"at 32: a declared reading)") if P["batch_size"] == batch else
         f"ours, this profile's (it departs from the reference reading's {batch})"),
        ("seed 000: budget", "not stated", f"{P['epochs']} epochs", f"the gate: {BUDGET_REFERENCE}, "
                                                                   f"{REFERENCE_STEPS:,} steps; below half of it no "
                                                                   f"verdict"),
        ("seed 003: networks", "Dense then three Conv2DTranspose; D: two Conv2D, Flatten, Dense, Dropout, Dense",
         s3.description, "the seed's layers; widths and kernel sizes ours (not stated)"),
        ("seed 003: noise, learning rates", "noise 150; G 1e-5, D 3e-5, beta1 0.5",
         f"noise {s3.noise_dim}; G {s3.g_lr:g}, D {s3.d_lr:g}, beta1 {s3.beta_1:g}", "the seed's"),
        ("seed 003: batch, epochs", "batch 64, 30 epochs", f"batch {P['batch_size']}, {P['epochs']} epochs",
         "the seed's" if P["batch_size"] == 64 and P["epochs"] >= 30 else
         f"ours, for time: its claims are gated on its budget ({SEED_STEPS:,} steps)"),
        ("metrics", "visual inspection", "FID, KID × 10³, precision/recall, classes covered in a Fashion-MNIST "
                                         "classifier's features", "ours: the seeds judged by eye"),
        *runs_and_readings(P, READINGS, "family"),
        declared_readings(P),
    ], {})
