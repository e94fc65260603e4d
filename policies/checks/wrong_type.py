"""DKD003: values dockerd cannot decode (type, and the formats it checks while decoding)."""

from __future__ import annotations

from dlint_docker.engine import typecheck
from dlint_docker.policy.model import Hit

from ._daemon import configs, pointer, value_location


def check(host, context):
    engine = context.engine(host)
    for config in configs(host):
        seen = set()
        for member in config.root.value:  # every duplicate must decode too
            if member.value.kind != "object" and not engine.is_directive(member.key):
                continue  # dockerd refuses the key itself before decoding (unknown-key reports it)
            schema = engine.value_schema(member.key)
            if not schema:
                continue
            for problem, node in typecheck.check_node(schema, member.value, member.key):
                key = pointer(member.key, *problem.path)
                if key in seen:
                    key += f"#{node.start}"
                seen.add(key)
                yield Hit(
                    problem.message,
                    location=value_location(config, node),
                    key=key,
                    fix="fix the value's type; `dlint schema daemon-json` prints every key's type",
                )
