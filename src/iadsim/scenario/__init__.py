"""The scenario file format: models, units, presets and loading."""

from iadsim.scenario.load import apply_overrides, load_scenario, parse_scenario, read_raw
from iadsim.scenario.models import (
    SCHEMA_VERSION,
    THREAT_KINDS,
    Asset,
    Doctrine,
    FireUnit,
    LatLon,
    Launch,
    Raid,
    Route,
    Scenario,
    Sensor,
    ThreatClass,
    launch_window,
)
from iadsim.scenario.presets import FIRE_UNIT_PRESETS, SENSOR_PRESETS, THREAT_PRESETS

__all__ = [
    "FIRE_UNIT_PRESETS",
    "SCHEMA_VERSION",
    "SENSOR_PRESETS",
    "THREAT_KINDS",
    "THREAT_PRESETS",
    "Asset",
    "Doctrine",
    "FireUnit",
    "LatLon",
    "Launch",
    "Raid",
    "Route",
    "Scenario",
    "Sensor",
    "ThreatClass",
    "apply_overrides",
    "launch_window",
    "load_scenario",
    "parse_scenario",
    "read_raw",
]
