"""The butane and ignition source kinds: recognition, storage.files (inline, local, data URLs,
gzip, append), systemd units and drop-ins, Container Linux Config docker.flags, templates, the
operating system's own files, positions mapped back into the outer file, and never raising."""

from __future__ import annotations

import base64
import gzip
import json
import time
import urllib.parse
from pathlib import Path
from typing import List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint_docker import builtin
from dlint_docker.document import Document
from dlint_docker.hookspecs import hookimpl
from dlint_docker.scan import Options, run
from dlint_docker.source import Source
from dlint_docker.sources import SNIFF, Embedded, Extraction, ReadContext
from dlint_docker.sources.butane import ButaneKind
from dlint_docker.sources.claims import is_butane_head, is_clc_head
from dlint_docker.sources.ignition import (
    IgnitionKind,
    decode_data_url,
    DataURLError,
    json_string_chars,
    mask_json_templates,
)

from .helpers import write_tree
from .helpers import at, only

BUTANE = ButaneKind()
IGNITION = IgnitionKind()


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def kinds(monkeypatch):
    """The built-in kinds with butane and ignition before cloud-init (the lead registers them)."""
    original = builtin.dlint_source_kinds

    @hookimpl
    def dlint_source_kinds():
        existing = [k for k in original() if k.name not in (BUTANE.name, IGNITION.name)]
        at = next(i for i, k in enumerate(existing) if k.name == "cloud-init")
        return existing[:at] + [IgnitionKind(), ButaneKind()] + existing[at:]

    monkeypatch.setattr(builtin, "dlint_source_kinds", dlint_source_kinds)


def scan(root: Path, *paths: str, **options):
    return run(Options(paths=list(paths), cwd=root, **options))


def line_col(location):
    return location.line, location.column


def rules(result) -> List[str]:
    return sorted(f.rule for f in result.findings)


def source(text: str, name: str, kind: str = "butane", root: Path = Path("/repo")) -> Source:
    return Source(root / name, name, name, kind, text.encode("utf-8"))


def read(kind, text: str, name: str, root: Path = Path("/repo")) -> Extraction:
    return kind.read(Document(text, name), ReadContext(source(text, name, kind.name, root)))


def by_target(extraction: Extraction, target: str) -> Embedded:
    found = [e for e in extraction.embedded if e.target == target]
    assert len(found) == 1, [(e.target, e.document.label) for e in extraction.embedded]
    return found[0]


def inner(embedded: Embedded, needle: str, occurrence: int = 1):
    """Where the n-th ``needle`` of an embedded document lands in the outer file."""
    index = -1
    for _ in range(occurrence):
        index = embedded.document.text.index(needle, index + 1)
    return embedded.document.location(index, index + len(needle))


def every_character_maps_back(embedded: Embedded, outer: str, decoded=lambda c: c) -> None:
    """Each character of an exactly mapped document stands at its mapped place in the outer text
    (or, for an escape, the escape starts there)."""
    starts = [0] + [i + 1 for i, c in enumerate(outer) if c == "\n"]
    for index, char in enumerate(embedded.document.text):
        location = embedded.document.location(index, index + 1)
        assert location.exact
        found = outer[starts[location.line - 1] + location.column - 1 :]
        assert found.startswith(decoded(char)) or found.startswith("\\") or found.startswith("%"), (index, char, found[:8])


# --- recognition ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,expected",
    [
        ("worker.bu", True),
        ("node.butane", True),
        ("controller.fcc", True),
        ("etcd.clc", True),
        ("worker.yaml", SNIFF),
        ("worker.yml", SNIFF),
        ("worker.yaml.tmpl", SNIFF),
        ("cl.tmpl", SNIFF),
        ("config.ign", False),
        ("daemon.json", False),
        ("main.tf", False),
    ],
)
def test_butane_claims(name, expected):
    assert BUTANE.claims("infra/" + name, name) == expected


@pytest.mark.parametrize(
    "name,expected",
    [
        ("worker.ign", True),
        ("config.json", SNIFF),
        ("worker.ign.json", SNIFF),
        ("ignition.tpl", SNIFF),
        ("ignition.tftpl", SNIFF),
        ("worker.bu", False),
        ("user-data", False),
    ],
)
def test_ignition_claims(name, expected):
    assert IGNITION.claims("infra/" + name, name) == expected


