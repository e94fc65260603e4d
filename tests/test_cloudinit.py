"""The cloud-init source kind: recognition, MIME, gzip, Jinja, write_files, runcmd/bootcmd,
packages, merging of parts, positions mapped back into the outer file, and bounded work."""

from __future__ import annotations

import base64
import gzip
import time
from pathlib import Path
from typing import List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint_docker.document import Document
from dlint_docker.fragments import EnginePackage
from dlint_docker.source import Source
from dlint_docker.sources.coreos_cloudinit import command_templated, define_blocks
from dlint_docker.sources import SNIFF, Embedded, Extraction, ReadContext
from dlint_docker.sources.cloudinit import (
    CloudInitKind,
    NOTE_INVALID_YAML,
    NOTE_TEMPLATE,
    content_type,
    first_boot,
    mask_templates,
    origin,
    pin_level,
    split_package,
)

from .helpers import at as line_col_of, only, scan, write_tree

KIND = CloudInitKind()


def source(data, name: str = "user-data") -> Source:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return Source(Path("/repo") / name, name, name, "cloud-init", data)


def read(text: str, name: str = "user-data") -> Extraction:
    return KIND.read(Document(text, name), ReadContext(source(text, name)))


def read_embedded(embedded: Embedded, name: str = "user-data") -> Extraction:
    context = ReadContext(source("", name), embedded.target, embedded.templated, embedded.append, 1)
    return KIND.read(embedded.document, context)


def flatten(extraction: Extraction, name: str = "user-data", depth: int = 0) -> Tuple[List[Embedded], list, List[str]]:
    """Everything below an extraction, reading embedded cloud-init documents as the flow would."""
    embedded, fragments, notes = [], list(extraction.fragments), list(extraction.notes)
    for item in extraction.embedded:
        if item.kind == "cloud-init" and depth < 8:
            inner = flatten(read_embedded(item, name), name, depth + 1)
            embedded += inner[0]
            fragments += inner[1]
            notes += inner[2]
        else:
            embedded.append(item)
    return embedded, fragments, notes


def at(document: Document, needle: str, nth: int = 0):
    index = -1
    for _ in range(nth + 1):
        index = document.text.index(needle, index + 1)
    return document.location(index)


def by_label(embedded: List[Embedded], label: str) -> Embedded:
    found = [e for e in embedded if e.document.label == label]
    assert found, [e.document.label for e in embedded]
    return found[0]


# --- recognition -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,expected",
    [
        ("user-data", True),
        ("user_data.tpl", True),
        ("user_data", True),
        ("cloud-init.yaml", True),
        ("cloud-config-worker", True),
        ("node.cloud-config", True),
        ("user-data.yml", True),
        ("cloud-init.md", False),
        ("main.tf", False),
        ("install.sh", SNIFF),
        ("docker-compose.yml", SNIFF),
        ("customdata.tpl", SNIFF),
        ("bootstrap.tftpl", SNIFF),
        ("seed.cfg", SNIFF),
        ("notes.txt", SNIFF),
        ("cloud.j2", SNIFF),
        ("Userdata", SNIFF),
        ("daemon.json", False),
    ],
)
def test_claims(name, expected):
    assert KIND.claims("infra/" + name, name) == expected


@pytest.mark.parametrize(
    "head,expected",
    [
        (b"#cloud-config\npackages: [docker.io]\n", True),
        (b"  #Cloud-Config\n", True),
        (b"## template: jinja\n#cloud-config\n", True),
        (b"#cloud-config-archive\n- '#!/bin/sh'\n", True),
        (b"#cloud-boothook\n#!/bin/sh\n", True),
        (b'Content-Type: multipart/mixed; boundary="x"\nMIME-Version: 1.0\n', True),
        (b"\xef\xbb\xbf#cloud-config\n", True),
        (gzip.compress(b"#cloud-config\nruncmd: [ls]\n"), True),
        (gzip.compress(b"just some text\n"), False),
        (b"#!/bin/bash\napt-get install -y docker-ce\n", False),
        (b"##template: jinja\n#cloud-config\n", False),
        (b"version: '3'\nservices: {}\n", False),
        (b"\x1f\x8b\x08garbage", False),
    ],
)
def test_sniff(head, expected):
    assert KIND.sniff(head) is expected


def test_content_type_is_prefix_after_lowercase_and_left_strip():
    assert content_type("\n  #CLOUD-CONFIG\n") == "text/cloud-config"
    assert content_type("#cloud-config-archive\n") == "text/cloud-config-archive"
    assert content_type("#cloud-config-jsonp\n") == "text/cloud-config-jsonp"
    assert content_type("#include-once\nhttp://x\n") == "text/x-include-once-url"
    assert content_type("#!/bin/sh\n") == "text/x-shellscript"
    assert content_type("hello") is None


def test_a_file_without_a_header_is_ignored_like_cloud_init_does():
    out = read("packages: [docker-ce]\n")
    assert not out.embedded and not out.fragments
    assert out.notes[0].startswith("not-user-data: user-data:1:1")


def test_a_byte_order_mark_hides_the_header_from_cloud_init():
    out = read("\ufeff#cloud-config\nruncmd: [ls]\n")
    assert not out.embedded
    assert "byte-order mark" in out.notes[0]


# --- write_files -----------------------------------------------------------------------------------

DAEMON = """\
#cloud-config
write_files:
  - path: /etc/docker/daemon.json
    owner: root:root
    content: |
      {
        "live-restore": true,
        "log-driver": "json-file"
      }
  - path: /etc/motd
    content: hello
"""


def test_write_files_daemon_json_block_scalar_maps_exactly():
    out = read(DAEMON)
    assert len(out.embedded) == 1
    item = out.embedded[0]
    assert (item.kind, item.target, item.append, item.templated) == ("daemon-json", "/etc/docker/daemon.json", False, False)
    assert item.document.text == '{\n  "live-restore": true,\n  "log-driver": "json-file"\n}\n'
    location = at(item.document, '"live-restore"')
    assert (location.path, location.line, location.column, location.exact) == ("user-data", 7, 9, True)
    assert location.trace[-1].label == "write_files[0].content"
    assert (location.trace[-1].line, location.trace[-1].column) == (5, 14)
    end = at(item.document, "}")
    assert (end.line, end.column) == (9, 7)
    assert origin(item.document) == "write_files" and first_boot(item.document)


