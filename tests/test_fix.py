"""dlint fix: exact edits in place (also inside embedded documents), --diff, safety of writes,
convergence, and dockerd's own verdict on the fixed files."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from dlint_docker.fix import apply_fixes, preview
from dlint_docker.scan import Options, prepare

from .helpers import cli, scan, write_tree


def _fix(root: Path, paths=(), **options):
    opts = Options(paths=list(paths), cwd=root, **options)
    return apply_fixes(opts, prepare(opts))


def _rules(root: Path, **options):
    return sorted(f.rule for f in scan(root, **options).active)


PLAIN = """{
  "log-level": "debug",
  "max-concurrent-downloads": "3",
  "live-restore": "true",
  "log-opts": {"max-file": 3},
  // where images live
  "graph": "/data",
  "log-level": "info",
  "registry-mirror": "https://m.local",
}
"""

PLAIN_FIXED = """{
  "max-concurrent-downloads": 3,
  "live-restore": true,
  "log-opts": {"max-file": "3"},
  "data-root": "/data",
  "log-level": "info",
  "registry-mirrors": ["https://m.local"]
}
"""


def test_plain_daemon_json_is_fixed_exactly_and_a_second_run_changes_nothing(tmp_path):
    write_tree(tmp_path, {"daemon.json": PLAIN})
    outcome = _fix(tmp_path)
    assert (tmp_path / "daemon.json").read_text() == PLAIN_FIXED
    assert outcome.count == 7 and not outcome.not_written and not outcome.offers
    assert not {"DKD001", "DKD003", "DKD005", "DKD006", "DKD007"} & set(_rules(tmp_path))
    again = _fix(tmp_path)
    assert again.count == 0 and (tmp_path / "daemon.json").read_text() == PLAIN_FIXED


def test_merges_a_singular_flag_name_into_the_existing_key(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{\n  "labels": ["a=1"],\n  "label": "b=2",\n  "log-opts": {"max-size": "10m"},\n  "log-opt": "max-file=3"\n}\n'})
    _fix(tmp_path)
    assert (tmp_path / "daemon.json").read_text() == '{\n  "labels": ["a=1", "b=2"],\n  "log-opts": {"max-size": "10m", "max-file": "3"}\n}\n'


def test_a_singular_name_that_disagrees_with_the_plural_is_left_alone(tmp_path):
    text = '{"log-opts": {"max-size": "10m"}, "log-opt": "max-size=20m"}\n'
    write_tree(tmp_path, {"daemon.json": text})
    _fix(tmp_path)
    assert (tmp_path / "daemon.json").read_text() == text


def test_bom_crlf_and_utf16_are_kept(tmp_path):
    crlf = '{\r\n  "graph": "/d",\r\n  "debug": "true",\r\n}\r\n'
    write_tree(tmp_path, {"a/daemon.json": codecs.BOM_UTF8 + crlf.encode(), "b/daemon.json": codecs.BOM_UTF16_LE + crlf.encode("utf-16-le")})
    _fix(tmp_path)
    fixed = '{\r\n  "data-root": "/d",\r\n  "debug": true\r\n}\r\n'
    assert (tmp_path / "a/daemon.json").read_bytes() == codecs.BOM_UTF8 + fixed.encode()
    assert (tmp_path / "b/daemon.json").read_bytes() == codecs.BOM_UTF16_LE + fixed.encode("utf-16-le")


CLOUD = """#cloud-config
write_files:
  - path: /etc/docker/daemon.json
    content: |
      {
        "log-opt": "max-size=10m",
        "live-restore": "true",
      }
runcmd:
  - systemctl restart docker
"""

CLOUD_FIXED = """#cloud-config
write_files:
  - path: /etc/docker/daemon.json
    content: |
      {
        "log-opts": {"max-size": "10m"},
        "live-restore": true
      }
runcmd:
  - systemctl restart docker
