"""Errors that end a run with exit code 2, with a message that says what to do."""


class DlintError(Exception):
    """A usage or configuration error (exit code 2)."""


class UsageError(DlintError):
    pass


class ConfigError(DlintError):
    pass


class PolicyError(DlintError):
    pass
