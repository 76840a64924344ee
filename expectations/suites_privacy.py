"""Privacy: no personal data anywhere in the warehouse, in any schema (all critical).

The batch (``expectations.privacy.profile``) is one row per column of every table in raw, staging,
intermediate and marts - plus one row per key found in JSON columns (a partner's unknown extra column lands in
``extra`` and must obey the same rules). The heavy scanning is done in DuckDB; GX checks the counts.
"""

from __future__ import annotations

from expectations.spec import Suite, critical

#: Column names that say "personal data" (matched against lower-cased names, `extra.<key>` for JSON keys).
PERSONAL_COLUMN_REGEX = (
    r"(?:^|[._])(?:"
    r"forenames?|surname|first_?name|last_?name|full_?name|given_?names?|family_?name|middle_?names?|maiden_?name"
    r"|person_?name|patient_?name|dob|date_?of_?birth|birth_?date|birthdate|nhs_?(?:number|no|num)"
    r"|(?:home_|street_|email_)?address(?:_?line_?\d*)?|post_?code"
    r")(?:$|[._])"
)


def privacy_suite() -> Suite:
    return Suite(
        name="privacy",
        description="No personal data in any schema: NHS numbers, dates of birth, unhashed identifiers, named "
        "personal columns.",
        batch={"kind": "query", "builder": "privacy_profile", "index_columns": ["table_name", "column_name"]},
        expectations=[
            critical(
                "expect_column_values_to_be_null",
                "every table must be readable to be checked: a table the scan cannot read is not known to be safe",
                column="scan_error",
            ),
            critical(
                "expect_column_values_to_not_match_regex",
                "no column may be named like a person's name, date of birth, NHS number or address: such a column "
                "means personal data got past ingest (or is about to)",
                column="column_name",
                regex=PERSONAL_COLUMN_REGEX,
            ),
            critical(
                "expect_column_values_to_not_be_in_set",
                "a bare `name` column in a table about people (one with a person or officer pseudonym) is a name",
                column="column_name",
                value_set=["name"],
                row_condition="person_level == True",
                condition_parser="pandas",
            ),
            critical(
                "expect_column_values_to_be_between",
                "no text value shaped like an NHS number (10 digits, optionally 3-3-4 spaced, valid modulus-11 "
                "check digit): Concordat must never hold one",
                column="nhs_number_values",
                min_value=0,
                max_value=0,
            ),
            critical(
                "expect_column_values_to_be_between",
                "no text column whose values are whole dates (a date of birth kept as text); real dates are typed",
                column="date_of_birth_values",
                min_value=0,
                max_value=0,
            ),
            critical(
                "expect_column_values_to_be_between",
                "person and officer identifiers (and columns derived from them) hold the 32-hex keyed pseudonym "
                "only: any other value is an unhashed identifier",
                column="unhashed_identifier_values",
                min_value=0,
                max_value=0,
            ),
        ],
    )
