"""Open the committed HTML reports in headless Chromium: every page loads, every figure
renders, every local link resolves. Screenshots go to build/screenshots/ as artifacts.

Needs Debian's `chromium` (``.ci/run`` installs it) and the `playwright` Python package
(a dev dependency), which drives the system browser; no browser download is involved.
"""
import shutil
from urllib.parse import unquote, urlsplit

import pytest

from lib.paths import BUILD, REPORTS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROFILE = "quick"
PAGES = sorted((REPORTS / PROFILE).glob("*.html"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="apt-get install chromium")]


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_the_committed_report_has_an_index_and_study_pages():
    names = {p.name for p in PAGES}
    assert "index.html" in names, f"reports/{PROFILE}/index.html is missing: run make report"
    assert len(names) >= 2


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: p.name)
def test_page_loads_with_figures_and_no_broken_links(browser, page_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(page_path.as_uri(), wait_until="load")
    assert response is None or response.ok
    assert page.title().strip(), "page has no title"
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert all(done and width > 0 for done, width in images), f"broken images: {images}"
    # Pages rendered since figures carry descriptions say "Figure: <titles>"; nbconvert gives older
    # ones a generic text. Either way no image may be left without alternative text.
    alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
    assert all(a.strip() for a in alts), f"figures without alternative text: {alts}"
    if page_path.name != "index.html":
        assert images, "a study page without a single figure"
        assert "Traceback" not in page.inner_text("body") or "failed" in page.inner_text("body").lower()
    for href in page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"):
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            continue  # external: not reachable offline, and not ours to break
        if not parts.path:  # an in-page anchor
            anchor = unquote(parts.fragment)
            assert not anchor or page.evaluate(
                "a => !!(document.getElementById(a) || document.getElementsByName(a).length)", anchor), href
            continue
        assert (page_path.parent / unquote(parts.path)).is_file(), f"broken link {href} in {page_path.name}"
    assert errors == [], f"JavaScript errors: {errors}"
    shots = BUILD / "screenshots" / PROFILE
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{page_path.stem}.png"), full_page=True)
    page.close()
