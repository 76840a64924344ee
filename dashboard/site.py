"""The dashboard's pages: one list, read by the app's navigation, the tests and the benchmark."""

from __future__ import annotations

from pathlib import Path

#: Not `pages/`: Streamlit treats a `pages/` folder beside the main script as a v1 multipage app until the first
#: run of st.navigation, so the first visitor of a page URL would get the page script without the app around it.
PAGES_DIR = Path(__file__).resolve().parent / "views"
#: (file, title, url path, Material icon)
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("overview.py", "Overview", "overview", ":material/dashboard:"),
    ("s136.py", "Section 136 and places of safety", "s136", ":material/local_hospital:"),
    ("custody.py", "Custody", "custody", ":material/lock:"),
    ("triage.py", "Street triage", "triage", ":material/support_agent:"),
    ("placements.py", "Officer placements", "placements", ":material/school:"),
    ("impact.py", "Partnership impact", "impact", ":material/insights:"),
    ("compare.py", "Compare forces", "compare", ":material/compare_arrows:"),
    ("published.py", "Published statistics", "published", ":material/menu_book:"),
    ("data_quality.py", "Data quality", "data-quality", ":material/fact_check:"),
    ("definitions.py", "Definitions", "definitions", ":material/list_alt:"),
)


def browser_paths() -> list[tuple[str, str]]:
    """(URL path, title) of every page as a browser addresses it: the first (default) page lives at `/`."""
    return [("" if i == 0 else url, title) for i, (_, title, url, _) in enumerate(PAGES)]


def section_key(url_path: str) -> str:
    """The key, and URL query parameter, of a page's open section (``components.sections``)."""
    return url_path.replace("-", "_") + "_section"