@pytest.mark.parametrize("indicator", ["|-", "|+", "|2"])
def test_block_scalar_indicators_keep_the_map_exact(indicator):
    text = f'#cloud-config\nwrite_files:\n- path: /etc/docker/daemon.json\n  content: {indicator}\n    {{"debug": true}}\n\nruncmd: [ls]\n'
    item = read(text).embedded[0]
    location = at(item.document, '"debug"')
    assert (location.line, location.column, location.exact) == (5, 6, True)


def test_single_line_scalars_map_exactly_unless_escaped():
    text = (
        "#cloud-config\n"
        "write_files:\n"
        "  - {path: /etc/docker/daemon.json, content: '{\"debug\": true}'}\n"
        "  - path: /etc/docker/daemon.json\n"
        '    content: "{\\"icc\\": false}"\n'
        "  - path: /etc/docker/daemon.json\n"
        "    content: >\n"
        "      {\"iptables\":\n"
        "       false}\n"
    )
    first, second, third = read(text).embedded
    assert first.document.text == '{"debug": true}'
    location = at(first.document, '"debug"')
    assert (location.line, location.column, location.exact) == (3, 48, True)
    assert second.document.text == '{"icc": false}'
    location = at(second.document, "icc")
    assert (location.line, location.column, location.exact) == (5, 14, False)  # the value's start
    assert third.document.text == '{"iptables":\n false}\n'
    assert at(third.document, "false").exact is False
    assert at(third.document, "false").line == 7


def test_base64_and_gzip_content_is_decoded_and_points_at_the_value():
    raw = b'{"live-restore": true}\n'
    b64 = base64.b64encode(raw).decode()
    gz = base64.b64encode(gzip.compress(raw)).decode()
    wrapped = "\n".join(gz[i : i + 20] for i in range(0, len(gz), 20))
    block = "\n".join("      " + line for line in wrapped.splitlines())
    text = (
        "#cloud-config\n"
        "write_files:\n"
        f"  - path: /etc/docker/daemon.json\n    encoding: b64\n    content: {b64}\n"
        f"  - path: /etc/docker/daemon.json\n    encoding: GZ+B64\n    content: |\n{block}\n"
        f"  - path: /etc/docker/daemon.json\n    encoding: gzip\n    content: !!binary |\n      {base64.b64encode(gzip.compress(raw)).decode()}\n"
    )
    first, second, third = read(text).embedded
    for item in (first, second, third):
        assert item.document.text == raw.decode()
        location = at(item.document, "live-restore")
        assert location.exact is False
    assert first.document.label == "write_files[0].content (b64)"
    assert second.document.label == "write_files[1].content (gz+b64)"
    assert third.document.label == "write_files[2].content (gzip)"
    assert (at(first.document, "true").line, at(first.document, "true").column) == (5, 14)
    assert (at(second.document, "true").line, at(second.document, "true").column) == (8, 14)


def test_unknown_encoding_is_written_as_text_and_bad_base64_stops_write_files():
    text = (
        "#cloud-config\n"
        "write_files:\n"
        "  - path: /etc/docker/daemon.json\n    encoding: base64+gzip\n    content: '{}'\n"
        "  - path: /etc/docker/daemon.json\n    encoding: b64\n    content: 'abc'\n"
        "  - path: /etc/docker/daemon.json\n    content: '{\"debug\": true}'\n"
    )
    out = read(text)
    assert [e.document.text for e in out.embedded] == ["{}"]
    assert any("unknown encoding 'base64+gzip'" in n for n in out.notes)
    assert any("does not decode as b64" in n and "user-data:8:14" in n for n in out.notes)


def test_base64_is_not_validating():
    encoded = base64.b64encode(b'{"icc": false}').decode()
    text = f"#cloud-config\nwrite_files:\n- path: /etc/docker/daemon.json\n  encoding: base64\n  content: '{encoded[:8]} * {encoded[8:]}'\n"
    assert read(text).embedded[0].document.text == '{"icc": false}'


def test_targets_flags_and_order_of_write_files():
    text = (
        "#cloud-config\n"
        "runcmd: [systemctl restart docker]\n"
        "write_files:\n"
        "  - path: /etc/systemd/system/docker.service.d/override.conf\n"
        "    defer: true\n"
        "    content: |\n"
        "      [Service]\n"
        "      ExecStart=\n"
        "      ExecStart=/usr/bin/dockerd ${DOCKER_OPTS}\n"
        "  - path: etc/default/../default/docker\n"
        "    append: yes\n"
        "    content: DOCKER_OPTS=--debug\n"
        "  - path: /etc/docker/daemon.json\n"
        "    content: '{\"data-root\": \"${data_root}\"}'\n"
        "  - content: no path, skipped\n"
        "packages: [docker.io]\n"
        "bootcmd: [echo early]\n"
    )
    out = read(text)
    kinds = [(e.kind, e.target, e.append, e.templated, origin(e.document)) for e in out.embedded]
    assert kinds == [
        ("shell", None, False, False, "bootcmd"),
        ("envfile", "/etc/default/docker", True, False, "write_files"),
        ("daemon-json", "/etc/docker/daemon.json", False, True, "write_files"),
        ("systemd", "/etc/systemd/system/docker.service.d/override.conf", False, False, "write_files_deferred"),
        ("shell", None, False, False, "runcmd"),
    ]


def test_write_files_entry_without_content_writes_an_empty_file():
    out = read("#cloud-config\nwrite_files:\n- path: /etc/docker/daemon.json\n  owner: root\n")
    assert out.embedded[0].document.text == ""
    assert out.embedded[0].document.start_location().exact is False


def test_a_non_mapping_entry_stops_write_files():
    text = "#cloud-config\nwrite_files:\n- /etc/docker/daemon.json\n- path: /etc/docker/daemon.json\n  content: '{}'\n"
    out = read(text)
    assert not out.embedded
    assert "not a mapping" in out.notes[0]


