"""What a reader must not stumble on in a rendered page, and what every study page must have.

``page_problems(html)`` parses a page (html.parser, not string search over the markup) and returns
one line per problem: leftovers of how the page was made (training-log lines, download messages and
URLs, raw Python dicts, code paths, exception classes and errno texts, internal parameter names or
environment variables in prose) and
what is missing (the "Limitations" section, the reproduce command, the link to the index). Both the
smoke-rendered pages (tests/report/test_page_checks.py) and the committed reports/quick/ pages
(tests/report/test_committed_pages_read.py) are held to it.
"""
from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SKIP = {"style", "script"}
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "pre", "td", "th", "div", "summary", "blockquote", "br", "tr"}

# What an exception says is for the study log: a page gives the reason in words ("no network connection").
# Class names (OSError, URLError, a bare Exception), "[Errno -2]" and the operating system's own texts.
_STRERRORS = sorted({os.strerror(code) for code in (
    errno.ENOENT, errno.EACCES, errno.ELOOP, errno.ENAMETOOLONG, errno.ENOTDIR, errno.ECONNREFUSED,
    errno.ECONNRESET, errno.ETIMEDOUT, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENOSPC, errno.EROFS)}
    | {"Name or service not known", "Temporary failure in name resolution", "nodename nor servname provided"})
_EXCEPTION_TEXT = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b|\bException\b|\[Errno\s*-?\d+\]|\bErrno\b|"
                             + "|".join(map(re.escape, _STRERRORS)))

LEFTOVERS = [
    (re.compile(r"\bepoch \d+/\d+\b"), "a training-log line"),
    (re.compile(r"^\[[^\]]+\] .*\b(seed \d+|epoch)\b"), "a training-log line"),
    (re.compile(r"Downloading data from|https?://\S+\.(?:h5|npz|gz|tar|zip|pkl|keras)\b"), "a download message or URL"),
    (re.compile(r"\{'[^']*': "), "a raw Python dict"),
    (re.compile(r"\blib[/.][a-z_]+(?:[/.][A-Za-z_]+)*(?:\.py)?\b"), "a code path"),
    (re.compile(r"\bmake bench\b"), "a developer command"),
    (re.compile(r"\$?\bSMALLIMG_[A-Z_]+\b|\bTF_CONFIG\b"), "an environment variable"),
    (_EXCEPTION_TEXT, "an exception class or errno text"),
]


@dataclass
class _Page(HTMLParser):
    texts: list = field(default_factory=list)      # (text, inside a table?)
    headings: list = field(default_factory=list)
    links: list = field(default_factory=list)

    def __post_init__(self):
        super().__init__(convert_charrefs=True)
        self._stack: list[str] = []
        self._buf: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self._flush()
        if tag in ("h1", "h2", "h3"):
            self._heading = []
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        if tag not in ("br", "img", "meta", "link", "input", "hr"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._flush()
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append("".join(self._heading).replace("¶", "").strip())
            self._heading = None
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data):
        if _SKIP & set(self._stack):
            return
        self._buf.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def _flush(self):
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if text:
            self.texts.append((text, "table" in self._stack))

    def close(self):
        super().close()
        self._flush()


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def parameter_names() -> set[str]:
    """The studies' internal parameter names that no English word shares (those with an underscore)."""
    from lib.studies.registry import STUDIES

    return {name for study in STUDIES.values() for name in study.schema if "_" in name}


def page_problems(html: str, study_page: bool = True, names: set[str] | None = None) -> list[str]:
    """Every problem a reader would stumble on in ``html``; empty when there is none."""
    page = parse(html)
    names = parameter_names() if names is None else names
    name_re = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b") \
        if names else None
    problems = []
    for text, in_table in page.texts:
        found = {}
        for pattern, what in LEFTOVERS:
            m = pattern.search(text)
            if m and what not in found:
                found[what] = m
        problems += [f"{what}: {_around(text, m)}" for what, m in found.items()]
        m = name_re.search(text) if name_re and not in_table else None
        if m:
            problems.append(f"an internal parameter name in prose ({m.group(1)}): {_around(text, m)}")
    if study_page:
        problems += _missing(page)
    return problems


def _missing(page: _Page) -> list[str]:
    missing = []
    if "Limitations" not in page.headings:
        missing.append("no 'Limitations' section")
    if not any(t.startswith("make report PROFILE=") and " STUDIES=" in t for t, _ in page.texts):
        missing.append("no command that reproduces the page (make report PROFILE=... STUDIES=...)")
    if "index.html" not in page.links:
        missing.append("no link to the index")
    return missing


def _around(text: str, m: re.Match, width: int = 60) -> str:
    return "…" + text[max(0, m.start() - width):m.end() + width] + "…"
