"""CSV downloads: disclosure-controlled tables, safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) can run as a formula when the
CSV is opened in Excel or LibreOffice (OWASP "CSV injection"); such text cells get a leading ``'``. Hidden
(suppressed) cells are written blank, and a ``suppressed`` column names them, as specs/kpis.md asks. Numbers are
written as a person would read them: counts whole, fractions to six significant digits.
"""

from __future__ import annotations

import math

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would read as a formula, made literal with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


#: Significant digits a fraction keeps in a CSV (more for a number with more whole digits, which are all kept).
SIGNIFICANT_DIGITS = 6


def _tidy(value: object) -> object:
    """A whole-number float (a count) as an int, so the CSV says `158`, not `158.0`; a fraction to
    SIGNIFICANT_DIGITS, so a percent says `23.0769`, not `23.076923076923077` (floating-point noise)."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    if value.is_integer():
        return int(value)
    whole_digits = math.floor(math.log10(abs(value))) + 1
    return float(f"{value:.{max(SIGNIFICANT_DIGITS, whole_digits + 2)}g}")


def to_csv(frame: pd.DataFrame, hidden: pd.DataFrame | None = None) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads accents) of a table whose ``hidden`` cells are already blanked."""
    out = frame.copy()
    if hidden is not None and bool(hidden.to_numpy().any()):
        columns = [c for c in hidden.columns if c in out.columns]
        out["suppressed"] = [";".join(c for c in columns if hidden.at[idx, c]) for idx in out.index]
        for column in columns:
            out[column] = out[column].astype(object).where(~hidden[column], None)
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values) or values.dtype == object or pd.api.types.is_string_dtype(values):
            # kept as objects: Series.map would turn the ints back into floats
            out[column] = pd.Series([neutralise(_tidy(v)) for v in values], index=out.index, dtype=object)
    header = [neutralise(str(c)) for c in out.columns]
    return out.to_csv(index=False, header=header).encode("utf-8-sig")