# --- runcmd and bootcmd ------------------------------------------------------------------------------

RUNCMD = """\
#cloud-config
runcmd:
  - apt-get install -y docker-ce
  - [ sh, -c, "echo it's", 10, yes, 1.10 ]
  - docker swarm init --advertise-addr 10.0.0.1
  -
  - |
    systemctl daemon-reload
    systemctl restart docker
  - "printf 'a\\tb'"
"""


def test_runcmd_items_are_shell_with_positions():
    out = read(RUNCMD)
    assert [e.kind for e in out.embedded] == ["shell"] * 5
    labels = [e.document.label for e in out.embedded]
    assert labels == ["runcmd[0]", "runcmd[1] (argv)", "runcmd[2]", "runcmd[4]", "runcmd[5]"]
    swarm = by_label(out.embedded, "runcmd[2]")
    assert swarm.document.text == "docker swarm init --advertise-addr 10.0.0.1"
    location = at(swarm.document, "swarm")
    assert (location.line, location.column, location.exact) == (5, 12, True)
    assert location.trace[-1].label == "runcmd[2]"
    argv = by_label(out.embedded, "runcmd[1] (argv)")
    assert argv.document.text == "'sh' '-c' 'echo it'\\''s' '10' 'True' '1.1'"
    location = at(argv.document, "echo")
    assert (location.line, location.column, location.exact) == (4, 5, False)
    block = by_label(out.embedded, "runcmd[4]")
    assert block.document.text == "systemctl daemon-reload\nsystemctl restart docker\n"
    location = at(block.document, "restart")
    assert (location.line, location.column, location.exact) == (9, 15, True)
    escaped = by_label(out.embedded, "runcmd[5]")
    assert escaped.document.text == "printf 'a\tb'"
    assert at(escaped.document, "printf").exact is False
    assert all(origin(e.document) == "runcmd" and first_boot(e.document) for e in out.embedded)


def test_runcmd_that_shellify_refuses_runs_nothing():
    out = read("#cloud-config\nruncmd: docker swarm init\n")
    assert not out.embedded
    assert out.notes[0].startswith("runcmd-not-a-list: user-data:2:1")
    out = read("#cloud-config\nbootcmd:\n  - echo ok\n  - echo key: value\n")
    assert not out.embedded
    assert out.notes[0].startswith("bootcmd-bad-item: user-data:4:5") and "map" in out.notes[0]
    out = read("#cloud-config\nruncmd:\n  - echo ok\n  - 42\n")
    assert not out.embedded and "is a int" in out.notes[0]


def test_plain_multi_line_item_is_folded_and_anchor_only():
    text = "#cloud-config\nruncmd:\n  - kubeadm init \\\n    --pod-network-cidr 10.244.0.0/16\n"
    item = read(text).embedded[0]
    assert item.document.text == "kubeadm init \\ --pod-network-cidr 10.244.0.0/16"
    assert at(item.document, "--pod").exact is False


def test_bootcmd_is_every_boot_but_before_containers():
    item = read("#cloud-config\nbootcmd:\n - [cloud-init-per, once, x, echo]\n").embedded[0]
    assert origin(item.document) == "bootcmd" and first_boot(item.document)


# --- packages -----------------------------------------------------------------------------------------

PACKAGES = """\
#cloud-config
package_update: true
package_upgrade: false
apt_upgrade: yes
packages:
  - curl
  - docker-ce=5:24.0.7-1~ubuntu.22.04~jammy
  - [docker-ce, "24.0"]
  - [docker.io, 20.10]
  - docker-engine=1.13.*
  - [moby-engine, 24]
  - docker
  - docker-ce-cli=5:24.0.7-1~ubuntu.22.04~jammy
  - docker-ce-24.0.7
  - [docker-ce, ""]
  - apt:
      - [docker-ce, 24.0.7]
      - docker-compose-plugin
    snap:
      - docker
"""


def test_engine_packages_and_pins():
    out = read(PACKAGES)
    got = [(f.manager, f.name, f.version, f.pin, f.location.line, f.location.column) for f in out.fragments]
    assert got == [
        ("cloud-init", "docker-ce", "5:24.0.7-1~ubuntu.22.04~jammy", "patch", 7, 5),
        ("cloud-init", "docker-ce", "24.0", "minor", 8, 5),
        ("cloud-init", "docker.io", "20.1", "minor", 9, 5),  # PyYAML reads 20.10 as the float 20.1
        ("cloud-init", "docker-engine", "1.13.*", "minor", 10, 5),
        ("cloud-init", "moby-engine", "24", "major", 11, 5),
        ("cloud-init", "docker", None, "none", 12, 5),
        ("cloud-init", "docker-ce", "24.0.7", "patch", 14, 5),
        ("cloud-init", "docker-ce", None, "none", 15, 5),
        ("cloud-init", "docker-ce", "24.0.7", "patch", 17, 9),
        ("cloud-init", "docker", None, "none", 20, 9),
    ]
    assert all(isinstance(f, EnginePackage) for f in out.fragments)


def test_package_upgrade_runs_once_before_the_packages_and_moves_no_engine(tmp_path):
    """cloud-init upgrades at first boot, then installs packages: a pinned engine stays pinned
    (no DKD104 for package_upgrade), an unpinned one is said once, at its package."""
    from .helpers import at, scan, where, write_tree

    text = "#cloud-config\npackage_upgrade: true\napt_upgrade: true\npackages: [docker-ce]\nwrite_files:\n- path: /etc/docker/daemon.json\n  content: '{\"live-restore\": true}'\n"
    assert not [f for f in read(text).fragments if getattr(f, "name", "") == "*"]
    write_tree(tmp_path, {"user-data.yml": text})
    (finding,) = [f for f in scan(tmp_path).findings if f.rule == "DKD104"]
    assert where(finding) == at(text, "docker-ce")


