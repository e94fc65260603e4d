"""DKD901: a configuration file dlint could not read at all."""

from __future__ import annotations

from dlint_docker.fragments import SyntaxProblem, Unreadable
from dlint_docker.policy.model import Hit


def check(host, context):
    for fragment in host.fragments:
        if isinstance(fragment, Unreadable) and not isinstance(fragment, SyntaxProblem):  # DKD904 says those
            yield Hit(f"dlint cannot analyse this file: {fragment.reason}", location=fragment.document.start_location())
