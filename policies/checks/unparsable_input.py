"""DKD904: a file of a kind dlint recognised that does not parse; the tool that reads it refuses it."""

from __future__ import annotations

from dlint_docker.fragments import SyntaxProblem
from dlint_docker.policy.model import Hit


def check(host, context):
    for fragment in host.of(SyntaxProblem):
        yield Hit(fragment.reason, location=fragment.location or fragment.document.start_location(), severity=fragment.severity)