@pytest.mark.parametrize(
    "version,pin",
    [
        (None, "none"),
        ("", "none"),
        ("24.0.7", "patch"),
        ("5:24.0.7-1~ubuntu.22.04~jammy", "patch"),
        ("17.03.2~ce-0~ubuntu-xenial", "patch"),
        ("20.10.21-0ubuntu1~22.04.3", "patch"),
        ("24.0-1", "patch"),
        ("24.0.7*", "patch"),
        ("24.0", "minor"),
        ("24.0.*", "minor"),
        ("5:24.0.*", "minor"),
        ("24", "major"),
        ("24.*", "major"),
        ("*", "none"),
    ],
)
def test_pin_level(version, pin):
    assert pin_level(version) == pin


def test_split_package():
    assert split_package("docker-ce=24.0.7") == ("docker-ce", "24.0.7")
    assert split_package("docker-ce-3:24.0.7-1.el8") == ("docker-ce", "3:24.0.7-1.el8")
    assert split_package("docker-ce-cli") == ("docker-ce-cli", None)
    assert split_package("docker.io/jammy-updates") == ("docker.io", None)


# --- Jinja, templates, invalid YAML ---------------------------------------------------------------------


def test_jinja_template_marks_everything_templated():
    text = (
        "## template: jinja\n"
        "#cloud-config\n"
        "write_files:\n"
        "  - path: /etc/docker/daemon.json\n"
        "    content: |\n"
        '      {"labels": ["zone={{ v1.availability_zone }}"]}\n'
        "runcmd:\n"
        "  - docker swarm join --token {{ ds.meta_data.token }} 10.0.0.1:2377\n"
    )
    out = read(text)
    assert [(e.kind, e.templated) for e in out.embedded] == [("daemon-json", True), ("shell", True)]
    location = at(out.embedded[1].document, "join")
    assert (location.line, location.column, location.exact) == (8, 18, True)


def test_jinja_script_and_jinja_breaking_yaml():
    out = read("## template: jinja\n#!/bin/sh\ndocker swarm init --advertise-addr {{ v1.local_ipv4 }}\n")
    item = out.embedded[0]
    assert (item.kind, item.templated) == ("shell", True)
    assert item.document.text.startswith("#!/bin/sh\n")
    assert (at(item.document, "swarm").line, at(item.document, "swarm").column) == (3, 8)
    assert origin(item.document) == "scripts_user"
    out = read("## template: jinja\n#cloud-config\n{% if v1.region == 'x' %}\nruncmd: [ls]\n{% endif %}\n")
    assert [(e.document.text, e.templated) for e in out.embedded] == [("ls", True)]
    assert out.notes[0].startswith("template-masked: user-data:3:2")


def test_invalid_yaml_with_and_without_template_markers():
    out = read("#cloud-config\nruncmd:\n  - echo a\n bad: [\n")
    assert not out.embedded and len(out.notes) == 1
    assert out.notes[0].startswith(NOTE_INVALID_YAML + " user-data:4:")
    out = read("#cloud-config\n${key}: [\nruncmd:\n  - docker swarm init\n")
    assert not out.embedded
    assert out.notes[0].startswith(NOTE_TEMPLATE + " user-data:")
    out = read("#cloud-config\nruncmd:\n  - echo {{ never closed\n bad: [\n")
    assert not out.embedded and out.notes[0].startswith(NOTE_TEMPLATE)


def test_a_template_that_breaks_yaml_is_read_with_its_expressions_masked():
    text = (
        "#cloud-config\n"
        "write_files:\n"
        "  - path: /etc/docker/daemon.json\n"
        "    content: |\n"
        '      {"data-root": "${data_root}"}\n'
        "packages:\n"
        "  - [ ${engine}, '${version}' ]\n"
        "  - docker-ce=${docker_version}\n"
        "runcmd:\n"
        "%{ if manager ~}\n"
        "  - docker swarm init\n"
        "%{ else ~}\n"
        "  - docker swarm join --token ${token} ${manager_ip}:2377\n"
        "%{ endif ~}\n"
    )
    out = read(text)
    assert out.notes[0].startswith("template-masked: user-data:7:8")
    assert [(e.kind, e.document.text, e.templated) for e in out.embedded] == [
        ("daemon-json", '{"data-root": "${data_root}"}\n', True),
        ("shell", "docker swarm init", False),
        ("shell", "docker swarm join --token ${token} ${manager_ip}:2377", False),
    ]
    location = at(out.embedded[2].document, "${manager_ip}")
    assert (location.line, location.column, location.exact) == (13, 40, True)
    assert [(f.name, f.version, f.pin, f.location.line) for f in out.fragments] == [("docker-ce", "${docker_version}", "patch", 8)]


def test_mask_templates_keeps_lengths_and_lines():
    text = "a: ${x}\n  %{ if y ~}\nb: {{ z }} {% raw %}\n{# c #}\n"
    masked = mask_templates(text)
    # a line of directives only is emptied, its spaces at the end of the line before it
    assert masked == "a: xxxx            \n\nb: xxxxxxx xxxxxxxxx       \n\n"
    assert mask_templates("no markers") is None
    assert mask_templates("a: ${unclosed\n") is None


def test_tags_pyyaml_refuses_make_the_config_invalid():
    out = read("#cloud-config\nruncmd:\n  - !Sub 'echo ${AWS::Region}'\n")
    assert not out.embedded
    assert out.notes[0].startswith(NOTE_INVALID_YAML) and "'!Sub'" in out.notes[0]


def test_terraform_interpolation_in_valid_yaml_is_read():
    text = "#cloud-config\nruncmd:\n  - docker swarm join --token ${token} ${manager}:2377\n"
    item = read(text).embedded[0]
    assert item.templated is False  # ${...} is also the shell's own expansion: the shell kind decides
    assert at(item.document, "${manager}").column == 40


# --- MIME, archives, boothooks, gzip -----------------------------------------------------------------


def mime(*parts: Tuple[str, str, str]) -> str:
    out = ['Content-Type: multipart/mixed; boundary="BOUNDARY"', "MIME-Version: 1.0", ""]
    for ctype, extra, payload in parts:
        out += ["--BOUNDARY", f'Content-Type: {ctype}; charset="us-ascii"', "MIME-Version: 1.0"]
        out += [extra] if extra else []
        out += ["", payload]
    out += ["--BOUNDARY--", ""]
    return "\n".join(out)


