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


def test_op_kinds_split_matrix_arithmetic_from_the_optimiser_and_the_rest():
    from tools.bench_profile import op_kind

    scope = "StatefulPartitionedCall/gradient_tape/cnn/conv2d_1/convolution"
    assert op_kind(f"{scope}/Conv2DBackpropFilter:_MklNativeConv2DBackpropFilterWithBias", "adam") == "matrix"
    assert op_kind("StatefulPartitionedCall/cnn/dense/MatMul:_MklMatMul", "adam") == "matrix"
    assert op_kind("StatefulPartitionedCall/adam/Sub_26:Sub", "adam") == "optimizer"
    assert op_kind("StatefulPartitionedCall/adam/Sub_26:Sub", "sgd") == "other"
    assert op_kind("StatefulPartitionedCall/adamw_like/Sub:Sub", "adam") == "other"   # whole scope names only
    assert op_kind("StatefulPartitionedCall/cnn/max_pooling2d/MaxPool:_MklNativeMaxPool", "adam") == "other"
    assert op_kind("ExecutorState::Process", "adam") is None


def _trace(step_ms: float, threads: dict[str, list[tuple[str, float, float]]], steps: int = 1):
    """A hand-made XSpace: ``steps`` traced step calls of ``step_ms`` each, back to back, and per executor
    thread its events as (name, start ms, duration ms)."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    plane = space.planes.add(name="/host:CPU")
    ids: dict[str, int] = {}

    def meta(name):
        if name not in ids:
            ids[name] = len(ids) + 1
            plane.event_metadata[ids[name]].name = name
        return ids[name]

    python = plane.lines.add(name="python")
    for i in range(steps):
        python.events.add(metadata_id=meta("multi_step_on_iterator"), offset_ps=int(i * step_ms * 1e9),
                          duration_ps=int(step_ms * 1e9))
    for thread, events in threads.items():
        line = plane.lines.add(name=thread)
        for name, start, ms in events:
            line.events.add(metadata_id=meta(name), offset_ps=int(start * 1e9), duration_ps=int(ms * 1e9))
    return space


def test_the_breakdown_splits_wall_time_into_kinds_and_counts_time_without_any_kernel_as_idle():
    from tools.bench_profile import op_time_breakdown, shares

    found = op_time_breakdown(_trace(10.0, {
        "tf_Compute/0": [("ExecutorState::Process", 0, 10),           # bookkeeping around the kernels
                         ("m/conv/Conv2D:_MklNativeFusedConv2D", 1, 4), ("m/adam/Mul:Mul", 5, 1),
                         ("m/relu/ReluGrad:ReluGrad", 6, 2)],
        "tf_Compute/1": [],
        "tf_numa_-1_Eigen/1": [("m/conv/Conv2D:_MklNativeFusedConv2D", 1, 4)]}))   # a worker shard: not counted
    assert found["threads"] == 2 and found["step_wall"] == pytest.approx(0.010)
    sec = found["seconds"]
    assert sec["matrix"] == pytest.approx(0.004) and sec["optimizer"] == pytest.approx(0.001)
    assert sec["other"] == pytest.approx(0.002) and sec["idle"] == pytest.approx(0.003)
    s = shares(found)
    assert sum(s.values()) == pytest.approx(1.0) and s["matrix"] == pytest.approx(0.4)


def test_a_function_call_op_is_not_counted_over_the_kernels_it_encloses():
    from tools.bench_profile import op_time_breakdown

    sec = op_time_breakdown(_trace(10.0, {"tf_Compute/0": [
        ("StatefulPartitionedCall:StatefulPartitionedCall", 0, 9),     # encloses the two kernels below
        ("m/conv/Conv2D:_MklNativeFusedConv2D", 1, 5), ("m/relu/Relu:Relu", 6, 2)]}))["seconds"]
    assert sec["matrix"] == pytest.approx(0.005) and sec["other"] == pytest.approx(0.002)
    assert sec["idle"] == pytest.approx(0.003)


def test_kernels_running_at_once_on_two_threads_share_the_time_they_overlap():
    from tools.bench_profile import op_time_breakdown

    found = op_time_breakdown(_trace(5.0, {"tf_Compute/0": [("m/conv/Conv2D:Conv2D", 0, 4)],
                                           "tf_Compute/1": [("m/relu/Relu:Relu", 2, 2)]}, steps=2))
    sec = found["seconds"]
    assert found["step_wall"] == pytest.approx(0.010)          # two calls back to back
    assert sec["matrix"] + sec["other"] == pytest.approx(0.004)  # the union of the kernels' intervals
    assert sec["matrix"] == pytest.approx(0.004 * 4 / 6) and sec["idle"] == pytest.approx(0.006)


def test_thread_settings_are_labelled_with_what_tensorflow_chooses_for_zero():
    from tools.bench_threads import SETTINGS, label

    assert label(0, 0) == "intra-op default, inter-op default" and label(2, 1) == "intra-op 2, inter-op 1"
    assert SETTINGS[0] == (0, 0)          # the ratios are to TensorFlow's default


@pytest.mark.slow
def test_thread_settings_run_in_their_own_processes_and_the_profile_accounts_for_the_step_time(tmp_path):
    from lib.data import classification_split, load_dataset
    from lib.data.fixtures import write_fixture
    from tools.bench import profile_both_ways
    from tools.bench_threads import SETTINGS, run_thread_levers

    write_fixture("fashion_mnist", tmp_path / "data", n_train=300, n_test=50)
    rows = run_thread_levers("fashion_cnn", 256, rounds=1, data_dir=str(tmp_path / "data"), epochs=1)
    assert [r["setting"] for r in rows][0] == "intra-op default, inter-op default" and len(rows) == len(SETTINGS)
    assert rows[0]["vs_default"] == 1.0 and all(r["img_per_s"] > 0 for r in rows)

    from lib.models import build_fashion_cnn

    split = classification_split(load_dataset("fashion_mnist", str(tmp_path / "data")), 257, 50, 1 / 257)
    profiles = profile_both_ways("Study 2 CNN", build_fashion_cnn, split)
    assert [p["way"].split(":")[0] for p in profiles] == ["seeds' way", "library's way"]
    for p in profiles:
        assert p["ms_per_step"] > 0 and p["matrix_share"] > 0
        assert sum(p[f"{k}_share"] for k in ("matrix", "optimizer", "other", "idle")) == pytest.approx(1.0, abs=0.01)


def test_quick_bench_ratios_are_per_round_against_serial_bfloat16_and_settings_alternate(monkeypatch, tmp_path):
    from tools import bench_quick

    calls = []
    speed = {("serial", "mixed_bfloat16"): [100, 80], ("local:2", "mixed_bfloat16"): [200, 120],
             ("serial", "float32"): [50, 40], ("local:2", "float32"): [60, 48]}

    def fake(name, executor, policy, n, epochs, data_dir):
        calls.append((executor, policy))
        return speed[(executor, policy)][sum(c == (executor, policy) for c in calls) - 1]

    monkeypatch.setattr(bench_quick, "measure", fake)
    assert bench_quick.main(["--nets", "study2_cnn", "--rounds", "2", "--out", str(tmp_path)]) == 0
    assert calls[:4] == list(bench_quick.SETTINGS) and calls[4:] == list(bench_quick.SETTINGS[::-1])
    rows = {(r["executor"], r["precision"]): r for r in json.loads(
        (tmp_path / "quick.json").read_text())["rows"]}
    assert rows[("local:2", "mixed_bfloat16")]["vs_serial_bf16"] == pytest.approx(1.75)   # median of 2.0 and 1.5
    assert rows[("serial", "float32")]["vs_serial_bf16"] == pytest.approx(0.5)
    assert rows[("local:2", "float32")]["img_per_s"] == 54
    assert "Study 2 CNN" in (tmp_path / "quick.md").read_text()
