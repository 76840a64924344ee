"""Data Docs without the internet: every page gets an inline stylesheet, and the index a plain list of results;
GX's logo comes from the site itself, not from GX's bucket with a tracking query.

GX's index draws its list of validation results with bootstrap-table from a CDN; offline it lists nothing. The unit
tests build a small site by hand (results passing, passing with warnings, failing); the browser test opens the
Data Docs `concordat validate` built for the small demo in headless Chromium with every http(s) request aborted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dashboard import browser
from expectations.offline_docs import INDEX_ID, LOCAL_LOGO, make_readable_offline

_PAGE = "<html>\n<head>\n<title>{title}</title>\n</head>\n<body>\n<p>{title}</p>\n</body>\n</html>\n"


def _result(checks: list[tuple[str, bool]]) -> dict:
    return {
        "success": all(ok for _, ok in checks),
        "results": [{"success": ok, "expectation_config": {"severity": severity}} for severity, ok in checks],
    }


def _site(tmp_path: Path, results: dict[str, dict]) -> tuple[Path, Path]:
    """A built site and its results store, laid out as GX lays them out: <suite>/<run>/<time>/<batch>.html|json."""
    site, store = tmp_path / "data_docs", tmp_path / "gx" / "uncommitted" / "validations"
    (site / "expectations").mkdir(parents=True)
    (site / "index.html").write_text(_PAGE.format(title="index"), encoding="utf-8")
    for i, (suite, result) in enumerate(results.items()):
        relative = Path(suite, "run-1", f"20261123T10000{i}.000000Z", f"concordat-{suite}")
        page, stored = site / "validations" / relative.with_suffix(".html"), store / relative.with_suffix(".json")
        page.parent.mkdir(parents=True)
        stored.parent.mkdir(parents=True)
        page.write_text(_PAGE.format(title=suite), encoding="utf-8")
        stored.write_text(json.dumps(result), encoding="utf-8")
        (site / "expectations" / f"{suite}.html").write_text(_PAGE.format(title=suite), encoding="utf-8")
    return site, store


def _rows(index: str) -> dict[str, str]:
    """Suite -> result cell text, from the offline list."""
    return dict(re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td>.*?<td class="\w+">([^<]+)</td></tr>', index))


def test_index_lists_every_result_with_its_outcome_by_severity(tmp_path: Path) -> None:
    site, store = _site(
        tmp_path,
        {
            "raw_s136": _result([("critical", True), ("warning", False), ("warning", False)]),
            "marts_kpi_values": _result([("critical", True), ("critical", True)]),
            "privacy": _result([("critical", False), ("warning", False), ("critical", True)]),
        },
    )
    make_readable_offline(site, store)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert _rows(index) == {
        "raw_s136": "! Passed with 2 warnings",
        "marts_kpi_values": "✓ Passed",
        "privacy": "✗ Failed: 1 critical check, 1 warning",
    }
    # newest first, each linking to its page, and every suite page listed
    assert re.findall(r'<a href="(validations/[^"]+)">', index) == [
        f"validations/{s}/run-1/20261123T10000{i}.000000Z/concordat-{s}.html"
        for i, s in reversed(list(enumerate(["raw_s136", "marts_kpi_values", "privacy"])))
    ]
    assert all((site / link).is_file() for link in re.findall(r'<a href="([^"]+)">', index))
    assert index.count('href="expectations/') == 3
    assert "<td>2026-11-23 10:00:02</td>" in index  # GX's folder timestamp, as people read it
    # the list sits in the body, and hides itself when bootstrap-table loaded
    assert index.index("<body>") < index.index(f'<section id="{INDEX_ID}">') < index.index("</body>")
    assert "bootstrapTable" in index


def test_every_page_gets_the_stylesheet_in_its_head_and_only_the_index_gets_the_list(tmp_path: Path) -> None:
    site, store = _site(tmp_path, {"raw_custody": _result([("critical", True)])})
    make_readable_offline(site, store)
    pages = list(site.rglob("*.html"))
    assert len(pages) == 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.index("<head>") < text.index('<style id="concordat-offline-style">') < text.index("</head>")
        assert (f'<section id="{INDEX_ID}">' in text) == (page.name == "index.html")


def test_a_result_without_its_stored_json_is_unknown(tmp_path: Path) -> None:
    site, store = _site(tmp_path, {"raw_triage": _result([("critical", True)])})
    for stored in store.rglob("*.json"):
        stored.unlink()
    make_readable_offline(site, store)
    assert _rows((site / "index.html").read_text(encoding="utf-8")) == {"raw_triage": "? Unknown"}


#: GX's markup for results: the overview's icon is followed by words, a table's status cell is the icon alone.
_GX_RESULT_PAGE = """<html><head></head><body>
<span class="h6" >Status:</span> <i class="fas fa-times text-danger" aria-hidden="true"></i> Failed
<td id="cell-1-1" ><span >
    <i class="fas fa-times text-danger" ></i>
</span></td>
<td id="cell-2-1" ><span >
    <i class="fas fa-check-circle text-success" ></i>
