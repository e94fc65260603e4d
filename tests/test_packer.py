"""Packer: shell and file provisioners of each build (HCL2, its JSON syntax, legacy JSON), read
exactly, one host per build, scripts and uploaded files read only inside the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hypothesis import HealthCheck, given, settings, strategies as st

from dlint_docker import hookimpl
from dlint_docker.document import Document
from dlint_docker.scan import Options, run
from dlint_docker.source import Source
from dlint_docker.sources import SNIFF, ReadContext
from dlint_docker.sources.packer import PackerKind

from .helpers import write_tree
from .helpers import at, only, where
from .test_terraform import guarded


@hookimpl
def dlint_source_kinds():
    """Registers the Packer kind for these tests, unless the core already does."""
    from dlint_docker.builtin import dlint_source_kinds as core

    return [] if any(kind.name == PackerKind.name for kind in core()) else [PackerKind()]


def scan(root: Path, paths=()):
    return run(Options(paths=list(paths), cwd=root, plugins=["tests.test_packer"]))


def extract(root: Path, files: dict, rel: str):
    write_tree(root, files)
    path = root / rel
    return PackerKind().extract(Source(path, rel, rel, "packer", path.read_bytes()))


def located(document: Document, index: int):
    location = document.location(index)
    return location.path, location.line, location.column


UBUNTU_PKR = '''\
packer {
  required_plugins {
    amazon = { source = "github.com/hashicorp/amazon", version = ">= 1.2.0" }
  }
}

source "amazon-ebs" "ubuntu" {
  ami_name      = "docker-host-{{timestamp}}"
  instance_type = "t3.small"
  source_ami    = "ami-0abcdef1234567890"
  ssh_username  = "ubuntu"
}

build {
  name    = "docker-host"
  sources = ["source.amazon-ebs.ubuntu"]

  provisioner "shell" {
    inline = [
      "curl -fsSL https://get.docker.com | sudo sh",
      "echo '{\\"live-restore\\": true, \\"tls-verify\\": true}' | sudo tee /etc/docker/daemon.json",
    ]
  }

  provisioner "shell" {
    scripts = ["${path.root}/scripts/harden.sh"]
  }

  provisioner "file" {
    source      = "files/daemon.json"
    destination = "/etc/docker/"
  }

  provisioner "shell-local" {
    inline = ["echo this runs on the build machine, never here"]
  }
}
'''
HARDEN_SH = "#!/bin/sh\nset -e\nsystemctl restart docker\n"
DAEMON_JSON = '{\n  "live-restore": true,\n  "storage-driver": 3\n}\n'


def test_hcl_inline_is_one_script_mapped_exactly(tmp_path):
    out = extract(tmp_path, {"packer/ubuntu.pkr.hcl": UBUNTU_PKR, "packer/scripts/harden.sh": HARDEN_SH, "packer/files/daemon.json": DAEMON_JSON}, "packer/ubuntu.pkr.hcl")
    inline, script, upload = out.embedded
    assert {e.group for e in out.embedded} == {"packer/ubuntu.pkr.hcl › build.docker-host"}
    assert inline.kind == "shell" and inline.document.label == 'build.docker-host › provisioner "shell".inline'
    text = inline.document.text
    assert text == 'curl -fsSL https://get.docker.com | sudo sh\necho \'{"live-restore": true, "tls-verify": true}\' | sudo tee /etc/docker/daemon.json\n'
    assert located(inline.document, text.index("sudo tee")) == ("packer/ubuntu.pkr.hcl", *at(UBUNTU_PKR, "sudo tee"))
    assert located(inline.document, text.index('"tls-verify"')) == ("packer/ubuntu.pkr.hcl", *at(UBUNTU_PKR, '\\"tls-verify'))
    assert script.kind == "shell" and script.reference == "packer/scripts/harden.sh" and script.document.text == HARDEN_SH
    assert script.document.via[0].label == 'build.docker-host › provisioner "shell" › script "scripts/harden.sh"'
    assert upload.kind == "daemon-json" and upload.target == "/etc/docker/daemon.json"
    assert upload.reference == "packer/files/daemon.json" and upload.document.path == "packer/files/daemon.json"


def test_hcl_end_to_end_one_host_per_build(tmp_path):
    write_tree(tmp_path, {"packer/ubuntu.pkr.hcl": UBUNTU_PKR, "packer/scripts/harden.sh": HARDEN_SH, "packer/files/daemon.json": DAEMON_JSON})
    result = scan(tmp_path)
    (host,) = result.hosts  # the script and the uploaded file are judged with the build, not on their own
    assert host.name == "packer/ubuntu.pkr.hcl › build.docker-host" and host.layout == "group"
    finding = only(result, "DKD002")
    assert finding.location.path == "packer/ubuntu.pkr.hcl" and where(finding) == at(UBUNTU_PKR, '\\"tls-verify')
    assert finding.location.trace[0].label == 'build.docker-host › provisioner "shell".inline'
    wrong = only(result, "DKD003")
    assert wrong.location.path == "packer/files/daemon.json" and where(wrong) == at(DAEMON_JSON, "3")
    (step,) = wrong.location.trace
    assert (step.path, step.line) == ("packer/ubuntu.pkr.hcl", at(UBUNTU_PKR, '"files/daemon.json"')[0])


def test_hcl_file_content_heredoc_and_unnamed_builds(tmp_path):
    pkr = (
        'build {\n  sources = ["source.docker.ubuntu"]\n'
        '  provisioner "file" {\n    destination = "/etc/docker/daemon.json"\n    content     = <<-EOT\n      {"live-restore": ${var.live_restore}}\n    EOT\n  }\n}\n'
        'build {\n  provisioner "shell" {\n    script = "install.sh"\n  }\n}\n'
    )
    out = extract(tmp_path, {"img.pkr.hcl": pkr, "install.sh": "apt-get install -y docker-ce\n"}, "img.pkr.hcl")
    content, script = out.embedded
    assert content.group == "img.pkr.hcl › build[0]" and script.group == "img.pkr.hcl › build[1]"
    assert content.kind == "daemon-json" and content.templated is True
    assert content.document.text == '{"live-restore": ${var.live_restore}}\n'
    assert located(content.document, 0) == ("img.pkr.hcl", *at(pkr, '{"live-restore"'))


def test_script_paths_fall_back_to_the_project_root(tmp_path):
    """Packer resolves script paths against its working directory, often the repository root."""
    pkr = 'build {\n  provisioner "shell" {\n    script = "scripts/docker.sh"\n  }\n}\n'
    out = extract(tmp_path, {"images/base.pkr.hcl": pkr, "scripts/docker.sh": "#!/bin/sh\ndockerd --live-restore\n"}, "images/base.pkr.hcl")
    (script,) = out.embedded
    assert script.reference == "scripts/docker.sh" and script.document.path == "scripts/docker.sh"
    assert script.document.via[0].label == 'build › provisioner "shell" › script "../scripts/docker.sh"'


# ------------------------------------------------------------------------------------------
# Legacy JSON templates


LEGACY = {
    "variables": {"docker_version": "5:27.3.1-1~ubuntu.22.04~jammy"},
    "builders": [{"type": "amazon-ebs", "name": "docker-ami", "ami_name": "docker {{timestamp}}"}],
    "provisioners": [
        {"type": "shell", "inline": ["sudo apt-get install -y docker-ce={{user `docker_version`}}", "sudo mkdir -p /etc/docker"]},
        {"type": "file", "content": "{\n  \"live-restore\": true,\n  \"tls-verify\": true\n}\n", "destination": "/etc/docker/daemon.json"},
        {"type": "shell", "script": "{{template_dir}}/scripts/restart.sh"},
        {"type": "ansible", "playbook_file": "site.yml"},
    ],
}


def test_legacy_json_template(tmp_path):
    text = json.dumps(LEGACY, indent=2)
    out = extract(tmp_path, {"packer/docker.json": text, "packer/scripts/restart.sh": "systemctl restart docker\n"}, "packer/docker.json")
    inline, daemon, script = out.embedded
    assert {e.group for e in out.embedded} == {"packer/docker.json"}
    assert inline.templated is True and inline.document.text.startswith("sudo apt-get install -y docker-ce={{user `docker_version`}}\n")
    assert daemon.kind == "daemon-json" and daemon.target == "/etc/docker/daemon.json" and daemon.templated is False
    assert daemon.document.text == '{\n  "live-restore": true,\n  "tls-verify": true\n}\n'
    index = daemon.document.text.index('"tls-verify"')
    assert located(daemon.document, index) == ("packer/docker.json", *at(text, '\\"tls-verify'))
    assert script.reference == "packer/scripts/restart.sh" and script.kind == "shell"
    assert script.document.via[0].label == 'provisioners[2] "shell" › script "scripts/restart.sh"'


def test_legacy_json_end_to_end(tmp_path):
    text = json.dumps(LEGACY, indent=2)
    write_tree(tmp_path, {"packer/docker.json": text, "packer/scripts/restart.sh": "systemctl restart docker\n"})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "packer/docker.json"
    finding = only(result, "DKD002")
    assert where(finding) == at(text, '\\"tls-verify') and finding.location.trace[0].label == 'provisioners[1] "file".content'


def test_hcl2_json_syntax(tmp_path):
    template = {
        "source": {"docker": {"ubuntu": {"image": "ubuntu:24.04", "commit": True}}},
        "build": [
            {
                "name": "engine",
                "sources": ["source.docker.ubuntu"],
                "provisioner": [
                    {"shell": {"inline": ["apt-get install -y docker.io", "dockerd --live-restore --debug &"]}},
                    {"file": [{"content": "{\"debug\": true}", "destination": "/etc/docker/daemon.json"}, {"content": "{}", "destination": "${var.etc}/daemon.json"}]},
                ],
            }
        ],
    }
    text = json.dumps(template, indent=2)
    out = extract(tmp_path, {"engine.pkr.json": text}, "engine.pkr.json")
    inline, content = out.embedded
    assert inline.group == "engine.pkr.json › build.engine"
    assert located(inline.document, inline.document.text.index("dockerd")) == ("engine.pkr.json", *at(text, "dockerd"))
    assert content.kind == "daemon-json" and content.target == "/etc/docker/daemon.json" and content.document.text == '{"debug": true}'
    assert located(content.document, 1) == ("engine.pkr.json", *at(text, '\\"debug'))  # the destination with ${var.etc} is not known


def test_not_a_template_and_broken_json_are_noted(tmp_path):
    out = extract(tmp_path, {"renovate-config.json": '{"extends": ["config:base"]}'}, "renovate-config.json")
    assert out.embedded == [] and any("not a Packer template" in n for n in out.notes)
    out = extract(tmp_path, {"t.json": '{"builders": [], "provisioners": [}'}, "t.json")
    assert out.embedded == [] and any("not valid JSON" in n for n in out.notes)


def test_claims_and_sniff():
    kind = PackerKind()
    assert kind.claims("packer/ubuntu.pkr.hcl", "ubuntu.pkr.hcl") is True
    assert kind.claims("packer/ubuntu.pkr.json", "ubuntu.pkr.json") is True
    assert kind.claims("etc/docker/daemon.json", "daemon.json") is False
    assert kind.claims("roles/docker/files/daemon-prod.json", "daemon-prod.json") is False
    assert kind.claims("web/package.json", "package.json") is False
    assert kind.claims("packer/ubuntu.json", "ubuntu.json") == SNIFF
    assert kind.claims("vars.pkrvars.hcl", "vars.pkrvars.hcl") is False
    assert kind.sniff(b'{\n  "builders": [{"type": "docker"}],\n  "provisioners": []\n}')
    assert not kind.sniff(b'{"name": "web", "version": "1.0.0"}')


def test_json_sniffed_by_discovery(tmp_path):
    text = json.dumps(LEGACY, indent=2)
    write_tree(tmp_path, {"packer/docker.json": text, "packer/scripts/restart.sh": "systemctl restart docker\n", "app/config.json": '{"port": 8080}'})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["packer/docker.json"]


# ------------------------------------------------------------------------------------------
# Safety and robustness


def test_nothing_outside_the_project_is_read_and_nothing_runs(tmp_path, monkeypatch):
    project = tmp_path / "repo"
    write_tree(tmp_path, {"outside.sh": "#!/bin/sh\ndocker swarm init\n"})
    pkr = (
        'build {\n'
        '  provisioner "shell" {\n    scripts = ["../outside.sh", "/etc/passwd", "${var.dir}/x.sh"]\n  }\n'
        '  provisioner "file" {\n    source      = "../outside.sh"\n    destination = "/etc/docker/daemon.json"\n  }\n'
        '  provisioner "shell-local" {\n    command = "touch /tmp/dlint-packer-was-here"\n  }\n'
        "}\n"
    )
    write_tree(project, {"p.pkr.hcl": pkr})
    opened = guarded(monkeypatch)
    path = project / "p.pkr.hcl"
    out = PackerKind().extract(Source(path, "p.pkr.hcl", "p.pkr.hcl", "packer", path.read_bytes()))
    assert out.embedded == [] and opened == []
    notes = "\n".join(out.notes)
    assert notes.count("outside the project; not read") == 3 and "not a literal" in notes
    assert not Path("/tmp/dlint-packer-was-here").exists()


def test_syntax_errors_are_noted_and_the_rest_is_read(tmp_path):
    pkr = 'source "docker" "x" {\n  image = \n}\n' + UBUNTU_PKR
    out = extract(tmp_path, {"p.pkr.hcl": pkr, "scripts/harden.sh": HARDEN_SH, "files/daemon.json": DAEMON_JSON}, "p.pkr.hcl")
    assert any("syntax error" in note for note in out.notes)
    assert len(out.embedded) == 3


def _read(text: str, root: Path, name: str):
    source = Source(root / name, name, name, "packer", text.encode("utf-8", "surrogatepass"))
    return PackerKind().read(Document(text, name), ReadContext(source))


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
CORPUS = [(UBUNTU_PKR, "u.pkr.hcl"), (json.dumps(LEGACY, indent=2), "l.json"), (json.dumps({"build": {"provisioner": {"shell": {"inline": ["a"]}}}}), "h.pkr.json")]


@FUZZ
@given(st.text(max_size=200), st.sampled_from(["a.pkr.hcl", "a.json"]))
def test_fuzz_any_text_never_raises(tmp_path, text, name):
    _read(text, tmp_path, name)


@FUZZ
@given(st.lists(st.sampled_from(list('{}[]":,\\ \n') + ['"provisioners"', '"builders"', '"type"', '"shell"', '"file"', '"inline"', '"script"', '"destination"', '"build"', '"provisioner"', '"content"', "[]", "{}", '"/etc/docker/daemon.json"', '"x.sh"', "1", "null"]), max_size=80))
def test_fuzz_json_shapes_never_raise(tmp_path, pieces):
    _read("{" + "".join(pieces), tmp_path, "t.json")


@FUZZ
@given(st.sampled_from(CORPUS), st.data())
def test_fuzz_mutations_never_raise(tmp_path, base, data):
    text, name = base
    for _ in range(data.draw(st.integers(1, 4))):
        at_ = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:at_] + text[at_ + data.draw(st.integers(1, 20)) :]
        else:
            text = text[:at_] + data.draw(st.sampled_from(['"', "}", "]", "${", "\\", "<<-EOT\n", "EOT\n", "\n", "☃", '\\u00e9'])) + text[at_:]
    out = _read(text, tmp_path, name)
    for embedded in out.embedded:
        embedded.document.location(0, len(embedded.document.text))


# --- an upload to /tmp moved into place by a later shell provisioner -----------------------------

STAGED_PKR = """build {
  sources = ["source.amazon-ebs.ubuntu"]
  provisioner "file" {
    source      = "files/engine.json"
    destination = "/tmp/daemon.json"
  }
  provisioner "file" {
    source      = "files/docker.service"
    destination = "/tmp/"
  }
  provisioner "shell" {
    inline = [
      "sudo apt-get install -y docker-ce",
      "sudo install -m 0644 /tmp/daemon.json /etc/docker/",
      "sudo cp /tmp/docker.service /etc/systemd/system/docker.service",
      "sudo docker swarm init",
    ]
  }
}
"""
ENGINE_JSON = '{\n  "live-restore": true\n}\n'
UNIT = "[Service]\nExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n"


def test_an_upload_moved_into_place_is_that_repository_file_at_its_final_path(tmp_path):
    write_tree(tmp_path, {"packer/img.pkr.hcl": STAGED_PKR, "packer/files/engine.json": ENGINE_JSON, "packer/files/docker.service": UNIT})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "packer/img.pkr.hcl › build"
    [config] = host.daemon_configs
    assert (config.target, config.opaque) == ("/etc/docker/daemon.json", None)
    assert host.command.origin == "systemd" and [w.text for w in host.command.words] == ["--containerd=/run/containerd/containerd.sock"]
    finding = only(result, "DKD102")
    assert (finding.location.path, *where(finding)) == ("packer/files/engine.json", 2, 3)
    labels = [step.label for step in finding.location.trace]
    assert labels[0] == 'build › provisioner "file" › source "files/engine.json"'
    assert labels[-1] == "install /tmp/daemon.json /etc/docker/daemon.json"
    assert finding.location.trace[-1].line == at(STAGED_PKR, "sudo install")[0]


def test_an_upload_left_in_tmp_is_not_the_engines_configuration(tmp_path):
    pkr = STAGED_PKR.replace('      "sudo install -m 0644 /tmp/daemon.json /etc/docker/",\n', "")
    write_tree(tmp_path, {"packer/img.pkr.hcl": pkr, "packer/files/engine.json": ENGINE_JSON, "packer/files/docker.service": UNIT})
    (host,) = scan(tmp_path).hosts
    assert host.daemon_configs == []


def test_a_move_before_the_upload_is_of_a_file_dlint_did_not_see(tmp_path):
    pkr = STAGED_PKR.replace('  provisioner "file" {', '  provisioner "shell" {\n    inline = ["sudo mv /tmp/daemon.json /etc/docker/"]\n  }\n  provisioner "file" {', 1)
    out = extract(tmp_path, {"packer/img.pkr.hcl": pkr, "packer/files/engine.json": ENGINE_JSON, "packer/files/docker.service": UNIT}, "packer/img.pkr.hcl")
    assert [sorted(e.placed) for e in out.embedded if e.kind == "shell"] == [[], ["/tmp/daemon.json", "/tmp/docker.service"]]


def test_legacy_template_upload_then_move(tmp_path):
    template = {
        "builders": [{"type": "qemu", "iso_url": "ubuntu.iso"}],
        "provisioners": [
            {"type": "file", "source": "{{template_dir}}/daemon.json", "destination": "/tmp/d.json"},
            {"type": "shell", "inline": ["sudo mv /tmp/d.json /etc/docker/daemon.json", "docker swarm join --token x 10.0.0.1:2377"]},
        ],
    }
    text = json.dumps(template, indent=2)
    write_tree(tmp_path, {"packer/docker.json": text, "packer/daemon.json": ENGINE_JSON})
    result = scan(tmp_path)
    (host,) = result.hosts  # the uploaded daemon.json is not a host of its own
    finding = only(result, "DKD102")
    assert finding.location.path == "packer/daemon.json" and finding.location.trace[-1].label == "mv /tmp/d.json /etc/docker/daemon.json"


def test_an_image_the_repository_boots_swarm_nodes_from_is_not_asked_for_live_restore(tmp_path):
    """The Packer image installs the engine; the Terraform beside it boots machines from an AMI
    variable and runs `docker swarm init` on them: whether the image's machines are swarm nodes is
    unknown, so DKD101 is not asked of it (one unknown line says why)."""
    image = '{"builders": [{"type": "amazon-ebs"}], "provisioners": [{"type": "shell", "inline": ["apt-get install -y docker-ce"]}]}\n'
    swarm = (
        'variable "ami" {}\n'
        'resource "aws_instance" "manager" {\n  ami = var.ami\n'
        '  provisioner "remote-exec" {\n    inline = ["docker swarm init"]\n  }\n}\n'
    )
    write_tree(tmp_path, {"packer/docker.json": image, "terraform/main.tf": swarm})
    from .helpers import scan

    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    assert any(u.host == "packer/docker.json" and "DKD101" in u.skipped for u in result.unknowns)
    write_tree(tmp_path, {"terraform/main.tf": swarm.replace("docker swarm init", "echo hi")})
    assert [f.rule for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["DKD101"]


def test_an_image_whose_swarm_scripts_are_in_a_terraform_module_is_not_asked_for_live_restore(tmp_path):
    image = '{"builders": [{"type": "amazon-ebs"}], "provisioners": [{"type": "shell", "inline": ["apt-get install -y docker-ce"]}]}\n'
    write_tree(tmp_path, {
        "packer/docker.json": image,
        "terraform/modules/swarm/main.tf": 'variable "ami" {}\n',
        "terraform/modules/swarm/data/init.sh": "#!/bin/sh\ndocker swarm init\n",
    })
    from .helpers import scan

    assert not [f for f in scan(tmp_path).findings if f.rule == "DKD101"]
    (tmp_path / "terraform/modules/swarm/main.tf").unlink()
    assert [f.rule for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["DKD101"]


def test_terraform_outside_the_scanned_tree_is_never_looked_at(tmp_path):
    """A .tf beside the scanned folder (outside it) says nothing of the repository's swarm script."""
    image = '{"builders": [{"type": "amazon-ebs"}], "provisioners": [{"type": "shell", "inline": ["apt-get install -y docker-ce"]}]}\n'
    write_tree(tmp_path, {"outside.tf": 'variable "ami" {}\n', "repo/packer/docker.json": image, "repo/ops/swarm.sh": "#!/bin/sh\ndocker swarm init\n"})
    from .helpers import scan

    assert [f.rule for f in scan(tmp_path / "repo").findings if f.rule == "DKD101"] == ["DKD101"]


