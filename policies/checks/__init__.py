"""The Python checks of the built-in pack, one module per policy, each exposing ``check``.

Their metadata (id, severity, documentation, examples) lives in the policy's YAML resource,
which names the check with ``spec.check``.
"""
