"""Helpers shared by the checks that judge dockerd's command line word by word, as they judge
daemon.json keys: the same failure (dockerd exits before it starts), the same rules."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from dlint_docker.dockerd_args import CommandLine, Flag, flag_value, go_bool, go_int, go_int_syntax, read
from dlint_docker.engine import typecheck, values
from dlint_docker.engine.suggest import suggest
from dlint_docker.fragments import EnvFile, UnitFile

from ._daemon import pointer


def command_line(host, engine) -> Optional[CommandLine]:
    """dockerd's command line when dlint knows it word for word: not an unknown one, not one
    assembled from a template (a masked word may be any number of words)."""
    command = host.command
    if command is None or command.origin == "unknown" or command.from_template:
        return None
    if any(f.from_template for f in host.fragments if isinstance(f, (UnitFile, EnvFile))):
        return None
    return read(command.words, engine)


def flag_pointer(spelling: str) -> str:
    return pointer("flags", spelling)


def suggest_flag(spelling: str, engine) -> Optional[str]:
    """The long flag the user most likely meant (``--tls-verify`` → ``--tlsverify``)."""
    names = [name[2:] for name in engine.flag_map() if name.startswith("--")]
    guess = suggest(spelling.lstrip("-"), names)
    return "--" + guess if guess else None


def parse_error(flag: Flag, engine) -> Optional[str]:
    """pflag's refusal of a boolean or integer flag's value (dockerd exits before anything else)."""
    fact = engine.fact(flag.key) if flag.key else None
    if fact is None or flag.value is None:
        return None
    name = f"{flag.spelling}" if flag.spelling.startswith("--") else f"{flag.spelling}, --{flag.name}"
    if fact.json_type == "boolean" and go_bool(flag.value) is None:
        return f'invalid argument "{flag.value}" for "{name}" flag: strconv.ParseBool: parsing "{flag.value}": invalid syntax'
    if fact.json_type == "integer" and go_int(flag.value) is None:
        why = "value out of range" if go_int_syntax(flag.value) else "invalid syntax"
        return f'invalid argument "{flag.value}" for "{name}" flag: strconv.ParseInt: parsing "{flag.value}": {why}'
    return None


def flag_value_location(flag: Flag):
    return flag.value_word.location if flag.value_word is not None else flag.word.location


def _textual(fact) -> bool:
    """A flag whose text is the daemon.json value (or one item of it) as written: a string, a
    number, a boolean, or an item of a list of strings. Map and structured flags (--log-opt,
    --default-ulimit, --add-runtime) have a syntax of their own and are not judged here."""
    if fact.json_type in ("string", "integer", "boolean"):
        return True
    return fact.json_type == "array" and fact.items_type in (None, "string")


def value_problems(line: CommandLine, engine) -> Iterator[Tuple[Flag, str, str]]:
    """(flag, message, breaks) for every value dockerd refuses: pflag's parse of booleans and
    integers, then, on the configuration the flags make, the type and value checks of daemon.json."""
    by_key: Dict[str, List[Flag]] = {}
    for flag in line.flags:
        if flag.value_unknown:
            continue
        message = parse_error(flag, engine)
        if message:
            yield flag, message, "config-load"
            continue
        fact = engine.fact(flag.key) if flag.key else None
        if fact is not None and fact.kind == "option" and _textual(fact) and not (fact.json_type == "boolean" and flag.value is None):
            by_key.setdefault(flag.key, []).append(flag)
    parsed_early = set(engine.flag_parse_checks)
    for key, flags in by_key.items():
        value = _value(flags, engine)
        breaks_override = "config-load" if key in parsed_early else None
        problems = typecheck.check(engine.value_schema(key), value, flags[0].spelling)
        for problem in problems:
            index = problem.path[0] if problem.path and isinstance(problem.path[0], int) else None
            yield _at(flags, index), problem.message, "config-load"
        if problems:
            continue
        for rule in values.rules_for(key, engine.version, engine.platform):
            for index, message in rule.check(value, engine.version):
                yield _at(flags, index), message, breaks_override or rule.breaks


def _value(flags: List[Flag], engine) -> Any:
    if engine.fact(flags[0].key).json_type == "array":
        return [item for flag in flags for item in flag_value(flag, engine)]
    return flag_value(flags[-1], engine)


def _at(flags: List[Flag], index: Optional[int]) -> Flag:
    return flags[index] if index is not None and index < len(flags) else flags[-1]
