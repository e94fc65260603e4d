"""DKD203: two sources of one host write different daemon.json content to the same file."""

from __future__ import annotations

from dlint_docker.jsonread import to_python
from dlint_docker.policy.model import Hit


def _content(config):
    if config.root is not None:
        return to_python(config.root)
    return config.document.text.strip()


def check(host, context):
    by_target = {}
    for config in host.daemon_configs:
        if config.target is None:
            continue
        by_target.setdefault(config.target, []).append(config)
    for target, writes in by_target.items():
        first = writes[0]
        for later in writes[1:]:
            if _content(later) == _content(first) and not later.append:
                continue
            how = "appends to" if later.append else "overwrites"
            first_at = first.document.start_location()
            yield Hit(
                f"{target} is written twice on this host with different content: this write {how} the one at "
                f"{first_at}, so which settings dockerd runs with depends on the order",
                location=later.document.start_location(),
                related=(first_at,),
                fix=f"write {target} once, from one source",
                key=target,
            )
