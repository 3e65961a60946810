"""Untrusted data files can neither crash nor fool the loader, and ``check`` reads the data.

Every bad input is built in the real on-disk format. Pickles that crashed the
old reader run in a subprocess, so a segmentation fault fails the test instead
of killing pytest.
"""
import gzip
import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import untrusted_inputs as hostile
from lib.report import pipeline
from lib.data import formats, load_dataset, loading
from lib.data.fixtures import _cifar_rows, _dump, write_cifar10, write_cifar100, write_fashion_mnist
from lib.errors import DataError
from lib.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
LOAD = ("import sys\nfrom lib.data import load_dataset\nfrom lib.errors import DataError\n"
        "try:\n    load_dataset(sys.argv[1], sys.argv[2], allow_download=False)\n"
        "except DataError as exc:\n    print(exc, file=sys.stderr)\n    sys.exit(2)\nprint('loaded')\n")


def _python(*args, timeout=180):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("SMALLIMG_DATA_DIR", None)
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=ROOT)


def _last_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


# -- crafted pickles, in a subprocess --

def test_the_crafted_array_layout_is_the_one_numpy_writes(tmp_path):
    """Control: the attacks differ from a genuine batch only in their attack, so refusals mean something."""
    import pickle

    (tmp_path / "batch").write_bytes(hostile.valid_batch(3))
    ours, stdlib = formats.load_cifar_pickle(tmp_path / "batch"), pickle.loads(hostile.valid_batch(3), encoding="bytes")
    np.testing.assert_array_equal(ours["data"], stdlib[b"data"])
    assert ours["data"].dtype == np.uint8 and ours["labels"] == stdlib[b"labels"] == [0, 1, 2]


@pytest.mark.parametrize("attack", sorted(hostile.ATTACKS))
def test_crafted_pickle_is_refused_in_one_line(tmp_path, attack):
    folder = write_cifar10(tmp_path, n_train=10, n_test=10)
    (folder / "data_batch_2").write_bytes(hostile.ATTACKS[attack])
    started = time.time()
    done = _python("-c", LOAD, "cifar10", tmp_path)
    assert done.returncode == 2, f"exit {done.returncode} (-11 is a segfault): {done.stderr[-300:]}"
    line = _last_line(done.stderr)
    assert line.startswith("refusing to load ") and "data_batch_2" in line and len(line) < 400
    assert time.time() - started < 60   # no 614 MB allocation, no hang


def test_check_fails_on_the_pickle_that_segfaulted_the_old_reader(tmp_path):
    folder = write_cifar10(tmp_path / "data", n_train=10, n_test=10)
    (folder / "test_batch").write_bytes(hostile.ATTACKS["scalar_of_flagless_object_dtype"])
    done = _python("-m", "lib.report.pipeline", "check", "--profile", "quick", "--studies", "cifar10_batchnorm",
                   "--data-dir", tmp_path / "data", "--build-dir", tmp_path / "b", "--reports-dir", tmp_path / "r")
    assert done.returncode == 2, done.stderr[-300:]
    err = _last_line(done.stderr)
    assert err.startswith("error: refusing to load") and "scalar" in err and "ok:" not in done.stdout


def test_fuzzed_pickles_and_idx_files_give_a_clean_data_error(tmp_path):
    started = time.time()
    done = _python(ROOT / "tests" / "untrusted_inputs.py", "--seed", "13", "--cases", "600",
                   "--workdir", tmp_path / "fuzz")
    assert done.returncode == 0, f"the fuzz run died (exit {done.returncode}): {done.stderr[-500:]}"
    summary = json.loads(done.stdout)
    assert summary["cases"] == 600
    assert summary["other_errors"] == [] and summary["strict_accepted"] == []
    # Only mutated-but-still-valid pickles may load; everything else must be refused.
    assert summary["data_error"] + summary["accepted"] == 600 and summary["data_error"] >= 500
    assert time.time() - started < 20


# -- bad data directories: one line from the loader, exit 2 from `check` --

def _idx(path: Path, code: int, array: np.ndarray, dims=None) -> None:
    dims = array.shape if dims is None else dims
    header = bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    path.write_bytes(gzip.compress(header + array.tobytes(), mtime=0))


def _cifar_batch(folder: Path, name: str, **fields) -> None:
    n = 2
    content = {b"batch_label": b"batch", b"labels": list(range(n)), b"data": np.zeros((n, 3072), np.uint8)}
    content.update({k.encode(): v for k, v in fields.items()})
    _dump(folder / name, {k: v for k, v in content.items() if v is not None})


