"""Drive a running dashboard in headless Chromium: used by the browser test and the dashboard benchmark.

Starts `concordat dashboard` as a user would (in its own process group, so stopping it stops Streamlit too),
opens each page in Debian's Chromium through Playwright (never a browser downloaded by Playwright), waits until
the script has finished and every Plotly chart has drawn, then reports errors, the render time and any request
that left the dashboard's own server (the dashboard must work offline and tell no third party who opened it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

CHROMIUM = Path(os.environ.get("CONCORDAT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
ERROR_SELECTORS = ("[data-testid='stException']", "[data-testid='stAlertContentError']")
#: True once the page has drawn everything: Streamlit shows a skeleton while an element's code (Plotly, the
#: data grid) is still loading, so no skeleton may be left, and every Plotly chart must have drawn its SVG.
CHARTS_DRAWN = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    if (!main || main.querySelector("[data-testid='stSkeleton']")) return false;
    const charts = Array.from(main.querySelectorAll("[data-testid='stPlotlyChart']"));
    return charts.every(el => el.querySelector('.main-svg'));
}"""
VIEWPORT = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class PageVisit:
    url_path: str
    title: str
    seconds: float  # navigation start to script finished and charts drawn
    errors: tuple[str, ...]
    charts: int
    heading: str  # the page's h1, which names the area and year it shows
    screenshot: Path | None
    remote: tuple[str, ...] = ()  # requests the page made to anywhere but the dashboard's server
    notes: tuple[str, ...] = ()  # the page's info boxes, e.g. "Placements started: no figures for Northumbria"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _concordat_command() -> list[str]:
    script = Path(sys.executable).with_name("concordat")
    if script.exists():
        return [str(script)]
    found = shutil.which("concordat")
    return [found] if found else [sys.executable, "-m", "concordat.cli"]


def wait_until_healthy(port: int, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the dashboard exited with code {process.returncode} before it was up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"the dashboard did not answer on port {port} within {timeout:.0f} s")


@contextmanager
def serve(home: Path, port: int, internal: bool = False, log: Path | None = None) -> Iterator[subprocess.Popen]:
    """Run `concordat dashboard --port PORT` on a CONCORDAT_HOME until the block ends."""
    env = dict(os.environ, CONCORDAT_HOME=str(home))
    argv = [*_concordat_command(), "dashboard", "--port", str(port)] + (["--internal"] if internal else [])
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_healthy(port, process=process)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if log:
            out.close()


def _screenshot_whole_page(page: object, path: Path) -> None:
    """Streamlit scrolls inside its main block, so grow the viewport to the content's height before the shot."""
    height = page.evaluate(  # type: ignore[attr-defined]
        "() => document.querySelector(\"[data-testid='stMain']\").scrollHeight"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 40, 12_000)})  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size(VIEWPORT)  # type: ignore[attr-defined]


def page_url(port: int, url_path: str, query: Mapping[str, str]) -> str:
    return f"http://127.0.0.1:{port}/{url_path}?{urlencode(dict(query))}"


@contextmanager
def chromium_context() -> Iterator[object]:
    """A Playwright browser context in Debian's headless Chromium, at the dashboard's reference width."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield browser.new_context(viewport=VIEWPORT)
        finally:
            browser.close()


def _record_remote(page: object, port: int) -> list[str]:
    """A list that collects every request `page` makes to anywhere but the dashboard on `port`."""
    own = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:")
    remote: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(own) else remote.append(request.url))  # type: ignore[attr-defined]
    return remote


def _settle(page: object, timeout_ms: int) -> None:
    """Wait until the page has a heading, its script has finished and everything is drawn."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)  # type: ignore[attr-defined]
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)  # type: ignore[attr-defined]
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)  # type: ignore[attr-defined]


def _errors(page: object) -> tuple[str, ...]:
    return tuple(
        el.inner_text()[:500]
        for selector in ERROR_SELECTORS
        for el in page.query_selector_all(selector)  # type: ignore[attr-defined]
    )