@pytest.mark.parametrize(
    "head,expected",
    [
        (b"variant: fcos\nversion: 1.5.0\n", True),
        (b"---\n# worker\nversion: '1.1.0'\nvariant: \"flatcar\"\nstorage: {}\n", True),
        (b"\xef\xbb\xbfvariant: openshift\nversion: 4.14.0\nmetadata:\n  name: x\n", True),
        (b"variant: r4e\nversion: 1.1.0\n", True),
        (b"variant: fcos\n", False),  # no version
        (b"variant: blue\nversion: 2\n", False),  # not a Butane variant
        (b"config:\n  variant: fcos\n  version: 1.5.0\n", False),  # not top level
    ],
)
def test_butane_head(head, expected):
    assert is_butane_head(head) is expected
    assert BUTANE.sniff(head) is expected or is_clc_head(head)


@pytest.mark.parametrize(
    "head,expected",
    [
        (b"---\nsystemd:\n  units: []\nstorage:\n  files: []\npasswd: {}\n", True),
        (b"docker:\n  flags:\n    - --live-restore\n", True),
        (b"storage:\n  files: []\nlocksmith:\n  reboot_strategy: off\n", True),
        (b"storage:\n  files: []\n", False),  # one key only: too little to tell
        (b"docker:\n  version: 24.0\n", False),  # an Ansible variable file
        (b"systemd:\n  units: []\nservices:\n  web: {}\n", False),  # a key a CLC does not have
        (b"#cloud-config\nstorage: {}\nsystemd: {}\n", False),
        (b"etcd:\n  name: x\nflannel: {}\n", False),  # neither storage, systemd nor docker
    ],
)
def test_container_linux_config_head(head, expected):
    assert is_clc_head(head) is expected
    assert BUTANE.sniff(head) is expected


@pytest.mark.parametrize(
    "head,expected",
    [
        (b'{"ignition": {"version": "3.4.0"}}', True),
        (b'{\n  "ignition":{"version":"2.1.0"},\n  "storage":{}\n}', True),
        (b'{"name": "ignition", "version": "1.0.0"}', False),  # a package.json
        (b'{"ignition": {}}', False),
    ],
)
def test_ignition_sniff(head, expected):
    assert IGNITION.sniff(head) is expected


def test_a_butane_yaml_is_read_by_butane_and_a_cloud_config_by_cloud_init(tmp_path, kinds):
    write_tree(tmp_path, {
        "fcos/worker.yaml": "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n    - path: /etc/docker/daemon.json\n      contents:\n        inline: '{\"debug\": true}'\n",
        "cloud/user-data.yaml": "#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: '{\"debug\": true}'\n",
        "cl/worker.yaml.tmpl": "storage:\n  files: []\nsystemd:\n  units: []\n",
    })
    from dlint_docker.discovery import discover
    from dlint_docker.plugins import collect_source_kinds, manager

    found = discover(["."], collect_source_kinds(manager()), project_root=tmp_path, excluded=lambda rel: False, cwd=tmp_path)
    assert {s.rel: s.kind for s in found.sources} == {"fcos/worker.yaml": "butane", "cloud/user-data.yaml": "cloud-init", "cl/worker.yaml.tmpl": "butane"}


# --- Butane: storage.files ------------------------------------------------------------------------

TYPO_BU = """\
variant: fcos
version: 1.5.0
storage:
  files:
    - path: /etc/docker/daemon.json
      mode: 0644
      contents:
        inline: |
          {
            "max-concurrent-downloads": 5,
            "tls-verify": true
          }
"""


def test_daemon_json_typo_in_inline_block_points_into_the_bu_file(tmp_path, kinds):
    write_tree(tmp_path, {"worker.bu": TYPO_BU})
    finding = only(scan(tmp_path), "DKD002")
    assert finding.location.path == "worker.bu"
    assert line_col(finding.location) == at(TYPO_BU, '"tls-verify"') and finding.location.exact
    (step,) = finding.location.trace
    assert step.label == "storage.files[0].contents.inline" and step.line == at(TYPO_BU, "|")[0]


def test_inline_block_maps_every_character():
    out = read(BUTANE, TYPO_BU, "worker.bu")
    embedded = by_target(out, "/etc/docker/daemon.json")
    assert embedded.kind == "daemon-json" and not embedded.append and not embedded.templated
    every_character_maps_back(embedded, TYPO_BU)


