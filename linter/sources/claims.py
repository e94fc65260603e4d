"""What each of the larger built-in source kinds claims by name, sniffs in a file's first bytes,
and needs the file to contain: without its reader, so that discovery (and a scan whose files all
come from the cache) asks them without importing the readers. Each kind inherits these (tests/test_builtin_kinds.py)."""

from __future__ import annotations

import re
import zlib

from . import DOCKER_NEEDLES, HEAD_BYTES, SNIFF

# --- Ansible ---------------------------------------------------------------------------------------

_ROLE_FILE = re.compile(r"(?:^|/)(roles/(?:[^/]+/)+?)(tasks|handlers|defaults|vars|meta)/(?:[^/]+/)*[^/]+\.ya?ml$")
_INVENTORY_FILE = re.compile(r"(?:^|/)((?:group_vars|host_vars)/)([^/]+)(/.*)?$")
_YAML_NAME = re.compile(r"\.ya?ml$")

_PLAY_KEYS = re.compile(rb"^\s*-?\s*(?:tasks|roles|pre_tasks|post_tasks|handlers)\s*:|^\s*-\s+(?:ansible\.builtin\.)?import_playbook\s*:", re.M)
_HOSTS_KEY = re.compile(rb"^(?:\s*-\s+|\s+)hosts\s*:", re.M)
_TASK_MODULE = re.compile(
    rb"^\s*(?:-\s+)?(?:ansible\.(?:builtin|legacy)\.|community\.(?:docker|general)\.)?"
    rb"(?:copy|template|apt|yum|dnf|package|service|systemd|systemd_service|shell|command|docker_swarm|lineinfile|"
    rb"blockinfile|include_tasks|import_tasks|block|dpkg_selections|file|get_url|apt_repository|yum_repository|"
    rb"include_role|import_role|set_fact|debug|user|group)\s*:",
    re.M,
)


_PLAY_WORDS = (b"tasks", b"roles", b"handlers", b"import_playbook")  # one is in every match of _PLAY_KEYS


def is_playbook_head(head: bytes) -> bool:
    """``hosts:`` and a play's key at the start of lines (each pattern tried only where its word
    is: ``re`` tries a multi-line ``^`` at every byte)."""
    return (
        b"hosts" in head
        and any(word in head for word in _PLAY_WORDS)
        and _HOSTS_KEY.search(head) is not None
        and _PLAY_KEYS.search(head) is not None
    )


def _starts_with_list(head: bytes) -> bool:
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#") or stripped in (b"---", b"%YAML 1.1", b"%YAML 1.2"):
            continue
        # the first node of the document is a list, also when indented (``  - hosts: all``)
        return stripped.startswith(b"- ") or stripped == b"-"
    return False


_NEEDLES = re.compile(DOCKER_NEEDLES.pattern + rb"|moby-engine|\b(?:import|include)_tasks\b|(?m:^\s*-?\s*include\s*:)")
_INCLUDE_TASKS = re.compile(rb"\b(?:import|include)_tasks\b")
_INCLUDE_COLON = re.compile(rb"include\s*:")
_BLANK_BYTES = frozenset(b" \t\n\r\f\v")  # what \s is in a bytes pattern


class _Needles:
    """Whether ``_NEEDLES`` is found in a file's bytes, found the way it is fast: its words by
    substring search, and its line pattern from each ``include:`` backwards (``re`` tries a
    multi-line ``^`` at every byte of the file, which took longer than reading the files)."""

    pattern = _NEEDLES.pattern

    def search(self, data: bytes) -> bool:
        if b"docker" in data or b"daemon.json" in data or b"moby-engine" in data:
            return True
        if b"_tasks" in data and _INCLUDE_TASKS.search(data):
            return True
        return b"include" in data and _include_line(data)


def _include_line(data: bytes) -> bool:
    """``(?m:^\\s*-?\\s*include\\s*:)`` is found: before some ``include:``, only blanks and at
    most one dash back to the start of a line."""
    for match in _INCLUDE_COLON.finditer(data):
        start = match.start()
        while start and data[start - 1] in _BLANK_BYTES:
            start -= 1
        if start and data[start - 1] == 0x2D:  # -
            start -= 1
            while start and data[start - 1] in _BLANK_BYTES:
                start -= 1
        if start == 0 or b"\n" in data[start : match.start()]:
            return True
    return False


