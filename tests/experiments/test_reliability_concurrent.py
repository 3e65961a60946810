"""Reports started together (different profiles, one run cache) all complete: each kernel talks over
sockets in its own private directory, not over ``kernel-ipc-<n>`` files in the project root."""
import os
import subprocess
import sys
import textwrap

import pytest

from lib.paths import PROJECT_ROOT

DRIVER = textwrap.dedent('''
    import sys
    from pathlib import Path
    from lib.report import pipeline
    pipeline.PARAMS = Path(sys.argv[1])
    sys.exit(pipeline.main(sys.argv[2:]))
''')


@pytest.mark.slow
def test_three_reports_started_together_on_one_cache_all_complete(tmp_path):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    profiles = ["p1", "p2", "p3"]
    for profile in profiles:  # the same runs, so the three share (and race for) the same cache entries
        folder = tmp_path / "params" / profile
        folder.mkdir(parents=True)
        (folder / "fashion_regularisation.yaml").write_text(
            "data_source: generated\nuse_cache: true\nseeds: [0]\nepochs: 1\n")
    env = {**os.environ, "SMALLIMG_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(PROJECT_ROOT),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    before = set(PROJECT_ROOT.glob("kernel-ipc*"))
    procs = [subprocess.Popen([sys.executable, str(driver), str(tmp_path / "params"), "report", "--profile", p,
                               "--studies", "2", "--build-dir", str(tmp_path / "build"),
                               "--reports-dir", str(tmp_path / "reports")],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for p in profiles]
    outputs = [p.communicate(timeout=900)[0] for p in procs]
    for profile, proc, out in zip(profiles, procs, outputs):
        assert proc.returncode == 0, f"{profile}:\n{out[-3000:]}"
        assert "Traceback" not in out and "Invalid Signature" not in out
        assert (tmp_path / "reports" / profile / "02_fashion_regularisation.html").is_file()
        assert (tmp_path / "reports" / profile / "index.html").is_file()
    assert list((tmp_path / "cache").rglob("*.json")), "the runs used the shared cache"
    assert set(PROJECT_ROOT.glob("kernel-ipc*")) == before, "no socket files in the project root"
