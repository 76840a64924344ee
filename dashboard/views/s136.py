"""Section 136 and places of safety: detentions, where people were taken, how long, how, and what happened."""

import streamlit as st

from dashboard import components, context
from dashboard.data import PCA_2017_MARKER as PCA_MARKER
from dashboard.site import section_key

TABLE_KPIS = (
    "s136_detentions",
    "s136_rate_per_100k",
    "pos_police_station_pct",
    "pos_emergency_dept_pct",
    "pos_hbpos_pct",
    "u18_police_station",
    "detention_over_24h_pct",
    "detention_median_hours",
    "conveyed_by_ambulance_pct",
    "consulted_hp_pct",
    "s136_conversion_pct",
    "s136_nfa_pct",
    "repeat_detention_pct",
)
ctx = context.current()


def detentions() -> None:
    components.spc(ctx, "s136_detentions", "s136 detentions per month (SPC chart)", (PCA_MARKER,), key="s136-spc")
    left, right = st.columns(2)
    with left:
        components.trend(
            ctx,
            ("s136_detentions",),
            "s136 detentions by financial year",
            grain="financial_year",
            kind="bar",
            key="s136-fy",
        )
    with right:
        components.trend(
            ctx,
            ("s136_rate_per_100k",),
            "s136 detentions per 100,000",
            grain="financial_year",
            intervals=True,
            key="s136-rate",
        )


def places_of_safety() -> None:
    components.trend(
        ctx,
        ("pos_hbpos_pct", "pos_emergency_dept_pct", "pos_police_station_pct"),
        "First place of safety: share of detentions with a known place",
        markers=(PCA_MARKER,),
        key="s136-mix",
    )
    left, right = st.columns(2)
    with left:
        components.spc(
            ctx,
            "pos_police_station_pct",
            "Police station as first place of safety (SPC chart)",
            (PCA_MARKER,),
            key="s136-police-station",
        )
    with right:
        components.trend(
            ctx,
            ("u18_police_station",),
            "Under-18s taken to a police station (target: 0)",
            kind="bar",
            markers=(PCA_MARKER,),
            key="s136-u18",
        )


def length_and_conveyance() -> None:
    left, right = st.columns(2)
    with left:
        components.trend(
            ctx, ("detention_over_24h_pct",), "Detentions lasting over 24 hours", intervals=True, key="s136-24h"
        )
    with right:
        components.trend(
            ctx,
            ("conveyed_by_ambulance_pct",),
            "Conveyed by ambulance or other health vehicle",
            intervals=True,
            key="s136-conveyance",
        )
    components.trend(
        ctx,
        ("detention_median_hours",),
        "Median length of detention (from arrival at the place of safety)",
        markers=(PCA_MARKER,),
        key="s136-median-hours",
    )


def consultation_and_outcomes() -> None:
    left, right = st.columns(2)
    with left:
        components.trend(
            ctx,
            ("consulted_hp_pct",),
            "Health professional consulted before detention",
            intervals=True,
            markers=(PCA_MARKER,),
            key="s136-consulted",
        )
    with right:
        components.trend(
            ctx,
            ("s136_conversion_pct", "s136_nfa_pct"),
            "Outcomes: admitted or detained vs no further action",
            key="s136-outcomes",
        )
    components.trend(
        ctx,
        ("repeat_detention_pct",),
        "Repeat detentions (3rd or more within 365 days)",
        intervals=True,
        key="s136-repeat",
    )


st.title(f"Section 136 and places of safety: {ctx.area_name}")
components.sections(
    {
        "Detentions": detentions,
        "Places of safety": places_of_safety,
        "Length and conveyance": length_and_conveyance,
        "Consultation, outcomes and repeats": consultation_and_outcomes,
        "Table": components.kpi_table_section(ctx, TABLE_KPIS, "s136"),
    },
    key=section_key("s136"),
)
