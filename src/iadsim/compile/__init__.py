"""Compile a validated scenario into frozen arrays with every window precomputed."""

from iadsim.compile.build import compile_scenario, content_hash
from iadsim.compile.compiled import CompiledScenario

__all__ = ["CompiledScenario", "compile_scenario", "content_hash"]