class AnsibleClaims:
    """The Ansible kind's claims, sniff and needles."""

    # a playbook that only imports task files (which mention docker) is what ties them to a machine
    needles = _Needles()

    def claims(self, rel: str, basename: str):
        rel = rel.replace("\\", "/")
        if _ROLE_FILE.search(rel):
            return True
        match = _INVENTORY_FILE.search(rel)
        if match and (_YAML_NAME.search(basename) or "." not in basename.lstrip(".")) and not basename.startswith("."):
            return True
        if _YAML_NAME.search(basename):
            return SNIFF
        return False

    def sniff(self, head: bytes) -> bool:
        if not _starts_with_list(head):
            return False
        if is_playbook_head(head):
            return True  # a playbook
        return bool(_TASK_MODULE.search(head))  # a task list


# --- cloud-init ------------------------------------------------------------------------------------

_CLOUD_INIT_EXCLUDED = (".md", ".rst", ".html", ".py", ".go", ".rb", ".js", ".ts", ".log", ".json", ".png", ".svg", ".tf")
# .sh too: user data is often kept as init.sh while it is really #cloud-config
_CLOUD_INIT_SNIFFED = (".yml", ".yaml", ".tpl", ".tmpl", ".tftpl", ".cfg", ".txt", ".j2", ".sh")


def _gunzip_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES)
    except zlib.error:
        return b""


class CloudInitClaims:
    """The cloud-init kind's claims and sniff (no needles: every file it claims is read)."""

    needles = None

    def claims(self, rel: str, basename: str):
        lower = basename.lower()
        if not lower.endswith(_CLOUD_INIT_EXCLUDED) and (
            lower == "user-data"
            or lower.startswith(("user_data", "user-data.", "cloud-init", "cloud-config"))
            or lower.endswith(".cloud-config")
        ):
            return True
        if lower.endswith(_CLOUD_INIT_SNIFFED) or "." not in lower.lstrip("."):
            return SNIFF
        return False

    def sniff(self, head: bytes) -> bool:
        head = head[:HEAD_BYTES]
        if head[:2] == b"\x1f\x8b":
            head = _gunzip_head(head)
        lowered = head.lower()
        if b"mime-version:" in lowered:
            return True
        stripped = lowered.lstrip()
        if stripped.startswith(b"\xef\xbb\xbf"):  # cloud-init ignores it; read() says so
            stripped = stripped[3:].lstrip()
        if stripped.startswith((b"#cloud-config", b"#cloud-boothook", b"## template: jinja")):
            return True
        # a Go template of {{ define }} blocks, one of them a cloud-config
        return stripped.startswith((b"{{ define", b"{{define", b"{{- define")) and b"#cloud-config" in lowered


# --- shell -----------------------------------------------------------------------------------------

_SHEBANG_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})


