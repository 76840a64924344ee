"""Data quality: freshness per source, ingest counts and quarantine reasons, validation, unknown values."""

import streamlit as st

from dashboard import charts, components, context, data, data_sources, formatting
from dashboard.site import section_key

ctx = context.current()
result = data_sources.quality(ctx)


def freshness() -> None:
    components.table(result.freshness, key="dq-freshness")


def quarantine() -> None:
    if result.quarantine_chart is not None:
        components.chart(charts.grouped_chart(result.quarantine_chart), key="dq-quarantine-chart")
    else:
        st.success("No rows were quarantined.")
    components.table(result.quarantine, key="dq-quarantine")


def validation() -> None:
    if result.validation.empty:
        st.warning("No validation run is recorded in the serving file.")
    else:
        run = result.validation.iloc[0]
        status = "passed" if bool(run.success) else "failed"
        st.markdown(
            f"Run `{run.run_id}` finished {formatting.utc_time(run.finished_at)} and **{status}**: "
            f"{int(run.critical_failed)} critical and {int(run.warning_failed)} warning expectations failed."
        )
    components.table(result.results, key="dq-results")


def unknown_values() -> None:
    st.markdown(f"**Unknown and missing values: {ctx.area_name}**")
    components.trend(ctx, data_sources.UNKNOWN_SHARE_KPIS, "Shares of unknown or missing values", key="dq-unknown")
    components.table(data.kpi_table(ctx, data_sources.UNKNOWN_SHARE_KPIS, name="unknown_shares"), key="dq-unknown")


st.title("Data quality")
components.sections(
    {
        "Freshness and ingest": freshness,
        "Quarantined rows": quarantine,
        "Latest validation": validation,
        "Unknown values": unknown_values,
    },
    key=section_key("data-quality"),
)
