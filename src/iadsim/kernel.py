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
  ``numpy.uint64`` when compiled;
- a kernel does not allocate: it works in arrays it is given (workspaces
  included). It is then compiled without Numba's reference counting
  (``_nrt=False``), which would otherwise cost two atomic operations per array
  in every structure passed to every call (measured: 600 ns per call with a
  structure of 40 arrays, against 3 ns without). Only the few functions that
  allocate the workspaces say so (``kernel(allocates=True)``).

Numba is never imported here, so the reference engine and the command line
start without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["KernelSpec", "is_kernel", "kernel", "spec"]

F = TypeVar("F", bound=Callable[..., Any])

_ATTRIBUTE = "__iadsim_kernel__"


class KernelSpec:
    """How the fast engine compiles a kernel."""

    __slots__ = ("allocates", "compiled_as", "inline", "signature")

    def __init__(
        self,
        inline: bool,
        compiled_as: Callable[..., Any] | None,
        allocates: bool,
        signature: str | None,
    ) -> None:
        self.inline = inline
        self.compiled_as = compiled_as
        self.allocates = allocates
        self.signature = signature


def kernel(
    fn: F | None = None,
    *,
    inline: bool = False,
    compiled_as: Callable[..., Any] | None = None,
    allocates: bool = False,
    signature: str | None = None,
) -> Any:
    """Mark ``fn`` as a kernel; ``inline`` asks Numba to inline it at every call site.

    ``compiled_as`` names a stand-in compiled instead (same arithmetic, other types);
    ``allocates`` says it creates arrays (it is compiled with reference counting);
    ``signature`` (Numba's notation) fixes the one compiled version of a kernel called
    from several places: otherwise Numba compiles one per combination of literal
    arguments at the call sites (seven of the draw function, each taking time).

    Usable bare (``@kernel``) or with options (``@kernel(inline=True)``).
    """

    def mark(f: F) -> F:
        setattr(f, _ATTRIBUTE, KernelSpec(inline, compiled_as, allocates, signature))
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
