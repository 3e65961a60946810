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
    assert "cache: " in outputs[0]  # the first run may reuse entries left by an earlier test run
    assert "cache: 4 reused, 0 trained" in outputs[1]
    assert summaries[0]["headline"] == summaries[1]["headline"]
