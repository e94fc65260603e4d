"""YAML for dlint's own files (.dlint.yaml, declarative policies): positions kept, bounded work.

ruamel.yaml keeps the line and column of every node (composed by ``yamlnodes.compose``: the C
composer when available, bounded either way). The result is copied into plain Python data
under a node budget and a depth limit, so that an alias bomb or absurd nesting ends in a clear
error instead of exhausting time or memory.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

MAX_NODES = 200_000
MAX_DEPTH = 64

Path_ = Tuple[Any, ...]


class YamlError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Positions:
    """Line and column (1-based) of each node, by its path of keys and indexes."""

    def __init__(self):
        self.by_path: Dict[Path_, Tuple[int, int]] = {}

    def find(self, path: Path_) -> Tuple[int, int]:
        path = tuple(path)
        while path not in self.by_path and path:
            path = path[:-1]
        return self.by_path.get(path, (1, 1))


def load(text: str) -> Tuple[Any, Positions]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from .yamlnodes import compose

    root, problem = compose(text)  # bounded in depth and nodes; the C composer when available
    if problem is not None:
        line, column = _line_column(text, problem.index)
        raise YamlError(f"invalid YAML: {problem.message}", line, column)
    try:
        raw = YAML(typ="rt").constructor.construct_document(root) if root is not None else None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem_text = err.problem or err.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem_text}", line, column) from None
    except (YAMLError, RecursionError, ValueError, TypeError, AttributeError) as err:
        raise YamlError(f"invalid YAML: {err}") from None
    positions = Positions()
    budget = [MAX_NODES]
    return _plain(raw, (), positions, budget, 0), positions


def _line_column(text: str, index: int) -> Tuple[int, int]:
    index = max(0, min(index, len(text)))
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def _plain(node: Any, path: Path_, positions: Positions, budget: list, depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlError(f"more than {MAX_NODES} YAML nodes (aliases expanding without bound?)")
    if depth > MAX_DEPTH:
        line, column = positions.find(path)
        raise YamlError(f"nested deeper than {MAX_DEPTH} levels", line, column)
    lc = getattr(node, "lc", None)
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            key_path = path + (str(key),)
            if lc is not None:
                try:
                    line, column = lc.key(key)
                    positions.by_path[key_path] = (line + 1, column + 1)
                except (KeyError, TypeError):
                    pass
            out[str(key)] = _plain(value, key_path, positions, budget, depth + 1)
        return out
    if isinstance(node, list):
        out_list = []
        for index, value in enumerate(node):
            item_path = path + (index,)
            if lc is not None:
                try:
                    line, column = lc.item(index)
                    positions.by_path[item_path] = (line + 1, column + 1)
                except (KeyError, TypeError, IndexError):
                    pass
            out_list.append(_plain(value, item_path, positions, budget, depth + 1))
        return out_list
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)  # dates and other YAML types: as written
