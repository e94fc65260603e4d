"""DKD903: a template Ansible cannot parse (a Jinja syntax error): the task fails, the file is not written."""

from __future__ import annotations

from dlint_docker.fragments import TemplateError
from dlint_docker.policy.model import Hit


def check(host, context):
    for fragment in host.of(TemplateError):
        yield Hit(
            f"Ansible cannot parse this template ({fragment.message}): the task fails, the file is not "
            "written, and the play stops on this host",
            location=fragment.location or fragment.document.start_location(),
        )
