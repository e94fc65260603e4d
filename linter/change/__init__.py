"""Change-aware scans: the hosts at a git revision beside the hosts of the work tree, matched by
identity, and what the transition does to a running dockerd (reload, restart, live-restore)."""
