"""GAN metrics on cases with a known answer (numpy only, no TensorFlow)."""
import math

import numpy as np
import pytest

from lib.gan import metrics


def _gauss(n, d, shift=0.0, scale=1.0, seed=0):
    return np.random.default_rng(seed).normal(shift, scale, size=(n, d))


def _spd(d, seed=0):
    a = np.random.default_rng(seed).normal(size=(d, d))
    return a @ a.T / d + np.eye(d) * 0.5


def test_fid_of_identical_sets_is_zero():
    a = _gauss(2000, 16)
    assert metrics.fid(a, a) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_equals_the_closed_forms():
    d = 12
    mu, s = np.arange(d) / 3.0, _spd(d)
    shift = np.linspace(-1, 1, d)
    # Same covariance: only the means differ.
    assert metrics.frechet_distance(mu, s, mu + shift, s) == pytest.approx(shift @ shift, rel=1e-8)
    # Scaled covariance c^2 S: Tr(S) (1 - c)^2.
    assert metrics.frechet_distance(mu, s, mu, 4.0 * s) == pytest.approx(np.trace(s) * (1 - 2.0) ** 2, rel=1e-8)
    # Diagonal covariances: sum (sqrt(a) - sqrt(b))^2 plus the mean term.
    va, vb = np.linspace(0.5, 3, d), np.linspace(2, 1, d)
    expected = shift @ shift + np.sum((np.sqrt(va) - np.sqrt(vb)) ** 2)
    assert metrics.frechet_distance(mu, np.diag(va), mu + shift, np.diag(vb)) == pytest.approx(expected, rel=1e-8)


def test_fid_of_a_shifted_gaussian_sample_matches_the_closed_form():
    a, b = _gauss(20000, 8, seed=1), _gauss(20000, 8, shift=0.5, scale=2.0, seed=2)
    expected = 8 * 0.5 ** 2 + 8 * (1 - 2.0) ** 2       # ||mu||^2 + Tr(I + 4I - 2*2I)
    assert metrics.fid(a, b) == pytest.approx(expected, rel=0.03)


def test_fid_survives_a_singular_covariance():
    a = _gauss(500, 6)
    a[:, 0] = 0.0  # a dead feature (a ReLU unit that never fires)
    assert metrics.fid(a, a) == pytest.approx(0.0, abs=1e-4)
    assert np.isfinite(metrics.fid(a, a + 1.0))


def test_kid_is_near_zero_for_one_distribution_and_clearly_positive_for_a_shift():
    a, b = _gauss(2000, 8, seed=3), _gauss(2000, 8, seed=4)
    same_mean, same_sd = metrics.kid(a, b, subset_size=300, n_subsets=30)
    shifted, _ = metrics.kid(a, b + 0.5, subset_size=300, n_subsets=30)
    assert abs(same_mean) < 3 * same_sd / math.sqrt(30) + 1e-3
    assert shifted > 20 * (abs(same_mean) + same_sd)
    ident, _ = metrics.kid(a, a, subset_size=300, n_subsets=10)
    assert abs(ident) < 0.01 * shifted


def test_mmd_of_two_point_sets_matches_a_hand_computation():
    x, y = np.array([[0.0], [1.0]]), np.array([[2.0], [3.0]])
    k = lambda u, v: (u * v + 1) ** 3  # noqa: E731 (d = 1)
    expected = (2 * k(0, 1)) / 2 + (2 * k(2, 3)) / 2 - 2 * np.mean([k(0, 2), k(0, 3), k(1, 2), k(1, 3)])
    assert metrics.mmd2_unbiased(x, y) == pytest.approx(expected)


def test_classifier_score_known_values():
    onehot = np.eye(10)[np.arange(1000) % 10]
    assert metrics.classifier_score(onehot)[0] == pytest.approx(10.0, rel=1e-6)
    assert metrics.classifier_score(np.full((1000, 10), 0.1))[0] == pytest.approx(1.0)
    assert metrics.classifier_score(np.eye(10)[np.zeros(1000, int)])[0] == pytest.approx(1.0)


def test_mode_coverage_of_one_class_and_of_a_balanced_set():
    one = metrics.mode_coverage(np.full(500, 3), 10)
    assert one["classes_covered"] == 1 and one["kl_uniform"] == pytest.approx(math.log(10))
    assert one["histogram"][3] == 1.0
    balanced = metrics.mode_coverage(np.arange(1000) % 10, 10)
    assert balanced["classes_covered"] == 10 and balanced["kl_uniform"] == pytest.approx(0.0, abs=1e-12)
    half = metrics.mode_coverage(np.arange(1000) % 5, 10)
    assert half["classes_covered"] == 5 and half["kl_uniform"] == pytest.approx(math.log(2))


def test_precision_and_recall_of_identical_disjoint_and_half_overlapping_sets():
    a = _gauss(800, 8, seed=5)
    assert metrics.precision_recall(a, a) == (1.0, 1.0)
    assert metrics.precision_recall(a, a + 100.0) == (0.0, 0.0)
    mixed = np.concatenate([a[:400], a[400:] + 100.0])
    precision, _ = metrics.precision_recall(a, mixed)
    assert precision == pytest.approx(0.5)


def test_precision_recall_of_a_collapsed_sample():
    real = _gauss(1000, 8, seed=6)
    collapsed = np.repeat(real[:5], 200, axis=0)  # five real images, each generated 200 times
    precision, recall = metrics.precision_recall(real, collapsed)
    assert precision == 1.0 and recall < 0.01


def test_mode_collapse_flags():
    balanced = metrics.mode_coverage(np.arange(1000) % 10, 10)
    assert metrics.detect_mode_collapse(balanced, 0.7, 0.6) == {"collapsed": False, "reasons": []}
    one = metrics.detect_mode_collapse(metrics.mode_coverage(np.zeros(100, int), 10), 0.9, 0.0)
    assert one["collapsed"] and len(one["reasons"]) == 3 and "covers 1 of 10 classes" in one["reasons"][0]
    narrow = metrics.detect_mode_collapse(balanced, 0.9, 0.01)
    assert narrow["collapsed"] and "recall 0.01" in narrow["reasons"][0]
    assert not metrics.detect_mode_collapse(balanced, 0.1, 0.01)["collapsed"]  # poor images, not collapse
    with pytest.raises(ValueError):
        metrics.detect_mode_collapse(balanced, 0.5, 0.5, min_recal=0.2)


def test_metrics_refuse_non_finite_features():
    a = _gauss(50, 4)
    a[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        metrics.fid(a, a)