@pytest.mark.parametrize("start, expected", [("{{user `build`}}/base/base.ovf", []), ("/images/other/other.ovf", ["DKD101"])])
def test_a_build_on_the_image_another_template_writes_has_its_provisioners(tmp_path, start, expected):
    """A virtualbox-ovf build whose source_path is the folder another legacy template outputs runs
    on that image: the first template's engine install and the second's daemon.json are one
    machine (live-restore is set there), and the first image alone is no deployed machine."""
    from .helpers import scan, write_tree

    base = (
        '{"variables": {"build": "{{env `BUILD_DIR`}}/vbox"},\n'
        ' "builders": [{"type": "virtualbox-iso", "output_directory": "{{user `build`}}/base"}],\n'
        ' "provisioners": [{"type": "shell", "inline": ["apt-get install -y docker-ce"]}]}\n'
    )
    layer = (
        '{"variables": {"build": "{{env `BUILD_DIR`}}/vbox"},\n'
        f' "builders": [{{"type": "virtualbox-ovf", "source_path": "{start}", "output_directory": "{{{{user `build`}}}}/app"}}],\n'
        ' "provisioners": [{"type": "shell", "inline": ["echo \'{\\"live-restore\\": true}\' > /etc/docker/daemon.json"]}]}\n'
    )
    write_tree(tmp_path, {"base.json": base, "app.json": layer})
    result = scan(tmp_path)
    assert [f.rule for f in result.findings if f.rule == "DKD101"] == expected
    if not expected:
        (intermediate,) = [h for h in result.hosts if h.name == "base.json"]
        assert intermediate.undeployed.startswith("an intermediate image: app.json builds on it")
        (app,) = [h for h in result.hosts if h.name == "app.json"]
        assert app.daemon_configs and any(f.source.rel == "base.json" for f in app.fragments)


