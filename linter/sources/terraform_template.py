"""A daemon.json written by a Terraform template (``templatefile()``), read statically through its
``%{ if }``/``%{ else }``/``%{ endif }`` directives (provisioning-facts §5.1).

The directives are branched as Jinja's are (``linter.branches``): dlint decides no condition (they
test the template's variables, which the caller gives), so every possible rendering is read, at
most ``branches.CAP`` of them. ``~`` strip markers take the white space beside them.

- Renderings that are JSON objects are merged as ``linter.variants`` merges Jinja's: a key set the
  same way on every rendering is known. A key that some renderings set and the others leave out,
  with one value wherever it is set, is judged for that value (``"iptables": "false"`` is the wrong
  type whenever it is written) when the template has no ``%{ else }`` (no two keys exclude each
  other); a key set differently, or beside an ``else``, stays undecided (no check judges it).
- A rendering that is not JSON, at a place no expansion can mend (``templating``), is a file
  dockerd refuses when the template renders so: the document lists it in ``broken_renderings``
  (message, location), for DKD001.

Anything else (directives that do not nest, ``%{ for }``, too many renderings) leaves the text
as written: a template dlint does not read (DKD902).
"""

from __future__ import annotations

import re
from typing import List, Optional

from .. import branches, jsonread, variants
from ..document import Document
from ..jinja import Mapped, Tag, to_document
from ..templating import expression_end, json_error

_DIRECTIVE = re.compile(r"(?<!%)%\{")
_KEYWORD = re.compile(r"\s*(\w+)")


def directives(text: str) -> Optional[List[Tag]]:
    """The ``%{ ... }`` directives of a template as block tags; None when one never closes."""
    found = []
    for match in _DIRECTIVE.finditer(text):
        start = match.start()
        end = expression_end(text, start, "%{")
        if end is None:
            return None
        body = text[start + 2 : end - 1]
        strip_before, strip_after = body.startswith("~"), body.endswith("~")
        body = body[1 if strip_before else 0 : len(body) - 1 if strip_after else len(body)]
        found.append(Tag("stmt", start, end, body.strip(), True, strip_before, strip_after))
    return found


def _apply(source: Mapped, drops) -> Mapped:
    out = Mapped()
    position = 0
    for (start, end), _ in branches.cut([(r, None) for r in drops]):
        out.extend(source.slice(position, start))
        position = end
    return out.extend(source.slice(position, len(source.text)))


def _taken(text: str, blocks, drops) -> List[str]:
    """The branches a rendering takes, as written (``%{if x}``, ``%{else}``)."""
    taken = []
    for block in blocks:
        for branch in block.branches:
            if branch.body not in drops:  # nested blocks are visited only in the branch taken
                taken.append(f"`{text[branch.tag.start:branch.tag.end].strip()}`")
                taken += _taken(text, branch.blocks, drops)
    return taken


def daemon_json(document: Document) -> Optional[Document]:
    """The document to read as daemon.json (still templated: its expansions stay) of a template
    with if-directives; None when it has none, or dlint does not branch them."""
    text = document.text
    tags = directives(text)
    if not tags or any(t.body.split(None, 1)[:1] in (["for"], ["endfor"]) for t in tags):
        return None
    planned = branches.plan(text, tags, False, lambda tag: None)
    if planned is None or planned.variants is None:
        return None
    source = Mapped.of(text, document, 0)
    valid: List[Mapped] = []
    blocks = branches.structure(text, tags) or []
    broken: dict = {}  # location -> (branches taken, message): the fewest branches that break it
    for drops in planned.variants:
        rendering = _apply(source, drops)
        shown = to_document(rendering, parent=document, label="a rendering of its %{if} branches", anchor=(0, 0))
        problem = json_error(rendering.text)
        if problem is None:
            if _object(rendering.text):
                valid.append(rendering)
            continue
        location = shown.location(problem[0], problem[0] + 1)
        taken = _taken(text, blocks, drops)
        if location.exact and (location not in broken or len(taken) < len(broken[location][0])):
            broken[location] = (taken, problem[1])
    merged = variants.merge(valid, [text[t.start : t.end] for t in planned.undecided]) if valid else None
    if merged is None:
        return None
    out = to_document(merged[0], parent=document, label="%{if} branches read statically", anchor=(0, 0))
    out.undecided = _undecided(merged[1], valid, exclusive=any(t.body.split(None, 1)[:1] == ["else"] for t in tags))
    out.broken_renderings = [(f"when its template takes {' and '.join(taken)}: {message}", location) for location, (taken, message) in broken.items()]
    return out


def _object(text: str) -> bool:
    try:
        return jsonread.parse(text).kind == "object"
    except jsonread.JSONError:
        return False


def _undecided(undecided: dict, renderings: List[Mapped], exclusive: bool) -> dict:
    """Keys no check may judge: set differently on some renderings, or (beside an ``else``) set
    on some only."""
    if exclusive:
        return undecided
    values: dict = {}
    for rendering in renderings:
        for member in jsonread.parse(rendering.text).value:
            values.setdefault(member.key, set()).add(repr(jsonread.to_python(member.value)))
    return {key: why for key, why in undecided.items() if len(values.get(key, ())) != 1}
