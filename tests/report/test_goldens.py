"""nbval goldens compare with a tolerance: round-off passes, a real change fails with the fix named."""
import pytest

from lib.report import goldens


def test_record_then_check_within_and_beyond_tolerance(tmp_path):
    params = {"golden": "record"}
    goldens.check("s", params, {"acc": 0.80, "runs": 4}, root=tmp_path)
    ok = goldens.check("s", {"golden": "check"}, {"acc": 0.81, "runs": 4}, root=tmp_path)
    assert ok.startswith("golden check: 2 metrics match")
    with pytest.raises(goldens.GoldenMismatch, match="acc: 0.9 vs golden 0.8.*make goldens"):
        goldens.check("s", {"golden": "check"}, {"acc": 0.90, "runs": 4}, root=tmp_path)
    with pytest.raises(goldens.GoldenMismatch, match="runs: missing"):
        goldens.check("s", {"golden": "check"}, {"acc": 0.80}, root=tmp_path)


def test_off_compares_nothing_and_a_missing_file_says_how_to_record(tmp_path):
    assert goldens.check("s", {"golden": "off"}, {"acc": 1.0}, root=tmp_path) == "golden check: off"
    with pytest.raises(goldens.GoldenMismatch, match="make goldens"):
        goldens.check("nothing", {"golden": "check"}, {"acc": 1.0}, root=tmp_path)
