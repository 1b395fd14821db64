"""Kernels: model arithmetic written once, run as plain Python or compiled by Numba.

A function marked :func:`kernel` is ordinary Python over numbers and indexable
sequences (lists or NumPy arrays, read by index, never resized). The reference
engine calls it as it stands; the fast engine compiles its very bytecode with
Numba (:func:`iadsim.engine.jit.compiled`), with every kernel it calls replaced
by that kernel's compiled twin. So the arithmetic of the model exists once, and
the two engines cannot drift apart.

Rules for a kernel, so that Numba compiles it and both runs agree bit for bit:

- numbers, tuples and indexable arrays only; no dicts, sets, classes or
  exceptions; module constants are plain ints and floats (Numba freezes them);
- integers stay integers and floats stay floats (no ``/`` between integers
  where an integer is meant); no fastmath, so the floating-point operations and
  their order are the same;
- a kernel that needs a different *type* (not different arithmetic) when
  compiled names its stand-in with ``kernel(compiled_as=...)``: the 64-bit
  words of :mod:`iadsim.draws` are masked Python ints in the reference and
  ``numpy.uint64`` when compiled.

Numba is never imported here, so the reference engine and the command line
start without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

__all__ = ["KernelSpec", "flags", "floats", "ints", "is_kernel", "kernel", "spec"]

F = TypeVar("F", bound=Callable[..., Any])

_ATTRIBUTE = "__iadsim_kernel__"


class KernelSpec:
    """How the fast engine compiles a kernel."""

    __slots__ = ("compiled_as", "inline")

    def __init__(self, inline: bool, compiled_as: Callable[..., Any] | None) -> None:
        self.inline = inline
        self.compiled_as = compiled_as


def kernel(
    fn: F | None = None, *, inline: bool = False, compiled_as: Callable[..., Any] | None = None
) -> Any:
    """Mark ``fn`` as a kernel; ``inline`` asks Numba to inline it at every call site.

    Usable bare (``@kernel``) or with options (``@kernel(inline=True)``).
    """

    def mark(f: F) -> F:
        setattr(f, _ATTRIBUTE, KernelSpec(inline, compiled_as))
        return f

    return mark(fn) if fn is not None else mark


def is_kernel(obj: object) -> bool:
    """Whether ``obj`` is a function marked with :func:`kernel`."""
    return callable(obj) and isinstance(getattr(obj, _ATTRIBUTE, None), KernelSpec)


def spec(fn: Callable[..., Any]) -> KernelSpec:
    """The compile options of kernel ``fn``."""
    found = getattr(fn, _ATTRIBUTE, None)
    if not isinstance(found, KernelSpec):
        raise TypeError(f"{getattr(fn, '__qualname__', fn)!r} is not a kernel")
    return found


def _numpy_floats(n: int) -> Any:
    return np.zeros(n)


def _numpy_ints(n: int) -> Any:
    return np.zeros(n, dtype=np.int64)


def _numpy_flags(n: int) -> Any:
    return np.zeros(n, dtype=np.bool_)


@kernel(inline=True, compiled_as=_numpy_floats)
def floats(n: int) -> Any:
    """``n`` zeros to work in: a list in Python, a float64 array when compiled."""
    return [0.0] * n


@kernel(inline=True, compiled_as=_numpy_ints)
def ints(n: int) -> Any:
    """``n`` integer zeros: a list in Python, an int64 array when compiled."""
    return [0] * n


@kernel(inline=True, compiled_as=_numpy_flags)
def flags(n: int) -> Any:
    """``n`` False flags: a list in Python, a boolean array when compiled."""
    return [False] * n
