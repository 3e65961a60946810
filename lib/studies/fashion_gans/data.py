"""Study 4's data: the GANs' training images, the test reference and the disjoint real baseline sample, the feature
classifier's split, and what the page says about them (the data line, the families that train, the recipe and
families tables)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...data import Dataset, classification_split, load_for_study
from ...experiments import sentences
from ...gan import images
from ...gan.families import FAMILIES, family
from ..reporting import trained_on
from . import recipe, tables


@dataclass
class StudyData:
    """The dataset and the images the study uses: the GAN training set ([-1, 1]) and labels, the test reference
    and the disjoint real test sample for the baseline ([0, 1]), the feature classifier's split; ``scope``: what
    every number on the page was measured on."""
    ds: Dataset
    generated: bool
    x_gan: np.ndarray
    y_gan: np.ndarray
    x_reference: np.ndarray
    x_real_baseline: np.ndarray
    clf_split: object
    scope: str = ""

    @property
    def trained_on(self) -> str:
        """The dataset as a claim's dataset gate reads it."""
        return trained_on(self.ds, self.generated)


def study_data(ds: Dataset, generated: bool, P: dict) -> StudyData:
    x_gan, y_gan = images.gan_training_set(ds, P["n_train"])
    x_reference, x_real_baseline = images.evaluation_sets(ds, P["n_eval"], P["knn_k"])
    split = classification_split(ds, P["classifier_n_train"], None, 0.1)
    return StudyData(ds, generated, x_gan, y_gan, x_reference, x_real_baseline, split,
                     recipe.scope(generated, len(x_gan), P))


def families_sentence(variants: list[str], bn_seeds: list[int], scope_text: str) -> str:
    left_out = [f for f in FAMILIES if f not in variants and not (bn_seeds and f in recipe.BN_VARIANTS)]
    return (f"Families trained in this profile: {sentences.listing(family(v).title for v in variants)}"
            + (f"; the batch-norm comparison on seeds {bn_seeds}" if bn_seeds else "")
            + (f". Not trained in this profile (they decide none of the seeds' claims; the `full` profile trains "
               f"them): {sentences.listing(left_out)}" if left_out else "") + f". Scope: {scope_text}.")


def family_names(variants: list[str], bn_seeds: list[int]) -> dict:
    """Every family that trains, in order (the batch-norm pair too when it runs), for the families table."""
    return dict.fromkeys(variants + list(recipe.BN_VARIANTS) * bool(bn_seeds))


def load(P: dict, page) -> StudyData:
    """Load the dataset (all its training images: the GANs' and the classifier's subsets are drawn here), draw the
    study's sets, and put the data line, the families that train and their tables on the page."""
    ds, generated = load_for_study("fashion_mnist", {**P, "n_train": None}, page.output_dir)
    data = study_data(ds, generated, P)
    page.add_data(images.describe_gan_data(ds, generated, len(data.x_gan), P["n_eval"], data.clf_split.sizes()))
    page.say(families_sentence(P["variants"], P["bn_seeds"], data.scope))
    page.table(recipe.recipe_table(P), "recipe",
               caption="The seeds' recipes and this run's, each setting marked by whose it is")
    page.table(tables.family_table(family_names(P["variants"], P["bn_seeds"]), data.x_gan.shape[1:],
                                   ds.num_classes), "families", caption="GAN families in this run")
    return data
