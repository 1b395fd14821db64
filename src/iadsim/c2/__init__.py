"""Command and control: threat evaluation and weapon-assignment policies for the engines."""

from iadsim.c2.greedy import Option, greedy_assign, salvo_kill, threat_priority

__all__ = ["Option", "greedy_assign", "salvo_kill", "threat_priority"]
