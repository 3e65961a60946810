import math
import os

import numpy as np
import pytest

from lib import io
from lib.experiments import stats
from lib.errors import OutputError


def test_paired_comparison_matches_a_hand_computation():
    a, b = [0.90, 0.91, 0.92], [0.92, 0.92, 0.95]
    c = stats.paired_comparison(a, b)
    d = np.array(b) - np.array(a)
    t = d.mean() / (d.std(ddof=1) / math.sqrt(3))
    assert c.mean_diff == pytest.approx(d.mean()) and c.t == pytest.approx(t)
    assert c.ci_low < c.mean_diff < c.ci_high


def test_single_pair_gives_no_p_value():
    c = stats.paired_comparison([0.9], [0.91])
    assert math.isnan(c.p) and not c.significant() and "single seed" in c.describe()


def test_fmt_mean_sd():
    assert stats.fmt_mean_sd([0.9, 0.92]) == "91.00 ± 1.41%"
    assert stats.fmt_mean_sd([0.9]) == "90.00%"
    assert stats.fmt_mean_sd([float("nan"), 0.9], unit=" pts") == "—"


def test_atomic_write_keeps_the_old_file_when_the_writer_fails(tmp_path):
    path = tmp_path / "metrics.json"
    io.write_json(path, {"accuracy": 0.9})

    def broken(p):
        p.write_text('{"accuracy": 0.')
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        io.atomic_write(path, broken)
    assert io.read_json(path) == {"accuracy": 0.9}
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_written_files_are_world_readable(tmp_path):
    path = io.write_text(tmp_path / "a.txt", "x")
    assert os.stat(path).st_mode & 0o044 == 0o044


def test_unwritable_output_directory_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError) as e:
        io.ensure_writable_dir(blocker / "reports", "reports")
    assert "cannot write the reports directory" in str(e.value) and "\n" not in str(e.value)
