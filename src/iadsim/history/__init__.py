"""Checking the model against reported raids: loading, calibration, out-of-sample test."""

from iadsim.history.errors import HistoryError
from iadsim.history.kinds import HISTORY_KINDS, threat_kind
from iadsim.history.load import EW_MERGED_FROM, RaidHistory, load_raids

__all__ = [
    "EW_MERGED_FROM",
    "HISTORY_KINDS",
    "HistoryError",
    "RaidHistory",
    "load_raids",
    "threat_kind",
]
