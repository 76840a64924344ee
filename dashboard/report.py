"""`concordat report --area CODE --period 2023/24 --out FILE.html`: the one-page report for a board paper.

What a PCC office puts in its quarterly board paper (specs: user journeys, 1.5): one area, one financial year
(to date), from the serving file, as one self-contained HTML page:

    the headline figures, their change on last year and the SPC icons of their monthly series
    what changed, in plain English
    two SPC charts: s136 detentions per month, and police stations used as the first place of safety
    the definitions, and where the figures come from

It is always the published view. Small numbers are hidden exactly as on the dashboard, by the same data steps
(``dashboard.data``), so nothing needs redacting by hand. Plotly's JavaScript is inlined once, so the file opens
offline and each chart can be saved as a PNG from its toolbar (the camera icon) to paste into a document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import html
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from concordat import paths
from concordat.errors import UserInputError
from concordat.financial_years import financial_year
from dashboard import charts, data, queries
from dashboard.charts import Chart
from dashboard.data import PCA_2017_MARKER, Context, Tile
from dashboard.disclosure import Disclosure
from dashboard.formatting import ASSURANCE_WORDS, VARIATION_WORDS, format_value, fy_end, fy_start

#: The two charts, as (KPI, title): the questions a PCC board asks first.
CHARTS: tuple[tuple[str, str], ...] = (
    ("s136_detentions", "s136 detentions per month (SPC chart)"),
    ("pos_police_station_pct", "Police station as first place of safety (SPC chart)"),
)


@dataclass(frozen=True)
class Row:
    """One headline figure as printed: this and last year's value (hidden values as their label), the change."""

    name: str
    value: str
    previous: str
    interval: str
    change: str
    spc: str


@dataclass(frozen=True)
class Report:
    """Everything the page shows, as text and charts (disclosure already applied): ``render`` only lays it out."""

    title: str
    coverage: str
    previous_year: str
    financial_year: str
    rows: tuple[Row, ...]
    summary: tuple[str, ...]
    charts: tuple[Chart, ...]
    definitions: tuple[tuple[str, str], ...]
    footer: str
    slug: str


# --- choosing the area and the year ---------------------------------------------------------------------------


def _area(db: queries.Serving, wanted: str) -> tuple[str, str]:
    """(code, name) of the area given by code or by name, in any case; a clear error naming close matches."""
    frame = queries.areas(db)
    for code, name, shown in zip(frame.area_code, frame.area_name, frame.shown_name, strict=True):
        if wanted.strip().upper() == code.upper() or wanted.strip().lower() in (name.lower(), shown.lower()):
            return code, shown
    names = dict(zip(frame.area_code, frame.area_name, strict=True))
    by_text = {**{code: code for code in names}, **{name: code for code, name in names.items()}}
    close = dict.fromkeys(by_text[t] for t in difflib.get_close_matches(wanted.strip(), list(by_text), n=3, cutoff=0.6))
    hint = " Did you mean " + " or ".join(f"{c} ({names[c]})" for c in close) + "?" if close else ""
    raise UserInputError(
        f"--area {wanted!r} is not an area in the serving file.{hint} Give an area code (EW for England and Wales, "
        "a region or a police force code, as in the dashboard's area list) or its name."
    )


def _financial_year(db: queries.Serving, wanted: str) -> str:
    """`2023/24` (also `2023-24`, `2023/2024`) if the serving file has KPI values for it."""
    label = financial_year(wanted)
    if label is None:
        raise UserInputError(f"--period {wanted!r} is not a financial year: write it like 2023/24")
    years = list(queries.financial_years(db).financial_year)
    if label not in years:
        covered = f"{years[0]} to {years[-1]}" if years else "no financial years"
        raise UserInputError(f"--period {label}: the serving file has no figures for it (it covers {covered})")
    return label


def context(db: queries.Serving, area: str, period: str) -> Context:
    """The report's context: the area and year as given on the command line, checked, in the published view."""
    code, name = _area(db, area)
    return Context(
        db=db,
        area_code=code,
        area_name=name,
        financial_year=_financial_year(db, period),
        grain="month",
        disclosure=Disclosure(internal=False),
    )


# --- what goes in it ----------------------------------------------------------------------------------------


