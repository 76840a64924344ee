"""`concordat run`: demo -> ingest -> build -> validate -> publish -> dashboard, on built-in demo data.

Each step calls the same command a user would run by hand. A step whose layer does not exist yet is skipped
and said so; a step that fails stops the run with its own exit code. The run starts from a fresh warehouse, so
it refuses a CONCORDAT_HOME that holds files of the user's own (anything loaded that is not the demo's).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from pathlib import Path

from concordat import database, paths
from concordat.errors import LayerNotAvailable, UserInputError

#: Published national figures shipped with the project (the ho_s136 contract format).
HO_S136_REFERENCE = paths.PROJECT_ROOT / "ingest" / "reference" / "ho_s136_national.csv"
#: Demo files in ingest order: (source, file name). Files that are absent are skipped.
DEMO_FILES: tuple[tuple[str, str], ...] = (
    ("s136", "s136.csv"),
    ("custody", "custody.csv"),
    ("triage", "triage.csv"),
    ("placements", "placements.xlsx"),
    ("placements", "placements.csv"),
    ("nhs_mha", "nhs_mha.csv"),
    ("planted_interventions", "interventions.csv"),
)


def _say(message: str) -> None:
    print(f"[concordat run] {message}", flush=True)


def _step(command: str, **kwargs: object) -> int:
    """Run one CLI command in-process; return its exit code (LayerNotAvailable propagates)."""
    from concordat.cli import resolve

    return resolve(command)(argparse.Namespace(command=command, **kwargs))


def _ingest_inputs(demo_dir: Path) -> list[tuple[str, Path]]:
    inputs = [(source, demo_dir / name) for source, name in DEMO_FILES if (demo_dir / name).exists()]
    if HO_S136_REFERENCE.exists():
        inputs.append(("ho_s136", HO_S136_REFERENCE))
    return inputs


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def own_files(demo_dir: Path) -> list[str]:
    """Files loaded into this home's warehouses (build and serving) that are neither the demo files in `demo_dir`
    nor the shipped reference: the user's own data, which `concordat run` would replace with the demo."""
    shipped = (*(demo_dir / name for _, name in DEMO_FILES), HO_S136_REFERENCE)
    known = {_sha256(path) for path in shipped if path.is_file()}
    own: set[str] = set()
    for warehouse in (paths.build_warehouse(), paths.serving_warehouse()):
        if not warehouse.is_file():
            continue
        with database.connect(warehouse, read_only=True) as con:
            if database.table_exists(con, "raw", "ingest_log"):
                loaded = con.execute("select distinct file, sha256 from raw.ingest_log where status = 'loaded'")
                own |= {file for file, sha256 in loaded.fetchall() if sha256 not in known}
    return sorted(own)


def _refuse_own_data(home: Path, demo_dir: Path) -> None:
    own = own_files(demo_dir)
    if own:
        shown = ", ".join(own[:3]) + (f" and {len(own) - 3} more" if len(own) > 3 else "")
        raise UserInputError(
            f"{home} holds data of your own ({shown}), which `concordat run` would replace with demo data; "
            "run the demo in another folder (CONCORDAT_HOME=concordat-demo concordat run), or, if they are only an "
            f"earlier demo's, delete {paths.build_warehouse().name} and {paths.serving_warehouse().name} in {home}"
        )


def run(args: argparse.Namespace) -> int:
    if not args.no_serve:  # a busy port fails now, not after the build
        from dashboard.command import check_port

        check_port(args.port)
    home = paths.home()
    demo_dir = home / "demo"
    _refuse_own_data(home, demo_dir)
    ran: list[str] = []
    skipped: list[str] = []

    def attempt(name: str, command: str, **kwargs: object) -> int:
        try:
            code = _step(command, **kwargs)
        except LayerNotAvailable as exc:
            skipped.append(f"{name} ({exc})")
            _say(f"skipped {name}: {exc}")
            return 0
        ran.append(name)
        return code

    _say(f"working folder: {home}")
    # A fresh demo: the warehouse is rebuilt from the files, so the run is repeatable.
    for stale in (paths.build_warehouse(), demo_dir):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()

    steps: list[tuple[str, str, dict[str, object]]] = [
        (
            "demo data",
            "demo",
            dict(
                out=str(demo_dir), scale=args.scale, seed=args.seed, start_year=None, end_year=None, bad_row_share=0.005
            ),
        ),
    ]
    for name, command, kwargs in steps:
        code = attempt(name, command, **kwargs)
        if code != 0:
            return code

    for source, path in _ingest_inputs(demo_dir):
        code = attempt(f"ingest {source}", "ingest", source=source, paths=[str(path)], json=False)
        if code != 0:
            return code
        if skipped and skipped[-1].startswith("ingest"):
            break

    for name, command, kwargs in (
        ("build", "build", dict(full_refresh=False)),
        ("validate", "validate", dict(json=False)),
        ("publish", "publish", {}),
    ):
        code = attempt(name, command, **kwargs)
        if code != 0:
            _say(f"{name} failed (exit {code}); stopping before the dashboard")
            return code

    _say("ran: " + (", ".join(ran) or "nothing"))
    if skipped:
        _say("skipped: " + "; ".join(skipped))
    if args.no_serve:
        _say(f"done; serving file: {paths.serving_warehouse()}")
        return 0
    code = attempt("dashboard", "dashboard", port=args.port, internal=False)
    if skipped and skipped[-1].startswith("dashboard"):
        _say("nothing to serve yet: the dashboard layer is not built")
    sys.stdout.flush()
    return code
