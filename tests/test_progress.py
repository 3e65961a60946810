"""Marker lines, the epoch-line parser, the time-left estimate and the terminal view built on them."""
import io

import pytest

from lib import progress
from lib.report.console import Console, StudyOutput
from lib.report.eta import PACE_TO_EPOCH, Tracker, duration, previous_seconds
from lib.progress import Alert, CacheCount, Epoch, Pace, RunStart, parse_line


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
    # EpochLogger's pace line, once per run early in its first epoch (a Ray worker's prefix removed)
    ("[batch-norm CNN seed 0] pace 41/352 batches 3.02 s", Pace("batch-norm CNN seed 0", 41, 352, 3.02)),
    ("(_ray_task pid=4242) [m seed 1] pace 5/20 batches 3 s", Pace("m seed 1", 5, 20, 3.0)),
    ("[m seed 1] pace 5/0 batches 3 s", None),  # an epoch of no batches paces nothing
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


# -- the whole-report estimate from declared work (image-epochs) ------------------------------------------

from lib.report.eta import estimate_error, estimate_record  # noqa: E402
from lib.report.summary import estimate_text  # noqa: E402
from lib.studies.work import Part, Work  # noqa: E402

# a: 2 runs x 4 epochs of 1,000 images; b: 3 runs x 2 epochs of 500; c: a search of 4 x 1 epoch on 100 images,
# then 1 run x 10 epochs on 200
WORK = {"a": Work((Part(2, 4, 1000),)), "b": Work((Part(3, 2, 500),)), "c": Work((Part(4, 1, 100), Part(1, 10, 200)))}


def test_no_whole_estimate_before_the_first_epoch_of_a_cold_run():
    clock = Clock()
    t = Tracker(["a", "b", "c"], {}, clock=clock, work=WORK)
    t.start_study("a")
    clock.t += 40  # loading data, building the model
    t.feed(RunStart(1, 2, "m seed 0", 4, False))
    assert t.whole_estimate() is None and t.first_estimate is None
    assert t.eta_text() == "estimate after the first epoch"


def test_the_whole_estimate_appears_with_the_first_measured_epoch_and_refines():
    clock = Clock()
    t = Tracker(["a", "b", "c"], {}, clock=clock, work=WORK)
    t.start_study("a")
    t.feed(RunStart(1, 2, "m seed 0", 4, False))
    clock.t += 45
    t.feed(Epoch("m seed 0", 1, 4, "loss 1", 10.0))
    # 10 s for 1,000 image-epochs: 0.01 s each. Left: a 7,000, b 3,000, c 2,400 image-epochs = 124 s.
    assert t.seconds_per_unit() == pytest.approx(0.01)
    assert t.remaining() == (pytest.approx(124.0), False, 0)
    assert t.first_estimate == (45.0, pytest.approx(45.0 + 124.0))
    assert t.eta_text() == "ETA 2 min, whole report ≈ 3 min"
    clock.t += 14
    t.feed(Epoch("m seed 0", 2, 4, "loss 0.9", 14.0))
    # 24 s for 2,000: 0.012 s each; left 6,000 + 3,000 + 2,400; the first estimate stays as it was given
    assert t.whole_estimate() == pytest.approx(59.0 + 11_400 * 0.012)
    assert t.first_estimate == (45.0, pytest.approx(169.0))
    clock.t += 5  # counts down between epochs
    assert t.remaining()[0] == pytest.approx(11_400 * 0.012 - 5)


def test_each_epoch_credits_the_part_it_is_in():
    clock = Clock()
    t = Tracker(["c"], {}, clock=clock, work=WORK)
    t.start_study("c")
    for i in range(4):  # the search: 100 image-epochs per epoch, one after another
        clock.t += 1.0
        t.feed(Epoch(f"cfg{i} seed 0", 1, 1, "", 1.0))
    clock.t += 2.0
    t.feed(Epoch("final seed 0", 1, 10, "", 2.0))  # the final run: 200 per epoch
    assert t.measured["c"] == [6.0, 600.0]
    assert t.remaining()[0] == pytest.approx(9 * 200 * 6.0 / 600)


