"""The page checks (tests/page_checks.py) catch what a reader stumbles on. That a freshly rendered study page
passes them is tested in test_report_output.py, on the smoke report it renders once for both."""
import pytest

from page_checks import page_problems

GOOD = """<html><head><style>p { color: red } /* lib/x.py {'a': 1} */</style></head><body>
<h1>Study 9: a study</h1><p><a href="index.html">← All studies</a></p>
<pre><code>make report PROFILE=quick STUDIES=9 DATA_DIR=/path/to/data
</code></pre>
<h2 id="Limitations">Limitations<a class="anchor-link" href="#Limitations">¶</a></h2>
<ul><li>Runs are not bit-deterministic.</li></ul>
<table><tr><td>n_train</td><td>500</td></tr></table>
<p>Training follows the seed over several epochs.</p></body></html>"""


def test_a_clean_page_has_no_problem():
    assert page_problems(GOOD, names={"n_train"}) == []


@pytest.mark.parametrize("leftover, what", [
    ("<pre>[vanilla seed 1] epoch 2/4 d_acc_fake 0.69 (4.1 s)\n</pre>", "a training-log line"),
    ("<pre>Downloading data from https://storage.googleapis.com/x/vgg16_notop.h5\n</pre>", "a download message"),
    ("<pre>{'seed003': '0.0436 s/step'}</pre>", "a raw Python dict"),
    ("<p>computed by <code>lib/models/batchnorm.py</code></p>", "a code path"),
    ("<p>The rule (lib.gan.metrics.detect_mode_collapse) reads</p>", "a code path"),
    ("<p>Epoch times vary; make bench measures speed properly.</p>", "a developer command"),
    ("<p>set $SMALLIMG_DATA_DIR first</p>", "an environment variable"),
    ("<p>skipped (download failed: Exception); put</p>", "an exception class or errno text"),
    ("<p>not available (download failed: Exception: [Errno -2] Name or service not known); put</p>",
     "an exception class or errno text"),
    ("<td>skipped: OSError: no network</td>", "an exception class or errno text"),          # in a table too
    ("<li>weights not available (URLError)</li>", "an exception class or errno text"),
    ("<p>the file could not be read (No such file or directory)</p>", "an exception class or errno text"),
    ("<p>download failed (Temporary failure in name resolution)</p>", "an exception class or errno text"),
    ("<p>stops after early_stopping_patience epochs</p>", "an internal parameter name in prose"),
])
def test_each_leftover_is_found(leftover, what):
    problems = page_problems(GOOD.replace("</body>", leftover + "</body>"), names={"early_stopping_patience"})
    assert len(problems) == 1 and problems[0].startswith(what), problems


def test_the_same_reasons_in_words_pass():
    words = ("<p>ImageNet weights not available (could not download them: no network connection (the download "
             "server's name could not be looked up)); put the weights file into the Keras model cache.</p>"
             "<p>Errors are seed-to-seed spreads; an exceptional run is not dropped.</p>")
    assert page_problems(GOOD.replace("</body>", words + "</body>"), names=set()) == []


def test_parameter_names_in_tables_are_not_prose():
    assert page_problems(GOOD.replace("<td>n_train</td>", "<td>early_stopping_patience</td>"),
                         names={"early_stopping_patience"}) == []


@pytest.mark.parametrize("cut, missing", [
    ('<a href="index.html">← All studies</a>', "no link to the index"),
    ("make report PROFILE=quick STUDIES=9 DATA_DIR=/path/to/data", "no command that reproduces"),
    ('<h2 id="Limitations">Limitations<a class="anchor-link" href="#Limitations">¶</a></h2>', "no 'Limitations'"),
])
def test_what_a_study_page_must_have(cut, missing):
    problems = page_problems(GOOD.replace(cut, ""), names=set())
    assert len(problems) == 1 and problems[0].startswith(missing), problems
    assert page_problems(GOOD.replace(cut, ""), study_page=False, names=set()) == []  # the index needs none
