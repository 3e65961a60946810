"""Sample-quality metrics on feature vectors and class probabilities (numpy/scipy only).

The features and probabilities come from a classifier (``lib.gan.evaluation``),
so everything here works offline: nothing downloads an Inception network.

* ``fid``: Fréchet distance between Gaussians fitted to two feature sets
  (Heusel et al. 2017); ``scipy.linalg.sqrtm`` for the matrix square root.
* ``kid``: unbiased squared MMD with the cubic polynomial kernel
  ``k(x, y) = (x.y / d + 1)^3`` averaged over random subsets (Binkowski et al. 2018).
* ``classifier_score``: the Inception score ``exp E_x KL(p(y|x) || p(y))`` with
  the study's classifier in place of Inception (Salimans et al. 2016).
* ``mode_coverage``: predicted-class histogram, classes covered, KL to uniform.
* ``precision_recall``: k-NN manifold precision and recall (Kynkäänniemi et al. 2019).
* ``detect_mode_collapse``: a flag and its reasons, from coverage and precision/recall.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import linalg


def _features(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"need a 2-D array of at least two feature vectors, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("feature vectors contain NaN or infinite values")
    return x


def gaussian_stats(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (n - 1)-normalised covariance of a feature set."""
    f = _features(features)
    return f.mean(axis=0), np.cov(f, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = 1e-6) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)), the Fréchet (2-Wasserstein) distance of two Gaussians."""
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    s1, s2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error", linalg.LinAlgWarning)
        try:
            covmean = linalg.sqrtm(s1 @ s2)
        except linalg.LinAlgWarning:  # singular product (e.g. a ReLU feature that never fires)
            covmean = None
    if covmean is None or not np.isfinite(covmean).all():  # regularise, as the reference implementation does
        offset = np.eye(len(s1)) * eps
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", linalg.LinAlgWarning)
            covmean = linalg.sqrtm((s1 + offset) @ (s2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real  # imaginary parts are round-off for PSD inputs
    diff = mu1 - mu2
    value = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean))
    return max(value, 0.0)  # a squared distance; tiny negatives are round-off


def fid(features_a, features_b) -> float:
    """Fréchet distance between the Gaussian fits of two feature sets (FID in the given feature space)."""
    return frechet_distance(*gaussian_stats(features_a), *gaussian_stats(features_b))


def _poly_kernel(x, y):
    k = x @ y.T
    k /= x.shape[1]
    k += 1.0
    return k * k * k


def mmd2_unbiased(x, y) -> float:
    """Unbiased estimate of the squared MMD between samples ``x`` and ``y`` (cubic polynomial kernel)."""
    m, n = len(x), len(y)
    kxx, kyy, kxy = _poly_kernel(x, x), _poly_kernel(y, y), _poly_kernel(x, y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2.0 * kxy.mean())


def kid(features_a, features_b, subset_size: int = 1000, n_subsets: int = 25, seed: int = 0) -> tuple[float, float]:
    """Kernel Inception Distance in the given feature space: mean and sd of the unbiased MMD^2 over subsets."""
    a, b = _features(features_a), _features(features_b)
    m = min(subset_size, len(a), len(b))
    rng = np.random.default_rng(seed)
    vals = [mmd2_unbiased(a[rng.choice(len(a), m, replace=False)], b[rng.choice(len(b), m, replace=False)])
            for _ in range(n_subsets)]
    return float(np.mean(vals)), float(np.std(vals))


def classifier_score(probs, splits: int = 10) -> tuple[float, float]:
    """Inception-style score from class probabilities: mean and sd over ``splits`` parts.

    1 for identical predictions on every image; the number of classes for
    confident predictions spread evenly over all classes.
    """
    p = np.asarray(probs, dtype=np.float64)
    p = np.clip(p, 1e-12, 1.0)
    p /= p.sum(axis=1, keepdims=True)
    scores = []
    for part in np.array_split(p, max(1, min(splits, len(p)))):
        py = part.mean(axis=0, keepdims=True)
        scores.append(math.exp(float(np.mean(np.sum(part * (np.log(part) - np.log(py)), axis=1)))))
    return float(np.mean(scores)), float(np.std(scores))


def mode_coverage(predicted, num_classes: int, min_share: float | None = None) -> dict:
    """Predicted-class histogram of a sample, the classes it covers and its KL divergence to uniform.

    A class counts as covered when it receives at least ``min_share`` of the
    sample (default: a tenth of its uniform share, 0.1 / num_classes).
    ``kl_uniform`` = sum_c h_c log(h_c * K): 0 for a balanced sample, log K
    when every image falls in one class.
    """
    pred = np.asarray(predicted, dtype=np.int64).ravel()
    if len(pred) == 0:
        raise ValueError("mode_coverage needs at least one prediction")
    hist = np.bincount(pred, minlength=num_classes)[:num_classes] / len(pred)
    min_share = 0.1 / num_classes if min_share is None else min_share
    nz = hist[hist > 0]
    return {"histogram": hist.tolist(), "classes_covered": int((hist >= min_share).sum()),
            "kl_uniform": float(np.sum(nz * np.log(nz * num_classes))), "num_classes": int(num_classes)}


def _sq_distances(a, b) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``a`` and ``b`` (BLAS: ||a||^2 + ||b||^2 - 2 a.b)."""
    d = np.einsum("ij,ij->i", a, a)[:, None] + np.einsum("ij,ij->i", b, b)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d, 0.0, out=d)


