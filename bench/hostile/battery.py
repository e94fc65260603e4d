"""A hostile battery: one crafted repository per class of issue 9 (parser time and memory bounds,
findings caps, exclude globs), each scanned in a subprocess under address-space and CPU limits.

    python bench/hostile/battery.py [CLASS...]     # prints class, exit code, CPU s, max RSS MB, findings

Inputs are generated here (nothing is copied from real repositories)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEMORY = 3 << 30
CPU = 120
INSTALL = "apt-get install -y docker-ce\n"


def _hcl_spaces():
    return {"main.tf": 'resource "aws_instance" "a" {\n  user_data = "${' + " " * 500_000 + "${" * 20_000 + '\n}\n'}


def _hcl_deep():
    return {"main.tf": 'locals {\n  x = ' + "[" * 50_000 + "]" * 50_000 + "\n}\n"}


def _hcl_heredocs():
    doc = "".join(f'  u{i} = <<EOT\n' + "${x}\n" * 20 + "EOT\n" for i in range(20_000))
    return {"main.tf": 'resource "aws_instance" "a" {\n' + doc + "}\n"}


def _hcl_line():
    return {"main.tf": 'resource "aws_instance" "a" {\n  user_data = "' + "a" * 3_000_000 + '"\n}\n'}


def _unit_continuations():
    return {"docker.service": "[Service]\nExecStart=/usr/bin/dockerd \\\n" + " \\\n" * 1_000_000 + " --debug\n"}


def _yaml_comments():
    return {"site.yml": "- hosts: all\n  tasks:\n" + "#" + "c" * 2_000_000 + "\n" + "    # x\n" * 200_000 + "    - apt: {name: docker-ce}\n"}


def _yaml_comments_tab():
    # a tab (or a syntax error) sends the text to ruamel.yaml's pure composer
    return {"site.yml": "- hosts: all\n  tasks:\n" + "#\t" + "c" * 2_000_000 + "\n" + "    # x\n" * 200_000 + "    - apt: {name: docker-ce}\n"}


def _shell_nesting():
    depth = 50_000
    return {"s.sh": "#!/bin/sh\n" + INSTALL + "X=" + "$(" * depth + "echo" + ")" * depth + "\n"
                    + "Y=" + "`echo " * 2000 + "\n"}


def _shell_doubling():
    lines = ["V0=abcdefgh"] + [f'V{i}="$V{i - 1}$V{i - 1}"' for i in range(1, 64)]
    return {"s.sh": "#!/bin/sh\n" + INSTALL + "\n".join(lines) + "\ndockerd --label $V63\n"}


def _tf_doubling():
    locals_ = ["  l0 = \"abcdefgh\""] + [f'  l{i} = "${{local.l{i - 1}}}${{local.l{i - 1}}}"' for i in range(1, 64)]
    return {"main.tf": "locals {\n" + "\n".join(locals_) + '\n}\nresource "aws_instance" "a" {\n  user_data = <<EOF\n#!/bin/sh\n'
                       + INSTALL + "dockerd --label ${local.l63}\nEOF\n}\n"}


def _jinja_doubling():
    sets = ["{% set v0 = 'abcdefgh' %}"] + [f"{{% set v{i} = v{i - 1} ~ v{i - 1} %}}" for i in range(1, 64)]
    return {"roles/d/tasks/main.yml": "- apt: {name: docker-ce}\n- template: {src: daemon.json.j2, dest: /etc/docker/daemon.json}\n",
            "roles/d/templates/daemon.json.j2": "\n".join(sets) + '\n{"data-root": "{{ v63 }}"}\n'}


def _shell_line():
    return {"s.sh": "#!/bin/sh\n" + INSTALL + "echo " + "a" * 3_000_000 + "\n"}


def _findings_flood():
    return {"s.sh": "#!/bin/sh\n" + INSTALL + "dockerd" + " --engine-label x" * 20_000 + "\n"}


def _dupkeys_flood():
    return {"daemon.json": "{" + ", ".join('"debug": true' for _ in range(100_000)) + "}"}


def _exclude_globs():
    return {".dlint.yaml": "exclude: ['" + "**/" * 40 + "x']\nexceptions:\n  - {rule: DKD404, path: '" + "*" * 60 + "b', reason: a deliberate choice}\n",
            **{f"d{i}/" + "/".join("a" * 30 for _ in range(8)) + "/daemon.json": '{"debug": true}' for i in range(30)}}


def _unparsable():
    return {"main.tf": 'resource "aws_instance" "a" {\n  user_data = <<EOF\n#!/bin/sh\n' + INSTALL + "EOF\n  x = {{{\n",
            "s.sh": "#!/bin/sh\n" + INSTALL + "if then fi ((( \n",
            "site.yml": "- hosts: all\n  tasks:\n    - apt: {name: docker-ce\n   bad: [\n"}


CLASSES = {name[1:]: fn for name, fn in globals().items() if name.startswith("_") and callable(fn) and fn.__module__ == __name__ and name not in ("_run",)}


def _run(root: Path) -> dict:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU, CPU))

    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(root)], capture_output=True, text=True, preexec_fn=limit, cwd=root)
    wall = time.monotonic() - start
    try:
        data = json.loads(done.stdout.splitlines()[-1])
    except (ValueError, IndexError):
        data = {"code": done.returncode, "rss": 0, "cpu": 0, "findings": None, "rules": {}, "err": done.stderr.strip().splitlines()[-1:] }
    data["wall"] = round(wall, 1)
    return data


_DRIVER = r'''
import json, os, resource, sys, tempfile
from dlint_docker.cli import main
report = tempfile.TemporaryFile("w+")
saved = os.dup(1)
os.dup2(report.fileno(), 1)
try:
    code = main(["scan", "--format", "json", sys.argv[1]])
except SystemExit as e:
    code = e.code
sys.stdout.flush()
os.dup2(saved, 1)
r = resource.getrusage(resource.RUSAGE_SELF)
report.seek(0)
text = report.read()
try:
    findings = json.loads(text)["findings"]
except ValueError:
    findings = []
rules = {}
for f in findings:
    rules[f["rule"]] = rules.get(f["rule"], 0) + 1
print(json.dumps({"code": code, "rss": r.ru_maxrss // 1024, "cpu": round(r.ru_utime + r.ru_stime, 1),
                  "findings": len(findings), "report": len(text), "rules": rules}))
'''


def main(argv):
    chosen = argv or list(CLASSES)
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            root = Path(tmp) / name
            for rel, content in CLASSES[name]().items():
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content)
            result = _run(root)
            print(f"{name:22} exit {result['code']!s:>3}  cpu {result['cpu']:>6}s  wall {result['wall']:>6}s  rss {result['rss']:>5} MB  "
                  f"findings {result['findings']}  {json.dumps(result.get('rules'))[:150]} {result.get('err', '')}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
