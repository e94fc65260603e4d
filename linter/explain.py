"""``dlint explain``: a policy's documentation, from its own metadata."""

from __future__ import annotations

import textwrap
from typing import List

from .policy.model import BREAKS


def example_lines(example: dict) -> List[str]:
    lines = []
    extra = [f"{k}: {v}" for k, v in example.items() if k not in ("files", "before")]
    # a change: the files at the base revision first, then as the change leaves them
    for path, content in (example.get("before") or {}).items():
        lines.append(f"    # {path}, at the base revision (dlint diff BASE, scan --diff-base BASE)")
        lines.extend("    " + line for line in content.rstrip("\n").splitlines())
    for path, content in example["files"].items():
        if example.get("before"):
            path += ", after the change"
        lines.append(f"    # {path}" + (f"  ({', '.join(extra)})" if extra else ""))
        lines.extend("    " + line for line in content.rstrip("\n").splitlines())
    return lines


def _para(title: str, text: str) -> List[str]:
    if not text:
        return []
    body = []
    for paragraph in text.strip().split("\n\n"):
        body.extend(textwrap.wrap(" ".join(paragraph.split()), 96, initial_indent="  ", subsequent_indent="  "))
        body.append("")
    return [title] + body


def explain(policy) -> str:
    m = policy.meta
    out = [f"{m.id} {m.name}  [{m.severity_said()}; breaks {m.breaks}; profile {m.profile}]", "", f"  {m.summary}", ""]
    out += _para("Why", m.rationale)
    out += _para("What dockerd does", m.dockerd)
    out += [f"If ignored ({m.breaks})", f"  {BREAKS[m.breaks]}", ""]
    for verdict, title in (("fail", "Fails"), ("pass", "Passes")):
        examples = m.examples.get(verdict) or []
        if examples:
            out.append(title)
            for example in examples[:2]:
                out.extend(example_lines(example))
            out.append("")
    out += _para("How to fix", m.remediation)
    if m.fix:
        out += _para(f"Automatic fix ({m.fix['safety']}; dlint fix{'' if m.fix['safety'] == 'safe' else ' --unsafe-fixes'})", m.fix["description"])
    meta_lines = []
    if m.benchmarks:
        meta_lines.append("  benchmarks: " + ", ".join(f"{k} {v}" for k, v in sorted(m.benchmarks.items())))
    if m.tags:
        meta_lines.append("  tags: " + ", ".join(m.tags))
    for ref in m.references:
        meta_lines.append(f"  - {ref}")
    if meta_lines:
        out += ["References"] + meta_lines + [""]
    out.append(f"  (from {m.origin}; {policy.kind} policy)")
    return "\n".join(out) + "\n"
