"""The sidebar filters (area, financial year, grain), kept in the URL query string so a link reopens the view.

``st.query_params`` seeds each filter on the first run of a session; from then on the widget's state is the
truth and is written back to the URL on every run (page switches included), so the address bar can always be
copied and shared. Missing values fall back to England and Wales and the latest year; so do values this data does
not have (a link from another deployment, a mistyped code), with a warning saying so, so that nobody reads
England and Wales for the force they asked for.
"""

from __future__ import annotations

import streamlit as st

from dashboard import queries
from dashboard.data import Context
from dashboard.disclosure import Disclosure
from dashboard.queries import Serving

AREA_KEY, YEAR_KEY, GRAIN_KEY = "area", "fy", "grain"
GRAINS: dict[str, str] = {"month": "Month", "quarter": "Quarter", "financial_year": "Financial year"}
NATIONAL = "EW"
#: Quarters by default: a force's monthly percents often rest on small counts that a published view hides.
DEFAULT_GRAIN = "quarter"
_CONTEXT_KEY = "_concordat_context"
_TYPE_WORDS = {"national": "", "region": " (region)", "force": ""}


def seed_from_link(key: str, options: list[str], default: str, label: str, shown: str) -> None:
    """Set a filter's initial value from the URL (once per session) if it is a valid choice, else `default`
    (`shown` to a reader), with a warning when the URL asked for a value that is not one: whoever opens a shared
    link must not take the default for what they asked for."""
    if key in st.session_state:
        return
    wanted = st.query_params.get(key)
    st.session_state[key] = wanted if wanted in options else default
    if wanted and wanted not in options:
        st.warning(
            f"This link asks for {label} '{wanted}', which is not in this data: showing {shown} instead.",
            icon=":material/link_off:",
        )


def select(db: Serving, disclosure: Disclosure) -> Context:
    """Draw the filters in the sidebar, sync them to the URL and return the page context."""
    area_frame = queries.areas(db)
    names = dict(zip(area_frame.area_code, area_frame.shown_name, strict=True))
    types = dict(zip(area_frame.area_code, area_frame.area_type, strict=True))
    codes = list(area_frame.area_code)
    years = list(queries.financial_years(db).financial_year)
    if not codes or not years:
        raise LookupError("the serving file has no areas or no financial years of KPI values")

    default_area = NATIONAL if NATIONAL in codes else codes[0]
    seed_from_link(AREA_KEY, codes, default_area, "area", names.get(default_area, default_area))
    seed_from_link(YEAR_KEY, years, years[-1], "financial year", years[-1])
    seed_from_link(GRAIN_KEY, list(GRAINS), DEFAULT_GRAIN, "trend grain", GRAINS[DEFAULT_GRAIN].lower())
    with st.sidebar:
        st.selectbox(
            "Area",
            codes,
            key=AREA_KEY,
            format_func=lambda code: f"{names.get(code, code)}{_TYPE_WORDS.get(types.get(code, ''), '')}",
            help="England and Wales, a region, or a police force area",
        )
        st.selectbox("Financial year", years, key=YEAR_KEY, help="UK financial year, April to March")
        st.selectbox(
            "Trend grain",
            list(GRAINS),
            key=GRAIN_KEY,
            format_func=GRAINS.__getitem__,
            help="How trend charts group the months (SPC charts are always monthly)",
        )
    area, year, grain = st.session_state[AREA_KEY], st.session_state[YEAR_KEY], st.session_state[GRAIN_KEY]
    st.query_params.update({AREA_KEY: area, YEAR_KEY: year, GRAIN_KEY: grain})
    ctx = Context(
        db=db,
        area_code=area,
        area_name=names.get(area, area),
        financial_year=year,
        grain=grain,
        disclosure=disclosure,
    )
    st.session_state[_CONTEXT_KEY] = ctx
    return ctx


def current() -> Context:
    """The context the app script chose for this run (pages call this)."""
    return st.session_state[_CONTEXT_KEY]
