"""The policy catalog on realistic repositories of several sources: each policy fires at the exact
place, and stays silent on the corrected twin of the fixture."""

from __future__ import annotations

import pytest

from .helpers import at, scan, write_tree


CLOUD_SWARM = """#cloud-config
package_update: true
packages:
  - [docker-ce, "5:27.5.1-1~ubuntu.24.04~noble"]
write_files:
  - path: /etc/docker/daemon.json
    content: |
      {
        "live-restore": true,
        "log-driver": "local"
      }
runcmd:
  - apt-mark hold docker-ce
  - docker swarm join --token "$(cat /run/worker-token)" 10.20.0.10:2377
"""

ROLE_DEFAULTS = """---
docker_daemon_options:
  live-restore: true
  log-driver: local
"""
ROLE_TASKS = """---
- name: engine
  ansible.builtin.apt:
    name: docker-ce
    state: latest
- name: daemon.json
  ansible.builtin.copy:
    content: "{{ docker_daemon_options | to_nice_json }}"
    dest: /etc/docker/daemon.json
  notify: reload docker
"""
ROLE_HANDLERS = """---
- name: reload docker
  ansible.builtin.systemd:
    name: docker
    state: reloaded
"""

KILLMODE = "[Service]\nKillMode=mixed\nLimitNOFILE=1048576\n"
UNIT_NO_CONTAINERD = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --log-level=warn\n"
SCRIPT_RESTART = """#!/usr/bin/env bash
set -euo pipefail
apt-get install -y docker-ce=5:27.5.1-1~debian.12~bookworm
apt-mark hold docker-ce
cat > /etc/docker/daemon.json <<'EOF'
{"live-restore": true, "max-concurrent-downloads": 6}
EOF
systemctl restart docker
"""
DEFAULTS_NO_IPTABLES = 'DOCKER_OPTS="--dns 10.0.0.2 --iptables=false"\n'
DEBIAN_UNIT = "[Service]\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n"
TF_RUNTIMES = '''resource "aws_instance" "gpu" {
  ami       = var.ami
  user_data = <<-EOT
    #!/bin/bash
    cat > /etc/docker/daemon.json <<'JSON'
    {"live-restore": true, "default-runtime": "nvidia"}
    JSON
  EOT
}
'''
PACKER_AUFS = '''build {
  sources = ["source.amazon-ebs.legacy"]
  provisioner "shell" {
    inline = ["echo '{\\"live-restore\\": true, \\"storage-driver\\": \\"devicemapper\\"}' | sudo tee /etc/docker/daemon.json"]
  }
}
'''
ROLE_LOGOPTS = """---
docker_daemon_options:
  live-restore: true
  log-driver: json-file
  log-opts:
    max-size: "50m"
    max_file: "5"
"""
SHELL_NFT = "#!/bin/sh\necho '{\"firewall-backend\": \"nftables\"}' > /etc/docker/daemon.json\ndocker swarm init --advertise-addr 10.0.0.1\n"
BUTANE_TCP = """variant: fcos
version: 1.5.0
storage:
  files:
    - path: /etc/docker/daemon.json
      contents:
        inline: |
          {"live-restore": true, "hosts": ["tcp://0.0.0.0:2375"]}
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
CLOUD_INSECURE = """#cloud-config
write_files:
  - path: /etc/docker/daemon.json
    content: '{"live-restore": true, "insecure-registries": ["ftp://registry.local:5000"]}'
