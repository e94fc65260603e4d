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
    assert result.unknowns == []  # both sides read: nothing is said to be unjudged


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


CHANGE_RULES = ["DKD109", "DKD110", "DKD111", "DKD112"]
BROKEN = '{\n  "live-restore": true,\n  "bip": "172.18.0.1/16",\n}\n'  # a trailing comma: dockerd cannot read it


def _said(result):
    return [u for u in result.unknowns if u.diff_base is not None]


def test_a_host_unreadable_at_the_base_is_said_not_passed(tmp_path):
    import jsonschema

    commit(tmp_path, {"daemon.json": BROKEN})
    write_tree(tmp_path, {"daemon.json": LR_BIP.replace("172.18", "10.9")})
    result = scan(tmp_path, diff_base="HEAD", select=CHANGE_RULES)
    assert rules(result) == []  # the bip change is not judged: the base cannot be read
    (said,) = _said(result)
    assert (said.host, said.skipped, said.diff_base, said.location_rev) == ("daemon.json", CHANGE_RULES, "HEAD", "HEAD")
    assert said.why.startswith("daemon.json does not parse (") and said.why.endswith(") at HEAD")
    assert (said.location.path, said.location.line, said.location.column) == ("daemon.json", 4, 1)
    text = cli("scan", "--diff-base", "HEAD", cwd=tmp_path).stdout.splitlines()
    line = [t for t in text if t.startswith("change since HEAD not judged on daemon.json: ")]
    assert len(line) == 1 and line[0].endswith("at HEAD (daemon.json:4:1); 4 checks not judged (DKD109, DKD110, DKD111, …)")
    unknown = json.loads(cli("scan", "--diff-base", "HEAD", "-f", "json", cwd=tmp_path).stdout)["unknown"]
    assert [(u["host"], u["diff_base"], u["skipped"], u["from"]) for u in unknown] == [
        ("daemon.json", "HEAD", CHANGE_RULES, {"path": "daemon.json", "line": 4, "column": 1, "revision": "HEAD"})]
    sarif = json.loads(cli("scan", "--diff-base", "HEAD", "-f", "sarif", cwd=tmp_path).stdout)
    schema = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(sarif)
    (note,) = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["properties"] == {"host": "daemon.json", "skipped": CHANGE_RULES, "diffBase": "HEAD"}
    assert "locations" not in note  # the place is in the base revision, not in the files scanned
    diff = cli("diff", cwd=tmp_path)
    assert diff.returncode == 0
    assert diff.stdout.splitlines()[1:] == [
        f"not judged: host daemon.json: {said.why} (daemon.json:4:1); DKD109, DKD110, DKD111, DKD112 not judged",
        "no other host's dockerd settings change",
    ]
    (entry,) = json.loads(cli("diff", "-f", "json", cwd=tmp_path).stdout)["not_judged"]
    assert entry["why"] == said.why and entry["skipped"] == CHANGE_RULES


