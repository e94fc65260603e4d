"""DKD003: values dockerd cannot decode (type, and the formats it checks while decoding)."""

from __future__ import annotations

from linter.engine import typecheck
from linter.jsonread import to_python
from linter.policy.model import Hit

from ._daemon import configs, node_at, pointer, value_location


def check(host, context):
    engine = context.engine(host)
    for config in configs(host):
        for member in config.root.value:  # every duplicate must decode too
            schema = engine.value_schema(member.key)
            if not schema:
                continue
            value = to_python(member.value)
            for problem in typecheck.check(schema, value, member.key):
                node, _ = node_at(member.value, problem.path)
                yield Hit(
                    problem.message,
                    location=value_location(config, node),
                    key=pointer(member.key, *problem.path),
                    fix="fix the value's type; `dlint schema daemon-json` prints every key's type",
                )
