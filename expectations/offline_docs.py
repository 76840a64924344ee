"""Data Docs that still work without the internet.

GX's Data Docs take their styles and scripts from CDNs (bootstrap, jQuery, bootstrap-table). On a machine that
cannot reach them, which is common on police and NHS networks, the pages lose their layout, and the index lists
nothing at all: bootstrap-table draws its list of results from data in a script. After GX has built the site,
`make_readable_offline` gives every page a small inline stylesheet (the CDN's bootstrap, loaded after it, wins
when it is there), and gives the index a plain list of the validation results and suites, which hides itself
again when bootstrap-table did load.

GX also draws its logo from its own S3 bucket, and the image address carries the site's `dataContextId` and the
build time: opening a page would tell Amazon which GX project looked at its docs, and when. Every such address is
replaced with the copy of the logo GX ships in the site's own `static/images/`, so the logo shows offline and no
page asks a third party for anything beyond the CDN scripts above.

Each expectation's result is shown by a Font Awesome icon alone (an empty `<i>` element drawn by the CDN's icon
font), so offline a results table did not say which checks failed, and a screen reader never did. The stylesheet
draws ✓ and ✗ in their place (Font Awesome's own rules, loaded after it, win when they are there), and each such
icon is named "passed" or "failed" for assistive technology. A result page's "Failed Only" filter is jQuery code;
without jQuery the page swaps in the same filter in plain JavaScript.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

INDEX_ID = "concordat-offline-index"
#: GX's remote logo addresses (an <img> with a tracking query, and a CSS background), and the local copy used instead.
_REMOTE_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\s\"')]*")
LOCAL_LOGO = Path("static", "images", "logo-long.png")

#: GX's result icons standing alone (those followed by words, e.g. "Status: Failed", are aria-hidden), and their names.
_RESULT_ICON = re.compile(r'<i class="fas (fa-check-circle text-success|fa-times text-danger)((?: [\w-]+)*)"\s*>')
_ICON_NAMES = {"fa-check-circle text-success": "passed", "fa-times text-danger": "failed"}

_CSS = """<style id="concordat-offline-style">
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 1rem 2rem;
       line-height: 1.45; color: #1b1b1b; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
