"""Suites for the marts the dashboard and the board papers read: ``marts.kpi_values`` and ``marts.spc_points``.

The interface is ``docs/specs/kpis.md``. Derived columns are computed in DuckDB (cheap at a million rows) and
checked by GX as booleans; ``{suppression_threshold}`` is filled in from the dbt project's variable, so the
check and the build use one threshold.
"""

from __future__ import annotations

from concordat.contracts import HO_S136
from concordat.methods.spc import POINT_TYPES
from expectations.spec import Suite, critical, warning, where

KPI_KEY = ["kpi_id", "area_code", "segment", "period_grain", "period_start"]
UNITS = ["count", "percent", "per_100k", "hours", "minutes", "score"]
GRAINS = ["month", "quarter", "financial_year"]

#: A KPI value a published view must hide (the dashboard's disclosure rule, specs/kpis.md): a count from 1 to
#: threshold - 1, or a figure whose numerator or denominator is such a count.
SUPPRESSION_REQUIRED_SQL = """
    coalesce(
        (unit = 'count' and value > 0 and value < {suppression_threshold})
        or (numerator > 0 and numerator < {suppression_threshold})
        or (denominator > 0 and denominator < {suppression_threshold}),
        false)
"""
#: The 95% interval contains its value, to within a billionth of the value (at least 1e-9 in the KPI's unit):
#: limits computed in floating point at p = 0 or 1 land a rounding error (~1e-14) inside the bound.
INTERVAL_TOLERANCE_SQL = "1e-9 * greatest(1, abs(value))"
CI_LOWER_OK_SQL = f"value is null or ci_lower is null or value >= ci_lower - {INTERVAL_TOLERANCE_SQL}"
CI_UPPER_OK_SQL = f"value is null or ci_upper is null or value <= ci_upper + {INTERVAL_TOLERANCE_SQL}"
#: period_start is the first day of its period: any day 1 for a month, Jan/Apr/Jul/Oct for a quarter, April for a
#: UK financial year.
PERIOD_ALIGNED_SQL = """
    coalesce(
        extract(day from period_start) = 1 and case period_grain
            when 'month' then true
            when 'quarter' then extract(month from period_start) in (1, 4, 7, 10)
            when 'financial_year' then extract(month from period_start) = 4
            else false end,
        false)
"""


def kpi_values_suite() -> Suite:
    return Suite(
        name="marts_kpi_values",
        description="marts.kpi_values, the one table every KPI lands in (specs/kpis.md).",
        batch={
            "kind": "table",
            "table": "marts.kpi_values",
            "index_columns": [*KPI_KEY, "value", "ci_lower", "ci_upper", "numerator", "denominator"],
            "derived": {
                "kpi_in_catalogue": "kpi_id in (select kpi_id from marts.dim_kpi)",
                "suppression_required": SUPPRESSION_REQUIRED_SQL,
                "period_aligned": PERIOD_ALIGNED_SQL,
                "ci_lower_ok": CI_LOWER_OK_SQL,
                "ci_upper_ok": CI_UPPER_OK_SQL,
            },
        },
        expectations=[
            warning("expect_table_row_count_to_be_between", "no KPI values: the dashboard will be empty", min_value=1),
            *[
                critical("expect_column_values_to_not_be_null", f"{col} is part of the KPI key", column=col)
                for col in KPI_KEY
            ],
            critical(
                "expect_compound_columns_to_be_unique",
                "one value per KPI, area, segment and period: a duplicate would be double counted or shown twice",
                column_list=KPI_KEY,
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "every KPI value belongs to a KPI of the catalogue (marts.dim_kpi): the dashboard shows each with "
                "its definition, and a value without one cannot be explained to a board",
                column="kpi_in_catalogue",
                value_set=[True],
            ),
            critical("expect_column_values_to_be_in_set", "the units of specs/kpis.md", column="unit", value_set=UNITS),
            critical(
                "expect_column_values_to_be_in_set",
                "the period grains of specs/kpis.md",
                column="period_grain",
                value_set=GRAINS,
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "period_start is the first day of its period (months, calendar quarters, April financial years)",
                column="period_aligned",
                value_set=[True],
            ),
            critical(
                "expect_column_values_to_be_between",
                "a percent is a share of its denominator: outside 0-100 it is a calculation error",
                column="value",
                min_value=0,
                max_value=100,
                **where('unit == "percent"'),
            ),
            critical(
                "expect_column_values_to_be_between",
                "a count of events is never negative",
                column="value",
                min_value=0,
                **where('unit == "count"'),
            ),
            critical(
                "expect_column_values_to_be_between",
                "numerators are counts of events: never negative",
                column="numerator",
                min_value=0,
            ),
            critical(
                "expect_column_values_to_be_between",
                "denominators are counts or populations: never negative",
                column="denominator",
                min_value=0,
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "the 95% interval contains its value: lower limit <= value (to within floating-point rounding)",
                column="ci_lower_ok",
                value_set=[True],
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "the 95% interval contains its value: value <= upper limit (to within floating-point rounding)",
                column="ci_upper_ok",
                value_set=[True],
            ),
            critical(
                "expect_column_values_to_not_be_null",
                "every value says whether a published view may show it",
                column="is_suppressed",
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "disclosure control: counts 1-4, and figures built on them, must be flagged is_suppressed",
                column="is_suppressed",
                value_set=[True],
                **where("suppression_required == True"),
            ),
        ],
    )


