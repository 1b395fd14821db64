"""Weapon-target assignment: iadsim's ``columns`` solver against the published results.

Run from anywhere:

    .venv/bin/python benchmarks/wta.py --data DIR [--proofs proofs/wta]

``--data`` is the folder holding the Andersen, Pavlikov and Toffolo (2022)
``wta_{m}x{n}x{mu}.txt`` files (not shipped with iadsim: repository
tuliotoffolo/wta, folder data/). Every file there is run, smallest first
(``--only 200x400x2 ...`` picks some).

For each instance it prints

- ``10 s``: the ``columns`` solver with a ``--heuristic-limit`` (default 10 s):
  its objective, how far above the optimum (or the best known solution) it is,
  and its wall-clock and CPU seconds;
- the ``columns`` solver with ``--time-limit`` (default 900 s): bound,
  solution, gap, wall-clock and CPU seconds (the machine may be shared: CPU
  seconds are the process's own), and whether its certificate was re-checked
  (:func:`iadsim.wta.proof.verify`: objective re-evaluated from the assignment,
  L(u) recomputed, enumeration and final MIP repeated);
- the published best bound, best solution, gap and time (the shortest run that
  closed it, or 7200 s), and a note: ``closed here`` for instances that no
  published run closed, ``below opt`` when a published solution value lies below
  our proven optimum (probchain evaluates an approximation of the objective).

With ``--proofs DIR`` each certificate is written to ``DIR/wta_{m}x{n}x{mu}.json``.
Runs single-threaded (HiGHS threads=1); set NUMBA_NUM_THREADS=1 as well. Time
limits are wall-clock: on a shared machine (the load average is printed) the
CPU seconds say what the runs cost.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

NAME = re.compile(r"wta_(\d+)x(\d+)x(\d+)\.txt$")


def _files(data: Path, only: list[str]) -> list[Path]:
    found = []
    for path in data.iterdir():
        match = NAME.search(path.name)
        if match and (not only or any(o in path.name for o in only)):
            found.append(((int(match[1]), int(match[3])), path))
    return [path for _, path in sorted(found)]


def _load() -> str:
    """The 1, 5 and 15 minute load averages and the number of CPUs (wall times depend on them)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} CPUs"


def _run(problem: Any, limit: float) -> tuple[Any, float]:
    from iadsim.wta import get_solver

    cpu = time.process_time()
    answer = get_solver("columns").solve(problem, time_limit=limit)
    return answer, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with wta_*.txt files")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds per proof run")
    parser.add_argument(
        "--heuristic-limit", type=float, default=10.0, help="seconds of the short run"
    )
    parser.add_argument("--proofs", type=Path, default=None, help="folder for certificates")
    parser.add_argument("--only", nargs="*", default=[], help="instances whose name holds this")
    parser.add_argument("--no-verify", action="store_true", help="do not re-check certificates")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args()
    for option, value in (
        ("--time-limit", args.time_limit),
        ("--heuristic-limit", args.heuristic_limit),
    ):
        if not value > 0:
            parser.error(f"{option}: expected seconds > 0, got {value}")
    if not args.data.is_dir():
        parser.error(f"--data: {args.data} is not a folder")
    files = _files(args.data, args.only)
    if not files:
        parser.error(f"--data: {args.data} holds no wta_{{m}}x{{n}}x{{mu}}.txt file")

    from iadsim.errors import IadsimError
    from iadsim.wta import ahuja_instance, read_andersen, solve
    from iadsim.wta.literature import TIME_LIMIT, published
    from iadsim.wta.proof import certificate, verify, write

    solve(ahuja_instance(6, seed=0), "columns")  # compile and load once
    if args.proofs is not None:
        args.proofs.mkdir(parents=True, exist_ok=True)
    header = (
        f"{'instance':<14} {'bound':>13} {'solution':>13} {'gap %':>7} {'s':>7} {'cpu s':>7} "
        f"{'chk':>3} | {'10 s sol':>13} {'+%':>6} {'s':>5} {'cpu':>5} | {'pub bound':>13} "
        f"{'pub solution':>13} {'gap %':>6} {'pub s':>6}  note"
    )
    print(f"load average at start: {_load()}", flush=True)
    print(header, flush=True)
    rows: list[dict[str, Any]] = []
    for path in files:
        try:
            problem = read_andersen(path)
        except IadsimError as exc:
            sys.exit(f"error: {exc}")
        key = path.name.removeprefix("wta_").removesuffix(".txt")
        pub = published(key)
        quick, quick_cpu = _run(problem, args.heuristic_limit)
        if quick.status == "optimal":
            full, full_cpu = quick, quick_cpu
        else:
            full, full_cpu = _run(problem, args.time_limit)
        checked = "-"
        document = certificate(problem, full, source=str(path.name))
        if args.proofs is not None:
            write(document, args.proofs / f"wta_{key}.json")
        if not args.no_verify:
            try:
                verify(problem, document)
                checked = "yes"
            except ValueError as exc:
                checked = "NO"
                print(f"  certificate of {key} failed: {exc}", file=sys.stderr)
        best_known = min(full.objective, quick.objective)
        notes = []
        if pub is not None:
            best_known = min(best_known, pub.solution)
            proven = full.status == "optimal"
            if proven and not pub.closed:
                notes.append("closed here")
            # published values have six decimals: differences below 1e-6 are rounding
            if proven and pub.solution < full.objective - 1e-6:
                notes.append("pub below opt")
            elif full.objective < pub.solution - 1e-6:
                notes.append("new best solution")
            if proven and pub.bound > full.objective + 1e-6:
                notes.append("pub bound above opt")
        # the reference for the short run: our proven optimum, else the best known
        reference = full.objective if full.status == "optimal" else best_known
        above = 100 * (quick.objective / reference - 1) if reference > 0 else 0.0
        gap = 100 * (full.gap or 0.0) if full.bound is not None else float("nan")
        bound = "-" if full.bound is None else f"{full.bound:13.6f}"
        if pub is not None:
            pub_s = f"{pub.seconds:6.1f}" if pub.seconds is not None else f"{TIME_LIMIT:6.0f}"
            pub_cols = f"{pub.bound:13.6f} {pub.solution:13.6f} {100 * pub.gap:6.3f} {pub_s}"
        else:
            pub_cols = f"{'-':>13} {'-':>13} {'-':>6} {'-':>6}"
        print(
            f"{key:<14} {bound:>13} {full.objective:13.6f} {gap:7.4f} {full.seconds:7.1f} "
            f"{full_cpu:7.1f} {checked:>3} | {quick.objective:13.6f} {above:6.3f} "
            f"{quick.seconds:5.1f} {quick_cpu:5.1f} | {pub_cols}  {', '.join(notes)}",
            flush=True,
        )
        rows.append(
            {
                "instance": key,
                "bound": full.bound,
                "solution": full.objective,
                "status": full.status,
                "seconds": full.seconds,
                "cpu_seconds": full_cpu,
                "proof": full.info.get("proof"),
                "checked": checked,
                "short_solution": quick.objective,
                "short_seconds": quick.seconds,
                "short_cpu_seconds": quick_cpu,
                "short_above_percent": above,
                "published": None if pub is None else vars(pub),
                "notes": notes,
            }
        )
    closed = [row["instance"] for row in rows if "closed here" in row["notes"]]
    print(f"\nclosed here, open in the published runs: {', '.join(closed) or 'none'}")
    print(f"load average at end: {_load()}")
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
