"""Compile a validated scenario into frozen arrays with every window precomputed."""

from iadsim.compile.build import (
    compile_bytes,
    compile_scenario,
    content_hash,
    detection_looks,
    replication_bytes,
)
from iadsim.compile.compiled import CompiledScenario

__all__ = [
    "CompiledScenario",
    "compile_bytes",
    "compile_scenario",
    "content_hash",
    "detection_looks",
    "replication_bytes",
]
