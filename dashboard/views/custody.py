"""Custody used as a place of safety: episodes, how long, who authorised it, whether a clinician was there."""

import streamlit as st

from dashboard import charts, components, context, data
from dashboard.site import section_key

TABLE_KPIS = (
    "custody_pos_episodes",
    "custody_median_hours",
    "custody_inspector_authorised_pct",
    "custody_hcp_present_pct",
)
ctx = context.current()


def episodes() -> None:
    components.chart(
        charts.spc_chart(
            data.spc(ctx, "custody_pos_episodes", "Custody episodes as a place of safety per month (SPC chart)")
        ),
        key="custody-spc",
    )
    components.chart(
        charts.trend_chart(data.trend(ctx, ("custody_median_hours",), "Median custody episode length")),
        key="custody-hours",
    )


def authorisation_and_care() -> None:
    left, right = st.columns(2)
    with left:
        components.chart(
            charts.trend_chart(
                data.trend(
                    ctx, ("custody_inspector_authorised_pct",), "Authorised by an inspector or above", intervals=True
                )
            ),
            key="custody-authorised",
        )
    with right:
        components.chart(
            charts.trend_chart(
                data.trend(ctx, ("custody_hcp_present_pct",), "Healthcare professional present", intervals=True)
            ),
            key="custody-hcp",
        )


def table() -> None:
    components.table(data.kpi_table(ctx, TABLE_KPIS, name="custody"), key="custody")


st.title(f"Custody as a place of safety: {ctx.area_name}")
components.sections(
    {
        "Episodes and length": episodes,
        "Authorisation and healthcare": authorisation_and_care,
        "Table": table,
    },
    key=section_key("custody"),
)
