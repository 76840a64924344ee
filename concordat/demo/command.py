"""`concordat demo`: write realistic synthetic demo files (see concordat.demo)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from concordat import paths, progress
from concordat.demo.generator import Options, generate
from concordat.errors import UserInputError


def options_from_args(args: argparse.Namespace) -> Options:
    share = float(getattr(args, "bad_row_share", 0.005))
    if not (math.isfinite(share) and 0.0 <= share <= 0.5):
        raise UserInputError(f"--bad-row-share must be between 0 and 0.5, not {share}")
    out = Path(args.out) if getattr(args, "out", None) else paths.home() / "demo"
    if out.exists() and not out.is_dir():
        raise UserInputError(f"--out {out} exists and is not a folder")
    return Options(
        out=out,
        scale=str(getattr(args, "scale", "small")),
        seed=int(getattr(args, "seed", 136)),
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
