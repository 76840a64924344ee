"""Street triage: contacts, outcomes, detentions averted, response times, detentions preceded by triage."""

import streamlit as st

from dashboard import charts, components, context, data
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
    components.chart(
        charts.spc_chart(data.spc(ctx, "triage_contacts", "Street-triage contacts per month (SPC chart)")),
        key="triage-spc",
    )
    components.chart(
        charts.trend_chart(data.trend(ctx, ("triage_median_response_minutes",), "Median response time")),
        key="triage-response",
    )


def outcomes() -> None:
    left, right = st.columns(2)
    with left:
        components.chart(
            charts.trend_chart(
                data.trend(ctx, ("triage_s136_pct",), "Contacts ending in s136 detention", intervals=True)
            ),
            key="triage-outcome",
        )
    with right:
        components.chart(
            charts.trend_chart(
                data.trend(ctx, ("triage_s136_averted",), "Contacts where s136 was considered but not used", kind="bar")
            ),
            key="triage-averted",
        )
    components.chart(
        charts.trend_chart(
            data.trend(ctx, ("s136_after_triage_pct",), "s136 detentions preceded by a triage contact", intervals=True)
        ),
        key="triage-share",
    )


def table() -> None:
    components.table(data.kpi_table(ctx, TABLE_KPIS, name="triage"), key="triage")


st.title(f"Street triage: {ctx.area_name}")
components.sections(
    {
        "Contacts and response": contacts,
        "Outcomes and detentions averted": outcomes,
        "Table": table,
    },
    key=section_key("triage"),
)
