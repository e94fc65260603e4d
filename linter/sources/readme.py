"""READMEs: the commands a repository tells its user to run by hand.

A machine set up by a repository is often finished by hand, as its README says: ``docker swarm
init`` on the manager, the printed ``docker swarm join`` on each node. Only a command line in a
code block counts (a fenced block, or an indented one; in a plain-text README.txt, which marks none,
a line that is the command), never prose or a table that names the command. Each gives a ``SwarmByHand``: whether the machines of the README's folder are swarm nodes
is then unknown (linter.hosts), not "no".
"""

from __future__ import annotations

import re
from typing import Union

from ..document import Document
from ..fragments import SwarmByHand
from . import Extraction, ReadContext, SourceKind

_NAME = re.compile(r"readme(?:\.(?:md|markdown|rst|txt))?", re.I)
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
# a prompt, sudo, then the command itself, at the start of the code line
_COMMAND = re.compile(r"^\s*(?:(?:\[[\w.@-]{1,40}\]\s*)?[$#>]\s*)?(?:sudo\s+(?:-\S+\s+)*)?(?P<command>docker\s+swarm\s+(init|join))\b")
# a plain-text README marks no code blocks: a line that is the command itself is one


class ReadmeKind(SourceKind):
    name = "readme"
    summary = "a README's code blocks: `docker swarm init|join` run by hand (swarm membership unknown, not absent)"
    needles = re.compile(rb"docker\s+swarm\s+(?:init|join)")

    def claims(self, rel: str, basename: str) -> Union[bool, str]:
        return bool(_NAME.fullmatch(basename))

    def read(self, document: Document, context: ReadContext) -> Extraction:
        out = Extraction()
        plain = not re.search(r"\.(?:md|markdown|rst)$", document.path, re.I)
        fence = None
        offset = 0
        for line in document.text.splitlines(keepends=True):
            marker = _FENCE.match(line)
            if marker and (fence is None or marker.group(1) == fence):
                fence = marker.group(1) if fence is None else None
            elif fence is not None or line.startswith(("    ", "\t")) or plain:
                match = _COMMAND.match(line)
                if match:
                    where = document.location(offset + match.start("command"), offset + match.end("command"))
                    out.fragments.append(SwarmByHand(context.source, document, command=match.group(2), location=where))
            offset += len(line)
        return out
