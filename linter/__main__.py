"""``python -m dlint_docker``. The working directory is taken off the import path first: it is usually
the repository being scanned, and nothing may be imported from it (a folder there named
``dlint_docker`` would otherwise shadow dlint itself). An absolute ``PYTHONPATH`` entry, which the
user sets and a repository cannot, stays: ``PYTHONPATH=$PWD python -m dlint_docker`` in a checkout runs
that checkout."""

import os
import sys

_cwd = os.getcwd()
_named = {p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if os.path.isabs(p)}
_first = sys.path[:1] if sys.path[:1] == [_cwd] else []  # what -m itself put first
sys.path[:] = [p for p in sys.path[len(_first):] if p not in ("", ".") and (p != _cwd or p in _named)]

from .cli import main  # noqa: E402

sys.exit(main())
