"""Offline evaluation of generated images with a classifier trained on the real data.

The classifier (for Fashion-MNIST, ``lib.models.build_fashion_cnn``) is trained
with ``lib.training.train_classifier``; its penultimate layer gives the feature
vectors for FID, KID and precision/recall, its softmax the class probabilities
for the Inception-style score and the mode coverage.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from ..runs import RunCache
from ..training import Split, train_classifier
from . import metrics


def _save_weights(model: keras.Model, path: Path) -> None:
    """Atomically: Keras wants the ``.weights.h5`` suffix, so write beside and rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{os.getpid()}.{path.name}")
    model.save_weights(tmp)
    os.replace(tmp, path)


def train_evaluator(build_model: Callable, split: Split, weights_path: str | Path, *, seed: int, epochs: int,
                    batch_size: int, learning_rate: float = 1e-3, label: str = "evaluator") -> dict:
    """Train the feature classifier, save its weights to ``weights_path``; returns the run's result dict."""
    built = []

    def build():
        built.append(build_model())
        return built[-1]

    result = train_classifier(build, split, label=label, seed=seed, epochs=epochs, batch_size=batch_size,
                              learning_rate=learning_rate).to_dict()
    if result["status"] == "ok":
        _save_weights(built[-1], Path(weights_path))
    result["weights"] = str(weights_path)
    return result


def cached_evaluator(cache: RunCache, spec: dict, build_model: Callable, split: Split, weights_dir: str | Path,
                     **train_kwargs) -> dict:
    """``train_evaluator`` through ``cache``; retrains when the cached entry's weights file has gone."""
    weights = Path(weights_dir) / f"{cache.key(spec)}.weights.h5"
    if not weights.is_file():
        cache.path(spec).unlink(missing_ok=True)  # a result without its weights cannot be reused
    return cache.get_or_run(spec, train_evaluator, build_model, split, weights, **train_kwargs)


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
        self.classifier = classifier
        self.model = keras.Model(classifier.inputs[0], [classifier.layers[-2].output, classifier.outputs[0]])
        self.num_classes = int(classifier.outputs[0].shape[-1])
        self.feature_dim = int(classifier.layers[-2].output.shape[-1])

    def __call__(self, images: np.ndarray, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
        feats, probs = [], []
        for i in range(0, len(images), batch_size):
            f, p = self.model(np.asarray(images[i:i + batch_size], dtype=np.float32), training=False)
            feats.append(np.asarray(f, dtype=np.float32))
            probs.append(np.asarray(p, dtype=np.float32))
        return np.concatenate(feats), np.concatenate(probs)


def evaluate_images(extractor: FeatureExtractor, images01: np.ndarray, reference_features: np.ndarray, *,
                    labels: np.ndarray | None = None, knn_k: int = 3, kid_subset: int = 1000, kid_subsets: int = 25,
                    seed: int = 0) -> dict:
    """Every metric of ``images01`` (in [0, 1]) against the real reference set's features.

    Returns a flat dict: ``fid``, ``kid`` (and ``kid_sd``), ``is`` (and
    ``is_sd``), ``classes_covered``, ``kl_uniform``, ``histogram``,
    ``precision``, ``recall``, ``collapsed``, ``collapse_reasons``; with
    ``labels`` (the classes a conditional generator was asked for) also
    ``label_accuracy``, the share the classifier assigns to that class.
    """
    feats, probs = extractor(images01)
    pred = probs.argmax(axis=1)
    kid_m, kid_s = metrics.kid(feats, reference_features, subset_size=kid_subset, n_subsets=kid_subsets, seed=seed)
    is_m, is_s = metrics.classifier_score(probs)
    coverage = metrics.mode_coverage(pred, extractor.num_classes)
    precision, recall = metrics.precision_recall(reference_features, feats, k=knn_k)
    collapse = metrics.detect_mode_collapse(coverage, precision, recall)
    out = {"fid": metrics.fid(feats, reference_features), "kid": kid_m, "kid_sd": kid_s, "is": is_m, "is_sd": is_s,
           "classes_covered": coverage["classes_covered"], "kl_uniform": coverage["kl_uniform"],
           "histogram": coverage["histogram"], "precision": precision, "recall": recall,
           "collapsed": collapse["collapsed"], "collapse_reasons": collapse["reasons"], "n": int(len(images01))}
    if labels is not None:
        out["label_accuracy"] = float(np.mean(pred == np.asarray(labels)))
    return out


def quick_metrics(extractor: FeatureExtractor, images01: np.ndarray, reference_features: np.ndarray) -> dict:
    """The cheap subset tracked during training: FID, classes covered, KL to uniform."""
    feats, probs = extractor(images01)
    coverage = metrics.mode_coverage(probs.argmax(axis=1), extractor.num_classes)
    return {"fid": metrics.fid(feats, reference_features), "classes_covered": coverage["classes_covered"],
            "kl_uniform": coverage["kl_uniform"]}
