"""The limits iadsim puts on what it reads and the work it takes on, in one place.

Every input file (scenario, sweep, campaign, laydown, procurement) and every
``--set`` value is read within these limits, so that a hostile or mistaken file
of a few bytes ends in a clear error, quickly and in little memory, instead of a
hang, a crash or gigabytes of memory. The limits are generous for real use: the
largest raid reported so far is about 800 drones and missiles in one night,
while a scenario may launch :data:`MAX_THREATS`.

Limits on work whose size is only known once a file is read (the arrays of a
compiled scenario, one batch of outcomes) are checked against an estimate of
the memory they need before anything is allocated (:func:`check_memory`).
"""

from __future__ import annotations

import os

__all__ = [
    "MAX_ALIASES",
    "MAX_AREA_M2",
    "MAX_ASSET_VALUE",
    "MAX_CAMPAIGN_DAYS",
    "MAX_CHANNELS",
    "MAX_COMPILE_PAIRS",
    "MAX_DEPTH",
    "MAX_DETECTION_LOOKS",
    "MAX_DURATION_S",
    "MAX_ENGAGEMENTS",
    "MAX_EXACT_NODES",
    "MAX_FILE_BYTES",
    "MAX_LENGTH_M",
    "MAX_MONEY_USD",
    "MAX_NODES",
    "MAX_OVERRIDE_BYTES",
    "MAX_QUANTITY_CHARS",
    "MAX_REPLICATIONS",
    "MAX_ROUNDS",
    "MAX_SEED",
    "MAX_SPEED_MPS",
    "MAX_SWEEP_POINTS",
    "MAX_TERRAIN_BYTES",
    "MAX_TERRAIN_CELLS",
    "MAX_TERRAIN_CELL_M",
    "MAX_THREATS",
    "MAX_UNIT_EXPONENT",
    "MAX_WAYPOINTS",
    "MAX_WEIGHT",
    "MEMORY_SHARE",
    "MIN_DECISION_CYCLE_S",
    "MIN_TERRAIN_CELL_M",
    "available_memory",
    "check_memory",
    "format_bytes",
]

# --- reading files ------------------------------------------------------------------------------

MAX_FILE_BYTES = 4 * 2**20
"""Largest input file, in bytes (4 MiB). The capital night raid example is 8 kB."""

MAX_OVERRIDE_BYTES = 64 * 2**10
"""Largest value of one ``--set``, ``--grid`` or ``--random`` option, in bytes (64 KiB)."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists in a file or value (a scenario needs 6)."""

MAX_NODES = 100_000
"""Most values (scalars, lists and mappings) in one file, counted after YAML aliases are
expanded: a file of a few bytes cannot stand for millions of values ("billion laughs").
A scenario with a thousand fire units has about 20,000."""

MAX_ALIASES = 10_000
"""Most YAML aliases (``*name``) in one file. Anchors and aliases are allowed; an alias
to a node that contains itself (a recursive alias) is refused."""

# --- quantities ---------------------------------------------------------------------------------

MAX_QUANTITY_CHARS = 100
"""Longest quantity text (``"150 km"``). A quantity is a decimal number (optionally with
an exponent, ``1.5e3``) and a unit made of unit names joined by ``*`` and ``/``, each
with an optional small integer power (``m^2``, ``m**2``, ``s^-1``)."""

MAX_UNIT_EXPONENT = 4
"""Largest power of one unit name in a quantity (``m^2``; at most ``^4``)."""

MAX_LENGTH_M = 1e8
"""Largest length or distance from the origin, in metres (100,000 km)."""

MAX_SPEED_MPS = 1e5
"""Largest speed, in metres per second (100 km/s)."""

MAX_DURATION_S = 30 * 86400.0
"""Longest duration or time offset in a scenario, in seconds (30 days)."""

MAX_AREA_M2 = 1e6
"""Largest radar cross-section, in square metres."""

MAX_MONEY_USD = 1e13
"""Largest amount of money, in US dollars (10 trillion)."""

MAX_ASSET_VALUE = 1e12
"""Largest asset value (a relative scale)."""

MAX_WEIGHT = 1e12
"""Largest target weight of a raid (a relative scale)."""

