"""make variables that carry paths reach the command as one argument, whatever they hold."""
import shutil
import subprocess
import sys

import pytest

from lib.paths import PROJECT_ROOT


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("name", ["my data", "it's \"quoted\" $HOME"])
def test_make_check_takes_a_data_dir_with_spaces_and_quotes(tmp_path, name):
    data = tmp_path / name
    data.mkdir()
    # -o: never rebuild the environment from the test (make check depends on setup)
    proc = subprocess.run(["make", "-s", "-o", ".venv/.installed-cpu", "-o", ".venv/.installed-gpu", "check",
                           "PROFILE=smoke", "STUDIES=2", f"DATA_DIR={data}", f"PY={sys.executable}"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "unrecognized arguments" not in proc.stderr and "Checked profile smoke" in proc.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_check_with_a_data_dir_that_loops_is_one_line_not_a_bug_report(tmp_path):
    loop = tmp_path / "it's $HOME"
    loop.symlink_to(loop)
    proc = subprocess.run(["make", "-s", "-o", ".venv/.installed-cpu", "-o", ".venv/.installed-gpu", "check",
                           "PROFILE=smoke", "STUDIES=2", f"DATA_DIR={loop}", f"PY={sys.executable}"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    ours = [line for line in proc.stderr.splitlines() if not line.startswith("make")]
    assert proc.returncode != 0 and len(ours) == 1, proc.stderr
    assert ours[0].startswith(f"error: data directory {loop} (from DATA_DIR= / --data-dir) is a symbolic link "
                              f"that loops"), ours
    assert "bug" not in proc.stderr and "Traceback" not in proc.stderr
