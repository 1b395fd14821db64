"""Compiling kernels: the very bytecode of a :func:`iadsim.kernel.kernel`, through Numba.

:func:`compiled` gives the Numba twin of a kernel. The twin runs the kernel's own
code object in a copy of its module's namespace in which every kernel it names
is replaced by that kernel's twin, and a kernel declared with ``compiled_as``
by its stand-in; nothing is rewritten by hand. Twins are cached on disk by
Numba (``cache=True``), release the GIL (``nogil=True``), so replications can
run on threads, and do without reference counting unless they allocate
(``_nrt=False``; see :mod:`iadsim.kernel`).

Numba's disk cache knows a function only by its own source file's time stamp,
so a twin that inlines a kernel from another file would be loaded stale after
that file changed (wrong results, or a crash when a workspace's layout moved).
Each twin's name therefore carries a digest of its code and of every kernel
and constant it reaches (:func:`_digest`): a change anywhere below it gives a
new cache file.

Numba is imported by this module: only the fast engine imports it.
"""

from __future__ import annotations

import hashlib
import types
from collections.abc import Callable
from typing import Any

from numba import njit

from iadsim.kernel import is_kernel, spec

__all__ = ["compiled"]

_twins: dict[Callable[..., Any], Any] = {}
_making: set[Callable[..., Any]] = set()
_digests: dict[Callable[..., Any], str] = {}
_hashing: set[Callable[..., Any]] = set()


def _code_words(code: types.CodeType, namespace: dict[str, Any], out: Any) -> None:
    """Feed ``out`` a code object's bytecode, constants and the plain values it names."""
    out.update(code.co_code)
    out.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _code_words(const, namespace, out)
        elif isinstance(const, frozenset):  # `x in {...}`: its order varies by process
            out.update(repr(sorted(map(repr, const))).encode())
        else:
            out.update(repr(const).encode())
    for name in code.co_names:
        value = namespace.get(name)
        if value is None:
            continue
        if is_kernel(value):
            out.update(_digest(value).encode())
        elif isinstance(value, int | float | str | bool | tuple):
            out.update(f"{name}={value!r}".encode())


def _digest(fn: Callable[..., Any]) -> str:
    """A digest of kernel ``fn``'s code, the kernels it calls and the constants it reads."""
    known = _digests.get(fn)
    if known is not None:
        return known
    if fn in _hashing:
        return fn.__qualname__  # a cycle: compiled() reports it
    _hashing.add(fn)
    try:
        options = spec(fn)
        source = options.compiled_as or fn
        out = hashlib.sha256(repr((options.inline, options.signature)).encode())
        _code_words(source.__code__, source.__globals__, out)
    finally:
        _hashing.discard(fn)
    digest = out.hexdigest()[:16]
    _digests[fn] = digest
    return digest


def _clone(fn: Callable[..., Any], namespace: dict[str, Any]) -> types.FunctionType:
    code = fn.__code__
    clone = types.FunctionType(code, namespace, fn.__name__, fn.__defaults__)
    clone.__qualname__ = fn.__qualname__
    clone.__module__ = fn.__module__
    clone.__doc__ = fn.__doc__
    return clone


def compiled(fn: Callable[..., Any]) -> Any:
    """The Numba dispatcher that runs kernel ``fn``'s bytecode (made once per process).

    The kernels it calls are made first, so that a kernel with a fixed ``signature``
    (compiled, or loaded from the cache, at once) finds them in its namespace.
    """
    twin = _twins.get(fn)
    if twin is not None:
        return twin
    if fn in _making:
        raise RecursionError(f"kernels call each other in a cycle through {fn.__qualname__}")
    _making.add(fn)
    try:
        options = spec(fn)
        source = options.compiled_as or fn
        namespace = dict(source.__globals__)
        for name in source.__code__.co_names:  # the globals its code names
            value = namespace.get(name)
            if value is not None and is_kernel(value):
                namespace[name] = compiled(value)
        flags: dict[str, Any] = {
            "cache": True,
            "nogil": True,
            "inline": "always" if options.inline else "never",
            "_nrt": options.allocates,
        }
        clone = _clone(source, namespace)
        # the cache file's name: stale once anything the twin reaches has changed
        clone.__qualname__ = f"{source.__qualname__}_{_digest(fn)}"
        if options.signature is not None:
            twin = njit(options.signature, **flags)(clone)
        else:
            twin = njit(**flags)(clone)
    finally:
        _making.discard(fn)
    _twins[fn] = twin
    return twin