def test_a_host_unreadable_in_the_work_tree_is_said_not_passed(tmp_path):
    commit(tmp_path, {"daemon.json": LR_BIP})
    write_tree(tmp_path, {"daemon.json": BROKEN.replace("172.18", "10.9")})
    result = scan(tmp_path, diff_base="HEAD")
    assert "DKD109" not in rules(result) and "DKD001" in rules(result)
    (said,) = _said(result)
    assert said.why.endswith(" in the work tree") and said.location_rev is None and said.skipped == CHANGE_RULES
    sarif = json.loads(cli("scan", "--diff-base", "HEAD", "-f", "sarif", cwd=tmp_path).stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    change = [n for n in notes if "diffBase" in n["properties"]]
    assert change[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert {n["level"] for n in notes} == {"warning", "note"}  # the plain unknown line is a note
    # no change policy enabled: nothing to say about the change
    assert _said(scan(tmp_path, diff_base="HEAD", select=["DKD001"])) == []


def test_a_templated_value_on_both_sides_is_said(tmp_path):
    role = dict(ROLE)
    role["roles/docker/templates/daemon.json.j2"] = '{\n  "live-restore": true,\n  "bip": "{{ docker_bip_unset }}",\n  "debug": false\n}\n'
    commit(tmp_path, role)
    write_tree(tmp_path, {"roles/docker/templates/daemon.json.j2": role["roles/docker/templates/daemon.json.j2"].replace("false", "true")})
    result = scan(tmp_path, diff_base="HEAD")
    (said,) = _said(result)
    assert said.why == "a template decides bip at HEAD and in the work tree"
    assert said.skipped == ["DKD109", "DKD111", "DKD112"]  # the engine upgrade is judged
    assert (said.location.path, said.location.line, said.location_rev) == ("roles/docker/templates/daemon.json.j2", 3, None)


def test_an_engine_pin_dlint_cannot_read_is_said_under_live_restore(tmp_path):
    commit(tmp_path, {"provision.sh": PIN % "$DOCKER_VERSION"})
    write_tree(tmp_path, {"provision.sh": PIN % "$DOCKER_VERSION" + "# a comment\n"})
    (said,) = _said(scan(tmp_path, diff_base="HEAD"))
    assert said.why == "the engine pin $DOCKER_VERSION is no release dlint can read at HEAD and in the work tree"
    assert said.skipped == ["DKD110"] and (said.location.line, said.location_rev) == (2, None)
    # without live-restore no upgrade is judged, so an unread pin misses nothing
    plain = PIN.replace('{\"live-restore\": true}', '{\"debug\": true}')
    commit(tmp_path, {"provision.sh": plain % "$DOCKER_VERSION"})
    write_tree(tmp_path, {"provision.sh": plain % "$DOCKER_VERSION" + "# a comment\n"})
    assert _said(scan(tmp_path, diff_base="HEAD")) == []


def test_a_log_level_change_needs_a_restart_a_debug_change_a_reload(tmp_path):
    # dockerd's reload applies debug, never log-level (dockerd-facts.md 1.3): not a reload
    commit(tmp_path, {"daemon.json": '{"debug": false, "log-level": "info"}\n'})
    new = '{"debug": true, "log-level": "warn"}\n'
    write_tree(tmp_path, {"daemon.json": new})
    doc = json.loads(cli("diff", "--format", "json", cwd=tmp_path).stdout)
    assert [(c["key"], c["applied_by"]) for c in doc["hosts"][0]["changes"]] == [("debug", "reload"), ("log-level", "restart")]
    result = scan(tmp_path, diff_base="HEAD", select=["DKD111"])
    assert rules(result) == ["DKD111"] and where(result.findings[0]) == at(new, '"log-level"')
    assert "debug alone would apply with a reload" in result.findings[0].message


def test_a_key_the_release_ignores_changes_nothing(tmp_path):
    # allow-nondistributable-artifacts is a no-op from 28.0: neither a reload nor a restart applies it
    commit(tmp_path, {"daemon.json": '{"allow-nondistributable-artifacts": ["a.example"]}\n'})
    write_tree(tmp_path, {"daemon.json": '{"allow-nondistributable-artifacts": ["b.example"]}\n'})
    assert rules(scan(tmp_path, diff_base="HEAD", select=["DKD111"], engine_version="28.0")) == []
    assert rules(scan(tmp_path, diff_base="HEAD", select=["DKD111"], engine_version="27.5")) == []  # reloadable there
    doc = json.loads(cli("diff", "--format", "json", "--engine-version", "28.0", cwd=tmp_path).stdout)
    assert doc["hosts"] == []


def test_restart_required_is_a_warning_under_the_all_profile(tmp_path):
    commit(tmp_path, {"daemon.json": '{"log-driver": "json-file"}\n'})
    write_tree(tmp_path, {"daemon.json": '{"log-driver": "local"}\n'})
    severity = {}
    for profile in ("recommended", "cis", "all"):
        found = [f for f in scan(tmp_path, diff_base="HEAD", profile=profile).findings if f.rule == "DKD111"]
        severity[profile] = [f.severity for f in found]
    assert severity == {"recommended": ["info"], "cis": ["info"], "all": ["warning"]}
    assert [f.severity for f in scan(tmp_path, diff_base="HEAD", select=["DKD111"]).findings] == ["info"]
    # the default --fail-on is warning: the gate stops on it under all only
    assert cli("diff", cwd=tmp_path).returncode == 0
    assert cli("diff", "--profile", "all", cwd=tmp_path).returncode == 1
    assert cli("scan", "--diff-base", "HEAD", "--profile", "all", "--select", "DKD111", cwd=tmp_path).returncode == 1
    # .dlint.yaml's severity: sets it outright, whatever the profile
    write_tree(tmp_path, {".dlint.yaml": "profile: all\nseverity:\n  DKD111: info\n"})
    assert [f.severity for f in scan(tmp_path, diff_base="HEAD").findings if f.rule == "DKD111"] == ["info"]
    explained = cli("explain", "DKD111", cwd=tmp_path).stdout
    assert explained.startswith("DKD111 restart-required  [info (all: warning); breaks none; profile recommended]")


def test_restart_findings_say_the_old_values_and_their_places(tmp_path):
    old = '{\n  "live-restore": false,\n  "log-driver": "json-file"\n}\n'
    commit(tmp_path, {"daemon.json": old})
    new = '{\n  "live-restore": false,\n  "log-driver": "local",\n  "mtu": 1400\n}\n'
    write_tree(tmp_path, {"daemon.json": new})
    (finding,) = scan(tmp_path, diff_base="HEAD", select=["DKD111"]).findings
    assert finding.message.startswith('this change sets log-driver to "local" (was "json-file" at HEAD), mtu to 1400 (was not set at HEAD), which')
    assert [(r.line, r.column) for r in finding.related] == [at(old, '"log-driver"')]
    enabled = new.replace('"live-restore": false', '"live-restore": true')
    write_tree(tmp_path, {"daemon.json": enabled})
    (finding,) = scan(tmp_path, diff_base="HEAD", select=["DKD112"]).findings
    assert "turns live-restore on (was false at HEAD) together with log-driver, mtu" in finding.message
    assert where(finding) == at(enabled, '"live-restore"')
    assert [(r.line, r.column) for r in finding.related] == [at(old, '"live-restore"'), at(enabled, '"log-driver"'), at(enabled, '"mtu"')]


ROLE_PIN = {
    "site.yml": "- hosts: docker\n  roles:\n    - docker\n",
    "roles/docker/defaults/main.yml": 'docker_version: "5:26.1.4-1~debian.12~bookworm"\n',
    "roles/docker/templates/daemon.json.j2": '{\n  "live-restore": true\n}\n',
    "roles/docker/tasks/main.yml": '- name: install docker\n  apt:\n    name: "docker-ce={{ docker_version }}"\n'
                                   "- name: configure docker\n  template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n",
}


def test_a_docker_version_variable_bump_across_a_release(tmp_path):
    commit(tmp_path, ROLE_PIN)
    write_tree(tmp_path, {"roles/docker/defaults/main.yml": 'docker_version: "5:27.0.3-1~debian.12~bookworm"\n'})
    (finding,) = scan(tmp_path, diff_base="HEAD", select=["DKD110"]).findings
    assert "from 5:26.1.4-1~debian.12~bookworm to 5:27.0.3-1~debian.12~bookworm" in finding.message
    assert (finding.location.path, finding.location.line, finding.location.column) == ("roles/docker/defaults/main.yml", 1, 18)  # the changed line
    write_tree(tmp_path, {"roles/docker/defaults/main.yml": 'docker_version: "5:26.1.5-1~debian.12~bookworm"\n'})
    assert scan(tmp_path, diff_base="HEAD", select=["DKD110"]).findings == []  # a patch upgrade
