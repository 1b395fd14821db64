"""Which threat kind each weapon model of the reported-raids data is.

The data names weapon models as the Air Force reports them (``Shahed-136/131``,
``Iskander-M/KN-23``, ``X-101/X-555 and Kalibr``). A row whose model joins
several names with `` and `` is usable only when every name is of the same
kind: its counts cannot be split between kinds.
"""

from __future__ import annotations

from iadsim.history.text import plain

__all__ = ["HISTORY_KINDS", "MODEL_KINDS", "NOT_MODELLED", "threat_kind"]

HISTORY_KINDS = ("owa_drone", "cruise_missile", "ballistic_missile", "hypersonic")
"""Threat kinds the reported-raids data can be mapped to, in report order."""

MODEL_KINDS: dict[str, str] = {
    # one-way-attack drones; the reports count Gerbera-type decoys inside Shahed-136/131
    "shahed-136/131": "owa_drone",
    # ballistic missiles
    "iskander-m": "ballistic_missile",
    "kn-23": "ballistic_missile",
    "iskander-m/kn-23": "ballistic_missile",
    "ballistic missile": "ballistic_missile",
    # air-launched ballistic and hypersonic missiles
    "x-47 kinzhal": "hypersonic",
    "3m22 zircon": "hypersonic",
    # cruise missiles, air-, sea- and ground-launched
    "x-101/x-555": "cruise_missile",
    "kalibr": "cruise_missile",
    "iskander-k": "cruise_missile",
    "x-22": "cruise_missile",
    "x-32": "cruise_missile",
    "x-59": "cruise_missile",
    "x-69": "cruise_missile",
    "x-59/x-69": "cruise_missile",
    "x-59mk2": "cruise_missile",
    "x-31": "cruise_missile",
    "x-31p": "cruise_missile",
    "x-31pd": "cruise_missile",
    "x-35": "cruise_missile",
    "p-800 oniks": "cruise_missile",
    "banderol": "cruise_missile",
}
"""Weapon model (lower case) -> threat kind."""

NOT_MODELLED: dict[str, str] = {
    "c-300": "S-300/S-400 surface-to-air missiles fired at ground targets have no threat "
    "class in the model",
    "c-400": "S-300/S-400 surface-to-air missiles fired at ground targets have no threat "
    "class in the model",
    "c-300/c-400": "S-300/S-400 surface-to-air missiles fired at ground targets have no "
    "threat class in the model",
    "intercontinental ballistic missile": "an intermediate-range or intercontinental "
    "missile has no threat class in the model",
    "unknown missile": "the missile type is unknown, so its kind is",
    "unknown uav": "the drone type is unknown, so its kind is",
    "gbu": "guided bombs are not part of the national air-defence model",
    "lancet": "Lancet loitering munitions strike at the front line, outside the "
    "national air-defence model",
}
"""Weapon models (lower case) known but left out, with the reason."""

_RECONNAISSANCE = (
    "orlan",
    "zala",
    "supercam",
    "merlin",
    "reconnaissance",
    "forpost",
    "granat",
    "mohajer",
    "orion",
    "eleron",
    "kub",
    "молнія",
    "привет",
)


def _one(name: str) -> tuple[str | None, str]:
    key = " ".join(name.strip().lower().split())
    if key in MODEL_KINDS:
        return MODEL_KINDS[key], ""
    if key in NOT_MODELLED:
        reason = NOT_MODELLED[key]
        if reason.endswith(" is"):
            reason += " not known"
        return None, reason
    if key.startswith(_RECONNAISSANCE):
        return None, (
            "reconnaissance or front-line drone, outside the national air-defence model "
            f"({plain(name)})"
        )
    return None, f"unknown weapon model, no threat kind for it ({plain(name)})"


def threat_kind(model: str) -> tuple[str | None, str]:
    """The threat kind of a weapon model as the data names it, or why there is none.

    Returns:
        ``(kind, "")`` for a usable model, ``(None, reason)`` otherwise.
    """
    if not isinstance(model, str) or not model.strip():
        return None, "no weapon model given"
    parts = [p for p in model.split(" and ") if p.strip()]
    kinds = []
    for part in parts:
        kind, reason = _one(part)
        if kind is None:
            return None, reason
        kinds.append(kind)
    unique = list(dict.fromkeys(kinds))
    if len(unique) > 1:
        return None, (
            "the row mixes threat kinds, so its counts cannot be split between them "
            f"({', '.join(unique)})"
        )
    return unique[0], ""