"""

SHELL = """#!/bin/bash
cat > /etc/docker/daemon.json <<'EOF'
{
  "graph": "/data",
  "max-concurrent-uploads": "2"
}
EOF
systemctl restart docker
"""

SHELL_FIXED = SHELL.replace('"graph"', '"data-root"').replace('"2"', "2")

TERRAFORM = """resource "aws_instance" "a" {
  user_data = <<-EOT
    #cloud-config
    write_files:
      - path: /etc/docker/daemon.json
        content: |
          {
            "log-level": "debug",
            "log-level": "info",
            "labels": ["a=1"],
            "label": "b=c"
          }
  EOT
}
"""

TERRAFORM_FIXED = """resource "aws_instance" "a" {
  user_data = <<-EOT
    #cloud-config
    write_files:
      - path: /etc/docker/daemon.json
        content: |
          {
            "log-level": "info",
            "labels": ["a=1", "b=c"]
          }
  EOT
}
"""


@pytest.mark.parametrize(
    "name,before,after",
    [("user-data", CLOUD, CLOUD_FIXED), ("setup.sh", SHELL, SHELL_FIXED), ("main.tf", TERRAFORM, TERRAFORM_FIXED)],
)
def test_fixes_inside_embedded_documents_are_made_in_the_outer_file(tmp_path, name, before, after):
    write_tree(tmp_path, {name: before})
    outcome = _fix(tmp_path)
    assert (tmp_path / name).read_text() == after
    assert outcome.count and not outcome.offers
    assert not {"DKD001", "DKD003", "DKD005", "DKD006", "DKD007"} & set(_rules(tmp_path))
    assert _fix(tmp_path).count == 0


B64 = """#cloud-config
write_files:
  - path: /etc/docker/daemon.json
    encoding: b64
    content: eyJncmFwaCI6ICIvZCJ9Cg==
