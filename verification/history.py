"""Check the model against reported raids: calibrate on one period, test on the next.

Runs the full train/test check of ``iadsim calibrate`` on a copy of the public
raids dataset and prints the tables::

    .venv/bin/python verification/history.py [CSV] [--cache DIR]

The CSV is, in order: the argument; the environment variable
``IADSIM_RAIDS_CSV``; ``../shared/data/raids/missile_attacks_daily_2022-2025.csv``
next to the repository (found from this script's place, not the working
directory), used only if it exists and announced on stderr. The dataset is not
shipped with iadsim (its compilation states no licence); without a CSV the
script says where to put one and exits with 2.

Split: the fit sees the nights from 2024-07-01 to 2025-03-31 (the months in
which drones lost to EW are reported separately); it is tested on 2025-04-01
to 2025-12-31, never seen, whose reports merge EW into "destroyed" from
2025-08-01. The night of 3-4 July 2025 falls in the test period. A second fit
splits the training period at 2025-01-01 to show how the fitted values move.
The model is the built-in national-defence scenario (the same file as
``examples/national_defence.yaml``). The simulated response tables are cached
(``~/.cache/iadsim`` or ``--cache``), so a second run takes seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository this script belongs to."""
SHARED = Path("..") / "shared" / "data" / "raids" / "missile_attacks_daily_2022-2025.csv"
"""Where a copy of the dataset may sit, relative to the repository root."""
ENVIRONMENT = "IADSIM_RAIDS_CSV"
TRAIN = (dt.date(2024, 7, 1), dt.date(2025, 3, 31))
TEST = (dt.date(2025, 4, 1), dt.date(2025, 12, 31))
NIGHT = dt.date(2025, 7, 3)
BREAK = dt.date(2025, 1, 1)


class NoData(Exception):
    """No raids CSV was given and none was found."""


def raids_csv(given: str | None, environ: Mapping[str, str], root: Path = ROOT) -> Path:
    """The CSV to read: the argument, then ``$IADSIM_RAIDS_CSV``, then the shared copy.

    Raises:
        NoData: naming where a CSV was looked for.
    """
    if given:
        return Path(given)
    if environ.get(ENVIRONMENT):
        return Path(environ[ENVIRONMENT])
    shared = (root / SHARED).resolve()
    if shared.is_file():
        print(f"reading {shared} (no CSV given, nor {ENVIRONMENT})", file=sys.stderr)
        return shared
    raise NoData(
        "no raids CSV: give its path (python verification/history.py CSV) or set "
        f"{ENVIRONMENT}; the public dataset 'Massive Missile Attacks on Ukraine' "
        f"(missile_attacks_daily.csv) is not shipped with iadsim; looked for {shared}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the check and print it; 2 for a missing or unusable CSV."""
    parser = argparse.ArgumentParser(
        description="Calibrate the national-defence model on reported raids and test it."
    )
    parser.add_argument(
        "csv", nargs="?", help=f"raids CSV (default: ${ENVIRONMENT}, then {SHARED})"
    )
    parser.add_argument(
        "--cache", type=Path, help="folder caching simulated tables (default ~/.cache/iadsim)"
    )
    args = parser.parse_args(argv)
    try:
        path = raids_csv(args.csv, os.environ)
    except NoData as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from iadsim.cli.common import check_output_dir
    from iadsim.errors import IadsimError
    from iadsim.history import load_raids
    from iadsim.history.check import calibrate
    from iadsim.history.model import NationalModel, default_scenario
    from iadsim.history.report import calibration_text, markdown_table

    try:
        cache = args.cache
        if cache is None:
            cache = Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "iadsim"
        check_output_dir(cache, "--cache")
        history = load_raids(path)
        model = NationalModel(default_scenario())
    except IadsimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = calibrate(history, model, train=TRAIN, test=TEST, night=NIGHT, seed=0, cache_dir=cache)
    print(calibration_text(result))
    print()
    split = calibrate(
        history, model, train=TRAIN, test=TEST, breaks=[BREAK], seed=0, cache_dir=cache
    )
    print(f"Fitted by period (training split at {BREAK}):")
    rows = []
    for f in split.fits:
        lo, hi = f.interval("pk")
        ew = "–"
        if f.ew is not None:
            elo, ehi = f.interval("ew")
            ew = f"{f.ew:.2f} [{elo:.2f}–{ehi:.2f}]"
        rows.append(
            [f.kind, f"{f.start} to {f.end}", f.nights, f"{f.pk:.2f} [{lo:.2f}–{hi:.2f}]", ew]
        )
    print(markdown_table(["kind", "period", "nights", "pk per round", "EW susceptibility"], rows))
    inside, total = split.coverage()["all"]
    print(f"Test values inside their intervals with the latest period's fit: {inside} of {total}.")
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
