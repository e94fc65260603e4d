#!/usr/bin/env python3
"""Generate an application monorepo for the scaling benchmark: many services, few Docker files.

    python bench/monorepo.py DEST [--scale N] [--seed N]

Scale 1 is 1,250 files (125 services of ten files: source, tests, Dockerfile, Kubernetes manifests,
package.json, Makefile, README); scale 16 is 20,000. About one file in sixty is Docker-relevant, of
every kind dlint reads: standalone daemon.json, cloud-init write_files, Ansible tasks and variables,
systemd drop-ins with dockerd flags, shell heredocs, Terraform user_data, Packer provisioners.
Deterministic for a seed and scale; standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Dict

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import FLAVOURS, daemon_config, dump, indent_block, paragraph, sentence, shell_script, words, yaml_task  # noqa: E402

SERVICES_PER_SCALE = 125
DOCKER_EVERY = 6  # one service in six carries a Docker host configuration (two files)


def _service(rng: random.Random, name: str) -> Dict[str, str]:
    files = {
        "README.md": f"# {name}\n\n{paragraph(rng)}\n\n## Running\n\n    make run\n\n{paragraph(rng)}\n",
        "src/main.py": "".join(f"def {w}_{i}(value):\n    \"\"\"{sentence(rng)}\"\"\"\n    return value * {i}\n\n\n" for i, w in enumerate(words(rng, 8).split())),
        "src/handler.go": "package main\n\n" + "".join(f"// {sentence(rng)}\nfunc Handle{i}(x int) int {{ return x + {i} }}\n\n" for i in range(rng.randint(5, 20))),
        "tests/test_main.py": "".join(f"def test_{w}_{i}():\n    assert {i} == {i}\n\n\n" for i, w in enumerate(words(rng, 6).split())),
        "Dockerfile": f"FROM python:3.12-slim\nWORKDIR /app\nCOPY src/ ./src/\nRUN pip install --no-cache-dir {words(rng, 3)}\nCMD [\"python\", \"-m\", \"src.main\"]\n",
        "k8s/deployment.yaml": (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\nspec:\n  replicas: {rng.randint(1, 5)}\n"
            f"  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n"
            f"      containers:\n        - name: {name}\n          image: registry.example.com/{name}:{rng.randint(1, 99)}\n"
            f"          ports:\n            - containerPort: {rng.randint(3000, 9000)}\n"
        ),
        "k8s/service.yaml": f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {name}\n  ports:\n    - port: 80\n",
        "package.json": json.dumps({"name": name, "version": f"1.{rng.randint(0, 9)}.0", "scripts": {"test": "jest"}, "dependencies": {w: "^1.0.0" for w in words(rng, 4).split()}}, indent=2) + "\n",
        "Makefile": f"run:\n\tpython -m src.main\n\ntest:\n\tpytest tests\n",
        "config/app.yaml": "".join(f"{w}_{i}: {rng.choice(['true', '1', 'x', words(rng, 2)])}\n" for i, w in enumerate(words(rng, 12).split())),
    }
    return files


def _docker_files(rng: random.Random, name: str, kind: int) -> Dict[str, str]:
    """Two files of one Docker-relevant kind, replacing two of the service's."""
    cfg, _ = daemon_config(rng, FLAVOURS[rng.randrange(len(FLAVOURS))])
    text = dump(cfg, rng, 2)
    if kind == 0:
        return {"deploy/daemon.json": text + "\n", "deploy/docker.service.d/override.conf": "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --log-level warn\n"}
    if kind == 1:
        return {"deploy/user-data.yaml": f"#cloud-config\npackages: [docker.io]\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: |\n{indent_block(text, '      ')}\nruncmd:\n  - systemctl restart docker\n",
                "deploy/meta-data": f"instance-id: {name}\n"}
    if kind == 2:
        tasks = "---\n" + "".join(yaml_task(rng, "docker") for _ in range(3))
        tasks += f"- name: daemon.json\n  ansible.builtin.copy:\n    content: \"{{{{ docker_daemon | to_nice_json }}}}\"\n    dest: /etc/docker/daemon.json\n"
        defaults = "---\ndocker_daemon:\n" + indent_block(json.dumps(cfg, indent=2)[1:-1].replace('",', '"').replace("\n  ", "\n"), "  ") + "\n"
        return {"ansible/roles/docker/tasks/main.yml": tasks, "ansible/roles/docker/defaults/main.yml": defaults if cfg else "---\ndocker_daemon: {}\n"}
    if kind == 3:
        heredoc = f"mkdir -p /etc/docker\ncat > /etc/docker/daemon.json <<'EOF'\n{text}\nEOF\nsystemctl restart docker\n"
        return {"scripts/bootstrap.sh": shell_script(rng, 1500, heredoc), "scripts/README.md": f"{sentence(rng)}\n"}
    user_data = f"#!/bin/bash\nmkdir -p /etc/docker\ncat > /etc/docker/daemon.json <<'JSON'\n{text}\nJSON\n"
    return {
        "infra/main.tf": f"resource \"aws_instance\" \"{name.replace('-', '_')}\" {{\n  ami           = \"ami-123456\"\n  instance_type = \"t3.small\"\n  user_data     = <<-EOT\n{indent_block(user_data, '    ')}\n  EOT\n}}\n",
        "infra/variables.tf": f"variable \"region\" {{\n  default = \"eu-west-1\"\n}}\n",
    }


def generate(dest: Path, scale: int = 1, seed: int = 1) -> Dict[str, int]:
    """Write the tree; returns counts (files, bytes, docker_files)."""
    files = 0
    size = 0
    docker = 0
    for index in range(SERVICES_PER_SCALE * scale):
        rng = random.Random(f"{seed}:{index}")
        name = f"svc-{index:05d}-{words(rng, 1)}"
        service = _service(rng, name)
        if index % DOCKER_EVERY == 0:
            extra = _docker_files(rng, name, (index // DOCKER_EVERY) % 5)
            for victim in ("Makefile", "tests/test_main.py")[: len(extra)]:
                del service[victim]
            service.update(extra)
            docker += len(extra)
        for rel, text in service.items():
            path = dest / "services" / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            path.write_bytes(data)
            files += 1
            size += len(data)
    return {"files": files, "bytes": size, "docker_files": docker}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    counts = generate(Path(args.dest), args.scale, args.seed)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