def test_single_line_inline_maps_exactly_and_folded_or_escaped_to_the_value():
    text = (
        "variant: flatcar\nversion: 1.1.0\nstorage:\n  files:\n"
        "    - path: /etc/docker/daemon.json\n      contents:\n        inline: '{\"debug\": true}'\n"
        "    - path: /etc/default/docker\n      contents:\n        inline: \"DOCKER_OPTS=\\\"--debug\\\"\\n\"\n"
    )
    out = read(BUTANE, text, "node.bu")
    single = by_target(out, "/etc/docker/daemon.json")
    assert line_col(inner(single, "debug")) == at(text, "debug") and inner(single, "debug").exact
    escaped = by_target(out, "/etc/default/docker")
    assert escaped.document.text == 'DOCKER_OPTS="--debug"\n'
    location = inner(escaped, "--debug")
    assert not location.exact and line_col(location) == at(text, '"DOCKER_OPTS')


def test_data_url_sources_percent_encoded_exact_base64_and_gzip_at_the_value():
    daemon = '{"tls-verify": true}'
    percent = "data:," + urllib.parse.quote(daemon, safe="")
    b64 = "data:;base64," + base64.b64encode(daemon.encode()).decode()
    gz = "data:;base64," + base64.b64encode(gzip.compress(daemon.encode())).decode()
    text = (
        "variant: fcos\nversion: 1.6.0\nstorage:\n  files:\n"
        f"    - path: /etc/docker/daemon.json\n      contents:\n        source: {percent}\n"
        f"    - path: /etc/docker/daemon.json\n      append:\n        - source: {b64}\n"
        f"    - path: /etc/docker/daemon.json\n      contents:\n        compression: gzip\n        source: {gz}\n"
    )
    out = read(BUTANE, text, "node.bu")
    docs = [e for e in out.embedded if e.target == "/etc/docker/daemon.json"]
    assert [e.document.text for e in docs] == [daemon] * 3
    assert [e.append for e in docs] == [False, True, False]
    exact = inner(docs[0], "tls-verify")
    assert exact.exact and line_col(exact) == at(text, "tls-verify")
    assert line_col(inner(docs[0], '"')) == at(text, "%22")  # a decoded character points at its escape
    for item, value in ((docs[1], b64), (docs[2], gz)):
        location = inner(item, "tls-verify")
        assert not location.exact and line_col(location) == at(text, value)
    assert "base64" in docs[1].document.label and "gzip" in docs[2].document.label


def test_remote_sources_and_bad_data_urls_are_noted_not_read():
    text = (
        "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n"
        "    - path: /etc/docker/daemon.json\n      contents:\n        source: https://example.com/daemon.json\n"
        "    - path: /etc/default/docker\n      contents:\n        source: 'data:,a b'\n"
        "    - path: /etc/sysconfig/docker\n      contents:\n        source: 'data:;base64,@@@'\n"
        "    - path: /etc/motd\n      contents:\n        inline: hello\n"
    )
    out = read(BUTANE, text, "node.bu")
    assert out.embedded == []
    assert any(n.startswith("remote: node.bu:7:") and "https URL" in n for n in out.notes)
    assert any(n.startswith("data-url: node.bu:10:") and "invalid data character" in n for n in out.notes)
    assert any(n.startswith("data-url: node.bu:13:") for n in out.notes)


def test_contents_local_is_read_as_itself_via_the_config_and_not_judged_twice(tmp_path, kinds):
    daemon = '{\n  "tls-verify": true\n}\n'
    config = (
        "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n"
        "    - path: /etc/docker/daemon.json\n      contents:\n        local: files/daemon.json\n"
    )
    write_tree(tmp_path, {"butane/worker.bu": config, "butane/files/daemon.json": daemon})
    result = scan(tmp_path)
    finding = only(result, "DKD002")
    assert finding.location.path == "butane/files/daemon.json"
    assert line_col(finding.location) == at(daemon, '"tls-verify"')
    (step,) = finding.location.trace
    assert (step.path, step.line, step.label) == ("butane/worker.bu", 7, "storage.files[0].contents.local")
    assert [h.name for h in result.hosts] == ["butane/worker.bu"]


def test_contents_local_outside_the_project_or_missing_is_not_read(tmp_path):
    (tmp_path / "outside.json").write_text('{"debug": true}')
    project = tmp_path / "project"
    (project / "link").parent.mkdir(parents=True)
    (project / "link").symlink_to(tmp_path / "outside.json")
    text = (
        "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n"
        "    - path: /etc/docker/daemon.json\n      contents:\n        local: ../outside.json\n"
        "    - path: /etc/docker/daemon.json\n      contents:\n        local: link\n"
        "    - path: /etc/docker/daemon.json\n      contents:\n        local: missing.json\n"
    )
    out = read(BUTANE, text, "worker.bu", root=project)
    assert out.embedded == []
    assert [n.split(":")[0] for n in out.notes] == ["local"] * 3
    assert "outside the project" in out.notes[0] and "outside the project" in out.notes[1]
    assert "missing.json" in out.notes[2]


