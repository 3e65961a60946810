"""Marker lines, the epoch-line parser, the time-left estimate and the terminal view built on them."""
import io

import pytest

from lib import progress
from lib.report.console import Console, StudyOutput
from lib.report.eta import Tracker, duration, previous_seconds
from lib.progress import Alert, CacheCount, Epoch, RunStart, parse_line


def test_run_marker_round_trips(capsys):
    progress.print_run_marker(4, 6, "baseline seed 1", 15, cached=False)
    line = capsys.readouterr().out
    assert line == "::run 4/6 epochs=15 cached=0 :: baseline seed 1\n"
    assert parse_line(line) == RunStart(4, 6, "baseline seed 1", 15, False)
    assert parse_line(progress.run_marker(1, 2, "dcgan\nseed 0", 3, True)) == RunStart(1, 2, "dcgan seed 0", 3, True)


def test_warning_marker_round_trips_on_one_line(capsys):
    progress.warn_user("CIFAR-100 unavailable:\n  using CIFAR-10")
    line = capsys.readouterr().out
    assert line == "::warning CIFAR-100 unavailable: using CIFAR-10\n"
    assert parse_line(line) == Alert("CIFAR-100 unavailable: using CIFAR-10")


@pytest.mark.parametrize("line, expected", [
    # lib.train.callbacks.EpochLogger, a classifier run
    ("[baseline seed 1] epoch 3/15 accuracy 0.7660 loss 1.2404 val_loss 0.7119 (12.3 s)",
     Epoch("baseline seed 1", 3, 15, "accuracy 0.7660 loss 1.2404 val_loss 0.7119", 12.3)),
    # EpochLogger of a GAN run, lines mode (negative losses included)
    ("[wgan_gp seed 0] epoch 2/2 d_loss -0.5039 g_loss 0.8205 gp 0.3577 (0.8 s)",
     Epoch("wgan_gp seed 0", 2, 2, "d_loss -0.5039 g_loss 0.8205 gp 0.3577", 0.8)),
    # EpochLogger in bar mode: no metrics, no timing
    ("[dcgan seed 0] epoch 1/20", Epoch("dcgan seed 0", 1, 20, "", None)),
    ("cache: 2 reused, 4 trained", CacheCount(2, 4)),
    ("[regularised seed 1] STOPPED: loss became NaN/inf in epoch 2",
     Alert("regularised seed 1 stopped: loss became NaN/inf in epoch 2")),
    # lines that announce nothing
    ("[baseline seed 0] resumed from the checkpoint after epoch 3", None),
    ("[baseline seed 0] seed 0: test accuracy 0.8433 after 3 epochs (best epoch 3, 3 s)", None),
    ("I0000 00:00:1796151395.218468 5429 port.cc:153] oneDNN custom operations are on.", None),
    ("", None),
])
def test_parse_line(line, expected):
    assert parse_line(line) == expected


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_estimate_from_markers_and_measured_epochs():
    clock = Clock()
    t = Tracker(["a", "b", "c"], {"b": None, "c": 120.0}, clock=clock)
    t.start_study("a")
    assert t.eta_text() == "estimate after the first epoch"
    t.feed(RunStart(1, 3, "x seed 0", 4, False))
    clock.t += 10
    t.feed(Epoch("x seed 0", 1, 4, "", 10.0))
    # 3 epochs left in this run + 2 runs x 4 epochs, at 10 s each; c's earlier 120 s; b never timed
    assert t.remaining() == (110.0 + 120.0, False, 1)
    assert t.position() == "[1/3 a] [run 1/3] x seed 0 epoch 1/4"
    assert t.eta_text() == "ETA 4 min + 1 study not timed before"
    clock.t += 30  # counts down between epochs
    assert t.remaining()[0] == 80.0 + 120.0


def test_estimate_without_markers_is_a_floor_or_the_previous_build():
    clock = Clock()
    t = Tracker(["a"], {}, clock=clock)
    t.start_study("a")
    clock.t += 4  # an epoch line without timing is timed by the wall clock
    t.feed(Epoch("gan", 1, 3, "", None))
    assert t.remaining() == (8.0, True, 0) and t.eta_text() == "ETA ≥ 8 s"
    t2 = Tracker(["a"], {"a": 100.0}, clock=clock)
    t2.start_study("a")
    clock.t += 30
    assert t2.remaining() == (70.0, False, 0)


def test_previous_seconds_reads_new_and_old_summaries():
    assert previous_seconds({"status": "ok", "compute_seconds": 50, "seconds": 80}) == 50
    assert previous_seconds({"status": "ok", "seconds": 80}) == 80
    assert previous_seconds({"status": "failed", "seconds": 80}) is None
    assert previous_seconds(None) is None
    assert [duration(s) for s in (12, 600, 3900)] == ["12 s", "10 min", "1 h 05 min"]


def _feed(console, text):
    log = io.StringIO()
    sink = StudyOutput(console, log, "stdout")
    for chunk in (text[:17], text[17:]):  # papermill hands over stream chunks, not lines
        sink.write(chunk)
    sink.close()
    return log.getvalue()


def test_plain_view_prints_epochs_and_warnings_and_logs_everything():
    out = io.StringIO()
    console = Console(Tracker(["a", "fashion_gans"]), out=out, interactive=False)
    with console:
        console.study_started("fashion_gans", "Study 4")
        log = _feed(console, "setting up\n::run 2/5 epochs=2 cached=0 :: dcgan seed 0\n"
                             "[dcgan seed 0] epoch 1/2 d_loss 0.9 (1.5 s)\n::warning skipped the FID part\n"
                             "::run 3/5 epochs=2 cached=1 :: cgan seed 0\n<IPython.core.display.Markdown object>")
    lines = out.getvalue().splitlines()
    assert lines[0] == "[2/2] Study 4"
    assert lines[1].startswith("[2/2 fashion_gans] [run 2/5] [dcgan seed 0] epoch 1/2 d_loss 0.9 (1.5 s) · ETA ")
    assert lines[2] == "WARNING [2/2 fashion_gans] skipped the FID part"
    assert lines[3] == "[2/2 fashion_gans] [run 3/5] cgan seed 0: from the run cache"
    assert len(lines) == 4 and console.warnings == [lines[2]]
    assert "setting up" in log and "<IPython.core.display.Markdown object>" in log


def test_interactive_view_is_one_updating_line_with_the_estimate():
    out = io.StringIO()
    console = Console(Tracker(["a"]), out=out, interactive=True, refresh_seconds=60)
    with console:
        console.study_started("a", "Study A")
        _feed(console, "::run 1/2 epochs=3 cached=0 :: m seed 0\n[m seed 0] epoch 1/3 loss 1 (2.0 s)\n")
        bar = out.getvalue().split("\r")[-1]
    assert "[1/1 a] [run 1/2] m seed 0 epoch 1/3 · 2.0 s/epoch · ETA 10 s" in bar
    assert "\n[1/1 a] [run" not in out.getvalue()  # no epoch line of its own
