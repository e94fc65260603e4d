"""dlint's built-in policy pack, registered through the ``dlint`` entry-point group like any pack.

Each policy is one YAML resource in this folder; the Python checks that some of them name live in
``checks/``, one module per policy.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from dlint_docker.hookspecs import hookimpl

HERE = Path(__file__).resolve().parent


class _Checks(dict):
    """Check name -> function, importing the module on first use."""

    def __contains__(self, name) -> bool:
        return (HERE / "checks" / f"{name}.py").is_file()

    def __missing__(self, name):
        module_name = f"{__name__}.checks.{name}"

        def check(host, context):  # imported on first use: a run pays only for the checks it runs
            return importlib.import_module(module_name).check(host, context)

        def applies(host, context) -> bool:  # the check's own answer, when it gives one
            own = getattr(importlib.import_module(module_name).check, "applies", None)
            return own(host, context) if own is not None else True

        check.applies = applies
        self[name] = check
        return check


@hookimpl
def dlint_policies():
    from dlint_docker.policy.pack import load_folder

    return load_folder(HERE, origin="dlint built-in pack", checks=_Checks())