@pytest.mark.parametrize("run", ["cd /tmp && ./install.sh", "sudo bash /tmp/install.sh", "/tmp/install.sh"])
def test_a_script_uploaded_then_run_by_a_later_provisioner_is_that_builds(tmp_path, run):
    """A file provisioner uploads install.sh to /tmp and an inline shell provisioner runs it: what it
    does is the build's machine (one host, the template), not a machine of the script's own."""
    from .helpers import scan, write_tree

    template = json.dumps({
        "builders": [{"type": "amazon-ebs"}],
        "provisioners": [
            {"type": "file", "source": "install.sh", "destination": "/tmp/install.sh"},
            {"type": "shell", "inline": [run]},
        ],
    })
    write_tree(tmp_path, {"image.json": template, "install.sh": "#!/bin/sh\napt-get install -y docker-ce\n"})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["image.json"]
    assert [f.rule for f in result.findings if f.rule == "DKD101"] == ["DKD101"]


def test_two_templates_built_on_each_other_are_each_judged(tmp_path):
    from .helpers import scan, write_tree

    def template(out: str, start: str) -> str:
        return json.dumps({"builders": [{"type": "virtualbox-ovf", "output_directory": out, "source_path": f"{start}/x.ovf"}], "provisioners": [{"type": "shell", "inline": ["apt-get install -y docker-ce"]}]})

    write_tree(tmp_path, {"a.json": template("out/a", "out/b"), "b.json": template("out/b", "out/a")})
    result = scan(tmp_path)
    assert not [h for h in result.hosts if h.undeployed]
    assert sorted(f.location.path for f in result.findings if f.rule == "DKD101") == ["a.json", "b.json"]


