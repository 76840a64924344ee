"""`concordat dashboard` in headless Chromium: every page opens without an error and without a request to anywhere
but the dashboard itself (it must work offline and tell no third party who opened it), with a screenshot per page.

Uses Debian's Chromium (`make browser` installs it) through Playwright; no browser is downloaded. Screenshots go
to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard import browser
from dashboard.site import browser_paths, section_key

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
#: Pages whose first section draws no Plotly chart (the overview has tiles with sparklines).
CHARTLESS = {"overview", "data-quality", "definitions"}


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not browser.CHROMIUM.exists():
        pytest.fail(f"{browser.CHROMIUM} is missing: run `make browser` (apt-get install chromium chromium-driver)")
    return browser.CHROMIUM


def _forces_and_year(serving: Path) -> tuple[list[tuple[str, str]], str]:
    """The forces with detentions (code, name), in code order, and the latest financial year."""
    with duckdb.connect(str(serving), read_only=True) as con:
        forces = con.execute(
            "select a.area_code, a.area_name from marts.dim_area a where a.area_type = 'force' and a.area_code in "
            "(select area_code from marts.kpi_values where kpi_id = 's136_detentions' and value > 0) "
            "order by a.area_code"
        ).fetchall()
        year = con.execute("select max(period_label) from marts.kpi_values where period_grain = 'financial_year'")
        return forces, year.fetchone()[0]


def test_every_page_opens_in_chromium_without_an_error(small_published_home: Path, chromium: Path) -> None:
    forces, year = _forces_and_year(small_published_home / "serving.duckdb")
    (code, name), others = forces[0], forces[1:]
    port = browser.free_port()
    log = SCREENSHOTS.parent / "dashboard-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with browser.serve(small_published_home, port, log=log):
        visits = browser.visit_pages(port, browser_paths(), {"area": code, "fy": year}, SCREENSHOTS)
        (moves,) = browser.navigate_pages(port, browser_paths(), {"area": code, "fy": year})
        section = browser.open_section(port, "s136", {"area": code}, section_key("s136"), "Places of safety")
        # A page with no charts for this force (no such data here) draws them for a force that has the data.
        chartless = [
            (v.url_path, v.title) for v in visits if not v.charts and (v.url_path or "overview") not in CHARTLESS
        ]
        elsewhere = [browser.visit_pages(port, chartless, {"area": other, "fy": year}) for other, _ in others]
    assert [v.url_path for v in visits] == [p for p, _ in browser_paths()]
    for visit in visits:
        page = visit.url_path or "overview"
        assert not visit.errors, f"{page}: {visit.errors}"
        assert not visit.remote, f"{page} asked another server for {visit.remote}"
        assert visit.screenshot is not None and visit.screenshot.stat().st_size > 10_000, f"{page}: no screenshot"
        if page not in CHARTLESS:  # charts, or (where this force has no such data) a line saying so
            no_figures = [n for n in visit.notes if f"no figures for {name}" in n]
            assert visit.charts > 0 or no_figures, f"{page}: no chart drawn, and no note saying why"
    for path, _ in chartless:
        assert any(v.charts and not v.errors for run in elsewhere for v in run if v.url_path == path), path
    # The sidebar's links reach every page in the same session, each drawn without an error.
    assert sorted(v.url_path for v in moves) == sorted(p for p, _ in browser_paths())
    assert not [v.errors for v in moves if v.errors]
    assert not [v.remote for v in moves if v.remote]
    # A section (tab) opens on click, runs only then, and is kept in the address bar for sharing.
    assert section.charts == 3 and not section.errors
    assert f"{section_key('s136')}=Places+of+safety" in section.url and f"area={code}" in section.url
    headings = {v.url_path or "overview": v.heading for v in visits}
    # The query string reopened the chosen force and year.
    assert name in headings["overview"] and year in headings["overview"]
    assert name in headings["s136"]
    assert "Traceback" not in log.read_text()