def _shifted_labels(root):
    """One label too many in one batch, one too few in the next: the totals agree, the batches do not."""
    folder = write_cifar10(root, n_train=10, n_test=10)
    _cifar_batch(folder, "data_batch_1", labels=[0, 1, 2])
    _cifar_batch(folder, "data_batch_2", labels=[0])


def _corrupt_gzip(root):
    path = write_fashion_mnist(root, n_train=30, n_test=10) / "train-images-idx3-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


def _truncated_batch(root):
    path = write_cifar10(root, n_train=10, n_test=10) / "data_batch_4"
    path.write_bytes(path.read_bytes()[:-500])


def _fashion(root, name, code, array, dims=None):
    _idx(write_fashion_mnist(root, n_train=30, n_test=10) / name, code, array, dims)


def _cifar10(root, name, **fields):
    _cifar_batch(write_cifar10(root, n_train=10, n_test=10), name, **fields)


def _meta(root, **fields):
    _dump(write_cifar10(root, n_train=10, n_test=10) / "batches.meta", {k.encode(): v for k, v in fields.items()})


def _directory_in_place_of_a_file(root):
    path = write_fashion_mnist(root, n_train=30, n_test=10) / "t10k-labels-idx1-ubyte.gz"
    path.unlink()
    (path / "inner").mkdir(parents=True)


def _cifar100_meta_names(root):
    folder = write_cifar100(root, n_train=100, n_test=100)
    _dump(folder / "meta", {b"fine_label_names": [1, 2, 3], b"coarse_label_names": [b"a"] * 20})


def _malicious(root):
    (write_cifar10(root, n_train=10, n_test=10) / "data_batch_2").write_bytes(hostile.ATTACKS["os_system"])


BAD_DIRS = {
    # name: (dataset, builder of the bad directory, what the one line must say)
    "batch without labels": ("cifar10", lambda r: _cifar10(r, "data_batch_3", labels=None), "has no 'labels'"),
    "labels as bytes": ("cifar10", lambda r: _cifar10(r, "data_batch_1", labels=b"\x00\x01"), "'labels' is bytes"),
    "labels 2-D": ("cifar10", lambda r: _cifar10(r, "test_batch", labels=[[0], [1]]), "non-integer entries"),
    "ragged data list": ("cifar10", lambda r: _cifar10(r, "data_batch_5", data=[[0] * 3072, [0] * 100]),
                         "'data' is a list"),
    "label out of range (CIFAR)": ("cifar10", lambda r: _cifar10(r, "data_batch_2", labels=[0, 10]),
                                   "range over 0..10, expected 0..9"),
    "labels shifted between batches": ("cifar10", _shifted_labels, "has 2 images but 3 'labels'"),
    "meta names not a list": ("cifar10", lambda r: _meta(r, label_names=42), "'label_names' is not a list"),
    "meta names not strings": ("cifar100", _cifar100_meta_names, "'fine_label_names' is not a list"),
    "truncated batch": ("cifar10", _truncated_batch, "truncated or corrupted"),
    "malicious pickle": ("cifar10", _malicious, "global 'posix.system' is not allowed"),
    "corrupt gzip": ("fashion_mnist", _corrupt_gzip, "truncated or corrupted"),
    "IDX dimensions overflow": ("fashion_mnist", lambda r: _fashion(r, "train-images-idx3-ubyte.gz", 0x08,
                                np.zeros(16, np.uint8), dims=(2**32 - 1,) * 3), "header promising"),
    "float IDX images": ("fashion_mnist", lambda r: _fashion(r, "train-images-idx3-ubyte.gz", 0x0E,
                         np.zeros((30, 28, 28), ">f8")), "stores >f8 pixels"),
    "fractional float labels": ("fashion_mnist", lambda r: _fashion(r, "t10k-labels-idx1-ubyte.gz", 0x0D,
                                np.full(10, 2.7, ">f4")), "stores >f4 labels"),
    "label out of range (IDX)": ("fashion_mnist", lambda r: _fashion(r, "t10k-labels-idx1-ubyte.gz", 0x08,
                                 np.full(10, 12, np.uint8)), "expected 0..9"),
    "directory where a file belongs": ("fashion_mnist", _directory_in_place_of_a_file, "not a regular file"),
}
STUDY = {"cifar10": "cifar10_batchnorm", "fashion_mnist": "fashion_regularisation",
         "cifar100": "cifar100_vgg_synthetic"}


def _check(capsys, data_dir, dataset, tmp_path) -> tuple[int, str]:
    code = pipeline.main(["check", "--profile", "quick", "--studies", STUDY[dataset], "--data-dir", str(data_dir),
                          "--build-dir", str(tmp_path / "b"), "--reports-dir", str(tmp_path / "r")])
    out = capsys.readouterr()
    return code, out.err.strip()


