"""What the command line offers besides the commands: --version with the engine releases the facts
cover, --debug anywhere, shell completion, and linting standard input for editors."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple


class VersionAction(argparse.Action):
    """``--version``: dlint's version and the Docker Engine releases its facts cover."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__
        from .engine.knowledge import releases_sorted

        known = releases_sorted()
        print(f"dlint {__version__} (engine facts: Docker Engine {known[0]} to {known[-1]}: {', '.join(known)})")
        parser.exit()


def pop_debug(argv: Optional[Sequence[str]]) -> Tuple[List[str], bool]:
    """``--debug`` anywhere on the command line (before ``--``): removed, and said."""
    args = list(sys.argv[1:] if argv is None else argv)
    end = args.index("--") if "--" in args else len(args)
    debug = "--debug" in args[:end]
    return [a for i, a in enumerate(args) if not (i < end and a == "--debug")], debug


# --- shell completion -------------------------------------------------------------------------

def _commands(parser) -> dict:
    """{command: ([options], help)} of the parser's sub-commands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            return {name: ([s for a in sub._actions for s in a.option_strings if s.startswith("--")], helps.get(name, "")) for name, sub in action.choices.items()}
    return {}


def completion(parser, shell: str) -> str:
    commands = _commands(parser)
    if shell == "fish":
        return _fish(commands)
    script = _bash(commands)
    if shell == "zsh":
        return "autoload -U +X bashcompinit && bashcompinit\n" + script
    return script


def _bash(commands: dict) -> str:
    cases = "\n".join(f"        {name}) opts=\"{' '.join(opts)}\" ;;" for name, (opts, _) in commands.items())
    return f"""# dlint completion for bash: eval "$(dlint completion bash)"
_dlint() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" command="${{COMP_WORDS[1]}}" opts=""
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "{' '.join(commands)} --version --help --debug" -- "$cur"))
        return
    fi
    case "$command" in
{cases}
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -F _dlint dlint
"""


def _fish(commands: dict) -> str:
    lines = ["# dlint completion for fish: dlint completion fish | source", "complete -c dlint -f"]
    for name, (opts, helptext) in commands.items():
        lines.append(f"complete -c dlint -n __fish_use_subcommand -a {name} -d {_fish_quote(helptext)}")
        for opt in opts:
            lines.append(f"complete -c dlint -n '__fish_seen_subcommand_from {name}' -l {opt[2:]} -F")
    return "\n".join(lines) + "\n"


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


# --- standard input -------------------------------------------------------------------------

MAX_STDIN = 4 * 1024 * 1024


def stdin_as(name: str, data: bytes):
    """A temporary folder holding ``data`` at ``name`` (relative, as the editor gave it), so that
    findings name that path; returns (folder, relative path). The caller removes the folder."""
    parts = [p for p in Path(name).parts if p not in ("", ".", "/", "\\")]
    if os.path.isabs(name) or ".." in parts or not parts:
        parts = [Path(name).name or "stdin"]
    import tempfile  # only standard input needs it: not every run's start-up

    folder = Path(tempfile.mkdtemp(prefix="dlint-stdin-"))
    target = folder.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return folder, "/".join(parts)


def read_stdin() -> bytes:
    data = sys.stdin.buffer.read(MAX_STDIN + 1)
    if len(data) > MAX_STDIN:
        from .errors import UsageError

        raise UsageError(f"standard input is over {MAX_STDIN} bytes")
    return data


def stdin_paths(args):
    """(paths, cwd, config) of a scan: as given, or, for ``-`` with --stdin-filename, the file
    standard input holds, in a temporary folder removed at exit, judged with the configuration
    that applies where the file really is."""
    paths = list(getattr(args, "paths", None) or [])
    name = getattr(args, "stdin_filename", None)
    if paths != ["-"]:
        if name:
            from .errors import UsageError

            raise UsageError("--stdin-filename goes with the path '-' (standard input)")
        return paths, None, args.config
    if not name:
        from .errors import UsageError

        raise UsageError("dlint scan -: name the file standard input holds with --stdin-filename PATH")
    import atexit
    import shutil

    from .config import find

    config = args.config
    if not config:
        found = find(Path(os.path.abspath(name)).parent)
        config = str(found) if found else None
    folder, rel = stdin_as(name, read_stdin())
    atexit.register(shutil.rmtree, folder, True)
    return [rel], folder, (os.path.abspath(config) if config else None)
