"""dockerd's command line as dockerd's flag parser (spf13/pflag) reads it, mapped to daemon.json keys.

``--flag=value``, ``--flag value``, ``-H value``, ``-Hvalue``, boolean flags alone or with
``=false``; ``--`` ends the flags. Which flags take a value comes from the engine facts (a flag
whose key is boolean does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .engine.knowledge import Engine
from .fragments import Word

_TRUE = {"1", "t", "T", "true", "TRUE", "True"}
_FALSE = {"0", "f", "F", "false", "FALSE", "False"}


@dataclass
class Flag:
    word: Word  # the flag as written
    name: str  # the flag's long name without dashes (host for -H)
    key: Optional[str]  # the daemon.json key it sets, None for a flag dockerd does not know
    value: Optional[str]  # None for a boolean flag given alone
    value_word: Optional[Word] = None  # where the value stands, when it is a separate word
    spelling: str = ""  # the flag itself as written: --log-level, -H


def parse(words: Sequence[Word], engine: Engine) -> Tuple[List[Flag], List[Word]]:
    """Flags, and the words dockerd would refuse (positional arguments, unknown flags)."""
    long_names = _flags(engine)
    flags: List[Flag] = []
    rest: List[Word] = []
    index = 0
    while index < len(words):
        word = words[index]
        text = word.text
        index += 1
        if text == "--":
            rest.extend(words[index:])
            break
        if not text.startswith("-") or text == "-":
            rest.append(word)
            continue
        if text.startswith("--"):
            spelling, eq, inline = text.partition("=")
        else:
            spelling, eq, inline = text[:2], "", text[2:]
            if inline.startswith("="):
                eq, inline = "=", inline[1:]
            elif inline:
                eq = "="  # -Hvalue
        key = long_names.get(spelling)
        name = _long_name(spelling, key, engine)
        if key is None:
            rest.append(word)
            flags.append(Flag(word, name, None, inline if eq else None, spelling=spelling))
            continue
        if _is_bool(engine, spelling):
            flags.append(Flag(word, name, key, inline if eq else None, spelling=spelling))
            continue
        if eq:
            flags.append(Flag(word, name, key, inline, spelling=spelling))
        elif index < len(words):
            flags.append(Flag(word, name, key, words[index].text, words[index], spelling))
            index += 1
        else:
            rest.append(word)  # a value flag at the end of the line: dockerd refuses it
    return flags, rest


def _long_name(spelling: str, key: Optional[str], engine: Engine) -> str:
    if spelling.startswith("--"):
        return spelling[2:]
    fact = engine.fact(key) if key else None
    return fact.flag[2:] if fact and fact.flag else spelling.lstrip("-")


def _is_bool(engine: Engine, spelling: str) -> bool:
    fact = engine.fact(_flags(engine).get(spelling) or "")
    return fact is not None and fact.json_type == "boolean"


@lru_cache(maxsize=64)
def _flags(engine: Engine) -> Dict[str, str]:
    return engine.flag_map()


def flag_value(flag: Flag, engine: Engine) -> Any:
    """The value a flag gives its key, as daemon.json would hold it (lists and maps as one item)."""
    fact = engine.fact(flag.key) if flag.key else None
    raw = flag.value
    if fact is None:
        return raw
    if fact.json_type == "boolean":
        if raw is None or raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        return raw
    if fact.json_type == "integer":
        try:
            return int(raw or "")
        except ValueError:
            return raw
    if fact.json_type == "array":
        return [raw]
    if fact.json_type == "object":
        name, _, value = (raw or "").partition("=")
        return {name: value}
    return raw


def merged(flags: Sequence[Flag], engine: Engine) -> Dict[str, Any]:
    """The configuration the flags give, key by key (repeated list and map flags accumulate)."""
    out: Dict[str, Any] = {}
    for flag in flags:
        if flag.key is None:
            continue
        value = flag_value(flag, engine)
        if isinstance(value, list):
            out.setdefault(flag.key, [])
            if isinstance(out[flag.key], list):
                out[flag.key].extend(value)
        elif isinstance(value, dict):
            out.setdefault(flag.key, {})
            if isinstance(out[flag.key], dict):
                out[flag.key].update(value)
        else:
            out[flag.key] = value
    return out
