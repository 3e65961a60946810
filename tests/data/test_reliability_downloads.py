"""A failed download (ImageNet weights, a dataset) reaches the page as a reason in words and a fix; the
exception's class and text go to the study log only. Each case is fed the exception chain the real code
raises: Keras wraps urllib's URLError, which wraps the socket error, in a bare Exception."""
import errno
import logging
import socket
import ssl
import urllib.error

import pytest

from lib.errors import DataError, download_problem
from page_checks import page_problems


def keras_failure(reason: BaseException | None = None, http: int | None = None) -> Exception:
    """The exception ``keras.utils.get_file`` raises (keras/src/utils/file_utils.py), with its context chain."""
    url = "https://storage.googleapis.com/x/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    try:
        try:
            if http:
                raise urllib.error.HTTPError(url, http, "Not Found", {}, None)
            raise urllib.error.URLError(reason)
        except urllib.error.HTTPError as e:
            raise Exception(f"URL fetch failure on {url}: {e.code} -- {e.msg}")
        except urllib.error.URLError as e:
            raise Exception(f"URL fetch failure on {url}: {e.errno} -- {e.reason}")
    except Exception as exc:  # noqa: BLE001
        return exc


CASES = [
    (keras_failure(socket.gaierror(-2, "Name or service not known")), "no network connection"),
    (keras_failure(socket.gaierror(-3, "Temporary failure in name resolution")), "no network connection"),
    (keras_failure(OSError(errno.ENETUNREACH, "Network is unreachable")), "no network connection"),
    (keras_failure(TimeoutError("timed out")), "the download timed out"),
    (keras_failure(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")), "refused the connection"),
    (keras_failure(ssl.SSLCertVerificationError(1, "certificate verify failed")), "no secure connection"),
    (keras_failure(http=404), "the download server answered HTTP 404"),
    (ValueError("Incomplete or corrupted file detected. The md5 file hash does not match the provided value"),
     "incomplete or corrupted"),
    (OSError(errno.ENOSPC, "No space left on device"), "no space left on the disk"),
    (RuntimeError("something new"), "the study log has the details"),
]


@pytest.mark.parametrize("exc, words", CASES, ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_a_download_error_becomes_words_a_page_can_show(exc, words):
    reason = download_problem(exc)
    assert words in reason, reason
    assert page_problems(f"<p>{reason}</p>", study_page=False, names=set()) == [], reason


def test_imagenet_weights_offline_say_no_network_on_the_page_and_keep_the_error_in_the_log(tmp_path, monkeypatch,
                                                                                          caplog, capsys):
    import keras

    from lib.models import imagenet

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(imagenet.ENV, raising=False)

    def offline(**kwargs):
        raise keras_failure(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(keras.applications, "VGG16", offline)
    with caplog.at_level(logging.WARNING, logger="lib.models.imagenet"):
        weights = imagenet.find_weights("vgg16")
    found, why = weights.path, weights.source
    assert found is None
    assert why.startswith("skipped: ImageNet weights not available (could not download them: no network connection")
    assert imagenet.FILES["vgg16"] in why and "Keras model cache" in why          # what to do
    assert page_problems(f"<p>{why}</p>", study_page=False, names=set()) == [], why
    assert "Exception: URL fetch failure" in caplog.text and "Name or service not known" in caplog.text
    assert weights.warnings[0].startswith("to run the ImageNet-pretrained baseline")   # the how-to, for the terminal
    assert capsys.readouterr().out == ""                                # shown by the caller, not printed here


@pytest.mark.parametrize("make, words", [
    (lambda t: t / "missing.h5", "does not exist"),
    (lambda t: (t / "loop.h5").symlink_to(t / "loop.h5") or t / "loop.h5", "symbolic link that loops"),
    (lambda t: t / ("w" * 300), "too long a path"),
    (lambda t: t, "is not a file"),
])
def test_an_imagenet_weights_path_that_cannot_be_read_is_told_on_the_terminal_and_not_shown(tmp_path, monkeypatch,
                                                                                          capsys, make, words):
    from lib.models import imagenet

    given = make(tmp_path)
    monkeypatch.setenv(imagenet.ENV, str(given))
    weights = imagenet.find_weights("vgg16")
    found, why, (warning,) = weights.path, weights.source, weights.warnings
    assert found is None and "the weights file given cannot be read" in why and str(tmp_path) not in why
    assert warning.startswith("ImageNet weights file") and words in warning and "\n" not in warning, warning
    assert f"${imagenet.ENV}" in warning and capsys.readouterr().out == ""


def test_a_dataset_download_that_fails_says_why_in_words_and_logs_the_error(isolated_sources, monkeypatch, caplog):
    import keras

    from lib.data import load_dataset, loading

    monkeypatch.setattr(loading, "_network_reachable", lambda url, timeout=3.0: True)

    def get_file(*args, **kwargs):
        raise keras_failure(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    with caplog.at_level(logging.WARNING, logger="lib.data.loading"), pytest.raises(DataError) as e:
        load_dataset("fashion_mnist")
    text = str(e.value)
    assert "downloading fashion_mnist failed: the download server refused the connection" in text, text
    assert "Exception" not in text and "Errno" not in text and "\n" not in text
    assert "Connection refused" in caplog.text


def test_a_failed_dataset_download_that_falls_back_tells_the_page_why_in_words_only(isolated_sources, monkeypatch):
    import keras

    from lib.data import loading
    from lib.data.fallback import load_with_fallback
    from lib.data.fixtures import write_cifar10

    write_cifar10(isolated_sources, n_train=50, n_test=10)
    monkeypatch.setattr(loading, "_network_reachable", lambda url, timeout=3.0: True)   # reachable, then it fails

    def get_file(*args, **kwargs):
        raise keras_failure(TimeoutError("timed out"))

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    choice = load_with_fallback("cifar100", "cifar10", {"data_source": "auto", "data_dir": str(isolated_sources)},
                                isolated_sources)
    assert choice.used == "cifar10" and "the download timed out" in choice.reason, choice.reason
    assert page_problems(f"<p>{choice.reason}</p>", study_page=False, names=set()) == [], choice.reason
