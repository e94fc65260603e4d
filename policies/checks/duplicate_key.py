"""DKD005: a key given twice in one object: dockerd keeps the last value and ignores the others."""

from __future__ import annotations

from dlint_docker.jsonread import Node, to_python
from dlint_docker.policy.model import Hit

from ._daemon import configs, key_location, pointer, show


def _objects(node: Node, path=()):
    """Objects of the document, breadth-first (iterative: nesting costs no stack)."""
    queue = [(node, path)]
    while queue:
        current, where = queue.pop(0)
        if current.kind == "object":
            yield current, where
            queue.extend((m.value, where + (m.key,)) for m in current.value)
        elif current.kind == "array":
            queue.extend((item, where + (i,)) for i, item in enumerate(current.value))


def check(host, context):
    for config in configs(host):
        for obj, where in _objects(config.root):
            by_key = {}
            for member in obj.value:
                by_key.setdefault(member.key, []).append(member)
            for key, members in by_key.items():
                if len(members) < 2:
                    continue
                kept = members[-1]
                kept_at = key_location(config, kept)
                kept_value = to_python(kept.value)
                for earlier in members[:-1]:
                    same = to_python(earlier.value) == kept_value
                    note = "the same value" if same else f"{show(kept_value)}"
                    yield Hit(
                        f'"{key}" is set again at line {kept_at.line}; dockerd keeps only the last value ({note}) and ignores this one',
                        location=key_location(config, earlier),
                        related=(kept_at,),
                        severity="info" if same else None,
                        fix=f'keep one "{key}"',
                        key=pointer(*where, key) + f"#{earlier.key_start}",
                    )
