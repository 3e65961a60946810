"""The benchmark's measures on hand-made numbers, and one tiny interleaved run end to end."""
import json

import pytest

from lib.models import build_fashion_cnn
from tools.bench_measures import (cpu_features, nominal_peak_gflops, spread, time_to_target,
                                  training_flops_per_image)


def test_flop_count_of_the_study2_cnn_matches_a_hand_count():
    macs = (26 * 26 * 32 * 9 * 1 + 11 * 11 * 64 * 9 * 32 + 3 * 3 * 128 * 9 * 64
            + 1152 * 128 + 128 * 10)
    assert training_flops_per_image(build_fashion_cnn()) == 6 * macs


def test_flops_of_a_gan_generator_count_its_transposed_convolutions():
    from lib.gan.models import build_dcgan_generator

    g = build_dcgan_generator(100, (28, 28, 1), filters=64)
    macs = (100 * 7 * 7 * 128            # dense projection
            + 7 * 7 * 64 * 16 * 128      # 7x7 input -> 64 filters, 4x4 kernel
            + 14 * 14 * 1 * 16 * 64)     # 14x14 input -> 1 channel
    assert training_flops_per_image(g) == 6 * macs


def test_peaks_follow_the_instruction_sets():
    amd = nominal_peak_gflops({"avx512f", "avx512_bf16", "avx2"}, ghz=2.0, cores=2, vendor="amd")
    intel = nominal_peak_gflops({"avx512f", "amx_bf16", "avx2"}, ghz=2.0, cores=2, vendor="intel")
    assert amd == {"fp32": 128.0, "bf16": 256.0}
    assert intel == {"fp32": 256.0, "bf16": 4096.0}
    assert "bf16" not in nominal_peak_gflops({"avx2"}, ghz=1.0, cores=1)
    assert cpu_features({"avx512_bf16"}) == {"AMX": False, "AVX512-BF16": True, "AVX-512": False, "AVX2": False}


def test_time_to_target_counts_epochs_until_the_first_that_reaches_it():
    assert time_to_target([5.0, 2.0, 2.0, 2.0], [0.5, 0.7, 0.69, 0.8], 0.7) == (7.0, 2)
    assert time_to_target([5.0, 2.0], [0.5, 0.6], 0.7) is None


def test_the_spread_decides_the_goal_only_when_every_round_agrees():
    assert spread([2.4, 2.1, 2.6]).against(2.0) == "met"
    assert spread([1.5, 1.9, 1.2]).against(2.0) == "not met"
    s = spread([1.8, 2.5, 2.2])
    assert s.median == pytest.approx(2.2) and (s.low, s.high) == (1.8, 2.5)
    assert s.against(2.0).startswith("inconclusive")
    assert spread([3.0]).against(2.0).startswith("inconclusive")
    assert spread([None, 3.0, 3.0]).low == 0.0      # a round that never reached the target counts as 0


@pytest.mark.slow
def test_bench_alternates_both_ways_and_the_gan_step_is_traced_once(tmp_path, capsys):
    from lib.data.fixtures import write_fixture
    from tools import bench

    write_fixture("fashion_mnist", tmp_path / "data", n_train=400, n_test=100)
    out = tmp_path / "bench"
    assert bench.main(["--cases", "fashion_cnn,dcgan", "--epochs", "2", "--rounds", "2", "--n-train", "256",
                       "--n-test", "64", "--gan-n-train", "256", "--no-levers",
                       "--data-dir", str(tmp_path / "data"), "--out", str(out)]) == 0
    result = json.loads((out / "results.json").read_text())
    assert "logical cores" in result["cpu"] and "AVX512-BF16" in result["cpu"]
    rows = {r["case"]: r for r in result["cases"]}
    cnn, gan = rows["fashion_cnn"], rows["dcgan"]
    assert [r["round"] for r in cnn["per_round"]] == [1, 2]
    low, high = cnn["throughput_range"]
    assert low <= cnn["throughput_speedup"] <= high
    for r in cnn["per_round"]:
        assert r["tta_ratio"] is None or r["tta_ratio"] == pytest.approx(r["seed_seconds"] / r["lib_seconds_to_target"])
    assert 0 <= cnn["seed_test_acc"] <= 100 and 0 <= cnn["lib_final_test_acc"] <= 100
    assert gan["traces"] == 1 and gan["rounds"] == 2   # warm-up and two rounds: one trace, no retracing
    assert "round 2/2" in capsys.readouterr().out


def test_bench_refuses_an_unknown_case_before_training(tmp_path):
    from tools import bench

    with pytest.raises(SystemExit, match="unknown bench case.*fashion_cnm"):
        bench.main(["--cases", "fashion_cnm", "--out", str(tmp_path / "bench")])
    assert not (tmp_path / "bench").exists()
