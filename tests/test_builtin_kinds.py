"""The built-in source kinds are imported on first use; a cheap test of the name decides whether
asking a kind about a file needs its module at all. That test must hold every name its kind's
``claims`` answers other than False (else a file would go unread)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dlint_docker import builtin

ROOT = Path(__file__).resolve().parent.parent

NAMES = [
    "daemon.json", "etc/docker/daemon.json", "etc/docker/key.json", "prod-daemon.json", "package.json", "x.JSON",
    "docker.service", "docker.socket", "docker-tcp.socket", "etc/systemd/system/docker.service.d/override.conf",
    "lib/systemd/system/containerd.service", "foo.conf", "etc/default/docker", "etc/sysconfig/docker", "docker",
    "worker.ign", "worker.IGN", "node.json.tpl", "x.tftpl", "x.tmpl", "daemon.json.j2", "user-data.j2",
    "ubuntu.pkr.hcl", "ubuntu.pkr.json", "template.json", "main.tf", "vars.tfvars", "x.tf.json",
    "worker.bu", "worker.butane", "x.fcc", "x.clc", "config.yml", "config.YAML", "Vagrantfile", "vagrantfile",
    "roles/docker/tasks/main.yml", "roles/docker/tasks/main.yaml", "roles/a/b/tasks/sub/x.yml", "roles/docker/templates/x.j2",
    "inventory/group_vars/all", "inventory/group_vars/all/docker.yml", "host_vars/node1", "host_vars/node1.json",
    "group_vars/.hidden", "playbook.yml", "site.yaml", "user-data", "user_data.sh", "cloud-init.cfg", "x.cloud-config",
    "meta-data", "install.sh", "setup.bash", "README.md", "readme.rst", "docs/install.md", "Makefile", "x.txt",
    "x.py", "Dockerfile", "docker-compose.yml", ".gitignore", "a\\b\\group_vars\\all",
]


def _corpus():
    """Names of the project's own example and test files, and the list above."""
    names = set(NAMES)
    for top in ("examples", "tests"):
        for path in (ROOT / top).rglob("*"):
            if path.is_file():
                names.add(path.relative_to(ROOT / top).as_posix())
    return sorted(names)


@pytest.mark.parametrize("lazy", builtin.dlint_source_kinds(), ids=lambda lazy: lazy.name)
def test_a_name_the_cheap_test_refuses_is_never_claimed(lazy):
    kind = lazy._load()
    for rel in _corpus():
        basename = rel.replace("\\", "/").rsplit("/", 1)[-1]
        if lazy._named is not None and not lazy._named(rel, basename):
            assert kind.claims(rel, basename) is False, (lazy.name, rel)


def test_the_lazy_claim_is_the_kinds_claim():
    for lazy, fresh in zip(builtin.dlint_source_kinds(), builtin.dlint_source_kinds()):
        for rel in _corpus():
            basename = rel.rsplit("/", 1)[-1]
            assert fresh.claims(rel, basename) == lazy._load().claims(rel, basename), (lazy.name, rel)


def test_asking_about_a_daemon_json_imports_no_other_kind():
    code = (
        "import sys\n"
        "from dlint_docker import builtin\n"
        "kinds = builtin.dlint_source_kinds()\n"
        "claimed = next(k for k in kinds if k.claims('roles/x/files/daemon.json', 'daemon.json'))\n"
        "print(claimed.name, sorted(m for m in sys.modules if m.startswith('dlint_docker.sources.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    name, modules = done.stdout.split(" ", 1)
    assert name == "daemon-json"
    assert "ansible" not in modules and "terraform'" not in modules and "ignition" not in modules


def test_discovery_asks_the_larger_kinds_without_importing_their_readers(tmp_path):
    (tmp_path / "site.yml").write_text("- hosts: all\n  roles: [docker]\n")
    (tmp_path / "install").write_text("#!/bin/sh\napt-get install docker-ce\n")
    (tmp_path / "user-data").write_text("#cloud-config\npackages: [docker.io]\n")
    (tmp_path / "main.tf").write_text('resource "x" "y" { user_data = "docker" }\n')
    (tmp_path / "node.ign").write_text('{"ignition": {"version": "3.4.0"}}\n')
    (tmp_path / "worker.bu").write_text("variant: fcos\nversion: 1.5.0\n")
    (tmp_path / "template.json").write_text('{"builders": [], "provisioners": [{"type": "shell", "inline": ["docker"]}]}\n')
    (tmp_path / "Vagrantfile").write_text("config.vm.provision 'shell', inline: 'docker'\n")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from dlint_docker import builtin\n"
        "from dlint_docker.discovery import discover\n"
        f"root = Path({str(tmp_path)!r})\n"
        "found = discover([str(root)], builtin.dlint_source_kinds(), project_root=root, excluded=lambda rel: False, cwd=root)\n"
        "print(sorted((s.rel, s.kind) for s in found.sources))\n"
        "readers = ('ansible', 'shell', 'cloudinit', 'butane', 'vagrant', 'ignition', 'packer', 'terraform')\n"
        "print(sorted(m for m in sys.modules if m.rsplit('.', 1)[-1] in readers))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    sources, modules = done.stdout.splitlines()
    assert sources == (
        "[('Vagrantfile', 'vagrant'), ('install', 'shell'), ('main.tf', 'terraform'), ('node.ign', 'ignition'), ('site.yml', 'ansible'), "
        "('template.json', 'packer'), ('user-data', 'cloud-init'), ('worker.bu', 'butane')]"
    )
    assert modules == "[]"


def test_the_light_parts_are_what_the_kinds_inherit():
    from dlint_docker.sources import claims
    from dlint_docker.sources.ansible import AnsibleKind
    from dlint_docker.sources.cloudinit import CloudInitKind
    from dlint_docker.sources.butane import ButaneKind
    from dlint_docker.sources.ignition import IgnitionKind
    from dlint_docker.sources.packer import PackerKind
    from dlint_docker.sources.shell import ShellKind
    from dlint_docker.sources.terraform import TerraformKind
    from dlint_docker.sources.vagrant import VagrantKind

    pairs = [(AnsibleKind, claims.AnsibleClaims), (CloudInitKind, claims.CloudInitClaims), (ShellKind, claims.ShellClaims),
             (ButaneKind, claims.ButaneClaims), (VagrantKind, claims.VagrantClaims), (IgnitionKind, claims.IgnitionClaims),
             (PackerKind, claims.PackerClaims), (TerraformKind, claims.TerraformClaims)]
    for kind, light in pairs:
        assert kind.claims is light.claims and getattr(kind, "needles", None) is getattr(light, "needles", None)
        assert not hasattr(light, "sniff") or kind.sniff is light.sniff
