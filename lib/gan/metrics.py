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
* ``density_coverage``: the outlier-robust k-NN pair of Naeem et al. 2020 (same balls).
* ``memorised_share``: share of generated images nearer a training image than held-out real images are.
* ``detect_mode_collapse``: a flag and its reasons, from the predicted-class histogram.
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

    Precision: share of generated samples inside the real manifold, the union
    of balls around each real sample with radius its distance to its k-th
    nearest *other* real sample; recall: share of real samples inside the
    generated manifold, built the same way from the generated samples.

    Precision is a yes/no per generated sample: a sample sitting in one real
    outlier's (large) ball counts as realistic. A degenerate generated set
    (every noise vector giving nearly one image, as an untrained generator
    does) is therefore scored 0 or 1 as a whole, depending on whether that one
    point lies in some real ball; ``density_coverage`` does not share that flaw.
    """
    real, fake = _features(real_features), _features(fake_features)
    if k >= min(len(real), len(fake)):
        raise ValueError(f"k = {k} needs more than {k} samples in each set")
    precision = _inside_manifold(fake, real, _kth_neighbour_radii(real, k, chunk), chunk).mean()
    recall = _inside_manifold(real, fake, _kth_neighbour_radii(fake, k, chunk), chunk).mean()
    return float(precision), float(recall)


def density_coverage(real_features, fake_features, k: int = 3, chunk: int = 1000) -> tuple[float, float]:
    """Density and coverage (Naeem et al. 2020), on the real k-NN balls only.

    Density: the mean number of real balls a generated sample falls in, over k
    (about 1 for a generator matching the real distribution; one outlier's
    ball counts once, not as "inside"). Coverage: the share of real samples
    whose ball holds at least one generated sample (a sample concentrated in
    one place covers almost nothing).
    """
    real, fake = _features(real_features), _features(fake_features)
    if k >= len(real):
        raise ValueError(f"k = {k} needs more than {k} real samples")
    sq_radii = _kth_neighbour_radii(real, k, chunk)
    counts, covered = np.zeros(len(fake)), np.zeros(len(real), dtype=bool)
    for i in range(0, len(fake), chunk):
        inside = _sq_distances(fake[i:i + chunk], real) <= sq_radii[None, :]
        counts[i:i + chunk] = inside.sum(axis=1)
        covered |= inside.any(axis=0)
    return float(counts.mean() / k), float(covered.mean())


def nearest_distances(points, support, chunk: int = 1000) -> np.ndarray:
    """Euclidean distance from each row of ``points`` to its nearest row of ``support``."""
    points, support = _features(points), _features(support)
    out = np.empty(len(points))
    for i in range(0, len(points), chunk):
        out[i:i + chunk] = _sq_distances(points[i:i + chunk], support).min(axis=1)
    return np.sqrt(out)


def memorisation_threshold(test_pixels, train_pixels, quantile: float = 0.05) -> float:
    """The distance to the nearest training image that only ``quantile`` of held-out real images undercut."""
    flat = lambda x: np.asarray(x, dtype=np.float64).reshape(len(x), -1)  # noqa: E731
    return float(np.quantile(nearest_distances(flat(test_pixels), flat(train_pixels)), quantile))


def memorised_share(images, train_pixels, threshold: float) -> float:
    """Share of ``images`` nearer their nearest training image (pixel space) than ``threshold``.

    With ``threshold`` from :func:`memorisation_threshold` real held-out images
    score about its quantile (0.05); a generator that copies training images
    scores 1.
    """
    flat = lambda x: np.asarray(x, dtype=np.float64).reshape(len(x), -1)  # noqa: E731
    return float(np.mean(nearest_distances(flat(images), flat(train_pixels)) < threshold))


# Why these: a class counts as present when it gets a tenth of its share in the real images'
# histogram; 8 of 10 classes and 0.5 nats (about an even spread over 6 of 10 classes) leave room
# for a generator that draws nine classes. Memorising: five times the real images' base rate.
COLLAPSE_THRESHOLDS = {"min_share_of_real": 0.1, "min_covered_fraction": 0.8, "max_kl_real": 0.5,
                       "max_memorised_share": 0.25}


def class_histogram_kl(histogram, reference_histogram, floor: float = 1e-3) -> float:
    """KL(histogram || reference) in nats; the reference is floored so an empty class stays finite."""
    h = np.asarray(histogram, dtype=np.float64)
    r = np.maximum(np.asarray(reference_histogram, dtype=np.float64), floor)
    r /= r.sum()
    nz = h > 0
    return float(np.sum(h[nz] * np.log(h[nz] / r[nz])))


def detect_mode_collapse(histogram, reference_histogram, memorised: float | None = None, **thresholds) -> dict:
    """Collapse and memorisation flags from the evaluator's predicted-class histogram of a generated sample.

    ``reference_histogram`` is the same classifier's histogram of real
    held-out images (its own confusions make that one not uniform). Collapsed
    when fewer than ``min_covered_fraction`` of the classes get at least
    ``min_share_of_real`` of their real share, or when the histogram is more
    than ``max_kl_real`` nats from the real one. Precision and recall are not
    used: the k-NN recall of an imperfect but diverse generator is near 0 too.
    Memorising (a separate flag, not collapse) when ``memorised`` (from
    :func:`memorised_share`) exceeds ``max_memorised_share``.
    Returns ``{"collapsed", "memorising", "classes_covered", "kl_real", "reasons"}``.
    """
    unknown = set(thresholds) - set(COLLAPSE_THRESHOLDS)
    if unknown:
        raise ValueError(f"unknown collapse thresholds {sorted(unknown)}; valid: {sorted(COLLAPSE_THRESHOLDS)}")
    t = {**COLLAPSE_THRESHOLDS, **thresholds}
    h, ref = np.asarray(histogram, dtype=np.float64), np.asarray(reference_histogram, dtype=np.float64)
    if h.shape != ref.shape:
        raise ValueError(f"histograms of {len(h)} and {len(ref)} classes cannot be compared")
    present = ref > 0  # a class the classifier never predicts on real images cannot be missed
    k = int(present.sum())
    covered = int(np.sum(present & (h >= t["min_share_of_real"] * ref)))
    kl = class_histogram_kl(h, ref)
    need = math.ceil(t["min_covered_fraction"] * k - 1e-9)
    reasons = []
    if covered < need:
        reasons.append(f"covers {covered} of {k} classes (< {need})")
    if kl > t["max_kl_real"]:
        reasons.append(f"class histogram {kl:.2f} nats from the real one (> {t['max_kl_real']})")
    memorising = memorised is not None and memorised > t["max_memorised_share"]
    if memorising:
        reasons.append(f"{memorised:.0%} of images nearer a training image than 95 % of real test images are")
    return {"collapsed": bool(covered < need or kl > t["max_kl_real"]), "memorising": bool(memorising),
            "classes_covered": covered, "kl_real": kl, "reasons": reasons}