def test_mime_multipart_with_a_cloud_config_part_and_script_parts():
    script64 = base64.b64encode(b"#!/bin/sh\nsystemctl restart docker\n").decode()
    gz = base64.b64encode(gzip.compress(b"#cloud-config\nruncmd:\n  - docker swarm leave\n")).decode()
    text = mime(
        ("text/cloud-config", "", "#cloud-config\nruncmd:\n  - docker swarm init\n"),
        ("text/x-shellscript", "", "#!/bin/bash\ndocker swarm join --token t m:2377\n"),
        ("text/x-shellscript", "Content-Transfer-Encoding: base64", script64),
        ("application/x-gzip", "Content-Transfer-Encoding: base64", gz),
        ("text/x-shellscript-per-boot", "", "#!/bin/sh\nsystemctl restart docker\n"),
    )
    out = read(text)
    assert [(e.kind, e.document.label) for e in out.embedded] == [
        ("cloud-init", "MIME part 1"),
        ("shell", "MIME part 2"),
        ("shell", "MIME part 3 (base64)"),
        ("cloud-init", "MIME part 4 (gzip+base64)"),
        ("shell", "MIME part 5"),
    ]
    literal = out.embedded[1].document
    location = at(literal, "join")
    assert (location.line, location.column, location.exact) == (17, 14, True)
    encoded = out.embedded[2].document
    assert encoded.text == "#!/bin/sh\nsystemctl restart docker\n"
    assert at(encoded, "restart").exact is False and at(encoded, "restart").line == 24
    assert origin(literal) == "scripts_user" and first_boot(literal)
    assert origin(out.embedded[4].document) == "scripts_per_boot" and not first_boot(out.embedded[4].document)
    embedded, _, notes = flatten(out)
    # the gzip part's runcmd replaces the first part's (dict(replace) by default)
    runcmds = [e for e in embedded if origin(e.document) == "runcmd"]
    assert [e.document.text for e in runcmds] == ["docker swarm leave"]
    assert any("runcmd is replaced by a later part" in n and "user-data:9:1" in n for n in notes)
    assert at(runcmds[0].document, "leave").exact is False


def test_a_declared_cloud_config_part_needs_no_header_and_maps_exactly():
    text = mime(("text/cloud-config", "", "runcmd:\n  - docker swarm init\n"))
    embedded, _, _ = flatten(read(text))
    location = at(embedded[0].document, "swarm")
    assert (location.line, location.column, location.exact) == (9, 12, True)
    assert [step.label for step in location.trace] == ["MIME part 1", "runcmd[0]"]


def test_merge_type_header_can_append_lists():
    text = mime(
        ("text/cloud-config", "", "#cloud-config\nruncmd: [echo one]\n"),
        ("text/cloud-config", "Merge-Type: list(append)+dict(recurse_array)+str()", "#cloud-config\nruncmd: [echo two]\n"),
    )
    embedded, _, _ = flatten(read(text))
    assert [e.document.text for e in embedded] == ["echo one", "echo two"]


def test_merge_how_without_a_dict_merger_drops_the_part():
    out = read("#cloud-config\nmerge_how: list(append)\nruncmd: [docker swarm init]\n")
    assert not out.embedded
    assert "no dict() merger" in out.notes[0]


def test_plain_text_parts_are_typed_by_their_first_line():
    text = mime(("text/plain", "", "#cloud-boothook\n#!/bin/sh\necho boot\n"), ("text/plain", "", "hello\n"))
    out = read(text)
    assert [e.kind for e in out.embedded] == ["shell"]
    boothook = out.embedded[0].document
    assert boothook.text == "\n#!/bin/sh\necho boot\n"
    assert origin(boothook) == "boothook"
    assert (at(boothook, "echo").line, at(boothook, "echo").column, at(boothook, "echo").exact) == (10, 1, True)
    assert any("text/plain has no cloud-init handler" in n for n in out.notes)


def test_cloud_config_archive():
    text = (
        "#cloud-config-archive\n"
        "- type: text/x-shellscript\n"
        "  content: |\n"
        "    #!/bin/sh\n"
        "    systemctl restart docker\n"
        "- |\n"
        "  #cloud-config\n"
        "  runcmd: [docker swarm init]\n"
        "- content: 'packages: [docker-ce=24.0.7]'\n"
    )
    out = read(text)
    assert [(e.kind, e.document.label) for e in out.embedded] == [("shell", "archive[0]"), ("cloud-init", "archive[1]"), ("cloud-init", "archive[2]")]
    assert (at(out.embedded[0].document, "restart").line, at(out.embedded[0].document, "restart").column) == (5, 15)
    embedded, fragments, _ = flatten(out)
    swarm = [e for e in embedded if e.document.label == "runcmd[0]"][0]
    location = at(swarm.document, "swarm")
    assert (location.line, location.column, location.exact) == (8, 19, True)
    assert [(f.name, f.pin, f.location.line, f.location.column) for f in fragments] == [("docker-ce", "patch", 9, 24)]


def test_whole_gzipped_user_data():
    data = gzip.compress(b"#cloud-config\nruncmd:\n  - docker swarm init\n")
    out = KIND.extract(source(data))
    assert [e.kind for e in out.embedded] == ["cloud-init"]
    embedded, _, _ = flatten(out)
    location = at(embedded[0].document, "swarm")
    assert embedded[0].document.text == "docker swarm init"
    assert (location.line, location.column, location.exact) == (1, 1, False)
    assert [step.label for step in location.trace] == ["gzip", "runcmd[0]"]
    broken = KIND.extract(source(b"\x1f\x8b\x08\x00garbage"))
    assert not broken.embedded and broken.notes[0].startswith("gzip:")


def test_a_user_data_script_is_shell():
    out = KIND.extract(source("#!/bin/bash\ndockerd --debug &\n"))
    item = out.embedded[0]
    assert item.kind == "shell" and origin(item.document) == "scripts_user"
    assert (at(item.document, "--debug").line, at(item.document, "--debug").column, at(item.document, "--debug").exact) == (2, 9, True)