# --- scenarios ----------------------------------------------------------------------------------

MAX_THREATS = 100_000
"""Most threats one scenario (one night) launches, over all its raids; also the most on
one campaign night."""

MAX_WAYPOINTS = 32
"""Most waypoints on one route (the route jitter's draws are keyed by waypoint)."""

MAX_TERRAIN_BYTES = 2**30
"""Largest elevation model file, in bytes (1 GiB)."""

MAX_TERRAIN_CELLS = 64_000_000
"""Most cells of an elevation grid in the local frame (8,000 x 8,000: 720 km square at 90 m)."""

MIN_TERRAIN_CELL_M = 1.0
"""Finest terrain cell, metres."""

MAX_TERRAIN_CELL_M = 10_000.0
"""Coarsest terrain cell, metres."""

MAX_CHANNELS = 1_000
"""Most fire channels of one fire unit."""

MAX_ROUNDS = 10**9
"""Most ready rounds, or rounds in reserve, of one fire unit; most interceptors in a stock,
a delivery or a production step."""

MAX_ENGAGEMENTS = 10**6
"""Largest ``doctrine.max_engagements``."""

MAX_EXACT_NODES = 10**9
"""Largest ``doctrine.exact_node_limit``."""

MIN_DECISION_CYCLE_S = 0.001
"""Shortest ``doctrine.decision_cycle``, in seconds (decisions fall on a grid of cycles
counted in 64-bit integers)."""

MAX_SEED = 2**64 - 1
"""Largest seed anywhere (seeds are 64-bit unsigned integers)."""

MAX_COMPILE_PAIRS = 10_000_000
"""Most (threat, sensor or fire unit) pairs whose windows compiling computes; about a minute
of compiling on one core."""

MAX_DETECTION_LOOKS = 100_000_000
"""Most sensor looks one replication may need in the worst case (window length over scan
period, or 20 / pd looks when detection is likely sooner), summed over detection windows."""

# --- runs, sweeps and planning ------------------------------------------------------------------

MAX_REPLICATIONS = 10_000_000
"""Most replications asked for in a file (sweep, laydown, procurement)."""

MAX_SWEEP_POINTS = 100_000
"""Most points of one sweep: grid combinations times random draws."""

MAX_CAMPAIGN_DAYS = 3_650
"""Longest campaign horizon, in days (ten years)."""

# --- memory -------------------------------------------------------------------------------------

MEMORY_SHARE = 0.75
"""Work estimated to need more than this share of the memory available is refused."""


def _meminfo_available() -> int | None:
    """Linux's MemAvailable, in bytes; ``None`` where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _address_space_left() -> int | None:
    """Bytes this process may still map under its address-space limit, if it has one."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/statm", encoding="ascii") as handle:
            used = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        return max(0, soft - used)
    except (ImportError, OSError, ValueError, IndexError):
        return None


def available_memory() -> int:
    """Bytes of memory available to new allocations.

    ``IADSIM_MEMORY_LIMIT`` (bytes) overrides it, e.g. for a container whose limit
    the kernel does not report. Otherwise the smaller of free memory (Linux:
    MemAvailable) and what the process's address-space limit still allows; failing
    both, the machine's total memory.
    """
    override = os.environ.get("IADSIM_MEMORY_LIMIT")
    if override:
        try:
            return max(int(float(override)), 0)
        except ValueError:
            pass
    known = [n for n in (_meminfo_available(), _address_space_left()) if n is not None]
    if known:
        return min(known)
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def format_bytes(n: float) -> str:
    """``1.5 GB``, ``320 MB``, ``12 kB``: decimal units, for messages."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n / 1e3:,.0f} kB"


def check_memory(needed: float, work: str) -> str | None:
    """Say why ``work`` needing ``needed`` bytes does not fit, or ``None`` if it fits.

    It fits if it needs at most :data:`MEMORY_SHARE` of :func:`available_memory`.
    """
    budget = MEMORY_SHARE * available_memory()
    if needed <= budget:
        return None
    return (
        f"{work} would need about {format_bytes(needed)} of memory, more than the "
        f"{format_bytes(budget)} iadsim allows itself here ({MEMORY_SHARE:.0%} of what is "
        "available); ask for less"
    )