def test_a_docker_install_script_missing_from_the_repository_makes_an_unknown_docker_host(tmp_path):
    """A provisioner runs ``install-docker.sh`` from a git submodule that is not checked out:
    the machine has the engine, configured by a script dlint cannot read. It is a Docker host
    whose daemon.json is unknown (a not-judged line), never "not a Docker host"; a missing
    script whose name says nothing of Docker changes nothing."""
    template = (
        'source "null" "agent" {\n  communicator = "none"\n}\n'
        'build {\n  sources = ["source.null.agent"]\n'
        '  provisioner "shell" {\n    scripts = [\n'
        '      "${path.root}/lib/runner-images/scripts/build/install-docker.sh",\n'
        '      "${path.root}/lib/runner-images/scripts/build/install-git.sh",\n'
        '    ]\n  }\n}\n'
    )
    write_tree(tmp_path, {"agent.pkr.hcl": template, "other.pkr.hcl": template.replace("install-docker.sh", "install-kubectl.sh")})
    result = run(Options(paths=[], cwd=tmp_path))
    assert [h.name for h in result.hosts] == ["agent.pkr.hcl"]
    (host,) = result.hosts
    assert host.daemon_json_elsewhere and "install-docker.sh, which is not in the repository" in host.daemon_json_elsewhere
    assert (host.evidence.location.line, host.evidence.location.column) == (8, 7)
    assert not result.findings  # nothing is judged on what dlint cannot see: DKD101 is not said


