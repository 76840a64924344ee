"""Concordat dashboard: the Streamlit entry point (`concordat dashboard` runs `streamlit run` on this file).

The script sets up the page, checks the serving file, draws the shared filters and hands over to the chosen
page with ``st.navigation``. Each page lives in ``views/`` and reads its context from ``dashboard.context``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(_ROOT))

from dashboard import context, formatting, queries, settings  # noqa: E402
from dashboard.disclosure import INTERNAL_NOTICE, Disclosure  # noqa: E402
from dashboard.site import PAGES, PAGES_DIR  # noqa: E402

# The tab icon is a file served by the app itself: a `:material/...:` page icon makes every browser fetch it from
# fonts.gstatic.com, which fails offline and tells Google who opened the dashboard.
st.set_page_config(page_title="Concordat", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide")

config = settings.from_env()
if not config.serving_file.exists():
    st.error(f"No serving file at {config.serving_file}. Run `concordat publish` (or `make run`) first, then reload.")
    st.stop()

db = queries.Serving(config.serving_file, cached=config.cache)
disclosure = Disclosure(internal=config.internal, threshold=config.threshold)

with st.sidebar:
    st.markdown("### Concordat")
    st.caption("Police and mental-health partnership working: section 136 and places of safety.")

try:
    ctx = context.select(db, disclosure)
except LookupError as exc:
    st.error(f"The serving file has no data to show yet: {exc}.")
    st.stop()

with st.sidebar:
    as_of = queries.serving_as_of(db)
    stamp = as_of.validated_at.iloc[0] if not as_of.empty else None
    if stamp is not None and str(stamp) != "NaT":
        st.caption(f"Data validated {formatting.utc_time(stamp)}.")
    st.caption(
        "Internal view: small numbers are shown."
        if config.internal
        else f"Published view: counts under {config.threshold} are shown as <{config.threshold}."
    )

page = st.navigation(
    [
        st.Page(PAGES_DIR / file, title=title, url_path=url, icon=icon, default=(i == 0))
        for i, (file, title, url, icon) in enumerate(PAGES)
    ]
)
if config.internal:
    st.warning(INTERNAL_NOTICE)
page.run()