a { color: #1d4f91; }
#concordat-offline-index .failed { color: #a4262c; font-weight: 600; }
#concordat-offline-index .warned { color: #8a5300; }
.fa-check-circle::before { content: "✓"; }
.fa-times::before { content: "✗"; }
.text-success { color: #1e7b34; }
.text-danger { color: #a4262c; }
</style>"""

_HIDE_WHEN_ONLINE = f"""<script>
window.addEventListener("load", function () {{
  if (window.jQuery && window.jQuery.fn && window.jQuery.fn.bootstrapTable) {{
    document.getElementById("{INDEX_ID}").hidden = true;
  }}
}});
</script>"""

#: GX's "Show All" / "Failed Only" filter of a validation page, for when jQuery did not load: the same elements
#: shown or hidden (GX fades them with jQuery).
_FILTER_WITHOUT_JQUERY = """<script id="concordat-offline-filter">
window.addEventListener("load", function () {
  if (window.jQuery) { return; }
  function showSucceeded(visible) {
    var display = visible ? "" : "none";
    function each(selector, show) { document.querySelectorAll(selector).forEach(show); }
    each(".hide-succeeded-validation-target-child", function (el) { el.parentElement.style.display = display; });
    each(".hide-succeeded-validation-target", function (el) { el.style.display = display; });
    each(".hide-succeeded-validations-column-section-target-child", function (el) {
      var section = el.parentElement.parentElement;
      section.style.display = display;
      each('a[href$="' + section.id + '"]', function (link) { link.style.display = display; });
    });
  }
  window.showAllValidations = function () { showSucceeded(true); };
  window.hideSucceededValidations = function () { showSucceeded(false); };
});
</script>"""
#: What marks a validation page with GX's filter.
_GX_FILTER = "function hideSucceededValidations()"

#: The mark shown before each outcome, so it does not rest on colour alone.
_MARKS = {"passed": "✓", "warned": "!", "failed": "✗", "unknown": "?"}


@dataclass(frozen=True)
class _Result:
    suite: str
    run_name: str
    validated_at: str
    page: str  # relative to the site root
    outcome: str  # a key of _MARKS
    status: str  # "Passed", "Passed with 2 warnings", "Failed: 1 critical check, 2 warnings" or "Unknown"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _outcome(stored: dict) -> tuple[str, str]:
    """A suite's outcome and its words, by Concordat's severities (GX fails a suite on a warning too)."""
    results = stored.get("results", [])
    failed = [(r.get("expectation_config") or {}).get("severity", "critical") for r in results if not r.get("success")]
    critical, warnings = failed.count("critical"), len(failed) - failed.count("critical")
    if critical:
        words = f"Failed: {_plural(critical, 'critical check')}"
        return "failed", words + (f", {_plural(warnings, 'warning')}" if warnings else "")
    return ("warned", f"Passed with {_plural(warnings, 'warning')}") if warnings else ("passed", "Passed")


def _result(site: Path, store: Path, page: Path) -> _Result:
    relative = page.relative_to(site / "validations")
    suite, run_name, validated_at = relative.parts[0], relative.parts[1], relative.parts[2]
    stored = store / relative.with_suffix(".json")
    outcome, status = ("unknown", "Unknown")
    if stored.is_file():
        outcome, status = _outcome(json.loads(stored.read_text(encoding="utf-8")))
    return _Result(suite, run_name, validated_at, page.relative_to(site).as_posix(), outcome, status)


def _readable(stamp: str) -> str:
    """GX's folder name for a validation time (`20261123T191556.669734Z`) as `2026-11-23 19:15:56`."""
    try:
        return f"{dt.datetime.strptime(stamp, '%Y%m%dT%H%M%S.%fZ'):%Y-%m-%d %H:%M:%S}"
    except ValueError:
        return stamp


def _row(result: _Result) -> str:
    return (
        f'<tr><td><a href="{html.escape(result.page)}">{html.escape(result.suite)}</a></td>'
        f"<td>{html.escape(result.run_name)}</td><td>{html.escape(_readable(result.validated_at))}</td>"
        f'<td class="{result.outcome}">{_MARKS[result.outcome]} {html.escape(result.status)}</td></tr>'
    )


def _index_section(site: Path, store: Path) -> str:
    results = sorted(
        (_result(site, store, p) for p in (site / "validations").rglob("*.html")),
        key=lambda r: (r.validated_at, r.suite),
        reverse=True,
    )
    rows = "\n".join(_row(r) for r in results)
    suites = "\n".join(
        f'<li><a href="expectations/{html.escape(p.name)}">{html.escape(p.stem)}</a></li>'
        for p in sorted((site / "expectations").glob("*.html"))
    )
    return (
        f'<section id="{INDEX_ID}">\n<h1>Concordat data quality: Data Docs</h1>\n'
        "<p>This list is here because the page's scripts could not be loaded (no internet access). "
        "Each validation result and suite page below still opens.</p>\n"
        "<h2>Validation results, newest first</h2>\n"
        "<table><thead><tr><th>Suite</th><th>Run</th><th>Validated at (UTC)</th><th>Result</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody></table>\n"
        f"<h2>Expectation suites</h2>\n<ul>\n{suites}\n</ul>\n</section>\n{_HIDE_WHEN_ONLINE}"
    )


def _insert_after(pattern: str, text: str, addition: str) -> str:
    match = re.search(pattern, text)
    if not match:
        return text
    return text[: match.end()] + "\n" + addition + text[match.end() :]


def _local_logo(site: Path, page: Path, text: str) -> str:
    """Point every GX logo address at the site's own copy, relative to `page`."""
    local = Path(os.path.relpath(site / LOCAL_LOGO, page.parent)).as_posix()
    return _REMOTE_LOGO.sub(local, text)


def _named_result_icons(text: str) -> str:
    """Name each result icon that stands alone ("passed" or "failed") for assistive technology."""
    return _RESULT_ICON.sub(lambda m: f'<i class="fas {m[1]}{m[2]}" role="img" aria-label="{_ICON_NAMES[m[1]]}">', text)


def make_readable_offline(site: Path, store: Path) -> None:
    """Add the offline stylesheet to every page of the built site, and the plain list of results to its index;
    serve GX's logo from the site itself; name the result icons.

    `store` is GX's validation results store (``uncommitted/validations``), laid out like ``site/validations``."""
    for page in site.rglob("*.html"):
        text = _named_result_icons(_local_logo(site, page, page.read_text(encoding="utf-8")))
        head = _CSS + ("\n" + _FILTER_WITHOUT_JQUERY if _GX_FILTER in text else "")
        text = _insert_after(r"<head[^>]*>", text, head)
        if page == site / "index.html":
            text = _insert_after(r"<body[^>]*>", text, _index_section(site, store))
        page.write_text(text, encoding="utf-8")
