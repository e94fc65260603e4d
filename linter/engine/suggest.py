"""Did-you-mean for daemon.json keys."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Optional, Tuple


def _normal(key: str) -> str:
    return key.lower().replace("_", "-").replace(" ", "-")


@lru_cache(maxsize=4096)
def _suggest(key: str, candidates: Tuple[str, ...], fuzzy: bool) -> Optional[str]:
    normal = _normal(key)
    by_normal = {_normal(c): c for c in candidates}
    if normal in by_normal and by_normal[normal] != key:
        return by_normal[normal]
    # a singular/plural slip (label/labels) or a separator slip (tls-verify/tlsverify)
    for variant in (normal + "s", normal.rstrip("s"), normal.replace("-", "")):
        for cand_normal, cand in by_normal.items():
            if variant in (cand_normal, cand_normal.replace("-", "")) and cand != key:
                return cand
    if not fuzzy:
        return None
    import difflib  # only an unknown key asks

    close = difflib.get_close_matches(normal, list(by_normal), n=1, cutoff=0.8)
    return by_normal[close[0]] if close else None


def suggest(key: str, candidates: Iterable[str], fuzzy: bool = True) -> Optional[str]:
    """The known key the user most likely meant, or None. Without ``fuzzy``, only case, separator
    and singular/plural slips count (strong enough to call a file a daemon.json)."""
    return _suggest(key, tuple(sorted(candidates)), fuzzy)
