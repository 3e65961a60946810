"""What a failed study or write shows is words: the index never shows an exception class or errno text, and a
write that fails names the file, what is wrong in words and the fix."""
import errno

import pytest

from lib import io
from lib.errors import OutputError
from lib.report.index import failure_words
from page_checks import page_problems


@pytest.mark.parametrize("terminal, shown", [
    ("DataError: dataset file x.gz is truncated or corrupted; replace it",
     "dataset file x.gz is truncated or corrupted; replace it"),                        # ours: their message
    ("ParamError: parameter epochs=0 is out of range: need 1 <= value", "parameter epochs=0 is out of range"),
    ("KeyError: 'x'", "stopped on an error in the code, not in its input"),          # a bug: no class, no text
    ("OSError: [Errno 5] Input/output error", "stopped on an error in the code"),
    ("DeadKernelError: Kernel died", "Python process stopped (often: out of memory)"),
    ("", "failed"),
])
def test_the_index_words_a_failure_without_its_exception(terminal, shown):
    words = failure_words(terminal)
    assert shown in words and page_problems(f"<td>{words}</td>", study_page=False, names=set()) == [], words


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "the file system is full"), (errno.EACCES, "permission denied"),
    (errno.EROFS, "the file system is read-only"), (errno.EIO, "a disk input/output error"),
    (errno.ELOOP, "a symbolic link on its way loops"), (errno.ENOTSUP, "the operating system refused it"),
])
def test_a_failed_write_names_the_file_and_the_problem_in_words(tmp_path, monkeypatch, code, words):
    import os

    def refuse(src, dst):
        raise OSError(code, os.strerror(code), str(dst))

    monkeypatch.setattr(io.os, "replace", refuse)
    with pytest.raises(OutputError) as e:
        io.write_text(tmp_path / "page.html", "x")
    text = str(e.value)
    assert f"cannot write {tmp_path / 'page.html'}: {words}" in text and "\n" not in text, text
    assert os.strerror(code) not in text or os.strerror(code).lower() == words, text


def test_a_folder_in_the_place_of_a_page_is_said_in_words(tmp_path):
    (tmp_path / "page.html").mkdir()
    with pytest.raises(OutputError, match=r"page.html: a folder is in its place; fix its permissions or remove"):
        io.write_text(tmp_path / "page.html", "x")


def test_an_output_directory_through_a_loop_is_said_in_words(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(OutputError, match="cannot write the build directory .*loop/quick: a symbolic link on its way "
                                          "loops; fix that or point the run elsewhere"):
        io.ensure_writable_dir(tmp_path / "loop" / "quick", "build")