def _base(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _shell_of(text: str) -> str:
    """The interpreter named by a #! line, or ''."""
    if not text.startswith("#!"):
        return ""
    words = text[2 : text.find("\n") if "\n" in text else len(text)].split()
    while words and (_base(words[0]) == "env" or words[0].startswith("-")):
        words = words[1:]
    return _base(words[0]) if words else ""


class ShellClaims:
    """The shell kind's claims, sniff and needles."""

    # a script that names Docker, or runs other scripts (bootstrap.sh running scripts/*.sh in a
    # loop: those may install the engine on the same machine)
    needles = re.compile(DOCKER_NEEDLES.pattern + rb"|\.(?:ba)?sh\b")

    def claims(self, rel: str, basename: str):
        if basename.endswith((".sh", ".bash")):
            return True
        if "." not in basename.lstrip("."):
            return SNIFF
        return False

    def sniff(self, head: bytes) -> bool:
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        if not head.startswith(b"#!"):
            return False
        line = head.split(b"\n", 1)[0].decode("utf-8", "replace")
        return _shell_of(line) in _SHEBANG_SHELLS


# --- Butane and Container Linux Configs ------------------------------------------------------------

VARIANTS = frozenset({"fcos", "flatcar", "openshift", "r4e", "fiot", "rhcos"})
# the top-level keys of a Container Linux Config (CT doc/configuration.md)
CLC_KEYS = frozenset({"ignition", "storage", "systemd", "networkd", "passwd", "etcd", "flannel", "update", "locksmith", "docker"})

_BUTANE_CLAIMED = (".bu", ".butane", ".fcc", ".clc")
_BUTANE_SNIFFED = (".yml", ".yaml", ".tmpl", ".tpl", ".tftpl")
_VARIANT_LINE = re.compile(rb"^variant[ \t]*:[ \t]*[\"']?([A-Za-z0-9_-]+)[\"']?[ \t]*(?:#.*)?\r?$", re.MULTILINE)
_VERSION_LINE = re.compile(rb"^version[ \t]*:[ \t]*\S", re.MULTILINE)
_TOP_KEY = re.compile(rb"^([A-Za-z_][\w-]*)[ \t]*:(?=[ \t\r\n]|$)", re.MULTILINE)
_DOCKER_FLAGS = re.compile(rb"^docker[ \t]*:[ \t]*\r?\n(?:[ \t]*(?:#.*)?\r?\n)*[ \t]+flags[ \t]*:", re.MULTILINE)


def _strip_bom(head: bytes) -> bytes:
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def is_butane_head(head: bytes) -> bool:
    """A top-level ``variant:`` naming a Butane variant, and a ``version:``."""
    head = _strip_bom(head[:HEAD_BYTES])
    match = _VARIANT_LINE.search(head)
    return bool(match and match.group(1).decode("ascii", "replace") in VARIANTS and _VERSION_LINE.search(head))


def is_clc_head(head: bytes) -> bool:
    """Top-level keys that are all Container Linux Config keys, with storage, systemd or docker among
    them, and either two of them or ``docker: flags:``."""
    head = _strip_bom(head[:HEAD_BYTES])
    if head.lstrip().lower().startswith((b"#cloud-config", b"## template")):
        return False
    keys = {m.group(1).decode("ascii") for m in _TOP_KEY.finditer(head)}
    if not keys or not keys <= CLC_KEYS or not keys & {"storage", "systemd", "docker"}:
        return False
    return len(keys) >= 2 or bool(_DOCKER_FLAGS.search(head))


class ButaneClaims:
    """The Butane kind's claims and sniff (no needles)."""

    needles = None

    def claims(self, rel: str, basename: str):
        lower = basename.lower()
        if lower.endswith(_BUTANE_CLAIMED):
            return True
        if lower.endswith(_BUTANE_SNIFFED):
            return SNIFF
        return False

    def sniff(self, head: bytes) -> bool:
        return is_butane_head(head) or is_clc_head(head)


# --- Vagrant -----------------------------------------------------------------------------------------


class VagrantClaims:
    """The Vagrant kind's claims and needles."""

    needles = re.compile(rb"provision")

    def claims(self, rel: str, basename: str):
        return basename in ("Vagrantfile", "vagrantfile")


# --- Ignition --------------------------------------------------------------------------------------

_IGNITION_SNIFFED = (".json", ".tpl", ".tftpl", ".tmpl", ".j2")
_IGNITION_HEAD = re.compile(rb'"ignition"\s*:\s*\{')


class IgnitionClaims:
    """The Ignition kind's claims and sniff (no needles)."""

    needles = None

    def claims(self, rel: str, basename: str):
        lower = basename.lower()
        if lower.endswith(".ign"):
            return True
        if lower.endswith(_IGNITION_SNIFFED):
            return SNIFF
        return False

    def sniff(self, head: bytes) -> bool:
        return bool(_IGNITION_HEAD.search(head)) and b'"version"' in head


# --- Packer ----------------------------------------------------------------------------------------

_PACKER_NEEDLES = re.compile(rb"docker|daemon\.json|provisioner")
_PACKER_NOT_TEMPLATES = frozenset(
    {"package.json", "package-lock.json", "composer.json", "composer.lock", "tsconfig.json", "jsconfig.json", "renovate.json", "manifest.json"}
)


class PackerClaims:
    """The Packer kind's claims, sniff and needles."""

    needles = _PACKER_NEEDLES

    def claims(self, rel: str, basename: str):
        lower = basename.lower()
        if lower.endswith((".pkr.hcl", ".pkr.json")):
            return True
        if not lower.endswith(".json") or "daemon" in lower or "/etc/docker/" in "/" + rel or lower in _PACKER_NOT_TEMPLATES:
            return False  # the daemon-json kind's files, and well-known JSON that is never a template
        return SNIFF

    def sniff(self, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and (b'"provisioners"' in head or b'"builders"' in head)


# --- Terraform -------------------------------------------------------------------------------------

_TERRAFORM_NEEDLES = re.compile(
    rb"docker|daemon\.json|user_data|user-data|custom_data|startup.script|templatefile|cloudinit_config|remote-exec|guestinfo\.userdata|provisioner"
)


class TerraformClaims:
    """The Terraform kind's claims and needles."""

    needles = _TERRAFORM_NEEDLES

    def claims(self, rel: str, basename: str):
        return basename.endswith(".tf")
