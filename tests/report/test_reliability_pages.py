"""Nothing from outside reaches a page as live HTML: label names and provenance text from a data
directory, a profile's name, the page's sentences and tables, and an exception's message.

The pages are parsed (html.parser), not grepped: every payload carries the marker ``PWNED``, and
no element, attribute name, event handler, URL, script or style may hold it; each payload must
still be on the page, as text.
"""
import contextlib
import pickle
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest

from lib.report import index, pipeline
from lib.studies import registry as studies
from fake_studies import write_notebook

MARK = "PWNED"
URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster", "srcset"}

LABELS = [
    '<script>alert("PWNED-L0")</script>',
    "\"><img src=x onerror=alert('PWNED-L1')>",
    "[click](javascript:alert('PWNED-L2'))",
    "![x](http://example.invalid/PWNED-L3.png)",
    '<iframe srcdoc="PWNED-L4"></iframe>',
    "$\\href{javascript:alert('PWNED-L5')}{x}$",  # MathJax; and an unmatched $ in a figure is mathtext
    "<svg onload=alert('PWNED-L6')>",
    "&lt;script&gt;PWNED-L7",
    "<a href=\"javascript:alert('PWNED-L8')\">a</a>",
    "<style>body{display:none}</style>PWNED-L9",
]
PROVENANCE = ("cifar-10-batches-py/: <script>alert('PWNED-P1')</script> [p](javascript:alert('PWNED-P2')) "
              "<img src=x onerror=alert('PWNED-P3')>\n")
PROFILE = "<i onclick=alert('PWNED-R1')>evil"


