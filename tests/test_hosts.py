"""Hosts assembled from several sources: findings at the exact outer position, with their trace."""

from __future__ import annotations

import base64
import json

import jsonschema
import pytest

from dlint_docker.fragments import SwarmMembership

from .helpers import REPO, at, cli, only, scan, where, write_tree


DAEMON_HOSTS = '{\n  "live-restore": true,\n  "hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]\n}\n'


def test_hosts_key_against_the_assumed_packaged_unit(tmp_path):
    write_tree(tmp_path, {"etc/docker/daemon.json": DAEMON_HOSTS})
    result = scan(tmp_path)
    finding = only(result, "DKD201")
    assert where(finding) == at(DAEMON_HOSTS, '"hosts"')
    assert "packaged docker.service's ExecStart, which dlint assumes" in finding.message
    assert "hosts: (from flag: [fd://], from file: [unix:///var/run/docker.sock tcp://127.0.0.1:2375])" in finding.message
    assert finding.breaks == "config-load"
    (host,) = result.hosts
    assert host.name == "./" and host.layout == "rootfs"


def test_a_configuration_not_named_daemon_json_needs_a_command_line_the_repository_lacks(tmp_path):
    """dockerd reads a daemon-direct-lvm.json only through --config-file: its unit is not the
    packaged one, so a hosts key is not judged against -H fd:// (no DKD201); the file itself is
    (a docker-daemon.json, which scripts copy to daemon.json, still meets the packaged unit)."""
    config = DAEMON_HOSTS.replace('"live-restore": true', '"debug": true')
    write_tree(tmp_path, {"conf/daemon-direct-lvm.json": config})
    result = scan(tmp_path)
    assert sorted(f.rule for f in result.findings if f.rule in ("DKD101", "DKD201")) == ["DKD101"]
    (host,) = result.hosts
    assert host.command is None and host.service is None
    (tmp_path / "conf/daemon-direct-lvm.json").rename(tmp_path / "conf/docker-daemon.json")
    assert sorted(f.rule for f in scan(tmp_path).findings if f.rule in ("DKD101", "DKD201")) == ["DKD101", "DKD201"]


def test_no_assumption_when_configured_off(tmp_path):
    write_tree(tmp_path, {"etc/docker/daemon.json": DAEMON_HOSTS, ".dlint.yaml": "assume-packaged-unit: false\n"})
    assert not [f for f in scan(tmp_path).findings if f.rule == "DKD201"]


def test_drop_in_that_resets_execstart_removes_the_conflict(tmp_path):
    write_tree(tmp_path, {
        "img/rootfs/etc/docker/daemon.json": DAEMON_HOSTS,
        "img/rootfs/etc/systemd/system/docker.service.d/override.conf": "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n",
    })
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD201"]
    (host,) = result.hosts
    assert host.name == "img/rootfs/" and len(host.sources) == 2


def test_drop_in_flag_conflict_points_at_both(tmp_path):
    unit = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// \\\n    --debug --containerd=/run/containerd/containerd.sock\n"
    daemon = '{"live-restore": true, "debug": false}'
    write_tree(tmp_path, {"etc/docker/daemon.json": daemon, "etc/systemd/system/docker.service.d/10-debug.conf": unit})
    finding = only(scan(tmp_path), "DKD201")
    assert where(finding) == at(daemon, '"debug"')
    (related,) = finding.related
    assert related.path == "etc/systemd/system/docker.service.d/10-debug.conf"
    assert (related.line, related.column) == at(unit, "--debug")


def test_live_restore_from_docker_opts_and_the_file(tmp_path):
    unit = "[Service]\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n"
    defaults = '# Docker Upstart and SysVinit configuration file\nDOCKER_OPTS="--dns 8.8.8.8 --live-restore"\n'
    daemon = '{\n  "live-restore": true\n}\n'
    write_tree(tmp_path, {"etc/docker/daemon.json": daemon, "lib/systemd/system/docker.service": unit, "etc/default/docker": defaults})
    result = scan(tmp_path)
    finding = only(result, "DKD202")
    assert where(finding) == at(daemon, '"live-restore"')
    (related,) = finding.related
    assert related.path == "etc/default/docker" and (related.line, related.column) == at(defaults, "--live-restore")
    assert "live-restore: (from flag: true, from file: true)" in finding.message
    assert not [f for f in result.findings if f.rule in ("DKD201", "DKD101")]


def test_daemon_json_in_cloud_init_points_into_the_yaml_with_a_trace(tmp_path):
    user_data = (
        "#cloud-config\n"
        "package_update: true\n"
        "write_files:\n"
        "  - path: /etc/docker/daemon.json\n"
        "    content: |\n"
        "      {\n"
        '        "live-restore": true,\n'
        '        "tls-verify": true\n'
        "      }\n"
    )
    write_tree(tmp_path, {"user-data.yaml": user_data})
    finding = only(scan(tmp_path), "DKD002")
    assert finding.location.path == "user-data.yaml"
    assert where(finding) == at(user_data, '"tls-verify"')
    (step,) = finding.location.trace
    assert step.label == "write_files[0].content" and step.line == at(user_data, "|")[0]


def test_three_levels_cloud_init_runcmd_heredoc(tmp_path):
    user_data = (
        "#cloud-config\n"
        "runcmd:\n"
        "  - mkdir -p /etc/docker\n"
        "  - |\n"
        "    cat > /etc/docker/daemon.json <<'EOF'\n"
        '    {"live-restore": true, "log-opts": {"max-file": 3}}\n'
        "    EOF\n"
        "  - docker swarm init --advertise-addr 10.0.0.5\n"
    )
    write_tree(tmp_path, {"user-data": user_data})
    result = scan(tmp_path)
    finding = only(result, "DKD003")
    assert where(finding) == at(user_data, "3}")
    labels = [step.label for step in finding.location.trace]
    assert labels[0] == "runcmd[1]" and "daemon.json" in labels[1] and len(labels) == 2
    (host,) = result.hosts
    assert host.name == "user-data"
    assert [(s.role, s.command) for s in host.of(SwarmMembership)] == [("manager", "init")]


