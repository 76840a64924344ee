"""Drive a running dashboard in headless Chromium: used by the browser test and the dashboard benchmark.

Starts `concordat dashboard` as a user would (in its own process group, so stopping it stops Streamlit too),
opens each page in Debian's Chromium through Playwright (never a browser downloaded by Playwright), waits until
the script has finished and every Plotly chart has drawn, then reports errors and the render time.
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
#: True once every Plotly chart on the page has drawn its SVG.
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("[data-testid='stPlotlyChart']"))
    .every(el => el.querySelector('.main-svg'))"""
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


def visit_pages(
    port: int,
    pages: Sequence[tuple[str, str]],
    query: Mapping[str, str],
    screenshots: Path | None = None,
    timeout_ms: int = 60_000,
) -> list[PageVisit]:
    """Open each (url_path, title) page in a fresh tab; a screenshot per page when ``screenshots`` is given."""
    from playwright.sync_api import sync_playwright

    visits: list[PageVisit] = []
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(viewport=VIEWPORT)
            for url_path, title in pages:
                page = context.new_page()
                started = time.perf_counter()
                page.goto(page_url(port, url_path, query), wait_until="domcontentloaded", timeout=timeout_ms)
                page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)
                page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
                page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)
                seconds = time.perf_counter() - started
                errors = tuple(
                    el.inner_text()[:500] for selector in ERROR_SELECTORS for el in page.query_selector_all(selector)
                )
                shot = None
                if screenshots:
                    shot = screenshots / f"{url_path or 'overview'}.png"
                    _screenshot_whole_page(page, shot)
                charts = len(page.query_selector_all("[data-testid='stPlotlyChart']"))
                heading = page.inner_text("[data-testid='stMain'] h1")
                visits.append(PageVisit(url_path, title, seconds, errors, charts, heading, shot))
                page.close()
        finally:
            browser.close()
    return visits
