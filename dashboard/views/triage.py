"""Street triage: contacts, outcomes, s136 considered but not used, response times, detentions preceded by triage."""

import streamlit as st

from dashboard import components, context
from dashboard.site import section_key

TABLE_KPIS = (
    "triage_contacts",
    "triage_s136_pct",
    "triage_s136_averted",
    "triage_median_response_minutes",
    "s136_after_triage_pct",
)
ctx = context.current()


def contacts() -> None:
    components.spc(ctx, "triage_contacts", "Street-triage contacts per month (SPC chart)", key="triage-spc")
    components.trend(ctx, ("triage_median_response_minutes",), "Median response time", key="triage-response")


def outcomes() -> None:
    left, right = st.columns(2)
    with left:
        components.trend(
            ctx, ("triage_s136_pct",), "Contacts ending in s136 detention", intervals=True, key="triage-outcome"
        )
    with right:
        components.trend(
            ctx,
            ("triage_s136_averted",),
            "Contacts where s136 was considered but not used",
            kind="bar",
            key="triage-averted",
        )
    components.trend(
        ctx,
        ("s136_after_triage_pct",),
        "s136 detentions preceded by a triage contact",
        intervals=True,
        key="triage-share",
    )


st.title(f"Street triage: {ctx.area_name}")
components.sections(
    {
        "Contacts and response": contacts,
        "Outcomes": outcomes,
        "Table": components.kpi_table_section(ctx, TABLE_KPIS, "triage"),
    },
    key=section_key("triage"),
)
