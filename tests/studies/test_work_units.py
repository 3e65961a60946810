"""Each study's declared training in image-epochs (lib/studies/work.py), against arithmetic done by hand from
its profile files."""
import pytest

from lib.report.pipeline import load_params
from lib.studies.registry import STUDIES
from lib.studies.work import COST, WALL_FACTOR, Part, Work, cifar_cnn_cost, work_units


def _work(profile, key, **overrides):
    return work_units(key, {**load_params(profile, STUDIES[key]), **overrides})


def test_every_registered_study_declares_its_work():
    assert all(_work("smoke", key).units > 0 for key in STUDIES)
    assert work_units("not_a_study", {}) is None


def test_study1_quick_counts_each_cnn_at_its_cost_in_the_order_the_executor_hands_them_out():
    # 45,000 training images (50,000 less 10 % validation); 3 seeds x 15 epochs per network and reading, the
    # longest first: the batch-norm CNN at the reference widths, the plain one, then the narrow reading's two
    assert _work("quick", "cifar10_batchnorm").parts == (
        Part(3, 15, 45_000, cost=1.59), Part(3, 15, 45_000, cost=1.03),
        Part(3, 15, 45_000, cost=0.98), Part(3, 15, 45_000, cost=0.48))


def test_study1_smoke_adds_the_sweep_after_the_seeds_on_the_stand_in_data():
    # 1,200 stand-in images less 120 for validation, 3 epochs; 2 seeds of each CNN, then the sweep's 2 rates
    # (first seed), batch norm first in each executor call
    w = _work("smoke", "cifar10_batchnorm")
    assert [(p.runs, p.epochs, p.images) for p in w.parts] == [(2, 3, 1080)] * 4
    bn, plain = w.parts[0].cost, w.parts[1].cost
    assert bn > plain and [p.cost for p in w.parts] == [bn, plain, bn, plain]


def test_study1_cnn_costs_pass_through_the_widths_measured_and_grow_with_the_multiply_adds():
    assert cifar_cnn_cost(884_736, True) == pytest.approx(1.59)
    assert cifar_cnn_cost(311_296, False) == pytest.approx(0.48)
    wide = 32 * 32 * 3 * 32 + 16 * 16 * 32 * 64 + 8 * 8 * 64 * 128  # the wide_cosine reading's 32-64-128
    assert 1.59 < cifar_cnn_cost(wide, True) < 1.59 * wide / 884_736
    assert 1.03 < cifar_cnn_cost(wide, False) < cifar_cnn_cost(wide, True)


def test_study3_quick_halves_the_search_then_trains_the_final_models():
    w = _work("quick", "fashion_fcn_vs_alexnet")
    # 48 configurations x 1 epoch, 24 x 3, 12 x 9 on 10,000 images; then per seed (3), the reference reading
    # alone: the AlexNet for 10 epochs (handed out first, the longest runs), the chosen FCN and the other
    # finalist for 50, on 50,000 images
    fcn, alexnet = COST["fcn"], COST["alexnet"]
    assert w.parts == (Part(48, 1, 10_000, cost=fcn), Part(24, 3, 10_000, cost=fcn), Part(12, 9, 10_000, cost=fcn),
                       Part(3, 10, 50_000, cost=alexnet), Part(6, 50, 50_000, cost=fcn))
    assert w.units == pytest.approx((228 * 10_000 + 300 * 50_000) * fcn + 30 * 50_000 * alexnet)
    assert w.epochs == 228 + 330
    both = _work("quick", "fashion_fcn_vs_alexnet", readings=["batch_128"])   # a second reading doubles the finals
    assert both.parts[3:] == (Part(6, 10, 50_000, cost=alexnet), Part(12, 50, 50_000, cost=fcn))


def test_study4_quick_trains_the_classifier_then_every_gan():
    # classifier: 54,000 images (60,000 less 10 %) x 8 epochs; GANs: 5 families x 3 seeds + the batch-norm pair
    # x 3 seeds, less the 3 vanilla runs both share (they train once), 2 epochs of 10,240 images
    classifier = Part(1, 8, 54_000, announced=False, cost=COST["fashion_classifier"])
    assert _work("quick", "fashion_gans").parts == (classifier, Part(18, 2, 10_240, cost=COST["fashion_gan"]))