def _kth_neighbour_radii(x, k: int, chunk: int) -> np.ndarray:
    """Squared distance from each point to its k-th nearest other point of the same set."""
    radii = np.empty(len(x))
    for i in range(0, len(x), chunk):
        d = _sq_distances(x[i:i + chunk], x)
        radii[i:i + chunk] = np.partition(d, k, axis=1)[:, k]  # column 0 is the point itself (distance 0)
    return radii


def _inside_manifold(points, support, sq_radii, chunk: int) -> np.ndarray:
    inside = np.empty(len(points), dtype=bool)
    for i in range(0, len(points), chunk):
        inside[i:i + chunk] = (_sq_distances(points[i:i + chunk], support) <= sq_radii[None, :]).any(axis=1)
    return inside


def precision_recall(real_features, fake_features, k: int = 3, chunk: int = 1000) -> tuple[float, float]:
    """k-NN manifold precision and recall (Kynkäänniemi et al. 2019).

    Precision: share of generated samples inside the real manifold (the union
    of balls around real samples reaching their k-th nearest real neighbour);
    recall: share of real samples inside the generated manifold.
    """
    real, fake = _features(real_features), _features(fake_features)
    if k >= min(len(real), len(fake)):
        raise ValueError(f"k = {k} needs more than {k} samples in each set")
    precision = _inside_manifold(fake, real, _kth_neighbour_radii(real, k, chunk), chunk).mean()
    recall = _inside_manifold(real, fake, _kth_neighbour_radii(fake, k, chunk), chunk).mean()
    return float(precision), float(recall)


COLLAPSE_THRESHOLDS = {"min_covered_fraction": 0.8, "max_kl_uniform": 0.5, "min_recall": 0.05,
                       "precise_if": 0.5}


def detect_mode_collapse(coverage: dict, precision: float, recall: float, **thresholds) -> dict:
    """Flag mode collapse from the class coverage and the k-NN precision/recall of a generated sample.

    Collapsed when any of (thresholds from ``COLLAPSE_THRESHOLDS``, overridable
    by keyword): fewer than ``min_covered_fraction`` of the classes covered;
    KL to uniform above ``max_kl_uniform`` nats (0.5 is about what an even
    spread over 6 of 10 classes gives); recall below ``min_recall`` although
    precision is at least ``precise_if`` (realistic images from too few modes).
    Returns ``{"collapsed": bool, "reasons": [str, ...]}``.
    """
    unknown = set(thresholds) - set(COLLAPSE_THRESHOLDS)
    if unknown:
        raise ValueError(f"unknown collapse thresholds {sorted(unknown)}; valid: {sorted(COLLAPSE_THRESHOLDS)}")
    t = {**COLLAPSE_THRESHOLDS, **thresholds}
    min_covered_fraction, max_kl_uniform = t["min_covered_fraction"], t["max_kl_uniform"]
    min_recall, precise_if = t["min_recall"], t["precise_if"]
    k = coverage["num_classes"]
    reasons = []
    need = math.ceil(min_covered_fraction * k - 1e-9)
    if coverage["classes_covered"] < need:
        reasons.append(f"covers {coverage['classes_covered']} of {k} classes (< {need})")
    if coverage["kl_uniform"] > max_kl_uniform:
        reasons.append(f"class histogram {coverage['kl_uniform']:.2f} nats from uniform (> {max_kl_uniform})")
    if recall < min_recall and precision >= precise_if:
        reasons.append(f"recall {recall:.2f} < {min_recall} at precision {precision:.2f}")
    return {"collapsed": bool(reasons), "reasons": reasons}
