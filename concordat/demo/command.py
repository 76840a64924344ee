"""`concordat demo`: write realistic synthetic demo files (see concordat.demo)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from concordat import paths, progress
from concordat.demo.files import FILES, MANIFEST
from concordat.demo.generator import Options, generate
from concordat.errors import UserInputError


def _earlier_demo(out: Path) -> bool:
    """Whether `out` holds a manifest written by `concordat demo` (its files may be replaced)."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == "concordat demo"


def check_out(out: Path) -> None:
    """The demo writes only a new folder, an empty one, or an earlier demo's: never over files of the user's own."""
    if out.exists() and not out.is_dir():
        raise UserInputError(f"--out {out} exists and is not a folder")
    taken = sorted(name for name in (*FILES.values(), MANIFEST) if (out / name).exists())
    if taken and not _earlier_demo(out):
        raise UserInputError(
            f"--out {out} already holds {', '.join(taken)}, not written by `concordat demo`: "
            "choose a new or empty folder, so that no file of yours is overwritten"
        )


def options_from_args(args: argparse.Namespace) -> Options:
    share = float(getattr(args, "bad_row_share", 0.005))
    if not (math.isfinite(share) and 0.0 <= share <= 0.5):
        raise UserInputError(f"--bad-row-share must be between 0 and 0.5, not {share}")
    out = Path(args.out) if getattr(args, "out", None) else paths.home() / "demo"
    check_out(out)
    return Options(
        out=out,
        scale=str(getattr(args, "scale", None) or Options.scale),  # None: the default (`concordat run` passes it on)
        seed=Options.seed if getattr(args, "seed", None) is None else int(args.seed),
        start_year=getattr(args, "start_year", None),
        end_year=getattr(args, "end_year", None),
        bad_row_share=share,
    )


def run(args: argparse.Namespace) -> int:
    options = options_from_args(args)
    with progress.step(f"generating {options.scale} demo data in {options.out}"):
        manifest = generate(options)
    counts = manifest["row_counts"]
    assert isinstance(counts, dict)
    print(f"demo data written to {options.out}: " + ", ".join(f"{name} {n:,} rows" for name, n in counts.items()))
    if not manifest["interventions"]:
        print("no interventions planted: that needs at least 36 months (18 before and 18 after a start date)")
    return 0
