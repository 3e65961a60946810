"""Offline evaluation of generated images with a classifier trained on the real data.

The classifier (for Fashion-MNIST, ``lib.models.build_fashion_cnn``) is trained
with ``lib.train.classifier.train_classifier``; its penultimate layer gives the feature
vectors for FID, KID and precision/recall, its softmax the class probabilities
for the Inception-style score and the mode coverage.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from .. import io
from ..data.splits import Split
from ..errors import ParamError
from ..train.classifier import TrainConfig, train_classifier
from . import metrics


def train_evaluator(build_model: Callable, split: Split, *, seed: int, epochs: int, batch_size: int,
                    learning_rate: float = 1e-3, label: str = "evaluator", run_dir: str | Path | None = None,
                    **train_options):
    """Train the feature classifier; its weights go to ``run_dir`` (the cache's work directory, or a
    fresh temporary one) as ``artifacts["weights_path"]``, which the run cache checks still exists.
    ``train_options``: more fields of its :class:`~lib.train.classifier.TrainConfig` (e.g. ``lr_schedule="cosine"``)."""
    built = []

    def build():
        built.append(build_model())
        return built[-1]

    config = TrainConfig(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, **train_options)
    result = train_classifier(build, split, config, label=label, seed=seed)
    if result.status == "ok":
        weights = Path(run_dir or tempfile.mkdtemp(prefix="evaluator-")) / "evaluator.weights.h5"
        io.atomic_write(weights, lambda p: built[-1].save_weights(str(p)), suffix=".weights.h5")
        result.artifacts["weights_path"] = str(weights)
    return result


class FeatureExtractor:
    """``extractor(images in [0, 1]) -> (penultimate-layer features, class probabilities)``, float32 numpy.

    Built in float32 whatever the global precision policy, so the metrics do
    not depend on the training precision.
    """

    def __init__(self, build_model: Callable, weights_path: str | Path):
        previous = keras.mixed_precision.global_policy()
        keras.mixed_precision.set_global_policy("float32")
        try:
            classifier = build_model()
        finally:
            keras.mixed_precision.set_global_policy(previous)
        classifier.load_weights(weights_path)
        self.weights_digest = hashlib.sha256(Path(weights_path).read_bytes()).hexdigest()[:20]
        self.classifier = classifier
        self.model = keras.Model(classifier.inputs[0], [classifier.layers[-2].output, classifier.outputs[0]])
        self.num_classes = int(classifier.outputs[0].shape[-1])
        self.feature_dim = int(classifier.layers[-2].output.shape[-1])

    def cache_token(self):
        """The run cache keys an extractor by its weights' content."""
        return self.weights_digest

    def __call__(self, images: np.ndarray, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
        feats, probs = [], []
        for i in range(0, len(images), batch_size):
            f, p = self.model(np.asarray(images[i:i + batch_size], dtype=np.float32), training=False)
            feats.append(np.asarray(f, dtype=np.float32))
            probs.append(np.asarray(p, dtype=np.float32))
        return np.concatenate(feats), np.concatenate(probs)


class Reference:
    """The real side of every comparison, computed once: the test sample's features and class
    histogram, and the training images with the memorisation distance threshold."""

    def __init__(self, extractor: FeatureExtractor, test01: np.ndarray, train01: np.ndarray | None = None):
        self.features, probs = extractor(test01)
        self.histogram = metrics.mode_coverage(probs.argmax(axis=1), extractor.num_classes)["histogram"]
        self.train = train01
        self.memorisation_threshold = (None if train01 is None else metrics.memorisation_threshold(test01, train01))

    def cache_token(self):
        from ..experiments import token

        return [token(self.features), None if self.train is None else token(self.train)]


def evaluate_images(extractor: FeatureExtractor, images01: np.ndarray, reference: Reference, *,
                    labels: np.ndarray | None = None, knn_k: int = 3, kid_subset: int = 1000, kid_subsets: int = 25,
                    seed: int = 0) -> dict:
    """Every metric of ``images01`` (in [0, 1]) against the real ``reference``.

    Returns a flat dict: ``fid``, ``kid`` (and ``kid_sd``), ``is`` (and
    ``is_sd``), ``classes_covered``, ``kl_real``, ``histogram``,
    ``precision``, ``recall``, ``density``, ``coverage``, ``mean_pixel``,
    ``memorised`` (when the reference has training images), ``collapsed``,
    ``memorising``, ``collapse_reasons``; with ``labels`` (the classes a
    conditional generator was asked for) also ``label_accuracy``.
    """
    feats, probs = extractor(images01)
    pred = probs.argmax(axis=1)
    ref = reference.features
    kid_m, kid_s = metrics.kid(feats, ref, subset_size=kid_subset, n_subsets=kid_subsets, seed=seed)
    is_m, is_s = metrics.classifier_score(probs)
    hist = metrics.mode_coverage(pred, extractor.num_classes)["histogram"]
    precision, recall = metrics.precision_recall(ref, feats, k=knn_k)
    density, coverage = metrics.density_coverage(ref, feats, k=knn_k)
    memorised = (None if reference.train is None else
                 metrics.memorised_share(images01, reference.train, reference.memorisation_threshold))
    collapse = metrics.detect_mode_collapse(hist, reference.histogram, memorised)
    out = {"fid": metrics.fid(feats, ref), "kid": kid_m, "kid_sd": kid_s, "is": is_m, "is_sd": is_s,
           "classes_covered": collapse["classes_covered"], "kl_real": collapse["kl_real"], "histogram": hist,
           "precision": precision, "recall": recall, "density": density, "coverage": coverage,
           "mean_pixel": float(np.mean(images01)), "collapsed": float(collapse["collapsed"]),
           "memorising": float(collapse["memorising"]), "collapse_reasons": collapse["reasons"],
           "n": int(len(images01))}
    if memorised is not None:
        out["memorised"] = memorised
    if labels is not None:
        out["label_accuracy"] = float(np.mean(pred == np.asarray(labels)))
    return out


def class_balanced(predicted: np.ndarray, n: int, num_classes: int, seed: int = 0) -> tuple[np.ndarray, float]:
    """Indices of ``n`` images drawn from a pool with equal numbers per predicted class where the pool allows.

    Each class gets ``n // num_classes`` images (fewer if the pool holds fewer); the rest of the ``n`` is filled
    at random from the images left over. Returns (indices, balanced share): the share of the quotas that the
    pool filled (1.0: every class got its full quota).
    """
    predicted = np.asarray(predicted)
    if n > len(predicted):
        raise ParamError(f"a class-balanced sample of {n} needs a pool of at least {n} images, not {len(predicted)}")
    rng = np.random.default_rng(seed)
    quota, chosen = n // num_classes, []
    for c in range(num_classes):
        members = np.flatnonzero(predicted == c)
        chosen.extend(rng.permutation(members)[:quota])
    balanced = len(chosen)
    rest = np.setdiff1d(np.arange(len(predicted)), chosen)
    chosen.extend(rng.permutation(rest)[: n - balanced])
    return np.sort(np.asarray(chosen, dtype=int)), balanced / max(1, quota * num_classes)


def quick_metrics(extractor: FeatureExtractor, images01: np.ndarray, reference: Reference) -> dict:
    """The cheap subset tracked during training: FID, classes covered, mean pixel value (all-black: 0)."""
    feats, probs = extractor(images01)
    hist = metrics.mode_coverage(probs.argmax(axis=1), extractor.num_classes)["histogram"]
    collapse = metrics.detect_mode_collapse(hist, reference.histogram)
    return {"fid": metrics.fid(feats, reference.features), "classes_covered": collapse["classes_covered"],
            "mean_pixel": float(np.mean(images01))}
