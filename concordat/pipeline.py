"""`concordat run`: demo -> ingest -> build -> validate -> publish -> dashboard, on built-in demo data; or, in a
CONCORDAT_HOME where the user has loaded files of their own, build -> validate -> publish -> dashboard on those.

Each step calls the same command a user would run by hand; a step that fails stops the run with its own exit
code. A demo run starts from a fresh warehouse, so it never runs where it would replace the user's own data; a
home mixing the demo's files with the user's own is refused (its figures would be neither).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from pathlib import Path

from concordat import database, paths
from concordat.demo.files import FILES as DEMO_FILES  # in ingest order; absent files are skipped
from concordat.errors import UserInputError

#: Published national figures shipped with the project (the ho_s136 contract format).
HO_S136_REFERENCE = paths.PROJECT_ROOT / "ingest" / "reference" / "ho_s136_national.csv"


def _say(message: str) -> None:
    print(f"[concordat run] {message}", flush=True)


def _step(command: str, **kwargs: object) -> int:
    """Run one CLI command in-process; return its exit code."""
    from concordat.cli import resolve

    return resolve(command)(argparse.Namespace(command=command, **kwargs))


def _ingest_inputs(demo_dir: Path) -> list[tuple[str, Path]]:
    inputs = [(source, demo_dir / name) for source, name in DEMO_FILES.items() if (demo_dir / name).exists()]
    if HO_S136_REFERENCE.exists():
        inputs.append(("ho_s136", HO_S136_REFERENCE))
    return inputs


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _loaded(warehouse: Path) -> dict[str, str]:
    """sha256 -> file name of every file loaded into `warehouse` (nothing when there is no such file)."""
    if not warehouse.is_file():
        return {}
    with database.connect(warehouse, read_only=True) as con:
        if not database.table_exists(con, "raw", "ingest_log"):
            return {}
        rows = con.execute("select distinct sha256, file from raw.ingest_log where status = 'loaded'").fetchall()
    return dict(rows)


def _demo_hashes(demo_dir: Path) -> set[str]:
    return {_sha256(demo_dir / name) for name in DEMO_FILES.values() if (demo_dir / name).is_file()}


def _reference_hashes() -> set[str]:
    return {_sha256(HO_S136_REFERENCE)} if HO_S136_REFERENCE.is_file() else set()


def _listed(files: list[str]) -> str:
    return ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")


def uses_own_data(args: argparse.Namespace, home: Path, demo_dir: Path) -> bool:
    """True to run on the files the user has loaded, False to run the demo; UserInputError when neither is safe."""
    demo_hashes = _demo_hashes(demo_dir)
    known = demo_hashes | _reference_hashes()
    build, built = paths.build_warehouse(), _loaded(paths.build_warehouse())
    own = sorted({file for sha256, file in built.items() if sha256 not in known})
    if own:
        demo = sorted({file for sha256, file in built.items() if sha256 in demo_hashes})
        if demo:
            raise UserInputError(
                f"{build} holds demo files ({_listed(demo)}) and files of your own ({_listed(own)}): its figures "
                "would be neither; load your files into a new CONCORDAT_HOME"
            )
        if args.scale is not None or args.seed is not None:
            raise UserInputError(
                f"--scale and --seed make demo data, but {home} holds files of your own ({_listed(own)}); "
                "run without them to build your data, or run the demo in another folder "
                "(CONCORDAT_HOME=concordat-demo concordat run)"
            )
        return True
    served = sorted({file for sha256, file in _loaded(paths.serving_warehouse()).items() if sha256 not in known})
    if served:
        raise UserInputError(
            f"{paths.serving_warehouse()} serves data of your own ({_listed(served)}), which a demo run would "
            "replace; run the demo in another folder (CONCORDAT_HOME=concordat-demo concordat run)"
        )
    return False


class _Steps:
    """Runs CLI commands in-process, noting which ran."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def attempt(self, name: str, command: str, **kwargs: object) -> int:
        code = _step(command, **kwargs)
        self.ran.append(name)
        return code


def _demo(steps: _Steps, demo_dir: Path, args: argparse.Namespace) -> int:
    """A fresh demo, generated and ingested: the warehouse is rebuilt from the files, so the run is repeatable."""
    for stale in (paths.build_warehouse(), demo_dir):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    kwargs = dict(
        out=str(demo_dir), scale=args.scale, seed=args.seed, start_year=None, end_year=None, bad_row_share=0.005
    )  # scale and seed None: the demo's defaults
    code = steps.attempt("demo data", "demo", **kwargs)
    if code != 0:
        return code
    for source, path in _ingest_inputs(demo_dir):
        code = steps.attempt(f"ingest {source}", "ingest", source=source, paths=[str(path)], json=False)
        if code != 0:
            return code
    return 0


def run(args: argparse.Namespace) -> int:
    if not args.no_serve:  # a busy port fails now, not after the build
        from dashboard.command import check_port

        check_port(args.port)
    home = paths.home()
    demo_dir = home / "demo"
    own_data = uses_own_data(args, home, demo_dir)
    steps = _Steps()
    _say(f"working folder: {home}")
    if own_data:
        _say(f"building the files you have loaded into {paths.build_warehouse()} (no demo data)")
    else:
        code = _demo(steps, demo_dir, args)
        if code != 0:
            return code

    for name, command, kwargs in (
        ("build", "build", dict(full_refresh=False)),
        ("validate", "validate", dict(json=False)),
        ("publish", "publish", {}),
    ):
        code = steps.attempt(name, command, **kwargs)
        if code != 0:
            _say(f"{name} failed (exit {code}); stopping before the dashboard")
            return code

    _say("ran: " + (", ".join(steps.ran) or "nothing"))
    if args.no_serve:
        _say(f"done; serving file: {paths.serving_warehouse()}")
        return 0
    code = steps.attempt("dashboard", "dashboard", port=args.port, internal=False)
    sys.stdout.flush()
    return code
