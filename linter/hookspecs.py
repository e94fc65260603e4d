"""The hooks a dlint plugin can implement (pluggy, project name "dlint").

A plugin is a module or object with functions marked ``@linter.hookimpl``. Installed packages
register plugins through the ``dlint`` entry-point group; the built-in pack (``policies``) is one.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("dlint")
hookimpl = pluggy.HookimplMarker("dlint")


@hookspec
def dlint_policies():
    """Return a list of ``linter.policy.Policy`` objects."""


@hookspec
def dlint_source_kinds():
    """Return a list of ``linter.sources.SourceKind`` objects (kinds of files and their extractors)."""


@hookspec
def dlint_output_formats():
    """Return a dict of format name to ``render(result, options) -> str``."""
