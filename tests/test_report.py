"""`concordat report`: the one-page HTML report for a board paper, from the published small demo.

The figures are checked against marts.kpi_values with the dashboard's disclosure rules, the page is opened in
headless Chromium with the network cut off (it must draw its charts from the file alone), and every user mistake
is a one-line message with exit code 2.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from concordat.cli import main
from dashboard import browser, queries, report
from dashboard.disclosure import Disclosure
from dashboard.formatting import format_value


class _Cells(HTMLParser):
    """The text of each row of the table with id `headlines`."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "headlines") in attrs:
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def _headline_rows(page: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(page)
    return parser.rows


def _kpi(serving: Path, area: str, year: str, kpi_id: str) -> tuple:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(
            "select value, numerator, denominator, is_suppressed, unit from marts.kpi_values "
            "where area_code = ? and kpi_id = ? and period_grain = 'financial_year' and period_label = ? "
            "and segment = 'all'",
            [area, kpi_id, year],
        ).fetchone()


def _areas_and_years(serving: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(code, name as shown) of every area, and the financial years. A region or England and Wales of which only
    some forces are loaded is named with how many: `North East (2 of 3 forces loaded)`."""
    with duckdb.connect(str(serving), read_only=True) as con:
        rows = con.execute("select area_code, area_name, area_type, parent_area_code from marts.dim_area").fetchall()
        loaded = {r[0] for r in con.execute("select distinct area_code from marts.kpi_values").fetchall()}
        forces = [(code, parent) for code, _, kind, parent in rows if kind == "force"]
        areas = []
        for code, name, kind, _ in sorted(rows):
            if code not in loaded:
                continue
            members = [f for f, parent in forces if code == "EW" or parent == code] if kind != "force" else []
            with_data = sum(f in loaded for f in members)
            shown = f"{name} ({with_data} of {len(members)} forces loaded)" if with_data < len(members) else name
            areas.append((code, shown))
        years = [
            r[0]
            for r in con.execute(
                "select distinct period_label from marts.kpi_values where period_grain = 'financial_year' order by 1"
            ).fetchall()
        ]
    return areas, years


@pytest.fixture(scope="module")
def serving(small_published_home: Path) -> Path:
    return small_published_home / "serving.duckdb"


def test_report_is_one_self_contained_page_with_the_warehouse_figures(
    small_published_home: Path, serving: Path, tmp_path: Path, use_home, capsys: pytest.CaptureFixture[str]
) -> None:
    (area, name), year = _areas_and_years(serving)[0][0], _areas_and_years(serving)[1][-1]
    out = tmp_path / "board-paper.html"
    with use_home(small_published_home):
        code = main(["report", "--area", area, "--period", year, "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert str(out) in printed.out and not printed.err
    page = out.read_text(encoding="utf-8")
    assert f"<title>Section 136 and places of safety: {name}, {year}</title>" in page
    # Plotly inlined once, both charts drawn from it, nothing fetched from the network.
    assert page.count("Plotly.newPlot") == 2 and "chart1" in page and "chart2" in page
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|<img[^>]+src=", page)
    for _, title in report.CHARTS:
        assert title in page
    assert page.count("Source: Concordat warehouse") >= 2  # each chart's caption
    # The headline table has this year's s136 detentions exactly as the warehouse has them.
    rows = _headline_rows(page)
    assert rows[0][:3] == ["Measure", year, f"{int(year[:4]) - 1}/{year[2:4]}"]
    value, *_ = _kpi(serving, area, year, "s136_detentions")
    detentions = next(r for r in rows if r[0] == "Section 136 detentions")
    assert detentions[1] == format_value(value, "count")


def test_report_figures_follow_the_published_disclosure_rules(serving: Path) -> None:
    """Every headline value of every area in every year: hidden exactly when the dashboard hides it."""
    db = queries.Serving(serving, cached=False)
    disclosure = Disclosure()
    areas, years = _areas_and_years(serving)
    hidden_seen = 0
    try:
        for area, _ in areas:
            for year in years:
                built = report.build(report.context(db, area, year))
                kpi_ids = [kpi_id for kpi_id, _ in report.data.HEADLINES]
                assert [r.name for r in built.rows] == [
                    queries.kpi_catalogue(db).set_index("kpi_id").at[k, "name"] for k in kpi_ids
                ]
                for kpi_id, row in zip(kpi_ids, built.rows, strict=True):
                    found = _kpi(serving, area, year, kpi_id)
                    if found is None:
                        assert row.value == "–"
                        continue
                    value, numerator, denominator, flagged, unit = found
                    if disclosure.hides_kpi(unit, value, numerator, denominator, bool(flagged)):
                        hidden_seen += 1
                        assert row.value == ("<5" if unit == "count" else "suppressed"), (area, year, kpi_id)
                        assert row.interval in ("<5", "suppressed")
                    elif value is None:
                        assert row.value == "–"
                    else:
                        assert row.value == format_value(value, unit), (area, year, kpi_id)
    finally:
        queries.close_all()
    assert hidden_seen > 0, "the small demo should have some hidden figures, or this test checks nothing"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "E23000099", "--period", "LATEST"], "--area 'E23000099' is not an area in the serving file"),
        (["--area", "EW", "--period", "2019/21"], "--period '2019/21' is not a financial year"),
        (["--area", "EW", "--period", "1999/00"], "--period 1999/00: the serving file has no figures for it"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(
    small_published_home: Path,
    serving: Path,
    tmp_path: Path,
    use_home,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    year = _areas_and_years(serving)[1][-1]
    out = tmp_path / "r.html"
    with use_home(small_published_home):
        code = main(["report", *[year if a == "LATEST" else a for a in args], "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.iterdir())


def test_area_by_name_and_close_matches(serving: Path) -> None:
    db = queries.Serving(serving, cached=False)
    try:
        (code, name), *_ = _areas_and_years(serving)[0]
        assert report.context(db, name.upper(), "2020-21").area_code == code
        with pytest.raises(report.UserInputError, match="Did you mean"):
            report.context(db, code[:-1] + "9", "2020/21")
    finally:
        queries.close_all()


def test_missing_serving_file_or_folder(
    home: Path, small_published_home: Path, use_home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--area", "EW", "--period", "2020/21", "--out", str(tmp_path / "r.html")]) == 2
    assert "run `concordat publish` first" in capsys.readouterr().err
    with use_home(small_published_home):
        code = main(["report", "--area", "EW", "--period", "2020/21", "--out", str(tmp_path / "no" / "r.html")])
    assert code == 2 and "does not exist" in capsys.readouterr().err


@pytest.mark.browser
@pytest.mark.slow
def test_report_draws_its_charts_offline_in_chromium(
    small_published_home: Path, serving: Path, tmp_path: Path, use_home
) -> None:
    if not browser.CHROMIUM.exists():
        pytest.fail(f"{browser.CHROMIUM} is missing: run `make browser` (apt-get install chromium chromium-driver)")
    (area, _), year = _areas_and_years(serving)[0][0], _areas_and_years(serving)[1][-1]
    out = tmp_path / "report.html"
    with use_home(small_published_home):
        assert main(["report", "--area", area, "--period", year, "--out", str(out)]) == 0
    with browser.chromium_context() as context:
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.route(re.compile(r"^https?://"), lambda route: (requests.append(route.request.url), route.abort()))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(out.as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=30_000)
        drawn = page.evaluate("document.querySelectorAll('.js-plotly-plot .scatterlayer .trace').length")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert not requests and not errors
    assert drawn >= 8  # four lines (limits, mean, values) in each of the two SPC charts


@pytest.mark.parametrize("spelling", ["2020/21", "2020-21", "2020/2021", "FY2020/21", " 2020 / 21 "])
def test_financial_year_spellings(serving: Path, spelling: str) -> None:
    db = queries.Serving(serving, cached=False)
    try:
        assert report.context(db, "EW", spelling).financial_year == "2020/21"
    finally:
        queries.close_all()


@pytest.mark.parametrize("spelling", ["2020/2121", "2020/22", "20/21", "2020", "next year"])
def test_not_financial_years(serving: Path, spelling: str) -> None:
    db = queries.Serving(serving, cached=False)
    try:
        with pytest.raises(report.UserInputError, match="is not a financial year"):
            report.context(db, "EW", spelling)
    finally:
        queries.close_all()


def test_dashboard_download_is_the_published_report(serving: Path) -> None:
    (area, name), year = _areas_and_years(serving)[0][0], _areas_and_years(serving)[1][-1]
    page = report.html_bytes(serving, area, year).decode("utf-8")
    assert f"<title>Section 136 and places of safety: {name}, {year}</title>" in page
    assert page.count("Plotly.newPlot") == 2


@pytest.mark.browser
@pytest.mark.slow
def test_overview_page_downloads_the_report(small_published_home: Path, serving: Path, tmp_path: Path) -> None:
    """The Overview's button builds the report on click; it is the published view even in the internal app."""
    if not browser.CHROMIUM.exists():
        pytest.fail(f"{browser.CHROMIUM} is missing: run `make browser` (apt-get install chromium chromium-driver)")
    (area, name), year = _areas_and_years(serving)[0][0], _areas_and_years(serving)[1][-1]
    port = browser.free_port()
    with browser.serve(small_published_home, port, internal=True), browser.chromium_context() as context:
        page = context.new_page()
        page.goto(f"http://localhost:{port}/?area={area}&fy={year}")
        page.wait_for_selector(browser.APP_IDLE, timeout=60_000)
        with page.expect_download(timeout=60_000) as waiting:
            page.get_by_role("button", name="Board report (HTML)").click()
        download = waiting.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
    assert saved.name == f"concordat_report_{area}_{year.replace('/', '-')}.html"
    text = saved.read_text(encoding="utf-8")
    assert f"<title>Section 136 and places of safety: {name}, {year}</title>" in text
    assert "Published view: counts from 1 to 4 are shown as &lt;5" in text


@pytest.mark.parametrize(
    ("last_month", "expected"),
    [
        (dt.date(2024, 3, 1), "April 2023 to March 2024, the whole year"),
        (dt.date(2025, 1, 1), "April 2023 to March 2024, the whole year"),
        (dt.date(2023, 12, 1), "April 2023 to December 2023, year to date"),
        (dt.date(2023, 4, 1), "April 2023 to April 2023, year to date"),
        (dt.date(2023, 3, 1), "2023/24: no s136 records in this year"),
        (None, "2023/24: no s136 records in this year"),
    ],
)
def test_coverage_says_year_to_date(last_month: dt.date | None, expected: str) -> None:
    assert report.coverage_text("2023/24", last_month) == expected
