"""Overview: headline KPIs for the chosen area and year, and what changed in plain English."""

import streamlit as st

from dashboard import components, context, data
from dashboard.site import section_key

HEADLINE_KPIS = tuple(kpi_id for kpi_id, _ in data.HEADLINES)

ctx = context.current()
st.title(f"Overview: {ctx.area_name}, {ctx.financial_year}")
result = data.overview(ctx)
st.caption(
    f"Each tile: the {ctx.financial_year} value, its change against {result.previous_year}, the SPC variation and "
    "assurance icons of the monthly series, and the last 24 months. Source: Concordat warehouse (marts.kpi_values, "
    "marts.spc_summary)."
)
components.report_button(ctx)


def headlines() -> None:
    components.tiles(result.tiles)
    st.subheader("What changed")
    if result.summary:
        st.markdown("\n".join(f"- {sentence}" for sentence in result.summary))
    else:
        st.info("No change can be stated: last year's or this year's figures are missing or suppressed.")


components.sections(
    {"Headlines": headlines, "Table": components.kpi_table_section(ctx, HEADLINE_KPIS, "headlines")},
    key=section_key("overview"),
)