def test_butane_append_fragments_and_clc_append_flag():
    butane = (
        "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n    - path: /etc/default/docker\n      append:\n"
        "        - inline: |\n            DOCKER_OPTS=--debug\n        - inline: X=1\n"
    )
    out = read(BUTANE, butane, "a.bu")
    assert [(e.document.text, e.append, e.document.label) for e in out.embedded if e.target == "/etc/default/docker"] == [
        ("DOCKER_OPTS=--debug\n", True, "storage.files[0].append[0].inline"),
        ("X=1", True, "storage.files[0].append[1].inline"),
    ]
    clc = (
        "storage:\n  files:\n    - path: /etc/default/docker\n      filesystem: root\n      append: true\n"
        "      contents:\n        inline: DOCKER_OPTS=--debug\n"
        "    - path: /etc/docker/daemon.json\n      filesystem: oem\n      contents:\n        inline: '{}'\n"
        "systemd:\n  units: []\n"
    )
    out = read(BUTANE, clc, "cl.yaml")
    assert [(e.target, e.append) for e in out.embedded if e.kind == "envfile"] == [("/etc/default/docker", True)]
    assert any("file system 'oem'" in n for n in out.notes)


def test_what_butane_refuses_is_noted():
    text = (
        "variant: fcos\nversion: 9.9.9\nstorage:\n  files:\n    - path: /etc/docker/daemon.json\n"
        "      contents:\n        inline: '{}'\n        source: 'data:,{}'\n"
    )
    out = read(BUTANE, text, "a.bu")
    assert out.embedded == []
    assert any("no translator for variant fcos version 9.9.9" in n for n in out.notes)
    assert any("only one may be given" in n for n in out.notes)
    assert read(BUTANE, "variant: fcos\nversion: [\n", "b.bu").notes[0].startswith("invalid-yaml: b.bu:")


# --- Butane: systemd units and drop-ins --------------------------------------------------------------

SECOND_EXECSTART_BU = """\
variant: flatcar
version: 1.1.0
systemd:
  units:
    - name: docker.service
      enabled: true
      dropins:
        - name: 10-tcp.conf
          contents: |
            [Service]
            ExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2376
"""


def test_drop_in_with_a_second_execstart_is_refused(tmp_path, kinds):
    write_tree(tmp_path, {"node.bu": SECOND_EXECSTART_BU})
    finding = only(scan(tmp_path), "DKD204")
    assert "more than one ExecStart=" in finding.message
    assert finding.location.path == "node.bu"
    assert line_col(finding.location) == at(SECOND_EXECSTART_BU, "ExecStart=/usr/bin/dockerd")
    assert finding.location.trace[-1].label == "systemd.units[0].dropins[0].contents"


HOSTS_BU = """\
variant: fcos
version: 1.6.0
storage:
  files:
    - path: /etc/docker/daemon.json
      contents:
        inline: '{"hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]}'
systemd:
  units:
    - name: docker.service
      dropins:
        - name: 10-no-fd.conf
          contents: |
            [Service]
            ExecStart=
            ExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock
"""


def test_drop_in_without_fd_and_daemon_json_hosts_is_no_conflict(tmp_path, kinds):
    write_tree(tmp_path, {"node.bu": HOSTS_BU})
    result = scan(tmp_path)
    assert "DKD201" not in rules(result) and "DKD204" not in rules(result)
    (host,) = result.hosts
    assert [w.text for w in host.command.words] == ["--containerd=/run/containerd/containerd.sock"]
    # without the drop-in, Fedora CoreOS's own unit passes --host=fd:// and dockerd refuses the pair
    write_tree(tmp_path, {"node.bu": HOSTS_BU[: HOSTS_BU.index("systemd:")]})
    finding = only(scan(tmp_path), "DKD201")
    assert line_col(finding.location) == at(HOSTS_BU, '"hosts"')


def test_unit_contents_and_mask():
    text = (
        "variant: fcos\nversion: 1.5.0\nsystemd:\n  units:\n"
        "    - name: docker.service\n      contents: |\n        [Service]\n        ExecStart=/usr/bin/dockerd --debug\n"
        "    - name: docker.socket\n      mask: true\n"
        "    - name: kubelet.service\n      contents: |\n        [Service]\n        ExecStart=/usr/bin/kubelet\n"
    )
    out = read(BUTANE, text, "a.bu")
    unit = by_target(out, "/etc/systemd/system/docker.service")
    assert line_col(inner(unit, "--debug")) == at(text, "--debug")
    socket = by_target(out, "/etc/systemd/system/docker.socket")
    assert socket.document.text == "" and socket.document.label == "systemd.units[1].mask"
    assert not [e for e in out.embedded if "kubelet" in (e.target or "")]


