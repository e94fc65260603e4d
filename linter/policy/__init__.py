"""Policies: their metadata, the two ways to write one (declarative YAML or Python), and packs."""

from .model import Hit, Policy, PolicyMeta, BREAKS, SEVERITIES  # noqa: F401
