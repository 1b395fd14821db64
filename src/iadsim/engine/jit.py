"""Compiling kernels: the very bytecode of a :func:`iadsim.kernel.kernel`, through Numba.

:func:`compiled` gives the Numba twin of a kernel. The twin runs the kernel's own
code object in a copy of its module's namespace in which every kernel it names
is replaced by that kernel's twin, and a kernel declared with ``compiled_as``
by its stand-in; nothing is rewritten by hand. Twins are cached on disk by
Numba (``cache=True``), release the GIL (``nogil=True``), so replications can
run on threads, and do without reference counting unless they allocate
(``_nrt=False``; see :mod:`iadsim.kernel`).

Numba is imported by this module: only the fast engine imports it.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from numba import njit

from iadsim.kernel import is_kernel, spec

__all__ = ["compiled"]

_twins: dict[Callable[..., Any], Any] = {}


def _clone(fn: Callable[..., Any], namespace: dict[str, Any]) -> types.FunctionType:
    code = fn.__code__
    clone = types.FunctionType(code, namespace, fn.__name__, fn.__defaults__)
    clone.__qualname__ = fn.__qualname__
    clone.__module__ = fn.__module__
    clone.__doc__ = fn.__doc__
    return clone


def compiled(fn: Callable[..., Any]) -> Any:
    """The Numba dispatcher that runs kernel ``fn``'s bytecode (made once per process)."""
    twin = _twins.get(fn)
    if twin is not None:
        return twin
    options = spec(fn)
    source = options.compiled_as or fn
    namespace = dict(source.__globals__)
    flags: dict[str, Any] = {
        "cache": True,
        "nogil": True,
        "inline": "always" if options.inline else "never",
        "_nrt": options.allocates,
    }
    twin = njit(**flags)(_clone(source, namespace))
    _twins[fn] = twin  # before the callees: kernels may call each other in a cycle
    for name, value in list(namespace.items()):
        if is_kernel(value):
            namespace[name] = compiled(value)
    return twin
