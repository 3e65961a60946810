"""A study's summary.json of another shape (valid JSON, wrong types) is not trusted: the index and the
runner treat it as missing instead of failing with a TypeError or AttributeError."""
import json

import pytest

from lib.report import index, pipeline

SHAPES = {
    "a list": [],
    "a string": "ok",
    "finding is a number": {"finding": 3, "status": "ok"},
    "data of numbers": {"data": [1, 2]},
    "claims of strings": {"claims": ["reproduced"]},
    "verdict is a list": {"claims": [{"verdict": ["x"]}]},
    "compute time is text": {"compute_seconds": "ten"},
    "cache counts are text": {"cache": {"reused": "1", "trained": 0}},
    "title is a dict": {"title": {"a": 1}},
    "finished is a number": {"finished": 20261202},
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_summary_of_another_shape_is_treated_as_missing(tmp_path, shape):
    key = "fashion_regularisation"
    build, reports = tmp_path / "build", tmp_path / "reports"
    (build / key).mkdir(parents=True)
    (build / key / "summary.json").write_text(json.dumps(SHAPES[shape]))
    reports.mkdir()
    (reports / "02_fashion_regularisation.html").write_text("<p>page</p>")
    assert pipeline._read_summary(build / key / "summary.json") is None
    page = index.build_index("t", build, reports, {key: {"status": "ok"}}).read_text()
    rows, claims = index.study_rows(build, reports, {key: {"status": "ok"}})
    assert [r["status"] for r in rows if r["key"] == key] == ["not run"] and claims == []
    assert "Findings" in page


def test_a_summary_as_finish_writes_it_is_trusted(tmp_path):
    key = "fashion_regularisation"
    summary = {"study": key, "title": "T", "page": "p.html", "profile": "t", "status": "ok", "message": "",
               "data": ["line"], "finding": "F", "claims": [{"verdict": "reproduced", "claim": "c"}],
               "warnings": [], "compute_seconds": 1.5, "render_seconds": 2, "cache": {"reused": 1, "trained": 0},
               "commit": "abc", "finished": "2026-12-02T17:00"}
    (tmp_path / key).mkdir()
    (tmp_path / key / "summary.json").write_text(json.dumps(summary))
    assert pipeline._read_summary(tmp_path / key / "summary.json") == summary