@pytest.mark.parametrize("case", sorted(BAD_DIRS))
def test_bad_data_directory_is_one_line_from_the_loader_and_fails_check(isolated_sources, capsys, case):
    dataset, build, expected = BAD_DIRS[case]
    root = isolated_sources / "data"
    build(root)
    with pytest.raises(DataError) as e:
        load_dataset(dataset, root)
    text = str(e.value)
    assert expected in text and "\n" not in text and len(text) < 400
    # For CIFAR-100 (Study 5) this also shows a broken copy is an error, not a reason to fall back.
    code, err = _check(capsys, root, dataset, isolated_sources)
    assert code == 2 and err == f"error: {text}"


def test_check_passes_on_a_good_data_directory_and_names_what_it_read(isolated_sources, capsys):
    write_fashion_mnist(isolated_sources / "data", n_train=30, n_test=10)
    code = pipeline.main(["check", "--profile", "quick", "--studies", "fashion_regularisation", "--data-dir",
                          str(isolated_sources / "data"), "--build-dir", str(isolated_sources / "b"),
                          "--reports-dir", str(isolated_sources / "r")])
    out = capsys.readouterr().out
    assert code == 0 and "data checked" in out
    assert "fashion_mnist: loaded and checked, 30 train / 10 test images, fashion_mnist from the data directory" in out


def test_unreadable_file_names_the_file(isolated_sources, capsys, monkeypatch):
    """Tests run as root, who reads anything: the open itself is made to fail as it does for other users."""
    folder = write_fashion_mnist(isolated_sources / "data", n_train=30, n_test=10)
    target = folder / "t10k-images-idx3-ubyte.gz"
    real_open = open

    def guarded_open(path, *args, **kwargs):
        if Path(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(formats, "open", guarded_open, raising=False)
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", isolated_sources / "data")
    assert str(e.value).startswith(f"cannot read dataset file {target} (Permission denied)")
    code, err = _check(capsys, isolated_sources / "data", "fashion_mnist", isolated_sources)
    assert code == 2 and err == f"error: {e.value}"


def test_unreadable_data_directory(isolated_sources, capsys, monkeypatch):
    root = isolated_sources / "data"
    write_fashion_mnist(root, n_train=30, n_test=10)
    real_access = os.access
    monkeypatch.setattr(loading.os, "access", lambda p, mode, **kw: Path(p) != root and real_access(p, mode, **kw))
    with pytest.raises(DataError, match="cannot read the data directory .* permission denied"):
        load_dataset("fashion_mnist", root)
    code, err = _check(capsys, root, "fashion_mnist", isolated_sources)
    assert code == 2 and "cannot read the data directory" in err and "\n" not in err


def test_data_directory_that_is_a_file(isolated_sources, capsys):
    (isolated_sources / "data").write_text("not a folder")
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", isolated_sources / "data")
    assert "is not a directory" in str(e.value) and "does not exist" not in str(e.value)
    code, err = _check(capsys, isolated_sources / "data", "fashion_mnist", isolated_sources)
    assert code == 2 and "is not a directory" in err


def test_a_huge_idx_header_is_refused_before_reading(tmp_path):
    """A 30-byte file must not make the reader ask for (2**32 - 1)**3 bytes."""
    path = tmp_path / "x.idx"
    path.write_bytes(bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 2**32 - 1, 2**32 - 1, 2**32 - 1) + b"\0" * 14)
    with pytest.raises(DataError, match="more than any dataset file holds"):
        formats.read_idx(path)


def test_a_gzip_bomb_is_refused_without_inflating_it(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 1 << 20)
    path = tmp_path / "bomb"
    path.write_bytes(gzip.compress(b"\0" * (8 << 20)))
    with pytest.raises(DataError, match="larger than"):
        formats.load_cifar_pickle(path)


def test_real_format_checks_still_accept_int_labels_of_other_widths(isolated_sources):
    """IDX int16 labels are integers: accepted, unlike float ones."""
    folder = write_fashion_mnist(isolated_sources / "data", n_train=30, n_test=10)
    _idx(folder / "t10k-labels-idx1-ubyte.gz", 0x0B, np.arange(10, dtype=">i2"))
    assert load_dataset("fashion_mnist", isolated_sources / "data").y_test.tolist() == list(range(10))


def test_cifar_rows_from_the_fixture_writer_round_trip(isolated_sources):
    x = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    folder = write_cifar10(isolated_sources, n_train=10, n_test=10)
    _cifar_batch(folder, "test_batch", data=_cifar_rows(x))
    np.testing.assert_array_equal(load_dataset("cifar10", isolated_sources).x_test, x)
