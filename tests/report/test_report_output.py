"""What `make report` prints (short enough to read whole, and none of papermill's, Jupyter's or TensorFlow's
noise) and writes (a study page and an index that pass the page checks), from one smoke report of Study 2."""
import os
import re
import subprocess
import sys

import pytest

from lib.paths import PROJECT_ROOT
from page_checks import page_problems

NOISE = ("Executing Cell", "Ending Cell", "<IPython", "Styler at 0x", "oneDNN", "absl::InitializeLog",
         "without encryption", "Input Notebook", "Executing notebook with kernel")


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory):
    """`report --profile smoke --studies 2` into a temporary build and reports directory: (its output, that directory)."""
    root = tmp_path_factory.mktemp("smoke-report")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the runner must quiet its kernels itself (conftest sets it for tests)
    proc = subprocess.run([sys.executable, "-m", "lib.report.pipeline", "report", "--profile", "smoke", "--studies", "2",
                           "--build-dir", str(root / "build"), "--reports-dir", str(root / "reports")],
                          cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600)
    return proc, root


@pytest.mark.slow
def test_smoke_report_output_is_short_and_clean(smoke_report):
    proc, root = smoke_report
    out = proc.stdout
    assert proc.returncode == 0, out
    lines = out.splitlines()
    for noise in NOISE:
        assert noise not in out, f"{noise!r} reached the terminal:\n{out}"
    # Study 2 smoke: 2 variants x 2 seeds x 3 epochs; a title, a result line, and the closing summary.
    epoch_lines = [ln for ln in lines if re.match(r"\[1/1 fashion_regularisation\] .*epoch \d+/\d+ .* · ", ln)]
    assert len(epoch_lines) == 12 and all(("ETA" in ln or "estimate" in ln) for ln in epoch_lines)
    assert 15 <= len(lines) <= 30, out
    assert lines[0] == "[1/1] Study 2: Fashion-MNIST CNN regularisation"
    assert any(ln.startswith("Report smoke: 1 of 1 studies ok") for ln in lines)
    assert lines[-1] == f"Index: {root / 'reports' / 'smoke' / 'index.html'}"
    unexpected = [ln for ln in lines if not ln.startswith(("[1/1", "Report ", "  ", "Index: "))]
    assert not unexpected, out
    log = (root / "build" / "smoke" / "logs" / "fashion_regularisation.log").read_text()
    assert "[baseline seed 0] epoch 1/3" in log  # what the terminal leaves out is kept


@pytest.mark.slow
def test_a_rendered_smoke_page_and_its_index_pass_the_checks(smoke_report):
    proc, root = smoke_report
    assert proc.returncode == 0, proc.stdout
    reports = root / "reports" / "smoke"
    page = (reports / "02_fashion_regularisation.html").read_text()
    assert page_problems(page) == []
    assert "make report PROFILE=smoke STUDIES=2" in page and "stand-in" in page  # built from this run
    assert page_problems((reports / "index.html").read_text(), study_page=False) == []