"""


def test_an_encoded_document_gets_a_diff_only(tmp_path):
    write_tree(tmp_path, {"user-data": B64})
    outcome = _fix(tmp_path)
    assert (tmp_path / "user-data").read_text() == B64
    assert outcome.count == 0 and len(outcome.offers) == 1
    assert "not written literally" in outcome.offers[0].reason
    opts = Options(cwd=tmp_path)
    diff = preview(opts, prepare(opts)).diff
    assert diff == (
        "# not applied: write_files[0].content (b64) is not written literally in its container (it is encoded, escaped or rendered)\n"
        "--- a/user-data › write_files[0].content (b64)\n+++ b/user-data › write_files[0].content (b64)\n"
        '@@ -1 +1 @@\n-{"graph": "/d"}\n+{"data-root": "/d"}\n'
    )


def test_diff_prints_and_writes_nothing(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"graph": "/d"}\n'})
    done = cli("fix", "--diff", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout == '--- a/daemon.json\n+++ b/daemon.json\n@@ -1 +1 @@\n-{"graph": "/d"}\n+{"data-root": "/d"}\n'
    assert (tmp_path / "daemon.json").read_text() == '{"graph": "/d"}\n'


def test_scan_fix_reports_what_remains(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"graph": "/d", "bogus-key": 1}\n'})
    done = cli("scan", "--fix", ".", cwd=tmp_path)
    assert (tmp_path / "daemon.json").read_text() == '{"data-root": "/d", "bogus-key": 1}\n'
    assert "DKD002" in done.stdout and "DKD007" not in done.stdout
    assert "fixed 1 in daemon.json" in done.stderr and done.returncode == 1


def test_only_reported_findings_are_fixed(tmp_path):
    text = '{"log-level": "debug", "log-level": "info", "graph": "/d"}\n'
    write_tree(tmp_path, {"daemon.json": text})
    _fix(tmp_path, ignore=["duplicate-key"])
    assert (tmp_path / "daemon.json").read_text() == '{"log-level": "debug", "log-level": "info", "data-root": "/d"}\n'


def test_nothing_outside_the_paths_given_nor_through_a_link(tmp_path):
    bad = '{"graph": "/d"}\n'
    write_tree(tmp_path, {"daemon.json": bad, "sub/daemon.json": bad, "elsewhere/real.json": bad})
    os.symlink(tmp_path / "elsewhere/real.json", tmp_path / "sub/etc-docker-daemon.json")
    _fix(tmp_path, paths=["sub"])
    assert (tmp_path / "daemon.json").read_text() == bad
    assert (tmp_path / "sub/daemon.json").read_text() == '{"data-root": "/d"}\n'
    assert (tmp_path / "elsewhere/real.json").read_text() == bad


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path, monkeypatch):
    from dlint_docker.fix import files

    write_tree(tmp_path, {"daemon.json": '{"graph": "/d"}\n'})
    real = files.refusal

    def meddle(path, original, given, new=False):
        path.write_text('{"graph": "/elsewhere"}\n')
        return real(path, original, given, new)

    monkeypatch.setattr(files, "refusal", meddle)
    outcome = _fix(tmp_path)
    assert (tmp_path / "daemon.json").read_text() == '{"graph": "/elsewhere"}\n'
    assert outcome.not_written == ["daemon.json: not written: it changed since dlint read it"]


def test_mode_is_kept(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"graph": "/d"}\n'})
    os.chmod(tmp_path / "daemon.json", 0o640)
    _fix(tmp_path)
    assert (tmp_path / "daemon.json").stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["daemon.json"]  # no temporary file left


def test_fixable_policies_say_so_in_rules_explain_and_sarif(tmp_path):
    import json

    rules = {r["id"]: r["fix"] for r in json.loads(cli("rules", "--format", "json").stdout)}
    assert {rule for rule, fix in rules.items() if fix and fix["safety"] == "safe"} == {"DKD001", "DKD003", "DKD005", "DKD006", "DKD007", "DKD201", "DKD202"}
    assert {rule for rule, fix in rules.items() if fix and fix["safety"] == "unsafe"} == {"DKD002", "DKD101", "DKD102", "DKD104", "DKD107"}
    assert "Automatic fix (safe; dlint fix)" in cli("explain", "DKD007").stdout
    assert "**Automatic fix** (safe, `dlint fix`)" in (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text()
    write_tree(tmp_path, {"daemon.json": '{\n  "graph": "/d"\n}\n'})
    sarif = json.loads(cli("scan", "-f", "sarif", ".", cwd=tmp_path).stdout)["runs"][0]
    (result,) = [r for r in sarif["results"] if r["ruleId"] == "DKD007"]
    assert result["fixes"] == [
        {
            "description": {"text": 'rename "graph" to "data-root"'},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "daemon.json", "uriBaseId": "%SRCROOT%"},
                    "replacements": [{"deletedRegion": {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 10}, "insertedContent": {"text": '"data-root"'}}],
                }
            ],
        }
    ]
    assert (tmp_path / "daemon.json").read_text() == '{\n  "graph": "/d"\n}\n'


# what dlint fix makes of each policy example it changes, byte for byte
EXAMPLES_FIXED = {
    ("DKD001", 0): {"daemon.json": '{\n  "live-restore": true\n}\n'},
    ("DKD001", 1): {"daemon.json": '{"live-restore": true}\n'},
    ("DKD003", 0): {"daemon.json": '{"log-opts": {"max-size": "10m", "max-file": "3"}}\n'},
    ("DKD005", 0): {"daemon.json": '{"live-restore": true, "log-level": "info"}\n'},
    ("DKD006", 0): {"daemon.json": '{"registry-mirrors": ["https://mirror.local"]}\n'},
    ("DKD006", 2): {"daemon.json": '{"log-opts": {"max-size": "10m"}}\n'},
    ("DKD007", 0): {"daemon.json": '{"data-root": "/data/docker"}\n'},
    ("DKD201", 1): {"etc/docker/daemon.json": '{"live-restore": true}\n'},
    ("DKD202", 0): {"etc/sysconfig/docker": 'OPTIONS="--selinux-enabled"\n'},  # the flag goes, the key stays (its pass example)
    # the policy's own pass example: the drop-in that resets the packaged ExecStart
    ("DKD201", 0): {"etc/systemd/system/docker.service.d/override.conf": "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n"},
}


def _examples():
    from dlint_docker.scan import Options as _Options

    for policy in prepare(_Options()).all_policies:
        for index, example in enumerate(policy.meta.examples.get("fail", [])):
            yield pytest.param(policy.meta.id, index, example, id=f"{policy.meta.id}-{index}")


@pytest.mark.parametrize("rule,index,example", list(_examples()))
def test_every_policy_example_converges(tmp_path, rule, index, example):
    write_tree(tmp_path, example["files"])
    options = Options(cwd=tmp_path, profile="all", engine_version=example.get("engine-version"), platform=example.get("platform"))
    before = {f.fingerprint for f in scan(tmp_path, profile="all", engine_version=example.get("engine-version"), platform=example.get("platform")).active}
    outcome = apply_fixes(options, prepare(options))
    expected = EXAMPLES_FIXED.get((rule, index))
    names = {*example["files"], *(expected or {})}
    after = {name: (tmp_path / name).read_text() for name in names if (tmp_path / name).exists()}
    if expected is None:
        assert after == example["files"] and outcome.count == 0
        return
    assert after == {**example["files"], **expected}
    again = apply_fixes(options, prepare(options))
    assert again.count == 0 and {name: (tmp_path / name).read_text() for name in names} == after
    remaining = scan(tmp_path, profile="all", engine_version=example.get("engine-version"), platform=example.get("platform")).active
    assert not [f for f in remaining if f.rule == rule]
    assert {f.fingerprint for f in remaining if f.breaks == "config-load"} <= before


UNIT = "etc/systemd/system/docker.service.d/10.conf"
DROP_IN = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -D --live-restore --containerd=/run/containerd/containerd.sock\n"


def test_a_key_the_command_line_sets_to_the_same_value_leaves_daemon_json(tmp_path):
    text = '{\n  "debug": true,\n  "live-restore": true,\n  "log-level": "warn",\n  "hosts": ["fd://", "unix:///run/x.sock"]\n}\n'
    write_tree(tmp_path, {"etc/docker/daemon.json": text, UNIT: DROP_IN})
    _fix(tmp_path)
    # hosts differ from -H fd:// (the file adds a socket): which one is meant is not obvious;
    # live-restore stays in daemon.json (a reload can change it there) and leaves the command line
    assert (tmp_path / "etc/docker/daemon.json").read_text() == '{\n  "live-restore": true,\n  "log-level": "warn",\n  "hosts": ["fd://", "unix:///run/x.sock"]\n}\n'
    assert (tmp_path / UNIT).read_text() == DROP_IN.replace(" --live-restore", "")
    assert [f.rule for f in scan(tmp_path).active if f.rule.startswith("DKD20")] == ["DKD201"]


def test_a_daemon_json_shared_with_a_host_without_the_flag_keeps_the_key(tmp_path):
    shared = '{"debug": true}\n'
    write_tree(
        tmp_path,
        {
            "files/daemon.json": shared,
            "a.sh": "#!/bin/sh\ncp files/daemon.json /etc/docker/daemon.json\ndockerd -D &\n",
            "b.sh": "#!/bin/sh\ncp files/daemon.json /etc/docker/daemon.json\ndockerd &\n",
        },
    )
    assert {f.host for f in scan(tmp_path).active if f.rule == "DKD201"} == {"a.sh"}
    _fix(tmp_path)
    assert (tmp_path / "files/daemon.json").read_text() == shared
    # the flag is the one to edit: a.sh's own command line, which no other host runs
    assert (tmp_path / "a.sh").read_text() == "#!/bin/sh\ncp files/daemon.json /etc/docker/daemon.json\ndockerd &\n"
    assert (tmp_path / "b.sh").read_text() == "#!/bin/sh\ncp files/daemon.json /etc/docker/daemon.json\ndockerd &\n"
    assert not [f for f in scan(tmp_path).active if f.rule == "DKD201"]


def test_unsafe_fixes_only_when_asked(tmp_path):
    write_tree(tmp_path, {"a/daemon.json": '{\n  "log-driver": "local"\n}\n', "b/daemon.json": '{"tls-verify": true, "live-restore": false}\n'})
    outcome = _fix(tmp_path)
    assert outcome.count == 0 and outcome.unsafe_skipped == 3
    options = Options(cwd=tmp_path)
    outcome = apply_fixes(options, prepare(options), unsafe=True)
    assert (tmp_path / "a/daemon.json").read_text() == '{\n  "log-driver": "local",\n  "live-restore": true\n}\n'
    assert (tmp_path / "b/daemon.json").read_text() == '{"tlsverify": true, "live-restore": true}\n'
    assert not {"DKD002", "DKD101"} & set(_rules(tmp_path))


def test_live_restore_leaves_a_swarm_node_with_unsafe_fixes(tmp_path):
    write_tree(tmp_path, {"setup.sh": "#!/bin/sh\ncat > /etc/docker/daemon.json <<'EOF'\n{\n  \"live-restore\": true,\n  \"debug\": false\n}\nEOF\ndocker swarm init\n"})
    options = Options(cwd=tmp_path)
    apply_fixes(options, prepare(options), unsafe=True)
    assert (tmp_path / "setup.sh").read_text() == "#!/bin/sh\ncat > /etc/docker/daemon.json <<'EOF'\n{\n  \"debug\": false\n}\nEOF\ndocker swarm init\n"


def test_a_fix_that_does_not_remove_its_finding_is_undone(tmp_path, monkeypatch):
    from dlint_docker.fix import daemon
    from dlint_docker.fix.edits import Edit

    def useless(root, engine):
        for member in root.value:
            if member.key == "graph":
                yield daemon.Fix("DKD007", (member.key_start, member.key_end), (Edit(member.value.start, member.value.end, '"/elsewhere"'),), "move it")

    monkeypatch.setattr(daemon, "_removed", useless)
    write_tree(tmp_path, {"daemon.json": '{"graph": "/d"}\n'})
    outcome = _fix(tmp_path)
    assert (tmp_path / "daemon.json").read_text() == '{"graph": "/d"}\n'
    assert outcome.not_written == ["daemon.json: DKD007 is still reported after the fix; left as it was"]


def test_a_restart_that_enables_live_restore_becomes_a_reload_with_unsafe_fixes(tmp_path):
    head = "#!/bin/sh\ncat > /etc/docker/daemon.json <<EOF\n{\"live-restore\": true}\nEOF\n"
    write_tree(tmp_path, {"a/setup.sh": head + "sudo systemctl restart docker\n", "b/setup.sh": head + "service docker restart\n"})
    assert _fix(tmp_path).count == 0
    options = Options(cwd=tmp_path)
    apply_fixes(options, prepare(options), unsafe=True)
    assert (tmp_path / "a/setup.sh").read_text() == head + "sudo systemctl reload docker\n"
    assert (tmp_path / "b/setup.sh").read_text() == head + "service docker reload\n"
    assert "DKD107" not in _rules(tmp_path)


def test_hosts_against_the_packaged_unit_gets_the_drop_in_that_resets_exec_start(tmp_path):
    daemon = '{\n  "hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]\n}\n'
    write_tree(tmp_path, {"rootfs/etc/docker/daemon.json": daemon})
    outcome = _fix(tmp_path)
    drop_in = tmp_path / "rootfs/etc/systemd/system/docker.service.d/override.conf"
    assert drop_in.read_text() == "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n"
    assert (tmp_path / "rootfs/etc/docker/daemon.json").read_text() == daemon
    assert outcome.count == 1 and "DKD201" not in _rules(tmp_path)
    assert _fix(tmp_path).count == 0


def test_no_drop_in_where_a_file_is_or_outside_a_rootfs_tree(tmp_path):
    daemon = '{"hosts": ["tcp://127.0.0.1:2375"]}\n'
    write_tree(tmp_path, {"daemon.json": daemon, "r/etc/docker/daemon.json": daemon})
    (tmp_path / "r/etc/systemd").mkdir(parents=True)
    os.symlink(tmp_path, tmp_path / "r/etc/systemd/system")
    outcome = _fix(tmp_path)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.conf")) == []
    assert outcome.not_written == ["r/etc/systemd/system/docker.service.d/override.conf: not written: " + str(tmp_path / "r/etc/systemd/system") + " is a symbolic link"]


def test_examples_readme_shows_what_dlint_fix_diff_prints():
    root = Path(__file__).resolve().parent.parent / "examples"
    done = cli("fix", "--diff", ".", cwd=root)
    readme = (root / "README.md").read_text()
    shown = readme.split("```diff\n", 1)[1].split("```", 1)[0]
    assert shown in done.stdout


def test_a_file_dlint_cannot_write_is_said_not_a_crash(tmp_path, monkeypatch):
    from dlint_docker.fix import files

    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "replace", refuse)
    write_tree(tmp_path, {"ro/daemon.json": '{"graph": "/d"}\n'})
    outcome = _fix(tmp_path)
    assert outcome.not_written == ["ro/daemon.json: not written: Permission denied"]
    assert (tmp_path / "ro/daemon.json").read_text() == '{"graph": "/d"}\n'


def test_standard_input_is_not_fixed(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"graph": "/d"}\n'})
    done = subprocess_run_stdin(tmp_path, '{"graph": "/d"}\n', "fix", "-", "--stdin-filename", "daemon.json")
    assert done.returncode == 2 and "does not read standard input" in done.stderr
    assert (tmp_path / "daemon.json").read_text() == '{"graph": "/d"}\n'


def subprocess_run_stdin(cwd, text, *args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "dlint_docker", *args], cwd=cwd, input=text, capture_output=True, text=True, timeout=120)


def test_a_daemon_json_an_ansible_role_copies_is_fixed_in_its_own_file(tmp_path):
    task = "- name: daemon.json\n  copy:\n    src: daemon.json\n    dest: /etc/docker/daemon.json\n"
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": task, "roles/docker/files/daemon.json": '{\n  "graph": "/d",\n  "debug": "true"\n}\n'})
    outcome = _fix(tmp_path)
    assert (tmp_path / "roles/docker/files/daemon.json").read_text() == '{\n  "data-root": "/d",\n  "debug": true\n}\n'
    assert (tmp_path / "roles/docker/tasks/main.yml").read_text() == task
    assert outcome.count == 2 and _fix(tmp_path).count == 0


def test_live_restore_is_added_with_the_separator_the_members_have(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"max-concurrent-uploads": 3,\n "debug": false\n }\n'})
    options = Options(cwd=tmp_path)
    apply_fixes(options, prepare(options), unsafe=True)
    assert (tmp_path / "daemon.json").read_text() == '{"max-concurrent-uploads": 3,\n "debug": false,\n "live-restore": true\n }\n'


ANSIBLE_TASK = """- name: daemon.json
  copy:
    dest: /etc/docker/daemon.json
    content: |
      {
        "graph": "/d",
        "log-opt": "max-size=10m"
      }
