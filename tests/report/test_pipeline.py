"""The batch runner: one broken study leaves the others and the index intact; bad outputs fail early."""
import contextlib
import json
from io import StringIO

import nbformat
import pytest

from lib.report import index, pipeline
from lib.studies import registry as studies
from lib.errors import ProjectError
from lib.studies.registry import Study
from fake_studies import write_notebook


_notebook = write_notebook


def _two_studies(tmp_path, monkeypatch):
    nbdir, params = tmp_path / "notebooks", tmp_path / "params" / "testprof"
    nbdir.mkdir()
    params.mkdir(parents=True)
    good = Study("good", 91, "91_good.ipynb", "Good study", "Does it work?", ())
    broken = Study("broken", 92, "92_broken.ipynb", "Broken study", "Does it fail cleanly?", ())
    _notebook(nbdir / good.notebook,
              'from lib.report import page as report\nfrom lib.studies.registry import Study, register, resolve\n'
              'register(Study("good", 91, "91_good.ipynb", "Good study", "Does it work?", ()))\n'
              'page = report.StudyReport("good", resolve("good", params))\n'
              'from lib.experiments import Claim, Evidence\nfrom lib.experiments.claims import judge_family\n'
              'family = judge_family([(Claim("g.acc", "000", "reaches 90 %", "accuracy", seed_value=0.9),\n'
              '                        Evidence(values=[0.95, 0.96, 0.955]))])\n'
              'family.finding = "it works"\npage.claims(family)\n'
              'page.finish()\nprint("good study ran")')
    _notebook(nbdir / broken.notebook, 'raise RuntimeError("deliberately broken study")')
    for s in (good, broken):
        (params / f"{s.key}.yaml").write_text("data_source: generated\n")
    registry = {"good": good, "broken": broken}
    monkeypatch.setattr(studies, "STUDIES", registry)
    monkeypatch.setattr(index, "STUDIES", registry)
    monkeypatch.setattr(pipeline, "STUDIES", registry)
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path / "params")
    return tmp_path, nbdir, [broken, good]


