"""Published statistics: Home Office and NHS Digital figures beside Concordat's own record-level totals."""

import streamlit as st

from dashboard import charts, components, context, data_sources
from dashboard.site import section_key

WHY_THEY_DIFFER = """
**Why the figures differ**
- **Home Office** figures are what police forces return in the Annual Data Requirement: every use of s136 by the
  force, England and Wales, counted by the force that used the power. They are the nearest to Concordat's own
  count, but are revised after publication and may include detentions a force's extract leaves out.
- **NHS Digital** figures come from NHS providers' returns (the Mental Health Services Data Set and acute trusts):
  England only, they **exclude detentions whose place of safety was a police station**, depend on which providers
  submitted, and are rounded to the nearest 5 with small numbers suppressed (`*`). They are usually well below
  the police count.
- **Concordat record-level** figures count the rows loaded from the force's own extracts for the same year and
  area; quarantined rows (see Data quality) are not counted, and a year the extracts only partly cover is low.
"""
ctx = context.current()
result = data_sources.published(ctx)


def totals() -> None:
    if result.chart is None:
        st.info(f"No published or record-level figures for {ctx.area_name} in marts.published_s136.")
    else:
        components.chart(charts.grouped_chart(result.chart), key="published-totals")
    st.markdown(WHY_THEY_DIFFER)
    components.table(result.totals, key="published-totals")


def places() -> None:
    components.table(result.places, key="published-places")


st.title(f"Published statistics: {ctx.area_name}")
components.sections(
    {"Detentions by source": totals, "Places of safety by source": places}, key=section_key("published")
)
