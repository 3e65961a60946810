"""A full disk never destroys a good result: notebooks, pages and the index are written through a
temporary file and a rename, a failed write leaves the previous file intact and says so in one line.

The full file system is simulated: the write raises ENOSPC after writing part of its data (as a
real one does once the free blocks run out), since a small tmpfs needs root.
"""
import contextlib
import errno
import pathlib
from io import StringIO

import nbformat
import pytest

from lib import io
from lib.report import index, pipeline
from lib.studies import registry as studies
from lib.errors import OutputError
from fake_studies import write_notebook
from lib.report.render import render_html


def _full_disk_write_text(monkeypatch, after: int = 4096):
    """Path.write_text writes ``after`` characters, then fails as a full disk does."""
    original = pathlib.Path.write_text

    def write_text(self, data, *args, **kwargs):
        if not data:  # truncating to empty needs no space
            return original(self, data, *args, **kwargs)
        original(self, data[:after], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)


def test_a_write_that_runs_out_of_space_keeps_the_previous_file_and_says_so(tmp_path, monkeypatch):
    target = tmp_path / "page.html"
    target.write_text("the good page")
    _full_disk_write_text(monkeypatch, after=3)
    with pytest.raises(OutputError) as err:
        io.write_text(target, "a new page that does not fit")
    message = str(err.value)
    assert "\n" not in message and "file system is full" in message and "previous file is kept" in message
    monkeypatch.undo()
    assert target.read_text() == "the good page"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"], "no temporary file is left behind"


def _notebook(path, text="hello"):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('hello')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nb.cells = [cell]
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize("content", [b"", b'{"cells": [', b"\x00" * 4096, b"[]"],
                         ids=["empty", "truncated", "zeros", "a list"])
def test_a_truncated_or_foreign_executed_notebook_fails_its_page_in_one_line(tmp_path, content):
    page = tmp_path / "page.html"
    page.write_text("the good page")
    executed = tmp_path / "executed.ipynb"
    executed.write_bytes(content)
    with pytest.raises(OutputError, match="cannot read the executed notebook") as err:
        render_html(executed, page, "t")
    assert "\n" not in str(err.value) and page.read_text() == "the good page"


def test_a_page_write_on_a_full_disk_keeps_the_earlier_page(tmp_path, monkeypatch):
    page = tmp_path / "page.html"
    render_html(_notebook(tmp_path / "a.ipynb", "first run"), page, "t")
    before = page.read_bytes()
    _full_disk_write_text(monkeypatch)
    with pytest.raises(OutputError, match="file system is full"):
        render_html(_notebook(tmp_path / "b.ipynb", "second run"), page, "t")
    assert page.read_bytes() == before


def test_a_truncated_executed_notebook_never_replaces_the_earlier_one(tmp_path):
    out_nb = _notebook(tmp_path / "study.ipynb", "the earlier good run")
    before = out_nb.read_bytes()
    tmp = tmp_path / ".running-study.ipynb"
    tmp.write_bytes(before[:4096 // 16])  # what papermill left when its write ran out of space
    with pytest.raises(OutputError) as err:
        pipeline._keep_executed(tmp, out_nb)
    assert "previous one is kept" in str(err.value) and "\n" not in str(err.value)
    assert out_nb.read_bytes() == before and not tmp.exists()
    good = _notebook(tmp, "this run")
    pipeline._keep_executed(good, out_nb)  # a whole notebook does replace it
    assert "this run" in out_nb.read_text()


GOOD = ('from lib.report import page as report\nfrom lib.studies.registry import Study, register, resolve\n'
        'from lib.experiments.claims import Family\n'
        'register(Study("good", 94, "94_good.ipynb", "Good study", "Does it work?", ()))\n'
        'page = report.StudyReport("good", resolve("good", params))\n'
        'page.claims(Family([], finding="RUN-MARK"))\npage.finish()\nprint("good study ran")')


@pytest.mark.slow
def test_a_report_on_a_full_build_directory_keeps_the_earlier_results_and_says_so_in_one_line(tmp_path, monkeypatch):
    from lib.studies.registry import Study

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    write_notebook(nbdir / "94_good.ipynb", GOOD)
    good = Study("good", 94, "94_good.ipynb", "Good study", "Does it work?", ())
    (tmp_path / "params" / "t").mkdir(parents=True)
    (tmp_path / "params" / "t" / "good.yaml").write_text("data_source: generated\n")
    for module in (studies, index, pipeline):
        monkeypatch.setattr(module, "STUDIES", {"good": good})
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path / "params")

    def run():
        out, err = StringIO(), StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = pipeline.report("t", [good], build_root=tmp_path / "build", reports_root=tmp_path / "reports",
                                   notebooks_dir=nbdir, interactive=False)
        return code, out.getvalue() + err.getvalue()

    assert run()[0] == 0
    files = [tmp_path / "build" / "t" / "notebooks" / good.notebook, tmp_path / "reports" / "t" / good.page,
             tmp_path / "reports" / "t" / "index.html"]
    before = {f: f.read_bytes() for f in files}

    import papermill.iorw

    def full_disk(self, buf, path):  # papermill writes the notebook in place after every cell
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(buf[:min(4096, len(buf) // 2)])
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(papermill.iorw.LocalHandler, "write", full_disk)
    _full_disk_write_text(monkeypatch)  # summary, page and index writes too
    code, output = run()
    monkeypatch.undo()
    assert code == 1
    assert "Traceback" not in output and "NotJSONError" not in output
    assert "the previous one is kept" in output and "the previous index is kept" in output
    for f, content in before.items():
        assert f.read_bytes() == content, f"{f.name} was changed by the failed run"
    assert not list((tmp_path / "build" / "t" / "notebooks").glob(".running-*"))
