"""Custody used as a place of safety: episodes, how long, who authorised it, whether a clinician was there."""

import streamlit as st

from dashboard import charts, components, context, data

TABLE_KPIS = (
    "custody_pos_episodes",
    "custody_median_hours",
    "custody_inspector_authorised_pct",
    "custody_hcp_present_pct",
)

ctx = context.current()
st.title(f"Custody as a place of safety: {ctx.area_name}")
components.chart(
    charts.spc_chart(
        data.spc(ctx, "custody_pos_episodes", "Custody episodes as a place of safety per month (SPC chart)")
    ),
    key="custody-spc",
)
left, right = st.columns(2)
with left:
    components.chart(
        charts.trend_chart(data.trend(ctx, ("custody_median_hours",), "Median custody episode length")),
        key="custody-hours",
    )
with right:
    components.chart(
        charts.trend_chart(
            data.trend(
                ctx, ("custody_inspector_authorised_pct",), "Authorised by an inspector or above", intervals=True
            )
        ),
        key="custody-authorised",
    )
components.chart(
    charts.trend_chart(
        data.trend(ctx, ("custody_hcp_present_pct",), "Healthcare professional present", intervals=True)
    ),
    key="custody-hcp",
)
components.table(data.kpi_table(ctx, TABLE_KPIS, name="custody"), key="custody")
