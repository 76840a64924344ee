"""Partnership impact: did an intervention change its target KPI? ITS and difference-in-differences."""

import streamlit as st

from dashboard import charts, components, context, data_impact
from dashboard.site import section_key

INTERVENTION_KEY = "intervention"
KPI_KEY = "impact_kpi"
HOW_TO_READ = (
    "How to read this: the interrupted time series fits the monthly level and trend before the start and asks how "
    "far the months after depart from that trend carried forward (the counterfactual); the change is the average "
    "relative difference over the months after, with a 95% interval allowing for autocorrelation between months "
    "(AR(1) errors), and the step in level at the start is given in the KPI's own unit. "
    "Difference-in-differences compares the change in this force with the change over the same months in forces "
    "that never had this intervention. Limits: both assume nothing else changed at the same time in this force "
    "(ITS) or differently from the comparators (DiD); a short before-period, a change in recording or another "
    "scheme starting at the same time can produce or hide an effect. An interval that includes 0 means no change "
    "can be claimed."
)

ctx = context.current()
st.title("Partnership impact")
register = data_impact.intervention_choices(ctx)
if register.empty:
    st.info("The intervention register (marts.dim_intervention) is empty: add interventions to the seed and rebuild.")
    st.stop()

ids = list(register.intervention_id)
labels = {
    r.intervention_id: data_impact.intervention_label(r.name, r.area_name or r.area_code, r.start_date)
    for r in register.itertuples()
}
in_area = [r.intervention_id for r in register.itertuples() if r.area_code == ctx.area_code]
first = (in_area or ids)[0]
context.seed_from_link(INTERVENTION_KEY, ids, first, "intervention", labels[first])
chosen = st.selectbox("Intervention", ids, key=INTERVENTION_KEY, format_func=labels.__getitem__)
st.query_params[INTERVENTION_KEY] = chosen

kpis = data_impact.impact_kpis(ctx, chosen)
kpi_id = None
if len(kpis) > 1:
    if st.session_state.get(KPI_KEY) not in kpis:  # first run (from the link), or another intervention's KPI
        wanted = st.query_params.get(KPI_KEY)
        st.session_state[KPI_KEY] = wanted if wanted in kpis else kpis[0]
    kpi_id = st.selectbox(
        "KPI",
        kpis,
        key=KPI_KEY,
        format_func=lambda k: ctx.meta(k).name if k in ctx.catalogue else k,
        help="The first is the KPI the intervention targets",
    )
    st.query_params[KPI_KEY] = kpi_id
else:
    st.query_params.pop(KPI_KEY, None)
result = data_impact.impact(ctx, chosen, kpi_id)
described = register.set_index("intervention_id").loc[chosen, "description"]
if isinstance(described, str) and described:
    st.caption(described)

for estimate in (e for e in result.estimates if e.kpi_id == result.kpi_id):
    kpi = ctx.catalogue.get(estimate.kpi_id)
    st.markdown(f"- {estimate.sentence(kpi.name if kpi else estimate.kpi_id, kpi.unit if kpi else '')}")
if not result.estimates:
    st.info("No impact estimate for this intervention yet (marts.intervention_impact has no rows for it).")


def time_series() -> None:
    if result.series is not None:
        components.chart(charts.its_chart(result.series), key="impact-its")
    st.caption(HOW_TO_READ)


def comparators() -> None:
    if result.comparison is not None:
        components.chart(charts.trend_chart(result.comparison), key="impact-did")
    else:
        st.info("No comparator series for this intervention and KPI.")
    st.caption(HOW_TO_READ)


def estimates() -> None:
    components.table(result.table, key="impact")


components.sections(
    {
        "Interrupted time series": time_series,
        "Difference-in-differences": comparators,
        "Estimates table": estimates,
    },
    key=section_key("impact"),
)