def test_a_study_timed_by_the_previous_build_keeps_that_time_and_the_others_are_scaled():
    clock = Clock()
    t = Tracker(["a", "b", "c"], {"c": 300.0}, clock=clock, work=WORK)
    t.start_study("a")
    clock.t += 10
    t.feed(Epoch("m seed 0", 1, 4, "", 10.0))
    assert t.remaining() == (pytest.approx(70.0 + 30.0 + 300.0), False, 0)


def test_before_any_epoch_the_previous_build_alone_gives_the_estimate():
    clock = Clock()
    t = Tracker(["a", "b"], {"a": 100.0, "b": 50.0}, clock=clock, work=WORK)
    t.start_study("a")
    assert t.first_estimate == (0.0, 150.0)
    clock.t += 30
    assert t.remaining() == (120.0, False, 0)


def test_a_study_finished_from_the_cache_adds_no_time_and_no_speed():
    clock = Clock()
    t = Tracker(["a", "b"], {}, clock=clock, work=WORK)
    t.start_study("a")
    for i in (1, 2):
        t.feed(RunStart(i, 2, f"m seed {i}", 4, True))
    assert t.remaining()[0] is None  # nothing measured yet: b cannot be scaled
    clock.t += 3
    t.finish_study()
    assert "a" not in t.measured and t.first_estimate is None
    t.start_study("b")
    t.feed(RunStart(1, 3, "n seed 0", 2, False))
    clock.t += 5
    t.feed(Epoch("n seed 0", 1, 2, "", 5.0))
    # the speed is b's alone (5 s / 500), and a, done, adds nothing: 5 epochs of 500 left
    assert t.seconds_per_unit() == pytest.approx(0.01)
    assert t.remaining() == (pytest.approx(25.0), False, 0)
    assert t.first_estimate == (8.0, pytest.approx(8.0 + 25.0))


def test_cached_and_resumed_runs_pass_their_epochs_uncredited():
    clock = Clock()
    t = Tracker(["a"], {}, clock=clock, work=WORK)
    t.start_study("a")
    t.feed(RunStart(1, 2, "m seed 0", 4, True))
    t.feed(RunStart(2, 2, "m seed 1", 4, False))
    t.feed(Epoch("m seed 1", 3, 4, "", 10.0))  # resumed: epochs 1-2 ran in an earlier process
    assert t.measured["a"] == [10.0, 1000.0]
    assert t.remaining()[0] == pytest.approx(1000 * 0.01)


def test_the_closing_line_states_the_first_estimate_against_the_actual_time():
    assert estimate_text((45.0, 58 * 60), 63 * 60) == \
        "time estimate: first estimate 58 min at 0:45, actual 1 h 03 min (−8 %)"
    assert estimate_error((45.0, 58 * 60), 63 * 60) == pytest.approx(-5 / 63)
    assert estimate_text((3723.0, 7200.0), 6000.0).endswith("at 1:02:03, actual 1 h 40 min (+20 %)")
    assert estimate_text((10.0, 100.0), 100.0).endswith("(0 %)")
    assert estimate_text(None, 100.0).startswith("time estimate: none was made")


def test_the_build_record_keeps_the_first_estimate_and_the_measured_work():
    clock = Clock()
    t = Tracker(["a", "b"], {}, clock=clock, work={"a": WORK["a"], "b": None})
    t.start_study("a")
    clock.t += 45
    t.feed(Epoch("m seed 0", 1, 4, "", 10.0))
    record = estimate_record(t, 200.0)
    assert record["error"] is None and record["first_estimate"] is None  # b has no work and no earlier time
    t2 = Tracker(["a"], {}, clock=clock, work=WORK)
    t2.start_study("a")
    clock.t += 45
    t2.feed(Epoch("m seed 0", 1, 4, "", 10.0))
    record = estimate_record(t2, 100.0)
    assert record["first_estimate"] == {"given_at_seconds": 45.0, "whole_report_seconds": 115.0}
    assert record["error"] == 0.15
    assert record["studies"]["a"] == {"image_epochs": 8000, "measured_seconds": 10.0, "measured_image_epochs": 1000}


