"""The `concordat` command line (specs: cli.md). It parses arguments and wires the layers together.

Each command is implemented in its layer's home (``ingest/``, ``warehouse`` via ``concordat.build``,
``expectations/``, ``dashboard/``) as a function ``run(args) -> int``. Errors are typed
(``concordat.errors``) and turned here into an exit code and a one-line message: a user's mistake never
prints a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import sys
from collections.abc import Callable, Sequence

from concordat import __version__, contracts
from concordat.errors import ConcordatError

#: command -> (module, function)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("concordat.demo.command", "run"),
    "ingest": ("ingest.command", "run"),
    "build": ("concordat.build", "run"),
    "validate": ("expectations.command", "run"),
    "publish": ("concordat.publish", "run"),
    "dashboard": ("dashboard.command", "run"),
    "report": ("dashboard.report", "run"),
    "status": ("concordat.status", "run"),
    "run": ("concordat.pipeline", "run"),
}


def scale_arg(value: str) -> str:
    if value in ("small", "national"):
        return value
    try:
        if float(value) > 0:
            return value
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"--scale must be small, national or a positive number, not {value!r}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="concordat",
        description="Measure what police and mental-health partnership working achieves (MHA s136).",
    )
    parser.add_argument("--version", action="version", version=f"concordat {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="generate realistic synthetic demo data (the four record-level sources)")
    p.add_argument("--out", default=None, help="output folder (default: $CONCORDAT_HOME/demo)")
    p.add_argument("--scale", type=scale_arg, default="small", help="small | national | N (N x national)")
    p.add_argument("--seed", type=int, default=136, help="random seed (same seed, same files)")
    p.add_argument("--start-year", type=int, default=None, help="first financial year (2016 = 2016/17)")
    p.add_argument("--end-year", type=int, default=None, help="last financial year (2023 = 2023/24)")
    p.add_argument("--bad-row-share", type=float, default=0.005, help="share of deliberately bad rows")

    p = sub.add_parser("ingest", help="load files of one source into the build warehouse")
    p.add_argument(
        "source", metavar="SOURCE", choices=list(contracts.CONTRACTS), help=f"one of: {', '.join(contracts.CONTRACTS)}"
    )
    p.add_argument("paths", metavar="PATH", nargs="+", help="CSV or XLSX files")
    p.add_argument("--json", action="store_true", help="one JSON summary object per file on stdout")

    p = sub.add_parser("build", help="dbt build (seeds, models, tests) on the build warehouse")
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")

    p = sub.add_parser("validate", help="run the Great Expectations suites; results stored in the warehouse")
    p.add_argument("--json", action="store_true", help="print the results as JSON")

    sub.add_parser("publish", help="copy the validated build warehouse to the serving file, atomically")

    p = sub.add_parser("dashboard", help="serve the Streamlit dashboard on the serving file (read-only)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--internal", action="store_true", help="show small numbers (internal view)")

    p = sub.add_parser("report", help="one-page HTML report for an area and period")
    p.add_argument("--area", required=True, help="area code, e.g. E23000011 or EW")
    p.add_argument("--period", required=True, help="financial year, e.g. 2023/24")
    p.add_argument("--out", required=True, help="output HTML file")

    p = sub.add_parser("status", help="what is loaded: files, periods, freshness, last validation")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "run",
        help="demo -> ingest -> build -> validate -> publish -> dashboard; "
        "where you have loaded files of your own: build -> validate -> publish -> dashboard on those",
    )
    p.add_argument("--scale", type=scale_arg, default=None, help="demo size: small (default) | national | N")
    p.add_argument("--seed", type=int, default=None, help="demo random seed (default 136)")
    p.add_argument("--no-serve", action="store_true", help="stop after publishing; do not start the dashboard")
    p.add_argument("--port", type=int, default=8501)
    return parser


def resolve(command: str) -> Callable[[argparse.Namespace], int]:
    """The function implementing a command (its module is imported only when it runs)."""
    module_name, func_name = COMMANDS[command]
    return getattr(importlib.import_module(module_name), func_name)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so Python's flush at exit does not fail again on the closed pipe."""
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return resolve(args.command)(args)
    except ConcordatError as exc:
        print(f"concordat {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"concordat {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`concordat validate | head -1`): nothing is wrong
        _discard_stdout()
        return 128 + 13  # as a shell reports SIGPIPE
    except Exception as exc:  # an internal error: say so plainly, keep the detail in the log
        from concordat.logs import log_exception

        where = log_exception(args.command, exc)
        print(
            f"concordat {args.command}: internal error: {type(exc).__name__}: {exc} (details in {where})",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
