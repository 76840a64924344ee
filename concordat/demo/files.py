"""The demo's files: what `concordat demo` writes, by source, in the order `concordat run` ingests them.

Apart from the generator (which imports numpy), so `concordat run` and the ingest benchmark can list them cheaply.
"""

from __future__ import annotations

FILES: dict[str, str] = {
    "s136": "s136.csv",
    "custody": "custody.csv",
    "triage": "triage.csv",
    "placements": "placements.xlsx",
    "nhs_mha": "nhs_mha.csv",
    "planted_interventions": "interventions.csv",
}
MANIFEST = "manifest.json"
