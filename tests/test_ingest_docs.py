"""The generated contract reference and example files match the registry, and the examples load cleanly."""

from __future__ import annotations

import pytest
from test_ingest import ingest  # shared helper (tests/ is on sys.path)

from concordat.contracts import CONTRACTS
from ingest import docs


def test_committed_docs_match_the_registry() -> None:
    stale = [str(p.relative_to(docs.paths.PROJECT_ROOT)) for p in docs.stale_files()]
    assert stale == [], f"out of date (run .venv/bin/python -m ingest.docs): {stale}"


def test_check_mode_reports_drift(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The drift check can fail: a reference page that differs from the registry is reported."""
    page = tmp_path / "data-contracts.md"
    page.write_text(docs.render_markdown().replace("`detained_at`", "`detained_on`"), encoding="utf-8")
    monkeypatch.setattr(docs, "DOC_PATH", page)
    monkeypatch.setattr(docs, "EXAMPLES_DIR", tmp_path)
    assert page in docs.stale_files()
    assert docs.main(["--check"]) == 1


def test_reference_documents_every_column_and_rule() -> None:
    text = docs.render_markdown()
    for contract in CONTRACTS.values():
        assert f"## `{contract.source}`" in text
        for col in contract.columns:
            assert f"| `{col.name}` |" in text, (contract.source, col.name)
        for rule in contract.row_rules:
            assert f"`{rule.name}`" in text


@pytest.mark.parametrize("source", list(CONTRACTS))
def test_every_example_file_loads_without_quarantine(source: str) -> None:
    code, (summary,) = ingest(source, str(docs.EXAMPLES_DIR / f"{source}.csv"))
    assert code == 0
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_quarantined"]) == (2, 2, 0), summary