"""

CASES = [
    # (rule, files, (path, needle, occurrence), corrected twin files)
    ("DKD102", {"user-data": CLOUD_SWARM}, ("user-data", '"live-restore"', 1),
     {"user-data": CLOUD_SWARM.replace('"live-restore": true,\n        ', "")}),
    ("DKD104", {"roles/docker/defaults/main.yml": ROLE_DEFAULTS, "roles/docker/tasks/main.yml": ROLE_TASKS, "roles/docker/handlers/main.yml": ROLE_HANDLERS},
     ("roles/docker/tasks/main.yml", "docker-ce", 1),
     {"roles/docker/defaults/main.yml": ROLE_DEFAULTS, "roles/docker/tasks/main.yml": ROLE_TASKS.replace("name: docker-ce\n    state: latest", "name: docker-ce=5:27.5.*\n    state: present\n- name: hold\n  ansible.builtin.dpkg_selections:\n    name: docker-ce\n    selection: hold"), "roles/docker/handlers/main.yml": ROLE_HANDLERS}),
    ("DKD105", {"etc/docker/daemon.json": '{"live-restore": true}\n', "etc/systemd/system/docker.service.d/limits.conf": KILLMODE},
     ("etc/systemd/system/docker.service.d/limits.conf", "KillMode", 1),
     {"etc/docker/daemon.json": '{"live-restore": true}\n', "etc/systemd/system/docker.service.d/limits.conf": KILLMODE.replace("KillMode=mixed\n", "")}),
    ("DKD106", {"etc/docker/daemon.json": '{"live-restore": true}\n', "etc/systemd/system/docker.service.d/override.conf": UNIT_NO_CONTAINERD},
     ("etc/systemd/system/docker.service.d/override.conf", "ExecStart=/usr", 1),
     {"etc/docker/daemon.json": '{"live-restore": true}\n', "etc/systemd/system/docker.service.d/override.conf": UNIT_NO_CONTAINERD.replace("--log-level", "--containerd=/run/containerd/containerd.sock --log-level")}),
    ("DKD107", {"provision.sh": SCRIPT_RESTART}, ("provision.sh", "systemctl restart", 1),
     {"provision.sh": SCRIPT_RESTART.replace("systemctl restart", "systemctl reload")}),
    ("DKD301", {"etc/docker/daemon.json": '{"live-restore": true, "icc": false}\n', "etc/default/docker": DEFAULTS_NO_IPTABLES, "lib/systemd/system/docker.service": DEBIAN_UNIT},
     ("etc/docker/daemon.json", '"icc"', 1),
     {"etc/docker/daemon.json": '{"live-restore": true, "icc": false}\n', "etc/default/docker": DEFAULTS_NO_IPTABLES.replace(" --iptables=false", ""), "lib/systemd/system/docker.service": DEBIAN_UNIT}),
    ("DKD305", {"main.tf": TF_RUNTIMES}, ("main.tf", '"default-runtime"', 1),
     {"main.tf": TF_RUNTIMES.replace('"default-runtime": "nvidia"', '"default-runtime": "nvidia", "runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime"}}')}),
    # the key's opening quote is the escape \" in the HCL string: the finding points at its backslash
    ("DKD307", {"legacy.pkr.hcl": PACKER_AUFS}, ("legacy.pkr.hcl", '\\"storage-driver', 1),
     {"legacy.pkr.hcl": PACKER_AUFS.replace("devicemapper", "overlay2")}),
    ("DKD308", {"roles/docker/defaults/main.yml": ROLE_LOGOPTS, "roles/docker/tasks/main.yml": ROLE_TASKS, "roles/docker/handlers/main.yml": ROLE_HANDLERS},
     ("roles/docker/defaults/main.yml", "max_file", 1),
     {"roles/docker/defaults/main.yml": ROLE_LOGOPTS.replace("max_file", "max-file"), "roles/docker/tasks/main.yml": ROLE_TASKS, "roles/docker/handlers/main.yml": ROLE_HANDLERS}),
    ("DKD312", {"user-data": CLOUD_INSECURE}, ("user-data", '"ftp://', 1),
     {"user-data": CLOUD_INSECURE.replace("ftp://", "")}),
    ("DKD315", {"manager.sh": SHELL_NFT}, ("manager.sh", '"firewall-backend"', 1),
     {"manager.sh": SHELL_NFT.replace("nftables", "iptables")}),
    ("DKD401", {"worker.bu": BUTANE_TCP}, ("worker.bu", '"tcp://', 1),
     {"worker.bu": BUTANE_TCP.replace('"tcp://0.0.0.0:2375"', '"unix:///var/run/docker.sock"')}),
]


@pytest.mark.parametrize("rule,files,where,twin", CASES, ids=[c[0] for c in CASES])
def test_policy_on_a_realistic_repository(tmp_path, rule, files, where, twin):
    write_tree(tmp_path / "bad", files)
    result = scan(tmp_path / "bad", select=[rule])
    found = [f for f in result.findings if f.rule == rule]
    assert found, f"{rule} did not fire: {[(f.rule, f.message) for f in result.findings]} notes={result.notes}"
    path, needle, occurrence = where
    expected = (path,) + at(files[path], needle, occurrence)
    assert expected in {(f.location.path, f.location.line, f.location.column) for f in found}, [str(f.location) for f in found]
    write_tree(tmp_path / "good", twin)
    silent = scan(tmp_path / "good", select=[rule])
    assert not [f for f in silent.findings if f.rule == rule], [(f.rule, str(f.location), f.message) for f in silent.findings]


def test_killmode_twin_keeps_the_packaged_killmode(tmp_path):
    """A drop-in that says nothing about KillMode inherits the packaged unit's KillMode=process."""
    write_tree(tmp_path, {"etc/docker/daemon.json": '{"live-restore": true}\n', "etc/systemd/system/docker.service.d/limits.conf": "[Service]\nLimitNOFILE=1048576\n"})
    assert not scan(tmp_path, select=["DKD105"]).findings


def test_profiles_choose_what_runs(tmp_path):
    write_tree(tmp_path, {"etc/docker/daemon.json": '{"live-restore": true, "icc": true, "userland-proxy": true, "insecure-registries": ["r.local:5000"]}\n'})
    recommended = {f.rule for f in scan(tmp_path).findings}
    cis = {f.rule for f in scan(tmp_path, profile="cis").findings}
    assert "DKD406" in recommended and "DKD403" not in recommended and "DKD416" not in recommended
    assert {"DKD403", "DKD416", "DKD406"} <= cis
    assert "DKD403" in {f.rule for f in scan(tmp_path, select=["icc-enabled"]).findings}  # select wins over the profile
