"""Check the model against reported raids: calibrate on one period, test on the next.

Runs the full train/test check of ``iadsim calibrate`` on the shared copy of
the public raids dataset and prints the tables::

    .venv/bin/python verification/history.py [CSV]

Split: the fit sees the nights from 2024-07-01 to 2025-03-31 (the months in
which drones lost to EW are reported separately); it is tested on 2025-04-01
to 2025-12-31, never seen, whose reports merge EW into "destroyed" from
2025-08-01. The night of 3-4 July 2025 falls in the test period. A second fit
splits the training period at 2025-01-01 to show how the fitted values move.
The simulated response tables are cached (``~/.cache/iadsim``), so a second
run takes seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

from iadsim.history import load_raids
from iadsim.history.check import calibrate
from iadsim.history.model import NationalModel
from iadsim.history.report import calibration_text, markdown_table

ROOT = Path(__file__).resolve().parent.parent
DATA = Path("/work/shared/data/raids/missile_attacks_daily_2022-2025.csv")
SCENARIO = ROOT / "examples" / "national_defence.yaml"
TRAIN = (dt.date(2024, 7, 1), dt.date(2025, 3, 31))
TEST = (dt.date(2025, 4, 1), dt.date(2025, 12, 31))
NIGHT = dt.date(2025, 7, 3)
BREAK = dt.date(2025, 1, 1)


def main() -> None:
    """Run the check and print it."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    cache = Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "iadsim"
    history = load_raids(path)
    model = NationalModel(SCENARIO)
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


if __name__ == "__main__":
    main()