def test_the_plain_view_prints_the_whole_report_estimate():
    out, clock = io.StringIO(), Clock()
    console = Console(Tracker(["a", "b"], {}, clock=clock, work=WORK), out=out, interactive=False)
    with console:
        console.study_started("a", "Study A")
        clock.t += 80
        _feed(console, "::run 1/2 epochs=4 cached=0 :: m seed 0\n[m seed 0] epoch 1/4 loss 1.0 (10.0 s)\n")
    # left: 7,000 + 3,000 image-epochs at 0.01 s = 100 s; 80 s run so far
    assert out.getvalue().splitlines()[1] == \
        "[1/2 a] [run 1/2] [m seed 0] epoch 1/4 loss 1.0 (10.0 s) · ETA 2 min, whole report ≈ 3 min"


def test_a_report_all_from_the_cache_makes_no_estimate():
    clock = Clock()
    t = Tracker(["a"], {}, clock=clock, work=WORK)
    t.start_study("a")
    t.feed(RunStart(1, 2, "m seed 0", 4, True))
    t.feed(RunStart(2, 2, "m seed 1", 4, True))
    clock.t += 2
    t.finish_study()
    assert t.remaining() == (0.0, False, 0)  # nothing left, but nothing was predicted either
    assert t.first_estimate is None


def test_a_part_without_markers_from_the_cache_is_passed_at_the_next_marker():
    # Study 4's shape: a feature classifier trained by a single cached call (no marker), then marked GAN runs
    clock = Clock()
    work = {"g": Work((Part(1, 8, 54_000, announced=False), Part(21, 2, 10_240)))}
    t = Tracker(["g"], {}, clock=clock, work=work)
    t.start_study("g")  # the classifier comes from the cache: no line at all
    t.feed(RunStart(1, 21, "dcgan seed 0", 2, False))
    t.feed(Epoch("dcgan seed 0", 1, 2, "", 2.0))
    assert t.measured["g"] == [2.0, 10_240.0]  # a GAN epoch, not a classifier epoch
    assert t.remaining()[0] == pytest.approx(41 * 2.0)


def test_runs_side_by_side_are_timed_by_the_wall_clock_not_by_their_own_epochs():
    # Two runs at once (local:2): each epoch takes 10 s of its own, but a line arrives every 5 s of wall time.
    clock = Clock()
    t = Tracker(["a"], {}, clock=clock, work=WORK, at_once=2)
    t.start_study("a")
    t.feed(RunStart(1, 2, "m seed 0", 4, False))
    t.feed(RunStart(2, 2, "m seed 1", 4, False))
    clock.t += 10
    t.feed(Epoch("m seed 0", 1, 4, "", 10.0))   # the first line: its own seconds, shared by the two runs
    assert t.measured["a"] == [5.0, 1000.0]
    for seed, epoch in ((1, 1), (0, 2), (1, 2), (0, 3), (1, 3), (0, 4), (1, 4)):
        clock.t += 5
        t.feed(Epoch(f"m seed {seed}", epoch, 4, "", 10.0))
    # 8 epochs of 1,000 image-epochs in 5 + 7 x 5 = 40 s of wall time, not 80 s of summed epoch times
    assert t.measured["a"] == [40.0, 8000.0]


def test_a_pace_line_gives_the_first_whole_estimate_before_any_epoch_ends():
    # Two runs at once; 40 s of start-up, then each run's pace: 10 of an epoch's 50 batches (200 of its 1,000
    # image-epochs) in 4 s of its own, 2 s of wall time each with the other run beside it; an epoch takes
    # PACE_TO_EPOCH times its batches' time (validation, checkpoint).
    k = PACE_TO_EPOCH
    clock = Clock()
    t = Tracker(["a", "b", "c"], {}, clock=clock, work=WORK, at_once=2)
    t.start_study("a")
    t.feed(RunStart(1, 2, "m seed 0", 4, False))
    t.feed(RunStart(2, 2, "m seed 1", 4, False))
    clock.t += 40
    t.feed(Pace("m seed 0", 10, 50, 4.0))
    assert t.seconds_per_unit("a") == pytest.approx(2.0 * k / 200)
    # a 8,000, b 3,000, c 2,400 image-epochs ahead at 0.01 k s each, after 40 s
    assert t.first_estimate == (40.0, pytest.approx(40.0 + 134.0 * k))
    t.feed(Pace("m seed 1", 10, 50, 6.0))
    assert t.seconds_per_unit("a") == pytest.approx(5.0 * k / 400)


