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


@pytest.mark.slow
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


def test_precision_and_recall_of_identical_and_disjoint_sets():
    a = _gauss(800, 8, seed=5)
    assert metrics.precision_recall(a, a) == (1.0, 1.0)
    assert metrics.precision_recall(a, a + 100.0) == (0.0, 0.0)
    # Two independent samples of one distribution: both near 1 (not exactly: the balls are finite).
    precision, recall = metrics.precision_recall(a, _gauss(800, 8, seed=7))
    assert precision > 0.8 and recall > 0.8


def test_a_fake_set_covering_one_of_two_real_clusters_is_precise_with_half_the_recall():
    real = np.concatenate([_gauss(500, 3, seed=8), _gauss(500, 3, shift=50.0, seed=9)])  # 3-D: the balls fill the cluster
    fake = _gauss(1000, 3, seed=10)  # the first cluster only
    precision, recall = metrics.precision_recall(real, fake)
    assert precision > 0.9
    assert recall == pytest.approx(0.5, abs=0.06)
    density, coverage = metrics.density_coverage(real, fake)
    assert coverage == pytest.approx(0.5, abs=0.06) and density == pytest.approx(1.0, abs=0.15)


def test_precision_recall_of_a_collapsed_sample():
    real = _gauss(1000, 8, seed=6)
    collapsed = np.repeat(real[:5], 200, axis=0)  # five real images, each generated 200 times
    precision, recall = metrics.precision_recall(real, collapsed)
    assert precision == 1.0 and recall < 0.01


def test_a_degenerate_sample_near_one_real_outlier_fools_precision_but_not_density_or_coverage():
    # What an untrained generator does: every noise vector gives nearly one image, and that point
    # sits inside the large ball of a real outlier.
    real = _gauss(1000, 8, seed=11)
    real[0] = 6.0  # an outlier: its 3rd nearest neighbour is far away, so its ball is large
    fake = real[0] + 0.5 + _gauss(500, 8, scale=1e-3, seed=12)
    precision, recall = metrics.precision_recall(real, fake)
    assert precision == 1.0 and recall == 0.0
    density, coverage = metrics.density_coverage(real, fake)
    assert density == pytest.approx(1 / 3) and coverage == pytest.approx(1 / 1000)
    same_density, same_coverage = metrics.density_coverage(real, real)
    assert same_density >= 1.0 and same_coverage == 1.0


def test_memorised_share_separates_copies_from_held_out_images():
    rng = np.random.default_rng(13)
    train, test = rng.random((2000, 6, 6)), rng.random((500, 6, 6))
    threshold = metrics.memorisation_threshold(test, train)
    assert metrics.memorised_share(test, train, threshold) == pytest.approx(0.05, abs=0.01)
    assert metrics.memorised_share(train[:300] + 1e-4, train, threshold) == 1.0


REAL_HIST = [0.09, 0.11, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]


def test_mode_collapse_flags_one_class_but_not_real_images_nine_classes_or_copies():
    one_class = metrics.detect_mode_collapse(np.eye(10)[3], REAL_HIST)
    assert one_class["collapsed"] and one_class["classes_covered"] == 1
    assert "covers 1 of 10 classes" in one_class["reasons"][0] and "nats" in one_class["reasons"][1]
    real = metrics.detect_mode_collapse(REAL_HIST, REAL_HIST, memorised=0.05)
    assert real == {"collapsed": False, "memorising": False, "classes_covered": 10, "kl_real": 0.0, "reasons": []}
    nine = metrics.detect_mode_collapse([1 / 9] * 9 + [0.0], REAL_HIST)  # what the vanilla grids show
    assert not nine["collapsed"] and nine["classes_covered"] == 9
    copies = metrics.detect_mode_collapse(REAL_HIST, REAL_HIST, memorised=1.0)
    assert copies["memorising"] and not copies["collapsed"]
    six = metrics.detect_mode_collapse([1 / 6] * 6 + [0.0] * 4, REAL_HIST)
    assert six["collapsed"] and six["classes_covered"] == 6
    # A class the classifier never predicts on real images neither counts as covered nor as missed.
    blind = [0.0] + [1 / 9] * 9
    assert metrics.detect_mode_collapse(np.eye(10)[3], blind)["classes_covered"] == 1
    assert metrics.detect_mode_collapse(blind, blind)["reasons"] == []
    with pytest.raises(ValueError, match="unknown collapse thresholds"):
        metrics.detect_mode_collapse(REAL_HIST, REAL_HIST, min_recal=0.2)


def test_metrics_refuse_non_finite_features():
    a = _gauss(50, 4)
    a[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        metrics.fid(a, a)