def test_base64_content_points_at_the_holding_value(tmp_path):
    encoded = base64.b64encode(b'{"live-restore": true, "tls-verify": true}').decode()
    user_data = f"#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    encoding: b64\n    content: {encoded}\n"
    write_tree(tmp_path, {"user-data": user_data})
    finding = only(scan(tmp_path), "DKD002")
    assert where(finding) == at(user_data, encoded)
    assert finding.location.exact is False
    assert "base64" in finding.location.trace[0].label or "b64" in finding.location.trace[0].label


def test_script_written_twice_and_flag_and_key(tmp_path):
    script = (
        "#!/bin/bash\n"
        "set -e\n"
        "cat > /etc/docker/daemon.json <<'EOF'\n"
        '{"live-restore": true}\n'
        "EOF\n"
        "echo '{\"log-driver\": \"local\"}' | sudo tee /etc/docker/daemon.json >/dev/null\n"
        "nohup dockerd --live-restore --containerd=/run/containerd/containerd.sock &\n"
    )
    write_tree(tmp_path, {"provision.sh": script})
    result = scan(tmp_path)
    twice = only(result, "DKD203")
    assert twice.location.line == 6 and twice.related[0].line == 4
    # the script starts dockerd itself, with --live-restore: live-restore is on, so no DKD101
    assert not [f for f in result.findings if f.rule == "DKD101"]


def test_live_restore_disabled_is_not_asked_of_a_swarm_node(tmp_path):
    write_tree(tmp_path, {
        "manager.sh": "#!/bin/sh\napt-get install -y docker-ce\ndocker swarm init --advertise-addr 10.0.0.1\n",
        "standalone.sh": "#!/bin/sh\napt-get install -y docker-ce\nsystemctl enable --now docker\n",
    })
    result = scan(tmp_path, select=["DKD101"])
    # the manager is a swarm node; whether standalone.sh's machine joins that swarm is unknown
    assert [f.location.path for f in result.findings] == []
    assert [u.host for u in result.unknowns] == ["standalone.sh"]


def test_host_wide_finding_points_at_the_engine_install_not_a_blanket_upgrade(tmp_path):
    script = "#!/bin/sh\napt-get update\napt-get upgrade -y\napt-get install -y docker-ce=5:27.5.1-1~ubuntu.24.04~noble\n"
    write_tree(tmp_path, {"image.sh": script})
    assert where(only(scan(tmp_path, select=["DKD101"]), "DKD101")) == at(script, "docker-ce=")


def test_a_daemon_json_patched_by_jq_is_not_reported_as_lacking_live_restore(tmp_path):
    script = (
        "#!/bin/bash\napt-get install -y docker-ce\ntmp=$(mktemp)\n"
        "jq '. + {\"live-restore\": true}' /etc/docker/daemon.json > \"$tmp\" && mv \"$tmp\" /etc/docker/daemon.json\n"
    )
    write_tree(tmp_path, {"setup.sh": script})
    result = scan(tmp_path)
    finding = only(result, "DKD902")
    assert where(finding) == at(script, 'mv "$tmp"')
    assert "it is $tmp, put there by `mv`" in finding.message
    assert [f.rule for f in result.findings] == ["DKD902"]  # no DKD101: the content is unknown, not absent


def test_a_copy_of_a_file_the_host_writes_is_that_file(tmp_path):
    # write_files puts the file down, runcmd copies it into place: the copy is known content
    user_data = (
        "#cloud-config\nwrite_files:\n  - path: /root/daemon.json\n    content: |\n      {\"log-driver\": \"local\"}\n"
        "runcmd:\n  - curl -fsSL https://get.docker.com | sh\n  - cp /root/daemon.json /etc/docker\n"
    )
    write_tree(tmp_path, {"user-data.yaml": user_data})
    result = scan(tmp_path)
    assert "DKD902" not in [f.rule for f in result.findings]
    assert where(only(result, "DKD101")) == at(user_data, '{"log-driver"')


def test_templated_heredoc_is_not_reported_as_broken(tmp_path):
    write_tree(tmp_path, {"provision.sh": '#!/bin/sh\ncat > /etc/docker/daemon.json <<EOF\n{"live-restore": $LR, "dns": ["$DNS"]}\nEOF\n'})
    result = scan(tmp_path)
    assert [f.rule for f in result.findings] == ["DKD902"]
    assert result.exit_code == 0


