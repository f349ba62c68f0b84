"""Subsidy and award calculation from policy texts kept as data (Cangzhou 2025 R&D plan, seed 001)."""

from sheqi.subsidy.engine import calculate, normalise
from sheqi.subsidy.rules import PolicyError, RuleSet, default_ruleset, load_ruleset

__all__ = ["calculate", "normalise", "PolicyError", "RuleSet", "default_ruleset", "load_ruleset"]