def _ami_tree(owners: str, packer_name: str = "server.json") -> dict:
    legacy = json.dumps({
        "variables": {"prefix": "server", "version": "1.0"},
        "builders": [{"type": "amazon-ebs", "ami_name": "{{user `prefix`}}-{{user `version`}}-{{timestamp}}", "source_ami": "ami-1"}],
        "provisioners": [{"type": "shell", "inline": ["apt-get install -y docker.io"]}],
    }, indent=2)
    hcl = (
        'variable "role" {\n  default = "worker"\n}\n'
        'source "amazon-ebs" "w" {\n  ami_name = "${var.role}-${local.stamp}"\n}\n'
        'build {\n  sources = ["source.amazon-ebs.w"]\n'
        '  provisioner "shell" {\n    inline = ["apt-get install -y docker-ce", "echo \'{\\"live-restore\\": true}\' > /etc/docker/daemon.json"]\n  }\n}\n'
    )
    terraform = (
        'data "aws_ami" "server" {\n  most_recent = true\n  owners = [' + owners + ']\n'
        '  filter {\n    name = "name"\n    values = ["server-${var.server_version}-*"]\n  }\n}\n'
        'data "aws_ami" "worker" {\n  owners = ["self"]\n  filter {\n    name = "name"\n    values = ["worker-*"]\n  }\n}\n'
        'resource "aws_instance" "server" {\n  ami = data.aws_ami.server.id\n'
        '  user_data = "#cloud-config\\nruncmd:\\n  - systemctl restart docker\\n"\n}\n'
        'resource "aws_instance" "worker" {\n  ami = data.aws_ami.worker.id\n}\n'
    )
    return {f"packer/{packer_name}": legacy, "packer/worker.pkr.hcl": hcl, "terraform/main.tf": terraform}


