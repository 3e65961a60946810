"""What `make report` prints: short enough to read whole, and none of papermill's, Jupyter's or TensorFlow's noise."""
import os
import re
import subprocess
import sys

import pytest

from lib.paths import PROJECT_ROOT

NOISE = ("Executing Cell", "Ending Cell", "<IPython", "Styler at 0x", "oneDNN", "absl::InitializeLog",
         "without encryption", "Input Notebook", "Executing notebook with kernel")


@pytest.mark.slow
def test_smoke_report_output_is_short_and_clean(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the runner must quiet its kernels itself (conftest sets it for tests)
    proc = subprocess.run([sys.executable, "-m", "lib.report.pipeline", "report", "--profile", "smoke", "--studies", "2",
                           "--build-dir", str(tmp_path / "build"), "--reports-dir", str(tmp_path / "reports")],
                          cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600)
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
    assert lines[-1] == f"Index: {tmp_path / 'reports' / 'smoke' / 'index.html'}"
    unexpected = [ln for ln in lines if not ln.startswith(("[1/1", "Report ", "  ", "Index: "))]
    assert not unexpected, out
    log = (tmp_path / "build" / "smoke" / "logs" / "fashion_regularisation.log").read_text()
    assert "[baseline seed 0] epoch 1/3" in log  # what the terminal leaves out is kept
