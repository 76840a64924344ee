"""Data steps of the Published statistics, Data quality and Definitions pages."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import queries
from dashboard.data import Context, Table
from dashboard.disclosure import SECONDARY_LABEL, secondary_suppression
from dashboard.shapes import Grouped, Provenance

SOURCE_NAMES = {
    "ho_s136": "Home Office (police powers and procedures)",
    "nhs_mha": "NHS Digital (MHA statistics; England only, excludes police stations)",
    "record_level": "Concordat record-level data",
}
#: The volume KPI that shows which months each record-level source covers.
SOURCE_VOLUME_KPIS = {
    "s136": "s136_detentions",
    "custody": "custody_pos_episodes",
    "triage": "triage_contacts",
    "placements": "placements_started",
}
UNKNOWN_SHARE_KPIS = ("dq_unknown_pos_pct", "dq_unknown_transport_pct", "dq_missing_person_id_pct")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame("", index=frame.index, columns=frame.columns)


# --- published statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    chart: Grouped | None
    totals: Table
    places: Table


def published(ctx: Context) -> Published:
    raw = queries.published_figures(ctx.db, ctx.area_code)
    shown, hidden = ctx.disclosure.count_frame(raw, ["count"], flag_column="is_suppressed")
    shown = shown.assign(hidden=hidden["count"], source_name=shown.source.map(SOURCE_NAMES).fillna(shown.source))
    totals = shown[(shown.measure == "detentions") & (shown.category == "All")]
    wide = totals.pivot(index="financial_year", columns="source_name", values="count")
    wide_hidden = totals.pivot(index="financial_year", columns="source_name", values="hidden").fillna(False)
    chart = None
    if not wide.empty:
        chart = Grouped(
            title=f"s136 detentions by source, {ctx.area_name}",
            unit="count",
            categories=tuple(wide.index),
            groups=tuple(
                (column, tuple(None if pd.isna(v) else float(v) for v in wide[column])) for column in wide.columns
            ),
            provenance=Provenance(
                source="marts.published_s136: Home Office and NHS Digital published figures, Concordat's own count",
                period=f"{ctx.area_name}, financial years {wide.index[0]} to {wide.index[-1]}",
                note=" ".join(
                    [
                        "A missing bar: that source published no figure for the year, or it is suppressed.",
                        *_partial_coverage(ctx, wide.columns),
                        *_sources_without_figures(ctx, wide.columns),
                    ]
                ),
            ),
        )
    totals_frame = wide.reset_index().rename(columns={"financial_year": "Financial year"})
    totals_labels = _plain(totals_frame)
    for column in wide.columns:
        totals_labels[column] = [ctx.disclosure.label if h else "" for h in wide_hidden[column].reindex(wide.index)]
    places = _places(ctx, shown)
    return Published(
        chart=chart,
        totals=Table(
            f"s136 detentions by source, {ctx.area_name}",
            totals_frame.reset_index(drop=True),
            totals_labels.reset_index(drop=True),
            f"concordat_published_{ctx.area_code}.csv",
        ),
        places=places,
    )


def _partial_coverage(ctx: Context, drawn: pd.Index) -> list[str]:
    """A warning when Concordat's own count covers only some of the area's forces but is drawn beside published
    figures for all of them (the shipped Home Office and NHS Digital figures are national)."""
    areas = queries.areas(ctx.db)
    row = areas[areas.area_code == ctx.area_code]
    partial = not row.empty and row.shown_name.iloc[0] != row.area_name.iloc[0]
    others = [name.split(" (")[0] for name in drawn if name != SOURCE_NAMES["record_level"]]
    if not partial or SOURCE_NAMES["record_level"] not in drawn or not others:
        return []
    return [
        f"{ctx.area_name}: Concordat's own count covers only those forces; the {' and '.join(others)} figures "
        "are for the whole area, so the two are not comparable."
    ]


def _sources_without_figures(ctx: Context, drawn: pd.Index) -> list[str]:
    """A sentence for each source with no figure at all for the area (the published ones shipped are national)."""
    return [
        f"{name.split(' (')[0]}: no figures for {ctx.area_name} in the loaded data."
        for name in SOURCE_NAMES.values()
        if name not in drawn
    ]


def _places(ctx: Context, shown: pd.DataFrame) -> Table:
    """First place of safety by year and source, with secondary suppression within each year and source."""
    part = shown[shown.measure == "first_place_of_safety"].assign(secondary=False)
    if not ctx.disclosure.internal:
        for _, group in part.groupby(["financial_year", "source"]):
            hidden = set(group.index[group.hidden])
            counts = {i: (None if pd.isna(v) else float(v)) for i, v in group["count"].items()}
            extra = secondary_suppression(counts, hidden) - hidden
            part.loc[list(extra), "hidden"] = True
            part.loc[list(extra), "secondary"] = True
            part.loc[list(extra), "count"] = float("nan")
    frame = pd.DataFrame(
        {
            "Financial year": list(part.financial_year),
            "Source": list(part.source_name),
            "First place of safety": list(part.category),
            "Detentions": list(part["count"]),
        }
    ).reset_index(drop=True)
    labels = _plain(frame)
    labels["Detentions"] = [
        (SECONDARY_LABEL if secondary else ctx.disclosure.label) if h else ""
        for h, secondary in zip(part.hidden, part.secondary, strict=True)
    ]
    return Table(
        f"First place of safety by source, {ctx.area_name}",
        frame,
        labels,
        f"concordat_published_places_{ctx.area_code}.csv",
    )


# --- data quality -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quality:
    freshness: Table
    quarantine: Table
    quarantine_chart: Grouped | None
    validation: pd.DataFrame  # one row: the latest validation run (may be empty)
    results: Table


def quality(ctx: Context) -> Quality:
    ingest = queries.ingest_summary(ctx.db)
    covered = queries.periods_covered(ctx.db, ctx.area_code, tuple(SOURCE_VOLUME_KPIS.values())).set_index("kpi_id")
    first, last = [], []
    for source in ingest.source:
        kpi = SOURCE_VOLUME_KPIS.get(source)
        has = kpi is not None and kpi in covered.index
        first.append(f"{covered.at[kpi, 'first_month']:%b %Y}" if has else "")
        last.append(f"{covered.at[kpi, 'last_month']:%b %Y}" if has else "")
    freshness = pd.DataFrame(
        {
            "Source": list(ingest.source),
            "Last file loaded": list(ingest.last_file),
            "Loaded at (UTC)": list(ingest.last_loaded_at),
            f"First month ({ctx.area_name})": first,
            f"Last month ({ctx.area_name})": last,
            "Files loaded": list(ingest.files_loaded),
            "Duplicates skipped": list(ingest.duplicates),
            "Files rejected": list(ingest.files_rejected),
            "Rows read": list(ingest.rows_read),
            "Rows loaded": list(ingest.rows_loaded),
            "Rows quarantined": list(ingest.rows_quarantined),
            "Rows out of scope": list(ingest.rows_skipped),
        }
    )
    reasons = queries.quarantine_reasons(ctx.db)
    quarantine = pd.DataFrame(
        {
            "Source": list(reasons.source),
            "Column": list(reasons.column_name),
            "Reason": list(reasons.reason),
            "Rows": list(reasons.rows),
        }
    )
    chart = None
    if not reasons.empty:
        top = reasons.head(15)
        chart = Grouped(
            title="Quarantined rows by reason (top 15)",
            unit="count",
            categories=tuple(f"{r.source}: {r.reason}" for r in top.itertuples()),
            groups=(("Rows", tuple(float(v) for v in top.rows)),),
            provenance=Provenance(source="raw.quarantine (ingest)", period="every file loaded"),
            horizontal=True,
        )
    run = queries.latest_validation(ctx.db)
    results = (
        queries.validation_results(ctx.db, str(run.run_id.iloc[0]))
        if not run.empty
        else pd.DataFrame(
            columns=["suite", "expectation", "table_name", "column_name", "severity", "success", "observed_value"]
        )
    )
    results_frame = pd.DataFrame(
        {
            "Passed": list(results.success),
            "Severity": list(results.severity),
            "Suite": list(results.suite),
            "Table": list(results.table_name),
            "Column": list(results.column_name),
            "Expectation": list(results.expectation),
            "Observed": [None if pd.isna(v) else str(v) for v in results.observed_value],
        }
    )
    return Quality(
        freshness=Table("Freshness and ingest counts per source", freshness, _plain(freshness), "concordat_ingest.csv"),
        quarantine=Table("Quarantine reasons", quarantine, _plain(quarantine), "concordat_quarantine.csv"),
        quarantine_chart=chart,
        validation=run,
        results=Table(
            "Latest validation results (failures first)",
            results_frame,
            _plain(results_frame),
            "concordat_validation.csv",
        ),
    )


# --- definitions ------------------------------------------------------------------------------------------


def definitions(ctx: Context) -> Table:
    cat = queries.kpi_catalogue(ctx.db)
    frame = pd.DataFrame(
        {
            "KPI": list(cat.name),
            "kpi_id": list(cat.kpi_id),
            "Definition": list(cat.description),
            "Numerator": list(cat.numerator_definition),
            "Denominator": list(cat.denominator_definition),
            "Unit": list(cat.unit),
            "Better when": [{"lower": "lower", "higher": "higher"}.get(d, "neither") for d in cat.direction],
            "Target": list(cat.target),
            "Split by group": list(cat.has_segments),
        }
    )
    return Table("KPI catalogue", frame, _plain(frame), "concordat_kpi_definitions.csv")