</span></td>
<script>var data = [{'ok': '<i class="fas fa-check-circle text-success ge-success-icon" ></i>'}];</script>
</body></html>"""


def test_result_icons_are_named_and_drawn_without_the_icon_font(tmp_path: Path) -> None:
    site, store = _site(tmp_path, {"raw_s136": _result([("critical", False)])})
    (page,) = (site / "validations").rglob("*.html")
    page.write_text(_GX_RESULT_PAGE, encoding="utf-8")
    make_readable_offline(site, store)
    text = page.read_text(encoding="utf-8")
    assert re.findall(r'<i class="([^"]+)" role="img" aria-label="(\w+)">', text) == [
        ("fas fa-times text-danger", "failed"),
        ("fas fa-check-circle text-success", "passed"),
        ("fas fa-check-circle text-success ge-success-icon", "passed"),
    ]
    # the overview's icon stays hidden from assistive technology: the word after it says the result
    assert '<i class="fas fa-times text-danger" aria-hidden="true"></i> Failed' in text
    assert '<script id="concordat-offline-filter">' not in text  # the page has no filter of GX's to stand in for
    style = text[text.index('<style id="concordat-offline-style">') :]
    assert '.fa-times::before { content: "✗"; }' in style and '.fa-check-circle::before { content: "✓"; }' in style


_GX_LOGO_PAGE = """<html><head><style>
  .navbar-brand a {
    background: url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png') 0 0;
  }
</style></head><body><a href="../index.html"><img class="NO-CACHE"
  src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=20261123T1&dataContextId=512fe2dd"
  alt="Great Expectations"/></a></body></html>"""


def test_gx_logo_comes_from_the_site_not_a_tracking_address(tmp_path: Path) -> None:
    site, store = _site(tmp_path, {"raw_s136": _result([("critical", True)])})
    (site / LOCAL_LOGO).parent.mkdir(parents=True)
    (site / LOCAL_LOGO).write_bytes(b"\x89PNG")
    pages = [site / "index.html", site / "expectations" / "raw_s136.html", *(site / "validations").rglob("*.html")]
    for page in pages:
        page.write_text(_GX_LOGO_PAGE, encoding="utf-8")
    make_readable_offline(site, store)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "great-expectations-web-assets" not in text and "dataContextId" not in text
        img = re.search(r'src="([^"]+)"', text)[1]
        background = re.search(r"url\('([^']+)'\)", text)[1]
        assert img == background
        assert (page.parent / img).resolve() == (site / LOCAL_LOGO).resolve()


@pytest.mark.browser
@pytest.mark.slow
def test_built_data_docs_list_and_open_every_result_offline(small_published_home: Path) -> None:
    if not browser.CHROMIUM.exists():
        pytest.fail(f"{browser.CHROMIUM} is missing: run `make browser` (apt-get install chromium chromium-driver)")
    site = small_published_home / "data_docs"
    suites = sorted(p.name for p in (site / "validations").iterdir())
    remote: list[str] = []
    with browser.chromium_context() as context:
        page = context.new_page()
        page.on("request", lambda request: remote.append(request.url) if request.url.startswith("http") else None)
        page.route(re.compile(r"^https?://"), lambda route: route.abort())
        page.goto((site / "index.html").as_uri(), wait_until="load")
        listed = page.locator(f"#{INDEX_ID} tbody tr td:first-child a").all_inner_texts()
        assert page.locator(f"#{INDEX_ID}").is_visible()
        assert sorted(listed) == suites and len(suites) >= 10
        page.locator(f"#{INDEX_ID} tbody a").first.click()
        page.wait_for_load_state("load")
        assert "Expectation Validation Result" in page.inner_text("body")
        # GX's logo is the site's own copy: it draws offline, and no page asks GX's bucket for it
        logo = page.locator("nav .navbar-brand img").first
        assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
        assert remote and not [url for url in remote if "great-expectations-web-assets" in url]

        # With the CDN's scripts there (here: a stand-in bootstrap-table), GX's own list is shown, not ours.
        online = context.new_page()
        online.route(re.compile(r"^https?://"), lambda route: route.abort())
        online.add_init_script("window.jQuery = {fn: {bootstrapTable: function () {}}};")
        online.goto((site / "index.html").as_uri(), wait_until="load")
        online.wait_for_function(f"document.getElementById('{INDEX_ID}').hidden")

        # A result with a failed check (the demo's warnings) says which, without the CDN's icon font
        page.goto((site / "index.html").as_uri(), wait_until="load")
        page.locator(f"#{INDEX_ID} td.warned").first.locator("xpath=..").locator("a").click()
        page.wait_for_load_state("load")
        icons = page.locator("td i.fas[role='img']")
        drawn = icons.evaluate_all(
            "els => els.map(e => [e.getAttribute('aria-label'), getComputedStyle(e, '::before').content])"
        )
        assert ["failed", '"✗"'] in drawn and ["passed", '"✓"'] in drawn
        assert {tuple(d) for d in drawn} <= {("failed", '"✗"'), ("passed", '"✓"')}

        # GX's "Failed Only" filter is jQuery code: without jQuery the page's own copy hides the passed checks
        passed, failed = (
            icons.and_(page.locator("[aria-label='passed']")),
            icons.and_(page.locator("[aria-label='failed']")),
        )
        page.get_by_text("Failed Only").click()
        assert failed.first.is_visible() and not any(icon.is_visible() for icon in passed.all())
        page.get_by_text("Show All").click()
        assert all(icon.is_visible() for icon in passed.all())
        # with jQuery there, GX's own filter stays
        online.goto(page.url, wait_until="load")
        assert "$(" in online.evaluate("String(window.hideSucceededValidations)")
