"""Policies: their metadata, the two ways to write one (declarative YAML or Python), and packs."""

from .model import BREAKS, SEVERITIES, Hit, Policy, PolicyMeta

__all__ = ["BREAKS", "SEVERITIES", "Hit", "Policy", "PolicyMeta"]