def coverage_text(financial_year: str, last_month: dt.date | None) -> str:
    """`April 2023 to December 2023, year to date`: the months of the year that the s136 records reach."""
    start, end = fy_start(financial_year), fy_end(financial_year)
    if last_month is None or last_month < start:
        return f"{financial_year}: no s136 records in this year"
    if last_month >= end.replace(day=1):
        return f"April {start.year} to March {end.year}, the whole year"
    return f"April {start.year} to {last_month:%B %Y}, year to date"


def _coverage(ctx: Context) -> str:
    covered = queries.periods_covered(ctx.db, ctx.area_code, ("s136_detentions",))
    last = pd.Timestamp(covered.last_month.iloc[0]).date() if not covered.empty else None
    return coverage_text(ctx.financial_year, last)


def _cell(table: data.Table, kpi_id: str, year: str, column: str, unit: str) -> str:
    rows = table.frame.index[(table.frame.kpi_id == kpi_id) & (table.frame["Financial year"] == year)]
    if len(rows) == 0:
        return "–"
    i = rows[0]
    if table.labels.at[i, column]:
        return str(table.labels.at[i, column])
    value = table.frame.at[i, column]
    return "–" if data.is_missing(value) else format_value(float(value), unit)


def _row(ctx: Context, tile: Tile, table: data.Table, last_year: str) -> Row:
    meta = ctx.meta(tile.kpi_id)
    year = ctx.financial_year
    lower, upper = (_cell(table, tile.kpi_id, year, c, meta.unit) for c in ("95% CI lower", "95% CI upper"))
    hidden = set(table.labels.to_numpy().ravel()) - {""}  # the labels the table gave its hidden cells
    interval = lower if lower in hidden else ("–" if "–" in (lower, upper) else f"{lower} to {upper}")
    words = [VARIATION_WORDS.get(tile.variation or "", ""), ASSURANCE_WORDS.get(tile.assurance or "", "")]
    return Row(
        name=meta.name,
        value=_cell(table, tile.kpi_id, year, "Value", meta.unit),
        previous=_cell(table, tile.kpi_id, last_year, "Value", meta.unit),
        interval=interval,
        change=(tile.delta or "–").replace(f" vs {last_year}", ""),
        spc="; ".join(w for w in words if w) or "not enough points",
    )


def build(ctx: Context, today: dt.date | None = None) -> Report:
    """The report's content for the context's area and year, from the same data steps as the Overview page."""
    overview = data.overview(ctx)
    kpi_ids = tuple(tile.kpi_id for tile in overview.tiles)
    table = data.kpi_table(ctx, kpi_ids)
    as_of = queries.serving_as_of(ctx.db)
    stamp = as_of.validated_at.iloc[0] if not as_of.empty else None
    validated = f"validated {stamp:%d %B %Y}" if stamp is not None and not pd.isna(stamp) else "not validated"
    threshold = ctx.disclosure.threshold
    return Report(
        title=f"Section 136 and places of safety: {ctx.area_name}, {ctx.financial_year}",
        coverage=_coverage(ctx),
        previous_year=overview.previous_year,
        financial_year=ctx.financial_year,
        rows=tuple(_row(ctx, tile, table, overview.previous_year) for tile in overview.tiles),
        summary=overview.summary,
        charts=tuple(charts.spc_chart(data.spc(ctx, kpi_id, title, (PCA_2017_MARKER,))) for kpi_id, title in CHARTS),
        definitions=tuple((ctx.meta(k).name, ctx.meta(k).description) for k in kpi_ids),
        footer=(
            f"Published view: counts from 1 to {threshold - 1} are shown as <{threshold}, and figures built on them "
            "are hidden. Source: Concordat warehouse (marts.kpi_values, marts.spc_summary, marts.spc_points) from "
            f"police s136 records, street-triage contacts and the officer placement tracker; data {validated}. "
            f"Report produced {(today or dt.date.today()):%d %B %Y} by `concordat report`."
        ),
        slug=ctx.slug(),
    )


# --- the page -------------------------------------------------------------------------------------------------

_CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; max-width: 1100px; margin: 24px auto;
       padding: 0 16px; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 4px; }
