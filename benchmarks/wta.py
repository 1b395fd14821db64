"""Weapon-target assignment benchmark: every registered solver on the literature instances.

Run from anywhere:

    .venv/bin/python benchmarks/wta.py --data DIR   # full run, about 11 minutes here
    .venv/bin/python benchmarks/wta.py --quick      # small sizes only, under a minute

``--data`` is the folder holding the Andersen et al. ``wta_*.txt`` files (not shipped
with iadsim: their repository, tuliotoffolo/wta, states no licence); without it only
the generated Ahuja et al. instances run.

Prints, per Ahuja et al. (2007) size and per Andersen et al. (2022) instance,
the objective, bound and seconds of greedy, local, exact and the baseline
``oa`` (plain outer approximation over HiGHS: the general-purpose MIP on the
linearised problem), and the gap of each to the best bound on that instance.
Same as ``iadsim wta bench``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from iadsim.errors import IadsimError
from iadsim.wta.bench import ANDERSEN_SIZES, HEADER, format_row, run_bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instances only")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder with the Andersen et al. wta_*.txt files (default: generated instances only)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=25.0, help="seconds per instance for exact and oa"
    )
    parser.add_argument(
        "--heuristic-limit", type=float, default=1.0, help="seconds per instance for local"
    )
    args = parser.parse_args()
    for option, value in (
        ("--time-limit", args.time_limit),
        ("--heuristic-limit", args.heuristic_limit),
    ):
        if not value >= 0:
            parser.error(f"{option}: expected seconds >= 0, got {value}")
    data = args.data
    if data is None:
        print("note: Andersen et al. instances not run (give --data FOLDER)", file=sys.stderr)
    else:
        sizes = ANDERSEN_SIZES[:1] if args.quick else ANDERSEN_SIZES
        names = [f"wta_{size}x{mu}.txt" for size in sizes for mu in (1, 2, 3)]
        if not data.is_dir() or not any((data / name).is_file() for name in names):
            parser.error(f"--data: {data} is not a folder holding {names[0]} ... {names[-1]}")
    print(HEADER, flush=True)
    try:
        run_bench(
            data,
            quick=args.quick,
            exact_limit=args.time_limit,
            heuristic_limit=args.heuristic_limit,
            on_row=lambda row: print(format_row(row), flush=True),
        )
    except IadsimError as exc:  # a damaged instance file: one line, no traceback
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