# --- Container Linux Config: docker.flags ---------------------------------------------------------

CLC = """\
storage:
  files:
    - path: /etc/docker/daemon.json
      filesystem: root
      mode: 0644
      contents:
        inline: |
          {"live-restore": true}
docker:
  flags:
    - --debug
    - "--live-restore"
"""


def test_clc_docker_flags_and_daemon_json_live_restore(tmp_path, kinds):
    write_tree(tmp_path, {"cl/worker.yaml": CLC})
    result = scan(tmp_path)
    finding = only(result, "DKD202")
    assert finding.location.path == "cl/worker.yaml"
    assert line_col(finding.location) == at(CLC, '"live-restore"')
    (related,) = finding.related
    assert related.path == "cl/worker.yaml" and line_col(related) == at(CLC, "--live-restore") and related.exact
    assert [s.label for s in related.trace][0] == "docker.flags (20-clct-docker.conf)"
    (host,) = result.hosts
    assert [w.text for w in host.command.words][-2:] == ["--debug", "--live-restore"]
    assert not host.command.assumed


def test_clc_drop_in_is_what_ct_writes_mapped_flag_by_flag():
    out = read(BUTANE, CLC, "worker.yaml")
    dropin = by_target(out, "/etc/systemd/system/docker.service.d/20-clct-docker.conf")
    assert dropin.document.text == '[Service]\nEnvironment="DOCKER_OPTS=--debug --live-restore"'
    assert line_col(inner(dropin, "--debug")) == at(CLC, "--debug")
    assert line_col(inner(dropin, "--live-restore")) == at(CLC, "--live-restore")
    assert line_col(inner(dropin, "Environment")) == at(CLC, "flags")
    unit = by_target(out, "/usr/lib/systemd/system/docker.service")
    assert unit.document.path == "<Container Linux docker.service>" and "$DOCKER_OPTS" in unit.document.text
    # an empty docker section still gets ct's drop-in, with nothing in DOCKER_OPTS
    empty = read(BUTANE, "docker: {}\nsystemd:\n  units: []\n", "cl.yaml")
    assert by_target(empty, "/etc/systemd/system/docker.service.d/20-clct-docker.conf").document.text.endswith('DOCKER_OPTS="')


def test_fedora_coreos_turns_live_restore_on_by_default(tmp_path, kinds):
    config = (
        "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n    - path: /etc/docker/daemon.json\n"
        "      contents:\n        inline: |\n          {\"live-restore\": true}\n"
    )
    write_tree(tmp_path, {"fcos.bu": config})
    finding = only(scan(tmp_path), "DKD202")
    assert line_col(finding.location) == at(config, '"live-restore"') and finding.related == ()
    assert "<Fedora CoreOS /etc/sysconfig/docker>" in finding.message
    # a config that writes its own /etc/sysconfig/docker replaces the shipped one
    own = config + "    - path: /etc/sysconfig/docker\n      contents:\n        inline: OPTIONS=--selinux-enabled\n"
    write_tree(tmp_path, {"fcos.bu": own})
    assert "DKD202" not in rules(scan(tmp_path))


# --- templates ------------------------------------------------------------------------------------


def test_butane_template_that_breaks_yaml_is_read_masked():
    text = (
        "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n%{ for f in files ~}\n    - path: /etc/docker/daemon.json\n"
        "      contents:\n        inline: |\n          {\"data-root\": \"${data_root}\", \"debug\": true}\n%{ endfor ~}\n"
        "passwd: ${users}\n"
    )
    out = read(BUTANE, text, "worker.yaml.tmpl")
    (embedded,) = [e for e in out.embedded if e.kind == "daemon-json"]
    assert embedded.templated and "${data_root}" in embedded.document.text
    assert line_col(inner(embedded, "debug")) == at(text, "debug")
    assert out.notes[0].startswith("template-masked: worker.yaml.tmpl:")


def test_systemd_variables_are_not_templates_unless_the_file_is_one():
    body = (
        "variant: fcos\nversion: 1.5.0\nsystemd:\n  units:\n    - name: docker.service\n      dropins:\n"
        "        - name: 10.conf\n          contents: |\n            [Service]\n            ExecStart=\n"
        "            ExecStart=/usr/bin/dockerd ${OPTS}\n"
    )
    assert not read(BUTANE, body, "a.bu").embedded[0].templated
    assert read(BUTANE, body, "a.yaml.tmpl").embedded[0].templated


