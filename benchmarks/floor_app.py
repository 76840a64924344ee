"""The smallest Streamlit page with one Plotly chart: what a fresh page load costs on this machine at best.

`bench_dashboard` serves it beside the dashboard and opens it in the same browser, so the dashboard's render
times can be read against what Streamlit and Plotly cost with nothing of Concordat's in them.
"""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Render floor", layout="wide")
st.title("Render floor: one Plotly chart")
figure = go.Figure(go.Scatter(x=list(range(24)), y=[(i * 7) % 11 for i in range(24)], mode="lines"))
st.plotly_chart(figure, width="stretch")
