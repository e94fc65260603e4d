"""Jinja's ``{% if %}``/``{% elif %}``/``{% else %}`` blocks, read statically: the branch a condition
decided from the repository's values, or every branch a condition dlint cannot decide may take.

Nothing here evaluates anything: the caller's ``decide(tag)`` says True, False or None (unknown) for
an ``if``/``elif`` tag. A plan is made of character ranges of the template: ranges to *drop* (the
tags, with the newline trim_blocks removes, and the branches not taken) and ranges to *mask* (a
block whose branch is unknown, in the masked fallback). ``variants`` lists the drops of each
possible rendering, at most ``CAP`` of them: beyond that only the masked fallback is given, where
everything an undecided condition governs is unknown.

Block structure is read from the tag list (``jinja.tags``); a text whose blocks do not nest (a
syntax error Ansible stops on, reported apart) gets no plan and is read as before.
"""

from __future__ import annotations

from dataclasses import field
from .lazyclass import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

CAP = 16  # possible renderings read one by one; beyond, the undecided blocks are unknown

# statements that open a block closed by end<name> (``set`` only in its block form, without "=")
_OPENERS = frozenset({"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "set", "trans"})

Range = Tuple[int, int]


@dataclass
class Branch:
    tag: object  # the if/elif/else tag (jinja.Tag)
    condition: Optional[str]  # None for else
    body: Range
    blocks: List["IfBlock"] = field(default_factory=list)  # if blocks nested in the body


@dataclass
class IfBlock:
    branches: List[Branch]
    end: object  # the endif tag

    @property
    def span(self) -> Range:
        return self.branches[0].tag.start, self.end.end


@dataclass
class Plan:
    variants: Optional[List[List[Range]]]  # drops of each possible rendering; None: more than CAP
    drops: List[Range]  # the masked fallback: the ranges it drops ...
    masks: List[Tuple[Range, bool]]  # ... and masks (True: a tag, read as one line of x)
    undecided: list  # the if/elif tags dlint could not decide


def _keyword(tag) -> str:
    words = tag.body.split(None, 1)
    return words[0] if words else ""


def structure(text: str, tags: Sequence) -> Optional[List[IfBlock]]:
    """The top-level if blocks (each with its nested ones); None when the blocks do not nest."""
    top: List[IfBlock] = []
    stack: list = []  # open blocks: ("if", IfBlock) or (name, None)
    for tag in tags:
        if tag.kind != "stmt":
            continue
        if not tag.closed:
            return None
        word = _keyword(tag)
        if word == "if":
            block = IfBlock([Branch(tag, tag.body.strip()[2:].strip(), (tag.end, tag.end))], None)
            _holder(stack, top).append(block)
            stack.append(("if", block))
        elif word in ("elif", "else") and stack and stack[-1][0] == "if":
            block = stack[-1][1]
            condition = tag.body.strip()[4:].strip() if word == "elif" else None
            block.branches.append(Branch(tag, condition, (tag.end, tag.end)))
        elif word == "endif":
            if not stack or stack[-1][0] != "if":
                return None
            block = stack.pop()[1]
            block.end = tag
            _close_bodies(block)
        elif word in _OPENERS and not (word == "set" and "=" in tag.body):
            stack.append((word, None))
        elif word.startswith("end") and word[3:] in _OPENERS:
            if not stack or stack[-1][0] != word[3:]:
                return None
            stack.pop()
    return None if stack else top


def _holder(stack, top) -> List[IfBlock]:
    """Where a new if block goes: the body of the innermost open if's last branch, or the top."""
    for name, block in reversed(stack):
        if name == "if":
            return block.branches[-1].blocks
    return top


def _close_bodies(block: IfBlock) -> None:
    for index, branch in enumerate(block.branches):
        following = block.branches[index + 1].tag if index + 1 < len(block.branches) else block.end
        branch.body = (branch.tag.end, following.start)


def _tag_drop(text: str, tag, trim_blocks: bool) -> Range:
    """The characters a block tag takes away: itself, the whitespace its ``-`` signs strip, the
    newline trim_blocks removes after it."""
    start, end = tag.start, tag.end
    if tag.strip_before:
        while start > 0 and text[start - 1] in " \t\r\n":
            start -= 1
    if tag.strip_after:
        while end < len(text) and text[end] in " \t\r\n":
            end += 1
    elif trim_blocks:
        if text.startswith("\r\n", end):
            end += 2
        elif text.startswith("\n", end):
            end += 1
    return start, end


class _TooMany(Exception):
    pass


class _Planner:
    def __init__(self, text: str, trim_blocks: bool, decide: Callable[[object], Optional[bool]]):
        self.text = text
        self.trim = trim_blocks
        self.decide = decide
        self.verdicts: dict = {}
        self.undecided: list = []

    def verdict(self, branch: Branch) -> Optional[bool]:
        if branch.condition is None:
            return True
        key = id(branch.tag)
        if key not in self.verdicts:
            self.verdicts[key] = self.decide(branch.tag)
            if self.verdicts[key] is None:
                self.undecided.append(branch.tag)
        return self.verdicts[key]

    def taking(self, block: IfBlock, chosen: Optional[int]) -> List[Range]:
        """Drops that render ``block`` as its branch ``chosen`` (None: no branch)."""
        drops = [_tag_drop(self.text, b.tag, self.trim) for b in block.branches]
        drops.append(_tag_drop(self.text, block.end, self.trim))
        drops += [b.body for i, b in enumerate(block.branches) if i != chosen]
        return drops

    def possible(self, block: IfBlock) -> List[Optional[int]]:
        """The branches ``block`` may take, in order; None when it may take none."""
        out: List[Optional[int]] = []
        for index, branch in enumerate(block.branches):
            verdict = self.verdict(branch)
            if verdict is False:
                continue
            out.append(index)
            if verdict is True:
                return out
        out.append(None)
        return out

    def options(self, blocks: Sequence[IfBlock]) -> List[List[Range]]:
        """Every combination of branches of ``blocks`` (in sequence), as drops."""
        combos: List[List[Range]] = [[]]
        for block in blocks:
            mine: List[List[Range]] = []
            for chosen in self.possible(block):
                inner = self.options(block.branches[chosen].blocks) if chosen is not None else [[]]
                mine += [self.taking(block, chosen) + rest for rest in inner]
            combos = [a + b for a in combos for b in mine]
            if len(combos) > CAP:
                raise _TooMany()
        return combos

    def fallback(self, blocks: Sequence[IfBlock], drops: List[Range], masks: List[Tuple[Range, bool]]) -> None:
        """Decided blocks take their branch; an undecided one is masked whole."""
        for block in blocks:
            choices = self.possible(block)
            if len(choices) == 1:
                chosen = choices[0]
                drops += self.taking(block, chosen)
                if chosen is not None:
                    self.fallback(block.branches[chosen].blocks, drops, masks)
                continue
            for branch in block.branches:
                masks.append((_tag_drop(self.text, branch.tag, self.trim), True))
                masks.append((branch.body, False))
            masks.append((_tag_drop(self.text, block.end, self.trim), True))


def plan(text: str, tags: Sequence, trim_blocks: bool, decide: Callable[[object], Optional[bool]]) -> Optional[Plan]:
    """How to read the if blocks of ``text``; None when it has none, or they do not nest."""
    blocks = structure(text, tags)
    if not blocks:
        return None
    planner = _Planner(text, trim_blocks, decide)
    drops: List[Range] = []
    masks: List[Tuple[Range, bool]] = []
    planner.fallback(blocks, drops, masks)
    try:
        variants: Optional[List[List[Range]]] = planner.options(blocks)
    except _TooMany:
        variants = None
    return Plan(variants, drops, masks, planner.undecided)


def cut(ranges: Sequence[Tuple[Range, object]]) -> List[Tuple[Range, object]]:
    """Ranges sorted, overlaps resolved in favour of the one that starts first (each keeps its tag)."""
    out: List[Tuple[Range, object]] = []
    position = 0
    for (start, end), what in sorted(ranges, key=lambda r: (r[0][0], -r[0][1])):
        start = max(start, position)
        if start < end:
            out.append(((start, end), what))
            position = end
    return out
