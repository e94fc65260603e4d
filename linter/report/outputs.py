"""Several reports from one run: ``--format text --format sarif:dlint.sarif --format junit:r.xml``.

FORMAT:FILE writes that format to FILE; a bare FORMAT goes to standard output (one at most);
``-o FILE`` keeps its meaning for a single bare format. When every report goes to a file, the
text summary line is still printed, so a CI log says what happened."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from ..errors import DlintError

Target = Tuple[str, Optional[str]]  # (format, file or None for standard output)


def plan(values: Optional[Sequence[str]], output: Optional[str], known) -> List[Target]:
    targets = [_target(value, known) for value in (values or ["text"])]
    bare = [i for i, (_, path) in enumerate(targets) if path is None]
    if len(bare) > 1:
        raise DlintError("--format: only one format can go to standard output; write the others to files (FORMAT:FILE)")
    if output:
        if not bare:
            raise DlintError("--output: every --format already names its file; -o applies to a bare --format")
        targets[bare[0]] = (targets[bare[0]][0], output)
    files = [path for _, path in targets if path]
    if len(set(files)) != len(files):
        raise DlintError("--format: two reports name the same file")
    return targets


def _target(value: str, known) -> Target:
    if value in known:
        return value, None
    name, colon, path = value.partition(":")
    if colon and name in known:
        if not path:
            raise DlintError(f"--format {value}: name the file after the colon")
        return name, path
    raise DlintError(f"--format {value}: use one of {', '.join(sorted(known))}, or FORMAT:FILE")


def summary_needed(targets: Sequence[Target], values: Optional[Sequence[str]]) -> bool:
    """Nothing goes to standard output and the user wrote FORMAT:FILE: say the summary there."""
    return all(path for _, path in targets) and any(":" in v and v not in ("text",) for v in (values or ()))
