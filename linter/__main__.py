"""``python -m linter``. The working directory is taken off the import path first: it is usually
the repository being scanned, and nothing may be imported from it (a folder there named
``policies`` would otherwise shadow the built-in pack)."""

import os
import sys

_cwd = os.getcwd()
sys.path[:] = [p for p in sys.path if p not in ("", ".", _cwd)]

from .cli import main  # noqa: E402

sys.exit(main())
