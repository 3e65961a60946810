"""Report helpers: every figure on a page carries a description for readers who cannot see it."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lib.report import header  # noqa: E402
from lib.report.page import figure_description  # noqa: E402


def test_figure_description_names_the_title_panels_and_axes():
    fig, (a, b) = plt.subplots(1, 2)
    fig.suptitle("Training and validation curves (quick)")
    a.set_title("loss"), a.set_xlabel("epoch"), a.set_ylabel("loss")
    b.set_title("accuracy"), b.set_xlabel("epoch")
    text = figure_description(fig, "curves")
    plt.close(fig)
    assert text == ("Figure: Training and validation curves (quick); loss, x: epoch, y: loss; "
                    "accuracy, x: epoch")


def test_an_untitled_figure_falls_back_to_its_name():
    fig, _ = plt.subplots()
    text = figure_description(fig, "epochs_to_threshold")
    plt.close(fig)
    assert text == "Figure: epochs to threshold"


def test_a_page_figure_is_an_img_with_its_description(tmp_path, monkeypatch):
    from lib.report import page as report

    shown = []
    monkeypatch.setattr(report, "_display", lambda obj, **kw: shown.append(obj))
    page = report.StudyReport("fashion_regularisation", {"output_dir": str(tmp_path), "profile": "t", "seeds": [0]})
    fig, ax = plt.subplots()
    ax.set_title("test accuracy per seed")
    page.figure(fig, "seeds")
    html = shown[0].data
    assert html.startswith('<img alt="Figure: test accuracy per seed" src="data:image/png;base64,')
    assert (tmp_path / "figures" / "seeds.png").stat().st_size > 0


def _page(tmp_path, monkeypatch, shown):
    from lib.report import page as report
    monkeypatch.setattr(report, "_display", lambda obj, **kw: shown.append(obj))
    return report.StudyReport("fashion_regularisation", {"output_dir": str(tmp_path), "profile": "t", "seeds": [0, 1, 2]})


def test_header_compute_time_comes_from_the_run_records_also_when_cached(tmp_path, monkeypatch):
    from lib.experiments import RunResult, RunSet
    shown = []
    page = _page(tmp_path, monkeypatch, shown)
    runs = RunSet()
    for seed in range(3):
        runs.add("a", RunResult(label="a", seed=seed, seconds=420.0, cached=True))
    page.record(runs)
    text = header.header_text(page, finished=page.started + 3)
    assert "21.0 min of training in 3 runs (3 read back from the run cache)" in text
    assert "in 0.1 min" in text  # the render time is stated separately
    summary = page.finish()
    assert summary["compute_seconds"] == 1260.0 and summary["cache"] == {"reused": 3, "trained": 0}


def test_claims_findings_and_warnings_reach_the_summary(tmp_path, monkeypatch, capsys):
    from lib.experiments import Claim, Evidence
    from lib.experiments.claims import judge_family
    shown = []
    page = _page(tmp_path, monkeypatch, shown)
    family = judge_family([(Claim("k", "002", "reaches 90 %", "val accuracy", seed_value=0.9),
                            Evidence(values=[0.95, 0.96, 0.955], scope="3 seeds"))])
    family.finding = "a computed sentence"
    page.claims(family)
    with pytest.raises(RuntimeError, match="one Holm family"):
        page.claims(family)  # the page renders one family; it never judges a second
    page.warn("fell back to CIFAR-10")
    summary = page.finish()
    assert family.rows[0]["verdict"].startswith("differs from the seed's run (ours higher")
    assert summary["claims"] == family.rows
    assert "one-run prediction interval" in summary["claims"][0]["seed_check"]
    assert summary["claims"][0]["scope"] == "3 seeds" and summary["finding"] == "a computed sentence"
    assert summary["warnings"] == ["fell back to CIFAR-10"]
    assert "::warning fell back to CIFAR-10" in capsys.readouterr().out


def test_render_hides_the_golden_cell_and_progress_markers(tmp_path):
    import nbformat
    from lib.report.render import _drop_logs
    nb = nbformat.v4.new_notebook()
    kept = nbformat.v4.new_code_cell("print('x')")
    kept.outputs = [nbformat.v4.new_output("stream", name="stdout", text="::run 1/2 epochs=3 cached=0 :: a\nvisible\n")]
    golden = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\ncheck()")
    golden.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "'golden check: ok'"})]
    shown = nbformat.v4.new_code_cell("page.say('x'); {'a': 1}")
    shown.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "x", "text/plain": "x"}),
                     nbformat.v4.new_output("execute_result", data={"text/plain": "{'a': 1}"})]
    nb.cells = [kept, golden, shown]
    out = _drop_logs(nb)
    # Printed lines (logs, markers) and bare reprs stay in the executed notebook, never on the page.
    assert len(out.cells) == 2 and out.cells[0].outputs == []
    assert [o["output_type"] for o in out.cells[1].outputs] == ["display_data"]


def _quick_gans_page(tmp_path, monkeypatch, shown):
    from lib.report import pipeline, page as report

    monkeypatch.setattr(report, "_display", lambda obj, **kw: shown.append(obj))
    study = pipeline.get_study("fashion_gans")
    params = {**pipeline.load_params("quick", study), "profile": "quick", "golden": "off",
              "output_dir": str(tmp_path)}
    return report.StudyReport("fashion_gans", params)


def test_the_header_shows_every_parameter_and_what_the_profile_changed(tmp_path, monkeypatch):
    from lib.report import page as report

    shown = []
    page = _quick_gans_page(tmp_path, monkeypatch, shown)
    monkeypatch.setattr(header, "header_text", lambda page, finished=None: "# header")
    page.show_header()
    # page Markdown is shown as escaped HTML: the header, the parameters, then the limitations
    assert len(shown) == 3 and "<h1>header</h1>" in shown[0].data and "Limitations</h2>" in shown[2].data
    html = shown[1].data
    rows = {r["parameter"]: r for r in header.parameter_rows(page)}
    assert set(rows) == set(page.study.schema)
    assert rows["n_critic"]["value"] == 5 and rows["n_critic"]["set by"] == "profile"
    assert rows["gp_weight"]["set by"] == "default" and rows["golden"]["set by"] == "run"
    science = [r for r in rows.values() if r["parameter"] not in header.RUN_SETTINGS and
               r["parameter"] not in header.HIDDEN]
    changed = sum(1 for r in science if r["set by"] == "profile")
    assert f"The <code>quick</code> profile changed {changed} of these {len(science)}" in html
    # What shapes the science in the open, the run settings collapsed, the plumbing not at all.
    open_part, settings = html.split("<details><summary><b>Run settings.")
    assert "<details open>" in open_part and "<td>n_critic</td><td>5</td><td>profile</td><td>2</td>" in html
    assert "<td>use_cache</td>" in settings and "<td>use_cache</td>" not in open_part
    assert "<td>golden</td>" not in html and "<td>output_dir</td>" not in html and "SMALLIMG" not in html
    assert "<td>classifier_n_train</td><td>null</td><td>default</td><td></td>" in html
    # No local path on a page (tests/report/test_committed_report.py): directories show relative to the project.
    assert str(tmp_path) not in html
    assert "train on <code>seeds</code>" in html and "`" not in html


def test_a_default_edited_in_the_schema_shows_on_the_page(tmp_path, monkeypatch):
    import dataclasses

    from lib.studies import registry as studies

    study = studies.STUDIES["fashion_gans"]
    edited = dataclasses.replace(study, params={**study.params,
                                                "knn_k": dataclasses.replace(study.params["knn_k"], default=7)})
    monkeypatch.setitem(studies.STUDIES, "fashion_gans", edited)
    page = _quick_gans_page(tmp_path, monkeypatch, [])
    assert "<td>knn_k</td><td>7</td><td>default</td>" in header.parameters_html(page)  # quick leaves it
    page.params["knn_k"] = 3
    assert "<td>knn_k</td><td>3</td><td>profile</td><td>7</td>" in header.parameters_html(page)


def test_the_parameter_table_is_an_output_on_the_code_free_page(tmp_path, monkeypatch):
    import nbformat

    from lib.report.render import render_html

    page = _quick_gans_page(tmp_path, monkeypatch, [])
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("page.show_header()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": header.parameters_html(page)})]
    nb.cells = [cell]
    nbformat.write(nb, str(tmp_path / "executed.ipynb"))
    html = render_html(tmp_path / "executed.ipynb", tmp_path / "page.html", "t").read_text()
    assert "<td>n_critic</td><td>5</td><td>profile</td>" in html and "page.show_header()" not in html
