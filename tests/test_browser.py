"""The archive in a real browser: Debian's Chromium, headless, through Playwright.

Every page of the archive is opened from ``file://`` URLs as a reviewer opening it from a USB
stick would: nothing may leave the machine (every request other than ``file:`` and ``data:`` is
aborted and recorded), no console error, ``lang="es"``, no script, every link's target exists,
and the navigation pages do not scroll sideways on a 360 px phone. Screenshots at desktop and
phone widths go to ``test-artifacts/screenshots/``.

Chromium's own browser download is not reachable here, so Playwright drives the system
``/usr/bin/chromium`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from mirbook.execute import notebook_title

from conftest import ROOT
from site_archive import ARTIFACTS, build_archive

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = ARTIFACTS / "screenshots"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason=f"Chromium no está instalado en {CHROMIUM} (en CI lo instala .ci/run: apt chromium)"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_archive(tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # a dev dependency: missing means a broken setup, not a skip

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """One browser tab that records every request, aborts (and records) any that is not ``file:`` or
    ``data:``, and records console errors and uncaught page errors."""

    def __init__(self, browser, viewport):
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def close(self) -> None:
        self.context.close()


def _name(site, page: Path) -> str:
    return re.sub(r"[^\w.-]+", "_", page.relative_to(site.reports).with_suffix("").as_posix())


def test_every_page_opens_offline_without_errors(site, browser):
    visit = Visit(browser, DESKTOP)
    try:
        for page in site.pages():
            visit.open(page)
            state = visit.page.evaluate(
                """() => ({
                    lang: document.documentElement.lang,
                    scripts: document.querySelectorAll('script').length,
                    title: document.title,
                    anchors: Array.from(document.querySelectorAll('a[href]'), a => a.href),
                    ids: Array.from(document.querySelectorAll('[id]'), e => e.id),
                    images: Array.from(document.images, i => [i.src.slice(0, 5), i.complete && i.naturalWidth > 0]),
                })"""
            )
            assert state["lang"] == "es", page
            assert state["scripts"] == 0, page
            assert state["title"].strip(), page
            for prefix, loaded in state["images"]:
                assert prefix == "data:" and loaded, f"{page}: image not embedded or not loaded"
            for href in state["anchors"]:
                parts = urlsplit(href)
                if parts.scheme in ("http", "https"):
                    assert page.name != "index.html", f"{page}: navigation page links outside: {href}"
                    continue
                assert parts.scheme == "file", f"{page}: unexpected link {href}"
                target = Path(unquote(parts.path))
                assert target.is_file(), f"{page}: broken link {href}"
                if target == page.resolve() and parts.fragment:
                    assert parts.fragment in state["ids"], f"{page}: no element #{parts.fragment}"
        assert visit.blocked == [], f"requests that tried to leave the machine: {visit.blocked}"
        assert all(u.startswith(("file:", "data:")) for u in visit.requests)
        assert visit.errors == [], visit.errors
    finally:
        visit.close()


def test_links_between_navigation_pages_work_when_clicked(site, browser):
    visit = Visit(browser, DESKTOP)
    try:
        visit.open(site.reports / "index.html")
        visit.page.get_by_role("link", name="Primer trimestre de 2026 (T1)").click()
        assert visit.page.url.endswith("/2026/T1/index.html")
        visit.page.locator("nav.migas").get_by_role("link", name="Índice").click()
        assert visit.page.url.endswith("/2026/index.html")
        visit.page.locator("nav.migas").get_by_role("link", name="Reportes archivados").click()
        assert visit.page.url.endswith("/reports/index.html")
        visit.page.get_by_role("link", name="revisión 1 de 2026 T1").click()
        assert visit.page.url.endswith("/2026/T1/revisiones/r001/index.html")
        title = re.escape(notebook_title(ROOT / "notebooks" / "00_resumen.ipynb"))
        visit.page.get_by_role("link", name=re.compile(rf"^HTML de {title}, 2026 T1, revisión 1\b")).first.click()
        assert visit.page.url.endswith("/2026/T1/revisiones/r001/00_resumen.html")
        assert visit.blocked == [] and visit.errors == []
    finally:
        visit.close()


def _pages_to_shoot(site) -> list[Path]:
    return [site.reports / "index.html", site.reports / "2026" / "T1" / "index.html",
            site.reports / "2026" / "T1" / "revisiones" / "r001" / "index.html",
            site.reports / "2026" / "T1" / "00_resumen.html"]


@pytest.mark.parametrize(("label", "viewport"), [("escritorio", DESKTOP), ("telefono", PHONE)])
def test_screenshots_and_no_sideways_scroll(site, browser, label, viewport):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit = Visit(browser, viewport)
    try:
        for page in _pages_to_shoot(site):
            visit.open(page)
            nav = page.name == "index.html"
            out = SCREENSHOTS / f"{_name(site, page)}-{label}.png"
            visit.page.screenshot(path=str(out), full_page=nav)
            assert out.stat().st_size > 5000
            width = visit.page.evaluate("document.documentElement.scrollWidth")
            if nav:
                assert width <= viewport["width"] + 2, f"{page} scrolls sideways at {viewport['width']} px: {width}"
        assert visit.blocked == [] and visit.errors == []
    finally:
        visit.close()


def test_print_media_hides_navigation_and_keeps_the_content(site, browser):
    visit = Visit(browser, DESKTOP)
    try:
        visit.open(site.reports / "2026" / "T1" / "index.html")
        visit.page.emulate_media(media="print")
        hidden = visit.page.evaluate(
            "() => ['.saltar', 'nav.migas'].map(s => getComputedStyle(document.querySelector(s)).display)")
        assert hidden == ["none", "none"]
        assert visit.page.locator("table.tabla-periodo tbody tr").count() == 10
        pdf = visit.page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        visit.close()


def test_the_guard_catches_requests_that_leave_the_machine(browser, tmp_path):
    """The harness itself: an external image and a script error are caught, so the checks above mean something."""
    page = tmp_path / "fuera.html"
    page.write_text('<!DOCTYPE html><html lang="es"><title>x</title><img src="https://example.org/x.png">'
                    "<script>console.error('mal'); undefinedFunction();</script></html>", encoding="utf-8")
    visit = Visit(browser, PHONE)
    try:
        visit.open(page)
        assert visit.blocked == ["https://example.org/x.png"]
        assert any("mal" in e for e in visit.errors) and any(e.startswith("pageerror") for e in visit.errors)
    finally:
        visit.close()
