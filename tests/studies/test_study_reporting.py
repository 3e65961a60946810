"""The shared Study 1-3 page pieces (lib/studies/reporting.py): the recipe table and run bookkeeping."""
import pytest

from lib.errors import TrainingDiverged
from lib.experiments import RunResult, RunSet
from lib.studies import reporting

pytestmark = pytest.mark.unit


def test_the_recipe_table_marks_whose_each_setting_is_and_names_what_decides():
    epochs = reporting.source(False, seed=True)
    momentum = reporting.source(True, "Keras's default")
    table = reporting.recipe_table([("epochs", 15, 6, epochs), ("momentum", "not stated", 0.99, momentum)],
                                   {"the reference reading": "s1.a, s1.b"})
    assert list(table.columns) == [reporting.SEED_COL, reporting.RUN_COL, reporting.SOURCE_COL]
    assert table.loc["epochs"].tolist() == ["15", "6", "ours, this profile's (it departs from the seed)"]
    assert table.loc["momentum", reporting.SOURCE_COL] == "the reference's: Keras's default"
    assert reporting.source(True, seed=True) == "the seed's"
    assert table.loc["decides: the reference reading"].tolist() == ["—", "s1.a, s1.b", "—"]
    with pytest.raises(ValueError, match="without their source"):
        reporting.recipe_table([("epochs", 15, 6)], {})


def test_the_page_records_warns_per_failed_run_stops_when_none_finished_and_finishes_partial(tmp_path, monkeypatch):
    from lib.report import page as report

    monkeypatch.setattr(report, "_display", lambda *a, **k: None)
    monkeypatch.setattr(report, "source_commit", lambda: "abc")
    page = report.StudyReport("cifar10_batchnorm", {"profile": "smoke", "output_dir": str(tmp_path), "seeds": [0, 1]})
    runs = RunSet()
    runs.add("a", RunResult(label="a", seed=0, status="diverged", message="a: loss became NaN"))
    with pytest.raises(TrainingDiverged, match="loss became NaN"):
        page.record(runs)
    assert page.warnings == ["run failed: a: loss became NaN"]
    runs.add("a", RunResult(label="a", seed=1))
    page.record(RunSet({"a": [runs.all()[1]]}))
    summary = page.finish(runs)
    assert summary["status"] == "partial" and summary["message"] == "a: loss became NaN"
    assert summary["completeness"]["reasons"][0] == "failed runs: a: loss became NaN"


def test_a_cited_repository_revision_is_written_owner_repo_at_rev():
    from lib.studies.reporting import cited

    assert cited("X (github.com/a-b/c.d, commit 2ccd7cd), Y") == "X (github.com/a-b/c.d@2ccd7cd), Y"
    assert cited("from commit 2ccd7cd") == "from commit 2ccd7cd"        # only a cited repository's revision
