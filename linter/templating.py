"""Where a template expression ends, for the formats that mask templates before parsing them
(Terraform's ``${..}``/``%{..}``, Jinja's ``{{..}}``/``{%..%}``/``{#..#}``)."""

from __future__ import annotations

from typing import Optional

CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
DIRECTIVES = ("%{", "{%", "{#")  # openers of whole-line directives rather than values


def expression_end(text: str, start: int, opener: str) -> Optional[int]:
    """The offset just past the expression that ``opener`` opens at ``start``; None if it never closes.
    ``${``/``%{`` close at the matching brace, the Jinja forms at their closer."""
    if opener in ("${", "%{"):
        depth, j, n = 0, start + 1, len(text)
        while j < n:
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return None
    j = text.find(CLOSERS[opener], start + 2)
    return None if j < 0 else j + 2
