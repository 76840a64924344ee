"""The data contracts: one machine-readable definition per source (specs: data-contracts.md).

Everything that needs to know what a source looks like reads it from here: the loader (parsing, typing,
category mapping, validation), the demo generator (which columns to write, which values are valid), the dbt
source YAML, the Great Expectations suites and the generated reference (docs/data-contracts.md). Change a source
here, once.

Column types
    text       free text, trimmed; blank -> NULL
    force      a police force: ONS Police Force Area code or force name, stored as the code (see concordat.forces)
    datetime   ISO 8601 or UK dd/mm/yyyy [HH:MM[:SS]], local UK time, stored as a naive TIMESTAMP
    date       ISO 8601 or UK dd/mm/yyyy, stored as DATE
    int        whole number within [minimum, maximum] when given
    decimal    number; the null tokens (e.g. ``NULL``) read as NULL
    bool       Y/N, Yes/No, True/False, 1/0; blank = unknown (NULL)
    category   one of ``categories`` (case-insensitive) or a ``synonyms`` key; anything else is a row error
    fy_label   a UK financial year: ``2023/24`` or ``2023-24``, stored as ``2023/24``

Pseudonymised columns are replaced at ingest by a keyed HMAC-SHA256 (see concordat.pseudonymise); the raw
value is never written anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

ColumnType = Literal["text", "force", "datetime", "date", "int", "decimal", "bool", "category", "fy_label"]

#: Lineage columns every raw.<source> table carries after the contract's own columns.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("extra", "JSON"),  # unknown extra columns of the row, as a JSON object (NULL when none)
    ("source_file", "VARCHAR"),  # file name as given to ingest (no folder)
    ("source_file_sha256", "VARCHAR"),
    ("source_row_number", "BIGINT"),  # the row as a spreadsheet shows it (header and title rows counted)
    ("loaded_at", "TIMESTAMP"),
)

#: DuckDB type of each contract column type.
SQL_TYPES: Mapping[ColumnType, str] = MappingProxyType(
    {
        "text": "VARCHAR",
        "force": "VARCHAR",
        "datetime": "TIMESTAMP",
        "date": "DATE",
        "int": "INTEGER",
        "decimal": "DOUBLE",
        "bool": "BOOLEAN",
        "category": "VARCHAR",
        "fy_label": "VARCHAR",
    }
)

BOOLEAN_TRUE = ("y", "yes", "true", "1", "t")
BOOLEAN_FALSE = ("n", "no", "false", "0", "f")


def normalise_header(header: str) -> str:
    """`Detained At` -> `detained_at`: trim, lower-case, fold spaces, hyphens and dots to `_`."""
    out = header.strip().lstrip("\ufeff").lower()
    for ch in " -.\t/":
        out = out.replace(ch, "_")
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


def normalise_value(value: str) -> str:
    """Key for case-insensitive category and synonym matching: trimmed, lower-cased, single spaces."""
    return " ".join(value.strip().lower().split())


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = False
    pseudonymised: bool = False
    categories: tuple[str, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)  # normalised synonym -> canonical value
    default: str | None = None  # canonical value used when the cell is blank
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()  # other (normalised) header spellings accepted for this column
    null_tokens: tuple[str, ...] = ()  # cell values that mean NULL (besides blank)
    suppressed_token: str | None = None  # a cell value that means "suppressed": NULL and is_suppressed
    # For a category whose allowed set depends on another column's value (ho_s136.category by measure):
    depends_on: str | None = None
    category_sets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    allow_national: bool = False  # a force column that also accepts `England and Wales` (stored as EW)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    def canonical(self, raw: str, context: str | None = None) -> str | None:
        """The canonical category for a raw cell value, or None when it is not an allowed value."""
        key = normalise_value(raw)
        allowed = self.category_sets.get(context or "", ()) if self.depends_on else self.categories
        for value in allowed:
            if normalise_value(value) == key:
                return value
        mapped = self.synonyms.get(key)
        return mapped if mapped in allowed else None


@dataclass(frozen=True)
class RowRule:
    """A rule over one typed row, as a DuckDB/ANSI SQL boolean that is TRUE (or NULL) when the row is fine.

    ``reject`` rules send the row to quarantine with ``reason``; ``flag`` rules accept it and count it.
    """

    name: str
    sql: str
    column: str
    reason: str
    action: Literal["reject", "flag"] = "reject"


@dataclass(frozen=True)
class Contract:
    source: str
    title: str
    description: str
    kind: Literal["record", "aggregate"]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    row_rules: tuple[RowRule, ...] = ()
    #: SQL over typed columns selecting the rows in scope; other rows are counted as rows_skipped.
    scope_sql: str | None = None
    #: Extra derived columns the loader adds (name, SQL type, description).
    derived_columns: tuple[tuple[str, str, str], ...] = ()
    #: The column that places a row in time (periods covered, freshness).
    period_column: str | None = None

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.source} has no column {name!r}")

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def pseudonymised_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.pseudonymised)

    def header_map(self) -> dict[str, str]:
        """Normalised header spelling -> contract column name (names and aliases)."""
        out: dict[str, str] = {}
        for col in self.columns:
            out[normalise_header(col.name)] = col.name
            for alias in col.aliases:
                out[normalise_header(alias)] = col.name
        return out

    def raw_table_columns(self) -> list[tuple[str, str]]:
        """(name, DuckDB type) of raw.<source>: contract columns, derived columns, then lineage."""
        cols = [(c.name, c.sql_type) for c in self.columns]
        cols += [(name, sql_type) for name, sql_type, _ in self.derived_columns]
        return cols + list(LINEAGE_COLUMNS)


def _syn(**pairs: str) -> dict[str, str]:
    """Synonym table helper: keys are normalised; use _syn(**{"a&e": "Emergency department"})."""
    return {normalise_value(k): v for k, v in pairs.items()}


# --- shared category sets -------------------------------------------------------------------------------

OUTCOMES = (
    "Admitted informally",
    "Detained s2",
    "Detained s3",
    "Referred to community services",
    "Referred to other services",
    "No further action",
    "Arrested",
    "Not known",
)
OUTCOME_SYNONYMS = _syn(
    **{
        "informal admission": "Admitted informally",
        "admitted informal": "Admitted informally",
        "detained under section 2": "Detained s2",
        "section 2": "Detained s2",
        "s2": "Detained s2",
        "detained under section 3": "Detained s3",
        "section 3": "Detained s3",
        "s3": "Detained s3",
        "nfa": "No further action",
        "unknown": "Not known",
    }
)
UNKNOWN = _syn(unknown="Not known", **{"not recorded": "Not known", "n/k": "Not known"})

SECTIONS = ("136", "135(1)", "135(2)")
AGE_BANDS = ("Under 18", "18 and over", "Not known")
SEXES = ("Male", "Female", "Other", "Not known")
ETHNICITIES = ("White", "Mixed", "Asian", "Black", "Other", "Not stated")
CONSULTED = ("Yes", "No", "Not practicable", "Not known")
TRANSPORT = (
    "Ambulance",
    "Police vehicle",
    "Other health vehicle",
    "Other",
    "None (already at place of safety)",
    "Not known",
)
POLICE_VEHICLE_REASONS = (
    "Ambulance not available within 30 minutes",
    "Ambulance not requested",
    "Ambulance diverted",
    "Crew refused",
    "Other",
    "Not known",
)
PLACES_OF_SAFETY = (
    "Health-based place of safety",
    "Emergency department",
    "Police station",
    "Private home",
    "Other",
    "Not known",
)
POLICE_STATION_REASONS = ("Regulations conditions met", "Arrested for substantive offence", "Other", "Not known")
TRIAGE_OUTCOMES = (
    "S136 detention",
    "Informal admission",
    "Referred to mental health services",
    "Referred to GP or other service",
    "Emergency department",
    "Arrested",
    "No further action",
)
INTERVENTION_TYPES = (
    "street_triage",
    "officer_placements",
    "single_point_of_contact",
    "liaison_and_diversion",
    "other",
)


def _force(required: bool = True, allow_national: bool = False) -> Column:
    desc = (
        "Police force: ONS Police Force Area code or force name, stored as the code (BTP for British Transport Police)"
    )
    if allow_national:
        desc += "; `England and Wales` is stored as EW"
    return Column("force", "force", desc, required=required, allow_national=allow_national)


def _outcome() -> Column:
    return Column("outcome", "category", "Outcome of the detention", categories=OUTCOMES, synonyms=OUTCOME_SYNONYMS)


S136 = Contract(
    period_column="detained_at",
    source="s136",
    title="Detentions under s136 (and s135) of the Mental Health Act",
    description="One row per detention (Home Office Annual Data Requirement fields).",
    kind="record",
    key=("force", "detention_id"),
    columns=(
        Column("detention_id", "text", "Detention reference, unique within force", required=True),
        _force(),
        Column("detained_at", "datetime", "When the power was used", required=True),
        Column(
            "section",
            "category",
            "Power used",
            categories=SECTIONS,
            default="136",
            synonyms=_syn(
                **{
                    "s136": "136",
                    "section 136": "136",
                    "s135(1)": "135(1)",
                    "135 (1)": "135(1)",
                    "section 135(1)": "135(1)",
                    "s135(2)": "135(2)",
                    "135 (2)": "135(2)",
                    "section 135(2)": "135(2)",
                }
            ),
        ),
        Column("person_id", "text", "Person identifier, for repeat-detention KPIs", pseudonymised=True),
        Column(
            "officer_id",
            "text",
            "Detaining officer's collar/staff number; links to placements",
            pseudonymised=True,
            aliases=("collar_number", "staff_number"),
        ),
        Column("age", "int", "Age in years at detention", minimum=0, maximum=120),
        Column(
            "age_band",
            "category",
            "Age band (derived from age when age is given)",
            categories=AGE_BANDS,
            synonyms=_syn(
                **{
                    "u18": "Under 18",
                    "under18": "Under 18",
                    "<18": "Under 18",
                    "child": "Under 18",
                    "18+": "18 and over",
                    "adult": "18 and over",
                    "over 18": "18 and over",
                    "18 or over": "18 and over",
                },
                **UNKNOWN,
            ),
        ),
        Column(
            "sex",
            "category",
            "Sex",
            categories=SEXES,
            synonyms=_syn(m="Male", f="Female", **{"not stated": "Not known"}, **UNKNOWN),
        ),
        Column(
            "ethnicity",
            "category",
            "Ethnic group (Census 2021 high-level groups)",
            categories=ETHNICITIES,
            synonyms=_syn(
                **{
                    "white british": "White",
                    "mixed or multiple ethnic groups": "Mixed",
                    "mixed or multiple": "Mixed",
                    "asian or asian british": "Asian",
                    "black or black british": "Black",
                    "black, black british, caribbean or african": "Black",
                    "other ethnic group": "Other",
                    "unknown": "Not stated",
                    "not known": "Not stated",
                }
            ),
        ),
        Column(
            "consulted_health_professional",
            "category",
            "Health professional consulted before detention (PCA 2017 duty, s136(1C))",
            categories=CONSULTED,
            synonyms=_syn(y="Yes", n="No", **{"not reasonably practicable": "Not practicable"}, **UNKNOWN),
        ),
        Column(
            "transport",
            "category",
            "How the person was taken to the first place of safety",
            categories=TRANSPORT,
            synonyms=_syn(
                **{
                    "police car": "Police vehicle",
                    "police van": "Police vehicle",
                    "police": "Police vehicle",
                    "none": "None (already at place of safety)",
                    "already at place of safety": "None (already at place of safety)",
                    "none - already at place of safety": "None (already at place of safety)",
                },
                **UNKNOWN,
            ),
        ),
        Column(
            "police_vehicle_reason",
            "category",
            "Why a police vehicle was used (only when transport is Police vehicle)",
            categories=POLICE_VEHICLE_REASONS,
            synonyms=UNKNOWN,
        ),
        Column(
            "first_place_of_safety",
            "category",
            "First place of safety",
            categories=PLACES_OF_SAFETY,
            synonyms=_syn(
                **{
                    "hbpos": "Health-based place of safety",
                    "health based place of safety": "Health-based place of safety",
                    "section 136 suite": "Health-based place of safety",
                    "s136 suite": "Health-based place of safety",
                    "a&e": "Emergency department",
                    "a and e": "Emergency department",
                    "accident and emergency": "Emergency department",
                    "ed": "Emergency department",
                    "custody": "Police station",
                    "police custody": "Police station",
                    "home": "Private home",
                },
                **UNKNOWN,
            ),
        ),
        Column(
            "police_station_reason",
            "category",
            "Why a police station was used (only for Police station)",
            categories=POLICE_STATION_REASONS,
            synonyms=UNKNOWN,
        ),
        Column("arrived_pos_at", "datetime", "Arrival at the first place of safety"),
        Column("assessment_completed_at", "datetime", "End of the Mental Health Act assessment"),
        Column("released_at", "datetime", "End of detention (discharged, admitted or released)"),
        _outcome(),
        Column("triage_contact_id", "text", "Street-triage contact that preceded the detention, if any"),
    ),
    row_rules=(
        RowRule(
            "released_before_detained",
            "released_at IS NULL OR released_at >= detained_at",
            "released_at",
            "released_at is before detained_at",
        ),
        RowRule(
            "arrived_before_detained",
            "arrived_pos_at IS NULL OR arrived_pos_at >= detained_at",
            "arrived_pos_at",
            "arrived_pos_at is before detained_at",
        ),
        RowRule(
            "over_36_hours",
            "released_at IS NULL OR released_at <= detained_at + INTERVAL 36 HOUR",
            "released_at",
            "detention longer than 36 hours (24h limit + 12h extension)",
            action="flag",
        ),
        RowRule(
            "under_18_police_station",
            "NOT (age_band = 'Under 18' AND first_place_of_safety = 'Police station')",
            "first_place_of_safety",
            "under-18 taken to a police station",
            action="flag",
        ),
    ),
)

CUSTODY = Contract(
    period_column="arrived_at",
    source="custody",
    title="Police custody used as a place of safety",
    description="One row per custody episode of a person held under s136/s135 (or arrested, then detained).",
    kind="record",
    key=("force", "custody_record_id"),
    columns=(
        Column("custody_record_id", "text", "Custody record reference, unique within force", required=True),
        _force(),
        Column("arrived_at", "datetime", "Arrival at the custody suite", required=True),
        Column("detention_id", "text", "The s136 detention, when known"),
        Column("person_id", "text", "Person identifier", pseudonymised=True),
        Column("departed_at", "datetime", "Departure from the custody suite"),
        Column("age", "int", "Age in years", minimum=0, maximum=120),
        Column(
            "authorised_by_rank",
            "category",
            "Rank of the officer who authorised custody as a place of safety",
            categories=("Inspector", "Chief Inspector", "Superintendent or above", "Not recorded"),
            synonyms=_syn(
                insp="Inspector",
                superintendent="Superintendent or above",
                **{
                    "chief superintendent": "Superintendent or above",
                    "ch insp": "Chief Inspector",
                    "not known": "Not recorded",
                    "unknown": "Not recorded",
                },
            ),
        ),
        Column(
            "reason",
            "category",
            "Why custody was used",
            categories=(
                "Imminent risk of serious injury or death",
                "Arrested for substantive offence",
                "No health-based place available",
                "Other",
            ),
        ),
        Column("healthcare_professional_present", "bool", "Healthcare professional present (reg 4, SI 2017/1036)"),
        Column("welfare_checks_recorded", "int", "Welfare checks made (reg 4: every 30 minutes)", minimum=0),
        Column("transferred_to_hbpos", "bool", "Moved on to a health-based place of safety"),
        _outcome(),
    ),
    row_rules=(
        RowRule(
            "departed_before_arrived",
            "departed_at IS NULL OR departed_at >= arrived_at",
            "departed_at",
            "departed_at is before arrived_at",
        ),
    ),
)

TRIAGE = Contract(
    period_column="contact_at",
    source="triage",
    title="Street-triage contacts",
    description="One row per contact between police and a street-triage mental-health practitioner.",
    kind="record",
    key=("force", "contact_id"),
    columns=(
        Column("contact_id", "text", "Contact reference, unique within force", required=True),
        _force(),
        Column("contact_at", "datetime", "When the contact was requested", required=True),
        Column(
            "model",
            "category",
            "Street-triage model",
            categories=("Co-response vehicle", "Telephone advice", "Control room", "Custody or hospital", "Other"),
            synonyms=_syn(**{"co-response": "Co-response vehicle", "telephone": "Telephone advice"}),
        ),
        Column("person_id", "text", "Person identifier", pseudonymised=True),
        Column("officer_id", "text", "Officer identifier", pseudonymised=True),
        Column(
            "practitioner_role",
            "category",
            "Role of the practitioner",
            categories=("Mental health nurse", "AMHP", "Paramedic", "Social worker", "Other"),
            synonyms=_syn(
                **{
                    "mh nurse": "Mental health nurse",
                    "cpn": "Mental health nurse",
                    "nurse": "Mental health nurse",
                    "approved mental health professional": "AMHP",
                }
            ),
        ),
        Column("response_minutes", "int", "Minutes from request to practitioner input", minimum=0),
        Column("s136_considered", "bool", "The officer was considering s136"),
        Column(
            "outcome",
            "category",
            "Outcome of the contact",
            required=True,
            categories=TRIAGE_OUTCOMES,
            synonyms=_syn(
                **{
                    "s136": "S136 detention",
                    "section 136": "S136 detention",
                    "detained s136": "S136 detention",
                    "a&e": "Emergency department",
                    "ed": "Emergency department",
                    "nfa": "No further action",
                }
            ),
        ),
    ),
)

PLACEMENTS = Contract(
    period_column="start_date",
    source="placements",
    title="Officer placements in mental-health services",
    description="One row per officer placement (the Sheffield scheme's tracker; often kept in Excel).",
    kind="record",
    key=("force", "placement_id"),
    columns=(
        Column("placement_id", "text", "Placement reference", required=True),
        Column(
            "officer_id",
            "text",
            "Officer identifier (same pseudonym as s136/triage)",
            required=True,
            pseudonymised=True,
            aliases=("collar_number", "staff_number"),
        ),
        _force(),
        Column("cohort", "text", "Intake, e.g. 2018-03"),
        Column("service", "text", "Clinical service name (e.g. Liaison Service, Stanage Ward)", required=True),
        Column(
            "setting",
            "category",
            "Setting of the service",
            categories=("Community", "Inpatient ward", "Crisis / single point of access", "Other"),
            synonyms=_syn(
                ward="Inpatient ward",
                inpatient="Inpatient ward",
                crisis="Crisis / single point of access",
                spa="Crisis / single point of access",
                **{"single point of access": "Crisis / single point of access"},
            ),
        ),
        Column("start_date", "date", "First day of the placement", required=True),
        Column("end_date", "date", "Last day of the placement"),
        Column(
            "status",
            "category",
            "Placement status",
            required=True,
            categories=("Completed", "In progress", "Withdrawn", "Rescheduled"),
            synonyms=_syn(complete="Completed", **{"in-progress": "In progress", "ongoing": "In progress"}),
        ),
        Column("induction_attended", "bool", "Attended the induction day"),
        Column("workbook_completed", "bool", "Completed the workbook"),
        Column("feedback_session_attended", "bool", "Attended the feedback session"),
        Column("confidence_pre", "int", "Self-rated confidence before (1-5)", minimum=1, maximum=5),
        Column("confidence_post", "int", "Self-rated confidence after (1-5)", minimum=1, maximum=5),
    ),
    row_rules=(
        RowRule(
            "end_before_start",
            "end_date IS NULL OR end_date >= start_date",
            "end_date",
            "end_date is before start_date",
        ),
    ),
)

_NHS_COUNT = {"null_tokens": ("NULL",), "suppressed_token": "*"}
NHS_MHA = Contract(
    period_column="year",
    source="nhs_mha",
    title="NHS Digital Mental Health Act Statistics, Annual Figures",
    description=(
        "The published long-format CSV; only short-term orders (s136, s135, all place of safety orders) are "
        "kept. England only; excludes detentions whose place of safety was a police station."
    ),
    kind="aggregate",
    key=(
        "year",
        "measure",
        "measure_subcategory",
        "demographic",
        "demographic_breakdown",
        "organisation_breakdown",
        "org_id",
    ),
    columns=(
        Column("year", "fy_label", "Financial year (2022-23 stored as 2022/23)", required=True),
        Column("measure", "text", "Measure", required=True),
        Column("measure_subcategory", "text", "Measure subcategory", required=True, aliases=("measuresubcategory",)),
        Column("demographic", "text", "Demographic", required=True),
        Column(
            "demographic_breakdown", "text", "Demographic breakdown", required=True, aliases=("demographicbreakdown",)
        ),
        Column(
            "organisation_breakdown",
            "text",
            "Organisation breakdown",
            required=True,
            aliases=("organisationbreakdown",),
        ),
        Column("datasource", "text", "Data source"),
        Column("org_id", "text", "Organisation code", required=True, aliases=("orgid",)),
        Column("org_name", "text", "Organisation name", aliases=("orgname",)),
        Column("mhsds_count", "int", "Count from MHSDS", minimum=0, **_NHS_COUNT),
        Column("acute_count", "int", "Count from acute providers", minimum=0, **_NHS_COUNT),
        Column("total_count", "int", "Total count", minimum=0, **_NHS_COUNT),
        Column("crude_rate", "decimal", "Crude rate per 100,000", null_tokens=("NULL", "*"), aliases=("cruderate",)),
        Column("std_rate", "decimal", "Standardised rate per 100,000", null_tokens=("NULL", "*"), aliases=("stdrate",)),
        Column("confidence_interval", "text", "Confidence interval as published", null_tokens=("NULL",)),
    ),
    scope_sql=(
        "measure = 'Short term orders' AND measure_subcategory IN "
        "('Section 136', 'Section 135', 'All place of safety orders')"
    ),
    derived_columns=(("is_suppressed", "BOOLEAN", "A count was published as * (suppressed)"),),
)

HO_S136 = Contract(
    period_column="financial_year",
    source="ho_s136",
    title="Home Office published s136 figures by force and financial year",
    description="Police powers and procedures statistics, typed from the Home Office tables.",
    kind="aggregate",
    key=("financial_year", "force", "measure", "category"),
    columns=(
        Column("financial_year", "fy_label", "Financial year (2023/24 or 2023-24)", required=True),
        _force(allow_national=True),
        Column(
            "measure",
            "category",
            "Measure",
            required=True,
            categories=(
                "detentions",
                "first_place_of_safety",
                "transport",
                "police_vehicle_reason",
                "age_band",
                "sex",
                "ethnicity",
                "police_station_reason",
            ),
        ),
        Column(
            "category",
            "category",
            "Category within the measure (values of the s136 contract; All for detentions)",
            required=True,
            depends_on="measure",
            category_sets={
                "detentions": ("All",),
                "first_place_of_safety": PLACES_OF_SAFETY,
                "transport": TRANSPORT,
                "police_vehicle_reason": POLICE_VEHICLE_REASONS,
                "age_band": AGE_BANDS,
                "sex": SEXES,
                "ethnicity": ETHNICITIES,
                "police_station_reason": POLICE_STATION_REASONS,
            },
            synonyms=S136.column("first_place_of_safety").synonyms,
        ),
        Column("count", "int", "Published count", required=True, minimum=0),
    ),
)

PLANTED_INTERVENTIONS = Contract(
    period_column="start_date",
    source="planted_interventions",
    title="Interventions planted in the demo data (or a partner's register file)",
    description=(
        "The demo generator writes the interventions it planted, with their true effect, beside the data; "
        "`concordat run` ingests it so the register in the warehouse holds them alongside the seed."
    ),
    kind="aggregate",
    key=("intervention_id",),
    columns=(
        Column("intervention_id", "text", "Intervention reference", required=True),
        _force(),
        Column("type", "category", "Intervention type", required=True, categories=INTERVENTION_TYPES),
        Column("name", "text", "Name", required=True),
        Column("start_date", "date", "Start date", required=True),
        Column("end_date", "date", "End date (blank while running)"),
        Column("description", "text", "Description"),
        Column("kpi_id", "text", "KPI the planted effect acts on"),
        Column(
            "true_effect_pct",
            "decimal",
            "Planted effect: relative change (%) in the force's monthly KPI after the start, vs counterfactual",
        ),
    ),
)

CONTRACTS: Mapping[str, Contract] = MappingProxyType(
    {c.source: c for c in (S136, CUSTODY, TRIAGE, PLACEMENTS, NHS_MHA, HO_S136, PLANTED_INTERVENTIONS)}
)
#: The four record-level sources the demo generator writes.
RECORD_SOURCES: tuple[str, ...] = ("s136", "custody", "triage", "placements")


def get(source: str) -> Contract:
    """The contract of a source; UserInputError naming the valid sources when there is none."""
    from concordat.errors import UserInputError

    try:
        return CONTRACTS[source]
    except KeyError:
        raise UserInputError(f"unknown source {source!r}: expected one of {', '.join(CONTRACTS)}") from None