def test_includes_and_json_patches_are_noted():
    assert read("#include\nhttps://example.com/x\n").notes[0].startswith("include:")
    assert read("#cloud-config-jsonp\n[]\n").notes[0].startswith("json-patch:")


# --- bounds ------------------------------------------------------------------------------------------


def test_alias_bomb_in_runcmd_is_bounded():
    lines = ["#cloud-config", "a: &a ['" + "x" * 1000 + "']"]
    name = "a"
    for level in range(12):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*{name}"] * 10) + "]")
        name = f"l{level}"
    lines.append("runcmd: [" + ", ".join([f"*{name}"] * 50) + "]")
    lines.append("bootcmd: [" + ", ".join(["*a"] * 5000) + "]")
    started = time.monotonic()
    out = read("\n".join(lines) + "\n")
    assert time.monotonic() - started < 10
    assert any(n.startswith("budget:") for n in out.notes)
    assert sum(len(e.document.text) for e in out.embedded) < 8 * 1024 * 1024


def test_deep_nesting_is_a_note_and_quick():
    started = time.monotonic()
    out = read("#cloud-config\nruncmd: " + "[" * 5000 + "]" * 5000 + "\n")
    assert time.monotonic() - started < 5
    assert out.notes[0].startswith(NOTE_INVALID_YAML) and "deeper" in out.notes[0]


def test_recursive_alias_does_not_loop():
    out = read("#cloud-config\nruncmd: &r [[*r, a], echo]\nwrite_files: &w [*w]\n")
    assert isinstance(out, Extraction)


def test_gzip_bomb_is_bounded():
    bomb = base64.b64encode(gzip.compress(b"\0" * (64 * 1024 * 1024))).decode()
    text = f"#cloud-config\nwrite_files:\n- path: /etc/docker/daemon.json\n  encoding: gz+b64\n  content: {bomb}\n"
    out = read(text)
    assert not out.embedded and "decompressed size" in out.notes[0]


# --- fuzz ------------------------------------------------------------------------------------------

REALISTIC = """\
#cloud-config
package_update: true
package_upgrade: true
packages:
  - docker-ce=5:24.0.7-1~ubuntu.22.04~jammy
  - [docker.io, "20.10.21"]
  - {apt: [docker-engine]}
write_files:
  - path: /etc/docker/daemon.json
    permissions: '0644'
    content: |
      {"live-restore": true, "log-opts": {"max-size": "10m"}}
  - path: /etc/systemd/system/docker.service.d/override.conf
    encoding: b64
    content: W1NlcnZpY2VdCkV4ZWNTdGFydD0K
    append: true
bootcmd:
  - [cloud-init-per, once, x, echo, "it's"]
runcmd:
  - systemctl restart docker
  - |
    docker swarm init
    echo done
  - >
    folded
    line
merge_how: dict(replace)+list(append)
"""

_YAMLISH = st.sampled_from(list(":-[]{}#&*!|>'\"\n \t,%@`?~=$\\\x00\ufeff") + ["{{", "${", "%{", "{%", "- ", ": ", "\n  ", "&a ", "*a", "!!binary ", "mime-version: 1.0\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text_never_raises(text):
    for prefix in ("", "#cloud-config\n", "## template: jinja\n#cloud-config\n", "#cloud-config-archive\n", "MIME-Version: 1.0\n"):
        started = time.monotonic()
        flatten(read(prefix + text))
        assert time.monotonic() - started < 5


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(REALISTIC)), st.integers(0, 3), _YAMLISH), max_size=8))
def test_mutated_cloud_config_never_raises(edits):
    text = REALISTIC
    for position, span, insert in edits:
        position = min(position, len(text))
        text = text[:position] + insert + text[position + span :]
    started = time.monotonic()
    embedded, fragments, _ = flatten(read(text))
    assert time.monotonic() - started < 5
    for item in embedded:
        location = item.document.location(0, len(item.document.text))
        assert location.path == "user-data" and location.line >= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 3), _YAMLISH), max_size=6))
def test_mutated_mime_never_raises(edits):
    text = mime(
        ("text/cloud-config", "", REALISTIC),
        ("text/x-shellscript", "Content-Transfer-Encoding: base64", base64.b64encode(b"#!/bin/sh\necho\n").decode()),
    )
    for position, span, insert in edits:
        position = min(position, len(text))
        text = text[:position] + insert + text[position + span :]
    flatten(read(text))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    KIND.sniff(data)
    KIND.sniff(gzip.compress(data))
    flatten(KIND.extract(source(data)))
    flatten(KIND.extract(source(gzip.compress(data))))


def test_yaml_as_pyyaml_reads_it_duplicate_keys_and_anchors_last_wins():
    out = read("#cloud-config\nruncmd: [echo one]\nx: &a echo first\ny: &a echo second\nruncmd: [*a]\n")
    assert [e.document.text for e in out.embedded] == ["echo second"]
    assert (at(out.embedded[0].document, "second").line, at(out.embedded[0].document, "second").exact) == (4, True)


def test_mime_version_in_a_cloud_config_body_still_reads_it():
    text = "#cloud-config\nwrite_files:\n- path: /etc/motd\n  content: 'MIME-Version: 1.0'\nruncmd: [docker swarm init]\n"
    embedded, _, _ = flatten(read(text))
    location = at(embedded[0].document, "swarm")
    assert (embedded[0].document.text, location.line, location.column, location.exact) == ("docker swarm init", 5, 17, True)


