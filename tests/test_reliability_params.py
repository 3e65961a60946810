"""Profile files that YAML accepts but the schema does not: one line, exit 2, before any data is read."""
import pytest

from lib.report import pipeline
from lib.studies.registry import get_study

HUGE_DECIMAL = b"epochs: " + b"7" * 5000 + b"\n"          # past Python's 4300-digit limit for int()
HUGE_HEX = b"epochs: 0x" + b"f" * 5000 + b"\n"            # int(…, 16) has no limit, but repr() of it does
# Each level lists the previous one ten times: 10**9 leaves if anything printed it in full.
ALIAS_BOMB = (b"epochs: [&a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "
              + b", ".join(b"&%s [%s]" % (bytes([98 + i]), b", ".join([b"*" + bytes([97 + i])] * 10))
                           for i in range(8))
              + b"]\n")


@pytest.mark.parametrize("study, content, expected", [
    ("2", b"3: 1\n", "parameter name 3 is a int, not a name"),
    ("2", b"true: 1\n", "parameter name True is a bool, not a name"),
    ("2", b"2024-01-01: 1\n", "is a date, not a name"),
    ("2", b"? [epochs, seeds]\n: 1\n", "is not valid YAML"),          # an unhashable key: PyYAML refuses it
    ("2", b"null: 1\n", "parameter name None is a NoneType"),
    ("2", HUGE_DECIMAL, "holds a number too long to read"),
    ("2", HUGE_HEX, "parameter epochs=<an integer of about 6021 digits> is out of range"),
    ("2", b"seeds: [4294967296]\n", "parameter seeds=[4294967296] is out of range: need 0 <= value <= 1000000000"),
    ("2", b"seeds: [-1]\n", "out of range"),
    ("2", b"seeds: [0, 1, 0]\n", "parameter seeds lists 0 twice"),   # paired tests would drop the repeat
    ("4", b"bn_seeds: [4294967296]\n", "parameter bn_seeds=[4294967296] is out of range"),
    ("4", b"variants: [{dcgan: 1}]\n", "parameter variants must be list[str]"),
    ("2", b"epochs: &x [*x]\n", "parameter epochs must be int, got list [[[[...]]]]"),  # a list holding itself
    ("2", ALIAS_BOMB, "parameter epochs must be int, got list"),      # 10**9 leaves if printed in full
    ("2", b"[" * 30_000 + b"]" * 30_000, "too deeply"),            # under the size limit
    ("2", b"- 1\n- 2\n", "must be a mapping of parameter names to values, not a list"),
    ("2", b"epochs: !!python/object/apply:os.system [echo hi]\n", "is not valid YAML"),
], ids=lambda v: v[:40].decode(errors="replace") if isinstance(v, bytes) else None)
def test_a_profile_file_yaml_allows_gives_one_line_and_exit_2_before_any_data(tmp_path, monkeypatch, capsys,
                                                                               study, content, expected):
    key = get_study(study).key
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / f"{key}.yaml").write_bytes(content)
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path)
    monkeypatch.setattr(pipeline, "check_data", lambda *a, **k: pytest.fail("no data is read before the params pass"))
    for command in ("check", "report"):
        code = pipeline.main([command, "--profile", "custom", "--studies", study,
                              "--build-dir", str(tmp_path / "b"), "--reports-dir", str(tmp_path / "r")])
        err = capsys.readouterr().err.strip()
        assert code == 2, err
        assert expected in err and "\n" not in err and err.startswith("error: ") and len(err) < 600, err
        assert "Traceback" not in err


def test_check_refuses_a_seed_numpy_cannot_take_and_accepts_the_largest_allowed(tmp_path, monkeypatch):
    import numpy as np

    from lib.errors import ParamError

    study = get_study("2")
    (tmp_path / "custom").mkdir()
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path)
    path = tmp_path / "custom" / f"{study.key}.yaml"
    path.write_text("seeds: [1000000000]\n")
    top = pipeline.load_params("custom", study)["seeds"][0]
    np.random.seed(top + 30_000)  # the largest seed plus the largest offset a run adds still seeds numpy
    path.write_text("seeds: [1000000001]\n")
    with pytest.raises(ParamError, match="out of range"):
        pipeline.load_params("custom", study)


def test_an_unexpected_error_is_one_line_with_the_traceback_kept_in_a_file(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(pipeline, "plan", broken)
    code = pipeline.main(["check", "--profile", "smoke", "--studies", "2"])
    err = capsys.readouterr().err.strip()
    assert code == 3 and "\n" not in err and "RuntimeError: a bug over two lines" in err
    log = err.split("traceback in ")[1]
    from pathlib import Path

    assert "Traceback (most recent call last)" in Path(log).read_text()
    Path(log).unlink()


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "plan", interrupted)
    assert pipeline.main(["check", "--profile", "smoke", "--studies", "2"]) == 130
    err = capsys.readouterr().err.strip()
    assert "interrupted" in err and "\n" not in err and "Traceback" not in err


def _custom_profile(tmp_path, monkeypatch, content: bytes, size: int | None = None):
    key = get_study("2").key
    (tmp_path / "custom").mkdir()
    path = tmp_path / "custom" / f"{key}.yaml"
    with open(path, "wb") as fh:
        fh.write(content)
        if size is not None:
            fh.truncate(size)   # sparse: a 100 MB file without writing 100 MB
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path)
    return path


def test_a_parameter_file_far_larger_than_any_real_one_is_refused_unparsed_in_one_line(tmp_path, monkeypatch,
                                                                                       capsys):
    import time

    _custom_profile(tmp_path, monkeypatch, b"epochs: 2\n# a comment\n", size=100 * 10**6)
    monkeypatch.setattr(pipeline.yaml, "safe_load", lambda *a: pytest.fail("a huge file must not be parsed"))
    started = time.perf_counter()
    code = pipeline.main(["check", "--profile", "custom", "--studies", "2",
                          "--build-dir", str(tmp_path / "b"), "--reports-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip()
    assert time.perf_counter() - started < 5
    assert code == 2 and "\n" not in err and "Traceback" not in err, err
    assert "custom/fashion_regularisation.yaml is 100.0 MB" in err and "at most 64 KB" in err, err


def test_the_size_limit_sits_between_real_files_and_huge_ones(tmp_path, monkeypatch):
    from lib.errors import ParamError

    limit = pipeline.MAX_PARAMS_BYTES
    assert max(p.stat().st_size for p in pipeline.PARAMS.glob("*/*.yaml")) < 5_000 < limit
    setting = b"epochs: 2\n"
    path = _custom_profile(tmp_path, monkeypatch, setting + b"#" * (limit - len(setting) - 1) + b"\n")
    assert pipeline.read_params("custom", get_study("2")) == {"epochs": 2}      # exactly at the limit: read
    path.write_bytes(setting + b"#" * (limit - len(setting)) + b"\n")            # one byte over
    with pytest.raises(ParamError, match="is 66 KB, far larger than any parameter file"):
        pipeline.load_params("custom", get_study("2"))


def test_a_file_whose_size_is_not_known_in_advance_is_still_read_only_up_to_the_limit(tmp_path, monkeypatch):
    import os

    from lib.errors import ParamError

    _custom_profile(tmp_path, monkeypatch, b"epochs: 2\n" + b"#" * (2 * pipeline.MAX_PARAMS_BYTES))
    real_fstat = os.fstat
    monkeypatch.setattr(pipeline.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 0, 0, 0, 0)))
    with pytest.raises(ParamError, match="is more than 64 KB"):   # as /proc files report size 0
        pipeline.load_params("custom", get_study("2"))