h2 { font-size: 1.2em; margin: 24px 0 8px; }
.coverage { color: #505a5f; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.95em; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #b1b4b6; vertical-align: top; }
td.number, th.number { text-align: right; white-space: nowrap; }
.caption { color: #505a5f; font-size: 0.85em; margin: 0 0 16px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
dl { font-size: 0.85em; } dt { font-weight: bold; } dd { margin: 0 0 6px 0; }
footer { color: #505a5f; font-size: 0.85em; border-top: 1px solid #b1b4b6; margin-top: 24px; padding-top: 8px; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
@media print { body { margin: 0; max-width: none; } .modebar { display: none !important; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _headlines(report: Report) -> str:
    head = (
        f"<tr><th>Measure</th><th class='number'>{_e(report.financial_year)}</th>"
        f"<th class='number'>{_e(report.previous_year)}</th><th class='number'>Change</th>"
        f"<th class='number'>95% interval ({_e(report.financial_year)})</th><th>Monthly SPC</th></tr>"
    )
    body = "".join(
        f"<tr><td>{_e(r.name)}</td><td class='number'>{_e(r.value)}</td><td class='number'>{_e(r.previous)}</td>"
        f"<td class='number'>{_e(r.change)}</td><td class='number'>{_e(r.interval)}</td><td>{_e(r.spc)}</td></tr>"
        for r in report.rows
    )
    return f"<table id='headlines'><thead>{head}</thead><tbody>{body}</tbody></table>"


def _chart(chart: Chart, index: int, slug: str) -> str:
    config = {
        "displaylogo": False,
        "responsive": True,
        "toImageButtonOptions": {"format": "png", "filename": f"concordat_{slug}_chart{index + 1}", "scale": 2},
    }
    figure = chart.figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart{index + 1}", config=config)
    return f"<figure>{figure}<figcaption class='caption'>{_e(chart.caption)}</figcaption></figure>"


def render(report: Report) -> str:
    """The report as one HTML document, Plotly's JavaScript included (no network needed to open it)."""
    from plotly.offline import get_plotlyjs

    summary = (
        "<ul>" + "".join(f"<li>{_e(s)}</li>" for s in report.summary) + "</ul>"
        if report.summary
        else "<p>No change can be stated: last year's or this year's figures are missing or hidden.</p>"
    )
    definitions = "".join(f"<dt>{_e(name)}</dt><dd>{_e(text)}</dd>" for name, text in report.definitions)
    charts_html = "".join(_chart(chart, i, report.slug) for i, chart in enumerate(report.charts))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(report.title)}</title>
<style>{_CSS}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head>
<body>
<header>
<h1>{_e(report.title)}</h1>
<p class="coverage">{_e(report.coverage)}. Compared with {_e(report.previous_year)}.</p>
</header>
<main>
<h2>Headline figures</h2>
{_headlines(report)}
<p class="caption">Change: this year against last year (percentage points for percentages). Monthly SPC: the
variation and assurance icons of the monthly series (NHS Making Data Count).</p>
<h2>What changed</h2>
{summary}
<h2>Charts</h2>
<div class="charts">{charts_html}</div>
<h2>Definitions</h2>
<dl>{definitions}</dl>
</main>
<footer>{_e(report.footer)}</footer>
</body>
</html>
"""


def html_bytes(serving: Path, area_code: str, financial_year: str) -> bytes:
    """The report as the dashboard's download button serves it: always the published view, whatever the app's
    view, and uncached (the button builds it on its own thread, outside the page's script run)."""
    db = queries.Serving(serving, cached=False)
    return render(build(context(db, area_code, financial_year))).encode("utf-8")


def write(out: Path, text: str) -> None:
    """Write the file whole or not at all (a temporary file beside it, renamed into place)."""
    if not out.parent.is_dir():
        raise UserInputError(f"--out {out}: the folder {out.parent} does not exist")
    if out.is_dir():
        raise UserInputError(f"--out {out}: is a folder; give a file name such as report.html")
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, out)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UserInputError(f"--out {out}: cannot write the report ({exc.strerror})") from None


def run(args: argparse.Namespace) -> int:
    serving = paths.serving_warehouse()
    if not serving.exists():
        raise UserInputError(f"no serving file at {serving}: run `concordat publish` first (or `make run`)")
    db = queries.Serving(serving, cached=False)
    try:
        ctx = context(db, args.area, args.period)
        report = build(ctx)
        text = render(report)
    finally:
        queries.close_all()
    out = Path(args.out)
    write(out, text)
    print(f"report for {ctx.area_name}, {ctx.financial_year} ({report.coverage}): {out}", flush=True)
    return 0