def test_rancheros_docker_settings_are_dockerds_command_line(tmp_path):
    from tests.helpers import at as place, only, scan, where, write_tree

    text = (
        "#cloud-config\nrancher:\n  docker:\n    live_restore: false\n    insecure_registry: [\"reg:5000\"]\n"
        "    extra_args: [--log-level, debug]\n    tls: true\n"
        "write_files:\n  - path: /etc/docker/daemon.json\n    content: |\n      {\"log-level\": \"info\"}\n"
    )
    write_tree(tmp_path, {"cloud-config.yml": text})
    result = scan(tmp_path)
    (host,) = result.hosts
    words = [w.text for w in host.command.words]
    assert host.command.origin == "rancheros" and words[:6] == ["--group", "docker", "--host", "unix:///var/run/docker.sock", "--live-restore=false", "--insecure-registry"]
    assert words[-7:] == ["--tlsverify", "--tlscacert=/etc/docker/tls/ca.pem", "--tlscert=/etc/docker/tls/server-cert.pem",
                          "--tlskey=/etc/docker/tls/server-key.pem", "-H=0.0.0.0:2376", "--log-level", "debug"]
    conflict = only(result, "DKD201")
    assert where(conflict) == place(text, '"log-level"')
    assert [(r.line, r.column) for r in conflict.related] == [place(text, "--log-level")]
    assert where(only(result, "DKD101")) == place(text, "false")


def test_rancheros_docker_settings_dlint_cannot_read_leave_the_command_line_unknown(tmp_path):
    from tests.helpers import scan, write_tree

    text = "#cloud-config\nrancher:\n  docker:\n    extra_args: {a: b}\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: '{\"hosts\": [\"fd://\"]}'\n"
    write_tree(tmp_path, {"cloud-config.yml": text})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.command.origin == "unknown" and not [f for f in result.findings if f.rule == "DKD201"]


# --- coreos-cloudinit units, and cloud-config kept as a Go template of define blocks ---------------

COREOS_UNITS = """\
#cloud-config
coreos:
  units:
    - name: docker.service
      drop-ins:
        - name: 40-flags.conf
          content: |
            [Service]
            Environment="DOCKER_OPTS=--log-opt max-size=10m --debug"
"""


def test_coreos_units_drop_in_lands_on_the_container_linux_unit(tmp_path):
    write_tree(tmp_path, {"user-data": COREOS_UNITS})
    result = scan(tmp_path)
    (host,) = result.hosts
    words = [w.text for w in host.command.words]
    assert words[-3:] == ["--log-opt", "max-size=10m", "--debug"] and "--host=fd://" in words
    debug = next(w for w in host.command.words if w.text == "--debug")
    assert (debug.location.path, debug.location.line, debug.location.column) == ("user-data", *line_col_of(COREOS_UNITS, "--debug"))
    finding = only(result, "DKD101")
    assert finding.location.path == "user-data"


def test_coreos_units_runtime_mask_and_whole_unit(tmp_path):
    text = """\
#cloud-config
coreos:
  units:
    - name: docker.service
      runtime: true
      command: start
      content: |
        [Service]
        ExecStart=/usr/bin/dockerd --live-restore
"""
    write_tree(tmp_path, {"user-data": text})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert [w.text for w in host.command.words] == ["--live-restore"]
    assert host.service.unit.target == "/run/systemd/system/docker.service"
    assert not [f for f in result.findings if f.rule == "DKD101"]
    masked = text.replace("      command: start\n", "      mask: true\n")
    write_tree(tmp_path, {"user-data": masked})
    assert scan(tmp_path).hosts == []  # masked: no Docker engine runs


def test_coreos_units_without_an_engine_unit_make_no_docker_host(tmp_path):
    text = "#cloud-config\ncoreos:\n  units:\n    - name: etcd2.service\n      command: start\n"
    write_tree(tmp_path, {"user-data": text})
    assert scan(tmp_path).hosts == []


GO_TEMPLATE = """\
{{ define "boot" -}}
#!/bin/bash
exec coreos-cloudinit --from-file /var/run/part
{{ end }}

{{ define "part" -}}
#cloud-config
coreos:
  units:
{{if .Updates}}
    - name: update-engine.service
      mask: true
{{end}}
{{- range $u := .Extra}}
    - name: {{$u.Name}}
      {{- if $u.Command }}
      command: {{ $u.Command }}
      {{- end}}
{{- end}}
    - name: docker.service
      drop-ins:
        - name: 10-check.conf
          content: |
            [Service]
            ExecStartPost=/usr/bin/docker pull {{.Image}}
        - name: 60-logs.conf
          content: |
            [Service]
            Environment="DOCKER_OPTS=--log-opt max-size=50m"
{{if .Mirror}}
ssh_authorized_keys:
  - {{.Key}}
{{end}}
{{if .China}}
    - name: pause.service
      command: start
{{end}}
{{ end }}
"""


def test_define_blocks_are_the_bodies_with_their_trimmed_whitespace():
    blocks = define_blocks(GO_TEMPLATE)
    assert [name for name, _, _ in blocks] == ["boot", "part"]
    _, start, end = blocks[1]
    assert GO_TEMPLATE[start:].startswith("#cloud-config\n") and GO_TEMPLATE[:end].endswith("{{end}}\n")
    assert define_blocks("{{ define \"x\" }}{{ if .A }}") == []  # does not nest: nothing


def test_cloud_config_in_a_go_define_block_is_read_in_place(tmp_path):
    write_tree(tmp_path, {"cloud-config-node": GO_TEMPLATE})
    result = scan(tmp_path)
    finding = only(result, "DKD101")
    assert finding.location.path == "cloud-config-node"
    (host,) = result.hosts
    size = next(w for w in host.command.words if w.text == "max-size=50m")
    assert (size.location.line, size.location.column) == line_col_of(GO_TEMPLATE, "max-size=50m")
    assert not host.command.from_template  # the template in ExecStartPost= does not reach dockerd


def test_go_template_branch_that_names_the_engine_unit_makes_the_command_unknown(tmp_path):
    broken = GO_TEMPLATE.replace("    - name: pause.service\n", "    - name: docker.service\n")
    write_tree(tmp_path, {"cloud-config-node": broken})
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    (host,) = result.hosts
    assert host.command.origin == "unknown"
    assert (host.command.location.line, host.command.location.column) == line_col_of(broken, "{{if .China}}")


def test_go_define_blocks_are_sniffed():
    assert KIND.sniff(b'{{ define "s3" -}}\n#cloud-config\ncoreos: {}\n')
    assert not KIND.sniff(b'{{ define "x" }}\nplain text\n')