def test_an_instance_booting_the_account_s_image_by_name_has_what_the_packer_template_installs(tmp_path):
    """``ami = data.aws_ami.x.id`` with ``owners = ["self"]`` and a name filter the Packer
    template's ``ami_name`` fits (legacy and HCL): the instance's machine has the image's engine
    (DKD101 there, with its user data), and the image itself is an intermediate step."""
    write_tree(tmp_path, _ami_tree('"self"'))
    result = run(Options(paths=[], cwd=tmp_path))
    names = sorted(h.name for h in result.hosts if not h.undeployed)
    assert names == ["terraform/main.tf › aws_instance.server", "terraform/main.tf › aws_instance.worker"]
    assert sorted(h.name for h in result.hosts if h.undeployed) == ["packer/server.json", "packer/worker.pkr.hcl › build"]
    server = next(h for h in result.hosts if h.name.endswith("server"))
    assert "packer/server.json" in server.sources and "terraform/main.tf" in server.sources
    found = {(f.rule, f.host) for f in result.findings}
    assert ("DKD101", "terraform/main.tf › aws_instance.server") in found
    assert not any(h.endswith("worker") and rule == "DKD101" for rule, h in found)  # its image turns live-restore on


def test_an_image_of_a_public_owner_is_not_the_repository_s_packer_image(tmp_path):
    write_tree(tmp_path, _ami_tree('"099720109477"'))
    result = run(Options(paths=[], cwd=tmp_path))
    names = sorted(h.name for h in result.hosts if not h.undeployed)
    assert "packer/server.json" in names and "terraform/main.tf › aws_instance.server" not in names