"""


def test_an_ansible_copy_content_block_is_fixed_in_the_task_file(tmp_path):
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": ANSIBLE_TASK})
    _fix(tmp_path)
    fixed = ANSIBLE_TASK.replace('"graph"', '"data-root"').replace('"log-opt": "max-size=10m"', '"log-opts": {"max-size": "10m"}')
    assert (tmp_path / "roles/docker/tasks/main.yml").read_text() == fixed


def test_a_quoted_yaml_scalar_gets_a_diff_only(tmp_path):
    task = '- name: daemon.json\n  copy:\n    dest: /etc/docker/daemon.json\n    content: "{\\"graph\\": \\"/d\\"}"\n'
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": task})
    outcome = _fix(tmp_path)
    assert (tmp_path / "roles/docker/tasks/main.yml").read_text() == task
    assert [o.reason for o in outcome.offers] == ["copy content → /etc/docker/daemon.json is not written literally in its container (it is encoded, escaped or rendered)"]


def test_dlint_fix_takes_every_option_of_dlint_scan():
    from dlint_docker.cli import _parser

    commands = next(a for a in _parser()._actions if a.dest == "command").choices
    scan_options = {o for a in commands["scan"]._actions for o in a.option_strings} - {"--fix"}
    fix_options = {o for a in commands["fix"]._actions for o in a.option_strings}
    assert scan_options <= fix_options, "add scan options before fix_cli.add_command in linter/cli.py"


def test_diff_shows_every_round_as_dlint_fix_would_write_it(tmp_path):
    # the comment keeps the file from parsing: "graph" is fixable only once it is gone (round 2)
    text = '{\n  // where images live\n  "graph": "/d",\n  "max-concurrent-uploads": "2",\n}\n'
    fixed = '{\n  "data-root": "/d",\n  "max-concurrent-uploads": 2\n}\n'
    write_tree(tmp_path, {"etc/docker/daemon.json": text})
    done = cli("fix", "--diff", ".", cwd=tmp_path)
    assert (tmp_path / "etc/docker/daemon.json").read_text() == text  # nothing written
    assert done.returncode == 1, done.stderr
    assert done.stdout == (
        "--- a/etc/docker/daemon.json\n+++ b/etc/docker/daemon.json\n@@ -1,5 +1,4 @@\n {\n"
        '-  // where images live\n-  "graph": "/d",\n-  "max-concurrent-uploads": "2",\n'
        '+  "data-root": "/d",\n+  "max-concurrent-uploads": 2\n }\n'
    )
    assert "would fix" in done.stderr and "fix(es) applied" not in done.stderr
    outcome = _fix(tmp_path)
    assert (tmp_path / "etc/docker/daemon.json").read_text() == fixed and len(outcome.fixed["etc/docker/daemon.json"]) == 3
    assert cli("fix", "--diff", ".", cwd=tmp_path).stdout == ""  # nothing left to fix


def test_diff_shows_a_drop_in_the_fixes_would_add_and_reads_it_in_the_next_round(tmp_path):
    write_tree(tmp_path, {"etc/docker/daemon.json": '{"hosts": ["unix:///var/run/docker.sock"], "graph": "/d",}\n'})
    opts = Options(cwd=tmp_path)
    diff = preview(opts, prepare(opts)).diff
    assert "+++ b/etc/docker/daemon.json" in diff and '"data-root": "/d"' in diff
    assert "--- /dev/null\n+++ b/etc/systemd/system/docker.service.d/override.conf\n" in diff
    assert not (tmp_path / "etc/systemd").exists()
    _fix(tmp_path)
    assert (tmp_path / "etc/systemd/system/docker.service.d/override.conf").is_file()
    assert preview(opts, prepare(opts)).diff == ""


CLOUD_FLAG = """#cloud-config
write_files:
  - path: /etc/systemd/system/docker.service.d/override.conf
    content: |
      [Service]
      ExecStart=
      ExecStart=/usr/bin/dockerd -H fd:// --live-restore --containerd=/run/containerd/containerd.sock
  - path: /etc/docker/daemon.json
    content: |
      {"live-restore": true, "debug": true}
