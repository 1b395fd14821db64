"""Approximate public class-level figures for threats, fire units and sensors.

Every preset names its public source and says it is approximate. Figures come
from the project's public-figures notes (docs/reference/presets.md). No per-shot
kill probability of any real system is public: each preset's ``pk`` is an
*assumption* of this project, labelled so,
for the calibration against reported raids to tune.

A preset is written exactly as a scenario file would write the fields, so a
scenario can override any of them: ``{preset: patriot-class, rounds: 8}``.

Flight profiles (see :mod:`iadsim.geometry.profiles`): the missile classes carry
theirs. A ``ballistic`` preset's ``speed`` is the burnout and re-entry speed of a
drag-free depressed arc, which reaches at most ``speed^2 / g``: the Iskander-M
class's 2,200 m/s reaches about 494 km, its public maximum range being about 500 km.
A preset cannot hold a platform's ``motion`` (an orbit is a place on the
scenario's map): the ``aircraft`` presets and the airborne sensors say in their
``description`` what the scenario must add.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

__all__ = ["FIRE_UNIT_PRESETS", "KIND_DEFAULTS", "SENSOR_PRESETS", "THREAT_PRESETS"]

_APPROX = "Approximate public figure. "
_PK = "Kill probabilities are an assumption of this project, not a published figure."

THREAT_PRESETS: MappingProxyType[str, dict[str, Any]] = MappingProxyType(
    {
        "shahed-136-class": {
            "kind": "owa_drone",
            "description": "Shahed-136 / Geran-2 class one-way-attack drone",
            "speed": "185 km/h",
            "altitude": "500 m",
            "rcs": "0.1 m^2",
            "ew_susceptibility": 0.4,
            "lethality": {"soft": 0.6, "medium": 0.3, "hard": 0.05},
            "cost": "50000 USD",
            "source": _APPROX
            + "150-185 km/h, warhead 40-50 kg, cost $20k-$70k: Janes via sabado.pt "
            "'Como sao os drones iranianos Shahed-136'; CSIS and Ukrainian intelligence "
            "estimates relayed by DefenseExpress and CNN. Altitude, RCS, EW "
            "susceptibility and lethality are assumptions.",
        },
        "gerbera-class": {
            "kind": "decoy",
            "mimics": "owa_drone",
            "description": "Gerbera class decoy drone (no warhead)",
            "speed": "160 km/h",
            "altitude": "500 m",
            "rcs": "0.1 m^2",
            "ew_susceptibility": 0.5,
            "lethality": {"soft": 0.0, "medium": 0.0, "hard": 0.0},
            "cost": "10000 USD",
            "source": _APPROX
            + "~160 km/h, ~600 km, ~$10k: Reuters relaying Ukrainian data (dcnews.ro "
            "'Ce sunt dronele Gerbera'); Daily Mail. Altitude, RCS and EW susceptibility "
            "are assumptions.",
        },
        "kh-101-class": {
            "kind": "cruise_missile",
            "description": "Kh-101 class air-launched cruise missile (follows the terrain at "
            "a constant height; over a smooth earth, as before, 60 m above sea level)",
            "profile": "terrain_following",
            "speed": "900 km/h",
            "altitude": "60 m",
            "rcs": "0.05 m^2",
            "ew_susceptibility": 0.0,
            "lethality": {"soft": 0.95, "medium": 0.8, "hard": 0.5},
            "cost": "13000000 USD",
            "source": _APPROX + "~900 km/h near the ground, 400 kg warhead, ~$13M: exxpress.at; "
            "ukrinform; Forbes Ukraine via ibtimes. Height above the terrain (60 m), RCS and "
            "lethality are assumptions.",
        },
        "iskander-m-class": {
            "kind": "ballistic_missile",
            "description": "Iskander-M / KN-23 class short-range ballistic missile "
            "(depressed drag-free arc; reaches about 494 km at most)",
            "profile": "ballistic",
            "speed": "2200 m/s",
            "boost_time": "20 s",
            "altitude": "15 km",
            "rcs": "0.5 m^2",
            "ew_susceptibility": 0.0,
            "lethality": {"soft": 0.95, "medium": 0.85, "hard": 0.6},
            "cost": "3000000 USD",
            "source": _APPROX + "~500 km range, warhead 480-700 kg, ~$3M: CSIS Missile Threat; "
            "missiledefenseadvocacy.org; Forbes Ukraine; a 'quasi-ballistic' 9M723 on a "
            "flatter trajectory than a ballistic missile's, a test shot of 480 km: Russian "
            "defence ministry via RT France (2017). Speed 2,200 m/s is the burnout speed of a "
            "drag-free arc reaching about 494 km (V^2/g), so that every route up to the public "
            "range can be flown on its depressed arc (apogee about 67 km at 440 km, 25 km at "
            "300 km); boost time and RCS are assumptions; `altitude` is not used by the "
            "ballistic profile.",
        },
        "kinzhal-class": {
            "kind": "hypersonic",
            "description": "Kinzhal class air-launched aeroballistic missile (launched from a "
            "MiG-31K; glide profile: climb to the apogee, glide down, terminal dive)",
            "profile": "glide",
            "speed": "3000 m/s",
            "altitude": "15 km",
            "apogee": "40 km",
            "dive_distance": "25 km",
            "terminal_speed": "1500 m/s",
            "rcs": "0.5 m^2",
            "ew_susceptibility": 0.0,
            "lethality": {"soft": 0.95, "medium": 0.9, "hard": 0.7},
            "cost": "10000000 USD",
            "source": _APPROX
            + "up to Mach 10, 1,500-2,000 km with its carrier: Reuters via dunyanews; "
            "launched by a MiG-31 carrying it to the speed and altitude it needs, "
            "manoeuvring on every stage of its trajectory: Russian defence ministry via RT "
            "and Sputnik (2018). Launch altitude (15 km), apogee (40 km, reached a quarter of "
            "the way), dive distance, terminal speed (slowed to about Mach 4-5 near the "
            "target), RCS and cost are assumptions.",
        },
        "shahed-136-high-class": {
            "kind": "owa_drone",
            "description": "Shahed-136 / Geran-2 class one-way-attack drone, 2025 pattern: "
            "crosses the gun and machine-gun belt at about 3 km, then dives on the target",
            "profile": "dive",
            "speed": "185 km/h",
            "altitude": "3 km",
            "climb_rate": "4 m/s",
            "descent_rate": "8 m/s",
            "dive_distance": "4 km",
            "terminal_speed": "300 km/h",
            "rcs": "0.1 m^2",
            "ew_susceptibility": 0.4,
            "lethality": {"soft": 0.6, "medium": 0.3, "hard": 0.05},
            "cost": "50000 USD",
            "source": _APPROX
            + "speed, warhead and cost as shahed-136-class (Janes via sabado.pt; CSIS, "
            "DefenseExpress, CNN). Flying higher: a Geran at a record 4,900 m over Ukraine "
            "and attacks from ever greater heights (analyst O. Kovalenko via Strana, 2025); "
            "'Shaheds flying at such altitudes' need interceptors, F-16s and helicopters "
            "(President Zelensky via RBC-Ukraine, 2025); they descend on targets nose down "
            "(AP, 2025). Cruise altitude (3 km), climb and descent rates (for waypoints "
            "that change the altitude), dive distance (4 km: about 37 degrees), dive speed, "
            "RCS, EW susceptibility and lethality are assumptions.",
        },
        "geran-3-class": {
            "kind": "owa_drone",
            "description": "Geran-3 / Shahed-238 class jet-powered one-way-attack drone "
            "(cruise high and fast, then a terminal dive)",
            "profile": "dive",
            "speed": "550 km/h",
            "altitude": "4 km",
            "climb_rate": "10 m/s",
            "descent_rate": "20 m/s",
            "dive_distance": "6 km",
            "terminal_speed": "600 km/h",
            "rcs": "0.1 m^2",
            "ew_susceptibility": 0.3,
            "lethality": {"soft": 0.7, "medium": 0.35, "hard": 0.05},
            "cost": "1000000 USD",
            "source": _APPROX
            + "jet or rocket powered, over 500 km/h (Ukraine's interior minister I. "
            "Klymenko), up to 600 km/h and 9,000 m (aviation expert K. Kryvolap), up to $1M "
            "each (P. Narozhnyi to Focus), radars sometimes take them for cruise missiles "
            "(Air Force spokesman Y. Ihnat): ziare.com, 31 July 2025; El Independiente via "
            "andaluciainforma 'Descubriendo el Geran-3'. Cruise altitude (4 km), climb and "
            "descent rates, dive, RCS, EW susceptibility and lethality are assumptions; the "
            "cost is the upper estimate.",
        },
    }
)

KIND_DEFAULTS: MappingProxyType[str, dict[str, Any]] = MappingProxyType(
    {
        "sam": {
            "layer": "medium_range",
            "min_range": "1 km",
            "min_altitude": "0 m",
            "max_altitude": "20 km",
            "channels": 2,
            "reserve": 0,
            "reload_time": "30 min",
            "interceptor_speed": "1000 m/s",
        },
        "gun": {
            "layer": "gun",
            "min_range": "0 m",
            "min_altitude": "0 m",
            "max_altitude": "2500 m",
            "channels": 1,
            "reserve": 0,
            "reload_time": "10 min",
            "interceptor_speed": "1100 m/s",
        },
        "manpads": {
            "layer": "mobile_team",
            "min_range": "200 m",
            "min_altitude": "0 m",
            "max_altitude": "3800 m",
            "channels": 1,
            "reserve": 0,
            "reload_time": "1 min",
            "interceptor_speed": "700 m/s",
        },
        "interceptor_drone": {
            "layer": "interceptor_drone",
            "min_range": "0 m",
            "min_altitude": "0 m",
            "max_altitude": "3000 m",
            "channels": 1,
            "reserve": 0,
            "reload_time": "5 min",
            "interceptor_speed": "300 km/h",
        },
        "ew": {
            "layer": "ew",
            "min_range": "0 m",
            "min_altitude": "0 m",
            "max_altitude": "5 km",
        },
        "aircraft": {
            "layer": "fighters",
            "min_range": "1 km",
            "min_altitude": "0 m",
            "max_altitude": "15 km",
            "channels": 2,
            "reserve": 0,
            "interceptor_speed": "1000 m/s",
        },
        "helicopter": {
            "layer": "helicopter",
            "min_range": "0 m",
            "min_altitude": "0 m",
            "max_altitude": "3000 m",
            "height": "300 m",
            "channels": 1,
            "reserve": 0,
            "reload_time": "30 min",
            "interceptor_speed": "900 m/s",
        },
    }
)
"""Generic fields for a fire unit given only its ``kind``; a preset or the file overrides them."""

FIRE_UNIT_PRESETS: MappingProxyType[str, dict[str, Any]] = MappingProxyType(
    {
        "patriot-class": {
            "kind": "sam",
            "layer": "long_range",
            "min_range": "3 km",
            "max_range": "65 km",
            "max_altitude": "24 km",
            "channels": 3,
            "rounds": 16,
            "reserve": 16,
            "reload_time": "60 min",
            "interceptor_speed": "1400 m/s",
            "pk": {
                "ballistic_missile": 0.2,
                "hypersonic": 0.1,
                "cruise_missile": 0.8,
                "owa_drone": 0.9,
                "decoy": 0.9,
            },
            "cost_per_shot": "4000000 USD",
            "source": _APPROX
            + "interceptor range ~65 km (less against ballistic missiles), ~$4M per "
            "interceptor: nolabels.org 'What are Patriot missiles'; CSIS via Reuters. "
            "Launcher count, channels and speeds are assumptions. " + _PK,
        },
        "nasams-class": {
            "kind": "sam",
            "layer": "medium_range",
            "min_range": "1 km",
            "max_range": "28 km",
            "max_altitude": "15 km",
            "channels": 3,
            "rounds": 12,
            "reserve": 12,
            "reload_time": "45 min",
            "interceptor_speed": "1200 m/s",
            "pk": {"cruise_missile": 0.8, "owa_drone": 0.9, "decoy": 0.9},
            "cost_per_shot": "1000000 USD",
            "source": _APPROX + "AIM-120 AMRAAM range ~25-30 km: vtcnews. Round count, cost per "
            "AMRAAM-class missile and speeds are assumptions. " + _PK,
        },
        "iris-t-slm-class": {
            "kind": "sam",
            "layer": "medium_range",
            "min_range": "1 km",
            "max_range": "40 km",
            "max_altitude": "20 km",
            "channels": 4,
            "rounds": 24,
            "reserve": 8,
            "reload_time": "45 min",
            "interceptor_speed": "1000 m/s",
            "pk": {"cruise_missile": 0.85, "owa_drone": 0.9, "decoy": 0.9},
            "cost_per_shot": "450000 USD",
            "source": _APPROX
            + "40 km range, 20 km altitude, 8 missiles per launcher, 3 launchers per "
            "unit, 250 km radar, ~EUR 140M per system: berlin247; n-tv. Cost per "
            "missile and speed are assumptions. " + _PK,
        },
        "gepard-class": {
            "kind": "gun",
            "layer": "gun",
            "min_range": "0 m",
            "max_range": "5.5 km",
            "max_altitude": "2500 m",
            "channels": 1,
            "rounds": 40,
            "reserve": 0,
            "reload_time": "10 min",
            "interceptor_speed": "1100 m/s",
            "pk": {"owa_drone": 0.4, "decoy": 0.4, "cruise_missile": 0.2},
            "cost_per_shot": "8000 USD",
            "source": _APPROX + "engages to ~5-6 km below ~2,500 m, radar 15 km: fliegerrevue; "
            "derstandard. A 'round' here is one burst; burst count and cost are "
            "assumptions. " + _PK,
        },
        "stinger-class": {
            "kind": "manpads",
            "layer": "mobile_team",
            "min_range": "200 m",
            "max_range": "6 km",
            "max_altitude": "3800 m",
            "channels": 1,
            "rounds": 4,
            "reserve": 0,
            "reload_time": "1 min",
            "interceptor_speed": "700 m/s",
            "pk": {"owa_drone": 0.6, "decoy": 0.6, "cruise_missile": 0.4},
            "cost_per_shot": "120000 USD",
            "source": _APPROX
            + "~5-8 km, ~$120k-$400k per missile depending on lot: thedefensepost; CNN; "
            "thedefencespace. Rounds per team are an assumption. " + _PK,
        },
        "mobile-fire-team": {
            "kind": "gun",
            "layer": "mobile_team",
            "min_range": "0 m",
            "max_range": "2 km",
            "max_altitude": "1500 m",
            "channels": 1,
            "rounds": 30,
            "reserve": 0,
            "reload_time": "5 min",
            "interceptor_speed": "900 m/s",
            "pk": {"owa_drone": 0.25, "decoy": 0.25},
            "cost_per_shot": "500 USD",
            "source": _APPROX
            + "mobile fire groups with heavy machine guns and searchlights downed about "
            "40% of Shaheds on one night (Nov 2023, officials): PRESETS.md. Range, "
            "burst count and cost per burst are assumptions. " + _PK,
        },
        "interceptor-drone-class": {
            "kind": "interceptor_drone",
            "layer": "interceptor_drone",
            "min_range": "0 m",
            "max_range": "15 km",
            "max_altitude": "3000 m",
            "channels": 2,
            "rounds": 12,
            "reserve": 0,
            "reload_time": "5 min",
            "interceptor_speed": "300 km/h",
            "pk": {"owa_drone": 0.68, "decoy": 0.68},
            "cost_per_shot": "5000 USD",
            "source": _APPROX
            + "up to ~300 km/h, $2.5k-$5k each, officials claim ~68% success: t-online; "
            "Reuters via rbc.ua. Range, crews (channels) and drones per crew are "
            "assumptions; the pk is the officials' claimed success rate.",
        },
        "fighter-cap-class": {
            "kind": "aircraft",
            "layer": "fighters",
            "min_range": "1 km",
            "max_range": "25 km",
            "min_altitude": "0 m",
            "max_altitude": "15 km",
            "channels": 2,
            "rounds": 4,
            "reserve": 16,
            "interceptor_speed": "1000 m/s",
            "time_on_station": "1 h",
            "transit_time": "20 min",
            "turnaround": "1 h",
            "pk": {"cruise_missile": 0.8, "owa_drone": 0.8, "decoy": 0.8},
            "cost_per_shot": "1000000 USD",
            "source": "Fighter combat air patrol (F-16 class with medium- and short-range "
            "air-to-air missiles). Needs `motion: {orbit: {centre, length, width, heading, "
            "speed, altitude, start}}` in the scenario: a preset cannot hold the station. "
            "`rounds` are missiles per sortie, `reserve` those at the base for later sorties. "
            + _APPROX
            + "an F-16 downed six cruise missiles in one sortie, four with its air-to-air "
            "missiles (a pair of medium-range, a pair of short-range) and two with its "
            "cannon, 13 Dec 2024: Ukrainian Air Force via Newsweek and nenka.info; another "
            "'used the entire complex of on-board weapons' on seven targets, 28-29 June 2025: "
            "Ukrainian Air Force via MENAFN; AMRAAM-class range ~25-30 km: vtcnews. Missiles "
            "per sortie follow the 2024 sortie; reserve, time on station, transit, "
            "turnaround, channels, speed and cost per missile are assumptions. The cannon is "
            "not modelled here: add a second unit with the same orbit for it. " + _PK,
        },
        "helicopter-gunship-class": {
            "kind": "helicopter",
            "layer": "helicopter",
            "min_range": "0 m",
            "max_range": "1.5 km",
            "min_altitude": "0 m",
            "max_altitude": "3000 m",
            "height": "300 m",
            "channels": 1,
            "rounds": 20,
            "reserve": 40,
            "reload_time": "30 min",
            "interceptor_speed": "900 m/s",
            "pk": {"owa_drone": 0.3, "decoy": 0.3},
            "cost_per_shot": "1000 USD",
            "source": "Helicopter (Mi-8 / Mi-24 class) hunting drones with its on-board machine "
            "gun; give `motion` (an orbit or a timed route with altitudes) for a patrol, or it "
            "hovers `height` above its `position`. "
            + _APPROX
            + "Mi-8 crews shoot down Shahed-136 drones at night with the on-board machine "
            "gun: Defense Express via monitoruldestiri.ro; Ukrainian armed forces video via "
            "obozrevatel (Oct 2025); helicopters among the means against high-flying "
            "Shaheds: President Zelensky via RBC-Ukraine (2025). Range, bursts, reload and "
            "cost per burst are assumptions. " + _PK,
        },
        "ew-site": {
            "kind": "ew",
            "layer": "ew",
            "max_range": "20 km",
            "max_altitude": "5 km",
            "pk": {"owa_drone": 1.0, "decoy": 1.0, "cruise_missile": 1.0},
            "source": "Assumption: no public class-level figure exists for electronic warfare "
            "sites. 'pk' is the chance of defeating a threat whose navigation is "
            "susceptible (the threat class's ew_susceptibility) inside the radius.",
        },
    }
)

SENSOR_PRESETS: MappingProxyType[str, dict[str, Any]] = MappingProxyType(
    {
        "surveillance-radar": {
            "kind": "radar",
            "range": "250 km",
            "reference_rcs": "1 m^2",
            "height": "20 m",
            "scan_period": "10 s",
            "pd": 0.9,
            "source": _APPROX
            + "250 km radar of an IRIS-T SLM-class unit: berlin247; n-tv. Height, scan "
            "period and per-scan detection probability are assumptions.",
        },
        "gepard-radar": {
            "kind": "radar",
            "range": "15 km",
            "reference_rcs": "1 m^2",
            "height": "4 m",
            "scan_period": "1 s",
            "pd": 0.8,
            "source": _APPROX
            + "radar 15 km: fliegerrevue; derstandard. Reference RCS, scan period and pd "
            "are assumptions.",
        },
        "aew-radar": {
            "kind": "radar",
            "range": "300 km",
            "reference_rcs": "1 m^2",
            "height": "0 m",
            "scan_period": "5 s",
            "pd": 0.8,
            "source": "Airborne early warning radar (Saab 340 AEW / ASC 890 Erieye class). Needs "
            "`motion: {orbit: ...}` at about 6 km in the scenario: a preset cannot hold the "
            "orbit (without one the radar stands on the ground). "
            + _APPROX
            + "detects aircraft, missiles and ships at up to 300-400 km (some sources 450-550 "
            "km) from about 6,100 m; about 5 hours aloft; two aircraft given to Ukraine: "
            "Swedish government (29 May 2024) via portfolio.hu and gagadget; news-pravda "
            "(Apr 2025). The RCS at which the range holds, scan period and pd are "
            "assumptions.",
        },
        "recon-drone-eo": {
            "kind": "optical",
            "range": "8 km",
            "reference_rcs": "1 m^2",
            "height": "0 m",
            "scan_period": "2 s",
            "pd": 0.6,
            "field_of_regard": 120.0,
            "discrimination": 0.5,
            "source": "Reconnaissance drone with an electro-optical / infrared turret looking "
            "down through a cone. Airborne only: needs `motion` in the scenario (an orbit, or "
            "a timed route above the ground). Assumption: reconnaissance drones with day and "
            "night cameras are publicly reported, but no class-level detection range against "
            "a drone, field of regard or chance of telling a decoy from a Shahed is; these "
            "figures are illustrative.",
        },
        "acoustic-post": {
            "kind": "acoustic",
            "range": "5 km",
            "reference_rcs": "1 m^2",
            "height": "5 m",
            "scan_period": "5 s",
            "pd": 0.7,
            "source": "Assumption: acoustic sensor networks against drones are publicly "
            "reported but no class-level range is; these figures are illustrative.",
        },
    }
)