def _image_tree(source_type: str) -> dict:
    """A Packer build (HCL) that runs a playbook whose role installs docker-ce, and a legacy
    template whose shell provisioner installs docker.io, each on ``source_type`` builders."""
    hcl = (
        f'source "{source_type}" "base" {{\n  image = "debian:bookworm"\n  commit = true\n}}\n'
        f'build {{\n  sources = ["source.{source_type}.base"]\n'
        '  provisioner "ansible" {\n    playbook_file = "ansible/playbook.yml"\n  }\n'
        '  provisioner "shell" {\n    inline = ["apt-get install -y docker-ce"]\n  }\n}\n'
    )
    legacy = json.dumps({"builders": [{"type": source_type, "image": "debian"}], "provisioners": [{"type": "shell", "inline": ["apt-get install -y docker.io"]}]}, indent=2)
    return {
        "images/base/build.pkr.hcl": hcl,
        "images/base/ansible/playbook.yml": "- hosts: all\n  roles:\n    - ../../roles/prepare\n",
        "images/roles/prepare/tasks/main.yml": "- name: engine\n  apt:\n    name: docker-ce\n",
        "images/legacy.json": legacy,
    }


def test_a_docker_builder_s_provisioners_and_playbook_make_an_image_not_a_machine(tmp_path):
    """Packer's docker builder commits a container image: its shell provisioners and the play its
    ansible provisioner runs install docker-ce in an image no dockerd of theirs runs from; said in
    dlint hosts, not judged (no DKD101)."""
    write_tree(tmp_path, _image_tree("docker"))
    result = run(Options(paths=[], cwd=tmp_path))
    assert not [h for h in result.hosts if not h.undeployed]
    assert {h.name: h.undeployed.split(":")[0] for h in result.hosts} == {
        "images/ › hosts: all": "a container image",
        "images/base/build.pkr.hcl › build": "a container image",
        "images/legacy.json": "a container image",
    }
    assert "images/base/build.pkr.hcl › build builds it with Packer's docker builder" in next(h for h in result.hosts if "hosts: all" in h.name).undeployed
    assert not [f for f in result.findings if f.rule == "DKD101"]


