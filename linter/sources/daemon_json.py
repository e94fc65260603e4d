"""daemon.json files: recognised by name, confirmed by content, read exactly as dockerd reads them.

dockerd (daemon/config/config.go, dockerd-facts.md §2.1) detects UTF-8/UTF-16 from a BOM and
otherwise requires valid UTF-8, trims white space, treats an empty file or ``null`` as no
configuration, and requires one JSON object.
"""

from __future__ import annotations

import codecs
import fnmatch
import re
from functools import lru_cache
from typing import Optional, Tuple

from .. import jsonread
from ..document import Document
from ..engine.formats import GO_SPACE as _GO_SPACE
from ..engine.knowledge import key_table
from ..engine.suggest import suggest
from ..fragments import DaemonConfig, Opaque, Problem
from ..said import Said
from ..source import Source
from ..templating import json_error_outside
from . import Extraction, ReadContext, SourceKind, machine_path


_GO_TYPES = {"array": "array", "string": "string", "number": "number", "true": "bool", "false": "bool"}


def decode(data: bytes) -> Tuple[str, Optional[Problem]]:
    """Bytes to text as dockerd decodes them; a problem if it would refuse the encoding."""
    if data.startswith(codecs.BOM_UTF8):
        body, encoding = data[3:], "utf-8"
    elif data.startswith(codecs.BOM_UTF16_LE):
        body, encoding = data[2:], "utf-16-le"
    elif data.startswith(codecs.BOM_UTF16_BE):
        body, encoding = data[2:], "utf-16-be"
    else:
        body, encoding = data, "utf-8"
    if encoding != "utf-8":
        return body.decode(encoding, "replace"), None
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as err:
        text = body.decode("utf-8", "replace")
        offset = len(body[: err.start].decode("utf-8"))
        message = f"failed to decode configuration JSON at offset {len(data)}: encoding: invalid UTF-8"
        return text, Problem(message, offset, offset + 1, "encoding")


def trim_bounds(text: str) -> Tuple[int, int]:
    start, end = 0, len(text)
    while start < end and text[start] in _GO_SPACE:
        start += 1
    while end > start and text[end - 1] in _GO_SPACE:
        end -= 1
    return start, end


def read(text: str, document_problem: Optional[Problem] = None) -> Tuple[Optional[jsonread.Node], Optional[Problem]]:
    """Parse decoded text as dockerd does. Returns (root object or None, first problem or None)."""
    if document_problem is not None:
        return None, document_problem
    start, end = trim_bounds(text)
    if start == end or text[start:end] == "null":
        return None, None
    try:
        root = jsonread.parse(text, start, end)
    except jsonread.JSONError as err:
        return None, Problem(err.message, err.offset, err.offset + 1, "syntax")
    if root.kind != "object":
        go_type = _GO_TYPES.get(root.kind, root.kind)
        message = f"json: cannot unmarshal {go_type} into Go value of type map[string]interface {{}}"
        return None, Problem(message, root.start, root.end, "not-object")
    huge = jsonread.float_overflow(root)
    if huge is not None:
        # dockerd's first, generic decoding makes every number a float64 (dockerd-facts §2.1 step 4)
        message = f"json: cannot unmarshal number {huge.value} into Go value of type float64"
        return None, Problem(message, huge.start, huge.end, "number")
    return root, None


def known_anywhere(key: str) -> bool:
    """A key some dockerd release knows (as option, ignored or rejected name), or a near miss of one
    (tls-verify, live_restore): a daemon.json of typos is still a daemon.json."""
    table = key_table()
    if key in _WEAK_EVIDENCE:
        return False
    return key in table or suggest(key, _option_keys(), fuzzy=False) is not None


# generic words that dockerd happens to accept (non-configuration flags): no evidence on their own
_WEAK_EVIDENCE = frozenset({"version", "help", "restart", "validate", "config-file", "service-name", "register-service", "unregister-service", "run-service"})


@lru_cache(maxsize=1)
def _option_keys() -> frozenset:
    return frozenset(k for k, fact in key_table().items() if fact.kind == "option")


