"""Matching a file's header to a contract: which file column is which contract column, and which are extra.

Headers are compared after `concordat.contracts.normalise_header` (`Detained At` = `detained_at`) and the
contract's aliases (`collar_number` = `officer_id`). A missing required column, or two file columns claiming
the same contract column, rejects the file before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from concordat.contracts import Contract, normalise_header
from concordat.errors import UserInputError

#: The first columns of the CSV of quarantined rows ingest exports for the sender (ingest.loader), named apart from
#: every contract column (custody has its own `reason`), then the row's cells under the file's own headers.
QUARANTINE_EXPORT_HEADER = ("row", "problem_column", "problem")
#: The same columns as earlier versions named them; such a file is refused too.
_EARLIER_EXPORT_HEADER = ("row_number", "column_name", "reason")


@dataclass(frozen=True)
class HeaderMatch:
    #: contract column name -> index of the file column holding it
    columns: dict[str, int]
    #: (index, header as written) of file columns the contract does not know: kept in `extra`, reported
    extras: tuple[tuple[int, str], ...]


def match_headers(
    contract: Contract, headers: tuple[str, ...], file_name: str, ignored: tuple[int, ...] = ()
) -> HeaderMatch:
    """Which file column is which contract column; the columns at `ignored` (empty and unnamed) are neither."""
    if tuple(normalise_header(h) for h in headers[:3]) in (QUARANTINE_EXPORT_HEADER, _EARLIER_EXPORT_HEADER):
        raise UserInputError(
            f"{file_name}: a Concordat quarantine export, not an extract; its identifiers are already pseudonymised "
            "and would be hashed again. Load the sender's corrected extract instead"
        )
    header_map = contract.header_map()
    columns: dict[str, int] = {}
    extras: list[tuple[int, str]] = []
    for index, header in enumerate(headers):
        if index in ignored:
            continue
        name = header_map.get(normalise_header(header))
        if name is None:
            extras.append((index, header.strip()))
        elif name in columns:
            raise UserInputError(
                f"{file_name}: columns '{headers[columns[name]].strip()}' and '{header.strip()}' are both "
                f"{contract.source}.{name}; keep one"
            )
        else:
            columns[name] = index
    missing = [c for c in contract.required_columns if c not in columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise UserInputError(
            f"{file_name}: missing required column{plural} {', '.join(repr(m) for m in missing)} "
            f"for source {contract.source}"
        )
    return HeaderMatch(columns, tuple(extras))