@pytest.mark.parametrize(
    "unit, templated",
    [
        ("[Service]\nExecStartPost=/usr/bin/docker pull {{.Image}}\n", False),
        ("[Unit]\nAfter={{ .X }}\n", False),
        ("[Service]\nExecStart=/usr/bin/dockerd {{ .Flags }}\n", True),
        ("[Service]\nEnvironment=DOCKER_OPTS={{ .Opts }}\n", True),
        ("[Service]\n{{ .Extra }}\n", True),
    ],
)
def test_a_unit_template_reaches_the_command_line_only_through_what_dlint_reads(unit, templated):
    assert command_templated(unit) is templated


def test_a_container_linux_cloud_config_writing_daemon_json_runs_the_os_unit(tmp_path):
    text = (
        "#cloud-config\ncoreos:\n  update:\n    reboot-strategy: off\n"
        "write_files:\n  - path: /etc/docker/daemon.json\n    content: |\n      {\"live-restore\": true}\n"
    )
    write_tree(tmp_path, {"user-data": text})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.service.unit.document.path == "<Container Linux docker.service>"
    assert not host.command.assumed and "--host=fd://" in [w.text for w in host.command.words]
    assert not [f for f in result.findings if f.rule == "DKD101"]


@pytest.mark.parametrize(
    "run, read",
    [
        ("[ cloud-init-per, once, docker, /opt/docker/install.sh, 26.1 ]", True),
        ("bash /opt/docker/install.sh", True),
        ("/opt/docker/install.sh", True),
        ("echo not run", False),
    ],
)
def test_a_script_write_files_puts_anywhere_is_read_where_runcmd_runs_it(tmp_path, run, read):
    """write_files writes a shell script to a path no Docker tool reads; runcmd runs it (directly,
    through bash, or through cloud-init-per): what it does is this machine's, its findings in it."""
    from .helpers import at, scan, where, write_tree

    user_data = (
        "#cloud-config\nwrite_files:\n  - path: /opt/docker/install.sh\n    permissions: '0700'\n    content: |\n"
        "      #!/bin/bash\n      apt-get install -y docker-ce\n"
        "      echo '{\"hosts\": [\"tcp://0.0.0.0:2375\"]}' > /etc/docker/daemon.json\n"
        f"runcmd:\n  - {run}\n"
    )
    write_tree(tmp_path, {"user-data": user_data})
    result = scan(tmp_path)
    rules = sorted(f.rule for f in result.findings)
    if not read:
        assert not result.hosts and not rules
        return
    assert "DKD401" in rules and "DKD101" in rules
    (tcp,) = [f for f in result.findings if f.rule == "DKD401"]
    assert where(tcp) == at(user_data, "\"tcp://0.0.0.0:2375\"")


def test_a_note_on_a_runcmd_script_names_the_line_of_the_user_data(tmp_path):
    """A note about an embedded script points at the outer file's line, not at the line inside
    the script."""
    user_data = "#cloud-config\npackages: [docker-ce]\nruncmd:\n  - |\n    echo one\n    cat > /etc/docker/daemon.json <<EOF\n    {}\n"
    write_tree(tmp_path, {"user-data": user_data})
    notes = [n for n in scan(tmp_path).notes if "here-document" in n]
    assert notes and notes[0].startswith("user-data:6: ")


def test_ubuntu_autoinstall_packages_and_late_commands_make_the_installed_machine(tmp_path):
    """An autoinstall user-data: its packages are installed into the machine, and its late-commands
    run on it with /target its root (curtin in-target runs inside it); a /cdrom/NAME copied into
    place is the repository file beside the user-data."""
    user_data = (
        "#cloud-config\nautoinstall:\n  version: 1\n  packages:\n    - docker-ce\n  late-commands:\n"
        "    - curtin in-target --target /target -- apt-mark hold docker-ce\n"
        "    - mkdir -p /target/etc/docker\n"
        "    - cp /cdrom/daemon.json /target/etc/docker/daemon.json\n"
        "    - cp /cdrom/override.conf /target/etc/systemd/system/docker.service.d/\n"
    )
    daemon = '{"hosts": ["tcp://0.0.0.0:2375"]}\n'
    dropin = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n"
    write_tree(tmp_path, {"iso/user-data": user_data, "iso/daemon.json": daemon, "iso/override.conf": dropin,
                          "iso/other.txt": "x\n"})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "iso/user-data"
    packages = [(p.manager, p.pin, p.location.path, p.location.line, p.location.column) for p in host.of(EnginePackage)]
    # the hold inside the target maps to its word in the file, past the curtin prefix
    assert packages == [("autoinstall", "none", "iso/user-data", 5, 7), ("apt", "held", "iso/user-data", 7, 58)]
    dkd401 = only(result, "DKD401")
    assert (dkd401.location.path, dkd401.location.line) == ("iso/daemon.json", 1)
    assert any("/cdrom/daemon.json" in step.label for step in dkd401.location.trace)
    assert not [f for f in result.findings if f.rule == "DKD201"]  # the drop-in drops -H fd://


def test_a_directive_line_that_starts_a_literal_block_keeps_it_yaml(tmp_path):
    """A Terraform template whose ``content: |`` block starts with a ``%{ for }`` line at column 0
    and a daemon.json inside ``%{ if }``: read with its directives masked (the block does not start
    with a line of too many spaces), the daemon.json's text as written, DKD101 at its object."""
    text = (
        "#cloud-config\npackages:\n  - docker.io\nwrite_files:\n"
        "  - path: /etc/app.env\n    content: |\n%{ for k, v in envs ~}\n      ${k}=${v}\n%{ endfor ~}\n"
        "%{ if region != \"\" ~}\n"
        "  - path: /etc/docker/daemon.json\n    content: |\n      {\"log-driver\": \"awslogs\"}\n"
        "%{ endif ~}\n"
    )
    write_tree(tmp_path, {"cloud-init.yml.tftpl": text})
    result = scan(tmp_path)
    finding = only(result, "DKD101")
    assert (finding.location.line, finding.location.column) == line_col_of(text, '{"log-driver"')
    (config,) = [c for h in result.hosts for c in h.daemon_configs]
    assert config.document.text.rstrip() == '{"log-driver": "awslogs"}'
