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


def test_record_warns_per_failed_run_and_stops_when_none_finished():
    from tests.test_study1_steps import _Page

    runs, page = RunSet(), _Page()
    runs.add("a", RunResult(label="a", seed=0, status="diverged", message="a: loss became NaN"))
    with pytest.raises(TrainingDiverged):
        reporting.record(page, runs)
    assert [c[0] for c in page.calls] == ["record_runs", "warn"] and "loss became NaN" in page.calls[1][1][0]
    runs.add("a", RunResult(label="a", seed=1))
    reporting.record(page, runs)
    reporting.finish(page, runs)
    assert page.calls[-1][2] == {"status": "partial", "message": "a: loss became NaN"}
