"""A second report run is served from the run cache."""
import json

import nbformat
import pytest

from lib.report import pipeline


@pytest.mark.slow
def test_second_report_run_reuses_every_training_run(tmp_path, monkeypatch):
    params = tmp_path / "params" / "cached"
    params.mkdir(parents=True)
    (params / "fashion_regularisation.yaml").write_text(
        "data_source: generated\nseeds: [0, 1]\nprecision: float32\ndeterministic: true\n"
        "use_cache: true\nepochs: 2\nbatch_size: 64\nn_train: 600\nn_test: 100\n")
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path / "params")
    monkeypatch.setenv("SMALLIMG_CACHE_DIR", str(tmp_path / "cache"))  # the kernels' cache, not the checkout's
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
    assert summaries[0]["cache"] == {"reused": 0, "trained": 4}
    assert summaries[1]["cache"] == {"reused": 4, "trained": 0}
    assert summaries[0]["claims"] == summaries[1]["claims"] and summaries[0]["finding"] == summaries[1]["finding"]
    # the page states what the runs cost, not what re-rendering took
    assert summaries[1]["compute_seconds"] == summaries[0]["compute_seconds"] > 0
