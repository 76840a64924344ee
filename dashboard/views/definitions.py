"""Definitions: the KPI catalogue, as the warehouse defines each KPI (marts.dim_kpi)."""

import streamlit as st

from dashboard import components, context, data_sources

ctx = context.current()
st.title("Definitions")
st.markdown(
    "Every KPI is computed once, in the warehouse, and every page reads it from `marts.kpi_values`. Percents "
    "carry 95% Wilson score intervals; counts and rates exact Poisson (under 10) or Byar intervals. Where a "
    "place of safety, transport or outcome is `Not known`, it is left out of the denominator and its share is "
    f"shown on the Data quality page. Published views hide counts from 1 to {ctx.disclosure.threshold - 1} (shown "
    f"as `{ctx.disclosure.label}`), any percent or rate built on them, and any figure from which a hidden one "
    "could be worked out."
)
components.table(data_sources.definitions(ctx), key="definitions")
