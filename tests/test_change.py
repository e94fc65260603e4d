"""Change-aware scans (--diff-base, dlint diff): hosts at a git revision against the work tree."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .helpers import at, cli, scan, where, write_tree

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV)
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def commit(root: Path, files: dict, message: str = "change") -> None:
    """Write ``files`` and commit everything (a repository is made on first use)."""
    if not (root / ".git").exists():
        git(root, "init", "-q")
    write_tree(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def rules(result):
    return sorted(f.rule for f in result.findings)


LR_BIP = '{\n  "live-restore": true,\n  "bip": "172.18.0.1/16"\n}\n'


def test_bip_change_under_live_restore(tmp_path):
    commit(tmp_path, {"etc/docker/daemon.json": LR_BIP})
    new = '{\n  "live-restore": true,\n  "debug": true,\n  "bip": "10.10.0.1/16"\n}\n'
    write_tree(tmp_path, {"etc/docker/daemon.json": new})
    result = scan(tmp_path, diff_base="HEAD")
    assert rules(result) == ["DKD109"]
    finding = result.findings[0]
    assert finding.location.path == "etc/docker/daemon.json" and where(finding) == at(new, '"bip"')
    assert [(r.line, r.column) for r in finding.related] == [at(LR_BIP, '"bip"')]
    assert '"172.18.0.1/16"' in finding.message and "drain the host" in finding.message


def test_storage_driver_change_and_all(tmp_path):
    old = '{"live-restore": true, "storage-driver": "overlay2"}\n'
    commit(tmp_path, {"daemon.json": old})
    new = '{"live-restore": true, "storage-driver": "btrfs"}\n'
    write_tree(tmp_path, {"daemon.json": new})
    result = scan(tmp_path, diff_base="HEAD")
    assert rules(result) == ["DKD109"] and where(result.findings[0]) == at(new, '"storage-driver"')
    # --all: the findings that existed at the base too (DKD108, the log pipe, is on both sides)
    assert "DKD108" in rules(scan(tmp_path, diff_base="HEAD", all_findings=True, profile="all"))
    assert "DKD108" in rules(scan(tmp_path, profile="all"))  # no base: today's behaviour


def test_pools_change_only_drifts_without_bip(tmp_path):
    pools = '{"live-restore": true, "bip": "172.18.0.1/16", "default-address-pools": [{"base": "10.%d.0.0/16", "size": 24}]}\n'
    commit(tmp_path, {"daemon.json": pools % 1})
    write_tree(tmp_path, {"daemon.json": pools % 2})
    assert rules(scan(tmp_path, diff_base="HEAD")) == []


PIN = "#!/bin/sh\napt-get install -y docker-ce=%s\necho '{\"live-restore\": true}' > /etc/docker/daemon.json\n"


def test_engine_pin_across_minor_release(tmp_path):
    commit(tmp_path, {"provision.sh": PIN % "5:26.1.4-1~debian.12~bookworm"})
    new = PIN % "5:27.0.3-1~debian.12~bookworm"
    write_tree(tmp_path, {"provision.sh": new})
    result = scan(tmp_path, diff_base="HEAD", select=["DKD110"])
    assert rules(result) == ["DKD110"]
    assert result.findings[0].location.line == 2 and "a major release" in result.findings[0].message
    assert [r.line for r in result.findings[0].related] == [2]


def test_engine_patch_upgrade_is_fine(tmp_path):
    commit(tmp_path, {"provision.sh": PIN % "5:27.0.2-1~debian.12~bookworm"})
    write_tree(tmp_path, {"provision.sh": PIN % "5:27.0.3-1~debian.12~bookworm"})
    assert rules(scan(tmp_path, diff_base="HEAD", select=["DKD110"])) == []


def test_reloadable_change_needs_no_restart(tmp_path):
    commit(tmp_path, {"daemon.json": '{"debug": false, "log-driver": "local"}\n'})
    write_tree(tmp_path, {"daemon.json": '{"debug": true, "log-driver": "local"}\n'})
    assert rules(scan(tmp_path, diff_base="HEAD", select=["DKD111"])) == []


def test_restart_only_change_without_live_restore(tmp_path):
    commit(tmp_path, {"daemon.json": '{"debug": false, "log-driver": "json-file"}\n'})
    new = '{"debug": true, "log-driver": "local"}\n'
    write_tree(tmp_path, {"daemon.json": new})
    result = scan(tmp_path, diff_base="HEAD", select=["DKD111"])
    assert rules(result) == ["DKD111"] and where(result.findings[0]) == at(new, '"log-driver"')
    assert "debug alone would apply with a reload" in result.findings[0].message


def test_live_restore_on_with_restart_option(tmp_path):
    commit(tmp_path, {"daemon.json": '{"log-driver": "json-file"}\n'})
    new = '{"log-driver": "local", "live-restore": true}\n'
    write_tree(tmp_path, {"daemon.json": new})
    result = scan(tmp_path, diff_base="HEAD", select=["DKD109", "DKD111", "DKD112"])
    assert rules(result) == ["DKD112"] and where(result.findings[0]) == at(new, '"live-restore"')


def test_rename_only_is_no_change(tmp_path):
    commit(tmp_path, {"a/daemon.json": '{"log-driver": "json-file"}\n'})
    git(tmp_path, "mv", "a", "b")
    result = scan(tmp_path, diff_base="HEAD")
    assert rules(result) == []
    assert result.change.matched == {"b/daemon.json": "a/daemon.json"}


def test_host_appears_and_disappears(tmp_path):
    commit(tmp_path, {"one/daemon.json": '{"live-restore": true, "bip": "172.18.0.1/16"}\n'})
    git(tmp_path, "rm", "-q", "one/daemon.json")
    write_tree(tmp_path, {"two/daemon.json": '{"live-restore": true, "bip": "10.1.0.1/16", "data-root": "/srv"}\n'})
    result = scan(tmp_path, diff_base="HEAD", select=["DKD109", "DKD110", "DKD111", "DKD112"])
    assert rules(result) == []
    assert result.change.appeared == ["two/daemon.json"] and result.change.disappeared == ["one/daemon.json"]


def test_only_new_findings_survive_line_moves(tmp_path):
    old = '{\n  "log-driver": "json-file"\n}\n'
    commit(tmp_path, {"daemon.json": old})
    new = '{\n\n\n  "log-driver": "json-file",\n  "log-level": "debug"\n}\n'
    write_tree(tmp_path, {"daemon.json": new})
    before = set(rules(scan(tmp_path)))
    now = rules(scan(tmp_path, diff_base="HEAD", profile="all"))
    assert "DKD101" in before and "DKD101" not in now  # existed at the base, moved lines
    assert "DKD404" in now  # log-level: new


def test_two_commits_back_and_head_as_revision(tmp_path):
    commit(tmp_path, {"daemon.json": '{"live-restore": true, "exec-root": "/run/a"}\n'})
    commit(tmp_path, {"daemon.json": '{"live-restore": true, "exec-root": "/run/b"}\n'})
    write_tree(tmp_path, {"daemon.json": '{"live-restore": true, "exec-root": "/run/c"}\n'})
    done = cli("diff", "HEAD~1", "HEAD", "--format", "json", cwd=tmp_path)
    doc = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr
    change = doc["hosts"][0]["changes"][0]
    assert (change["key"], change["old"], change["new"], change["applied_by"]) == ("exec-root", "/run/a", "/run/b", "restart")
    assert [f["rule"] for f in doc["hosts"][0]["findings"]] == ["DKD109"]
    text = cli("diff", cwd=tmp_path).stdout
    assert 'exec-root: "/run/b" -> "/run/c"  [restart]  daemon.json:1:24' in text


def test_scan_diff_base_cli(tmp_path):
    commit(tmp_path, {"daemon.json": LR_BIP})
    write_tree(tmp_path, {"daemon.json": LR_BIP.replace("172.18", "10.9")})
    done = cli("scan", "--diff-base", "HEAD", "--format", "json", cwd=tmp_path)
    assert [f["rule"] for f in json.loads(done.stdout)["findings"]] == ["DKD109"]
    bad = cli("scan", "--diff-base", "--upload-pack=touch", cwd=tmp_path)
    assert bad.returncode == 2
    assert cli("scan", "--diff-base", "nosuchrev", cwd=tmp_path).returncode == 2


def test_reading_a_revision_runs_nothing_of_the_repository(tmp_path):
    marker = tmp_path.parent / "ran"
    script = tmp_path.parent / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    script.chmod(0o755)
    commit(tmp_path, {"daemon.json": LR_BIP, ".gitattributes": "*.json filter=evil diff=evil\n"})
    for key, value in (("core.fsmonitor", str(script)), ("filter.evil.smudge", str(script)), ("filter.evil.clean", str(script)),
                       ("diff.evil.textconv", str(script)), ("core.pager", str(script)), ("core.hooksPath", str(tmp_path.parent))):
        git(tmp_path, "config", key, value)
    (tmp_path.parent / "post-checkout").write_text(f"#!/bin/sh\ntouch {marker}\n")
    if marker.exists():
        marker.unlink()
    write_tree(tmp_path, {"daemon.json": LR_BIP.replace("172.18", "10.9")})
    assert rules(scan(tmp_path, diff_base="HEAD")) == ["DKD109"]
    cli("diff", "HEAD", "HEAD", cwd=tmp_path)
    assert not marker.exists()


ROLE = {
    "site.yml": "- hosts: docker\n  roles:\n    - docker\n",
    "roles/docker/defaults/main.yml": 'docker_bip: "172.18.0.1/16"\n',
    "roles/docker/templates/daemon.json.j2": '{\n  "live-restore": true,\n  "bip": "{{ docker_bip }}"\n}\n',
    "roles/docker/tasks/main.yml": "- name: configure docker\n  template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n",
}


def test_ansible_defaults_change_a_templated_value(tmp_path):
    commit(tmp_path, ROLE)
    write_tree(tmp_path, {"roles/docker/defaults/main.yml": 'docker_bip: "10.20.0.1/16"\n'})
    result = scan(tmp_path, diff_base="HEAD", select=["DKD109"])
    finding = result.findings[0]
    assert rules(result) == ["DKD109"] and finding.location.path == "roles/docker/templates/daemon.json.j2"
    assert where(finding) == (3, 3) and '"172.18.0.1/16" at HEAD' in finding.message


TF = '''resource "aws_instance" "web" {
  ami       = "ami-1"
  user_data = <<-EOT
    #cloud-config
    write_files:
      - path: /etc/docker/daemon.json
        content: |
          {"live-restore": true, "data-root": "%s"}
    runcmd:
      - apt-get install -y docker-ce
  EOT
}
'''


def test_a_resource_moved_to_another_file_is_the_same_machine(tmp_path):
    commit(tmp_path, {"main.tf": TF % "/var/lib/docker"})
    git(tmp_path, "mv", "main.tf", "web.tf")
    new = TF % "/srv/docker"
    write_tree(tmp_path, {"web.tf": new})
    result = scan(tmp_path, diff_base="HEAD", select=["DKD109"])
    assert result.change.matched == {"web.tf › aws_instance.web": "main.tf › aws_instance.web"}
    assert rules(result) == ["DKD109"] and where(result.findings[0]) == at(new, '"data-root"')
    assert [(r.path, r.line) for r in result.findings[0].related] == [("main.tf", 8)]


def test_the_examples_history_walk_through(tmp_path):
    import subprocess
    import sys

    from .helpers import REPO

    folder = tmp_path / "history"
    subprocess.run([sys.executable, str(REPO / "examples/history/make_history.py"), str(folder)], check=True, capture_output=True)
    done = cli("diff", "HEAD~1", cwd=folder)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "host hosts/app/provision.sh"
    assert lines[2].startswith('  bip: "172.18.0.1/16" -> "10.31.0.1/16"  [restart]  hosts/app/etc/docker/daemon.json:4:3')
    assert lines[3] == "  debug: (not set) -> true  [reload]  hosts/app/etc/docker/daemon.json:3:3"
    assert lines[4].startswith("  hosts/app/etc/docker/daemon.json:4:3: error DKD109 live-restore-restart-drift")
    assert lines[5].startswith("  hosts/app/provision.sh:3:20: warning DKD110 live-restore-upgrade-beyond-patch")


def test_a_key_also_given_as_a_flag_cannot_be_reloaded(tmp_path):
    unit = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --debug\n"
    commit(tmp_path, {"etc/systemd/system/docker.service.d/override.conf": unit, "etc/docker/daemon.json": '{"debug": false, "labels": ["a"]}\n'})
    write_tree(tmp_path, {"etc/docker/daemon.json": '{"debug": true, "labels": ["b"]}\n'})
    doc = json.loads(cli("diff", "--format", "json", cwd=tmp_path).stdout)
    assert [(c["key"], c["applied_by"]) for c in doc["hosts"][0]["changes"]] == [("debug", "reload-fails"), ("labels", "reload")]
    (finding,) = [f for f in doc["hosts"][0]["findings"] if f["rule"] == "DKD111"]
    assert "dockerd refuses a reload (and a start) with that conflict" in finding["message"]
    assert "alone would apply with a reload" not in finding["message"]
