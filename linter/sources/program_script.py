"""Scripts in a language dlint does not read (Python, Perl, Ruby, Node, PHP), handed over as a
script to run (a cloud-init part, a provisioner's script): not read as shell.

What such a program plainly says about the engine is kept, and nothing else is guessed:

- ``docker swarm init|join`` that it runs, as an argument list (``["docker", "swarm", "init"]``)
  or a command string (``"docker swarm join --token ..."``): the machine is a swarm node (as
  manager or worker: the program decides);
- a daemon.json path it names in a program that writes files: that daemon.json is one whose
  content dlint cannot know (DKD902 says so), never read as absent.

Comment lines (``#``, ``//``) are left out. Nothing is run.
"""

from __future__ import annotations

import posixpath
import re
from typing import Optional

from ..document import Document
from ..fragments import Opaque, SwarmMembership
from ..mapped import Mapped, embedded_document
from . import Embedded, Extraction, ReadContext

_PROGRAM = re.compile(r"(python|pypy|perl|ruby|node|nodejs|php)[\d.]*")
_ARGV = re.compile(r"""(['"])docker\1\s*,\s*(['"])swarm\2\s*,\s*(['"])(init|join)\3""")
_COMMAND = re.compile(r"\bdocker\s+swarm\s+(init|join)\b")
_DAEMON_JSON = re.compile(r"/etc/docker/daemon\.json(?![\w.-])")  # a literal, a command string, a path joined
# the program writes some file: open(.., "w"), .write(, json.dump, write_text, File.write, print >
_WRITES = re.compile(r"""\bopen\s*\([^)\n]*['"][wa]b?\+?['"]|\.write\s*\(|\bdump\s*\(|write_text\s*\(|File\.write|\bprint\s*\{?\s*[A-Z$]|>\s*/etc/docker/|\btee\s""")


def interpreter(text: str) -> Optional[str]:
    """The language a ``#!`` line names, when it is one of the programs read here."""
    if not text.startswith("#!"):
        return None
    words = text[2 : text.find("\n") if "\n" in text else len(text)].split()
    while words and (posixpath.basename(words[0]) == "env" or words[0].startswith("-")):
        words = words[1:]
    name = posixpath.basename(words[0]) if words else ""
    return name if _PROGRAM.fullmatch(name) else None


def _commented(text: str, index: int) -> bool:
    line = text[text.rfind("\n", 0, index) + 1 : index].lstrip()
    return line.startswith(("#", "//"))


def read(document: Document, context: ReadContext, language: str) -> Extraction:
    out = Extraction()
    text = document.text
    for pattern, verb_group in ((_ARGV, 4), (_COMMAND, 1)):
        for match in pattern.finditer(text):
            if _commented(text, match.start()):
                continue
            verb = match.group(verb_group)
            location = document.location(match.start(), match.end())
            # the program decides at run time which it runs, and as what: the role is unknown
            out.fragments.append(SwarmMembership(source=context.source, document=document, role="unknown", command=verb, location=location))
    written = {m.group(): m for m in reversed(list(_DAEMON_JSON.finditer(text))) if not _commented(text, m.start())}
    if written and _WRITES.search(text):
        for target, match in written.items():
            value = Mapped()
            value.add(text[match.start() : match.end()], match.start())
            label = f"{language} program → {target}"
            sub = embedded_document(document, value, label, (match.start(), match.end()))
            why = f"a {language} program writes it, and dlint does not read {language} programs"
            out.embedded.append(Embedded(sub, "daemon-json", target=target, templated=True, opaque=Opaque(why)))
    out.notes.append(f"{document.location(0).path}: a {language} program: not read as shell; only `docker swarm` commands and daemon.json paths it names are kept")
    return out
