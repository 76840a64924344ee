"""Officer placements in mental-health services: the scheme's throughput and whether placed officers differ."""

import streamlit as st

from dashboard import charts, components, context, data, data_placements
from dashboard.site import section_key

COMPARED_KPIS = ("consulted_hp_pct", "pos_police_station_pct", "s136_conversion_pct", "s136_nfa_pct")
SEGMENTS = ("officer_placed", "officer_not_placed")
TABLE_KPIS = (
    "placements_started",
    "placement_completion_pct",
    "officers_placed_cumulative",
    "placement_capacity_breaches",
    "placement_confidence_change",
    "s136_by_placed_officer_pct",
)
ctx = context.current()


def throughput() -> None:
    left, right = st.columns(2)
    with left:
        components.trend(ctx, ("placements_started",), "Placements started", kind="bar", key="placements-started")
    with right:
        components.trend(
            ctx,
            ("officers_placed_cumulative",),
            "Officers placed to date (completed placements)",
            key="placements-cumulative",
        )
    left, right = st.columns(2)
    with left:
        components.trend(
            ctx,
            ("placement_completion_pct",),
            "Placements completed (of completed or withdrawn)",
            intervals=True,
            key="placements-completion",
        )
    with right:
        components.trend(
            ctx,
            ("placement_capacity_breaches",),
            "Capacity breaches (service-days with over two officers)",
            kind="bar",
            key="placements-breaches",
        )


def services_and_settings() -> None:
    result = data_placements.services(ctx)
    if result.chart is None:
        st.info(f"No placements started in {ctx.area_name} in {ctx.financial_year}.")
    else:
        components.chart(charts.grouped_chart(result.chart), key="placements-services")
    components.table(result.table, key="placements-services")


def placed_vs_other() -> None:
    left, right = st.columns(2)
    with left:
        components.trend(
            ctx,
            ("placement_confidence_change",),
            "Change in officers' confidence after a placement",
            key="placements-confidence",
        )
    with right:
        components.trend(
            ctx,
            ("s136_by_placed_officer_pct",),
            "s136 detentions by an officer who had a placement",
            intervals=True,
            key="placements-share",
        )
    components.chart(
        charts.grouped_chart(
            data.segment_comparison(
                ctx, COMPARED_KPIS, SEGMENTS, f"Detentions by placed and other officers, {ctx.financial_year}"
            )
        ),
        key="placements-compare",
    )
    st.caption(
        "A difference here is an association, not proof that placements caused it: officers who volunteer or are "
        "chosen for a placement may differ in other ways, and their detentions may be in different places or "
        "shifts."
    )
    components.table(
        data.kpi_table(
            ctx,
            COMPARED_KPIS,
            segments=SEGMENTS,
            title=f"Placed vs other officers, {ctx.area_name}",
            name="placed_vs_other",
        ),
        key="placements-segments",
    )


st.title(f"Officer placements: {ctx.area_name}")
components.sections(
    {
        "Throughput": throughput,
        "Services and settings": services_and_settings,
        "Placed vs other officers": placed_vs_other,
        "Table": components.kpi_table_section(ctx, TABLE_KPIS, "placements"),
    },
    key=section_key("placements"),
)
