"""A JSON file that a template renders one of several ways (an ``{% if %}`` dlint cannot decide):
one object with what holds on every rendering.

A key present on every rendering with the same value is known, and keeps the position of its first
rendering. A key missing from some renderings, or set differently, is *undecided*: it stays in the
object (it is not absent: a check must not say it is unset) with the value of the first rendering
that has it, and the document lists it in ``undecided`` (key → the conditions that decide it), so
that no check judges it and ``dlint hosts`` shows what decides it.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from . import jsonread
from .jinja import Mapped


def merge(renderings: Sequence[Mapped], conditions: Sequence[str]) -> Optional[tuple]:
    """(merged text, undecided keys) when every rendering is one JSON object; None otherwise."""
    objects = []
    for mapped in renderings:
        try:
            root = jsonread.parse(mapped.text)
        except jsonread.JSONError:
            return None
        if root.kind != "object":
            return None
        objects.append((mapped, {m.key: m for m in root.value}))
    keys: List[str] = []
    for _, members in objects:
        keys += [k for k in members if k not in keys]
    undecided: Dict[str, str] = {}
    out = Mapped().add("{")
    because = " / ".join(conditions)
    for index, key in enumerate(keys):
        having = [(mapped, members[key]) for mapped, members in objects if key in members]
        values = {repr(jsonread.to_python(member.value)) for _, member in having}
        if len(having) < len(objects) or len(values) > 1:
            undecided[key] = because
        mapped, member = having[0]
        out.add(", " if index else "")
        out.extend(mapped.slice(member.key_start, member.key_end)).add(": ")
        out.extend(mapped.slice(member.value.start, member.value.end))
    return out.add("}"), undecided
