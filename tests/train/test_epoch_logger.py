"""The lines EpochLogger prints for the report's progress view (lib.progress reads them back)."""
import pytest

from lib.progress import Epoch, Pace, parse_line
from lib.train import callbacks


class Ticks:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


@pytest.fixture
def ticks(monkeypatch):
    clock = Ticks()
    monkeypatch.setattr(callbacks.time, "perf_counter", clock)
    return clock


def _epoch(logger, ticks, epoch, batch_seconds):
    logger.on_epoch_begin(epoch)
    for batch, seconds in enumerate(batch_seconds):
        ticks.t += seconds
        logger.on_train_batch_end(batch, {"loss": 1.0})
    logger.on_epoch_end(epoch, {"loss": 1.0})


def test_one_pace_line_times_the_batches_after_the_traced_ones(ticks, capsys):
    logger = callbacks.EpochLogger("m seed 0", 3, mode="lines")
    logger.set_params({"steps": 20, "epochs": 3})
    # the first batch traces the step (9 s), then 0.5 s a batch: the pace starts at the end of the second batch
    _epoch(logger, ticks, 0, [9.0] + [0.5] * 19)
    _epoch(logger, ticks, 1, [0.5] * 20)
    events = [parse_line(line) for line in capsys.readouterr().out.splitlines()]
    paces = [e for e in events if isinstance(e, Pace)]
    assert paces == [Pace("m seed 0", 6, 20, 3.0)]  # batches 3-8, 6 x 0.5 s: once per run, tracing left out
    assert [(e.epoch, e.seconds) for e in events if isinstance(e, Epoch)] == [(1, 18.5), (2, 10.0)]
    assert events.index(paces[0]) == 0  # before the first epoch line, which it is meant to precede


def test_an_epoch_too_short_to_pace_prints_none_and_the_next_one_paces_afresh(ticks, capsys):
    logger = callbacks.EpochLogger("m seed 0", 2, mode="lines")
    logger.set_params({"steps": 4, "epochs": 2})
    _epoch(logger, ticks, 0, [2.0, 0.5, 0.5, 0.5])
    assert not any(isinstance(parse_line(line), Pace) for line in capsys.readouterr().out.splitlines())
    _epoch(logger, ticks, 1, [1.0, 1.0, 1.5, 1.5])
    paces = [e for e in map(parse_line, capsys.readouterr().out.splitlines()) if isinstance(e, Pace)]
    assert paces == [Pace("m seed 0", 2, 4, 3.0)]  # counted from this epoch's second batch, not the last one's


def test_a_progress_bar_prints_no_pace_line(ticks, capsys):
    logger = callbacks.EpochLogger("m seed 0", 1, steps=10, mode="bar")
    _epoch(logger, ticks, 0, [1.0] * 10)
    assert "pace" not in capsys.readouterr().out