"""

CONTINUED = """[Service]
ExecStart=
ExecStart=/usr/bin/dockerd -H fd:// \\
  --live-restore \\
  --containerd=/run/containerd/containerd.sock
"""

CONTINUED_LAST = """[Service]
ExecStart=
ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock \\
    --live-restore
"""


@pytest.mark.parametrize(
    "files,name,after",
    [
        # a drop-in written by cloud-init write_files: the word goes from the user-data, in place
        ({"user-data": CLOUD_FLAG}, "user-data", CLOUD_FLAG.replace(" --live-restore", "")),
        # a flag alone on a continued line takes its line; the last one takes the continuation before it
        ({"etc/docker/daemon.json": '{"live-restore": true}\n', UNIT: CONTINUED}, UNIT, CONTINUED.replace("  --live-restore \\\n", "")),
        ({"etc/docker/daemon.json": '{"live-restore": true}\n', UNIT: CONTINUED_LAST}, UNIT, CONTINUED_LAST.replace(" \\\n    --live-restore", "")),
    ],
)
def test_live_restore_leaves_the_command_line_the_repository_writes(tmp_path, files, name, after):
    write_tree(tmp_path, files)
    assert "DKD202" in _rules(tmp_path)
    outcome = _fix(tmp_path)
    assert (tmp_path / name).read_text() == after and outcome.count >= 1
    assert "DKD202" not in _rules(tmp_path) and "DKD001" not in _rules(tmp_path)
    assert _fix(tmp_path).count == 0


CLOUD_HOSTS = """#cloud-config
packages: [docker-ce]
write_files:
  - path: /etc/docker/daemon.json
    content: |
      {"hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]}
    permissions: '0644'
  - path: /etc/motd
    content: hello
"""

CLOUD_HOSTS_FIXED = CLOUD_HOSTS.replace("    permissions: '0644'\n", """    permissions: '0644'
  - path: /etc/systemd/system/docker.service.d/override.conf
    content: |
      [Service]
      ExecStart=
      ExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock
""")


def _terraform(cloud: str) -> str:
    body = "".join("    " + line if line.strip() else line for line in cloud.splitlines(keepends=True))
    return 'resource "aws_instance" "a" {\n  user_data = <<-EOT\n' + body + "  EOT\n}\n"


@pytest.mark.parametrize(
    "name,before,after",
    [("user-data", CLOUD_HOSTS, CLOUD_HOSTS_FIXED), ("main.tf", _terraform(CLOUD_HOSTS), _terraform(CLOUD_HOSTS_FIXED))],
)
def test_hosts_in_a_write_files_daemon_json_gets_the_reset_drop_in_as_a_write_files_entry(tmp_path, name, before, after):
    write_tree(tmp_path, {name: before})
    assert "DKD201" in _rules(tmp_path)
    outcome = _fix(tmp_path)
    assert (tmp_path / name).read_text() == after and outcome.count == 1 and not outcome.not_written
    assert "DKD201" not in _rules(tmp_path)
    assert _fix(tmp_path).count == 0


def test_no_second_write_files_drop_in_where_an_entry_writes_it(tmp_path):
    cloud = CLOUD_HOSTS + "  - path: /etc/systemd/system/docker.service.d/override.conf\n    content: |\n      [Service]\n      LimitNOFILE=1048576\n"
    write_tree(tmp_path, {"user-data": cloud})
    assert "DKD201" in _rules(tmp_path)
    _fix(tmp_path)
    assert (tmp_path / "user-data").read_text() == cloud


def test_the_engine_is_pinned_to_the_series_said_only_with_unsafe_fixes(tmp_path):
    script = "#!/bin/sh\napt-get install -y docker-ce docker-ce-cli\ndnf install -y docker-ce\necho '{\"live-restore\": true}' > /etc/docker/daemon.json\n"
    write_tree(tmp_path, {"provision.sh": script})
    assert _fix(tmp_path, engine_version="27.5").count == 0  # unsafe: not without --unsafe-fixes
    options = Options(cwd=tmp_path)
    assert apply_fixes(options, prepare(options), unsafe=True).count == 0  # no series said: dlint's default is no host's
    options = Options(cwd=tmp_path, engine_version="27.5")
    outcome = apply_fixes(options, prepare(options), unsafe=True)
    assert (tmp_path / "provision.sh").read_text() == script.replace("-y docker-ce docker", "-y 'docker-ce=5:27.5.*' docker").replace("dnf install -y docker-ce", "dnf install -y 'docker-ce-27.5.*'")
    assert outcome.count == 2 and "DKD104" not in _rules(tmp_path, engine_version="27.5")
    assert apply_fixes(options, prepare(options), unsafe=True).count == 0


@pytest.mark.parametrize("rule,index,example", list(_examples()))
def test_every_policy_example_converges_with_unsafe_fixes_too(tmp_path, rule, index, example):
    """Unsafe fixes too yield a configuration dlint accepts: no fix is undone (the finding it was
    applied for is gone, nothing breaks dockerd that did not), no config-load finding is new, and a
    second run changes nothing."""
    write_tree(tmp_path, example["files"])
    said = {"profile": "all", "engine_version": example.get("engine-version"), "platform": example.get("platform")}
    before = {f.fingerprint for f in scan(tmp_path, **said).active if f.breaks == "config-load"}
    options = Options(cwd=tmp_path, **said)
    outcome = apply_fixes(options, prepare(options), unsafe=True)
    remaining = scan(tmp_path, **said).active
    assert not outcome.not_written, outcome.not_written
    assert {f.fingerprint for f in remaining if f.breaks == "config-load"} <= before
    assert apply_fixes(options, prepare(options), unsafe=True).count == 0
    for name, text in UNSAFE_FIXED.get((rule, index), {}).items():
        assert (tmp_path / name).read_text() == text


# what dlint fix --unsafe-fixes makes of a policy example, byte for byte, where it is the point
UNSAFE_FIXED = {
    ("DKD104", 1): {"provision.sh": "#!/bin/sh\ndnf install -y 'docker-ce-27.5.*'\necho '{\"live-restore\": true}' > /etc/docker/daemon.json\n"},
    ("DKD101", 1): {"daemon.json": '{"live-restore": true}\n'},
}


def test_a_fix_that_would_bring_a_new_warning_writes_nothing_in_that_file_and_says_why(tmp_path):
    """insecure-registry is ignored (DKD006); its fix would make dockerd use the insecure
    registry (DKD406, a warning the file did not have): nothing is written for the file, and the
    reason names the new finding. The other file is fixed."""
    write_tree(tmp_path, {
        "a/daemon.json": '{"insecure-registry": ["r.local:5000"], "graph": "/d"}\n',
        "b/daemon.json": '{"graph": "/d"}\n',
    })
    outcome = _fix(tmp_path)
    assert (tmp_path / "a/daemon.json").read_text() == '{"insecure-registry": ["r.local:5000"], "graph": "/d"}\n'
    assert (tmp_path / "b/daemon.json").read_text() == '{"data-root": "/d"}\n'
    (why,) = outcome.not_written
    assert why.startswith("a/daemon.json: the fix would bring a new finding (DKD406")