def _notes(page: object) -> tuple[str, ...]:
    return tuple(el.inner_text() for el in page.query_selector_all("[data-testid='stAlertContentInfo']"))  # type: ignore[attr-defined]


def _charts(page: object) -> int:
    return len(page.query_selector_all("[data-testid='stPlotlyChart']"))  # type: ignore[attr-defined]


def _heading(page: object) -> str:
    return page.inner_text("[data-testid='stMain'] h1")  # type: ignore[attr-defined]


def visit_pages(
    port: int,
    pages: Sequence[tuple[str, str]],
    query: Mapping[str, str],
    screenshots: Path | None = None,
    timeout_ms: int = 60_000,
) -> list[PageVisit]:
    """Open each (url_path, title) page in a fresh tab; a screenshot per page when ``screenshots`` is given."""
    visits: list[PageVisit] = []
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)
    with chromium_context() as context:
        for url_path, title in pages:
            page = context.new_page()  # type: ignore[attr-defined]
            remote = _record_remote(page, port)
            started = time.perf_counter()
            page.goto(page_url(port, url_path, query), wait_until="domcontentloaded", timeout=timeout_ms)
            _settle(page, timeout_ms)
            seconds = time.perf_counter() - started
            shot = None
            if screenshots:
                shot = screenshots / f"{url_path or 'overview'}.png"
                _screenshot_whole_page(page, shot)
            found = (_errors(page), _charts(page), _heading(page))
            visits.append(PageVisit(url_path, title, seconds, *found, shot, tuple(remote), _notes(page)))
            page.close()
    return visits


def navigate_pages(
    port: int,
    pages: Sequence[tuple[str, str]],
    query: Mapping[str, str],
    rounds: int = 1,
    timeout_ms: int = 60_000,
) -> list[list[PageVisit]]:
    """Open the first page, then move to each page in turn with the sidebar's links, as a user does.

    Timed from the click to the new page's script finishing with everything drawn (its heading differs from the
    previous page's, so a stale page is never mistaken for the new one). One list of visits per round.
    """
    results: list[list[PageVisit]] = []
    with chromium_context() as context:
        page = context.new_page()  # type: ignore[attr-defined]
        remote = _record_remote(page, port)
        page.goto(page_url(port, pages[0][0], query), wait_until="domcontentloaded", timeout=timeout_ms)
        _settle(page, timeout_ms)
        for _ in range(rounds):
            visits = []
            for url_path, title in (*pages[1:], pages[0]):
                before = _heading(page)
                started = time.perf_counter()
                page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
                page.wait_for_function(
                    "before => { const h = document.querySelector(\"[data-testid='stMain'] h1\"); "
                    "return h && h.innerText !== before; }",
                    arg=before,
                    timeout=timeout_ms,
                )
                _settle(page, timeout_ms)
                seconds = time.perf_counter() - started
                found = (_errors(page), _charts(page), _heading(page))
                visits.append(PageVisit(url_path, title, seconds, *found, None, tuple(remote), _notes(page)))
                remote.clear()
            results.append(visits)
    return results


@dataclass(frozen=True)
class SectionVisit:
    url: str  # the address bar after the click
    charts: int
    errors: tuple[str, ...]


def open_section(
    port: int, url_path: str, query: Mapping[str, str], key: str, label: str, timeout_ms: int = 60_000
) -> SectionVisit:
    """Open a page, click the tab of one of its sections and wait until that section is drawn."""
    with chromium_context() as context:
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto(page_url(port, url_path, query), wait_until="domcontentloaded", timeout=timeout_ms)
        _settle(page, timeout_ms)
        page.get_by_role("tab", name=label, exact=True).click()
        page.wait_for_function(
            "([key, label]) => new URLSearchParams(location.search).get(key) === label",
            arg=[key, label],
            timeout=timeout_ms,
        )
        page.wait_for_function(
            "() => document.querySelector(\"[role='tabpanel']:not([hidden]) [data-testid='stElementContainer']\")",
            timeout=timeout_ms,
        )
        _settle(page, timeout_ms)
        return SectionVisit(page.url, _charts(page), _errors(page))
