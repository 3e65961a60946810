"""The shared Study 1-3 page pieces (lib/studies/reporting.py): the recipe table and run bookkeeping."""
import pytest

from lib.errors import TrainingDiverged
from lib.experiments import RunResult, RunSet
from lib.studies import reporting

pytestmark = pytest.mark.unit


def test_the_recipe_table_puts_the_seed_beside_this_run_and_names_what_decides():
    table = reporting.recipe_table([("epochs", 15, 6), ("momentum", reporting.silent(0.99), 0.9)],
                                   {"seed's recipe": "s1.a, s1.b"})
    assert list(table.columns) == [reporting.SEED_COL, reporting.RUN_COL]
    assert table.loc["epochs"].tolist() == ["15", "6"]
    assert table.loc["momentum", reporting.SEED_COL] == "not stated; Keras default 0.99"
    assert table.loc["decides: seed's recipe"].tolist() == ["—", "s1.a, s1.b"]


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
