"""Compare forces: funnel plots with 95% and 99.8% limits, and a sortable table."""

import streamlit as st

from dashboard import charts, components, context, data_compare
from dashboard.site import section_key

KPI_KEY = "kpi"

ctx = context.current()
st.title(f"Compare forces, {ctx.financial_year}")
options = data_compare.comparable_kpis(ctx)
if KPI_KEY not in st.session_state:
    wanted = st.query_params.get(KPI_KEY)
    st.session_state[KPI_KEY] = wanted if wanted in options else options[0]
kpi_id = st.selectbox("KPI", options, key=KPI_KEY, format_func=lambda k: ctx.meta(k).name)
st.query_params[KPI_KEY] = kpi_id

result = data_compare.compare(ctx, kpi_id)


def funnel_plot() -> None:
    if result.funnel is None:
        st.info("No force has a figure that can be shown for this KPI and year.")
        return
    components.chart(charts.funnel_chart(result.funnel), key="compare-funnel")
    if ctx.area_code not in {p.code for p in result.funnel.points}:
        st.caption(f"{ctx.area_name} is not a force shown on this plot; choose a force to highlight it.")


def table() -> None:
    components.table(result.table, key="compare")


components.sections({"Funnel plot": funnel_plot, "Table": table}, key=section_key("compare"))
