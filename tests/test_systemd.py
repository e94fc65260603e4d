"""systemd units, drop-ins and environment files read as systemd reads them, and the dockerd command
line they give (provisioning-facts §2, dockerd-facts §3.4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.document import Document
from linter.fragments import UnitFile
from linter.source import Source
from linter.sources import SNIFF, ReadContext
from linter.sources.systemd import EnvFileKind, SystemdKind, parse_env_file, parse_unit

SYSTEMD = SystemdKind()
ENVFILE = EnvFileKind()


def _source(rel: str, text: str, kind: str) -> Source:
    return Source(Path("/repo") / rel, rel, rel, kind, text.encode())


def unit(text: str, target: str = "/etc/systemd/system/docker.service", rel: str = "") -> UnitFile:
    rel = rel or target.lstrip("/")
    extraction = SYSTEMD.read(Document(text, rel), ReadContext(_source(rel, text, "systemd"), target=target))
    (fragment,) = extraction.fragments
    return fragment


def envfile(text: str, target: str = "/etc/default/docker", rel: str = ""):
    rel = rel or target.lstrip("/")
    extraction = ENVFILE.read(Document(text, rel), ReadContext(_source(rel, text, "envfile"), target=target))
    (fragment,) = extraction.fragments
    return fragment, extraction.notes


def at(location) -> str:
    return f"{location.path}:{location.line}:{location.column}"


def texts(words) -> list:
    return [w.text for w in words]


# --- what each kind claims ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel,claimed",
    [
        ("docker.service", True),
        ("roles/docker/files/docker.service", True),
        ("rootfs/etc/systemd/system/docker.socket", True),
        ("etc/systemd/system/docker.service.d/override.conf", True),
        ("files/docker.service.d/10-opts.conf", True),
        ("docker.service.d/http-proxy.conf", True),
        ("files/containerd.service.d/override.conf", False),
        ("files/override.conf", False),
        ("docker.service.d/notes.txt", False),
        ("docker-custom.service", SNIFF),
        ("units/dockerd.service", SNIFF),
        ("templates/service.tpl", False),
        ("templates/docker.service.j2", False),
        ("docker.tpl", False),
    ],
)
def test_systemd_claims(rel, claimed):
    assert SYSTEMD.claims(rel, rel.rsplit("/", 1)[-1]) == claimed


def test_other_services_are_sniffed_for_dockerd():
    assert SYSTEMD.sniff(b"[Service]\nExecStart=/usr/bin/dockerd -H fd://\n") is True
    assert SYSTEMD.sniff(b"[Service]\nExecStart=/usr/bin/dockerd-current\n") is True
    assert SYSTEMD.sniff(b"[Service]\nExecStart=/usr/sbin/nginx\nAfter=docker.service\n") is False


@pytest.mark.parametrize(
    "rel,claimed",
    [
        ("etc/default/docker", True),
        ("rootfs/etc/sysconfig/docker", True),
        ("default/docker", True),
        ("sysconfig/docker", True),
        ("roles/docker/files/default/docker", True),
        ("docker", False),
        ("etc/default/docker.j2", False),
        ("etc/default/dockerd", False),
        ("etc/default/grub", False),
        ("sysconfig/docker-storage", False),
    ],
)
def test_envfile_claims(rel, claimed):
    assert ENVFILE.claims(rel, rel.rsplit("/", 1)[-1]) is claimed


def test_targets_are_guessed_from_the_file_name():
    for rel, target in [
        ("roles/docker/files/docker.service", "/etc/systemd/system/docker.service"),
        ("files/docker.service.d/http-proxy.conf", "/etc/systemd/system/docker.service.d/http-proxy.conf"),
        ("units/docker-custom.service", "/etc/systemd/system/docker-custom.service"),
        ("docker.socket", "/etc/systemd/system/docker.socket"),
    ]:
        source = _source(rel, "[Service]\n", "systemd")
        assert SYSTEMD.read(Document("[Service]\n", rel), ReadContext(source)).fragments[0].target == target
    for rel, target in [("files/default/docker", "/etc/default/docker"), ("sysconfig/docker", "/etc/sysconfig/docker")]:
        source = _source(rel, "A=1\n", "envfile")
        assert ENVFILE.read(Document("A=1\n", rel), ReadContext(source)).fragments[0].target == target


def test_extract_of_a_rootfs_file_uses_its_machine_path():
    text = "[Service]\nKillMode=process\n"
    source = _source("image/rootfs/usr/lib/systemd/system/docker.service.d/10-kill.conf", text, "systemd")
    (fragment,) = SYSTEMD.extract(source).fragments
    assert fragment.target == "/usr/lib/systemd/system/docker.service.d/10-kill.conf"
    source = _source("image/rootfs/etc/sysconfig/docker", "OPTIONS=--live-restore\n", "envfile")
    (fragment,) = ENVFILE.extract(source).fragments
    assert fragment.target == "/etc/sysconfig/docker"
    assert [(v.name, v.value) for v in fragment.variables] == [("OPTIONS", "--live-restore")]


# --- unit-file syntax -------------------------------------------------------------------------

SYNTAX = (
    "# comment\n"  # 1
    "[Unit]\n"  # 2
    "Description = Docker  \n"  # 3
    "  ; an indented comment\n"  # 4
    "[Service]\n"  # 5
    "ExecStart=/usr/bin/dockerd \\\n"  # 6
    "# a comment inside the continuation\n"  # 7
    "  --debug \\\n"  # 8
    "  --tls\n"  # 9
    "Environment=A=#not-a-comment\n"  # 10
    "\tKillMode\t=\tprocess\n"  # 11
)


def test_sections_keys_values_and_key_locations():
    fragment = unit(SYNTAX)
    got = [(e.section, e.key, e.value, at(e.location)) for e in fragment.entries]
    path = "etc/systemd/system/docker.service"
    assert got == [
        ("Unit", "Description", "Docker", f"{path}:3:1"),
        ("Service", "ExecStart", "/usr/bin/dockerd    --debug    --tls", f"{path}:6:1"),
        ("Service", "Environment", "A=#not-a-comment", f"{path}:10:1"),
        ("Service", "KillMode", "process", f"{path}:11:2"),
    ]
    assert fragment.target == "/etc/systemd/system/docker.service"
    assert fragment.source.rel == path


def test_value_offsets_follow_continuation_lines():
    fragment = unit(SYNTAX)
    entry = fragment.entries[1]
    assert len(entry.value_offsets) == len(entry.value)
    doc = fragment.document
    assert doc.line_col(entry.value_offsets[0]) == (6, 11)
    assert doc.line_col(entry.value_offsets[entry.value.index("--debug")]) == (8, 3)
    assert doc.line_col(entry.value_offsets[entry.value.index("--tls")]) == (9, 3)
    # the backslash that ended line 6 is the space that joins it
    assert doc.text[entry.value_offsets[17]] == "\\" and entry.value[17] == " "
    kill = fragment.entries[3]
    assert doc.line_col(kill.value_offsets[0]) == (11, 13)


def test_crlf_bom_and_lone_cr_line_endings():
    text = "\ufeff[Service]\r\nKillMode=mixed\r\nType=notify\rDelegate=yes"
    fragment = unit(text)
    assert [(e.key, e.value) for e in fragment.entries] == [("KillMode", "mixed"), ("Type", "notify"), ("Delegate", "yes")]
    assert fragment.document.line_col(fragment.entries[1].value_offsets[0]) == (3, 6)


def test_an_even_number_of_backslashes_does_not_continue():
    fragment = unit("[Service]\nEnvironment=A=x\\\\\nKillMode=process\n")
    assert [(e.key, e.value) for e in fragment.entries] == [("Environment", "A=x\\\\"), ("KillMode", "process")]


def test_a_continuation_at_the_end_of_the_file_is_still_read():
    fragment = unit("[Service]\nExecStart=/usr/bin/dockerd \\")
    assert [(e.key, e.value) for e in fragment.entries] == [("ExecStart", "/usr/bin/dockerd")]


def test_read_notes_what_systemd_says():
    extraction = SYSTEMD.read(Document("ExecStart=/usr/bin/dockerd\n", "d.service"), ReadContext(_source("d.service", "", "systemd")))
    assert extraction.notes == ["d.service:1:1: systemd: Assignment outside of section. Ignoring."]


# --- environment files ------------------------------------------------------------------------

ENV = (
    "# comment\n"  # 1
    "; also a comment\n"  # 2
    'DOCKER_OPTS="--dns 8.8.8.8 --log-level=warn"\n'  # 3
    "export HTTP_PROXY=http://proxy:3128\n"  # 4
    "A=  unquoted value with  inner   spaces   \n"  # 5
    "B='single $X \"kept\"'\n"  # 6
    'C="esc \\" \\\\ \\$ \\` \\n kept"\n'  # 7
    "D=line one \\\n"  # 8
    "line two\n"  # 9
    'E=x"y"\n'  # 10
    'F="a"b\n'  # 11
    "G = spaced\n"  # 12
    'H="multi\n'  # 13
    'line"\n'  # 14
    "no equals sign here\n"  # 15
    "I=${DOCKER_OPTS}\n"  # 16
    "1BAD=x\n"  # 17
    "J=last"  # 18
)


def test_environment_file_values_as_systemd_reads_them():
    fragment, notes = envfile(ENV)
    got = {v.name: v.value for v in fragment.variables}
    assert got == {
        "DOCKER_OPTS": "--dns 8.8.8.8 --log-level=warn",
        "A": "unquoted value with  inner   spaces",
        "B": 'single $X "kept"',
        "C": 'esc " \\ $ ` \\n kept',
        "D": "line one line two",
        "E": 'x"y"',
        "F": "ab",
        "G": "spaced",
        "H": "multi\nline",
        "I": "${DOCKER_OPTS}",
        "J": "last",
    }
    assert fragment.target == "/etc/default/docker"
    assert [(v.name, at(v.location)) for v in fragment.variables][:3] == [
        ("DOCKER_OPTS", "etc/default/docker:3:1"),
        ("A", "etc/default/docker:5:1"),
        ("B", "etc/default/docker:6:1"),
    ]
    assert notes == [
        "etc/default/docker:4:1: systemd: Ignoring invalid environment assignment 'export HTTP_PROXY=http://proxy:3128': "
        "/etc/default/docker (EnvironmentFile= has no 'export'; only shell scripts that source the file see HTTP_PROXY)",
        "etc/default/docker:17:1: systemd: Ignoring invalid environment assignment '1BAD=x': /etc/default/docker",
    ]


def test_environment_file_value_offsets():
    fragment, _ = envfile(ENV)
    doc = fragment.document
    by_name = {v.name: v for v in fragment.variables}
    for name, index, line_col in [
        ("DOCKER_OPTS", 0, (3, 14)),
        ("DOCKER_OPTS", 14, (3, 28)),
        ("A", 0, (5, 5)),
        ("D", 8, (8, 11)),  # the blank before the backslash-newline, which is eaten
        ("D", 9, (9, 1)),
        ("H", 6, (14, 1)),
    ]:
        var = by_name[name]
        assert len(var.value_offsets) == len(var.value)
        assert doc.line_col(var.value_offsets[index]) == line_col, (name, index)


def test_env_file_state_machine_edge_cases():
    parsed = parse_env_file("A\nB=\nC='unterminated\n# x\\\nD=after-comment\nE=\\\n")
    assert [(k, v) for k, _, v, _ in parsed.assignments] == [("B", ""), ("C", "unterminated\n# x\\\nD=after-comment\nE=\\\n")]
    parsed = parse_env_file("# comment \\\nK=v\n")
    assert [(k, v) for k, _, v, _ in parsed.assignments] == [("K", "v")]