class DaemonJsonKind(SourceKind):
    name = "daemon-json"
    summary = "daemon.json files (daemon.json, *daemon*.json, *.json under etc/docker/)"

    def claims(self, rel: str, basename: str) -> bool:
        if not basename.endswith(".json"):
            return False
        if basename == "daemon.json" or fnmatch.fnmatchcase(basename, "*daemon*.json"):
            return True
        return ("/" + rel).find("/etc/docker/") != -1

    def extract(self, source: Source) -> Extraction:
        """A daemon.json file of the repository: decoded from bytes as dockerd does, and confirmed
        by content (a file merely named like one may be something else)."""
        text, problem = decode(source.data or b"")
        if _ROLE_TEMPLATE.search("/" + source.rel) and ("{{" in text or "{%" in text):
            # which machine gets it, rendered how, is the role's template task's to say: read there
            return Extraction(notes=[f"{source.display}: a role's Jinja template that no task dlint reads renders; not read on its own"])
        document = Document(text, source.display)
        root, problem = read(text, problem)
        verdict = "" if source.forced else self._confirm(source, text, root, problem)
        if verdict:
            note = f"{source.display}: skipped, {verdict}"
            # a file named daemon.json that is not one is said without -v: no silent pass
            return Extraction(notes=[Said(note) if source.rel.rsplit("/", 1)[-1] == "daemon.json" else note])
        target = machine_path(source.rel)
        return Extraction([DaemonConfig(source, document, root, problem, target)])

    def read(self, document: Document, context: ReadContext) -> Extraction:
        """A daemon.json that provisioning writes (its target says what it is: no confirmation)."""
        if context.opaque:  # a program's output, a download: nothing is judged on it (DKD902 says so)
            problem = Problem(context.opaque.why, 0, len(document.text), "opaque")
            fragment = DaemonConfig(context.source, document, None, problem, context.target, True, context.append, opaque=context.opaque)
            return Extraction([fragment])
        root, problem = read(document.text)
        if problem is not None and _escaped_for_another_layer(document.text):
            # every quote written \" (a script that another program re-quotes: echo -e, Go): the
            # text here is not what lands on the machine, so it is not judged (DKD902 says why)
            opaque = Opaque("its quotes are all written as \\\": it is text for another quoting layer (echo -e, a program that sends the script), not the JSON that lands on the machine")
            problem = Problem(opaque.why, 0, len(document.text), "opaque")
            return Extraction([DaemonConfig(context.source, document, None, problem, context.target, True, context.append, opaque=opaque)])
        templated = context.templated
        if templated and problem is not None and problem.kind == "syntax":
            # an error no rendering mends (no directive before it, no expansion at or just before it) is dockerd's
            found = json_error_outside(document, *trim_bounds(document.text))
            if found is not None:
                problem, templated = Problem(found[1], found[0], found[0] + 1, "syntax"), False
        fragment = DaemonConfig(context.source, document, root, problem, context.target, templated, context.append)
        return Extraction([fragment])

    @staticmethod
    def _confirm(source: Source, text: str, root, problem) -> str:
        """Empty when the file is a Docker daemon configuration; otherwise why it is not."""
        from .daemon_evidence import flattened, flattened_lenient, is_daemon_config

        if root is not None:
            keys = flattened(root)  # a wrapper object's members are keys to dockerd
        else:
            keys = flattened_lenient(text) if problem is not None else []
        if keys:
            if is_daemon_config(keys, known_anywhere):
                return ""
            if problem is not None and any(f'"{k}"' in text for k in key_table() if k not in _WEAK_EVIDENCE):
                return ""  # too broken to tell its top level, but it quotes dockerd option names
            shown = ", ".join(sorted(set(keys))[:5])
            return f"not a Docker daemon configuration (none of its keys is a dockerd option: {shown})"
        basename = source.rel.rsplit("/", 1)[-1]
        if basename == "daemon.json" or "/etc/docker/" in "/" + source.rel:
            return ""
        return "no keys, and not named daemon.json"


_ROLE_TEMPLATE = re.compile(r"/roles/(?:[^/]+/)+templates/")


def _escaped_for_another_layer(text: str) -> bool:
    """Every double quote of the text is backslash-escaped, and unescaping them makes JSON."""
    if '\\"' not in text or re.search(r'(?<!\\)"', text):
        return False
    return read(text.replace('\\"', '"'))[1] is None
