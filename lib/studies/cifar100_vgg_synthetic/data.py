"""Study 5's data: CIFAR-100 (or the profile's stated fallback), its first classes, the split kept uint8 with its
validation part, and the lines that describe them on the page."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ... import data as datalib
from ...data import Dataset
from ...data.fallback import PRETTY, DataChoice, load_with_fallback
from ...data.splits import Split, stratified_indices
from ...errors import ParamError


@dataclass
class StudyData:
    """What every later section needs: the dataset choice, the split (uint8), the classes kept and the scope line."""
    choice: DataChoice
    class_names: list
    split: Split
    K: int
    scope: str

    @property
    def n_train(self) -> int:
        return len(self.split.y_train)


def load(P: dict, page) -> StudyData:
    """The dataset (or its stated fallback), the classes kept, the split kept uint8 (its validation part drawn
    outside the training images when the profile sets ``n_val``); the title, data, scope and validation images
    on ``page``."""
    choice = load_with_fallback(P["dataset"], P["fallback_dataset"], P, page.output_dir)
    page.set_title(display_title(choice.used, choice.requested))
    ds = select_classes(choice.ds, P["n_classes"])
    split = with_validation(ds, datalib.classification_split(ds, P["n_train"], P["n_test"], P["val_fraction"],
                                                             scale=False), P)
    if choice.fell_back:
        page.warn(f"Dataset used: {choice.label()}. {choice.reason}.")
    page.add_data(datalib.describe_data(ds, split, choice.generated) + classes_kept(choice, ds.num_classes))
    data = StudyData(choice, list(ds.class_names), split, ds.num_classes, scope(choice, split, ds.num_classes, P))
    page.say(f"**Scope of every number below:** {data.scope}.")
    page.say(validation_note(split, P, PRETTY.get(choice.used, choice.used), ds.num_classes))
    return data


def display_title(used: str, requested: str) -> str:
    """The page title, naming the dataset that actually ran (the registry's title names CIFAR-100)."""
    name = PRETTY.get(used, used)
    note = f" (fallback: {PRETTY.get(requested, requested)} unavailable)" if used != requested else ""
    return f"Study 5: {name} VGG-16 with GAN-synthetic training data{note}"


def select_classes(ds: Dataset, n_classes: int | None) -> Dataset:
    """The first ``n_classes`` classes (labels 0..n-1) of ``ds``, train and test; None keeps all."""
    if n_classes is None or n_classes == ds.num_classes:
        return ds
    if not 2 <= n_classes <= ds.num_classes:
        raise ParamError(f"n_classes={n_classes} is out of range for {ds.name}: need 2..{ds.num_classes}")
    tr, te = ds.y_train < n_classes, ds.y_test < n_classes
    coarse = {}
    if ds.y_train_coarse is not None:
        coarse = dict(y_train_coarse=ds.y_train_coarse[tr], y_test_coarse=ds.y_test_coarse[te])
    return replace(ds, x_train=ds.x_train[tr], y_train=ds.y_train[tr], x_test=ds.x_test[te], y_test=ds.y_test[te],
                   class_names=list(ds.class_names[:n_classes]), **coarse)


def scope(choice, split: Split, num_classes: int, P: dict) -> str:
    """What every number on the page was measured on: dataset, reductions, budget, seeds and profile."""
    total = choice.ds.num_classes
    sizes = split.sizes()
    reduction = [f"first {num_classes} of {total} classes"] if num_classes < total else []
    if P["n_train"] or P["n_test"]:
        reduction.append(f"{sizes['train']:,} real train / {sizes['val']:,} val / {sizes['test']:,} test images")
    if P["vgg_width"] != 1:
        reduction.append(f"VGG-16 at {P['vgg_width']:g}× width")
    return (("generated stand-in data in the CIFAR-100 format, " if choice.generated else "") + choice.label() +
            (" — reduced: " + ", ".join(reduction) if reduction else "") +
            f"; {P['epochs']} epochs' worth of steps, {len(P['seeds'])} seed(s), profile {P['profile']}")


def classes_kept(choice, num_classes: int) -> str:
    """The sentence added to the data description when only some classes are kept ("" when all are)."""
    total = choice.ds.num_classes
    return f" Classes kept: the first {num_classes} of {total}." if num_classes < total else ""


def training_part(y_train: np.ndarray, n_train: int | None, val_fraction: float, seed: int = 0) -> np.ndarray:
    """Indices into the dataset's training set of the images :func:`lib.data.classification_split` trains on
    (its own draw, repeated: the stratified ``n_train`` images less their stratified ``val_fraction`` part)."""
    taken = stratified_indices(y_train, n_train or len(y_train), seed)
    held = stratified_indices(y_train[taken], int(round(len(taken) * val_fraction)), seed)
    keep = np.ones(len(taken), dtype=bool)
    keep[held] = False
    return taken[keep]


def with_validation(ds, split: Split, P: dict, seed: int = 0) -> Split:
    """``split`` with, when the profile sets ``n_val``, a validation part of ``n_val`` images drawn (stratified,
    fixed seed) from ``ds``'s training images outside ``split``'s training part: the training images stay as
    they are, none of them is a validation image, and the test images are untouched. Without ``n_val``,
    ``split`` as it was (its validation part is the ``val_fraction`` share of ``n_train``)."""
    if not P.get("n_val"):
        return split
    train = training_part(ds.y_train, P["n_train"], P["val_fraction"], seed)
    if not (np.array_equal(ds.y_train[train], split.y_train) and np.array_equal(ds.x_train[train], split.x_train)):
        raise RuntimeError("the training part could not be located in the dataset: the validation images could "
                           "not be drawn disjoint from it")
    pool = np.setdiff1d(np.arange(len(ds.y_train)), train)
    if P["n_val"] > len(pool):
        raise ParamError(f"n_val = {P['n_val']:,} validation images asked for, but only {len(pool):,} training "
                         f"images of these classes lie outside the {len(train):,} the models train on")
    val = pool[stratified_indices(ds.y_train[pool], P["n_val"], seed)]
    return Split(split.x_train, split.y_train, ds.x_train[val], ds.y_train[val], split.x_test, split.y_test)


def validation_note(split: Split, P: dict, dataset_label: str, num_classes: int) -> str:
    """Where the validation images come from and how precisely they measure an accuracy (one standard error at
    50 %, its largest), beside what the ``val_fraction`` share alone would give."""
    n_val, n_train = len(split.y_val), len(split.y_train)
    se = lambda n: 100 * (0.25 / n) ** 0.5  # noqa: E731
    if P.get("n_val"):
        held = int(round(P["n_train"] * P["val_fraction"])) if P["n_train"] else 0
        before = f", against {se(held):.1f} with the {held:,} held out of {P['n_train']:,}" if held else ""
        where = (f"{n_val:,} real images drawn from {dataset_label}'s training set outside the {n_train:,} "
                 f"training images (stratified over the {num_classes} classes, fixed seed): no validation image "
                 f"is a training image")
        return (f"**Validation images:** {where}. One standard error of a validation accuracy is at most "
                f"{se(n_val):.1f} points (at 50 %){before}. The validation curves and the seed recipe's early "
                f"stopping read them; the test images only score the final models.")
    return (f"**Validation images:** the {n_val:,} held out of the training images ({P['val_fraction']:g} of "
            f"them, stratified, fixed seed), disjoint from the {n_train:,} training images; one standard error of "
            f"a validation accuracy is at most {se(n_val):.1f} points (at 50 %). The validation curves and the "
            f"seed recipe's early stopping read them; the test images only score the final models.")
