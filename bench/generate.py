#!/usr/bin/env python3
"""Generate a kubespray-sized infra repository for benchmarking dlint.

    python bench/generate.py DEST [--seed N] [--force] [--quiet]

The tree is deterministic for a given seed (same paths, same bytes): about 1,200 files and 12 MB,
mostly Ansible YAML (roles, inventories, group_vars, Jinja templates), plus shell scripts,
Terraform, Packer, cloud-init, systemd units, Butane/Ignition, Markdown and a few large vendored
files. A few dozen Docker daemon configurations are spread among them, in every form infra
repositories use (standalone daemon.json files, cloud-init write_files, shell and Terraform
heredocs, Ansible copy: content:, Ansible variables, Jinja templates, Packer provisioners, Butane,
Ignition data URLs, dockerd flags in systemd units) together with decoys (a PM2 process file named
daemon.json, a package.json, a Docker client config.json, a key.json under etc/docker/, a Kubernetes
DaemonSet list named *daemonset*.json).

What was planted is written to DEST/.dlint-bench.json (the manifest): every daemon configuration
with its path, embedding and the mistakes it carries, every decoy, and the counts dlint's summary
should report today (standalone daemon.json files claimed and confirmed). bench/run.py reads it.

Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import sys
import urllib.parse
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

MANIFEST = ".dlint-bench.json"
GENERATOR_VERSION = 1

# --------------------------------------------------------------------------------------------
# word pools


WORDS = (
    "cluster node control plane worker etcd kubelet proxy network calico cilium flannel dns "
    "coredns nodelocaldns certificate token bootstrap upgrade drain cordon uncordon registry mirror "
    "image download checksum binary archive package repository kernel module sysctl swap firewall "
    "iptables nftables ipvs conntrack containerd runtime socket service unit timer journal log "
    "rotation audit policy admission webhook secret encryption provider cloud load balancer ingress "
    "storage volume csi snapshot backup restore quorum member leader health probe readiness "
    "liveness metrics prometheus alert endpoint address subnet cidr pod service gateway route mtu "
    "vxlan bgp peer mesh overlay underlay inventory host group variable default override fact "
    "handler template role playbook task tag delegate retries delay timeout validation preflight"
).split()

VERBS = (
    "Ensure Create Configure Install Remove Check Wait for Render Copy Download Extract Enable "
    "Restart Reload Start Stop Set Gather Validate Verify Update Upgrade Register Generate Write "
    "Read Fetch Slurp Apply Patch Label Annotate Cordon Drain Join Init Backup Restore Clean up"
).split()

PACKAGES = (
    "curl rsync socat conntrack ipset ipvsadm ebtables e2fsprogs xfsprogs nss openssl unzip tar "
    "gnupg ca-certificates apt-transport-https software-properties-common python3-apt bash-completion "
    "libseccomp2 device-mapper-persistent-data lvm2 audit nfs-common iproute2 jq"
).split()

COMPONENTS = (
    "kubelet kube-proxy kube-apiserver kube-controller-manager kube-scheduler etcd coredns "
    "nodelocaldns calico-node calico-kube-controllers cilium-agent cilium-operator flannel "
    "metrics-server ingress-nginx cert-manager local-path-provisioner dashboard registry "
    "cluster-autoscaler node-feature-discovery helm krew argocd"
).split()

ROLES = [
    "adduser", "bastion-ssh-config", "bootstrap-os", "container-engine/containerd",
    "container-engine/containerd-common", "container-engine/cri-dockerd", "container-engine/cri-o",
    "container-engine/crictl", "container-engine/crun", "container-engine/docker",
    "container-engine/docker-storage", "container-engine/gvisor", "container-engine/kata-containers",
    "container-engine/nerdctl", "container-engine/runc", "container-engine/skopeo",
    "container-engine/validate-container-engine", "container-engine/youki", "download",
    "dynamic_groups", "etcd", "etcd_defaults", "etcdctl_etcdutl", "helm-apps",
    "kubernetes-apps/ansible", "kubernetes-apps/argocd", "kubernetes-apps/cluster_roles",
    "kubernetes-apps/common_crds", "kubernetes-apps/container_engine_accelerator",
    "kubernetes-apps/csi_driver/aws_ebs", "kubernetes-apps/csi_driver/azuredisk",
    "kubernetes-apps/csi_driver/cinder", "kubernetes-apps/csi_driver/gcp_pd",
    "kubernetes-apps/external_cloud_controller/openstack", "kubernetes-apps/helm",
    "kubernetes-apps/ingress_controller/cert_manager", "kubernetes-apps/ingress_controller/ingress_nginx",
    "kubernetes-apps/krew", "kubernetes-apps/kubelet-csr-approver", "kubernetes-apps/metallb",
    "kubernetes-apps/metrics_server", "kubernetes-apps/network_plugin/multus",
    "kubernetes-apps/node_feature_discovery", "kubernetes-apps/persistent_volumes",
    "kubernetes-apps/policy_controller/calico", "kubernetes-apps/registry", "kubernetes-apps/scheduler_plugins",
    "kubernetes-apps/snapshots", "kubernetes/client", "kubernetes/control-plane", "kubernetes/kubeadm",
    "kubernetes/kubeadm_common", "kubernetes/node", "kubernetes/node-label", "kubernetes/node-taint",
    "kubernetes/preinstall", "kubernetes/tokens", "kubespray-defaults", "network_facts",
    "network_plugin/calico", "network_plugin/calico_defaults", "network_plugin/cilium",
    "network_plugin/cni", "network_plugin/custom_cni", "network_plugin/flannel",
    "network_plugin/kube-ovn", "network_plugin/kube-router", "network_plugin/macvlan",
    "network_plugin/multus", "recover_control_plane/etcd", "remove-node/post-remove",
    "remove-node/pre-remove", "reset", "system_packages", "upgrade/post-upgrade",
    "upgrade/pre-upgrade", "validate_inventory", "win_nodes/kubernetes_patch",
]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def ident(rng: random.Random, parts: int = 3) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(parts))


def idents(rng: random.Random, n: int, parts: int = 2) -> List[str]:
    """n different identifiers (YAML keys, HCL names and attributes must not repeat)."""
    out: List[str] = []
    while len(out) < n:
        name = ident(rng, parts)
        if name not in out:
            out.append(name)
    return out


def sentence(rng: random.Random) -> str:
    text = words(rng, rng.randint(7, 19))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def wrap(text: str, width: int = 96, indent: str = "") -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(indent + line)
    return "\n".join(lines)


def role_short(role: str) -> str:
    return role.rsplit("/", 1)[-1].replace("-", "_")


# --------------------------------------------------------------------------------------------
# Docker daemon configurations


TYPO_KEYS = [
    ("live_restore", True), ("log-opt", {"max-size": "50m"}), ("registry-mirror", ["https://mirror.gcr.io"]),
    ("storage-drivers", "overlay2"), ("exec-opt", ["native.cgroupdriver=systemd"]),
    ("insecure-registry", ["registry.local:5000"]), ("max-concurent-downloads", 6),
    ("liverestore", True), ("log_driver", "json-file"), ("data_root", "/var/lib/docker"),
]
WRONG_TYPES = [
    ("live-restore", "true"), ("mtu", "1450"), ("debug", "false"), ("max-concurrent-downloads", "10"),
    ("dns", "8.8.8.8"), ("insecure-registries", "registry.local:5000"), ("icc", "false"),
    ("log-opts", {"max-size": "100m", "max-file": 3}),
]
REMOVED = [("graph", "/var/lib/docker"), ("cluster-store", "consul://10.0.0.5:8500"),
           ("disable-legacy-registry", True), ("api-cors-header", "*")]


def daemon_config(rng: random.Random, flavour: str) -> Tuple["OrderedDict[str, object]", Dict[str, object]]:
    """A daemon.json object and what it carries (for the manifest).

    flavour: good | no-live-restore | live-restore-off | typo | wrong-type | tcp | removed | minimal
    """
    cfg: "OrderedDict[str, object]" = OrderedDict()
    info: Dict[str, object] = {"flavour": flavour}
    if flavour == "minimal":
        cfg["live-restore"] = rng.choice([True, False])
        info["live_restore"] = cfg["live-restore"]
        return cfg, info
    if rng.random() < 0.8:
        cfg["exec-opts"] = ["native.cgroupdriver=systemd"]
    cfg["log-driver"] = rng.choice(["json-file", "json-file", "local", "journald"])
    if cfg["log-driver"] != "journald":
        cfg["log-opts"] = OrderedDict([("max-size", rng.choice(["10m", "50m", "100m"])), ("max-file", rng.choice(["3", "5", "10"]))])
    if rng.random() < 0.7:
        cfg["storage-driver"] = "overlay2"
    if rng.random() < 0.3:
        cfg["data-root"] = rng.choice(["/var/lib/docker", "/data/docker", "/mnt/docker"])
    if rng.random() < 0.4:
        cfg["registry-mirrors"] = rng.sample(["https://mirror.gcr.io", "https://registry.example.internal", "https://dockerhub.mirror.corp:5000"], rng.randint(1, 2))
    if rng.random() < 0.25:
        cfg["insecure-registries"] = ["registry.local:5000", "10.0.0.0/8"][: rng.randint(1, 2)]
    if rng.random() < 0.3:
        cfg["default-address-pools"] = [OrderedDict([("base", "10.200.0.0/16"), ("size", 24)])]
    if rng.random() < 0.25:
        cfg["bip"] = rng.choice(["172.26.0.1/16", "192.168.200.1/24"])
    if rng.random() < 0.3:
        cfg["max-concurrent-downloads"] = rng.choice([3, 6, 10])
    if rng.random() < 0.2:
        cfg["default-ulimits"] = OrderedDict([("nofile", OrderedDict([("Name", "nofile"), ("Hard", 65536), ("Soft", 65536)]))])
    if rng.random() < 0.2:
        cfg["userland-proxy"] = False
    if rng.random() < 0.2:
        cfg["no-new-privileges"] = True
    if rng.random() < 0.15:
        cfg["icc"] = False
    if rng.random() < 0.15:
        cfg["metrics-addr"] = "127.0.0.1:9323"
    if rng.random() < 0.15:
        cfg["features"] = OrderedDict([("buildkit", True)])
    if rng.random() < 0.15:
        cfg["dns"] = ["10.0.0.2", "1.1.1.1"]
    if rng.random() < 0.1:
        cfg["mtu"] = 1450
    if rng.random() < 0.1:
        cfg["iptables"] = True

    live: object = True
    if flavour == "no-live-restore":
        live = None
    elif flavour == "live-restore-off":
        live = False
    if live is not None:
        items = list(cfg.items())
        items.insert(rng.randint(0, len(items)), ("live-restore", live))
        cfg = OrderedDict(items)
    info["live_restore"] = live

    if flavour == "typo":
        key, value = rng.choice(TYPO_KEYS)
        cfg[key] = value
        info["typo_key"] = key
    elif flavour == "wrong-type":
        key, value = rng.choice(WRONG_TYPES)
        cfg[key] = value
        info["wrong_type_key"] = key
        if key == "live-restore":
            info["live_restore"] = "wrong-type"
    elif flavour == "tcp":
        cfg["hosts"] = ["unix:///var/run/docker.sock", rng.choice(["tcp://0.0.0.0:2375", "tcp://0.0.0.0:2376"])]
        info["tcp_without_tls"] = True
        if rng.random() < 0.3:
            cfg["tls"] = True
            cfg["tlscert"] = "/etc/docker/certs/server.pem"
            cfg["tlskey"] = "/etc/docker/certs/server-key.pem"
            info["tcp_without_tls"] = False
    elif flavour == "removed":
        key, value = rng.choice(REMOVED)
        cfg[key] = value
        info["removed_key"] = key
    return cfg, info


FLAVOURS = ["good", "good", "good", "no-live-restore", "live-restore-off", "typo", "wrong-type", "tcp", "removed", "good"]


def dump(cfg, rng: random.Random, indent: Optional[int] = None) -> str:
    if indent is None:
        indent = rng.choice([2, 2, 2, 4, 4, "\t"])
    return json.dumps(cfg, indent=indent)


def indent_block(text: str, prefix: str) -> str:
    return "\n".join((prefix + line) if line else line for line in text.splitlines())


# --------------------------------------------------------------------------------------------
# the tree


class Tree:
    def __init__(self, dest: Path, seed: int):
        self.dest = dest
        self.seed = seed
        self.files: "OrderedDict[str, bytes]" = OrderedDict()
        self.configs: List[Dict[str, object]] = []
        self.decoys: List[Dict[str, object]] = []
        self._flavour_i = 0

    def add(self, rel: str, text) -> str:
        if rel in self.files:
            raise ValueError(f"generated twice: {rel}")
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        self.files[rel] = data
        return rel

    def next_flavour(self, rng: random.Random) -> str:
        flavour = FLAVOURS[self._flavour_i % len(FLAVOURS)]
        self._flavour_i += 1
        return flavour

    def config(self, rng: random.Random, rel: str, embedding: str, flavour: Optional[str] = None, **extra):
        """A daemon configuration to plant: returns (object, manifest entry)."""
        flavour = flavour or self.next_flavour(rng)
        cfg, info = daemon_config(rng, flavour)
        entry: Dict[str, object] = {"path": rel, "embedding": embedding}
        entry.update(info)
        entry.update(extra)
        self.configs.append(entry)
        return cfg, entry

    def write(self) -> None:
        for rel, data in self.files.items():
            path = self.dest / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if rel.endswith(".sh"):
                path.chmod(0o755)


# ---------------------------------------------------------------- Ansible


def yaml_task(rng: random.Random, role: str, depth: int = 0) -> str:
    short = role_short(role)
    name = f"{role.rsplit('/', 1)[-1].title().replace('_', ' ')} | {rng.choice(VERBS)} {words(rng, rng.randint(2, 5))}"
    kind = rng.randrange(12)
    ind = "  " * depth
    lines = [f"- name: {name}"]
    if kind == 0:
        pkgs = rng.sample(PACKAGES, rng.randint(2, 6))
        lines += ["  ansible.builtin.package:", "    name: \"{{ item }}\"", "    state: present", "  loop:"]
        lines += [f"    - {p}" for p in pkgs]
        lines += ["  register: pkgs_task_result", "  until: pkgs_task_result is succeeded", "  retries: \"{{ pkg_install_retries }}\"", "  delay: \"{{ retry_stagger | random + 3 }}\""]
    elif kind == 1:
        comp = rng.choice(COMPONENTS)
        lines += ["  ansible.builtin.template:", f"    src: \"{comp}.{rng.choice(['yml', 'conf', 'env', 'service'])}.j2\"",
                  f"    dest: \"{{{{ kube_config_dir }}}}/{comp}.{rng.choice(['yaml', 'conf', 'env'])}\"", "    mode: \"0644\"",
                  f"    backup: {rng.choice(['true', 'false'])}", f"  notify: {short.title().replace('_', ' ')} | restart {comp}"]
    elif kind == 2:
        lines += ["  ansible.builtin.file:", f"    path: \"{{{{ {ident(rng, 2)}_dir }}}}\"", "    state: directory",
                  "    owner: root", "    mode: \"0755\"", "    recurse: true"]
    elif kind == 3:
        comp = rng.choice(COMPONENTS)
        lines += [f"  ansible.builtin.command: \"{{{{ bin_dir }}}}/{comp} --{ident(rng, 2).replace('_', '-')}={{{{ {ident(rng, 2)} }}}}\"",
                  f"  register: {ident(rng, 2)}", "  changed_when: false", "  check_mode: false",
                  f"  when: {ident(rng, 2)} | default(false)"]
    elif kind == 4:
        lines += ["  ansible.builtin.lineinfile:", f"    path: /etc/{rng.choice(['sysctl.d/99-sysctl.conf', 'hosts', 'modules-load.d/k8s.conf', 'systemd/resolved.conf'])}",
                  f"    regexp: '^{rng.choice(['net.ipv4.ip_forward', 'vm.overcommit_memory', 'kernel.panic', 'net.bridge.bridge-nf-call-iptables'])}'",
                  f"    line: \"{{{{ item.name }}}} = {{{{ item.value }}}}\"", "    state: present", "    create: true", "  loop:"]
        for _ in range(rng.randint(1, 4)):
            lines.append(f"    - {{ name: {ident(rng, 2).replace('_', '.')}, value: {rng.randint(0, 65536)} }}")
    elif kind == 5:
        comp = rng.choice(COMPONENTS)
        lines += ["  ansible.builtin.systemd_service:", f"    name: {comp}", "    state: restarted", "    enabled: true",
                  "    daemon_reload: true", f"  when: {comp.replace('-', '_')}_enabled"]
    elif kind == 6:
        comp = rng.choice(COMPONENTS)
        lines += ["  ansible.builtin.get_url:", f"    url: \"{{{{ {comp.replace('-', '_')}_download_url }}}}\"",
                  f"    dest: \"{{{{ local_release_dir }}}}/{comp}-{{{{ {comp.replace('-', '_')}_version }}}}\"",
                  f"    checksum: \"sha256:{{{{ {comp.replace('-', '_')}_binary_checksum }}}}\"", "    mode: \"0755\"",
                  "    timeout: \"{{ download_timeout_seconds }}\"", "    validate_certs: \"{{ download_validate_certs }}\"",
                  "  environment: \"{{ proxy_env }}\"", "  register: get_url_result", "  until: \"'OK' in get_url_result.msg\"", "  retries: 4"]
    elif kind == 7:
        lines += ["  ansible.builtin.set_fact:"]
        for name in idents(rng, rng.randint(1, 5)):
            lines.append(f"    {name}: \"{{{{ {ident(rng, 2)} | default({ident(rng, 1)}) | {rng.choice(['bool', 'int', 'string', 'list', 'to_json'])} }}}}\"")
    elif kind == 8:
        lines += [f"  ansible.builtin.include_tasks: {ident(rng, 2).replace('_', '-')}.yml",
                  f"  when: {ident(rng, 2)} and inventory_hostname in groups['{rng.choice(['kube_control_plane', 'kube_node', 'etcd', 'k8s_cluster', 'calico_rr'])}']"]
    elif kind == 9:
        lines += ["  ansible.builtin.debug:", f"    msg: \"{sentence(rng)} {{{{ {ident(rng, 2)} }}}}\"", "    verbosity: 1"]
    elif kind == 10:
        lines += ["  ansible.builtin.uri:", f"    url: \"https://{{{{ {ident(rng, 2)} }}}}:{rng.choice([6443, 10250, 2379, 9099])}/{rng.choice(['healthz', 'readyz', 'livez', 'health'])}\"",
                  "    validate_certs: false", "    status_code: 200", "  register: result", "  until: result.status == 200",
                  "  retries: 60", "  delay: 5", "  delegate_to: \"{{ groups['kube_control_plane'][0] }}\"", "  run_once: true"]
    else:
        if depth < 1:
            lines += ["  block:"]
            for _ in range(rng.randint(2, 4)):
                lines.append(indent_block(yaml_task(rng, role, 0), "    "))
            lines += ["  rescue:"]
            lines.append(indent_block(yaml_task(rng, role, 0), "    "))
            lines += ["  always:", "    - name: Flush handlers", "      ansible.builtin.meta: flush_handlers"]
        else:
            lines += ["  ansible.builtin.wait_for:", "    port: \"{{ item }}\"", "    timeout: 180", "  loop: [6443, 2379, 10250]"]
    if rng.random() < 0.25:
        lines.append(f"  tags:\n    - {rng.choice(['facts', 'network', 'upgrade', 'download', 'preinstall', 'etcd', 'master', 'node'])}")
    return indent_block("\n".join(lines), ind)


def tasks_file(rng: random.Random, role: str, target: int, extra: str = "") -> str:
    parts = ["---"]
    size = 4
    if extra:
        parts.append(extra)
        size += len(extra)
    while size < target:
        task = yaml_task(rng, role)
        parts.append(task + "\n")
        size += len(task) + 2
    return "\n".join(parts).rstrip() + "\n"


def defaults_file(rng: random.Random, role: str, target: int, extra: str = "") -> str:
    short = role_short(role)
    parts = ["---"]
    size = 0
    keys = set()
    while size < target:
        kind = rng.randrange(6)
        key = f"{short}_{ident(rng, rng.randint(1, 3))}"
        if key in keys:
            continue
        keys.add(key)
        if rng.random() < 0.4:
            parts.append("\n# " + wrap(sentence(rng), 94, "").replace("\n", "\n# "))
        if kind == 0:
            chunk = f"{key}: {rng.choice(['true', 'false'])}"
        elif kind == 1:
            chunk = f"{key}: \"{{{{ {ident(rng, 2)} | default('{rng.choice(WORDS)}') }}}}\""
        elif kind == 2:
            chunk = f"{key}: {rng.randint(1, 65535)}"
        elif kind == 3:
            chunk = f"{key}:\n" + "\n".join(f"  - {rng.choice(WORDS)}-{rng.choice(WORDS)}" for _ in range(rng.randint(2, 8)))
        elif kind == 4:
            chunk = f"{key}:\n" + "\n".join(f"  {name}: {rng.choice(['true', 'false', str(rng.randint(0, 999)), repr(rng.choice(WORDS))])}" for name in idents(rng, rng.randint(2, 8)))
        else:
            chunk = f"{key}: \"{rng.choice(['v', ''])}{rng.randint(0, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}\""
        parts.append(chunk)
        size += len(chunk) + 1
    if extra:
        parts.append(extra)
    return "\n".join(parts) + "\n"


def handlers_file(rng: random.Random, role: str) -> str:
    short = role.rsplit("/", 1)[-1].title().replace("_", " ")
    parts = ["---"]
    for comp in rng.sample(COMPONENTS, rng.randint(1, 5)):
        parts.append(f"- name: {short} | restart {comp}\n  ansible.builtin.systemd_service:\n    name: {comp}\n    state: restarted\n    daemon_reload: true\n  listen: Restart {comp}\n")
    return "\n".join(parts)


def meta_file(rng: random.Random, role: str) -> str:
    deps = rng.sample(["kubespray-defaults", "download", "container-engine/runc", "network_plugin/cni", "etcd_defaults"], rng.randint(0, 3))
    text = "---\ndependencies:\n" if deps else "---\ndependencies: []\n"
    for dep in deps:
        text += f"  - role: {dep}\n    when: {ident(rng, 2)}\n"
    return text


def k8s_manifest(rng: random.Random, target: int) -> str:
    parts = []
    size = 0
    while size < target:
        comp = rng.choice(COMPONENTS)
        kind = rng.choice(["Deployment", "DaemonSet", "StatefulSet"])
        containers = []
        for c in range(rng.randint(1, 3)):
            env = "\n".join(f"            - name: {ident(rng, 2).upper()}\n              value: \"{{{{ {ident(rng, 2)} }}}}\"" for _ in range(rng.randint(1, 8)))
            mounts = "\n".join(f"            - name: {rng.choice(WORDS)}-{i}\n              mountPath: /{rng.choice(WORDS)}/{rng.choice(WORDS)}" for i in range(rng.randint(1, 5)))
            containers.append(
                f"        - name: {comp}-{c}\n          image: \"{{{{ {comp.replace('-', '_')}_image_repo }}}}:{{{{ {comp.replace('-', '_')}_image_tag }}}}\"\n"
                f"          imagePullPolicy: {{{{ k8s_image_pull_policy }}}}\n          args:\n"
                + "\n".join(f"            - --{ident(rng, 2).replace('_', '-')}={{{{ {ident(rng, 2)} }}}}" for _ in range(rng.randint(2, 9)))
                + f"\n          env:\n{env}\n          resources:\n            limits:\n              cpu: {rng.randint(100, 2000)}m\n              memory: {rng.choice([64, 128, 256, 512])}Mi\n"
                f"          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: {rng.randint(8000, 10300)}\n            initialDelaySeconds: 15\n"
                f"          volumeMounts:\n{mounts}"
            )
        doc = (
            f"---\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {comp}\n  namespace: {{{{ {comp.replace('-', '_')}_namespace | default('kube-system') }}}}\n"
            f"  labels:\n    k8s-app: {comp}\n    addonmanager.kubernetes.io/mode: Reconcile\nspec:\n  selector:\n    matchLabels:\n      k8s-app: {comp}\n"
            f"  template:\n    metadata:\n      labels:\n        k8s-app: {comp}\n    spec:\n      priorityClassName: system-node-critical\n"
            f"      serviceAccountName: {comp}\n      tolerations:\n        - operator: Exists\n      containers:\n" + "\n".join(containers) + "\n"
        )
        parts.append(doc)
        size += len(doc)
    return "".join(parts)


def systemd_unit(rng: random.Random, comp: str, exec_start: Optional[str] = None) -> str:
    exec_start = exec_start or f"{{{{ bin_dir }}}}/{comp} \\\n" + " \\\n".join(f"    --{ident(rng, 2).replace('_', '-')}={{{{ {ident(rng, 2)} }}}}" for _ in range(rng.randint(3, 12)))
    return (
        f"[Unit]\nDescription={comp} ({words(rng, 3)})\nDocumentation=https://kubernetes.io/docs/\n"
        f"After=network-online.target {rng.choice(['containerd.service', 'docker.service', 'etcd.service'])}\nWants=network-online.target\n\n"
        f"[Service]\nType={rng.choice(['notify', 'simple'])}\nEnvironmentFile=-/etc/{comp}.env\nExecStart={exec_start}\n"
        f"Restart=always\nRestartSec={rng.randint(2, 15)}s\nLimitNOFILE=1048576\nTasksMax=infinity\nDelegate=yes\nKillMode=process\n\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )


def shell_script(rng: random.Random, target: int, body_extra: str = "", name: str = "") -> str:
    head = f"#!/usr/bin/env bash\n# {sentence(rng)}\nset -euo pipefail\n\n"
    parts = [head]
    size = len(head)
    if body_extra:
        parts.append(body_extra + "\n")
        size += len(body_extra)
    while size < target:
        fn = ident(rng, 2)
        kind = rng.randrange(5)
        if kind == 0:
            body = f"  local {rng.choice(WORDS)}=\"${{1:?usage: {fn} NAME}}\"\n  if ! command -v {rng.choice(['kubectl', 'jq', 'curl', 'docker', 'ansible-playbook'])} >/dev/null 2>&1; then\n    echo \"{sentence(rng)}\" >&2\n    return 1\n  fi\n"
        elif kind == 1:
            body = f"  for host in $(awk '/^\\[{rng.choice(['kube_node', 'etcd', 'kube_control_plane'])}\\]/{{f=1;next}} /^\\[/{{f=0}} f && NF {{print $1}}' \"${{INVENTORY}}\"); do\n    ssh -o StrictHostKeyChecking=no \"${{host}}\" '{rng.choice(['sudo systemctl is-active docker', 'uptime', 'df -h /var/lib', 'sudo journalctl -u kubelet --since -1h | tail -n 50'])}'\n  done\n"
        elif kind == 2:
            body = f"  curl -fsSL --retry 5 \"https://{rng.choice(['dl.k8s.io', 'github.com', 'get.helm.sh', 'storage.googleapis.com'])}/{rng.choice(WORDS)}/${{VERSION}}/{rng.choice(COMPONENTS)}\" -o \"${{TMPDIR:-/tmp}}/{rng.choice(COMPONENTS)}\"\n  echo \"${{CHECKSUM}}  ${{TMPDIR:-/tmp}}/{rng.choice(COMPONENTS)}\" | sha256sum -c -\n"
        elif kind == 3:
            body = f"  case \"${{1:-}}\" in\n" + "".join(f"    {w})\n      {rng.choice(['shift', 'export DEBUG=1', 'set -x', 'VERBOSE=true'])}\n      ;;\n" for w in rng.sample(WORDS, rng.randint(2, 5))) + "    *)\n      usage\n      ;;\n  esac\n"
        else:
            body = f"  # {sentence(rng)}\n  kubectl --kubeconfig \"${{KUBECONFIG}}\" get {rng.choice(['nodes', 'pods -A', 'ds -n kube-system', 'events -A'])} -o json | jq -r '.items[] | .metadata.name'\n"
        chunk = f"{fn}() {{\n{body}}}\n\n"
        parts.append(chunk)
        size += len(chunk)
    parts.append("main() {\n  " + "\n  ".join(rng.choice(["echo ok", "true", ":"]) for _ in range(2)) + "\n}\n\nmain \"$@\"\n")
    return "".join(parts)


def markdown_doc(rng: random.Random, title: str, target: int) -> str:
    parts = [f"# {title}\n\n{wrap(paragraph(rng))}\n"]
    size = len(parts[0])
    while size < target:
        kind = rng.randrange(5)
        if kind == 0:
            chunk = f"\n## {words(rng, rng.randint(2, 5)).title()}\n\n{wrap(paragraph(rng))}\n"
        elif kind == 1:
            chunk = "\n```ShellSession\n" + "\n".join(f"{rng.choice(['ansible-playbook -i inventory/mycluster/hosts.yaml', 'kubectl get', 'docker info |', 'sudo systemctl'])} {words(rng, 3)}" for _ in range(rng.randint(1, 4))) + "\n```\n"
        elif kind == 2:
            rows = "\n".join(f"| `{ident(rng, 2)}` | {words(rng, 5)} | `{rng.choice(['true', 'false', 'null', str(rng.randint(0, 99))])}` |" for _ in range(rng.randint(3, 12)))
            chunk = f"\n| Variable | Description | Default |\n|---|---|---|\n{rows}\n"
        elif kind == 3:
            chunk = "\n" + "\n".join(f"* {sentence(rng)}" for _ in range(rng.randint(2, 7))) + "\n"
        else:
            chunk = f"\n{wrap(paragraph(rng))}\n"
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


def lognormal_size(rng: random.Random, median: int, lo: int, hi: int) -> int:
    return int(min(hi, max(lo, rng.lognormvariate(0, 0.7) * median)))


# ---------------------------------------------------------------- generation


def build(dest: Path, seed: int) -> Tree:
    tree = Tree(dest, seed)
    # one sub-generator per area, so that changing one area leaves the others' bytes alone
    sub = {area: random.Random(f"{seed}:{area}") for area in (
        "top", "roles", "docs", "inventory", "terraform", "packer", "cloudinit", "scripts", "tests",
        "ci", "contrib", "big", "daemon", "decoys", "butane", "systemd")}

    _top(tree, sub["top"])
    _roles(tree, sub["roles"])
    _docs(tree, sub["docs"])
    _inventory(tree, sub["inventory"])
    _terraform(tree, sub["terraform"])
    _packer(tree, sub["packer"])
    _cloudinit(tree, sub["cloudinit"])
    _scripts(tree, sub["scripts"])
    _tests(tree, sub["tests"])
    _ci(tree, sub["ci"])
    _contrib(tree, sub["contrib"])
    _butane(tree, sub["butane"])
    _systemd(tree, sub["systemd"])
    _standalone(tree, sub["daemon"])
    _decoys(tree, sub["decoys"])
    _big(tree, sub["big"])
    return tree


def _top(tree: Tree, rng: random.Random) -> None:
    tree.add(".gitignore", "*.retry\n.vagrant\n*.pyc\n.idea/\n.terraform/\n*.tfstate\n*.tfstate.backup\n"
             "inventory/*/artifacts/\ninventory/*/credentials/\ncontrib/terraform/*/.terraform.lock.hcl\nnode_modules/\n.cache/\n")
    tree.add("README.md", markdown_doc(rng, "Deploy a Production Ready Kubernetes Cluster", 14000))
    tree.add("LICENSE", "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n\n" + "\n\n".join(wrap(paragraph(rng)) for _ in range(40)) + "\n")
    tree.add("ansible.cfg", "[ssh_connection]\npipelining=True\nssh_args = -o ControlMaster=auto -o ControlPersist=30m -o ConnectionAttempts=100 -o UserKnownHostsFile=/dev/null\n\n"
             "[defaults]\nforce_valid_group_names = ignore\nhost_key_checking=False\ngathering = smart\nfact_caching = jsonfile\nfact_caching_connection = /tmp\n"
             "fact_caching_timeout = 86400\ntimeout = 300\nstdout_callback = default\ndisplay_skipped_hosts = no\nlibrary = ./library\ncallbacks_enabled = profile_tasks\n"
             "roles_path = roles:$VIRTUAL_ENV/usr/local/share/kubespray/roles:$VIRTUAL_ENV/usr/local/share/ansible/roles:/usr/share/kubespray/roles\ndeprecation_warnings=False\n"
             "inventory_ignore_extensions = ~, .orig, .bak, .ini, .cfg, .retry, .pyc, .pyo, .creds, .gpg\n")
    tree.add("requirements.txt", "ansible==9.13.0\ncryptography==44.0.0\njmespath==1.0.1\nnetaddr==1.3.0\n")
    tree.add("Vagrantfile", "# -*- mode: ruby -*-\n# vi: set ft=ruby :\n\nVagrant.require_version \">= 2.0.0\"\n\n" + "\n".join(f"$({ident(rng, 2)}) ||= {rng.randint(1, 9)}" for _ in range(60)) + "\n")
    for play in ["cluster", "reset", "scale", "upgrade-cluster", "remove-node", "recover-control-plane", "facts"]:
        body = "---\n" + "\n".join(
            f"- name: {sentence(rng)[:-1]}\n  hosts: {rng.choice(['k8s_cluster:etcd', 'kube_control_plane', 'kube_node', 'etcd', 'all'])}\n"
            f"  gather_facts: false\n  any_errors_fatal: \"{{{{ any_errors_fatal | default(true) }}}}\"\n  environment: \"{{{{ proxy_disable_env }}}}\"\n  roles:\n"
            + "\n".join(f"    - {{ role: {r}, tags: {r.rsplit('/', 1)[-1]} }}" for r in rng.sample(ROLES, rng.randint(2, 7)))
            for _ in range(rng.randint(3, 8))) + "\n"
        tree.add(f"playbooks/{play}.yml", body)
        tree.add(f"{play}.yml", f"---\n- name: Install Kubernetes\n  ansible.builtin.import_playbook: playbooks/{play}.yml\n")


def _roles(tree: Tree, rng: random.Random) -> None:
    for role in ROLES:
        base = f"roles/{role}"
        short = role_short(role)
        n_tasks = rng.randint(1, 6)
        names = ["main"] + [ident(rng, 2).replace("_", "-") for _ in range(n_tasks - 1)]
        seen = set()
        for name in names:
            if name in seen:
                continue
            seen.add(name)
            extra = ""
            if role == "container-engine/docker" and name == "main":
                extra = _ansible_copy_daemon(tree, rng, f"{base}/tasks/main.yml", "ansible.builtin.copy")
            tree.add(f"{base}/tasks/{name}.yml", tasks_file(rng, role, lognormal_size(rng, 10000, 500, 60000), extra))
        extra = ""
        if role == "container-engine/docker":
            extra = _ansible_vars_daemon(tree, rng, f"{base}/defaults/main.yml")
        tree.add(f"{base}/defaults/main.yml", defaults_file(rng, role, lognormal_size(rng, 4500, 300, 30000), extra))
        if rng.random() < 0.7:
            tree.add(f"{base}/handlers/main.yml", handlers_file(rng, role))
        if rng.random() < 0.6:
            tree.add(f"{base}/meta/main.yml", meta_file(rng, role))
        if rng.random() < 0.3:
            for osname in rng.sample(["debian", "ubuntu", "redhat", "fedora", "suse", "amazon", "flatcar"], rng.randint(1, 4)):
                tree.add(f"{base}/vars/{osname}.yml", defaults_file(rng, role, rng.randint(200, 1500)))
        for i in range(rng.randint(0, 4)):
            comp = rng.choice(COMPONENTS)
            kind = rng.randrange(5)
            if kind == 0:
                rel = f"{base}/templates/{comp}-{i}.yml.j2"
                tree.add(rel, k8s_manifest(rng, lognormal_size(rng, 9000, 1000, 60000)))
            elif kind == 1:
                tree.add(f"{base}/templates/{comp}-{i}.service.j2", systemd_unit(rng, comp))
            elif kind == 2:
                tree.add(f"{base}/templates/{comp}-{i}.env.j2", "\n".join(f"{ident(rng, 2).upper()}=\"{{{{ {ident(rng, 2)} }}}}\"" for _ in range(rng.randint(3, 30))) + "\n")
            elif kind == 3:
                tree.add(f"{base}/templates/{comp}-{i}.sh.j2", shell_script(rng, lognormal_size(rng, 2000, 300, 9000)))
            else:
                tree.add(f"{base}/templates/{comp}-{i}.conf.j2", "{% for item in " + ident(rng, 2) + " %}\n" + "\n".join(f"{ident(rng, 2)} = {{{{ item.{rng.choice(WORDS)} }}}}" for _ in range(rng.randint(3, 25))) + "\n{% endfor %}\n")
        if rng.random() < 0.2:
            tree.add(f"{base}/files/{ident(rng, 2)}.sh", shell_script(rng, lognormal_size(rng, 1800, 300, 8000)))
        if rng.random() < 0.15:
            tree.add(f"{base}/molecule/default/molecule.yml", "---\ndependency:\n  name: galaxy\ndriver:\n  name: vagrant\nplatforms:\n" + "".join(f"  - name: {w}\n    box: generic/ubuntu2204\n    cpus: 2\n    memory: 2048\n" for w in rng.sample(WORDS, 3)) + "provisioner:\n  name: ansible\n")
            tree.add(f"{base}/molecule/default/converge.yml", f"---\n- name: Converge\n  hosts: all\n  become: true\n  roles:\n    - role: {role}\n")

    # the Jinja templates of daemon.json (rendered by Ansible, never valid JSON as they stand)
    for i, role in enumerate(["container-engine/docker", "container-engine/cri-dockerd", "bootstrap-os"]):
        rel = f"roles/{role}/templates/daemon.json.j2" if i != 2 else f"roles/{role}/templates/docker-daemon.json.j2"
        cfg, entry = tree.config(rng, rel, "jinja-template")
        body = dump(cfg, rng, 2)
        body = body.replace('"log-driver": "json-file"', '"log-driver": "{{ docker_log_driver | default(\'json-file\') }}"')
        body = body.replace('"storage-driver": "overlay2"', '"storage-driver": "{{ docker_storage_driver }}"')
        if '"live-restore": true' in body:
            body = body.replace('"live-restore": true', '"live-restore": {{ docker_live_restore | default(true) | bool | lower }}')
            entry["live_restore"] = "templated"
        body = body[:-2] + ',\n{% if docker_registry_mirrors %}\n  "registry-mirrors": {{ docker_registry_mirrors | to_json }},\n{% endif %}\n  "max-concurrent-uploads": {{ docker_max_uploads | default(5) }}\n}\n'
        tree.add(rel, body)


def _ansible_copy_daemon(tree: Tree, rng: random.Random, rel: str, module: str) -> str:
    cfg, _ = tree.config(rng, rel, "ansible-copy-content")
    return (f"- name: Docker | Write daemon.json\n  {module}:\n    dest: /etc/docker/daemon.json\n    owner: root\n    group: root\n    mode: \"0644\"\n"
            f"    content: |\n{indent_block(dump(cfg, rng, 2), '      ')}\n  notify: Docker | reload docker\n")


def _ansible_vars_daemon(tree: Tree, rng: random.Random, rel: str) -> str:
    cfg, _ = tree.config(rng, rel, "ansible-vars")

    def yaml_value(value, indent: int) -> str:
        pad = "  " * indent
        if isinstance(value, dict):
            return "\n" + "\n".join(f"{pad}{k}:{yaml_value(v, indent + 1)}" for k, v in value.items())
        if isinstance(value, list):
            return "\n" + "\n".join(f"{pad}- {json.dumps(v)}" for v in value)
        return " " + json.dumps(value)

    return ("\n# Rendered into /etc/docker/daemon.json with to_nice_json\ndocker_daemon_options:"
            + yaml_value(cfg, 1) + "\n")


def _docs(tree: Tree, rng: random.Random) -> None:
    topics = ["getting-started", "ansible", "vars", "ha-mode", "large-deployments", "upgrades", "offline-environment",
              "proxy", "dns-stack", "calico", "cilium", "flannel", "kube-ovn", "kube-router", "macvlan", "multus",
              "containerd", "cri-o", "docker", "gvisor", "kata-containers", "aws", "azure", "gcp", "openstack", "vsphere",
              "equinix-metal", "hardening", "cert_manager", "ingress_nginx", "metallb", "netcheck", "nodes", "recover-control-plane",
              "etcd", "kubernetes-reliability", "mirror", "integration", "test_cases", "ci", "vagrant", "comparisons",
              "roadmap", "setting-up-your-first-cluster", "flatcar", "fcos", "amazonlinux", "centos", "rhel", "opensuse",
              "uoslinux", "kylinlinux", "openeuler", "arch", "port-requirements", "encrypting-secret-data-at-rest",
              "kube-vip", "mitogen", "cloud", "downloads", "dashboard", "local-storage-provisioner", "gateway_api", "krew"]
    for topic in topics:
        tree.add(f"docs/{topic}.md", markdown_doc(rng, topic.replace("-", " ").replace("_", " ").title(), lognormal_size(rng, 7500, 1500, 50000)))
    tree.add("docs/_sidebar.md", "\n".join(f"* [{t}](/docs/{t}.md)" for t in topics) + "\n")
    # a docs page that shows a daemon.json in a fenced block (not a file dlint reads today)
    cfg, _ = tree.config(rng, "docs/docker-live-restore.md", "markdown-fence", flavour="good")
    tree.add("docs/docker-live-restore.md", markdown_doc(rng, "Docker live-restore", 3000) + "\n## Example\n\n```json\n" + dump(cfg, rng, 2) + "\n```\n")


def _inventory(tree: Tree, rng: random.Random) -> None:
    for env in ["sample", "prod-eu", "prod-us", "staging", "dev"]:
        base = f"inventory/{env}"
        hosts = [f"node{i}" for i in range(1, rng.randint(4, 40))]
        ini = "[all]\n" + "\n".join(f"{h} ansible_host=10.{rng.randint(0, 9)}.{rng.randint(0, 255)}.{rng.randint(1, 254)} ip=10.0.0.{i + 1}" for i, h in enumerate(hosts))
        ini += "\n\n[kube_control_plane]\n" + "\n".join(hosts[:3]) + "\n\n[etcd]\n" + "\n".join(hosts[:3]) + "\n\n[kube_node]\n" + "\n".join(hosts[3:]) + "\n\n[k8s_cluster:children]\nkube_control_plane\nkube_node\n"
        tree.add(f"{base}/inventory.ini", ini)
        for group, files in [("all", ["all", "aws", "azure", "containerd", "coreos", "cri-o", "docker", "etcd", "gcp", "hcloud", "huaweicloud", "oci", "offline", "openstack", "upcloud", "vsphere"]),
                             ("k8s_cluster", ["addons", "k8s-cluster", "k8s-net-calico", "k8s-net-cilium", "k8s-net-custom-cni", "k8s-net-flannel", "k8s-net-kube-ovn", "k8s-net-kube-router", "k8s-net-macvlan", "kube_control_plane"])]:
            for name in files:
                if env != "sample" and name != "docker" and rng.random() < 0.4:
                    continue  # an inventory keeps only the group_vars it changes
                extra = ""
                if name == "docker" and env in ("prod-eu", "staging"):
                    extra = _ansible_vars_daemon(tree, rng, f"{base}/group_vars/{group}/{name}.yml")
                tree.add(f"{base}/group_vars/{group}/{name}.yml", defaults_file(rng, name, lognormal_size(rng, 2200, 200, 16000), extra))
        if env.startswith("prod"):
            tree.add(f"{base}/host_vars/{hosts[0]}.yml", defaults_file(rng, "host", 600))


def _terraform(tree: Tree, rng: random.Random) -> None:
    clouds = ["aws", "openstack", "gcp", "azurerm", "hetzner", "equinix", "upcloud", "vsphere", "exoscale", "nifcloud"]
    embedded = {"aws": "heredoc-shell", "openstack": "heredoc-cloudinit", "gcp": "jsonencode", "hetzner": "heredoc-shell", "exoscale": "tftpl"}
    for cloud in clouds:
        base = f"contrib/terraform/{cloud}"
        resources = []
        for i in range(rng.randint(4, 14)):
            kind = rng.choice(["instance", "network", "subnet", "security_group_rule", "volume", "lb", "dns_record"])
            attrs = "\n".join(f"  {attr} = {rng.choice(['var.' + ident(rng, 2), str(rng.randint(1, 100)), 'true', chr(34) + rng.choice(WORDS) + chr(34), 'local.' + ident(rng, 1)])}" for attr in idents(rng, rng.randint(3, 12)))
            resources.append(f"resource \"{cloud}_{kind}\" \"{ident(rng, 2)}_{i}\" {{\n{attrs}\n\n  tags = {{\n    Name    = \"${{var.cluster_name}}-{kind}-{i}\"\n    Cluster = var.cluster_name\n  }}\n}}\n")
        way = embedded.get(cloud)
        if way in ("heredoc-shell", "heredoc-cloudinit"):
            cfg, _ = tree.config(rng, f"{base}/main.tf", f"terraform-{way}")
            text = dump(cfg, rng, 2)
            if way == "heredoc-shell":
                user_data = f"#!/bin/bash\nset -e\nmkdir -p /etc/docker\ncat > /etc/docker/daemon.json <<'JSON'\n{text}\nJSON\nsystemctl restart docker\n"
            else:
                user_data = f"#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    permissions: '0644'\n    content: |\n{indent_block(text, '      ')}\nruncmd:\n  - systemctl restart docker\n"
            resources.append(f"resource \"{cloud}_instance\" \"docker_host\" {{\n  count         = var.docker_hosts\n  image         = var.image\n  instance_type = var.docker_host_flavor\n\n"
                             f"  user_data = <<-EOT\n{indent_block(user_data, '    ')}\n  EOT\n}}\n")
        elif way == "jsonencode":
            cfg, _ = tree.config(rng, f"{base}/main.tf", "terraform-jsonencode")

            def hcl(value, indent: int) -> str:
                pad = "  " * indent
                if isinstance(value, dict):
                    inner = "\n".join(f"{pad}  \"{k}\" = {hcl(v, indent + 1)}" for k, v in value.items())
                    return "{\n" + inner + f"\n{pad}}}"
                if isinstance(value, list):
                    return "[" + ", ".join(hcl(v, indent) for v in value) + "]"
                return json.dumps(value)

            resources.append(f"locals {{\n  docker_daemon_json = jsonencode({hcl(cfg, 1)})\n}}\n\n"
                             f"resource \"google_compute_instance\" \"docker_host\" {{\n  name         = \"${{var.cluster_name}}-docker\"\n  machine_type = var.machine_type\n"
                             f"  metadata = {{\n    user-data = templatefile(\"${{path.module}}/templates/cloudinit.yaml.tftpl\", {{ daemon_json = local.docker_daemon_json }})\n  }}\n}}\n")
        elif way == "tftpl":
            cfg, _ = tree.config(rng, f"{base}/templates/docker-host.yaml.tftpl", "terraform-tftpl-cloudinit")
            text = dump(cfg, rng, 2)
            if "registry-mirrors" in cfg:
                text = text.replace('"https://mirror.gcr.io"', '"${registry_mirror}"')
            tree.add(f"{base}/templates/docker-host.yaml.tftpl", f"#cloud-config\nhostname: ${{hostname}}\npackage_update: true\npackages:\n  - docker.io\nwrite_files:\n"
                     f"  - path: /etc/docker/daemon.json\n    content: |\n{indent_block(text, '      ')}\nruncmd:\n  - systemctl enable --now docker\n%{{ for key in ssh_keys ~}}\n  - echo '${{key}}' >> /root/.ssh/authorized_keys\n%{{ endfor ~}}\n")
        tree.add(f"{base}/main.tf", "\n".join(resources))
        tree.add(f"{base}/variables.tf", "\n".join(f"variable \"{name}\" {{\n  description = \"{sentence(rng)}\"\n  type        = {rng.choice(['string', 'number', 'bool', 'list(string)', 'map(string)'])}\n  default     = {rng.choice(['null', '1', 'true', '[]', chr(34) + rng.choice(WORDS) + chr(34)])}\n}}\n" for name in idents(rng, rng.randint(8, 40))))
        tree.add(f"{base}/outputs.tf", "\n".join(f"output \"{name}\" {{\n  value = {cloud}_instance.{ident(rng, 2)}[*].{rng.choice(['id', 'private_ip', 'public_ip'])}\n}}\n" for name in idents(rng, rng.randint(2, 10))))
        tree.add(f"{base}/versions.tf", f"terraform {{\n  required_version = \">= 1.3.0\"\n  required_providers {{\n    {cloud} = {{\n      source  = \"hashicorp/{cloud}\"\n      version = \"~> {rng.randint(1, 5)}.{rng.randint(0, 40)}\"\n    }}\n  }}\n}}\n")
        tree.add(f"{base}/README.md", markdown_doc(rng, f"Kubernetes on {cloud} with Terraform", lognormal_size(rng, 4000, 1000, 12000)))
        tree.add(f"{base}/sample-inventory/cluster.tfvars", "\n".join(f"{ident(rng, 2)} = {rng.choice(['1', 'true', chr(34) + rng.choice(WORDS) + chr(34)])}" for _ in range(rng.randint(8, 30))) + "\n")
        for module in rng.sample(["compute", "network", "ips", "loadbalancer", "kubernetes-cluster"], rng.randint(1, 3)):
            mbase = f"{base}/modules/{module}"
            tree.add(f"{mbase}/main.tf", "\n".join(f"resource \"{cloud}_{module.replace('-', '_')}\" \"{name}\" {{\n" + "\n".join(f"  {attr} = var.{ident(rng, 2)}" for attr in idents(rng, rng.randint(3, 15))) + "\n}\n" for name in idents(rng, rng.randint(2, 9))))
            tree.add(f"{mbase}/variables.tf", "\n".join(f"variable \"{name}\" {{}}\n" for name in idents(rng, rng.randint(4, 20))))
            tree.add(f"{mbase}/outputs.tf", f"output \"{module}_ids\" {{\n  value = {cloud}_{module.replace('-', '_')}.*.id\n}}\n")
        if cloud == "gcp":
            tree.add(f"{base}/templates/cloudinit.yaml.tftpl", "#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: ${jsonencode(daemon_json)}\n")


def _packer(tree: Tree, rng: random.Random) -> None:
    for image in ["ubuntu-2204-docker", "rhel9-docker", "flatcar-worker", "amazon-linux-2023"]:
        base = f"packer/{image}"
        provisioners = []
        if image == "ubuntu-2204-docker":
            cfg, _ = tree.config(rng, f"{base}/{image}.pkr.hcl", "packer-inline-shell")
            one_line = json.dumps(cfg, separators=(",", ":")).replace("\\", "\\\\").replace('"', '\\"')
            provisioners.append(f"  provisioner \"shell\" {{\n    inline = [\n      \"sudo mkdir -p /etc/docker\",\n      \"echo '{one_line}' | sudo tee /etc/docker/daemon.json\",\n      \"sudo systemctl restart docker\",\n    ]\n  }}\n")
        if image == "rhel9-docker":
            provisioners.append("  provisioner \"file\" {\n    source      = \"${path.root}/files/etc/docker/daemon.json\"\n    destination = \"/tmp/daemon.json\"\n  }\n")
            provisioners.append("  provisioner \"shell\" {\n    inline = [\"sudo install -m 0644 /tmp/daemon.json /etc/docker/daemon.json\"]\n  }\n")
        if image == "amazon-linux-2023":
            provisioners.append("  provisioner \"shell\" {\n    script = \"${path.root}/scripts/docker.sh\"\n  }\n")
            cfg, _ = tree.config(rng, f"{base}/scripts/docker.sh", "shell-heredoc")
            tree.add(f"{base}/scripts/docker.sh", shell_script(rng, 1500, f"dnf install -y docker\nsudo tee /etc/docker/daemon.json > /dev/null <<EOF\n{dump(cfg, rng, 2)}\nEOF\nsystemctl enable --now docker"))
        provisioners.append("  provisioner \"ansible\" {\n    playbook_file = \"${path.root}/../../cluster.yml\"\n    extra_arguments = [\"--tags\", \"preinstall,container-engine\"]\n  }\n")
        tree.add(f"{base}/{image}.pkr.hcl",
                 f"packer {{\n  required_plugins {{\n    amazon = {{\n      version = \">= 1.2.0\"\n      source  = \"github.com/hashicorp/amazon\"\n    }}\n  }}\n}}\n\n"
                 f"source \"amazon-ebs\" \"{image}\" {{\n  ami_name      = \"{image}-${{local.timestamp}}\"\n  instance_type = \"t3.medium\"\n  region        = var.region\n  ssh_username  = \"{rng.choice(['ubuntu', 'ec2-user', 'core'])}\"\n}}\n\n"
                 f"build {{\n  sources = [\"source.amazon-ebs.{image}\"]\n\n" + "\n".join(provisioners) + "}\n")
        tree.add(f"{base}/variables.pkr.hcl", "\n".join(f"variable \"{name}\" {{\n  type    = string\n  default = \"{rng.choice(WORDS)}\"\n}}\n" for name in idents(rng, rng.randint(3, 10))))


def _cloudinit(tree: Tree, rng: random.Random) -> None:
    names = ["docker-host", "worker", "bastion", "gitlab-runner", "edge-node", "build-agent", "monitoring"]
    for i, name in enumerate(names):
        rel = f"cloud-init/{name}/user-data"
        runcmd = "\n".join(f"  - {rng.choice(['systemctl daemon-reload', 'sysctl --system', 'modprobe br_netfilter', 'swapoff -a', 'systemctl restart docker', 'usermod -aG docker ubuntu'])}" for _ in range(rng.randint(2, 6)))
        packages = "\n".join(f"  - {p}" for p in rng.sample(PACKAGES, rng.randint(3, 8)))
        files = []
        if name != "bastion":
            cfg, entry = tree.config(rng, rel, "cloud-init-write_files")
            text = dump(cfg, rng, 2)
            if name == "edge-node":
                entry["encoding"] = "b64"
                files.append(f"  - path: /etc/docker/daemon.json\n    encoding: b64\n    owner: root:root\n    permissions: '0644'\n    content: {base64.b64encode(text.encode()).decode()}\n")
            else:
                files.append(f"  - path: /etc/docker/daemon.json\n    owner: root:root\n    permissions: '0644'\n    content: |\n{indent_block(text, '      ')}\n")
        files.append(f"  - path: /etc/sysctl.d/99-k8s.conf\n    content: |\n      net.ipv4.ip_forward = 1\n      net.bridge.bridge-nf-call-iptables = 1\n")
        tree.add(rel, f"#cloud-config\nhostname: {name}-{i}\nmanage_etc_hosts: true\npackage_update: true\npackage_upgrade: {rng.choice(['true', 'false'])}\n"
                 f"users:\n  - name: ops\n    groups: [docker, sudo]\n    shell: /bin/bash\n    sudo: ALL=(ALL) NOPASSWD:ALL\n    ssh_authorized_keys:\n      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{ident(rng, 2)} ops@example\n"
                 f"packages:\n{packages}\nwrite_files:\n" + "".join(files) + f"runcmd:\n{runcmd}\nfinal_message: \"{sentence(rng)}\"\n")
        tree.add(f"cloud-init/{name}/meta-data", f"instance-id: {name}-{i}\nlocal-hostname: {name}-{i}\n")


def _scripts(tree: Tree, rng: random.Random) -> None:
    heredocs = {"install-docker": "cat", "bootstrap-node": "tee", "setup-ci-runner": "pipe", "harden-docker": "dash", "airgap-install": "cat"}
    names = ["install-docker", "bootstrap-node", "setup-ci-runner", "harden-docker", "airgap-install", "collect-info",
             "gen_tags", "check_readme_versions", "galaxy_version", "download_hash", "gitlab-branch-cleanup", "premoderator",
             "openstack-cleanup", "update_ansible_version", "propagate_ansible_variables", "component_hash_update",
             "test-inventory", "run-molecule", "lint", "release", "backup-etcd", "restore-etcd", "rotate-certs", "drain-all",
             "cordon-workers", "preload-images", "mirror-images", "check-docker-config", "gather-logs", "vagrant-up"]
    for name in names:
        rel = f"scripts/{name}.sh"
        way = heredocs.get(name)
        extra = ""
        if way:
            cfg, entry = tree.config(rng, rel, "shell-heredoc", heredoc=way)
            text = dump(cfg, rng, 2)
            if way == "cat":
                extra = f"mkdir -p /etc/docker\ncat > /etc/docker/daemon.json <<EOF\n{text}\nEOF\nsystemctl restart docker"
            elif way == "tee":
                extra = f"sudo tee /etc/docker/daemon.json >/dev/null <<'EOF'\n{text}\nEOF\nsudo systemctl reload docker"
            elif way == "pipe":
                extra = f"cat <<JSON | sudo tee /etc/docker/daemon.json\n{text}\nJSON"
            elif way == "dash":
                tabbed = "\n".join("\t" + line for line in text.splitlines())
                extra = f"configure_docker() {{\n\tcat >/etc/docker/daemon.json <<-EOF\n{tabbed}\n\tEOF\n}}\nconfigure_docker"
        tree.add(rel, shell_script(rng, lognormal_size(rng, 3500, 600, 20000), extra))
    tree.add("scripts/collect-info.yaml", tasks_file(rng, "collect-info", 6000))


def _tests(tree: Tree, rng: random.Random) -> None:
    for i in range(30):
        osname = rng.choice(["ubuntu22", "ubuntu24", "debian11", "debian12", "rockylinux9", "almalinux9", "fedora39", "opensuse15", "flatcar", "amazon2023"])
        net = rng.choice(["calico", "cilium", "flannel", "kube-ovn", "kube-router", "macvlan", "custom_cni"])
        name = f"{osname}-{net}-{rng.choice(['ha', 'default', 'upgrade', 'docker', 'crio', 'containerd', 'scale'])}-{i}"
        body = f"---\n# Instance settings\ncloud_image: {osname}\nmode: {rng.choice(['default', 'ha', 'separate', 'node-etcd-client', 'all-in-one'])}\nvm_memory: {rng.choice([1600, 2048, 3072])}\n\n# Kubespray settings\nkube_network_plugin: {net}\n"
        body += "\n".join(f"{ident(rng, 2)}: {rng.choice(['true', 'false', str(rng.randint(0, 9))])}" for _ in range(rng.randint(2, 25))) + "\n"
        if "docker" in name and rng.random() < 0.5:
            body += "container_manager: docker\ndocker_daemon_options:\n  live-restore: true\n"
            tree.configs.append({"path": f"tests/files/{name}.yml", "embedding": "ansible-vars", "flavour": "minimal", "live_restore": True})
        tree.add(f"tests/files/{name}.yml", body)
    for name in ["testcases/010_check-apiserver.yml", "testcases/015_check-nodes-ready.yml", "testcases/020_check-pods-running.yml",
                 "testcases/030_check-network.yml", "testcases/040_check-network-adv.yml", "testcases/100_check-k8s-conformance.yml",
                 "cloud_playbooks/create-packet.yml", "cloud_playbooks/delete-packet.yml", "cloud_playbooks/wait-for-ssh.yml"]:
        tree.add(f"tests/{name}", tasks_file(rng, "tests", lognormal_size(rng, 3000, 500, 12000)))
    tree.add("tests/requirements.txt", "ara[server]==1.7.2\nmolecule==24.12.0\npytest-testinfra==10.1.1\nyamllint==1.35.1\n")
    tree.add("tests/Makefile", "\n".join(f"{ident(rng, 1)}:\n\t{rng.choice(['ansible-playbook', 'molecule test', 'pytest'])} {words(rng, 3)}\n" for _ in range(20)))


def _ci(tree: Tree, rng: random.Random) -> None:
    for name in ["lint", "molecule", "packet", "terraform", "vagrant", "kubevirt", "pre-commit", "build", "test"]:
        jobs = []
        for i in range(rng.randint(3, 20)):
            jobs.append(f"{name}_{ident(rng, 2)}_{i}:\n  stage: {rng.choice(['build', 'test', 'deploy-part1', 'deploy-part2', 'deploy-extended'])}\n  extends: .{name}\n"
                        f"  variables:\n    TESTCASE: {ident(rng, 2)}\n    {ident(rng, 2).upper()}: \"{rng.choice(['true', 'false'])}\"\n  when: {rng.choice(['on_success', 'manual', 'always'])}\n")
        tree.add(f".gitlab-ci/{name}.yml", "---\n" + "\n".join(jobs))
    tree.add(".gitlab-ci.yml", "---\nstages:\n  - build\n  - test\n  - deploy-part1\n  - deploy-extended\n\ninclude:\n" + "".join(f"  - .gitlab-ci/{n}.yml\n" for n in ["lint", "molecule", "packet", "terraform", "vagrant"]))
    for wf in ["auto-label-os", "upgrade-patch-versions", "issue-labeler", "stale", "release"]:
        tree.add(f".github/workflows/{wf}.yml", f"name: {wf}\non:\n  push:\n    branches: [master]\n  pull_request:\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                 + "".join(f"      - name: {sentence(rng)[:-1]}\n        run: {rng.choice(['make lint', 'python3 scripts/gen_tags.py', 'ansible-lint', 'yamllint .'])}\n" for _ in range(rng.randint(1, 6))))
    tree.add(".github/ISSUE_TEMPLATE/bug-report.yaml", "---\nname: Bug Report\ndescription: Report a bug encountered while using Kubespray\nbody:\n" + "".join(f"  - type: textarea\n    id: {ident(rng, 1)}{i}\n    attributes:\n      label: {sentence(rng)}\n" for i in range(10)))
    tree.add(".pre-commit-config.yaml", "---\nrepos:\n" + "".join(f"  - repo: https://github.com/{rng.choice(WORDS)}/{rng.choice(WORDS)}\n    rev: v{rng.randint(1, 9)}.{rng.randint(0, 9)}.0\n    hooks:\n      - id: {rng.choice(WORDS)}\n" for _ in range(8)))
    tree.add(".yamllint", "---\nextends: default\nignore: |\n  .git/\n  .github/\nrules:\n  braces:\n    min-spaces-inside: 0\n    max-spaces-inside: 1\n  line-length: disable\n")
    tree.add(".ansible-lint", "---\nparseable: true\nskip_list:\n  - role-name\n  - var-naming[no-role-prefix]\nexclude_paths:\n  - tests/files/custom_cni/cilium.yaml\n  - venv\n")


def _contrib(tree: Tree, rng: random.Random) -> None:
    for area in ["aws_iam", "aws_inventory", "azurerm", "dind", "inventory_builder", "kvm-setup", "mitogen", "network-storage/glusterfs",
                 "network-storage/heketi", "offline", "os-services", "vault", "collection"]:
        base = f"contrib/{area}"
        tree.add(f"{base}/README.md", markdown_doc(rng, area.replace("/", " ").title(), lognormal_size(rng, 2500, 600, 9000)))
        for _ in range(rng.randint(1, 6)):
            kind = rng.randrange(3)
            stem = f"{base}/{ident(rng, 2)}"
            if any(rel.startswith(stem + ".") for rel in tree.files):
                continue
            if kind == 0:
                tree.add(f"{stem}.yml", tasks_file(rng, area, lognormal_size(rng, 2500, 400, 12000)))
            elif kind == 1:
                tree.add(f"{stem}.sh", shell_script(rng, lognormal_size(rng, 2000, 400, 9000)))
            else:
                tree.add(f"{stem}.py", "#!/usr/bin/env python3\n\"\"\"" + sentence(rng) + "\"\"\"\n\nimport json\nimport sys\n\n\n" + "".join(f"def {ident(rng, 2)}(value):\n    return json.dumps({{'{rng.choice(WORDS)}': value}})\n\n\n" for _ in range(rng.randint(2, 15))) + "if __name__ == '__main__':\n    sys.exit(0)\n")
    # docker-in-docker: Ansible copy with the short module name and an inline one-line JSON
    cfg, _ = tree.config(rng, "contrib/dind/roles/dind-host/tasks/main.yaml", "ansible-copy-content", flavour="minimal")
    tree.add("contrib/dind/roles/dind-host/tasks/main.yaml", tasks_file(rng, "dind-host", 2500,
             f"- name: Set up docker daemon options\n  copy:\n    dest: /etc/docker/daemon.json\n    content: '{json.dumps(cfg)}'\n  notify: Restart docker\n"))
    for i, role in enumerate(["os-services/roles/docker-ce", "vault/roles/docker-host", "collection/roles/gpu-node", "kvm-setup/roles/docker-vm"]):
        rel = f"contrib/{role}/tasks/main.yml"
        extra = _ansible_copy_daemon(tree, rng, rel, "ansible.builtin.copy" if i % 2 else "copy")
        tree.add(rel, tasks_file(rng, role, lognormal_size(rng, 2500, 600, 8000), extra))
    # the Vagrant provisioner of the dind contrib
    cfg, _ = tree.config(rng, "contrib/dind/Vagrantfile", "ruby-heredoc")
    tree.add("contrib/dind/Vagrantfile", f"Vagrant.configure(\"2\") do |config|\n  config.vm.box = \"generic/ubuntu2204\"\n  config.vm.provision \"shell\", inline: <<-SHELL\n    mkdir -p /etc/docker\n    cat > /etc/docker/daemon.json <<'EOF'\n{indent_block(dump(cfg, rng, 2), '    ')}\n    EOF\n    systemctl restart docker\n  SHELL\nend\n")


def _butane(tree: Tree, rng: random.Random) -> None:
    for name in ["worker", "control-plane"]:
        rel = f"butane/{name}.bu"
        cfg, _ = tree.config(rng, rel, "butane-inline")
        tree.add(rel, f"variant: fcos\nversion: 1.5.0\npasswd:\n  users:\n    - name: core\n      ssh_authorized_keys:\n        - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA{ident(rng, 1)}\n"
                 f"storage:\n  files:\n    - path: /etc/docker/daemon.json\n      mode: 0644\n      overwrite: true\n      contents:\n        inline: |\n{indent_block(dump(cfg, rng, 2), '          ')}\n"
                 f"systemd:\n  units:\n    - name: docker.service\n      enabled: true\n")
    rel = "ignition/worker.ign"
    cfg, _ = tree.config(rng, rel, "ignition-data-url")
    data_url = "data:," + urllib.parse.quote(json.dumps(cfg), safe="")
    ign = OrderedDict([("ignition", OrderedDict([("version", "3.4.0")])),
                       ("storage", OrderedDict([("files", [OrderedDict([("path", "/etc/docker/daemon.json"), ("mode", 420), ("overwrite", True), ("contents", OrderedDict([("source", data_url)]))])])])),
                       ("systemd", OrderedDict([("units", [OrderedDict([("name", "docker.service"), ("enabled", True)])])]))])
    tree.add(rel, json.dumps(ign, indent=2) + "\n")


def _systemd(tree: Tree, rng: random.Random) -> None:
    """dockerd configured by flags: not daemon.json, but the same configuration."""
    flags = [("--live-restore", True), ("--log-opt max-size=50m --log-opt max-file=5", None), ("-H fd:// -H tcp://0.0.0.0:2375", None)]
    units = [
        ("roles/container-engine/docker/templates/docker.service.j2", "{{ docker_bin_dir }}/dockerd \\\n    {{ docker_options }} \\\n    $DOCKER_OPTS $DOCKER_STORAGE_OPTIONS", 0),
        ("systemd/docker.service.d/override.conf", "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --live-restore --log-opt max-size=50m", 1),
        ("packer/rhel9-docker/files/etc/systemd/system/docker.service.d/10-tcp.conf", "/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375", 2),
    ]
    for rel, exec_start, i in units:
        entry = {"path": rel, "embedding": "systemd-dockerd-flags", "flavour": ["live-restore-flag", "log-opts-flags", "tcp"][i]}
        entry["live_restore"] = "--live-restore" in exec_start or None
        if "tcp://" in exec_start:
            entry["tcp_without_tls"] = True
        tree.configs.append(entry)
        if rel.endswith(".j2"):
            tree.add(rel, systemd_unit(rng, "dockerd", exec_start))
        else:
            tree.add(rel, f"[Service]\nExecStart=\nExecStart={exec_start}\n")
    tree.add("roles/container-engine/docker/templates/docker-options.conf.j2",
             "[Service]\nEnvironment=\"DOCKER_OPTS={{ docker_options | default('') }} --iptables={{ docker_iptables_enabled | default('false') }} --exec-opt native.cgroupdriver={{ docker_cgroup_driver }} {% for i in docker_insecure_registries %}--insecure-registry={{ i }} {% endfor %}{% if docker_log_opts is defined %}{{ docker_log_opts }}{% endif %}\"\n"
             "{% if docker_mount_flags is defined and docker_mount_flags != \"\" %}\nMountFlags={{ docker_mount_flags }}\n{% endif %}\n")


STANDALONE = [
    # path, flavour, note
    ("roles/container-engine/docker/files/daemon.json", "good", None),
    ("roles/container-engine/docker/files/etc/docker/daemon.json", "no-live-restore", None),
    ("packer/rhel9-docker/files/etc/docker/daemon.json", "live-restore-off", None),
    ("packer/ubuntu-2204-docker/files/docker-daemon.json", "typo", None),
    ("contrib/dind/files/daemon.json", "wrong-type", None),
    ("contrib/os-services/roles/docker-ce/files/daemon.json", "tcp", None),
    ("contrib/vault/roles/docker-host/files/etc/docker/daemon.json", "removed", None),
    ("inventory/prod-eu/files/daemon.prod.json", "good", None),
    ("inventory/staging/files/daemon.staging.json", "good", None),
    ("ansible/files/etc/docker/daemon-gpu.json", "good", "nvidia runtime"),
    ("ansible/files/etc/docker/registry-mirrors.json", "no-live-restore", "named for its content, but under etc/docker/"),
    ("examples/docker/daemon.json", "minimal", None),
    ("examples/docker/empty/daemon.json", "empty", "{} is a valid, empty configuration"),
    ("examples/docker/broken/daemon.json", "trailing-comma", "invalid JSON: dockerd refuses to start"),
    ("examples/docker/windows/programdata/docker/config/daemon.json", "windows", None),
    ("tests/files/docker/daemon.json", "typo", None),
]


def _standalone(tree: Tree, rng: random.Random) -> None:
    for rel, flavour, note in STANDALONE:
        extra = {"note": note} if note else {}
        if flavour == "empty":
            tree.configs.append({"path": rel, "embedding": "standalone", "flavour": "empty", "live_restore": None, **extra})
            tree.add(rel, "{}\n")
            continue
        if flavour == "trailing-comma":
            cfg, entry = tree.config(rng, rel, "standalone", flavour="good", **extra)
            entry["flavour"] = "trailing-comma"
            entry["invalid_json"] = True
            text = dump(cfg, rng, 2)
            text = text[: text.rindex("\n")] + ",\n}"
            tree.add(rel, text + "\n")
            continue
        if flavour == "windows":
            cfg = OrderedDict([("hosts", ["npipe://"]), ("data-root", "D:\\docker"), ("log-driver", "etwlogs"), ("group", "docker-users")])
            tree.configs.append({"path": rel, "embedding": "standalone", "flavour": "windows", "live_restore": None, "platform": "windows"})
            tree.add(rel, json.dumps(cfg, indent=2) + "\n")
            continue
        cfg, entry = tree.config(rng, rel, "standalone", flavour=flavour, **extra)
        if rel.endswith("daemon-gpu.json"):
            cfg["runtimes"] = OrderedDict([("nvidia", OrderedDict([("path", "nvidia-container-runtime"), ("runtimeArgs", [])]))])
            cfg["default-runtime"] = "nvidia"
        if rel.endswith("registry-mirrors.json"):
            cfg = OrderedDict([("registry-mirrors", ["https://mirror.gcr.io"]), ("insecure-registries", ["registry.local:5000"])])
            entry["live_restore"] = None
        tree.add(rel, dump(cfg, rng) + "\n")


def _decoys(tree: Tree, rng: random.Random) -> None:
    pm2 = OrderedDict([("apps", [OrderedDict([("name", "status-dashboard"), ("script", "./server.js"), ("instances", 2), ("exec_mode", "cluster"),
                                              ("env", OrderedDict([("NODE_ENV", "production"), ("PORT", 3000)]))])])])
    decoys = [
        ("tools/dashboard/daemon.json", json.dumps(pm2, indent=2) + "\n", True, "PM2 process file named daemon.json"),
        ("tools/dashboard/package.json", json.dumps(OrderedDict([("name", "status-dashboard"), ("version", "1.4.2"), ("private", True),
                                                                 ("scripts", OrderedDict([("start", "pm2 start daemon.json"), ("test", "jest")])),
                                                                 ("dependencies", OrderedDict([("express", "^4.19.2"), ("pm2", "^5.4.0")]))]), indent=2) + "\n", False, "npm package.json"),
        ("tools/dashboard/.docker/config.json", json.dumps(OrderedDict([("auths", OrderedDict([("registry.example.internal", OrderedDict([("auth", "ZXhhbXBsZTpleGFtcGxl")]))])), ("credsStore", "desktop")]), indent=2) + "\n", False, "Docker client config"),
        ("ansible/files/etc/docker/key.json", json.dumps(OrderedDict([("crv", "P-256"), ("d", "dGVzdA"), ("kid", "ABCD:EFGH"), ("kty", "EC"), ("x", "eA"), ("y", "eQ")])) + "\n", True, "engine identity key under etc/docker/"),
        ("roles/kubernetes-apps/ansible/files/kube-proxy-daemonset.json", json.dumps(OrderedDict([("apiVersion", "apps/v1"), ("kind", "DaemonSet"), ("metadata", OrderedDict([("name", "kube-proxy"), ("namespace", "kube-system")])),
                                                                                                  ("spec", OrderedDict([("selector", OrderedDict([("matchLabels", OrderedDict([("k8s-app", "kube-proxy")]))]))]))]), indent=2) + "\n", True, "Kubernetes DaemonSet named *daemon*.json"),
        ("tools/dashboard/daemon.json.example", "{\n  \"live-restore\": true\n}\n", False, "not a .json name"),
    ]
    for rel, text, claimed, why in decoys:
        tree.add(rel, text)
        tree.decoys.append({"path": rel, "claimed_by_name": claimed, "ignored": False, "why": why})
    # files .gitignore (and dlint's default excludes) leave out: a real daemon.json among them
    cfg, _ = daemon_config(rng, "good")
    ignored = [
        ("contrib/terraform/aws/.terraform/modules/docker_host/files/daemon.json", dump(cfg, rng, 2) + "\n", True, "in .terraform/ (downloaded module; ignored)"),
        ("inventory/prod-eu/artifacts/admin.conf", "apiVersion: v1\nkind: Config\nclusters: []\n", False, "in inventory/*/artifacts/ (ignored)"),
        ("inventory/prod-eu/artifacts/docker-daemon.json", dump(cfg, rng, 2) + "\n", True, "in inventory/*/artifacts/ (ignored)"),
        ("contrib/terraform/aws/terraform.tfstate", json.dumps({"version": 4, "resources": []}, indent=2) + "\n", False, "*.tfstate (ignored)"),
    ]
    for rel, text, claimed, why in ignored:
        tree.add(rel, text)
        tree.decoys.append({"path": rel, "claimed_by_name": claimed, "ignored": True, "why": why})


def _big(tree: Tree, rng: random.Random) -> None:
    """A few large files: checksums, CRDs, a vendored JSON document, a changelog."""
    comps = ["kubelet", "kubectl", "kubeadm", "etcd", "cni", "calicoctl", "ciliumcli", "crictl", "crio", "runc", "containerd", "nerdctl",
             "cri_dockerd", "gvisor_runsc", "gvisor_containerd_shim", "kata_containers", "youki", "skopeo", "yq", "helm", "krew"]
    lines = ["---"]
    for comp in comps:
        for arch in ["amd64", "arm64", "arm", "ppc64le"]:
            lines.append(f"{comp}_binary_checksums:" if arch == "amd64" else "")
            lines.append(f"  {arch}:")
            for major in range(rng.randint(10, 18)):
                for patch in range(rng.randint(5, 12)):
                    lines.append(f"    v1.{33 - major}.{patch}: {rng.getrandbits(256):064x}")
    tree.add("roles/kubespray-defaults/defaults/main/checksums.yml", "\n".join(l for l in lines if l != "") + "\n")

    tree.add("roles/kubernetes-apps/common_crds/files/crds.yml", _crds(rng, 1_400_000))

    releases = []
    size = 0
    while size < 1_600_000:
        version = f"v1.{rng.randint(20, 33)}.{rng.randint(0, 15)}"
        rel = OrderedDict([
            ("version", version), ("date", f"20{rng.randint(19, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"),
            ("images", [OrderedDict([("name", f"registry.k8s.io/{c}"), ("tag", version), ("digest", f"sha256:{rng.getrandbits(256):064x}"),
                                     ("size", rng.randint(10_000_000, 400_000_000))]) for c in rng.sample(COMPONENTS, rng.randint(5, 12))]),
            ("notes", paragraph(rng)),
        ])
        releases.append(rel)
        size += len(json.dumps(rel, indent=2))
    tree.add("contrib/offline/vendor/release-metadata.json", json.dumps(OrderedDict([("schema", 2), ("releases", releases)]), indent=2) + "\n")

    tree.add("CHANGELOG.md", markdown_doc(rng, "Changelog", 420_000))
    tree.add("contrib/offline/temp/images.list", "\n".join(f"registry.k8s.io/{rng.choice(COMPONENTS)}:v1.{rng.randint(20, 33)}.{rng.randint(0, 15)}" for _ in range(12000)) + "\n")


def _crds(rng: random.Random, target: int) -> str:
    parts = []
    size = 0
    while size < target:
        kind = "".join(w.title() for w in rng.sample(WORDS, 2))
        props = "\n".join(
            f"                {ident(rng, 1)}{j}:\n                  description: {sentence(rng)}\n                  type: {rng.choice(['string', 'integer', 'boolean', 'array', 'object'])}"
            for j in range(rng.randint(10, 60)))
        doc = (f"---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {kind.lower()}s.crd.projectcalico.org\nspec:\n"
               f"  group: crd.projectcalico.org\n  names:\n    kind: {kind}\n    listKind: {kind}List\n    plural: {kind.lower()}s\n    singular: {kind.lower()}\n  scope: Cluster\n"
               f"  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n{props}\n")
        parts.append(doc)
        size += len(doc)
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# manifest and summary


def manifest(tree: Tree) -> Dict[str, object]:
    by_embedding: "OrderedDict[str, int]" = OrderedDict()
    for entry in tree.configs:
        by_embedding[entry["embedding"]] = by_embedding.get(entry["embedding"], 0) + 1
    standalone = [c for c in tree.configs if c["embedding"] == "standalone"]
    claimed_decoys = [d for d in tree.decoys if d["claimed_by_name"] and not d["ignored"]]
    return OrderedDict([
        ("generator", "bench/generate.py"),
        ("generator_version", GENERATOR_VERSION),
        ("seed", tree.seed),
        ("files", len(tree.files)),  # not counting this manifest
        ("bytes", sum(len(d) for d in tree.files.values())),
        ("daemon_configs", len(tree.configs)),
        ("by_embedding", by_embedding),
        # What `dlint scan --format json` should report today (daemon.json files only):
        ("expected", OrderedDict([
            ("sources", len(standalone) + len(claimed_decoys)),  # files claimed by name
            ("hosts", len(standalone)),  # the claimed files confirmed as daemon configurations
            ("invalid_json", sum(1 for c in standalone if c.get("invalid_json"))),  # exit code 3 even with --fail-on never
        ])),
        ("configs", tree.configs),
        ("decoys", tree.decoys),
    ])


def generate(dest: Path, seed: int = 1, force: bool = False) -> Dict[str, object]:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        if not force:
            raise SystemExit(f"generate.py: {dest} exists and is not empty (use --force to replace it)")
        if (dest / ".git").exists() and not (dest / MANIFEST).exists():
            raise SystemExit(f"generate.py: {dest} looks like a real repository; refusing to delete it")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    tree = build(dest, seed)
    tree.write()
    data = manifest(tree)
    text = json.dumps(data, indent=2) + "\n"
    (dest / MANIFEST).write_text(text, "utf-8")
    return data


def summary(data: Dict[str, object], dest: Path) -> str:
    lines = [f"{dest}: {data['files']} files, {data['bytes']:,} bytes ({data['bytes'] / 1e6:.1f} MB), seed {data['seed']} (plus the manifest {MANIFEST})",
             f"{data['daemon_configs']} Docker daemon configurations:"]
    for name, count in data["by_embedding"].items():
        lines.append(f"  {count:3d}  {name}")
    exp = data["expected"]
    lines.append(f"decoys: {len(data['decoys'])} ({sum(1 for d in data['decoys'] if d['claimed_by_name'] and not d['ignored'])} claimed by name, "
                 f"{sum(1 for d in data['decoys'] if d['ignored'])} in folders .gitignore leaves out)")
    lines.append(f"dlint today should report: sources={exp['sources']} hosts={exp['hosts']} (invalid JSON: {exp['invalid_json']})")
    return "\n".join(lines)


def check(dest: Path) -> int:
    """Compare a tree on disk with its manifest: every file present, byte count equal."""
    try:
        data = json.loads((dest / MANIFEST).read_text("utf-8"))
    except OSError:
        print(f"generate.py: {dest / MANIFEST}: no manifest (was {dest} made by generate.py?)", file=sys.stderr)
        return 2
    files, size = 0, 0
    for folder, dirs, names in os.walk(dest):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            if name == MANIFEST and Path(folder) == dest:
                continue
            files += 1
            size += os.path.getsize(os.path.join(folder, name))
    ok = files == data["files"] and size == data["bytes"]
    missing = [c["path"] for c in data["configs"] if not (dest / c["path"]).is_file()]
    print(summary(data, dest))
    print(f"on disk: {files} files, {size:,} bytes; " + ("matches the manifest" if ok and not missing else f"DIFFERS from the manifest (missing: {missing})"))
    return 0 if ok and not missing else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", metavar="DEST", help="folder to create (must be empty or absent unless --force)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--force", action="store_true", help="replace DEST if it holds an earlier generated tree")
    parser.add_argument("--check", action="store_true", help="do not generate; compare DEST with its manifest and print the summary")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    dest = Path(args.dest)
    if args.check:
        return check(dest)
    data = generate(dest, args.seed, args.force)
    if not args.quiet:
        print(summary(data, dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