class LiveElements(HTMLParser):
    """Collects every place where a marked payload became markup, and the text the page shows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live, self.text, self.raw = [], [], None

    def handle_starttag(self, tag, attrs):
        if MARK in tag:
            self.live.append(f"element <{tag}>")
        for name, value in attrs:
            value = value or ""
            if MARK in name:
                self.live.append(f"attribute {name} on <{tag}>")
            elif MARK in value and (name.startswith("on") or name in URL_ATTRS or name in ("style", "srcdoc")):
                self.live.append(f"{name}={value!r} on <{tag}>")
            if name in URL_ATTRS and value.strip().lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                self.live.append(f"{name}={value!r} on <{tag}>")
        if tag in ("script", "style", "iframe", "svg", "object", "embed") and tag != self.raw:
            self.raw = tag if tag in ("script", "style") else self.raw

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self.raw:
            self.raw = None

    def handle_data(self, data):
        if self.raw and MARK in data:
            self.live.append(f"<{self.raw}> holding {data.strip()[:80]!r}")
        elif not self.raw:
            self.text.append(data)

    def handle_comment(self, data):
        if MARK in data:
            self.live.append(f"comment {data[:80]!r}")


def parse(path: Path) -> LiveElements:
    parser = LiveElements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def assert_no_live_payload(pages: list[Path], expected: list[str]):
    shown = ""
    for page in pages:
        found = parse(page)
        assert not found.live, f"{page.name}: live markup from outside: {found.live[:5]}"
        shown += " ".join(found.text)
    for marker in expected:
        assert marker in shown, f"{marker} is not on any page as text"


def test_the_checker_finds_live_markup_it_is_meant_to(tmp_path):
    page = tmp_path / "p.html"
    for live in (LABELS[0], LABELS[1], '<a href="javascript:alert(1)">x</a>', '<p onclick="PWNED">x</p>',
                 '<iframe srcdoc="PWNED"></iframe>', '<style>/* PWNED */</style>'):
        page.write_text(f"<html><body><p>ok</p>{live}</body></html>")
        assert parse(page).live, live
    page.write_text('<p title="&lt;script&gt;PWNED">&lt;script&gt;alert("PWNED")&lt;/script&gt;</p>')
    found = parse(page)
    assert not found.live and '<script>alert("PWNED")</script>' in "".join(found.text)


def _evil_data(root: Path) -> Path:
    from lib.data import write_fixture

    data = root / "<b onmouseover=alert('PWNED-D1')>data"
    folder = write_fixture("cifar10", data, n_train=1000, n_test=200)
    with open(folder / "batches.meta", "rb") as fh:
        meta = pickle.load(fh)
    meta[b"label_names"] = [n.encode() for n in LABELS]
    with open(folder / "batches.meta", "wb") as fh:
        pickle.dump(meta, fh, protocol=2)
    (data / "PROVENANCE.txt").write_text(PROVENANCE)
    return data


@pytest.mark.slow
def test_a_study_from_a_data_directory_with_html_in_its_names_renders_them_as_text(tmp_path, monkeypatch):
    """Study 1 (its per-class table shows the label names) from hostile data, a hostile profile name."""
    data = _evil_data(tmp_path)
    study = studies.get_study("1")
    params = tmp_path / "params" / PROFILE
    params.mkdir(parents=True)
    (params / f"{study.key}.yaml").write_text("data_source: auto\nseeds: [0]\nepochs: 1\nlr_sweep: null\n")
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path / "params")
    out = StringIO()
    with contextlib.redirect_stdout(out):
        code = pipeline.report(PROFILE, [study], data_dir=str(data), build_root=tmp_path / "build",
                               reports_root=tmp_path / "reports", interactive=False)
    reports = tmp_path / "reports" / PROFILE
    assert code == 0, out.getvalue()[-3000:]
    pages = [reports / study.page, reports / "index.html"]
    assert_no_live_payload(pages, [f"PWNED-L{i}" for i in range(10)] + ["PWNED-P1", "PWNED-P3", "PWNED-R1"])


BODY = '''
from lib.report import page as report
from lib.studies.registry import Study, register, resolve
from lib.experiments.claims import Family
import pandas as pd
register(Study("evil", 93, "93_evil.ipynb", "Evil study", "Does it escape?", ()))
page = report.StudyReport("evil", resolve("evil", params))
P = {payloads!r}
page.show_header()
page.add_data("data: " + P[0])
page.say("**Said.** " + P[1] + " `" + P[2] + "`")
page.warn("run failed: " + P[3])
page.table(pd.DataFrame({{P[4]: [P[5]]}}, index=pd.Index([P[6]], name=P[7])), "t", caption=P[8])
page.claims(Family([], finding="found " + P[9]))
page.finish()
raise RuntimeError("deliberately: " + P[10])
'''


@pytest.mark.slow
def test_sentences_tables_warnings_and_an_exception_message_reach_the_page_and_index_as_text(tmp_path, monkeypatch):
    from lib.studies.registry import Study

    payloads = [f"<img src=x onerror=alert('PWNED-S{i}')>" if i % 2 else f"<script>PWNED-S{i}</script>"
                for i in range(11)]
    payloads[2] = "[x](javascript:alert('PWNED-S2'))"
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    write_notebook(nbdir / "93_evil.ipynb", BODY.format(payloads=payloads))
    evil = Study("evil", 93, "93_evil.ipynb", "Evil study", "Does it escape?", ())
    (tmp_path / "params" / "t").mkdir(parents=True)
    (tmp_path / "params" / "t" / "evil.yaml").write_text("data_source: generated\n")
    for module in (studies, index, pipeline):
        monkeypatch.setattr(module, "STUDIES", {"evil": evil})
    monkeypatch.setattr(pipeline, "PARAMS", tmp_path / "params")
    out = StringIO()
    with contextlib.redirect_stdout(out):
        code = pipeline.report("t", [evil], build_root=tmp_path / "build", reports_root=tmp_path / "reports",
                               notebooks_dir=nbdir, interactive=False)
    assert code == 1  # the study raised; its page and the index show why
    reports = tmp_path / "reports" / "t"
    assert_no_live_payload([reports / evil.page, reports / "index.html"], [f"PWNED-S{i}" for i in range(11)])
