"""How much memory iadsim may still use: the one estimate every memory check compares with."""

from __future__ import annotations

import os

__all__ = ["available_memory", "format_bytes"]


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
