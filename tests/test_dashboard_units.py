"""Dashboard building blocks without a browser or a warehouse: disclosure, export, charts, queries, the command."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from concordat import paths
from concordat.cli import main
from dashboard import charts, data_impact, data_placements, export, queries
from dashboard.disclosure import Disclosure, secondary_suppression
from dashboard.formatting import format_value, fy_end, fy_start, previous_fy, utc_time
from dashboard.shapes import (
    Funnel,
    FunnelPoint,
    Grouped,
    ItsSeries,
    Line,
    Marker,
    Provenance,
    SpcSeries,
    Trend,
)

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


# --- disclosure -------------------------------------------------------------------------------------------


def test_counts_one_to_four_are_hidden_zero_and_five_are_shown() -> None:
    published = Disclosure()
    assert [published.hides_kpi("count", v, v, None, False) for v in (0, 1, 4, 5)] == [False, True, True, False]
    assert not Disclosure(internal=True).hides_kpi("count", 3, 3, None, True)


def test_a_percent_built_on_a_small_count_or_flagged_row_is_hidden() -> None:
    published = Disclosure()
    assert published.hides_kpi("percent", 50.0, 2, 4, False)  # numerator 2
    assert published.hides_kpi("percent", 10.0, 10, 100, True)  # flagged by the warehouse
    assert not published.hides_kpi("percent", 10.0, 10, 100, False)
    assert published.hides_kpi("per_100k", 0.3, 3, 1_000_000, False)


def test_kpi_frame_blanks_hidden_values_and_flags_them() -> None:
    frame = pd.DataFrame(
        {
            "unit": ["count", "count", "percent"],
            "value": [3.0, 12.0, 40.0],
            "numerator": [3.0, 12.0, 2.0],
            "denominator": [None, None, 5.0],
            "ci_lower": [1.0, 6.0, 10.0],
            "ci_upper": [8.0, 20.0, 80.0],
            "is_suppressed": [False, False, False],
        }
    )
    shown = Disclosure().kpi_frame(frame)
    assert list(shown.suppressed) == [True, False, True]
    assert shown.value.isna().tolist() == [True, False, True]
    assert shown.ci_upper.isna().tolist() == [True, False, True]
    assert Disclosure(internal=True).kpi_frame(frame).value.tolist() == [3.0, 12.0, 40.0]


def test_secondary_suppression_hides_the_next_smallest_cell() -> None:
    counts = {"a": 3.0, "b": 40.0, "c": 7.0, "d": 0.0}
    assert secondary_suppression(counts, {"a"}) == {"a", "c"}  # zero is not a useful complement
    assert secondary_suppression(counts, {"a", "c"}) == {"a", "c"}  # two hidden: nothing recoverable
    assert secondary_suppression(counts, set()) == set()


def test_placements_by_service_hide_small_counts_and_what_would_reveal_them() -> None:
    raw = pd.DataFrame(
        {
            "setting": ["Community", "Community", "Inpatient ward", "Inpatient ward"],
            "service": ["A", "B", "C", "D"],
            "started": [25, 12, 3, 40],
            "completed": [24, 12, 3, 30],
            "withdrawn": [1, 0, 0, 6],
            "other": [0, 0, 0, 4],
        }
    )
    shown, hidden = data_placements.disclose(Disclosure(), raw)
    # Row A: withdrawn 1 is small; completed 24 would give it away from started 25, so it goes too.
    assert hidden.loc[0, ["started", "completed", "withdrawn", "other"]].tolist() == [False, True, True, False]
    # C's started (3) is small, so the next smallest service total (B, 12) is hidden, and C's and B's non-zero parts.
    assert hidden.started.tolist() == [False, True, True, False]
    assert hidden.loc[1, ["completed", "withdrawn"]].tolist() == [True, False]
    assert hidden.loc[2, ["completed", "withdrawn"]].tolist() == [True, False]
    # Row D: withdrawn 6 and other 4: 4 is small, so the next smallest part (6) is hidden too; 30 stays.
    assert hidden.loc[3, ["completed", "withdrawn", "other"]].tolist() == [False, True, True]
    assert shown.started.isna().tolist() == hidden.started.tolist()
    internal, none_hidden = data_placements.disclose(Disclosure(internal=True), raw)
    assert not none_hidden.to_numpy().any() and internal.started.tolist() == [25, 12, 3, 40]


def test_threshold_is_configurable() -> None:
    assert Disclosure(threshold=10).is_small(7)
    assert Disclosure(threshold=10).label == "<10"


# --- export -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", '=HYPERLINK("http://x")'])
def test_formula_cells_are_neutralised(cell: str) -> None:
    assert export.neutralise(cell) == "'" + cell


def test_csv_escapes_formulas_blanks_hidden_cells_and_names_them() -> None:
    frame = pd.DataFrame({"Force": ["=cmd|' /C calc'!A0", "Safe"], "Count": [float("nan"), 12.0], "Rate": [-1.5, 2.0]})
    hidden = pd.DataFrame({"Force": [False, False], "Count": [True, False], "Rate": [False, False]})
    text = export.to_csv(frame, hidden).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["Force"].startswith("'=")
    assert rows[0]["Count"] == ""
    assert rows[0]["suppressed"] == "Count"
    assert rows[1]["suppressed"] == ""
    assert rows[0]["Rate"] == "-1.5"  # numbers are numbers, not formulas
    assert rows[1]["Count"] == "12"  # a count is written as a whole number
    assert rows[1]["Rate"] == "2"


def test_csv_numbers_carry_no_floating_point_noise() -> None:
    frame = pd.DataFrame({"Value": [300 / 13, 0.000312345678, 1234567.891, 2.5, float("nan")]})
    rows = list(csv.DictReader(io.StringIO(export.to_csv(frame).decode("utf-8-sig"))))
    assert [r["Value"] for r in rows] == ["23.0769", "0.000312346", "1234567.89", "2.5", ""]


def test_a_table_mixing_counts_and_rates_shows_counts_as_whole_numbers() -> None:
    from dashboard.data import Table

    frame = pd.DataFrame({"KPI": ["Detentions", "Rate"], "Value": [782.0, 12.345]})
    table = Table("t", frame, pd.DataFrame("", index=frame.index, columns=frame.columns), "t.csv")
    assert list(table.display()["Value"]) == ["782", "12.35"]


# --- formatting -------------------------------------------------------------------------------------------


def test_stored_times_show_as_utc() -> None:
    assert utc_time(dt.datetime(2026, 11, 23, 21, 6, 59)) == "23 Nov 2026 21:06 UTC"


def test_formatting_and_financial_years() -> None:
    assert format_value(1234.0, "count") == "1,234"
    assert format_value(12.345, "percent") == "12.3%"
    assert format_value(45.61, "per_100k") == "45.6 per 100k"
    assert format_value(45.61, "per_100k", compact=True) == "45.6"
    assert format_value(None, "count") == "–"
    assert fy_start("2023/24") == dt.date(2023, 4, 1)
    assert fy_end("2023/24") == dt.date(2024, 3, 31)
    assert previous_fy("2000/01") == "1999/00"


# --- charts -----------------------------------------------------------------------------------------------

PROV = Provenance(source="test source", period="April 2020 to March 2021, monthly")
DATES = tuple(dt.date(2020, m, 1) for m in range(4, 13))


def _chart_cases() -> list[tuple[str, charts.Chart, str]]:
    values = tuple(float(i) for i in range(len(DATES)))
    return [
        (
            "trend",
            charts.trend_chart(
                Trend("T", "percent", (Line("a", DATES, values),), PROV, markers=(Marker(dt.date(2020, 6, 1), "m"),))
            ),
            "Percent (%)",
        ),
        (
            "spc",
            charts.spc_chart(
                SpcSeries(
                    "S",
                    "count",
                    DATES,
                    values,
                    values,
                    values,
                    values,
                    ("common_cause",) * 8 + ("special_cause_concern",),
                    PROV,
                )
            ),
            "Number",
        ),
        (
            "funnel",
            charts.funnel_chart(
                Funnel(
                    "F",
                    "per_100k",
                    "Population",
                    (FunnelPoint("X", "x", 1e5, 3.0),),
                    3.0,
                    (1e4, 1e6),
                    (1, 2),
                    (5, 4),
                    (0, 1),
                    (6, 5),
                    "X",
                    PROV,
                )
            ),
            "Rate per 100,000 population",
        ),
        (
            "its",
            charts.its_chart(
                ItsSeries("I", "count", DATES, values, values, values, (False,) * 4 + (True,) * 5, DATES[4], PROV)
            ),
            "Number",
        ),
        (
            "grouped",
            charts.grouped_chart(Grouped("G", "percent", ("a", "b"), (("g1", (1.0, 2.0)),), PROV)),
            "Percent (%)",
        ),
    ]


@pytest.mark.parametrize(("name", "chart", "axis"), _chart_cases(), ids=lambda c: c if isinstance(c, str) else "")
def test_every_chart_has_title_units_caption_and_the_palette(name: str, chart: charts.Chart, axis: str) -> None:
    layout = chart.figure.layout
    assert layout.title.text
    assert axis in (layout.yaxis.title.text or "") + (layout.xaxis.title.text or "")
    assert chart.caption.startswith("Source: test source.") and "Period:" in chart.caption
    colours = {str(t.marker.color) for t in chart.figure.data if isinstance(t.marker.color, str)}
    colours |= {str(t.line.color) for t in chart.figure.data if getattr(t, "line", None) and t.line.color}
    allowed = set(charts.PALETTE) | {charts.GREY, "#000000", "#000"}
    assert colours <= allowed, f"{name}: colours outside the colour-blind-safe palette: {colours - allowed}"


def test_stacked_groups_are_drawn_end_to_end() -> None:
    parts = (("done", (3.0, 4.0)), ("left", (1.0, None)))
    assert charts.grouped_chart(Grouped("G", "count", ("a", "b"), parts, PROV, stacked=True)).figure.layout.barmode == (
        "stack"
    )
    assert charts.grouped_chart(Grouped("G", "count", ("a", "b"), parts, PROV)).figure.layout.barmode == "group"


def test_spc_chart_colours_special_causes() -> None:
    chart = dict((n, c) for n, c, _ in _chart_cases())["spc"]
    concern = [t for t in chart.figure.data if t.name == "Special cause: concern"]
    assert len(concern) == 1 and list(concern[0].y) == [8.0]


# --- queries ----------------------------------------------------------------------------------------------


def test_no_sql_is_built_from_values() -> None:
    """f-strings in queries.py may only splice the module's own column list, never a parameter."""
    tree = ast.parse((DASHBOARD / "queries.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            spliced = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
            assert all(isinstance(e, ast.Name) and e.id == "_KPI_COLUMNS" for e in spliced), ast.unparse(node)
    for module in DASHBOARD.rglob("*.py"):
        if module.name != "queries.py":
            source = module.read_text()
            assert "duckdb.connect" not in source and ".execute(" not in source, f"SQL outside queries.py: {module}"


def _serving(path: Path, value: int) -> None:
    tmp = path.with_suffix(".tmp")
    with duckdb.connect(str(tmp)) as con:
        con.execute("create table t as select ? as v", [value])
    os.replace(tmp, path)  # how `concordat publish` swaps the file


def test_cached_queries_see_a_new_serving_file_without_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "serving.duckdb"
    _serving(path, 1)
    db = queries.Serving(path)
    assert db.query("t", "select v from t").v.iloc[0] == 1
    before = db.version()
    _serving(path, 2)
    assert db.version() != before
    assert db.query("t", "select v from t").v.iloc[0] == 2


def test_queries_are_read_only(tmp_path: Path) -> None:
    path = tmp_path / "serving.duckdb"
    _serving(path, 1)
    with pytest.raises(duckdb.Error):
        queries.execute(path, "create table u as select 1", ())


# --- the command ------------------------------------------------------------------------------------------


def test_dashboard_without_a_serving_file_says_to_publish(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "--port", "8599"]) == 2
    err = capsys.readouterr().err.strip()
    assert "concordat publish" in err and "\n" not in err and "Traceback" not in err


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("command", [["dashboard"], ["run", "--scale", "small"]])
def test_a_busy_port_is_one_line_before_anything_starts(
    command: list[str], busy_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("CONCORDAT_HOME", str(home))
    if command == ["dashboard"]:
        _serving(paths.serving_warehouse(), 1)
    assert main([*command, "--port", str(busy_port)]) == 2
    out, err = capsys.readouterr()
    assert f"cannot serve on port {busy_port}" in err and "--port" in err
    assert "\n" not in err.strip() and "Traceback" not in err
    assert "Concordat dashboard on" not in out  # no banner for a server that never started
    if command[0] == "run":
        assert not (home / "demo").exists() and not (home / "warehouse.duckdb").exists()  # nothing built


def test_intervention_label_names_the_area_once() -> None:
    start = dt.date(2019, 9, 1)
    label = data_impact.intervention_label
    assert label("Street triage (Northumbria)", "Northumbria", start) == "Street triage (Northumbria), from Sep 2019"
    assert label("Street triage", "Northumbria", start) == "Street triage (Northumbria), from Sep 2019"
    assert label("Mental health SPOC", "E23000011", start) == "Mental health SPOC (E23000011), from Sep 2019"


def test_streamlit_command_is_headless_without_usage_stats() -> None:
    from dashboard.command import APP, streamlit_command

    argv = streamlit_command(8600)
    assert str(APP) in argv and APP.exists()
    joined = " ".join(argv)
    assert "--server.headless true" in joined and "--server.port 8600" in joined
    assert "--browser.gatherUsageStats false" in joined


def test_kpi_frame_accepts_nullable_integer_counts() -> None:
    """DuckDB BIGINT columns with NULLs come back as pandas nullable integers (pd.NA), as at national scale."""
    frame = pd.DataFrame(
        {
            "unit": ["percent", "count"],
            "value": [50.0, 7.0],
            "numerator": pd.array([None, 7], dtype="Int64"),
            "denominator": pd.array([None, None], dtype="Int64"),
            "ci_lower": [None, 3.0],
            "ci_upper": [None, 14.0],
            "is_suppressed": pd.array([None, False], dtype="boolean"),
        }
    )
    shown = Disclosure().kpi_frame(frame)
    assert list(shown.suppressed) == [False, False]
    assert shown.numerator.dtype == "float64"


@pytest.mark.parametrize(
    ("grain", "last", "expected"),
    [
        ("financial_year", dt.date(2020, 4, 1), "April 2016 to March 2021, by financial year"),
        ("quarter", dt.date(2021, 1, 1), "April 2016 to March 2021, quarterly"),
        ("month", dt.date(2021, 3, 1), "April 2016 to March 2021, monthly"),
    ],
)
def test_caption_period_runs_to_the_end_of_the_last_period(grain: str, last: dt.date, expected: str) -> None:
    from dashboard.data import period_text

    assert period_text([dt.date(2016, 4, 1), last], grain) == expected


def test_an_its_sentence_gives_the_step_change_and_a_missing_estimate_its_reason() -> None:
    its = data_impact.Estimate(
        "its", "pos_police_station_pct", -20.0, -30.0, -10.0, 0.001, 24, 36, (), step=(-2.5, -4.0, -1.0)
    )
    assert its.sentence("Police station as first place of safety", "percent") == (
        "Interrupted time series: Police station as first place of safety changed by -20.0% (95% interval -30.0% "
        "to -10.0%) against what was expected without the intervention. Its level stepped by -2.5 percentage "
        "points at the start (95% interval -4.0 percentage points to -1.0 percentage points)."
    )
    reason = "the counterfactual is not positive"
    none = data_impact.Estimate("did", "k", None, None, None, None, 24, 36, (), note=reason)
    assert none.sentence("K") == "Difference-in-differences: no estimate (the counterfactual is not positive)."


def test_yearly_and_quarterly_trends_label_their_axis_with_financial_years() -> None:
    import datetime as dt

    from dashboard import data
    from dashboard.shapes import Line, Provenance, Trend

    quarters = tuple(dt.date(2016 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(4, 28, 3))  # Apr 2016 ..
    line = Line("Detentions", quarters, tuple(float(i) for i in range(len(quarters))))
    ticks = data._year_ticks([line])
    assert ticks == ((dt.date(2016, 4, 1), "2016/17"), (dt.date(2017, 4, 1), "2017/18"))
    trend = Trend("t", "count", (line,), Provenance("s", "p"), ticks=ticks)
    axis = charts.trend_chart(trend).figure.layout.xaxis
    assert list(axis.ticktext) == ["2016/17", "2017/18"] and len(axis.tickvals) == 2


def test_value_axes_of_measures_that_cannot_be_negative_stop_at_zero() -> None:
    """All-zero months (no under-18 in a cell) must not draw an axis from -1 to 1; a change in score may be < 0."""
    for name, chart, _ in _chart_cases():
        layout = chart.figure.layout
        assert "nonnegative" in (layout.yaxis.rangemode, layout.xaxis.rangemode), name
    score = charts.trend_chart(Trend("S", "score", (Line("s", DATES, (0.0,) * len(DATES)),), PROV))
    assert score.figure.layout.yaxis.rangemode is None


def test_within_unit_moves_values_to_the_edge_of_the_unit() -> None:
    from dashboard.formatting import within_unit

    assert [within_unit(v, "count") for v in (-2.3, 0.0, 5.0, None)] == [0, 0.0, 5.0, None]
    assert [within_unit(v, "percent") for v in (-1.0, 50.0, 104.0)] == [0, 50.0, 100]
    assert within_unit(-0.4, "score") == -0.4


def test_a_sparkline_never_joins_the_months_either_side_of_a_hidden_one() -> None:
    from dashboard.data import _spark

    nan = float("nan")
    twelve = [float(v) for v in range(12)]
    assert _spark(pd.Series([1.0, 2.0, nan, *twelve])) == tuple(twelve)
    assert _spark(pd.Series([*twelve, nan, 3.0, 4.0])) == ()  # two months are not a trend
    assert _spark(pd.Series([1.0, *twelve, 2.0])) == (1.0, *twelve, 2.0)
    assert _spark(pd.Series([], dtype=float)) == ()


def test_bars_that_are_all_zero_say_so() -> None:
    """Under-18s in police stations are 0 in every quarter after 2017: an empty plot must not look like no data."""
    zeros = Trend("U", "count", (Line("u", DATES, (0.0, None) + (0.0,) * (len(DATES) - 2)),), PROV, kind="bar")
    texts = [a.text for a in charts.trend_chart(zeros).figure.layout.annotations]
    assert "0 in every period shown" in texts
    some = Trend("U", "count", (Line("u", DATES, (0.0, 6.0) + (0.0,) * (len(DATES) - 2)),), PROV, kind="bar")
    assert "0 in every period shown" not in [a.text for a in charts.trend_chart(some).figure.layout.annotations]


def test_the_dashboard_hides_what_the_warehouse_hides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One threshold: the dashboard's is the dbt project's `suppression_threshold`, which builds is_suppressed."""
    from concordat import project_vars
    from dashboard import settings

    (tmp_path / "dbt_project.yml").write_text("name: x\nvars:\n  suppression_threshold: 10\n", encoding="utf-8")
    monkeypatch.setattr(project_vars, "WAREHOUSE_PROJECT", tmp_path)
    project_vars.suppression_threshold.cache_clear()
    try:
        assert settings.from_env().threshold == 10
    finally:
        monkeypatch.undo()
        project_vars.suppression_threshold.cache_clear()
    assert settings.from_env().threshold == 5  # the project's own


def test_what_changed_judges_only_changes_chance_could_not_give() -> None:
    """A fall of 0.8 points inside overlapping intervals is not called a deterioration; 2.4% to 2.4% is no change."""
    from dashboard.data import KpiMeta, _sentence

    meta = KpiMeta("consulted_hp_pct", "Health professional consulted", "", "percent", "higher", None)
    within = _sentence(meta, 64.2, 65.0, "2020/21", "2019/20", overlap=True)
    assert within is not None and "chance alone" in within and "deterioration" not in within
    clear = _sentence(meta, 54.2, 65.0, "2020/21", "2019/20", overlap=False)
    assert clear is not None and clear.endswith("(a deterioration).")
    same = _sentence(meta, 2.353, 2.371, "2020/21", "2019/20", overlap=True)
    assert same == "Health professional consulted was unchanged at 2.4% in 2020/21."


def test_a_small_step_in_a_count_and_a_tiny_p_value_read_as_they_are() -> None:
    """A modelled step of -0.39 detentions a month is not `-0`; a p-value of 0.0031 is not `0.0`."""
    step = data_impact.Estimate(
        "its", "s136_detentions", -8.0, -16.0, -0.5, 0.0031, 24, 36, (), step=(-8.2, -16.0, -0.39)
    )
    assert step.sentence("Detentions", "count").endswith("stepped by -8.2 at the start (95% interval -16.0 to -0.4).")
    assert [data_impact.p_value_text(p) for p in (0.0031, 1.7e-07, None)] == ["0.003", "<0.001", "–"]


def test_hidden_periods_are_marked_not_left_blank() -> None:
    """Rare events (under-18s in cells, custody episodes) have their few-event months hidden: a chart of the rest
    would read as all zeros. The hidden periods get a grey cross; a hidden month's special cause is not drawn."""
    n = len(DATES)
    hidden = (False, True) + (False,) * (n - 2)
    bars = Trend("U", "count", (Line("u", DATES, (0.0, None) + (0.0,) * (n - 2), hidden=hidden),), PROV, kind="bar")
    marks = [t for t in charts.trend_chart(bars).figure.data if t.name == charts.HIDDEN_NAME]
    assert len(marks) == 1 and list(marks[0].x) == [DATES[1]]
    values = (0.0, None) + (0.0,) * (n - 2)
    spc = SpcSeries(
        "S", "count", DATES, values, (1.0,) * n, (0.0,) * n, (3.0,) * n,
        ("common_cause", "special_cause_concern") + ("common_cause",) * (n - 2), PROV, hidden=hidden,
    )  # fmt: skip
    names = [t.name for t in charts.spc_chart(spc).figure.data]
    assert charts.HIDDEN_NAME in names and "Special cause: concern" not in names