# --- Ignition -----------------------------------------------------------------------------------------


def ignition(files=(), units=(), version="3.4.0") -> str:
    return json.dumps({"ignition": {"version": version}, "storage": {"files": list(files)}, "systemd": {"units": list(units)}}, indent=2)


def test_ignition_base64_data_url_points_at_the_value(tmp_path, kinds):
    url = "data:;base64," + base64.b64encode(b'{"live-restore": true, "tls-verify": true}').decode()
    text = ignition([{"path": "/etc/docker/daemon.json", "mode": 420, "contents": {"source": url}}])
    write_tree(tmp_path, {"worker.ign": text})
    finding = only(scan(tmp_path), "DKD002")
    assert finding.location.path == "worker.ign"
    assert finding.location.exact is False and line_col(finding.location) == at(text, '"' + url)
    assert finding.location.trace[0].label == "storage.files[0].contents.source (base64)"


def test_ignition_percent_encoded_data_url_maps_each_character(tmp_path, kinds):
    url = "data:," + urllib.parse.quote('{\n  "tls-verify": true\n}\n', safe="")
    text = ignition([{"path": "/etc/docker/daemon.json", "contents": {"source": url}}])
    write_tree(tmp_path, {"worker.ign": text})
    finding = only(scan(tmp_path), "DKD002")
    assert finding.location.exact and line_col(finding.location) == at(text, "%22tls-verify")


ESCAPED_UNIT = '[Service]\nEnvironment="A=x \u00e9"\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --debug --containerd=/run/containerd/containerd.sock\n'


def test_ignition_escaped_unit_contents_keep_exact_positions(tmp_path, kinds):
    daemon = "data:," + urllib.parse.quote('{"debug": false}', safe="")
    text = ignition(
        [{"path": "/etc/docker/daemon.json", "contents": {"source": daemon}}],
        [{"name": "docker.service", "enabled": True, "dropins": [{"name": "10-debug.conf", "contents": ESCAPED_UNIT}]}],
    ).replace("\\u00e9", "\\u00E9")
    assert '\\"A=x \\u00E9\\"' in text and "\\n" in text
    write_tree(tmp_path, {"config.ign": text})
    finding = only(scan(tmp_path), "DKD201")
    assert line_col(finding.location) == at(text, "%22debug")
    (related,) = finding.related
    assert related.path == "config.ign" and related.exact and line_col(related) == at(text, "--debug")
    assert related.trace[-1].label == "systemd.units[0].dropins[0].contents"


def test_ignition_unit_text_maps_every_character():
    text = ignition(units=[{"name": "docker.service", "contents": ESCAPED_UNIT}])
    out = read(IGNITION, text, "a.ign", )
    unit = by_target(out, "/etc/systemd/system/docker.service")
    assert unit.document.text == ESCAPED_UNIT
    every_character_maps_back(unit, text, decoded=lambda c: json.dumps(c)[1:-1])


def test_ignition_2x_append_filesystem_and_gzip():
    gz = "data:;base64," + base64.b64encode(gzip.compress(b"DOCKER_OPTS=--debug\n")).decode()
    text = ignition(
        [
            {"filesystem": "root", "path": "/etc/default/docker", "append": True, "contents": {"source": gz, "compression": "gzip"}},
            {"filesystem": "oem", "path": "/etc/docker/daemon.json", "contents": {"source": "data:,%7B%7D"}},
        ],
        version="2.2.0",
    )
    out = read(IGNITION, text, "cl.ign")
    envfile = by_target(out, "/etc/default/docker")
    assert envfile.append and envfile.document.text == "DOCKER_OPTS=--debug\n"
    assert not inner(envfile, "--debug").exact and "gzip" in envfile.document.label
    assert any("file system 'oem'" in n for n in out.notes)
    # spec 2.x is Container Linux's: its docker.service comes along
    assert by_target(out, "/usr/lib/systemd/system/docker.service").document.path == "<Container Linux docker.service>"


