"""dockerd's command line as dockerd's flag parser (spf13/pflag) reads it, mapped to daemon.json keys.

``--flag=value``, ``--flag value``, ``-H value``, ``-Hvalue``, boolean flags alone or with
``=false``; ``--`` ends the flags. Which flags take a value comes from the engine facts (a flag
whose key is boolean does not).
"""

from __future__ import annotations

import re
from dataclasses import field
from .lazyclass import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .engine.knowledge import Engine
from .fragments import Word

_TRUE = {"1", "t", "T", "true", "TRUE", "True"}
_FALSE = {"0", "f", "F", "false", "FALSE", "False"}
# strconv.ParseInt(s, 0, 64), as pflag reads an integer flag: a sign, then decimal, 0x/0o/0b or
# legacy-octal digits; underscores only between digits or after the base prefix
_GO_INT = re.compile(r"[+-]?(?:[1-9](?:_?[0-9])*|0(?:_?[0-7])*|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)\Z")


def go_bool(text: str) -> Optional[bool]:
    """strconv.ParseBool, as pflag reads a boolean flag's value; None when it refuses it."""
    return True if text in _TRUE else False if text in _FALSE else None


def go_int(text: str) -> Optional[int]:
    """strconv.ParseInt(text, 0, 64); None when it refuses the text (syntax or range)."""
    if not _GO_INT.match(text):
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-").replace("_", "")
    legacy_octal = len(body) > 1 and body[0] == "0" and body[1].isdigit()
    number = sign * (int(body, 8) if legacy_octal else int(body, 0))
    return number if -(2**63) <= number < 2**63 else None


def go_int_syntax(text: str) -> bool:
    return bool(_GO_INT.match(text))


@dataclass
class Flag:
    word: Word  # the flag as written
    name: str  # the flag's long name without dashes (host for -H)
    key: Optional[str]  # the daemon.json key it sets, None for a flag dockerd does not know
    value: Optional[str]  # None for a boolean flag given alone
    value_word: Optional[Word] = None  # where the value stands, when it is a separate word
    spelling: str = ""  # the flag itself as written: --log-level, -H
    boolean: bool = False  # takes its value only with "=" (--debug, --debug=false)
    value_unknown: bool = False  # its value is a word dlint cannot read ($OPTS)


@dataclass
class Refusal:
    """A word dockerd's flag parser (or cobra, for arguments) refuses: dockerd exits 1 before it
    reads any configuration. ``kind`` is one of: unknown (no such flag in this release), argument
    (a word that is not a flag: dockerd takes none), stray-value (an argument right after a boolean
    flag, which takes its value only with ``=``), needs-value (a value flag at the end), syntax."""

    word: Word
    kind: str
    spelling: str  # the flag as dockerd names it (--live-restor, -g), or the word
    message: str  # dockerd's own text
    after: Optional[Flag] = None  # the boolean flag a stray value follows
    value: Optional[Word] = None  # the word after an unknown flag, taken as its value (not reported again)


@dataclass
class CommandLine:
    flags: List[Flag] = field(default_factory=list)
    refusals: List[Refusal] = field(default_factory=list)
    # a word dlint cannot read ($OPTS, an empty word from an unset ${VAR}): it may be any number of
    # words, so nothing from it on is judged
    unread: Optional[Word] = None
    judge: bool = True

    def unreadable(self, word: Word) -> bool:
        return self.judge and (word.text == "" or "$" in word.text or "`" in word.text)


def read(words: Sequence[Word], engine: Engine, judge: bool = True) -> CommandLine:
    """dockerd's command line as spf13/pflag parses it (interspersed arguments, ``--`` ends the
    flags, ``--f=v``, ``--f v``, boolean flags take a value only with ``=``, ``-abc`` shorthands).
    To ``judge`` it, reading stops at the first word dlint cannot read; otherwise such a word is
    taken as written (what the host's facts show)."""
    line = CommandLine(judge=judge)
    index = 0
    while index < len(words):
        word = words[index]
        text = word.text
        index += 1
        if line.unreadable(word):
            name = text.partition("=")[0]
            if not (word.whole and text.startswith("--") and "=" in text and "$" not in name and "`" not in name):
                line.unread = word
                break
            index = _long(line, words, index, engine)  # --cluster-store=consul://$(…): the flag is known
            if line.flags and line.flags[-1].word is word:
                line.flags[-1].value_unknown = True
            continue
        if text == "--":
            for rest in words[index:]:
                if line.unreadable(rest):
                    line.unread = rest
                    break
                line.refusals.append(_argument(rest, None))
            break
        if len(text) < 2 or not text.startswith("-"):
            line.refusals.append(_argument(word, _previous_bool(line, words, index - 1)))
            continue
        if text.startswith("--"):
            index = _long(line, words, index, engine)
        else:
            index = _short(line, words, index, engine)
        if line.unread is not None:
            break
    return line


