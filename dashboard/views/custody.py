"""Custody used as a place of safety: episodes, how long, who authorised it, whether a clinician was there."""

import streamlit as st

from dashboard import components, context
from dashboard.site import section_key

TABLE_KPIS = (
    "custody_pos_episodes",
    "custody_median_hours",
    "custody_inspector_authorised_pct",
    "custody_hcp_present_pct",
)
ctx = context.current()


def episodes() -> None:
    components.spc(
        ctx, "custody_pos_episodes", "Custody episodes as a place of safety per month (SPC chart)", key="custody-spc"
    )
    components.trend(ctx, ("custody_median_hours",), "Median custody episode length", key="custody-hours")


def authorisation_and_care() -> None:
    left, right = st.columns(2)
    with left:
        components.trend(
            ctx,
            ("custody_inspector_authorised_pct",),
            "Authorised by an inspector or above",
            intervals=True,
            key="custody-authorised",
        )
    with right:
        components.trend(
            ctx, ("custody_hcp_present_pct",), "Healthcare professional present", intervals=True, key="custody-hcp"
        )


st.title(f"Custody as a place of safety: {ctx.area_name}")
components.sections(
    {
        "Episodes and length": episodes,
        "Authorisation and healthcare": authorisation_and_care,
        "Table": components.kpi_table_section(ctx, TABLE_KPIS, "custody"),
    },
    key=section_key("custody"),
)
