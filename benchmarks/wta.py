"""Weapon-target assignment benchmark: every registered solver on the literature instances.

Run from the repository root:

    .venv/bin/python benchmarks/wta.py              # full run, about 11 minutes here
    .venv/bin/python benchmarks/wta.py --quick      # small sizes only, under a minute

Prints, per Ahuja et al. (2007) size and per Andersen et al. (2022) instance,
the objective, bound and seconds of greedy, local, exact and the baseline
``oa`` (plain outer approximation over HiGHS: the general-purpose MIP on the
linearised problem), and the gap of each to the best bound on that instance.
Same as ``iadsim wta bench``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from iadsim.wta.bench import HEADER, format_row, run_bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instances only")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/data/wta"),
        help="folder with the Andersen et al. wta_*.txt files",
    )
    parser.add_argument(
        "--time-limit", type=float, default=25.0, help="seconds per instance for exact and oa"
    )
    parser.add_argument(
        "--heuristic-limit", type=float, default=1.0, help="seconds per instance for local"
    )
    args = parser.parse_args()
    data = args.data if args.data.is_dir() else None
    if data is None:
        print(f"note: {args.data} not found; Andersen et al. instances skipped")
    print(HEADER, flush=True)
    run_bench(
        data,
        quick=args.quick,
        exact_limit=args.time_limit,
        heuristic_limit=args.heuristic_limit,
        on_row=lambda row: print(format_row(row), flush=True),
    )


if __name__ == "__main__":
    main()