@pytest.fixture
def two_studies(tmp_path, monkeypatch):
    return _two_studies(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def broken_and_good_report(tmp_path_factory):
    """One real report run of the two studies (a kernel per notebook), shared by the tests that read what it left.

    A file written earlier sits in the reports directory; the run is not interactive (as under capsys) and
    its terminal output is kept. Returns (tmp, exit code, terminal output).
    """
    tmp = tmp_path_factory.mktemp("two_studies")
    with pytest.MonkeyPatch.context() as mp:
        _, nbdir, selected = _two_studies(tmp, mp)
        reports = tmp / "reports" / "testprof"
        reports.mkdir(parents=True)
        (reports / "notes.txt").write_text("written earlier")
        out = StringIO()
        with contextlib.redirect_stdout(out):
            code = pipeline.report("testprof", selected, build_root=tmp / "build", reports_root=tmp / "reports",
                                   notebooks_dir=nbdir, interactive=False)
    return tmp, code, out.getvalue()


@pytest.mark.slow
def test_a_broken_study_is_marked_and_the_others_still_render(broken_and_good_report):
    tmp, code, _ = broken_and_good_report
    reports = tmp / "reports" / "testprof"
    assert code == 1
    page = (reports / "index.html").read_text()
    assert '<a href="91_good.html">Good study</a>' in page
    assert 'class="failed">failed<' in page and "stopped on an error in the code, not in its input" in page
    assert "RuntimeError" not in page                       # the exception's class and text: log and terminal only
    assert "differs from the seed&#39;s run (ours higher by 5.50 points)" in page  # the good study's row made it
    assert "deliberately broken study" in (reports / "92_broken.html").read_text()
    assert (reports / "91_good.html").is_file()
    assert (reports / "notes.txt").read_text() == "written earlier"
    summary = json.loads((tmp / "build" / "testprof" / "good" / "summary.json").read_text())
    assert summary["status"] == "ok"
    assert not list((tmp / "build" / "testprof" / "notebooks").glob(".running-*"))


def test_unwritable_reports_directory_fails_before_running(two_studies, capsys):
    tmp, nbdir, _ = two_studies
    (tmp / "blocker").write_text("a file, not a directory")
    code = pipeline.main(["report", "--profile", "testprof", "--studies", "good",
                          "--build-dir", str(tmp / "build"), "--reports-dir", str(tmp / "blocker" / "r")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: cannot write the reports directory") and "\n" not in err
    assert not (tmp / "build" / "testprof" / "notebooks").exists()


def test_unknown_study_on_the_command_line(two_studies, capsys):
    tmp, _, _ = two_studies
    assert pipeline.main(["check", "--profile", "testprof", "--studies", "godo"]) == 2
    assert "unknown study 'godo' (did you mean 'good'?)" in capsys.readouterr().err


def test_a_second_concurrent_run_is_refused(tmp_path):
    with pipeline.exclusive(tmp_path):
        with pytest.raises(ProjectError, match="another report run"):
            with pipeline.exclusive(tmp_path):
                pass


def test_corrupted_summary_is_not_trusted(two_studies):
    tmp, _, _ = two_studies
    build, reports = tmp / "build" / "testprof", tmp / "reports" / "testprof"
    (build / "good").mkdir(parents=True)
    (build / "good" / "summary.json").write_text('{"headline": [{"metric": "acc')
    reports.mkdir(parents=True)
    (reports / "91_good.html").write_text("<html></html>")
    page = index.build_index("testprof", build, reports, {}).read_text()
    assert "not run" in page
    assert "no finished study yet" in page


def _summary(build, key, **kw):
    (build / key).mkdir(parents=True, exist_ok=True)
    base = {"title": key, "status": "ok", "finding": f"{key} finding", "claims": [], "data": [],
            "compute_seconds": 60.0, "cache": {"reused": 0, "trained": 2}, "commit": "abc1234", "finished": "2026-11-30T10:00"}
    (build / key / "summary.json").write_text(__import__("json").dumps({**base, **kw}))


def test_a_failed_latest_run_shows_the_failure_and_marks_old_numbers_as_earlier(two_studies):
    tmp, _, _ = two_studies
    build, reports = tmp / "build" / "testprof", tmp / "reports" / "testprof"
    reports.mkdir(parents=True)
    (reports / "91_good.html").write_text("<html></html>")
    claim = {"key": "g", "seed": "000", "claim": "reaches 90 %", "metric": "accuracy", "seed_value": "90.00 %",
             "ours": "95.00 %", "verdict": "beaten", "detail": "", "scope": "", "addition": False}
    _summary(build, "good", claims=[claim], finding="old finding")
    page = index.build_index("testprof", build, reports, {"good": {"status": "failed", "error": "KeyError: x"}}).read_text()
    assert 'class="failed">failed<' in page and "KeyError" not in page          # the class and text: log only
    assert "stopped on an error in the code, not in its input" in page
    assert "Earlier" in page and "old finding" in page and "not from this run" in page
    assert "reaches 90 %" not in page  # the failed study's claims are not shown as this run's
    assert "ok (earlier" not in page


def test_index_defines_every_verdict_word_and_flags_pages_from_different_commits(two_studies):
    tmp, _, _ = two_studies
    build, reports = tmp / "build" / "testprof", tmp / "reports" / "testprof"
    reports.mkdir(parents=True)
    for key, page_name in (("good", "91_good.html"), ("broken", "92_broken.html")):
        (reports / page_name).write_text("<html></html>")
    _summary(build, "good", commit="abc1234")
    _summary(build, "broken", commit="def5678")
    page = index.build_index("testprof", build, reports, {"good": {"status": "ok"}, "broken": {"status": "ok"}}).read_text()
    assert "different commits" in page and "abc1234" in page and "def5678" in page
    from lib.experiments import VERDICTS
    for word in VERDICTS:
        assert f">{word}</dt>" in page.replace("&#39;", "'")
    assert "**" not in page and page.count("<h1>") == 1
    _summary(build, "broken", commit="abc1234")
    page = index.build_index("testprof", build, reports, {"good": {"status": "ok"}, "broken": {"status": "ok"}}).read_text()
    assert "different commits" not in page and "from the pages of commit <code>abc1234</code>" in page


def test_a_page_that_cannot_be_replaced_fails_that_study_in_one_line(two_studies, monkeypatch, capsys):
    """A directory squats on one study's page: that study is marked failed, the other still renders."""
    tmp, nbdir, selected = two_studies
    reports = tmp / "reports" / "testprof"
    (reports / "91_good.html" / "squatter").mkdir(parents=True)

    def fake_execute(study, params, out_nb, kernel, notebooks_dir, *args):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"{study.key} ran")]
        nbformat.write(nb, str(out_nb))

    monkeypatch.setattr(pipeline, "execute", fake_execute)
    code = pipeline.report("testprof", selected, build_root=tmp / "build", reports_root=tmp / "reports",
                           notebooks_dir=nbdir)
    assert code == 1
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAILED [2/2 good]")]
    assert len(failed) == 1 and f"cannot write {reports / '91_good.html'}" in failed[0]
    assert "broken ran" in (reports / "92_broken.html").read_text()
    assert (reports / "91_good.html").is_dir() and not list(reports.glob(".91_good.html.*"))


def test_atomic_write_onto_a_directory_is_an_output_error(tmp_path):
    from lib import io
    from lib.errors import OutputError

    (tmp_path / "page.html").mkdir()
    with pytest.raises(OutputError, match="cannot write .*page.html"):
        io.write_text(tmp_path / "page.html", "<html></html>")
    (tmp_path / "file").write_text("a file where a folder belongs")
    with pytest.raises(OutputError, match="cannot write"):
        io.write_text(tmp_path / "file" / "page.html", "x")

@pytest.mark.slow
def test_the_terminal_shows_a_failure_and_a_closing_summary_and_the_log_keeps_the_rest(broken_and_good_report):
    tmp, code, out = broken_and_good_report
    assert code == 1
    assert "FAILED [1/2 broken] broken: RuntimeError: deliberately broken study (log: " in out
    assert "Report testprof: 1 of 2 studies ok" in out and "91. Good study: ok" in out
    assert "- reaches 90 %: ours 95.50 % ± 0.50 over 3 runs (as reported), seed 90.00 % (as reported, one run) -> " \
           "differs from the seed's run (ours higher by 5.50 points)" in out
    assert out.rstrip().splitlines()[-1].strip().startswith("FAILED [1/2 broken]")  # repeated at the very end
    assert "good study ran" not in out and "Executing Cell" not in out
    assert "good study ran" in (tmp / "build" / "testprof" / "logs" / "good.log").read_text()
    # no epoch ran and no earlier build timed these studies: the closing summary and the build's record say so
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Report testprof:"))
    assert lines[header + 1] == ("  time estimate: none was made (no epoch measured, and no earlier build timed "
                                 "every study)")
    record = json.loads((tmp / "build" / "testprof" / "report.json").read_text())
    assert record["first_estimate"] is None and record["profile"] == "testprof" and record["actual_seconds"] > 0
