"""Structural fuzzing of every reader: long runs, deep nesting and repetition (the shapes that made
dlint stall or crash, issue 9), random but from a fixed seed, a bounded number per reader.

Each input goes through the whole extraction (the reader, then every embedded document) with
internal errors raised rather than turned into a finding; a budget that runs out (``Overrun``) is
an answer, not a failure. Each input must be read within CPU_PER_INPUT seconds."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from dlint_docker import scan as scanning
from dlint_docker.budget import Overrun
from dlint_docker.fragments import SyntaxProblem, Unreadable
from dlint_docker.source import Source

SEED = 9
PER_READER = 10
CPU_PER_INPUT = 3.0
SIZE = 40_000  # characters a run or a nesting may reach (well under the 4 MiB file limit)

INSTALL = "apt-get install -y docker-ce\n"


def _size(rng: random.Random) -> int:
    return rng.choice([1, 2, 10, 100, 1000, rng.randint(1, SIZE), SIZE])


def _run(rng: random.Random, pieces) -> str:
    """One piece repeated, or a random mixture of the pieces."""
    n = _size(rng)
    if rng.random() < 0.5:
        return rng.choice(pieces) * n
    return "".join(rng.choice(pieces) for _ in range(min(n, 5000)))


def _nest(rng: random.Random, opens, closes, core: str = "x") -> str:
    depth = _size(rng)
    index = rng.randrange(len(opens))
    closed = rng.random() < 0.7
    return opens[index] * depth + core + (closes[index] * depth if closed else "")


def daemon_json(rng):
    shapes = [
        lambda: _nest(rng, ["[", "{\"a\":", "[{\"b\":"], ["]", "}", "}]"], "1"),
        lambda: "{" + ", ".join(f'"debug": {rng.choice(["true", "1", "null", "[]"])}' for _ in range(_size(rng))) + "}",
        lambda: '{"data-root": "' + _run(rng, ["a", "\\\\", "\\u00e9", "\\\"", "é"]) + '"}',
        lambda: '{"labels": [' + ",".join('"x"' for _ in range(_size(rng))) + "]}",
        lambda: "{" + _run(rng, ['"', "{", "}", ":", ",", "1e999999", "-", "\\", " "]),
    ]
    return "daemon.json", "daemon-json", rng.choice(shapes)()


def cloud_init(rng):
    shapes = [
        lambda: "#cloud-config\nwrite_files:\n" + _nest(rng, ["  - ", "[", "{a: "], ["", "]", "}"], "b"),
        lambda: "#cloud-config\n" + _run(rng, ["#" + "c" * 50 + "\n", "# \t\n", "\n"]) + "runcmd:\n  - " + INSTALL,
        lambda: "#cloud-config\nruncmd:\n" + "".join(f"  - &a{i} " + (f"[*a{i - 1}, *a{i - 1}]" if i else "x") + "\n" for i in range(min(_size(rng), 200))),
        lambda: "#cloud-config\nruncmd:\n  - |\n" + _run(rng, ["    cat > /etc/docker/daemon.json <<EOF\n", '    {"debug": true}\n', "    EOF\n", "    $(\n"]),
        lambda: "#cloud-config\n" + _run(rng, ["a: ", "- ", "\t", "{", "[", "? ", "&x ", "*x ", "!!binary ", "'", '"', "\n", "  "]),
    ]
    return "user-data", "cloud-init", rng.choice(shapes)()


def ansible(rng):
    shapes = [
        lambda: "- hosts: all\n  tasks:\n" + _run(rng, ["    - apt: {name: docker-ce}\n", "    # c\n", "    - shell: dockerd --debug\n"]),
        lambda: "- hosts: all\n  vars:\n    x: " + _nest(rng, ["[", "{a: ", "- "], ["]", "}", ""], "1") + "\n  tasks:\n    - apt: {name: docker-ce}\n",
        lambda: "- hosts: all\n  tasks:\n    - copy:\n        dest: /etc/docker/daemon.json\n        content: '" + _run(rng, ["{{ x }}", "{% if a %}", "{% endif %}", "{", "'", "\"debug\": true"]) + "'\n",
        lambda: "- hosts: all\n  tasks:\n#\t" + "c" * _size(rng) + "\n    - apt: {name: docker-ce}\n",
    ]
    return "site.yml", "ansible", rng.choice(shapes)()


def terraform(rng):
    shapes = [
        lambda: 'resource "aws_instance" "a" {\n  user_data = "${' + _run(rng, [" ", "${", "%{", "}", '"']) + '"\n}\n',
        lambda: "locals {\n  x = " + _nest(rng, ["[", "{a = ", "(", "f("], ["]", "}", ")", ")"], "1") + "\n}\n",
        lambda: 'resource "aws_instance" "a" {\n' + "".join(f"  u{i} = <<EOT\n${{x}}\nEOT\n" for i in range(_size(rng) % 3000)) + "}\n",
        lambda: "locals {\n" + "".join(f'  l{i} = "${{local.l{i - 1}}}${{local.l{i - 1}}}"\n' for i in range(1, min(_size(rng), 64))) + "}\n",
        lambda: _run(rng, ["resource ", '"a" ', "{", "}", "=", "<<EOF\n", "EOF\n", "${", "\n", ",", '"Name" = "x",\n']),
    ]
    return "main.tf", "terraform", rng.choice(shapes)()


def shell(rng):
    shapes = [
        lambda: "#!/bin/sh\n" + INSTALL + "X=" + _nest(rng, ["$(", "`", "${", '"$(', "$(("], [")", "`", "}", ')"', "))"], "echo"),
        lambda: "#!/bin/sh\n" + INSTALL + "\n".join(["V0=ab"] + [f'V{i}="$V{i - 1}$V{i - 1}"' for i in range(1, min(_size(rng), 64))]) + "\n",
        lambda: "#!/bin/sh\n" + INSTALL + _run(rng, ["cat > /etc/docker/daemon.json <<EOF\n", "<<A <<B\n", "EOF\n", "A\n", "\\\n", '{"debug": true}\n']),
        lambda: "#!/bin/sh\n" + INSTALL + "dockerd" + _run(rng, [" --debug", " --label x", " -H tcp://0.0.0.0:2375", " \\\n", " '", ' "']) + "\n",
        lambda: "#!/bin/sh\n" + INSTALL + _run(rng, ["(", ")", "{", "}", ";", "&&", "|", "'", '"', "$", "`", "<<", "\n", "if ", "fi ", "case "]),
    ]
    return "provision.sh", "shell", rng.choice(shapes)()


def unit(rng):
    shapes = [
        lambda: "[Service]\nExecStart=/usr/bin/dockerd \\\n" + " \\\n" * _size(rng) + " --debug\n",
        lambda: "[Service]\nExecStart=/usr/bin/dockerd " + _run(rng, ["--debug ", "$X ", "${Y} ", "'a b' ", '"', "\\", "%h "]) + "\n",
        lambda: _run(rng, ["[Service]\n", "[Unit\n", "ExecStart=\n", "ExecStart=/usr/bin/dockerd\n", "Environment=X=1\n", "# c\n", "\\\n", "\x00"]),
        lambda: "[Service]\n" + "".join(f"Environment=V{i}=$V{i - 1}$V{i - 1}\n" for i in range(min(_size(rng), 64))) + "ExecStart=/usr/bin/dockerd $V63\n",
    ]
    return "docker.service", "systemd", rng.choice(shapes)()


READERS = [daemon_json, cloud_init, ansible, terraform, shell, unit]


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    setup = scanning.prepare(scanning.Options(paths=[], cwd=tmp_path_factory.mktemp("fuzz")))
    return scanning.kinds_by_name(setup.kinds)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_structural_shapes_never_crash_a_reader_and_are_read_in_bounded_time(reader, kinds, monkeypatch):
    monkeypatch.setattr(scanning, "DEBUG", True)  # an internal error raises here, it is not a finding
    rng = random.Random(f"{SEED}-{reader.__name__}")
    for _ in range(PER_READER):
        rel, kind, text = reader(rng)
        source = Source(Path("/nonexistent") / rel, rel, rel, kind, text.encode("utf-8", "surrogatepass"))
        started = time.process_time()
        fragments, _notes, _references = scanning.extract(source, kinds)
        spent = time.process_time() - started
        assert spent < CPU_PER_INPUT, (kind, len(text), text[:120])
        for fragment in fragments:
            if isinstance(fragment, Unreadable) and not isinstance(fragment, SyntaxProblem):
                assert "more than" in fragment.reason or "over" in fragment.reason, fragment.reason  # only a budget
            if isinstance(fragment, SyntaxProblem):
                assert fragment.location is not None and fragment.location.path == rel  # located in the file


def test_an_overrun_is_an_answer_not_an_error(kinds, monkeypatch):
    monkeypatch.setattr(scanning, "DEBUG", True)
    text = "#!/bin/sh\nX=" + "$(" * 5000 + "echo" + ")" * 5000 + "\n"
    source = Source(Path("/nonexistent/deep.sh"), "deep.sh", "deep.sh", "shell", text.encode())
    fragments, _, _ = scanning.extract(source, kinds)
    assert [type(f).__name__ for f in fragments] == ["Unreadable"]
    assert issubclass(Overrun, Exception)