def test_study5_quick_trains_a_gan_per_seed_and_the_real_arms_then_the_synthetic_arms():
    w = _work("quick", "cifar100_vgg_synthetic")
    # 1,250 images of 10 classes less 20 % validation = 1,000 (the 2,000 validation images of n_val lie outside
    # them); over 3 seeds: the GANs beside the real-only arms (VGG-16-BN, the seed recipe), then +25 %, +50 %,
    # +100 %, synthetic only and the seed recipe on +50 %, 20 epochs each, as the executor is handed them
    arms = tuple(Part(3, 20, n, cost=COST["vgg_arm"]) for n in (1000, 1000, 1250, 1500, 2000, 1000, 1500))
    assert w.parts == (Part(3, 60, 1000, cost=COST["cifar_acgan"]), *arms)
    # quick runs no other reading; each one listed adds its GANs and the arms that take their images
    P = load_params("quick", STUDIES["cifar100_vgg_synthetic"])
    read = work_units("cifar100_vgg_synthetic", {**P, "readings": ["keep_all"]})
    assert read.parts == (*w.parts, Part(3, 60, 1000, cost=COST["cifar_acgan"]), *arms[2:])


def test_each_study_carries_its_declared_wall_factor_and_only_the_estimate_applies_it():
    for key in STUDIES:
        w = _work("quick", key)
        assert w.wall_factor == WALL_FACTOR[key] and 1.0 < w.wall_factor < 2.0
        assert w.units == pytest.approx(sum(p.runs * p.epochs * p.images * p.cost for p in w.parts))


def test_units_before_follows_the_declared_order():
    w = Work((Part(2, 1, 100), Part(1, 2, 300)))
    assert [w.units_before(n) for n in range(5)] == [0, 100, 200, 500, 800]
    assert w.units_before(5) == pytest.approx(800 + 800 / 4)  # past the declared work: the mean epoch


def test_a_run_marker_ends_the_unannounced_part_it_follows():
    w = Work((Part(1, 3, 500, announced=False), Part(2, 2, 100), Part(1, 1, 50, announced=False), Part(1, 1, 70)))
    assert [w.at_marker(n) for n in (0, 2, 3, 5, 7, 8)] == [3, 3, 3, 5, 8, 8]


def test_a_costlier_model_counts_more_units_per_image_epoch():
    w = Work((Part(1, 2, 100, cost=0.5), Part(1, 1, 100, cost=3.0)))
    assert w.units == pytest.approx(400) and [w.units_before(n) for n in range(4)] == [0, 50, 100, 400]


def test_the_cost_table_is_read_from_epoch_lines_relative_to_study1s_cnn(tmp_path):
    from tools.work_costs import costs

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "cifar10_batchnorm.log").write_text(
        "[plain CNN seed 0] epoch 1/15 accuracy 0.4 (30.0 s)\n"      # a first epoch: tracing, left out
        "[plain CNN seed 0] epoch 2/15 accuracy 0.5 (9.0 s)\n[batch-norm CNN seed 0] epoch 2/15 loss 1 (9.0 s)\n")
    (logs / "fashion_fcn_vs_alexnet.log").write_text(
        "[FCN seed 0] epoch 2/50 loss 1 (1.0 s)\n[AlexNet-style CNN seed 0] epoch 2/10 loss 1 (10.0 s)\n")
    found = costs(tmp_path)
    # 9 s / 45,000 images is the unit; the FCN's 1 s / 50,000 and the AlexNet's 10 s / 50,000 against it
    assert found["cifar_cnn"] == 1.0 and found["fcn"] == pytest.approx(0.1) and found["alexnet"] == pytest.approx(1.0)
    assert found["fashion_gan"] is None


def test_study1s_networks_are_told_apart_by_reading_in_the_order_their_runs_came(tmp_path):
    from tools.work_costs import study1_networks

    (tmp_path / "logs").mkdir()
    lines = []
    for reading, seconds in (("reference", {"batch-norm": 16.0, "plain": 10.0}), ("narrow", {"batch-norm": 10.0,
                                                                                           "plain": 4.0})):
        for net, s in seconds.items():
            lines += [f"[{net} CNN seed 0] epoch 1/3 loss 1 (30.0 s)",  # a first epoch: tracing, left out
                      f"[{net} CNN seed 0] epoch 2/3 loss 1 ({s} s)", f"[{net} CNN seed 0] epoch 3/3 loss 1 ({s} s)"]
    (tmp_path / "logs" / "cifar10_batchnorm.log").write_text("\n".join(lines) + "\n")
    # the median of all eight timed epochs is 10 s
    assert study1_networks(tmp_path) == {"batch-norm CNN, reference": 1.6, "plain CNN, reference": 1.0,
                                         "batch-norm CNN, next reading": 1.0, "plain CNN, next reading": 0.4}