def test_ignition_3x_append_list_remote_and_mask():
    text = ignition(
        [
            {"path": "/etc/docker/daemon.json", "contents": {"source": "https://example.com/daemon.json"}},
            {"path": "/etc/default/docker", "append": [{"source": "data:,A=1%0A"}, {"source": "data:,B=2%0A"}]},
        ],
        [{"name": "docker.service", "mask": True}],
    )
    out = read(IGNITION, text, "a.ign")
    assert [(e.document.text, e.append) for e in out.embedded if e.kind == "envfile"] == [("A=1\n", True), ("B=2\n", True)]
    assert any(n.startswith("remote:") and "https" in n for n in out.notes)
    assert by_target(out, "/etc/systemd/system/docker.service").document.text == ""


def test_ignition_template_is_read_masked_and_marked_templated():
    text = (
        '{\n  "ignition": {"version": "3.3.0"},\n  "storage": {"files": [\n'
        '    {"path": "/etc/docker/daemon.json", "contents": {"source": "data:,%7B%22data-root%22%3A%22${data_root}%22%7D"}},\n'
        '    {"path": "/etc/default/docker", "contents": {"source": "data:;base64,${base64encode(opts)}"}}\n'
        '  ]},\n  "systemd": {"units": [{"name": "docker.service", "enabled": ${enable}, "contents": ${unit}}]}\n}\n'
    )
    out = read(IGNITION, text, "ignition.tpl")
    assert out.notes[0].startswith("template-masked: ignition.tpl:")
    daemon = by_target(out, "/etc/docker/daemon.json")
    assert daemon.templated and daemon.document.text == '{"data-root":"${data_root}"}'
    assert line_col(inner(daemon, "${data_root}")) == at(text, "${data_root}")
    envfile = by_target(out, "/etc/default/docker")
    assert envfile.templated and envfile.document.text == "${base64encode(opts)}"
    assert len(out.embedded) == 2  # the unit's contents are a template expression, not text


def test_broken_ignition_json_is_read_as_far_as_possible_with_a_note():
    text = '{\n  // provisioned by hand\n  "ignition": {"version": "3.4.0"},\n  "storage": {"files": [{"path": "/etc/docker/daemon.json", "contents": {"source": "data:,%7B%7D"},},]},\n}\n'
    out = read(IGNITION, text, "a.ign")
    assert [e.target for e in out.embedded] == ["/etc/docker/daemon.json"]
    assert out.notes[0].startswith("invalid-json: a.ign:2:3:") and "Ignition refuses" in out.notes[0]
    hopeless = read(IGNITION, '{"ignition": {"version": "3.4.0"', "b.ign")
    assert hopeless.embedded == [] and hopeless.notes[0].startswith("invalid-json:")


# --- helpers shared by both kinds ---------------------------------------------------------------------


def test_json_string_chars_decodes_like_go_and_keeps_offsets():
    raw = '"a\\n\\u00e9\\ud83d\\ude00\\ud800x\\"/"'
    value, offsets = json_string_chars(raw, 0, len(raw))
    assert value == "a\n\u00e9\U0001F600\ufffdx\"/"
    assert offsets == [1, 2, 4, 10, 22, 28, 29, 31]


@pytest.mark.parametrize(
    "url,expected",
    [
        ("data:,a%20b+c", b"a b+c"),  # '+' is a plus sign
        ("data:text/plain;charset=utf-8,%E2%9C%93", "\u2713".encode()),
        ("data:;base64,aGk=", b"hi"),
        ("data:text/plain;base64,aGk=", b"hi"),
    ],
)
def test_data_urls(url, expected):
    assert decode_data_url(url).data == expected


@pytest.mark.parametrize("url", ["data:,a b", "data:,%zz", "data:,%4", "data:;base64,aGk", "data:;base64,a Gk=", "http://x", "data:abc", "data:,\u00e9"])
def test_data_urls_ignition_refuses(url):
    with pytest.raises(DataURLError):
        decode_data_url(url)


def test_mask_json_templates_keeps_lengths_and_makes_json():
    text = '{"a": ${x}, "b": "p${y}q", %{ if z }"c": 1,%{ endif }\n "d": $${literal}, "e": {{ .V }}}'
    masked = mask_json_templates(text)
    assert len(masked) == len(text) and masked.count("\n") == 1
    assert json.loads(masked.replace("$${literal}", '"kept"     '))["b"] == "pxxxxq"
    assert mask_json_templates('{"a": 1}') is None
    assert mask_json_templates('{"a": ${x') is None


# --- never raising, bounded ------------------------------------------------------------------------

