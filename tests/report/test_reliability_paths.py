"""A path from outside that cannot be resolved (a data directory, a parameter tree, KERAS_HOME) ends in one
line naming it, what is wrong in words and the fix; exit 2, no traceback, never "this is a bug".

Root reads and enters anything whatever its mode bits, so "permission denied" is made by a stat that
raises PermissionError for that one path (the tests run as root in CI); the other failures are real.
"""
import errno
import os
from pathlib import Path

import pytest

from lib.data import catalog, load_dataset, loading
from lib.errors import DataError
from lib.report import pipeline


def _loop(tmp_path):
    link = tmp_path / "loop"
    link.symlink_to(link)   # a link to itself: ELOOP
    return link


def _through_a_file(tmp_path):
    (tmp_path / "a-file").write_text("x")
    return tmp_path / "a-file" / "data"   # ENOTDIR


def _too_long(tmp_path):
    return tmp_path / ("d" * 300)         # one name past NAME_MAX (255): ENAMETOOLONG


def _denied(tmp_path, monkeypatch):
    denied = tmp_path / "locked"
    denied.mkdir()
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if Path(path) == denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    return denied


CASES = {
    "loop": (lambda t, m: _loop(t), "is a symbolic link that loops", "point the link at a real directory"),
    "through a file": (lambda t, m: _through_a_file(t), "goes through a file as if it were a folder",
                       "correct the path"),
    "too long": (lambda t, m: _too_long(t), "is too long a path for this system", "give a shorter path"),
    "permission denied": (_denied, "cannot be reached: permission denied", "fix the permissions"),
    "missing": (lambda t, m: t / "nope", "does not exist", "create it"),
}


def _main_check(tmp_path, capsys, *extra):
    code = pipeline.main(["check", "--profile", "smoke", "--studies", "2", "--build-dir", str(tmp_path / "b"),
                          "--reports-dir", str(tmp_path / "r"), *extra])
    err = capsys.readouterr().err.strip()
    return code, err


def _assert_one_line(err, *words):
    assert err.startswith("error: ") and "\n" not in err and len(err) < 400, err
    assert "Traceback" not in err and "bug" not in err and "Errno" not in err, err
    for word in words:
        assert word in err, err


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_data_dir_that_cannot_be_resolved_is_one_line_naming_the_option_and_the_fix(tmp_path, monkeypatch,
                                                                                      capsys, case):
    make, what, fix = CASES[case]
    monkeypatch.delenv(catalog.DATA_DIR_ENV, raising=False)
    path = make(tmp_path, monkeypatch)
    code, err = _main_check(tmp_path, capsys, "--data-dir", str(path))
    assert code == 2, err
    _assert_one_line(err, "data directory", "--data-dir", what, fix)


@pytest.mark.parametrize("case", ["loop", "too long"], ids=str)
def test_the_same_from_the_environment_variable_names_the_variable(tmp_path, monkeypatch, capsys, case):
    make, what, fix = CASES[case]
    monkeypatch.setenv(catalog.DATA_DIR_ENV, str(make(tmp_path, monkeypatch)))
    code, err = _main_check(tmp_path, capsys)
    assert code == 2, err
    _assert_one_line(err, f"${catalog.DATA_DIR_ENV}", what, fix)
    if case == "too long":   # the path is shortened, its length given
        assert "(3" in err and "characters)" in err and "d" * 100 not in err


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_notebook_loading_from_such_a_data_dir_gets_the_same_words(isolated_sources, monkeypatch, case):
    make, what, fix = CASES[case]
    path = make(isolated_sources, monkeypatch)
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", path)
    text = str(e.value)
    assert what in text and fix in text and "data_dir" in text and "\n" not in text, text


def test_a_keras_home_that_cannot_be_resolved_is_a_data_error_not_a_crash(isolated_sources, monkeypatch):
    too_long = isolated_sources / ("k" * 300)
    monkeypatch.setattr(loading, "_keras_cache_dir", lambda spec: too_long / "datasets" / spec.folder)
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist")
    assert "is too long a path" in str(e.value) and "characters)" in str(e.value), e.value


def test_a_parameter_tree_that_cannot_be_resolved_says_so_rather_than_listing_no_profiles(tmp_path, monkeypatch,
                                                                                         capsys):
    monkeypatch.setattr(pipeline, "PARAMS", _loop(tmp_path))
    code, err = _main_check(tmp_path, capsys)
    assert code == 2, err
    _assert_one_line(err, "parameter directory", "SMALLIMG_PARAMS_DIR", "is a symbolic link that loops")


@pytest.mark.parametrize("case", ["loop", "through a file", "too long"], ids=str)
def test_a_run_cache_that_cannot_be_made_stops_make_check_naming_the_variable(tmp_path, monkeypatch, capsys, case):
    make = {"loop": _loop, "through a file": _through_a_file, "too long": _too_long}[case]
    words = {"loop": "a symbolic link on its way loops", "through a file": "a file stands where a folder",
             "too long": "the path is too long"}[case]
    monkeypatch.setattr(pipeline, "CACHE", make(tmp_path) / "cache")
    code, err = _main_check(tmp_path, capsys)
    assert code == 2, err
    _assert_one_line(err, "run cache", "SMALLIMG_CACHE_DIR", words, "point the run elsewhere")