def kpi_disclosure_suite() -> Suite:
    return Suite(
        name="marts_kpi_disclosure",
        description="Secondary suppression of marts.kpi_values along its segment, area and period hierarchies "
        "(specs/kpis.md, disclosure control), checked from scratch (expectations.disclosure).",
        batch={"kind": "query", "builder": "recoverable_cells", "index_columns": ["hierarchy"]},
        expectations=[
            critical(
                "expect_column_values_to_be_between",
                "secondary suppression: a shown total with exactly one suppressed part (a segment of `all`, a force "
                "of its region or of EW, a region of EW, a month or quarter of its quarter or year) gives that part "
                "away by subtraction; the next smallest part must be suppressed too. A suppressed total whose parts "
                "are all shown is given away by adding them up. If the build left some, raise the dbt variable "
                "secondary_suppression_passes",
                column="recoverable_totals",
                min_value=0,
                max_value=0,
            ),
        ],
    )


def kpi_monthly_series_suite() -> Suite:
    return Suite(
        name="marts_kpi_monthly_series",
        description="The monthly series of every count KPI (segment all) has no missing month.",
        batch={"kind": "query", "builder": "kpi_monthly_gaps", "index_columns": ["kpi_id", "area_code"]},
        expectations=[
            critical(
                "expect_column_values_to_be_between",
                "a month with no events is an explicit 0, so a missing month is a lost month, and SPC, trends "
                "and impact estimates would silently join across the gap",
                table="marts.kpi_values",
                column="missing_months",
                min_value=0,
                max_value=0,
            ),
        ],
    )


def spc_points_suite() -> Suite:
    return Suite(
        name="marts_spc_points",
        description="marts.spc_points (SPC charts), when the build has written it.",
        batch={"kind": "table", "table": "marts.spc_points", "index_columns": KPI_KEY, "optional": True},
        expectations=[
            critical(
                "expect_compound_columns_to_be_unique",
                "one SPC point per KPI, area, segment and period",
                column_list=KPI_KEY,
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "the point types the SPC method writes; the dashboard draws icons from them",
                column="point_type",
                value_set=list(POINT_TYPES),
            ),
            critical(
                "expect_column_pair_values_a_to_be_greater_than_b",
                "the process mean lies within its control limits (lcl <= mean)",
                column_A="mean",
                column_B="lcl",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            critical(
                "expect_column_pair_values_a_to_be_greater_than_b",
                "the process mean lies within its control limits (mean <= ucl)",
                column_A="ucl",
                column_B="mean",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
        ],
    )


PUBLISHED_KEY = ["financial_year", "area_code", "measure", "category", "source"]
PUBLISHED_SOURCES = ["ho_s136", "nhs_mha", "record_level"]
#: Concordat's own counts (record_level) from 1 to threshold - 1 are hidden; the published sources are public.
PUBLISHED_SUPPRESSION_SQL = (
    'coalesce(source = \'record_level\' and "count" > 0 and "count" < {suppression_threshold}, false)'
)


def published_s136_suite() -> Suite:
    return Suite(
        name="marts_published_s136",
        description="marts.published_s136: published figures beside Concordat's own counts, by year and area.",
        batch={
            "kind": "table",
            "table": "marts.published_s136",
            "index_columns": [*PUBLISHED_KEY, "count"],
            "derived": {"suppression_required": PUBLISHED_SUPPRESSION_SQL},
        },
        expectations=[
            critical(
                "expect_compound_columns_to_be_unique",
                "one figure per year, area, measure, category and source",
                column_list=PUBLISHED_KEY,
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "the dashboard names the source of every figure: the police's, the NHS's or Concordat's own",
                column="source",
                value_set=PUBLISHED_SOURCES,
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "measures of the ho_s136 contract",
                column="measure",
                value_set=list(HO_S136.column("measure").categories),
            ),
            critical(
                "expect_column_values_to_match_regex",
                "financial years are stored as 2023/24",
                column="financial_year",
                regex=r"^\d{4}/\d{2}$",
            ),
            critical("expect_column_values_to_be_between", "a count is never negative", column="count", min_value=0),
            critical(
                "expect_column_values_to_be_in_set",
                "disclosure control: Concordat's own counts of 1-4 must be flagged is_suppressed",
                column="is_suppressed",
                value_set=[True],
                **where("suppression_required == True"),
            ),
        ],
    )


def marts_suites() -> list[Suite]:
    return [
        kpi_values_suite(),
        kpi_disclosure_suite(),
        kpi_monthly_series_suite(),
        published_s136_suite(),
        spc_points_suite(),
    ]
