"""Notes that the default output says, not only ``-v``: what would otherwise pass in silence."""

from __future__ import annotations


class Said(str):
    """A note (a plain string everywhere notes go) that the text report shows without ``-v``:
    a file named on the command line that dlint does not read, a daemon.json it judged not to be
    Docker's, a deleted path it skipped."""
