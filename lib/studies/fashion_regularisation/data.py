"""Study 2's data: Fashion-MNIST (or generated stand-in data), split into training, a held-out stopping part and
test images, with what every number on the page was measured on."""
from __future__ import annotations

from dataclasses import dataclass

# Presentation and bookkeeping only: editing this module re-renders pages from the run cache, it never retrains (the
# split the runs train on enters each run's key as data).
CACHE_NEUTRAL = True

DATASET = "fashion_mnist"


@dataclass
class StudyData:
    """The dataset, its split, whether it is generated, the devices the networks train on, and the page's scope."""
    ds: object
    split: object
    generated: bool
    devices: object       # runs.Devices: the strategy and the scaled batch and learning rate
    scope: str            # what every number on the page was measured on
    trained_on: str       # what the runs trained on, as a claim's dataset gate reads it


def scope(split, generated: bool, P: dict) -> str:
    """What every number on the page was measured on."""
    return (("generated stand-in data, " if generated else "") + f"{split.sizes()['train']:,} train images, "
            f"≤{P['epochs']} epochs, {len(P['seeds'])} seed(s), profile {P['profile']}")


def load(P: dict, output_dir, devices) -> StudyData:
    """Load and split the data as the profile says (stratified, fixed seed; pixels scaled to [0, 1])."""
    from ... import data
    from ..reporting import trained_on

    ds, generated = data.load_for_study(DATASET, P, output_dir)
    split = data.classification_split(ds, P["n_train"], P["n_test"], P["val_fraction"])
    return StudyData(ds, split, generated, devices, scope(split, generated, P), trained_on(ds, generated))