def _hosts_json(root):
    """`dlint hosts --format json`, checked against its published schema."""
    doc = json.loads(cli("hosts", "--format", "json", cwd=root).stdout)
    schema = json.loads((REPO / "linter" / "schemas" / "hosts.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    return doc


def test_hosts_command_text_and_json(tmp_path):
    unit = "[Service]\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS\n"
    defaults = 'DOCKER_OPTS="--log-level=warn"\n'
    daemon = '{"live-restore": true}\n'
    write_tree(tmp_path, {"etc/docker/daemon.json": daemon, "lib/systemd/system/docker.service": unit, "etc/default/docker": defaults})
    text = cli("hosts", cwd=tmp_path)
    assert text.returncode == 0
    assert "etc/default/docker:1:14 (via lib/systemd/system/docker.service:3 › $DOCKER_OPTS) (flag)" in text.stdout
    doc = _hosts_json(tmp_path)
    (host,) = doc["hosts"]
    level = host["config"]["log-level"]
    assert (level["value"], level["via"]) == ("warn", "flag")
    assert (level["from"]["path"], level["from"]["line"], level["from"]["column"]) == ("etc/default/docker", 1, 14)
    assert level["from"]["trace"][0]["label"] == "$DOCKER_OPTS"
    assert host["config"]["live-restore"]["from"] == {"path": "etc/docker/daemon.json", "line": 1, "column": 2}
    assert host["command"]["origin"] == "systemd" and not host["command"]["assumed"]


def test_hosts_says_which_daemon_json_it_could_not_read_and_why(tmp_path):
    script = "#!/bin/sh\napt-get install -y docker-ce\ncurl -fsSL -o /etc/docker/daemon.json https://example.com/d.json\n"
    write_tree(tmp_path, {"setup.sh": script, "web/etc/docker/daemon.json": '{"live-restore": true,}\n'})
    doc = _hosts_json(tmp_path)
    unread = {host["name"]: host.get("unread") for host in doc["hosts"]}
    [(script_unread,)] = [value for name, value in unread.items() if name == "setup.sh"]
    assert script_unread["why"] == "it is downloaded by `curl`"
    assert (script_unread["target"], script_unread["from"]["line"], script_unread["from"]["column"]) == ("/etc/docker/daemon.json", 3, 1)
    [(broken,)] = [value for name, value in unread.items() if name == "web/"]
    assert broken["why"].startswith("invalid character '}'") and broken["from"]["line"] == 1
    text = cli("hosts", cwd=tmp_path).stdout
    assert "  not read: /etc/docker/daemon.json: it is downloaded by `curl`  setup.sh:3:1" in text


def test_corpus_like_repository_runs_without_a_crash(tmp_path):
    write_tree(tmp_path, {
        "a/user-data": "#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: '{\"debug\": true'\n",
        "b/init.sh": "#cloud-config\nruncmd:\n  - [sh, -c, 'echo {} > /etc/docker/daemon.json']\n",
        "c/docker.service": "ExecStart=/usr/bin/dockerd\n",
        "d/etc/sysconfig/docker": "export OPTIONS='--selinux-enabled'\n",
    })
    done = cli("scan", cwd=tmp_path)
    assert done.returncode in (0, 1, 3) and "Traceback" not in done.stderr
    assert cli("hosts", cwd=tmp_path).returncode == 0


def test_context_judges_a_changed_file_with_the_rest_of_its_host(tmp_path):
    write_tree(tmp_path, {
        "etc/docker/daemon.json": DAEMON_HOSTS,
        "etc/systemd/system/docker.service.d/override.conf": "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n",
        "other/daemon.json": '{"tls-verify": true}',
    })
    alone = scan(tmp_path, ["etc/docker/daemon.json"], select=["DKD108", "DKD201"])
    assert sorted(f.rule for f in alone.findings) == ["DKD108", "DKD201"]  # without its drop-in, the packaged unit is assumed
    judged = scan(tmp_path, ["etc/docker/daemon.json"], context=["."], select=["DKD108", "DKD201"])
    assert [f.rule for f in judged.findings] == ["DKD108"]  # the drop-in resets ExecStart; other/daemon.json is not reported


def test_pre_commit_hook_patterns_cover_every_source_kind():
    import re

    from dlint_docker.yamlsafe import load

    hooks, _ = load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "dlint")
    # no name filter: every file reaches dlint, whose own claim decides (tests/test_named_files.py)
    pattern = re.compile(hook.get("files", ""))
    for path in ("etc/docker/daemon.json", "roles/docker/files/daemon-prod.json", "lib/systemd/system/docker.service",
                 "etc/systemd/system/docker.service.d/override.conf", "etc/default/docker", "cloud/user-data",
                 "provision/install.sh", "cloud-init/web.yaml", "terraform/templates/init.tftpl", "bootstrap", "Vagrantfile"):
        assert pattern.search(path), path


def test_templated_values_are_not_judged(tmp_path):
    script = '#!/bin/sh\ncat > /etc/docker/daemon.json <<EOF\n{"live-restore": true, "dns": ["$DNS"], "log-level": "${LOG_LEVEL}", "tls-verify": true}\nEOF\n'
    write_tree(tmp_path, {"provision.sh": script})
    rules = {f.rule for f in scan(tmp_path).findings}
    assert "DKD003" not in rules and "DKD004" not in rules  # $DNS and ${LOG_LEVEL} are unknown, not wrong
    assert "DKD002" in rules  # a typo in a static key is still a typo


def test_a_masked_docker_service_means_no_engine(tmp_path):
    write_tree(tmp_path, {"worker.bu": "variant: fcos\nversion: 1.5.0\nsystemd:\n  units:\n    - name: docker.service\n      mask: true\n"})
    result = scan(tmp_path)
    assert result.findings == [] and result.hosts == []
    assert any("masked" in note for note in result.notes)


def test_a_unit_edited_by_sed_makes_the_command_line_unknown_not_packaged(tmp_path):
    # sed -i on the vendor unit in a form dlint does not apply (a back-reference): it neither assumes the packaged
    # ExecStart (no DKD201 for "hosts" against -H fd://) nor says live-restore is off
    script = (
        "#!/bin/sh\napt-get install -y docker-ce\n"
        "sed -i 's|^ExecStart=\\(.*\\)|ExecStart=\\1 $OPTS|' /lib/systemd/system/docker.service\n"
        "echo '{\"hosts\": [\"unix:///var/run/docker.sock\"]}' > /etc/docker/daemon.json\n"
    )
    write_tree(tmp_path, {"setup.sh": script})
    result = scan(tmp_path)
    assert [f.rule for f in result.findings] == []
    (host,) = result.hosts
    assert host.command.origin == "unknown" and not host.command.assumed
    assert "/lib/systemd/system/docker.service" in host.command.note
    assert (host.command.location.line, host.command.location.column) == at(script, "sed -i")
    out = cli("hosts", str(tmp_path), "--format", "json")
    assert json.loads(out.stdout)["hosts"][0]["command"]["origin"] == "unknown"


def test_a_host_is_judged_for_the_engine_release_its_install_pins(tmp_path):
    # "graph" is refused with another message on 23.0 than later; a pin to 26.1 judges it as 26.1
    script = (
        "#!/bin/sh\napt-get install -y docker-ce=5:26.1.4-1~ubuntu.24.04~noble\napt-mark hold docker-ce\n"
        "echo '{\"live-restore\": true, \"graph\": \"/x\"}' > /etc/docker/daemon.json\n"
    )
    write_tree(tmp_path, {"pinned/setup.sh": script, "unpinned/setup.sh": script.replace("=5:26.1.4-1~ubuntu.24.04~noble", "")})
    result = scan(tmp_path)
    by_host = {f.host: f for f in result.findings if f.rule == "DKD007"}
    assert by_host["pinned/setup.sh"].engine == "26.1" and "dockerd 26.1 refuses it" in by_host["pinned/setup.sh"].message
    assert by_host["unpinned/setup.sh"].engine == result.setup.engine_version
    # a release the user names wins over the pin
    named = scan(tmp_path, engine_version="23.0")
    assert {f.engine for f in named.findings if f.rule == "DKD007"} == {"23.0"}
    doc = json.loads(cli("hosts", str(tmp_path / "pinned"), "--format", "json").stdout)
    engine = doc["hosts"][0]["engine"]
    assert engine["version"] == "26.1" and engine["origin"] == "repository"
    assert (engine["from"]["line"], engine["from"]["column"]) == at(script, "docker-ce=")


def test_a_templated_or_unknown_pin_judges_for_the_default_release():
    from dlint_docker.engine.pinned import release_of

    assert release_of("5:${DOCKER_VERSION}*") is None and release_of("{{ docker_version }}") is None
    # a release dlint has no facts of is judged as the nearest it knows at or before it (an edge
    # release), else the oldest it knows: never as the newest, whose removals it predates
    assert release_of("17.03.2~ce") == "17.06" and release_of("18.03.1~ce-0~ubuntu") == "17.12"
    assert release_of("5:26.*") == "26.1"  # the newest 26.x dlint knows
    assert release_of("20.10.24") == "20.10" and release_of("5:27.5.1-1~debian.12~bookworm") == "27.5"


def test_each_host_dlint_cannot_judge_fully_gets_one_line_in_the_default_output(tmp_path):
    script = (
        "#!/bin/bash\napt-get install -y docker-ce\n"
        "jq '. + {\"live-restore\": true}' /etc/docker/daemon.json > /tmp/d && mv /tmp/d /etc/docker/daemon.json\n"
    )
    write_tree(tmp_path, {"a/setup.sh": script, "b/etc/docker/daemon.json": '{"live-restore": true}\n'})
    result = scan(tmp_path)
    (unknown,) = result.unknowns  # the fully known host b/ says nothing
    assert unknown.host == "a/setup.sh" and "DKD101" in unknown.skipped
    assert (unknown.location.line, unknown.location.column) == at(script, "jq ")  # the write, later moved into place
    done = cli("scan", ".", cwd=tmp_path)
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("unknown on ")]
    assert line.startswith("unknown on a/setup.sh: /etc/docker/daemon.json: it is the output of `jq`, which dlint does not run")
    assert "(a/setup.sh:3:" in line and "checks not judged (DKD101," in line
    report = json.loads(cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [u["host"] for u in report["unknown"]] == ["a/setup.sh"]
    jsonschema.validate(report, json.loads((REPO / "linter/schemas/report.schema.json").read_text()))


def test_a_host_wide_finding_names_its_host_and_is_marked_not_exact(tmp_path):
    daemon = '{\n  "log-driver": "local"\n}\n'
    write_tree(tmp_path, {"fleet/web/etc/docker/daemon.json": daemon})
    report = json.loads(cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    (finding,) = [f for f in report["findings"] if f["rule"] == "DKD101"]
    assert finding["exact"] is False and finding["host"] == "fleet/web/"  # a stand-in: the file that lacks the key
    text = cli("scan", ".", cwd=tmp_path).stdout
    assert "· host fleet/web/ ·" in text.replace("breaks none · host", "· host")
    # a finding at the key itself is exact, and does not repeat the host
    write_tree(tmp_path, {"fleet/web/etc/docker/daemon.json": '{"live-restore": false}\n'})
    report = json.loads(cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [f["exact"] for f in report["findings"] if f["rule"] == "DKD101"] == [True]
    assert " host fleet/web/" not in cli("scan", ".", cwd=tmp_path).stdout


def test_a_machine_without_evidence_of_the_engine_is_not_a_docker_host(tmp_path):
    # a restart "if present" and a blanket upgrade show no Docker engine; an install does
    write_tree(tmp_path, {
        "images/containerd-only.sh": "#!/bin/sh\ndnf update -y\nsystemctl restart docker || true\n",
        "images/docker.sh": "#!/bin/sh\ndnf update -y\ndnf install -y docker-ce\nsystemctl restart docker\n",
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["images/docker.sh"]
    assert any("images/containerd-only.sh: no evidence of the Docker engine" in note for note in result.notes)
    doc = json.loads(cli("hosts", ".", "--format", "json", cwd=tmp_path).stdout)
    (only_host,) = doc["hosts"]
    assert only_host["evidence"]["what"] == "engine install (docker-ce, dnf)" and only_host["evidence"]["from"]["line"] == 3


def test_a_daemon_json_variant_nothing_installs_is_a_candidate_of_its_own(tmp_path):
    write_tree(tmp_path, {
        "docker/daemon_with_registry.json": '{"live-restore": true, "insecure-registries": ["reg:5000"]}\n',
        "node/etc/docker/daemon.json": '{"live-restore": true}\n',
    })
    doc = json.loads(cli("hosts", ".", "--format", "json", cwd=tmp_path).stdout)
    assert {h["name"]: h["candidate"] for h in doc["hosts"]} == {"docker/daemon_with_registry.json": True, "node/": False}
    # the repository installs node/'s daemon.json: the other is a variant of it
    assert "a variant nobody installs (the repository installs node/etc/docker/daemon.json:1:1" in cli("hosts", ".", cwd=tmp_path).stdout


def test_live_restore_is_not_asked_of_a_machine_that_may_join_the_repository_swarm(tmp_path):
    # the manager's script inits the swarm; the worker joins through a script generated at run
    # time: whether the worker is a swarm node is unknown, so DKD101 is not asked of it
    manager = "#!/bin/sh\ncurl -fsSL https://get.docker.com | sh\ndocker swarm init\ndocker swarm join-token worker | grep join > /share/join.sh\n"
    worker = "#!/bin/sh\ncurl -fsSL https://get.docker.com | sh\nsh /share/join.sh\n"
    write_tree(tmp_path, {"setup_manager.sh": manager, "setup_worker.sh": worker})
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    (unknown,) = [u for u in result.unknowns if u.host == "setup_worker.sh"]
    assert "whether it is a swarm node" in unknown.why and "DKD101" in unknown.skipped
    assert (unknown.location.path, unknown.location.line) == ("setup_manager.sh", 3)
    # without any swarm in the repository, the same worker is asked
    write_tree(tmp_path, {"setup_manager.sh": manager.replace("docker swarm init\n", "").replace("docker swarm join-token worker | grep join > /share/join.sh\n", "")})
    assert [f.host for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["setup_manager.sh", "setup_worker.sh"]


def test_a_variant_nobody_installs_beside_the_installed_file_is_listed_not_judged(tmp_path):
    play = "- hosts: docker\n  tasks:\n    - apt: {name: docker-ce}\n    - copy: {src: daemon.json, dest: /etc/docker/daemon.json}\n"
    write_tree(tmp_path, {
        "site.yml": play,
        "files/daemon.json": '{"live-restore": true}\n',
        "files/daemon_with_registry.json": '{"insecure-registries": "reg:5000"}\n',
    })
    result = scan(tmp_path)
    # no machine runs the variant: neither what it says (a string where dockerd wants a list) nor
    # what it lacks is judged, and the default output says so in one line
    assert not [f for f in result.findings if f.location.path == "files/daemon_with_registry.json"]
    assert any("files/daemon_with_registry.json: nothing in the repository installs it" in n for n in result.notes)
    out = cli("scan", ".", cwd=tmp_path).stdout
    assert "not deployed: files/daemon_with_registry.json: nothing in the repository installs it (it installs /etc/docker/daemon.json from files/daemon.json:1); not judged" in out
    # named alone, it is judged
    assert [f.rule for f in scan(tmp_path / "files/daemon_with_registry.json").findings if f.rule == "DKD003"] == ["DKD003"]
    doc = json.loads(cli("hosts", ".", "--format", "json", cwd=tmp_path).stdout)
    (variant,) = [h for h in doc["hosts"] if h["name"] == "files/daemon_with_registry.json"]
    assert variant["candidate"] and variant["variant_of"]["path"] == "files/daemon.json"
    # alone in its repository, the same file is a candidate, judged (its string is a DKD003)
    (tmp_path / "site.yml").unlink()
    (tmp_path / "files/daemon.json").unlink()
    write_tree(tmp_path, {"files/daemon_with_registry.json": '{"insecure-registries": "reg:5000"}\n'})
    assert [f.rule for f in scan(tmp_path).findings if f.rule == "DKD003"] == ["DKD003"]


def test_a_candidate_is_no_variant_when_a_copy_dlint_cannot_resolve_may_install_it(tmp_path):
    play = "- hosts: docker\n  tasks:\n    - apt: {name: docker-ce}\n    - copy: {src: '{{ inventory_dir }}/docker/daemon.json', dest: /etc/docker/daemon.json}\n"
    write_tree(tmp_path, {"site.yml": play, "docker/daemon.json": '{"log-driver": "local"}\n', "other/etc/docker/daemon.json": '{"live-restore": true}\n'})
    result = scan(tmp_path)
    (candidate,) = [h for h in result.hosts if h.name == "docker/daemon.json"]
    assert candidate.candidate and candidate.variant_of is None
    assert [f.host for f in result.findings if f.rule == "DKD101"] == ["docker/daemon.json"]


def test_with_context_the_unknown_lines_are_only_of_the_hosts_of_the_given_files(tmp_path):
    jq = "#!/bin/bash\napt-get install -y docker-ce\njq . /etc/docker/daemon.json > /tmp/d && mv /tmp/d /etc/docker/daemon.json\n"
    write_tree(tmp_path, {"a/setup.sh": jq, "b/setup.sh": jq, "c/etc/docker/daemon.json": '{"live-restore": true}\n'})
    assert sorted(u.host for u in scan(tmp_path).unknowns) == ["a/setup.sh", "b/setup.sh"]
    assert [u.host for u in scan(tmp_path, paths=["a/setup.sh"], context=["."]).unknowns] == ["a/setup.sh"]
    assert scan(tmp_path, paths=["c/etc/docker/daemon.json"], context=["."]).unknowns == []


def test_one_file_installed_on_overlapping_groups_is_one_line_of_the_text_report(tmp_path):
    # two plays install the same daemon.json on overlapping groups: the JSON report keeps one
    # finding per machine; the text report shows the finding once, with both plays
    play = "- hosts: {group}\n  tasks:\n    - apt: {{name: docker-ce}}\n    - copy: {{src: daemon.json, dest: /etc/docker/daemon.json}}\n"
    write_tree(tmp_path, {
        "all.yml": play.format(group="all"),
        "workers.yml": play.format(group="workers"),
        "files/daemon.json": '{"debug": true, "insecure-registries": ["reg:5000"]}\n',
    })
    doc = json.loads(cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert sorted((f["rule"], f["host"]) for f in doc["findings"] if f["rule"] == "DKD406") == [
        ("DKD406", "hosts: all"), ("DKD406", "hosts: workers")]
    out = cli("scan", ".", cwd=tmp_path).stdout
    (line,) = [l for l in out.splitlines() if "DKD406" in l]
    assert line.startswith("  files/daemon.json:1:41: warning DKD406")
    assert "via all.yml:4 › copy daemon.json → /etc/docker/daemon.json · via workers.yml:4 › copy" in out
    assert "1 error" not in out and "0 errors, 2 warnings" in out  # DKD101 and DKD406, each once


def test_a_readme_that_says_to_run_docker_swarm_init_by_hand_makes_swarm_membership_unknown(tmp_path):
    play = "- hosts: all\n  tasks:\n    - apt: {name: docker-ce}\n    - copy: {src: daemon.json, dest: /etc/docker/daemon.json}\n"
    readme = "# Nodes\n\nThen, on the manager:\n\n```\n$ sudo docker swarm init --advertise-addr 10.0.0.1\n```\n"
    write_tree(tmp_path, {"site.yml": play, "files/daemon.json": '{"debug": true}\n', "README.md": readme})
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    (unknown,) = result.unknowns
    assert unknown.why == "whether it is a swarm node (README.md says to run `docker swarm init` by hand)"
    assert (unknown.location.path, unknown.location.line, unknown.location.column) == ("README.md", 6, 8)
    assert [h.name for h in result.hosts] == ["hosts: all"]  # the README is no machine
    # prose or a table that names the command is no command run by hand
    write_tree(tmp_path, {"README.md": "| file | what |\n|---|---|\n| site.yml | `docker swarm init` is not run |\n\nRun docker swarm init yourself.\n"})
    assert [f.rule for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["DKD101"]
    # a README in another folder says nothing of these machines
    write_tree(tmp_path, {"README.md": "x\n", "other/README.md": readme})
    assert [f.rule for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["DKD101"]
    # a plain-text README marks no code blocks: a line that is the command counts (a [vm1]$ prompt too)
    for text in ("on VM1 as manager\n=====\ndocker swarm init --advertise-addr 10.0.0.1\n", "notes\n  [vm1]$ docker swarm init\n"):
        write_tree(tmp_path, {"other/README.md": "x\n", "README.txt": text})
        assert not [f for f in scan(tmp_path).findings if f.rule == "DKD101"], text
    write_tree(tmp_path, {"README.txt": "Run docker swarm init yourself.\n"})
    assert [f.rule for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["DKD101"]


def test_a_byte_identical_copy_of_an_installed_unit_is_not_judged_twice(tmp_path):
    unit = "[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n"
    write_tree(tmp_path, {
        "install.sh": "#!/bin/sh\napt-get install -y docker-ce\ncp \"$(dirname \"$0\")/docker.service\" /lib/systemd/system/docker.service\n",
        "node.sh": "#!/bin/sh\napt-get install -y docker-ce\ncp /srv/checkout/docker.service /lib/systemd/system/docker.service\n",
        "docker.service": unit,
        "spare/docker.service": unit,
    })
    result = scan(tmp_path)
    # node.sh's copy is unresolved, so a differing spare would stay a candidate; this one is the same bytes
    assert [(f.location.path, f.host) for f in result.findings if f.rule == "DKD401"] == [("docker.service", "install.sh")]
    (spare,) = [h for h in result.hosts if h.name == "spare/docker.service"]
    assert spare.variant_of is not None and spare.variant_of.document.path == "docker.service"


def test_a_host_pinned_older_than_dlint_knows_is_not_judged_for_the_newest_release(tmp_path):
    play = "- hosts: ci\n  tasks:\n    - apt: {name: \"docker-ce=17.03.0~ce-0~ubuntu-xenial\"}\n    - copy: {src: daemon.json, dest: /etc/docker/daemon.json}\n"
    write_tree(tmp_path, {"site.yml": play, "files/daemon.json": '{"graph": "/srv/docker", "live-restore": true}\n'})
    result = scan(tmp_path)
    # graph was removed in 23.0: an engine of 2017 accepts it (at most deprecated), no DKD007 error
    assert not [f for f in result.findings if f.rule == "DKD007"]
    assert {f.engine for f in result.findings} <= {"17.06"}


def test_etc_default_docker_on_a_docker_io_machine_makes_the_command_line_unknown(tmp_path):
    play = (
        "- hosts: nodes\n  tasks:\n    - apt: {name: docker.io}\n"
        "    - copy:\n        dest: /etc/default/docker\n        content: \"DOCKER_OPTS=\\\"-H tcp://0.0.0.0:2375 --live-restore\\\"\\n\"\n"
    )
    write_tree(tmp_path, {"site.yml": play})
    result = scan(tmp_path)
    # Debian's docker.io unit passes DOCKER_OPTS to dockerd, Ubuntu's does not: neither a DKD101
    # (live-restore may be on) nor silence, but an unknown line
    assert not [f for f in result.findings if f.rule == "DKD101"]
    (unknown,) = result.unknowns
    assert "Debian's docker.io unit and the upstart and sysvinit jobs of docker-engine pass to dockerd, and Ubuntu's docker.io unit does not" in unknown.why
    # with docker-ce, the packaged unit reads no /etc/default/docker: the usual judgement
    write_tree(tmp_path, {"site.yml": play.replace("docker.io", "docker-ce")})
    assert [f.rule for f in scan(tmp_path).findings] == ["DKD101"]


def test_a_machine_whose_engine_and_daemon_json_come_from_elsewhere_is_not_said_to_lack_a_key(tmp_path):
    """A script that only writes a drop-in and restarts docker configures a machine set up
    elsewhere: what its daemon.json sets is unknown, so "live-restore is not set" is not said (one
    unknown line says why); the flags it writes are still judged. With the engine installed by the
    same script, the daemon.json is known to be absent."""
    script = (
        "#!/bin/sh\n"
        "mkdir -p /etc/systemd/system/docker.service.d\n"
        "cat > /etc/systemd/system/docker.service.d/tcp.conf <<'EOF'\n"
        "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375\nEOF\n"
        "systemctl daemon-reload\nsystemctl restart docker\n"
    )
    write_tree(tmp_path, {"override.sh": script})
    result = scan(tmp_path)
    assert sorted(f.rule for f in result.findings) == ["DKD401"]
    (unknown,) = result.unknowns
    assert "neither installs the engine" in unknown.why and "DKD101" in unknown.skipped
    # a check that passes here is not judged either: the daemon.json dlint does not see may undo it
    # (insecure-registries in it, say); the one that fired on the flags stays judged
    assert "DKD406" in unknown.skipped and "DKD401" not in unknown.skipped
    write_tree(tmp_path, {"override.sh": script.replace("mkdir", "apt-get install -y docker-ce\nmkdir")})
    assert sorted(f.rule for f in scan(tmp_path).findings) == ["DKD101", "DKD401"]


def test_a_check_that_asks_nothing_of_a_swarm_node_is_not_listed_as_not_judged(tmp_path):
    """A swarm manager whose daemon.json is made elsewhere: DKD101 asks nothing of a swarm node,
    so it is not among the checks the unknown line says were not judged; DKD102 (live-restore
    with swarm) is, since the daemon.json dlint does not see may turn live-restore on."""
    write_tree(tmp_path, {"join.sh": "#!/bin/sh\nsystemctl restart docker\ndocker swarm init --advertise-addr 10.0.0.1\n"})
    result = scan(tmp_path)
    assert not result.findings
    (unknown,) = result.unknowns
    assert "neither installs the engine" in unknown.why
    assert "DKD102" in unknown.skipped and "DKD101" not in unknown.skipped
    # no swarm anywhere: DKD102 (live-restore on a swarm node) asks nothing of it, so it is not
    # listed; DKD101 is (the daemon.json dlint does not see may lack live-restore)
    write_tree(tmp_path, {"join.sh": "#!/bin/sh\ncat > /etc/systemd/system/docker.service.d/x.conf <<'EOF'\n[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\nEOF\nsystemctl restart docker\n"})
    (unknown,) = scan(tmp_path).unknowns
    assert "DKD101" in unknown.skipped and "DKD102" not in unknown.skipped and "DKD315" not in unknown.skipped


def test_fedoras_moby_engine_is_not_docker_ces_unit(tmp_path):
    """moby-engine starts dockerd with $OPTIONS from /etc/sysconfig/docker, whose Fedora default
    turns --live-restore on: the command line is unknown (one line says why), never docker-ce's
    packaged unit, so live-restore is not said to be off."""
    write_tree(tmp_path, {"f.sh": "#!/bin/sh\ndnf install -y moby-engine\nsystemctl enable --now docker\n"})
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    (unknown,) = result.unknowns
    assert "moby-engine" in unknown.why
    write_tree(tmp_path, {"f.sh": "#!/bin/sh\ndnf install -y docker-ce\nsystemctl enable --now docker\n"})
    assert [f.rule for f in scan(tmp_path).findings] == ["DKD101"]


@pytest.mark.parametrize("pin, expected", [("17.03.0~ce-0~ubuntu-xenial", []), ("18.06.1~ce~3-0~ubuntu", ["DKD008"])])
def test_a_deprecation_later_than_an_engine_pinned_before_every_known_release_does_not_hold(tmp_path, pin, expected):
    """docker-ce 17.03 is older than every release dlint knows (judged as 17.06): "graph",
    deprecated in 17.05 (its replacement data-root came then), is not deprecated on it."""
    from .helpers import scan, write_tree

    script = f"#!/bin/sh\napt-get install -y docker-ce={pin}\ncat > /etc/docker/daemon.json <<'EOF'\n{{\"graph\": \"/data/docker\", \"live-restore\": true}}\nEOF\n"
    write_tree(tmp_path, {"install.sh": script})
    result = scan(tmp_path)
    assert [f.rule for f in result.findings if f.rule == "DKD008"] == expected


def test_dlint_hosts_never_calls_an_unknown_command_line_the_defaults(tmp_path):
    write_tree(tmp_path, {"i.sh": "#!/bin/sh\napt-get install -y docker-ce\nsed -i -n 'p' /lib/systemd/system/docker.service\n"})
    done = cli("hosts", str(tmp_path))
    assert "effective configuration: unknown (dockerd's command line is unknown" in done.stdout
    assert "dockerd's defaults" not in done.stdout


def test_scripts_of_one_folder_run_by_hand_are_not_each_told_live_restore_is_missing(tmp_path):
    """install.sh installs the engine, daemon.sh writes the daemon.json: nothing runs either, so
    both are run by hand on one machine as far as dlint can tell. live-restore is judged once, where
    the daemon.json is written; the install script's daemon.json is decided there (unknown line)."""
    write_tree(tmp_path, {
        "docker/install.sh": "#!/bin/sh\napt-get install -y docker-ce\n",
        "docker/daemon.sh": "#!/bin/sh\necho '{\"log-driver\": \"json-file\"}' > /etc/docker/daemon.json\nsystemctl restart docker\n",
        "other/install.sh": "#!/bin/sh\napt-get install -y docker-ce\n",
    })
    result = scan(tmp_path)
    assert sorted((f.rule, f.location.path) for f in result.findings if f.rule == "DKD101") == [
        ("DKD101", "docker/daemon.sh"),
        ("DKD101", "other/install.sh"),
    ]
    (unknown,) = [u for u in result.unknowns if u.host == "docker/install.sh"]
    assert "docker/daemon.sh, a script of its folder" in unknown.why and "DKD101" in unknown.skipped


def test_dlint_hosts_lists_an_imported_task_files_package_once(tmp_path):
    write_tree(tmp_path, {
        "roles/docker/tasks/main.yml": "- import_tasks: install.yml\n",
        "roles/docker/tasks/install.yml": "- apt:\n    name: docker-ce\n",
    })
    done = cli("hosts", str(tmp_path))
    assert done.stdout.count("engine package: docker-ce") == 1


def test_a_script_nothing_runs_beside_the_one_terraform_runs_is_not_a_machine(tmp_path):
    """scripts/provision.sh is the VM's user data (Terraform reads it); scripts/provision_old.sh, a
    copy beside it that nothing runs, is no machine: said in dlint hosts, not judged."""
    script = "#!/bin/sh\napt-get install -y docker-ce\n"
    write_tree(tmp_path, {
        "vm.tf": 'resource "aws_instance" "vm" {\n  user_data = file("${path.module}/scripts/provision.sh")\n}\n',
        "scripts/provision.sh": script,
        "scripts/provision_old.sh": script,
    })
    result = scan(tmp_path)
    assert [(f.rule, f.host) for f in result.findings] == [("DKD101", "vm.tf › aws_instance.vm")]
    (old,) = [h for h in result.hosts if h.name == "scripts/provision_old.sh"]
    assert old.undeployed.startswith("a script nothing runs, beside scripts/provision.sh, which vm.tf › aws_instance.vm runs")


def test_a_daemon_json_that_is_a_byte_for_byte_copy_is_judged_once(tmp_path):
    text = '{"insecure-registries": ["registry.local:5000"]}\n'
    write_tree(tmp_path, {"a-setup/daemon.json": text, "b-registry/daemon.json": text, "c/daemon.json": text.replace("5000", "5001")})
    result = scan(tmp_path)
    assert sorted({f.location.path for f in result.findings}) == ["a-setup/daemon.json", "c/daemon.json"]
    (copy,) = [h for h in result.hosts if h.name == "b-registry/daemon.json"]
    assert copy.undeployed == "a copy of a-setup/daemon.json, byte for byte: judged there"


def test_a_daemon_json_nothing_installs_in_a_repository_with_swarm_nodes_may_be_a_swarm_nodes(tmp_path):
    write_tree(tmp_path, {
        "config/daemon.json": '{"log-driver": "json-file"}\n',
        "swarm/init.sh": "#!/bin/sh\napt-get install -y docker-ce\ndocker swarm init\n",
    })
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    (unknown,) = [u for u in result.unknowns if u.host == "config/daemon.json"]
    assert "whether it is a swarm node" in unknown.why and "DKD101" in unknown.skipped


def test_a_hand_run_script_of_another_purpose_beside_the_deployed_one_is_still_judged(tmp_path):
    write_tree(tmp_path, {
        "vm.tf": 'resource "aws_instance" "vm" {\n  user_data = file("${path.module}/scripts/dev.sh")\n}\n',
        "scripts/dev.sh": "#!/bin/sh\napt-get install -y docker-ce\n",
        "scripts/prod-install.sh": "#!/bin/sh\napt-get install -y docker-ce\necho '{\"log-level\": \"verbose\"}' > /etc/docker/daemon.json\n",
    })
    result = scan(tmp_path)
    assert "DKD004" in {f.rule for f in result.findings}


def test_a_changed_daemon_json_is_judged_at_itself_not_at_its_copy_outside_the_reported_paths(tmp_path):
    text = '{"log-level": "verbose"}\n'
    write_tree(tmp_path, {"a/daemon.json": text, "b/daemon.json": text})
    result = scan(tmp_path, ["b/daemon.json"], context=["."])
    assert [(f.rule, f.location.path) for f in result.active if f.rule == "DKD004"] == [("DKD004", "b/daemon.json")]


def test_upstart_s_docker_job_starts_dockerd_with_docker_opts(tmp_path):
    """docker-engine on a machine the script drives with upstart (``start docker``): its job
    passes DOCKER_OPTS of /etc/default/docker to dockerd, so those flags are judged, each at its
    word in the file (``$DOCKER_OPTS`` first is the empty value it had)."""
    script = (
        "#!/bin/bash\napt-get install -y docker-engine=1.12.6-0~ubuntu-trusty\n"
        "echo 'DOCKER_OPTS=\"$DOCKER_OPTS -H tcp://0.0.0.0:2375 -H unix:///var/run/docker.sock\"' >> /etc/default/docker\n"
        "stop docker || true\nstart docker\n"
    )
    write_tree(tmp_path, {"install.sh": script})
    result = scan(tmp_path)
    assert not result.unknowns
    (tcp,) = [f for f in result.findings if f.rule == "DKD401"]
    assert (tcp.location.line, tcp.location.column) == (3, script.splitlines()[2].index("-H tcp") + 1)
    assert "DKD101" in [f.rule for f in result.findings]
    # with systemctl instead, which unit runs is unknown (Debian's reads DOCKER_OPTS, Ubuntu's not)
    write_tree(tmp_path, {"install.sh": script.replace("stop docker || true\nstart docker\n", "systemctl restart docker\n")})
    result = scan(tmp_path)
    assert "DKD401" not in [f.rule for f in result.findings] and result.unknowns


def test_a_command_line_dlint_cannot_read_whole_leaves_live_restore_not_judged(tmp_path):
    """A machine set up elsewhere (no engine install, no daemon.json here) whose drop-in's
    ExecStart holds a value the script computes: the command line may hold --live-restore, so
    DKD101 is listed as not judged (not dropped as if it did not apply); on a swarm node it is not
    listed (it asks nothing there)."""
    script = (
        "#!/bin/sh\nOPTS=$(cat /etc/extra-opts)\n"
        "cat > /etc/systemd/system/docker.service.d/x.conf <<EOF\n[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// $OPTS\nEOF\n"
    )
    write_tree(tmp_path, {"a.sh": script})
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    (unknown,) = result.unknowns
    assert "DKD101" in unknown.skipped
    write_tree(tmp_path, {"a.sh": script + "docker swarm init\n"})
    (unknown,) = scan(tmp_path).unknowns
    assert "DKD101" not in unknown.skipped


_OMIT_ROLE = {
    "site.yml": "- hosts: localhost\n  roles:\n    - docker\n",
    "roles/docker/defaults/main.yml": "docker_dns: []\n",
    "roles/docker/tasks/main.yml": (
        "- apt:\n    name: docker-ce\n"
        "- set_fact:\n    docker_config:\n"
        '      dns: "{{ docker_dns if docker_dns | length > 0 else omit }}"\n'
        '      bip: "{{ [\'10.1.0.1/24\'] | first if true else omit }}"\n'
        '      ipv6: "{{ true if docker_ipv6 else false }}"\n'
        "- copy:\n    content: \"{{ docker_config | to_nice_json }}\"\n    dest: /etc/docker/daemon.json\n"
    ),
}


def test_a_set_fact_member_set_to_omit_is_left_out(tmp_path):
    """Ansible removes omit from a task's arguments however deep (remove_omit): ``dns`` whose
    condition is false on the role's defaults is no key of the daemon.json, not an unknown one."""
    from .helpers import scan

    write_tree(tmp_path, _OMIT_ROLE)
    result = scan(tmp_path)
    (host,) = result.hosts
    (config,) = host.daemon_configs
    assert [m.key for m in config.root.value] == ["bip", "ipv6"]
    (unknown,) = [u for u in result.unknowns if "template decides" in u.why]
    assert "ipv6" in unknown.why and "dns" not in unknown.why


def test_dlint_hosts_shows_a_known_value_as_read_and_an_unknown_one_as_its_expression(tmp_path):
    """bip is known though a template gives it: shown as read; ipv6 as its expression, not the
    mask and not the YAML that follows it."""
    write_tree(tmp_path, _OMIT_ROLE)
    out = cli("hosts", str(tmp_path)).stdout
    (bip,) = [line for line in out.splitlines() if line.strip().startswith("bip ")]
    assert '"10.1.0.1/24"' in bip and "{{" not in bip
    (ipv6,) = [line for line in out.splitlines() if line.strip().startswith("ipv6 ")]
    assert '"{{ true if docker_ipv6 else false }}"' in ipv6 and "xxx" not in ipv6
