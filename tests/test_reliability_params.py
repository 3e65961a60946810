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
    ("2", b"[" * 100_000 + b"]" * 100_000, "too deeply"),
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