def test_after_a_pace_the_first_epoch_line_starts_the_clock_and_settled_lines_time_the_study(monkeypatch):
    monkeypatch.setattr("lib.report.eta.PACE_TO_EPOCH", 1.0)
    clock = Clock()
    t = Tracker(["a", "b"], {}, clock=clock, work=WORK, at_once=2)
    t.start_study("a")
    t.feed(RunStart(1, 2, "m seed 0", 4, False))
    clock.t += 40
    t.feed(Pace("m seed 0", 10, 50, 4.0))
    clock.t += 20
    t.feed(Epoch("m seed 0", 1, 4, "", 25.0))  # 25 s of its own, tracing included: passed, not credited
    assert "a" not in t.measured and t.seconds_per_unit("a") == pytest.approx(0.01)
    assert t.remaining()[0] == pytest.approx(7 * 1000 * 0.01 + 3000 * 0.01)
    clock.t += 2
    t.feed(Epoch("m seed 1", 1, 4, "", 25.0))  # 2 s after the other run's line: not yet a speed to go by
    assert t.measured["a"] == [2.0, 1000.0] and t.seconds_per_unit("a") == pytest.approx(0.01)
    for seed, epoch in ((0, 2), (1, 2), (0, 3), (1, 3)):
        clock.t += 8
        t.feed(Epoch(f"m seed {seed}", epoch, 4, "", 16.0))
    # 34 s credited over 5 epochs of 1,000 image-epochs: settled, so the epochs give the speed from now on
    assert t.measured["a"] == [34.0, 5000.0] and t.seconds_per_unit() == pytest.approx(0.0068)
    t.feed(Pace("m seed 1", 10, 50, 60.0))  # a late pace changes nothing once epochs are timed
    assert t.paced["a"] == [2.0, 200.0]


def test_the_wall_factor_stretches_the_training_time_ahead(monkeypatch):
    monkeypatch.setattr("lib.report.eta.PACE_TO_EPOCH", 1.0)
    clock = Clock()
    work = {"a": Work((Part(2, 4, 1000),), wall_factor=1.5), "b": Work((Part(3, 2, 500),), wall_factor=2.0)}
    t = Tracker(["a", "b"], {}, clock=clock, work=work)
    t.start_study("a")
    clock.t += 10
    t.feed(Pace("m seed 0", 10, 50, 2.0))  # 2 s for 200 image-epochs
    assert t.remaining()[0] == pytest.approx(8000 * 0.01 * 1.5 + 3000 * 0.01 * 2.0)


def test_the_plain_view_shows_a_pace_line_only_while_the_estimate_stands_on_it():
    out = io.StringIO()
    console = Console(Tracker(["a"], work={"a": WORK["a"]}), out=out, interactive=False)
    with console:
        console.study_started("a", "Study A")
        _feed(console, "::run 1/2 epochs=4 cached=0 :: m seed 0\n[m seed 0] pace 10/50 batches 3.00 s\n"
                       "[m seed 0] epoch 1/4 loss 1 (9.0 s)\n[m seed 0] epoch 2/4 loss 1 (8.0 s)\n"
                       "::run 2/2 epochs=4 cached=0 :: m seed 1\n[m seed 1] pace 10/50 batches 3.10 s\n")
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("[1/1 a] [run 1/2] [m seed 0] pace 10/50 batches 3.00 s · ETA ")
    assert "whole report" in lines[1]
    assert len(lines) == 4 and not any("m seed 1" in line for line in lines)