def test_the_same_provisioners_on_a_virtual_machine_builder_are_judged(tmp_path):
    write_tree(tmp_path, _image_tree("qemu"))
    result = run(Options(paths=[], cwd=tmp_path))
    assert not [h for h in result.hosts if h.undeployed]
    assert {f.host for f in result.findings if f.rule == "DKD101"} == {"images/ › hosts: all", "images/base/build.pkr.hcl › build", "images/legacy.json"}


@pytest.mark.parametrize(
    "provisioner, files, said",
    [
        ('{"type": "chef-solo", "cookbook_paths": ["cookbooks"], "run_list": ["base", "docker::install"]}', {}, "Chef's docker::install recipe"),
        ('{"type": "puppet-masterless", "manifest_file": "manifest.pp"}', {"manifest.pp": "node default {\n  include docker\n}\n"}, "the Puppet class docker of manifest.pp"),
    ],
)
def test_a_chef_or_puppet_provisioner_that_installs_docker_makes_a_docker_host(tmp_path, provisioner, files, said):
    """A Packer build whose Chef run list has the docker cookbook, or whose Puppet manifest includes
    the docker class: the engine is there, of a configuration dlint does not read (an unknown line
    with DKD101 not judged), never "not a Docker host". Other recipes say nothing."""
    template = '{"builders": [{"type": "amazon-ebs", "source_ami": "ami-1"}], "provisioners": [' + provisioner + "]}\n"
    write_tree(tmp_path, {"packer.json": template, **files})
    (unknown,) = scan(tmp_path).unknowns
    assert said in unknown.why and "DKD101" in unknown.skipped
    write_tree(tmp_path, {"packer.json": template.replace("docker::install", "nginx").replace("manifest.pp", "other.pp")})
    assert not scan(tmp_path).hosts
