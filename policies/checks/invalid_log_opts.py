"""DKD308: log-opts dockerd refuses at start-up (json-file and local, mode, max-buffer-size)."""

from __future__ import annotations

import re

from dlint_docker.policy.model import Hit

from ._host import View, pointer

_COMMON = {"mode", "max-buffer-size"}
_KNOWN = {
    "json-file": {"max-size", "max-file", "labels", "labels-regex", "env", "env-regex", "tag", "compress"} | _COMMON,
    "local": {"max-size", "max-file", "compress"} | _COMMON,
}
_SIZE = re.compile(r"^[0-9]+(\.[0-9]+)? ?[kKmMgGtTpP]?[iI]?[bB]?$")


def _problems(driver: str, opts: dict):
    known = _KNOWN.get(driver)
    for name, value in opts.items():
        if known is not None and name not in known:
            yield name, f"unknown log opt '{name}' for {driver} log driver"
    mode = opts.get("mode")
    if mode not in (None, "", "blocking", "non-blocking"):
        yield "mode", f"logger: logging mode not supported: {mode}"
    if opts.get("max-buffer-size") and mode != "non-blocking":
        yield "max-buffer-size", "logger: max-buffer-size option is only supported with 'mode=non-blocking'"
    if known is not None:
        size = opts.get("max-size")
        if isinstance(size, str) and size and size != "-1" and not _SIZE.match(size):
            yield "max-size", f"invalid size: '{size}'"
        files = opts.get("max-file")
        if isinstance(files, str) and files and not (files.isdigit() and int(files) >= 1):
            yield "max-file", f"max-file must be a whole number of at least 1, not {files!r}"


def check(host, context):
    view = View(host, context)
    opts = view.get("log-opts")
    if not isinstance(opts, dict) or not opts:
        return  # dockerd checks log-opts at start only when there are some
    driver = view.get("log-driver") or "json-file"
    for name, message in _problems(driver, opts):
        yield Hit(
            f"dockerd exits at start-up on this log option ({view.judged()}: \"failed to set log opts: {message}\")",
            pointer=pointer("log-opts", name),
            fix=f"fix or remove log-opts \"{name}\" (the {driver} driver's options: https://docs.docker.com/engine/logging/drivers/)",
            key=f"/log-opts/{name}",
        )
