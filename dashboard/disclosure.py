"""Disclosure control for published views (specs/kpis.md): small counts hidden, derived figures with them.

The warehouse flags each KPI value (``is_suppressed``); this module applies the same rules to what the dashboard
shows and exports, so a figure is hidden the same way on screen, in a chart and in a CSV. ``--internal`` views
(``Disclosure.internal``) show everything, and say so wherever a figure can leave the screen: a notice on every
page, a line under every chart title (so a saved PNG carries it) and `_internal` in every CSV's file name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

#: The internal view's notice, at the top of every page.
INTERNAL_NOTICE = (
    "**Internal view: small numbers are shown.** Not for publication: share these figures, charts and downloads "
    "only with people allowed to see record-level data. The published view (`concordat dashboard` without "
    "`--internal`) hides them."
)
#: The line under every chart title in the internal view.
INTERNAL_MARK = "Internal view: small numbers shown, not for publication"
#: How a cell hidden by secondary suppression is shown: it is not itself small, so `<5` would be untrue.
SECONDARY_LABEL = "suppressed"


@dataclass(frozen=True)
class Disclosure:
    internal: bool = False
    threshold: int = 5

    @property
    def label(self) -> str:
        return f"<{self.threshold}"

    def file_name(self, name: str) -> str:
        """A download's file name, marked `_internal` in the internal view."""
        if not self.internal:
            return name
        stem, dot, extension = name.rpartition(".")
        return f"{stem}_internal.{extension}" if dot else f"{name}_internal"

    def is_small(self, count: float | None) -> bool:
        """A count from 1 to threshold - 1 (zero is shown)."""
        return count is not None and not pd.isna(count) and 0 < float(count) < self.threshold

    def hides_kpi(
        self, unit: str, value: float | None, numerator: float | None, denominator: float | None, is_suppressed: bool
    ) -> bool:
        """Whether a published view hides this KPI value (counts shown as `<5`, derived values hidden)."""
        if self.internal:
            return False
        if is_suppressed:
            return True
        if unit == "count":
            return self.is_small(value)
        return self.is_small(numerator) or self.is_small(denominator)

    def kpi_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """kpi_values rows with hidden values, numerators, denominators and intervals set to NaN.

        Adds ``suppressed`` (bool) so tables can label the hidden cells and exports can flag them.
        """
        out = frame.copy()
        for column in ("value", "numerator", "denominator", "ci_lower", "ci_upper"):
            if column in out:  # nullable integer columns come back with pd.NA: make every number a float
                out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        if "is_suppressed" in out:
            out["is_suppressed"] = out["is_suppressed"].astype("boolean").fillna(False).astype(bool)
        if out.empty:
            out["suppressed"] = pd.Series(dtype=bool)
            return out
        hidden = [
            self.hides_kpi(row.unit, row.value, row.numerator, row.denominator, bool(row.is_suppressed))
            for row in out[["unit", "value", "numerator", "denominator", "is_suppressed"]].itertuples()
        ]
        mask = pd.Series(hidden, index=out.index, dtype=bool)
        for column in ("value", "numerator", "denominator", "ci_lower", "ci_upper"):
            if column in out:
                out[column] = out[column].mask(mask)
        out["suppressed"] = mask
        return out

    def count_frame(
        self, frame: pd.DataFrame, count_columns: Sequence[str], flag_column: str | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Hide small counts (and rows the source already flagged) in the given columns.

        Returns the frame with hidden cells as NaN and a same-shaped boolean mask of hidden cells.
        """
        out = frame.copy()
        mask = pd.DataFrame(False, index=out.index, columns=out.columns)
        if self.internal:
            return out, mask
        flagged = out[flag_column].fillna(False).astype(bool) if flag_column else None
        for column in count_columns:
            values = pd.to_numeric(out[column], errors="coerce").astype("float64")
            hidden = values.apply(self.is_small)
            if flagged is not None:
                hidden = hidden | flagged
            out[column] = values.mask(hidden)
            mask[column] = hidden
        return out, mask


def secondary_suppression(counts: dict[str, float | None], hidden: set[str]) -> set[str]:
    """Cells to hide so a single hidden cell cannot be recovered from the row's total.

    ``counts`` are the parts of one total; when exactly one part is hidden, the next smallest visible non-zero
    part is hidden too.
    """
    if len(hidden) != 1:
        return set(hidden)
    visible = sorted(
        (value, key)
        for key, value in counts.items()
        if key not in hidden and value is not None and not pd.isna(value) and value > 0
    )
    return set(hidden) | ({visible[0][1]} if visible else set())
