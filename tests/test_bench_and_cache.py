"""FLOP counting for the benchmark, and a second report run served from the run cache."""
import json

import nbformat
import pytest

from lib import pipeline
from lib.bench import nominal_peak_gflops, training_flops_per_image
from lib.models import build_fashion_cnn


def test_flop_count_of_the_study2_cnn_matches_a_hand_count():
    macs = (26 * 26 * 32 * 9 * 1 + 11 * 11 * 64 * 9 * 32 + 3 * 3 * 128 * 9 * 64
            + 1152 * 128 + 128 * 10)
    assert training_flops_per_image(build_fashion_cnn()) == 6 * macs


def test_nominal_peak_is_positive_on_this_machine():
    assert nominal_peak_gflops()["fp32"] > 0


@pytest.mark.slow
def test_second_report_run_reuses_every_training_run(tmp_path, monkeypatch):
    params = tmp_path / "params" / "cached"
    params.mkdir(parents=True)
    (params / "fashion_regularisation.yaml").write_text(
        "data_source: generated\nseeds: [0, 1]\nprecision: float32\ndeterministic: true\n"
        "use_cache: true\nepochs: 2\nbatch_size: 64\nn_train: 600\nn_test: 100\n")
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path / "params")
    study = pipeline.get_study("fashion_regularisation")
    outputs, summaries = [], []
    for _ in range(2):
        code = pipeline.report("cached", [study], build_root=tmp_path / "build", reports_root=tmp_path / "reports")
        assert code == 0
        nb = nbformat.read(str(tmp_path / "build" / "cached" / "notebooks" / study.notebook), as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        outputs.append(text)
        summaries.append(json.loads((tmp_path / "build" / "cached" / "fashion_regularisation" / "summary.json")
                                    .read_text()))
    assert summaries[1]["cache"] == {"reused": 4, "trained": 0}
    assert summaries[0]["claims"] == summaries[1]["claims"] and summaries[0]["finding"] == summaries[1]["finding"]
    # the page states what the runs cost, not what re-rendering took
    assert summaries[1]["compute_seconds"] == summaries[0]["compute_seconds"] > 0


@pytest.mark.slow
def test_bench_runs_both_ways_and_the_gan_step_is_traced_once(tmp_path):
    from lib import bench
    from lib.data.fixtures import write_fixture

    write_fixture("fashion_mnist", tmp_path / "data", n_train=400, n_test=100)
    out = tmp_path / "bench"
    assert bench.main(["--cases", "fashion_cnn,dcgan", "--epochs", "2", "--n-train", "256", "--n-test", "64",
                       "--gan-epochs", "2", "--gan-n-train", "256", "--no-levers",
                       "--data-dir", str(tmp_path / "data"), "--out", str(out)]) == 0
    rows = {r["case"]: r for r in json.loads((out / "results.json").read_text())}
    assert set(rows) == {"fashion_cnn", "dcgan"}
    cnn, gan = rows["fashion_cnn"], rows["dcgan"]
    assert cnn["reference_img_per_s"] > 0 and cnn["lib_img_per_s"] > 0
    assert cnn["speedup"] == round(cnn["lib_img_per_s"] / cnn["reference_img_per_s"], 2)
    assert 0 <= cnn["reference_test_acc"] <= 100 and 0 <= cnn["lib_test_acc"] <= 100
    assert gan["traces"] == 1  # one trace for two epochs: the step is retrace-free
    assert gan["train_images"] == 256 and gan["reference_test_acc"] is None
    assert (out / "results.csv").read_text().startswith("case,")


def test_bench_refuses_an_unknown_case_before_training(tmp_path):
    from lib import bench

    with pytest.raises(SystemExit, match="unknown bench case.*fashion_cnm"):
        bench.main(["--cases", "fashion_cnm", "--out", str(tmp_path / "bench")])
    assert not (tmp_path / "bench").exists()


def test_flops_of_a_gan_generator_count_its_transposed_convolutions():
    from lib.gan.models import build_dcgan_generator

    g = build_dcgan_generator(100, (28, 28, 1), filters=64)
    macs = (100 * 7 * 7 * 128            # dense projection
            + 7 * 7 * 64 * 16 * 128      # 7x7 input -> 64 filters, 4x4 kernel
            + 14 * 14 * 1 * 16 * 64)     # 14x14 input -> 1 channel
    assert training_flops_per_image(g) == 6 * macs
