"""``python -m linter.docs``: docs/rules.md, generated from the policies' own metadata.

The test suite checks that the committed file is what this prints.
"""

from __future__ import annotations

import sys
from typing import List

from .explain import example_lines
from .policy.model import BREAKS


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(policies) -> str:
    out: List[str] = [
        "# dlint rules",
        "",
        "Generated from the policies' metadata by `python -m linter.docs > docs/rules.md`; do not edit by hand.",
        "`dlint explain ID` prints the same for one rule.",
        "",
        "**breaks** says what happens if a finding is ignored:",
        "",
    ]
    out += [f"- `{name}`: {text}" for name, text in BREAKS.items()]
    out += ["", "| ID | Name | Severity | Breaks | Summary |", "|---|---|---|---|---|"]
    for p in policies:
        m = p.meta
        out.append(f"| [{m.id}](#{m.id.lower()}-{m.name}) | `{m.name}` | {m.severity} | {m.breaks} | {_cell(m.summary)} |")
    for p in policies:
        m = p.meta
        out += ["", f"## {m.id} {m.name}", "", f"*{m.severity}; breaks {m.breaks}; {p.kind} policy*", "", m.summary, ""]
        if m.rationale:
            out += ["**Why.** " + " ".join(m.rationale.split()), ""]
        if m.dockerd:
            out += ["**What dockerd does.** " + " ".join(m.dockerd.split()), ""]
        for verdict, title in (("fail", "Fails"), ("pass", "Passes")):
            examples = m.examples.get(verdict) or []
            if examples:
                out += [f"**{title}:**", "", "```"]
                for example in examples[:2]:
                    out += [line[4:] for line in example_lines(example)]
                out += ["```", ""]
        out += ["**Fix.** " + " ".join(m.remediation.split()), ""]
        if m.benchmarks:
            out += ["Benchmarks: " + ", ".join(f"{k} {v}" for k, v in sorted(m.benchmarks.items())), ""]
        if m.references:
            out += [f"- {ref}" for ref in m.references] + [""]
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    from .scan import Options, prepare

    sys.stdout.write(render(prepare(Options()).all_policies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
