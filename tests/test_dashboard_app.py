"""The dashboard on a real published demo warehouse, through Streamlit's AppTest (no browser).

Every page runs for England and Wales and for one force without an exception or an error box, and the numbers a
user reads (tiles, tables) are compared with `marts.kpi_values` read straight from the serving file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import settings
from dashboard.data import HEADLINES
from dashboard.disclosure import INTERNAL_MARK
from dashboard.site import PAGES, section_key

pytestmark = pytest.mark.slow

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
NATIONAL = "EW"


@pytest.fixture(scope="module")
def serving(small_published_home: Path) -> Iterator[Path]:
    path = small_published_home / "serving.duckdb"
    old = os.environ.get(settings.SERVING_FILE_ENV)
    os.environ[settings.SERVING_FILE_ENV] = str(path)
    yield path
    if old is None:
        os.environ.pop(settings.SERVING_FILE_ENV, None)
    else:
        os.environ[settings.SERVING_FILE_ENV] = old


def _sql(serving: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def force(serving: Path) -> str:
    """A force with detentions in the demo."""
    return _sql(
        serving,
        "select min(area_code) from marts.kpi_values where kpi_id = 's136_detentions' and value > 0 "
        "and area_code in (select area_code from marts.dim_area where area_type = 'force')",
    )[0][0]


@pytest.fixture(scope="module")
def latest_year(serving: Path) -> str:
    return _sql(serving, "select max(period_label) from marts.kpi_values where period_grain = 'financial_year'")[0][0]


def _open(query: dict[str, str], page: str | None = None, internal: bool = False) -> AppTest:
    os.environ[settings.INTERNAL_ENV] = "1" if internal else "0"
    try:
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.query_params.update(query)
        at.run()
        if page:
            at.switch_page(f"views/{page}").run()
    finally:
        os.environ.pop(settings.INTERNAL_ENV, None)
    return at


def _assert_clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    assert not at.error, f"{where}: {[e.value for e in at.error]}"


@pytest.mark.parametrize("area", ["national", "force"])
def test_every_page_runs_without_an_error(serving: Path, force: str, area: str) -> None:
    code = NATIONAL if area == "national" else force
    at = _open({"area": code})
    _assert_clean(at, "app")
    for file, title, url, _ in PAGES:
        at.switch_page(f"views/{file}").run()
        _assert_clean(at, f"{title} ({code})")
        assert at.title, f"{title} has no title"
        for section in [tab.label for tab in at.tabs][1:]:  # the first ran above; sections run only when open
            at.session_state[section_key(url)] = section
            at.run()
            _assert_clean(at, f"{title}: {section} ({code})")
    assert at.query_params["area"] == code


def _kpi(serving: Path, kpi_id: str, area: str, year: str) -> tuple[float, bool]:
    rows = _sql(
        serving,
        "select value, is_suppressed from marts.kpi_values where kpi_id = ? and area_code = ? and segment = 'all' "
        "and period_grain = 'financial_year' and period_label = ?",
        [kpi_id, area, year],
    )
    assert len(rows) == 1, f"expected one {kpi_id} value for {area} {year}, got {rows}"
    return rows[0]


@pytest.mark.parametrize("area", ["national", "force"])
def test_overview_tiles_equal_kpi_values(serving: Path, force: str, latest_year: str, area: str) -> None:
    code = NATIONAL if area == "national" else force
    at = _open({"area": code, "fy": latest_year})
    _assert_clean(at, "overview")
    kpi_of = {label: kpi_id for kpi_id, label in HEADLINES}
    tiles = {kpi_of[m.label]: m.value for m in at.metric}
    assert {"s136_detentions", "pos_police_station_pct", "s136_rate_per_100k"} <= set(tiles)
    value, hidden = _kpi(serving, "s136_detentions", code, latest_year)
    assert not hidden and value >= 5, "the demo's yearly detentions should be shown"
    assert int(tiles["s136_detentions"].replace(",", "")) == round(value)
    percent, hidden = _kpi(serving, "pos_police_station_pct", code, latest_year)
    assert tiles["pos_police_station_pct"] == ("hidden" if hidden else f"{percent:.1f}%")
    rate, _ = _kpi(serving, "s136_rate_per_100k", code, latest_year)
    assert float(tiles["s136_rate_per_100k"].replace(",", "")) == pytest.approx(rate, abs=0.05)


def test_s136_page_table_equals_kpi_values(serving: Path, force: str, latest_year: str) -> None:
    at = _open({"area": force, "fy": latest_year, section_key("s136"): "Table"}, page="s136.py")
    _assert_clean(at, "s136")
    table = at.dataframe[-1].value
    checked = 0
    for _, row in table.iterrows():
        if row["kpi_id"] in ("s136_detentions", "detention_over_24h_pct") and row["Financial year"] == latest_year:
            value, hidden = _kpi(serving, row["kpi_id"], force, latest_year)
            if not hidden:
                assert float(str(row["Value"]).replace(",", "")) == pytest.approx(value, abs=0.005)
                checked += 1
    assert checked >= 1


FORCES_IN_SEED = "select count(*) from marts.dim_area where area_type = 'force'"


def forces_loaded(serving: Path) -> list[str]:
    return [
        r[0]
        for r in _sql(
            serving,
            "select area_code from marts.dim_area where area_type = 'force' "
            "and area_code in (select area_code from marts.kpi_values)",
        )
    ]


def test_the_url_reopens_the_same_view_and_bad_values_fall_back(serving: Path, force: str) -> None:
    first_year = _sql(serving, "select min(period_label) from marts.kpi_values where period_grain = 'financial_year'")[
        0
    ][0]
    view = {"area": force, "fy": first_year, "grain": "quarter", section_key("custody"): "Table"}
    at = _open(view, page="custody.py")
    _assert_clean(at, "custody")
    assert dict(at.query_params) == view
    assert at.selectbox(key="area").value == force and at.selectbox(key="fy").value == first_year
    assert any(first_year in m.value for m in at.markdown), "the page's table should be for the chosen year"
    bad = _open({"area": "NOT-AN-AREA", "fy": "1066/67"})
    _assert_clean(bad, "fallback")
    assert bad.query_params["area"] == NATIONAL
    assert bad.query_params["fy"] != "1066/67"
    # said, not silent: whoever opens the link must not take England and Wales for the area they asked for
    assert [w.value for w in bad.warning] == [
        "This link asks for area 'NOT-AN-AREA', which is not in this data: showing England and Wales "
        f"({len(forces_loaded(serving))} of {_sql(serving, FORCES_IN_SEED)[0][0]} forces loaded) instead.",
        f"This link asks for financial year '1066/67', which is not in this data: showing {bad.query_params['fy']} "
        "instead.",
    ]
    assert not at.warning, "a link with valid values has no warning"


def test_small_counts_show_as_lt5_unless_internal(serving: Path) -> None:
    area, year, kpi_id, value = _sql(
        serving,
        "select area_code, period_label, kpi_id, value from marts.kpi_values where kpi_id = 'u18_police_station' "
        "and segment = 'all' and period_grain = 'financial_year' and value between 1 and 4 "
        "order by area_code, period_label limit 1",
    )[0]
    name = dict(HEADLINES)[kpi_id]
    published = {m.label: m.value for m in _open({"area": area, "fy": year}).metric}
    assert published[name] == "<5"
    internal = {m.label: m.value for m in _open({"area": area, "fy": year}, internal=True).metric}
    assert internal[name] == f"{value:,.0f}"


@pytest.mark.parametrize("internal", [False, True], ids=["published", "internal"])
def test_the_internal_view_is_marked_wherever_a_figure_can_leave_the_screen(
    serving: Path, internal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notice on every page, a line under every chart title (a saved PNG carries it), `_internal` in CSV names."""
    file_names: list[str] = []
    download_button = st.download_button

    def recording(*args: object, **kwargs: object) -> object:
        file_names.append(str(kwargs["file_name"]))
        return download_button(*args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    charts = 0
    for page in ("s136.py", "data_quality.py"):
        at = _open({"area": NATIONAL}, page=page, internal=internal)
        _assert_clean(at, page)
        assert [w.value.startswith("**Internal view") for w in at.warning] == ([True] if internal else [])
        for element in at.get("plotly_chart"):
            charts += 1
            title = json.loads(element.proto.spec)["layout"]["title"]
            image = json.loads(element.proto.config).get("toImageButtonOptions", {})
            assert (title.get("subtitle", {}).get("text") == INTERNAL_MARK) is internal, title
            assert str(image.get("filename", "")).endswith("_internal") is internal
    csvs = [name for name in file_names if name.endswith(".csv")]
    assert csvs and charts >= 3
    assert all(name.endswith("_internal.csv") is internal for name in csvs), csvs
    # the board report is the published view in both, so it is never marked
    assert [name for name in file_names if name.endswith(".html") and "_internal" not in name]


def test_compare_forces_lists_every_force_with_a_rate(serving: Path, latest_year: str) -> None:
    at = _open({"area": NATIONAL, "fy": latest_year, section_key("compare"): "Table"}, page="compare.py")
    _assert_clean(at, "compare")
    shown = set(at.dataframe[0].value["Code"])
    expected = {
        r[0]
        for r in _sql(
            serving,
            "select k.area_code from marts.kpi_values k join marts.dim_area a using (area_code) "
            "where a.area_type = 'force' and k.kpi_id = 's136_rate_per_100k' and k.segment = 'all' "
            "and k.period_grain = 'financial_year' and k.period_label = ? and not k.is_suppressed "
            "and k.numerator >= 5 and k.denominator > 0",
            [latest_year],
        )
    }
    assert expected and shown == expected


def test_definitions_page_lists_every_kpi(serving: Path) -> None:
    at = _open({"area": NATIONAL}, page="definitions.py")
    _assert_clean(at, "definitions")
    listed = set(at.dataframe[0].value["kpi_id"])
    assert listed == {r[0] for r in _sql(serving, "select kpi_id from marts.dim_kpi")}


def test_impact_page_shows_the_register_and_an_estimate(serving: Path) -> None:
    registered = {r[0] for r in _sql(serving, "select intervention_id from marts.dim_intervention")}
    at = _open({"area": NATIONAL, section_key("impact"): "Estimates table"}, page="impact.py")
    _assert_clean(at, "impact")
    picker = at.selectbox(key="intervention")
    assert len(picker.options) == len(registered) and picker.value in registered
    estimates = at.dataframe[0].value
    chosen = picker.value
    expected = _sql(serving, "select count(*) from marts.intervention_impact where intervention_id = ?", [chosen])[0][0]
    assert len(estimates) == expected


def test_a_link_reopens_the_impact_kpi(serving: Path) -> None:
    """The KPI chosen on the impact page is kept in the link, like the intervention."""
    from dashboard import data_impact, queries
    from dashboard.data import Context
    from dashboard.disclosure import Disclosure

    db = queries.Serving(serving, cached=False)
    try:
        ctx = Context(db, NATIONAL, NATIONAL, "2020/21", "quarter", Disclosure())
        choices = [(i, data_impact.impact_kpis(ctx, i)) for i in data_impact.intervention_choices(ctx).intervention_id]
    finally:
        queries.close_all()
    intervention, kpis = next((i, k) for i, k in choices if len(k) > 1)
    at = _open({"area": NATIONAL, "intervention": intervention, "impact_kpi": kpis[1]}, page="impact.py")
    _assert_clean(at, "impact")
    assert at.selectbox(key="impact_kpi").value == kpis[1]
    assert at.query_params["impact_kpi"] == kpis[1] and at.query_params["intervention"] == intervention
    assert not at.warning
    bad = _open({"area": NATIONAL, "intervention": "NO-SUCH-SCHEME"}, page="impact.py")
    _assert_clean(bad, "impact")
    shown = bad.selectbox(key="intervention")
    assert shown.value != "NO-SUCH-SCHEME" and [w.value for w in bad.warning] == [
        f"This link asks for intervention 'NO-SUCH-SCHEME', which is not in this data: showing "
        f"{shown.format_func(shown.value)} instead."
    ]


def test_the_its_chart_hides_the_months_kpi_values_hides(serving: Path) -> None:
    """Observed months a published view hides elsewhere are not plotted on the ITS chart; the internal view shows
    them."""
    from dashboard import data_impact, queries
    from dashboard.data import Context
    from dashboard.disclosure import Disclosure

    (intervention, kpi, area, hidden), *_ = _sql(
        serving,
        "select s.intervention_id, s.kpi_id, s.area_code, count(*) from marts.intervention_impact_series s "
        "join marts.kpi_values k on k.kpi_id = s.kpi_id and k.area_code = s.area_code and k.segment = 'all' "
        "and k.period_grain = 'month' and k.period_start = s.period_start "
        "where k.is_suppressed and s.observed is not null group by all order by 4 desc",
    )
    db = queries.Serving(serving, cached=False)
    try:
        for internal, missing in ((False, hidden), (True, 0)):
            ctx = Context(db, area, area, "2020/21", "quarter", Disclosure(internal=internal))
            series = data_impact.impact(ctx, intervention, kpi).series
            assert series is not None and sum(v is None for v in series.observed) == missing, internal
    finally:
        queries.close_all()


def test_overview_icons_describe_the_chosen_year(serving: Path) -> None:
    """A past year's tiles carry the SPC variation icon of that year's last month, not of the latest month."""
    from concordat.methods.spc import variation_icon
    from dashboard import data, queries
    from dashboard.data import Context
    from dashboard.disclosure import Disclosure
    from dashboard.formatting import fy_end

    years = [r[0] for r in _sql(serving, "select distinct financial_year from marts.dim_period order by 1")]
    directions = dict(_sql(serving, "select kpi_id, direction from marts.dim_kpi"))
    db = queries.Serving(serving, cached=False)
    differs = 0
    try:
        for year in years:
            tiles = data.overview(Context(db, NATIONAL, NATIONAL, year, "quarter", Disclosure())).tiles
            for tile in tiles:
                rows = _sql(
                    serving,
                    "select point_type from marts.spc_points where kpi_id = ? and area_code = ? and segment = 'all' "
                    "and period_start <= ? order by period_start desc limit 1",
                    [tile.kpi_id, NATIONAL, fy_end(year)],
                )
                latest = _sql(
                    serving,
                    "select variation_icon from marts.spc_summary where kpi_id = ? and area_code = ? "
                    "and segment = 'all'",
                    [tile.kpi_id, NATIONAL],
                )
                judged = bool(latest) and latest[0][0] is not None  # no icons on a series too short to judge
                expected = variation_icon(rows[0][0], directions[tile.kpi_id]) if rows and judged else None
                assert tile.variation == expected, (year, tile.kpi_id)
                differs += judged and latest[0][0] != expected
    finally:
        queries.close_all()
    assert differs  # some past year reads differently from the latest month: the test can tell them apart


def test_published_page_sets_nhs_england_beside_the_police_figures(serving: Path) -> None:
    at = _open({"area": NATIONAL}, page="published.py")
    _assert_clean(at, "published")
    totals = at.dataframe[0].value
    nhs = [c for c in totals.columns if c.startswith("NHS Digital")]
    assert nhs and "England only" in nhs[0]
    expected = dict(
        _sql(
            serving,
            "select financial_year, count from marts.published_s136 where source = 'nhs_mha' "
            "and area_code = 'E92000001' and measure = 'detentions' and category = 'All' and not is_suppressed",
        )
    )
    assert expected
    shown = dict(zip(totals["Financial year"], totals[nhs[0]], strict=True))
    assert all(str(shown[year]).replace(",", "") == str(count) for year, count in expected.items())
    # a year without an NHS figure reads as no figure (`–`), never `None`
    assert not any(str(v) in ("None", "nan", "<NA>") for column in totals.columns for v in totals[column])


def test_published_page_says_which_sources_have_no_figures_for_a_force(serving: Path, force: str) -> None:
    """The published figures shipped with the demo are national: for a force only Concordat's own count is drawn,
    and the caption says the other sources have none, so a single unlabelled series is not a mystery."""
    at = _open({"area": force}, page="published.py")
    _assert_clean(at, "published, force")
    (name,) = _sql(serving, "select area_name from marts.dim_area where area_code = ?", [force])[0]
    captions = " ".join(c.value for c in at.caption)
    assert f"Home Office: no figures for {name}" in captions and f"NHS Digital: no figures for {name}" in captions
    national = " ".join(c.value for c in _open({"area": NATIONAL}, page="published.py").caption)
    assert "Home Office: no figures" not in national


def test_a_section_in_the_url_reopens_that_section_and_only_it_runs(serving: Path, force: str) -> None:
    first = _open({"area": force}, page="s136.py")
    assert first.tabs[0].label == "Detentions"
    assert len(first.get("plotly_chart")) == 3 and not first.dataframe, "only the open section is drawn"
    table = _open({"area": force, section_key("s136"): "Table"}, page="s136.py")
    _assert_clean(table, "s136 table")
    assert len(table.dataframe) == 1 and not table.get("plotly_chart")
    assert table.query_params[section_key("s136")] == "Table"


def test_placements_by_service_and_setting_equal_the_placement_facts(serving: Path) -> None:
    area, year = _sql(
        serving,
        "select area_code, financial_year from marts.fct_placements p join marts.dim_period d "
        "on d.period_grain = 'financial_year' and p.start_date between d.period_start and d.period_end "
        "group by all order by count(*) desc limit 1",
    )[0]
    at = _open({"area": area, "fy": year, section_key("placements"): "Services and settings"}, "placements.py", True)
    _assert_clean(at, "placements services")
    shown = at.dataframe[0].value
    expected = _sql(
        serving,
        "select p.setting, p.service, count(*), count(*) filter (where status = 'Completed') "
        "from marts.fct_placements p join marts.dim_period d on d.period_grain = 'financial_year' "
        "and d.financial_year = ? and p.start_date between d.period_start and d.period_end "
        "where p.area_code = ? group by all",
        [year, area],
    )
    assert expected
    got = {
        (r["Setting"], r["Service"]): (int(r["Placements started"]), int(r["Completed"])) for _, r in shown.iterrows()
    }
    assert got == {(setting, service): (n, done) for setting, service, n, done in expected}


def test_a_chart_with_nothing_to_draw_says_so_instead(serving: Path) -> None:
    """The small demo has officer placements in one force only: elsewhere the page says there are no figures."""
    with_placements = {
        code
        for (code,) in _sql(
            serving, "select distinct area_code from marts.kpi_values where kpi_id = 'placements_started'"
        )
    }
    forces = _sql(  # the forces the dashboard offers: those with detentions
        serving,
        "select area_code, area_name from marts.dim_area where area_type = 'force' and area_code in "
        "(select area_code from marts.kpi_values where kpi_id = 's136_detentions') order by 1",
    )
    code, name = next((c, n) for c, n in forces if c not in with_placements)
    at = _open({"area": code}, "placements.py")
    _assert_clean(at, f"placements, {code}")
    assert not at.get("plotly_chart")  # no empty axes
    said = [info.value for info in at.info]
    assert len(said) == 4 and all(f"no figures for {name}" in text for text in said)
    assert "**Placements started**" in said[0] and "officer placement tracker" in said[0]

    at = _open({"area": sorted(with_placements - {NATIONAL})[0]}, "placements.py")
    assert len(at.get("plotly_chart")) == 4 and not at.info


def test_spc_limits_are_drawn_within_what_the_measure_can_be(serving: Path, latest_year: str) -> None:
    """XmR limits can fall below 0 (a count) or above 100%: the chart draws them at the edge and says so."""
    from dashboard import data, queries
    from dashboard.data import Context
    from dashboard.disclosure import Disclosure

    (area, kpi, unit), *_ = _sql(
        serving,
        "select p.area_code, p.kpi_id, k.unit from marts.spc_points p join marts.dim_kpi k using (kpi_id) "
        "where p.segment = 'all' and (p.lcl < 0 or (k.unit = 'percent' and p.ucl > 100)) "
        "group by all order by count(*) desc, 1, 2",
    )
    db = queries.Serving(serving, cached=False)
    try:
        series = data.spc(Context(db, area, area, latest_year, "quarter", Disclosure()), kpi, "t")
    finally:
        queries.close_all()
    assert min(v for v in series.lcl if v is not None) == 0
    assert max(v for v in series.ucl if v is not None) <= (100 if unit == "percent" else float("inf"))
    assert "drawn at its edge" in series.provenance.note


def test_spc_note_and_caption_come_from_the_kpi_catalogue(serving: Path, latest_year: str) -> None:
    """The month SPC limits restart from is the KPI's spc_rebase_date, and a caption names the records the KPI is
    counted from (marts.dim_kpi.source): neither is guessed from the data or the KPI's id."""
    from dashboard import data, queries
    from dashboard.data import Context
    from dashboard.disclosure import Disclosure

    catalogue = dict(_sql(serving, "select kpi_id, spc_rebase_date from marts.dim_kpi"))
    db = queries.Serving(serving, cached=False)
    try:
        ctx = Context(db, NATIONAL, NATIONAL, latest_year, "quarter", Disclosure())
        rebased = data.spc(ctx, "pos_police_station_pct", "t").provenance
        plain = data.spc(ctx, "s136_detentions", "t").provenance
        custody = data.spc(ctx, "custody_pos_episodes", "t").provenance
    finally:
        queries.close_all()
    assert catalogue["pos_police_station_pct"] is not None and catalogue["s136_detentions"] is None
    assert f"recomputed from {catalogue['pos_police_station_pct']:%B %Y}" in rebased.note
    assert "recomputed" not in plain.note
    assert custody.source.startswith("Concordat warehouse, police custody records")
    assert plain.source.startswith("Concordat warehouse, police s136 detention records")


def test_published_figures_for_part_of_england_and_wales_say_they_are_not_comparable(serving: Path) -> None:
    """The small demo loads a few forces: their count beside the national published figures must say so."""
    from dashboard import data_sources, queries
    from dashboard.data import Context
    from dashboard.disclosure import Disclosure

    ((name,),) = _sql(serving, "select area_name from marts.dim_area where area_code = 'EW'")
    db = queries.Serving(serving, cached=False)
    try:
        partial = queries.areas(db).set_index("area_code").at[NATIONAL, "shown_name"]
        chart = data_sources.published(Context(db, NATIONAL, partial, "2020/21", "quarter", Disclosure())).chart
    finally:
        queries.close_all()
    assert partial != name and "forces loaded" in partial
    assert chart is not None and "Home Office" in chart.provenance.note
    assert f"{partial}: Concordat's own count covers only those forces" in chart.provenance.note