REALISTIC_BU = TYPO_BU + SECOND_EXECSTART_BU.split("\n", 2)[2] + "docker:\n  flags: [--debug]\n"
REALISTIC_IGN = ignition(
    [{"path": "/etc/docker/daemon.json", "contents": {"source": "data:,%7B%22debug%22%3Atrue%7D", "compression": None}},
     {"path": "/etc/default/docker", "append": [{"source": "data:;base64,QT0xCg=="}]}],
    [{"name": "docker.service", "contents": ESCAPED_UNIT, "dropins": [{"name": "a.conf", "contents": "[Service]\n"}]}],
)
_PIECES = st.sampled_from(["\n", " ", "  ", "-", ":", "|", "'", '"', "{", "}", "[", "]", ",", "\\", "%", "${x}", "%{ if }", "data:,", "\\u00", "!!binary", "&a", "*a", "\t", "#"])
_EDITS = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 3), st.one_of(_PIECES, st.text(max_size=6))), max_size=8)


def _mutate(text: str, edits) -> str:
    for position, span, insert in edits:
        position = position % (len(text) + 1)
        text = text[:position] + insert + text[position + span :]
    return text


def _check(out: Extraction, name: str) -> None:
    for item in out.embedded:
        location = item.document.location(0, len(item.document.text))
        assert location.line >= 1 and location.path in (name, item.document.path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_never_raises(text):
    for kind, prefix, name in ((BUTANE, "variant: fcos\nversion: 1.5.0\n", "a.bu"), (BUTANE, "docker:\n", "b.yaml"), (IGNITION, '{"ignition": {"version": "3.4.0"}, ', "c.ign")):
        for body in (text, prefix + text):
            started = time.monotonic()
            _check(read(kind, body, name), name)
            assert time.monotonic() - started < 5


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_EDITS)
def test_mutated_butane_never_raises(edits):
    text = _mutate(REALISTIC_BU, edits)
    _check(read(BUTANE, text, "a.yaml.tmpl"), "a.yaml.tmpl")
    BUTANE.sniff(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_EDITS)
def test_mutated_ignition_never_raises(edits):
    text = _mutate(REALISTIC_IGN, edits)
    _check(read(IGNITION, text, "a.tpl"), "a.tpl")
    IGNITION.sniff(text.encode("utf-8", "surrogatepass"))


def test_many_entries_are_bounded():
    files = "".join(f"    - path: /etc/docker/daemon.json\n      contents:\n        inline: '{{}}'\n" for _ in range(12_000))
    started = time.monotonic()
    out = read(BUTANE, "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n" + files, "big.bu")
    assert time.monotonic() - started < 30
    assert any(n.startswith("budget:") for n in out.notes)
    assert len(out.embedded) < 10_010


def test_contents_local_found_only_at_the_repository_root_is_read_there(tmp_path):
    """A Makefile at the root runs butane with --files-dir at the root: a config below names its
    files from there; dlint reads the file there when the config's folder has none."""
    from .helpers import at, scan, where, write_tree

    config = (
        "variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n"
        "    - path: /etc/docker/daemon.json\n      contents:\n        local: config/docker/daemon.json\n"
    )
    daemon = '{"live-restore": true, "debugg": 1}\n'
    write_tree(tmp_path, {"butane/node.bu": config, "config/docker/daemon.json": daemon})
    result = scan(tmp_path)
    (finding,) = [f for f in result.findings if f.rule == "DKD002"]
    assert finding.location.path == "config/docker/daemon.json" and where(finding) == at(daemon, '"debugg"')
    assert [h.name for h in result.hosts] == ["butane/node.bu"]


def test_the_ignition_file_compiled_from_a_butane_config_is_that_machine_not_a_second(tmp_path):
    """out/node.json is what butane makes of config/node.yaml: the finding is said once, at the
    Butane config; the compiled file is not deployed on its own (one line says so). An Ignition
    file with no Butane config of its name is judged as before."""
    from .helpers import scan, write_tree

    butane = (
        "variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/docker/daemon.json\n"
        "      contents:\n        inline: '{\"debug\": true}'\n"
    )
    ignition = json.dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": [
        {"path": "/etc/docker/daemon.json", "contents": {"source": "data:," + urllib.parse.quote('{"debug": true}')}}]}})
    write_tree(tmp_path, {"config/node.yaml": butane, "out/node.json": ignition})
    result = scan(tmp_path)
    assert [f.location.path for f in result.findings if f.rule == "DKD101"] == ["config/node.yaml"]
    assert [h.name for h in result.hosts if h.undeployed] == ["out/node.json"]
    (tmp_path / "out/node.json").rename(tmp_path / "out/other.json")
    assert sorted(f.location.path for f in scan(tmp_path).findings if f.rule == "DKD101") == ["config/node.yaml", "out/other.json"]
