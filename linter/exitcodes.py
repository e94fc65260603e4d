"""dlint's exit codes (documented in the README)."""

OK = 0  # nothing at or above the --fail-on threshold
FINDINGS = 1  # findings at or above the threshold
USAGE = 2  # usage or configuration error: bad flag, invalid .dlint.yaml or policy, unknown rule
INPUT = 3  # an input could not be read or parsed (also reported as a finding with its location)
INTERNAL = 4  # a bug in dlint or a plugin: reported on stderr without a traceback (use --debug)
