"""DKD001: dockerd cannot read the file (syntax, encoding, not an object)."""

from __future__ import annotations

from dlint_docker.policy.model import Hit


def _fix(message: str) -> str:
    if "looking for beginning of object key string" in message and "'}'" in message:
        return "remove the trailing comma before the closing brace"
    if "looking for beginning of value" in message and "']'" in message:
        return "remove the trailing comma before the closing bracket"
    if "'/'" in message or "'#'" in message:
        return "JSON has no comments: delete them (keep notes in a README or in .dlint.yaml exceptions)"
    if "after top-level value" in message:
        return "keep one JSON object in the file: merge the objects into one"
    if "\\''" in message:
        return 'JSON strings use double quotes: "key": "value"'
    if "unexpected end of JSON input" in message:
        return "close every { and [ and every string"
    if "invalid UTF-8" in message:
        return "save the file as UTF-8"
    if "cannot unmarshal" in message:
        return "the whole file must be one JSON object: { ... }"
    return "make the file one valid JSON object"


_RENDERING_FIX = (
    "render the whole file from a Terraform object with jsonencode() (${jsonencode({...})}): members in "
    "%{ if } branches cannot place their commas right for every combination"
)


def check(host, context):
    for config in host.daemon_configs:
        # a template some of whose renderings are not JSON (terraform_template): each, where it breaks
        for message, location in getattr(config.document, "broken_renderings", ()):
            yield Hit(f"dockerd cannot read this file {message}", location=location, fix=_RENDERING_FIX, key="syntax")
        problem = config.problem
        if problem is None or config.templated:
            continue  # a template dlint cannot evaluate is DKD902's, not a broken file
        yield Hit(
            f"dockerd cannot read this file: {problem.message}",
            location=config.document.location(problem.start, problem.end),
            fix=_fix(problem.message),
            key=problem.kind,
        )