def _previous_bool(line: CommandLine, words: Sequence[Word], at: int) -> Optional[Flag]:
    """The boolean flag given alone in the word just before ``at``, if any."""
    if not line.flags or at == 0:
        return None
    last = line.flags[-1]
    if last.word is words[at - 1] and last.value is None and last.key is not None and last.boolean:
        return last
    return None


def _argument(word: Word, after: Optional[Flag]) -> Refusal:
    message = f'"dockerd" accepts no argument(s) (the argument "{word.text}")'
    return Refusal(word, "stray-value" if after is not None else "argument", word.text, message, after)


def _unknown_value(line: CommandLine, words: Sequence[Word], index: int) -> int:
    """An unknown flag's value, if the next word looks like one (``-g /data``): dockerd stops at
    the flag, and reporting its value as a stray argument as well would only repeat the finding."""
    if index < len(words) and not words[index].text.startswith("-") and not line.unreadable(words[index]):
        line.refusals[-1].value = words[index]
        return index + 1
    return index


def _long(line: CommandLine, words: Sequence[Word], index: int, engine: Engine) -> int:
    word = words[index - 1]
    body = word.text[2:]
    if body[:1] in ("-", "="):
        line.refusals.append(Refusal(word, "syntax", word.text, f"bad flag syntax: {word.text}"))
        return index
    name, eq, inline = body.partition("=")
    spelling = "--" + name
    key = _flags(engine).get(spelling)
    if key is None:
        line.refusals.append(Refusal(word, "unknown", spelling, f"unknown flag: {spelling}"))
        return index if eq else _unknown_value(line, words, index)
    flag = Flag(word, name, key, inline if eq else None, spelling=spelling, boolean=_is_bool(engine, spelling))
    if not eq and not flag.boolean:
        return _with_next(line, words, index, flag, f"flag needs an argument: {word.text}")
    line.flags.append(flag)
    return index


def _with_next(line: CommandLine, words: Sequence[Word], index: int, flag: Flag, refusal: str) -> int:
    """A value flag takes the next word, whatever it is; at the end of the line, dockerd refuses it."""
    if index >= len(words):
        line.refusals.append(Refusal(flag.word, "needs-value", flag.spelling, refusal))
        return index
    value = words[index]
    if line.unreadable(value):
        line.unread, flag.value_unknown = value, True
    flag.value, flag.value_word = value.text, value
    line.flags.append(flag)
    return index + 1


def _short(line: CommandLine, words: Sequence[Word], index: int, engine: Engine) -> int:
    word = words[index - 1]
    shorts = word.text[1:]
    while shorts:
        char, rest = shorts[0], shorts[1:]
        spelling = "-" + char
        key = _flags(engine).get(spelling)
        if key is None:
            line.refusals.append(Refusal(word, "unknown", spelling, f"unknown shorthand flag: '{char}' in -{shorts}"))
            return index if rest else _unknown_value(line, words, index)
        flag = Flag(word, _long_name(spelling, key, engine), key, None, spelling=spelling, boolean=_is_bool(engine, spelling))
        if len(rest) > 1 and rest[0] == "=":
            flag.value, rest = rest[1:], ""
        elif flag.boolean:
            pass  # -D: true; what follows is the next shorthand
        elif rest:
            flag.value, rest = rest, ""  # -Hunix:///x
        else:
            return _with_next(line, words, index, flag, f"flag needs an argument: '{char}' in -{shorts}")
        line.flags.append(flag)
        shorts = rest
    return index


def parse(words: Sequence[Word], engine: Engine) -> Tuple[List[Flag], List[Word]]:
    """Flags, and the words dockerd would refuse (arguments, unknown flags)."""
    line = read(words, engine, judge=False)
    return line.flags, [refusal.word for refusal in line.refusals]


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
        if raw is None:
            return True
        parsed = go_bool(raw)
        return raw if parsed is None else parsed
    if fact.json_type == "integer":
        parsed = go_int(raw or "")
        return raw if parsed is None else parsed
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
