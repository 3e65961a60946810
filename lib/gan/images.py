"""The images a GAN study trains on and evaluates with, drawn (stratified, seeded) from a Dataset."""
from __future__ import annotations

import numpy as np

from ..data import GENERATED_NOTE, Dataset, scale_images, stratified_indices
from ..errors import ParamError
from .loop import to_gan_range


def gan_training_set(ds: Dataset, n_train: int | None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n_train`` training images (all if None) scaled to [-1, 1], with their labels."""
    idx = stratified_indices(ds.y_train, n_train or len(ds.y_train), seed)
    return to_gan_range(ds.x_train[idx]), ds.y_train[idx]


def evaluation_sets(ds: Dataset, n_eval: int, knn_k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(reference, real baseline): two disjoint stratified samples of ``n_eval`` test images each, in [0, 1].

    Generated images are compared with the reference; the baseline sample stands in for a perfect generator
    (the real-vs-real baseline). It is drawn from test images, which no GAN trained on, so the memorisation
    check (nearest neighbours among the GAN's training images) cannot flag the baseline by construction.
    """
    if 2 * n_eval > len(ds.y_test):
        raise ParamError(f"n_eval={n_eval} is more than half the {len(ds.y_test)} test images of {ds.name} (the "
                         f"reference and the real baseline are disjoint halves at most); lower it")
    if n_eval <= knn_k:
        raise ParamError(f"n_eval={n_eval} must exceed knn_k={knn_k} for the k-NN precision/recall")
    test = stratified_indices(ds.y_test, n_eval, seed)
    rest = np.setdiff1d(np.arange(len(ds.y_test)), test)
    baseline = rest[stratified_indices(ds.y_test[rest], n_eval, seed + 1)]
    return scale_images(ds.x_test[test]), scale_images(ds.x_test[baseline])


def describe_gan_data(ds: Dataset, generated: bool, n_gan: int, n_eval: int, classifier_sizes: dict) -> str:
    what = GENERATED_NOTE if generated else ds.provenance.describe()
    return (f"{ds.name}: {what}. GANs train on {n_gan:,} training images; the feature classifier on "
            f"{classifier_sizes['train']:,} (validation {classifier_sizes['val']:,}, test {classifier_sizes['test']:,}); "
            f"metrics compare {n_eval:,} generated images with {n_eval:,} test images "
            f"(fingerprint {ds.provenance.fingerprint}).")


def one_class_images(ds: Dataset, n: int, label: int = 0) -> np.ndarray:
    """Up to ``n`` test images of one class in [0, 1]: a constructed collapsed "generator" with a known answer."""
    return scale_images(ds.x_test[ds.y_test == label][:n])
