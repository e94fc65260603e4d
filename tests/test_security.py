"""The scanned repository is hostile input: it cannot make dlint reach the network, read or write
outside it, import its code, or run without bound. Each test builds its repository in tmp_path and
runs dlint in a subprocess with limits on address space and CPU time (resource.setrlimit)."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .helpers import write_tree

MEMORY = 1536 << 20  # address space of one run; an import of every reader takes about 600 MB of it
CPU = 60  # seconds


def bounded(*args: str, cwd: Path, memory: int = MEMORY, cpu: int = CPU, env=None) -> subprocess.CompletedProcess:
    """``dlint ARGS`` in ``cwd`` under rlimits; also returns the CPU seconds it used."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    environment = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    environment.update(env or {})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "dlint_docker", *args], cwd=cwd, capture_output=True, text=True, preexec_fn=limit, env=environment, timeout=cpu * 3
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return done


POLICY = """apiVersion: dlint.dev/v1alpha1
kind: Policy
metadata: {name: data-root-shape, id: ACME001}
spec:
  severity: warning
  breaks: none
  summary: data-root has our shape
  rationale: r
  remediation: m
  when:
    properties: {config: {required: [data-root]}}
  require:
    properties: {config: {properties: {data-root: REQUIRE}}}
  at: /config/data-root
  examples:
    pass: [{daemon.json: '{}'}]
    fail: []
"""


def policy_repo(tmp_path: Path, require: str, daemon: dict = None, extra: str = "") -> Path:
    text = POLICY.replace("REQUIRE", require) + extra
    daemon = daemon if daemon is not None else {"live-restore": True, "data-root": "/srv/docker"}
    return write_tree(tmp_path, {".dlint.yaml": "policy-paths: [p]\n", "p/x.yaml": text, "daemon.json": json.dumps(daemon)})


# -- repository policies ------------------------------------------------------------------------


class _Listener:
    """A TCP port on localhost that records whether anything connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connected = False
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connected = True
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def test_policy_ref_to_the_network_is_never_fetched(tmp_path):
    listener = _Listener()
    try:
        policy_repo(tmp_path, f"{{$ref: 'http://127.0.0.1:{listener.port}/schema.json'}}")
        done = bounded("scan", cwd=tmp_path)
    finally:
        listener.close()
    assert not listener.connected
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml:13:" in done.stderr and "does not resolve inside the policy" in done.stderr


@pytest.mark.parametrize("target", ["file:///dev/zero", "file:///etc/passwd", "other.json", "#/$defs/missing"])
def test_policy_ref_to_a_file_or_a_missing_place_is_a_policy_error(tmp_path, target):
    policy_repo(tmp_path, f"{{$ref: '{target}'}}")
    (tmp_path / "p" / "other.json").write_text('{"type": "string"}')
    done = bounded("scan", cwd=tmp_path, memory=MEMORY, cpu=30)
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml:13:" in done.stderr and target in done.stderr


def test_policy_refs_inside_the_policy_and_to_dlint_schemas_resolve(tmp_path):
    require = "{$defs: {rooted: {pattern: '^/srv/'}}, properties: {config: {properties: {data-root: {$ref: '#/$defs/rooted'}}}}}"
    text = POLICY.replace("properties: {config: {properties: {data-root: REQUIRE}}}", require)
    policy_repo(tmp_path, "{}", {"live-restore": True, "data-root": "/var/lib/docker"}).joinpath("p/x.yaml").write_text(text)
    done = bounded("scan", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "ACME001"]
    assert (finding["path"], finding["line"], finding["column"]) == ("daemon.json", 1, 24)


def test_compiled_json_beside_repository_policies_does_not_skip_validation(tmp_path):
    from dlint_docker.policy.pack import FORMAT, _digest

    policy_repo(tmp_path, "{pattern: '^/srv/'}")
    bad = (tmp_path / "p" / "x.yaml").read_text().replace("severity: warning", "severity: fatal")
    (tmp_path / "p" / "x.yaml").write_text(bad)
    cache = {"format": FORMAT, "sources": {"x.yaml": _digest(bad.encode())}, "resources": []}
    (tmp_path / "p" / "compiled.json").write_text(json.dumps(cache))
    done = bounded("scan", cwd=tmp_path)
    assert done.returncode == 2 and "x.yaml:5" in done.stderr and "fatal" in done.stderr


@pytest.mark.parametrize("entry", ["/etc", "../outside", "link", "p/../../outside"])
def test_policy_paths_stay_inside_the_repository(tmp_path, entry):
    repo = tmp_path / "repo"
    outside = write_tree(tmp_path / "outside", {"x.yaml": POLICY.replace("REQUIRE", "{pattern: x}")})
    write_tree(repo, {".dlint.yaml": f"fail-on: error\npolicy-paths: ['{entry}']\n", "daemon.json": "{}", "p/.keep": ""})
    (repo / "link").symlink_to(outside)
    done = bounded("scan", cwd=repo)
    assert done.returncode == 2, done.stderr
    assert ".dlint.yaml:2" in done.stderr and entry in done.stderr


def test_policy_message_substitutes_plain_names_only(tmp_path):
    message = "\nmessage: 'v={value} {value:>2000000000} {value.__class__} {value[0]} {{x}} {unknown}'"
    policy_repo(tmp_path, "{pattern: '^/var/'}", extra="").joinpath("p/x.yaml").write_text(
        POLICY.replace("REQUIRE", "{pattern: '^/var/'}").replace("  at: /config/data-root", "  at: /config/data-root" + message.replace("\n", "\n  "))
    )
    done = bounded("scan", "--format", "json", cwd=tmp_path, memory=MEMORY)
    assert done.returncode == 1, done.stderr
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "ACME001"]
    assert finding["message"] == 'v="/srv/docker" {value:>2000000000} {value.__class__} {value[0]} {x} {unknown}'


def test_policy_pattern_runs_in_linear_time(tmp_path):
    value = "/" + "a" * 100_000 + "!"
    policy_repo(tmp_path, "{pattern: '^/(a+)+$'}", {"live-restore": True, "data-root": value})
    done = bounded("scan", "--format", "json", cwd=tmp_path, cpu=20)
    assert done.returncode == 1, done.stderr
    assert [f["message"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "ACME001"] == ["data-root has our shape"]
    assert done.cpu < 15


def test_policy_pattern_re2_cannot_run_is_a_policy_error(tmp_path):
    policy_repo(tmp_path, "{pattern: '^(a)\\1$'}")
    done = bounded("scan", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml:13:" in done.stderr and "RE2" in done.stderr


def test_policy_that_refers_to_itself_without_end_is_exit_2_naming_it(tmp_path):
    policy_repo(tmp_path, "{}").joinpath("p/x.yaml").write_text(POLICY.replace("properties: {config: {properties: {data-root: REQUIRE}}}", "{$ref: '#'}"))
    done = bounded("scan", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml" in done.stderr and "ACME001" in done.stderr and "Traceback" not in done.stderr


def test_policy_with_exponential_schema_ends_within_its_budget(tmp_path):
    # each level tries the next one twice: 2**40 steps without a budget
    defs = ", ".join(f"d{i}: {{anyOf: [{{$ref: '#/$defs/d{i + 1}'}}, {{$ref: '#/$defs/d{i + 1}'}}]}}" for i in range(40))
    require = f"{{$defs: {{{defs}, d40: {{type: 'null'}}}}, $ref: '#/$defs/d0'}}"
    policy_repo(tmp_path, "{}").joinpath("p/x.yaml").write_text(POLICY.replace("properties: {config: {properties: {data-root: REQUIRE}}}", require))
    done = bounded("scan", cwd=tmp_path, cpu=60)
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml" in done.stderr and "ACME001" in done.stderr and "schema steps" in done.stderr
    assert done.cpu < 45


# -- writing the report -------------------------------------------------------------------------


def test_output_never_follows_a_symlink_in_the_repository(tmp_path):
    repo = write_tree(tmp_path / "repo", {"daemon.json": '{"live-restore": true}'})
    victim = write_tree(tmp_path, {"victim.txt": "keep me\n"}) / "victim.txt"
    (repo / "report.txt").symlink_to(victim)
    done = bounded("scan", "-o", "report.txt", cwd=repo)
    assert done.returncode == 2 and "report.txt: is a symbolic link" in done.stderr
    assert victim.read_text() == "keep me\n" and (repo / "report.txt").is_symlink()


def test_output_refuses_a_symlinked_folder_inside_the_scanned_tree(tmp_path):
    repo = write_tree(tmp_path / "repo", {"daemon.json": '{"live-restore": true}'})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "out").symlink_to(elsewhere)
    done = bounded("scan", "-o", "out/report.txt", cwd=repo)
    assert done.returncode == 2 and "is a symbolic link in the scanned tree" in done.stderr
    assert list(elsewhere.iterdir()) == []


def test_output_replaces_the_named_file_atomically(tmp_path):
    repo = write_tree(tmp_path / "repo", {"daemon.json": '{"live-restore": true}'})
    target = write_tree(tmp_path, {"reports/r.txt": "old\n"}) / "reports" / "r.txt"
    target.chmod(0o640)
    done = bounded("scan", "--fail-on", "never", "-o", str(target), cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "1 file scanned" in target.read_text() and oct(target.stat().st_mode & 0o777) == "0o640"
    assert [p.name for p in target.parent.iterdir()] == ["r.txt"]  # no temporary file left


CONTROLS = '{"live-restore": true, "\\u001b]0;pwned\\u0007": 1, "a\\nb\\u202e": 2}'


@pytest.mark.parametrize("form", ["text", "github"])
def test_control_characters_from_the_repository_never_reach_the_terminal(tmp_path, form):
    write_tree(tmp_path, {"daemon.json": CONTROLS})
    done = bounded("scan", "--format", form, cwd=tmp_path, env={"FORCE_COLOR": "1"} if form == "text" else None)
    assert done.returncode == 1, done.stderr
    raw = done.stdout.replace("\x1b[0m", "").replace("\x1b[1m", "").replace("\x1b[2m", "")
    for colour in ("31", "33", "36"):
        raw = raw.replace(f"\x1b[{colour}m", "")
    assert not any(c in raw for c in "\x1b\x07\u202e\r"), repr(raw)
    assert "\\x1b]0;pwned\\x07" in done.stdout
    lines = [line for line in done.stdout.splitlines() if "is not a dockerd option" in line]
    assert len(lines) == 2 and any("a\\x0ab\\u202e" in line for line in lines)


# -- code from the scanned repository -----------------------------------------------------------

EVIL = "import pathlib; pathlib.Path({marker!r}).write_text('imported')\n"


def test_nothing_is_imported_from_the_working_directory(tmp_path):
    marker = tmp_path / "marker"
    repo = write_tree(tmp_path / "repo", {
        "daemon.json": '{"live-restore": true}',
        "evil-1.0.dist-info/entry_points.txt": "[dlint_docker]\nevil = evilmod\n",
        "evil-1.0.dist-info/METADATA": "Name: evil\n",
        "evilmod.py": EVIL.format(marker=str(marker)),
        "policies/__init__.py": EVIL.format(marker=str(marker)),
    })
    # python -c puts '' (the working directory) first on sys.path, as embedding does
    code = "import sys; from dlint_docker.cli import main; sys.exit(main(['scan', '--fail-on', 'never', '--select', 'DKD108']))"
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert "DKD108" in done.stdout


# -- what discovery reads -----------------------------------------------------------------------

OUTSIDE_DAEMON = '{"debug": true}'


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True, capture_output=True)


def test_git_listed_path_under_a_folder_now_a_symlink_is_not_read(tmp_path):
    outside = write_tree(tmp_path / "outside", {"daemon.json": OUTSIDE_DAEMON})
    repo = write_tree(tmp_path / "repo", {"conf/daemon.json": '{"live-restore": true}', "daemon.json": '{"live-restore": true}'})
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "x")
    (repo / "conf" / "daemon.json").unlink()
    (repo / "conf").rmdir()
    (repo / "conf").symlink_to(outside)
    done = bounded("scan", "--format", "json", "-v", "--select", "DKD108", cwd=repo)
    report = json.loads(done.stdout)
    assert {f["path"] for f in report["findings"]} == {"daemon.json"}, report["findings"]
    assert done.returncode == 0, done.stderr


def test_core_worktree_of_the_repository_does_not_redirect_the_listing(tmp_path):
    write_tree(tmp_path / "outside", {"daemon.json": OUTSIDE_DAEMON})
    repo = write_tree(tmp_path / "repo", {"daemon.json": '{"live-restore": true}'})
    git(repo, "init", "-q")
    git(repo, "config", "core.worktree", str(tmp_path / "outside"))
    done = bounded("scan", "--format", "json", "--select", "DKD108", cwd=repo)
    report = json.loads(done.stdout)
    assert {f["path"] for f in report["findings"]} == {"daemon.json"}, report["findings"]
    assert not any("outside" in f["path"] for f in report["findings"])


def test_a_fifo_as_gitignore_does_not_stall_the_listing(tmp_path, monkeypatch):
    from dlint_docker import discovery

    from .helpers import scan

    repo = write_tree(tmp_path, {"daemon.json": OUTSIDE_DAEMON})
    git(repo, "init", "-q")
    os.mkfifo(repo / ".gitignore")
    monkeypatch.setattr(discovery, "GIT_TIMEOUT", 2)
    started = time.monotonic()
    result = scan(repo)
    assert time.monotonic() - started < 30
    assert [f.location.path for f in result.findings if f.rule == "DKD101"] == ["daemon.json"]
    assert any("git ls-files did not answer in 2 s" in note for note in result.notes)


def _deep(top: Path, depth: int, name: str, content: bytes) -> None:
    """``depth`` nested folders made through descriptors (os.makedirs itself recurses)."""
    fd = os.open(top, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    out = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(out, content)
    os.close(out)
    os.close(fd)


def _undeep(top: Path, depth: int, name: str) -> None:
    """Remove what _deep made, deepest first (shutil.rmtree recurses)."""
    fds = [os.open(top, os.O_RDONLY)]
    for _ in range(depth):
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    os.unlink(name, dir_fd=fds[-1])
    os.close(fds.pop())
    while fds:
        os.rmdir("d", dir_fd=fds[-1])
        os.close(fds.pop())


def test_thousands_of_nested_folders_outside_git_are_walked(tmp_path):
    _deep(tmp_path, 1500, "daemon.json", OUTSIDE_DAEMON.encode())
    try:
        done = bounded("scan", "--format", "json", cwd=tmp_path)
    finally:
        _undeep(tmp_path, 1500, "daemon.json")
    assert done.returncode == 1, done.stderr[-2000:]
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "DKD101"]
    assert finding["path"] == "d/" * 1500 + "daemon.json"


def test_non_utf8_file_name_in_sarif_is_percent_encoded(tmp_path):
    folder = os.path.join(os.fsencode(tmp_path), b"etc\xff", b"docker")
    os.makedirs(folder)
    with open(os.path.join(folder, b"daemon.json"), "wb") as handle:
        handle.write(OUTSIDE_DAEMON.encode())
    done = bounded("scan", "--format", "sarif", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(done.stdout)["runs"][0]["results"] for loc in r["locations"]}
    assert uris == {"etc%FF/docker/daemon.json"}
    text = bounded("scan", cwd=tmp_path)
    assert text.returncode == 1 and "etc\\xff/docker/daemon.json:1:1" in text.stdout


def test_a_folder_that_cannot_be_listed_is_an_input_error_at_its_path(tmp_path, monkeypatch):
    from dlint_docker import discovery

    from .helpers import scan

    write_tree(tmp_path, {"daemon.json": '{"live-restore": true}', "locked/daemon.json": OUTSIDE_DAEMON})
    real = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    result = scan(tmp_path)
    (finding,) = [f for f in result.findings if f.rule == "DKD901"]
    assert finding.location.path == "locked" and "cannot list (Permission denied)" in finding.message
    assert result.exit_code == 3


def test_a_symlink_named_on_the_command_line_is_said(tmp_path):
    write_tree(tmp_path, {"real/daemon.json": OUTSIDE_DAEMON})
    (tmp_path / "daemon.json").symlink_to(tmp_path / "real" / "daemon.json")
    done = bounded("scan", "daemon.json", cwd=tmp_path)
    assert "dlint: warning: daemon.json: a symbolic link, not followed" in done.stderr
    assert done.returncode == 0


# -- the guard: what a whole run does, watched by an audit hook ---------------------------------

AUDIT_DRIVER = r'''
import json, os, sys
sys.dont_write_bytecode = True  # Python's own .pyc writes are not dlint's
output = os.path.realpath(sys.argv[1])
trees = [os.path.realpath(p) for p in sys.argv[2:]]
seen = []
git_runs = []
CODE = (".py", ".pyc", ".so", ".pth", ".pyd")
HARDENED = ["-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false"]


def inside(path):
    return any(path == t or path.startswith(t + os.sep) for t in trees)


def writes(mode, flags):
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)


def hook(event, args):
    if event.startswith("socket.") or event in ("urllib.Request", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"):
        seen.append(f"{event} {args!r:.200}")
    elif event == "subprocess.Popen":
        argv = [str(a) for a in args[1]]
        if argv[:1] != ["git"] or argv[1:5] != HARDENED or "ls-files" not in argv or "--work-tree" not in argv:
            seen.append(f"subprocess {argv!r}")
        git_runs.append(argv)
    elif event == "open" and isinstance(args[0], (str, bytes)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if writes(args[1], args[2]) and path != os.devnull:
            folder, name = os.path.split(path)
            base = os.path.basename(output)
            cache = os.path.realpath(os.environ["DLINT_CACHE_DIR"])  # dlint's cache: its own lane
            if not (folder == os.path.dirname(output) and (name == base or name.startswith("." + base + "."))) and not path.startswith(cache + os.sep):
                seen.append(f"write {path}")
        elif inside(path) and path.endswith(CODE):
            seen.append(f"code read from the scanned tree {path}")


sys.addaudithook(hook)
from dlint_docker.cli import main

codes = []
for tree in trees:
    for form in ("sarif", "text"):
        codes.append(main(["scan", "--format", form, "-o", output, tree]))
    codes.append(main(["hosts", "-o", output, tree]))
for name, module in list(sys.modules.items()):
    path = os.path.realpath(getattr(module, "__file__", None) or "/nonexistent")
    if inside(path):
        seen.append(f"import {name} from {path}")
print(json.dumps({"codes": codes, "seen": seen, "git": len(git_runs)}))
'''


def _hostile_repositories(tmp_path: Path):
    """A few repositories that try what the issue lists (the examples cover the ordinary kinds)."""
    hostile = write_tree(tmp_path / "hostile", {
        "daemon.json": CONTROLS,
        "evil-1.0.dist-info/entry_points.txt": "[dlint_docker]\nevil = evilmod\n",
        "evilmod.py": "raise SystemExit('imported')\n",
        "policies/__init__.py": "raise SystemExit('imported')\n",
        "linter/__init__.py": "raise SystemExit('imported')\n",
        "dlint_docker/__init__.py": "raise SystemExit('imported')\n",
        "provision.sh": "#!/bin/sh\ncurl http://127.0.0.1:9/x | sh\necho '{\"live-restore\": true}' > /etc/docker/daemon.json\n",
    })
    (hostile / "report.txt").symlink_to(tmp_path / "victim.txt")
    gitrepo = write_tree(tmp_path / "gitrepo", {"etc/docker/daemon.json": '{"debug": true}', ".dlint.yaml": "policy-paths: [p]\n",
                                                "p/x.yaml": POLICY.replace("REQUIRE", "{pattern: '^/srv/'}")})
    git(gitrepo, "init", "-q")
    git(gitrepo, "add", ".")
    refs = policy_repo(tmp_path / "refs", "{$ref: 'http://127.0.0.1:9/x.json'}")
    return [hostile, gitrepo, refs]


def test_a_run_over_every_example_and_hostile_repository_stays_in_its_lane(tmp_path):
    from .helpers import REPO

    driver = tmp_path / "driver" / "audit.py"
    driver.parent.mkdir()
    driver.write_text(AUDIT_DRIVER)
    output = tmp_path / "out" / "report"
    output.parent.mkdir()
    trees = [REPO / "examples", *_hostile_repositories(tmp_path)]
    done = subprocess.run([sys.executable, str(driver), str(output), *map(str, trees)], cwd=tmp_path / "hostile",
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    verdict = json.loads(done.stdout.splitlines()[-1])
    assert verdict["seen"] == [] and verdict["git"] >= 3  # the hook saw git run, and nothing else
    assert 4 not in verdict["codes"] and verdict["codes"][-3:] == [2, 2, 2], verdict["codes"]
    assert not (tmp_path / "victim.txt").exists()


def test_a_sed_or_lineinfile_pattern_from_the_repository_runs_in_linear_time(tmp_path):
    # `a.*a.*a.*a.*a.*b` backtracks in Python's engine for years on a 100 KB line; RE2 does not
    line = "ExecStart=/usr/bin/dockerd " + "a" * 100_000
    script = (
        "#!/bin/sh\napt-get install -y docker-ce\n"
        "cat > /etc/systemd/system/docker.service <<'EOF'\n[Service]\n" + line + "\nEOF\n"
        "sed -i 's/a.*a.*a.*a.*a.*b/x/' /etc/systemd/system/docker.service\n"
        "pkill -f '(a*)*(a*)*(a*)*(a*)*z' || true\n"
    )
    play = "- hosts: all\n  tasks:\n    - apt: {name: docker-ce}\n    - lineinfile: {path: /lib/systemd/system/docker.service, regexp: '(.*)*(.*)*(.*)*(.*)*Z', line: 'ExecStart=/usr/bin/dockerd -H fd://'}\n"
    (tmp_path / "s.sh").write_text(script)
    (tmp_path / "site.yml").write_text(play)
    done = bounded("scan", "--format", "json", cwd=tmp_path, cpu=30)
    assert done.returncode in (0, 1), done.stderr
    assert done.cpu < 20
    # the edit that matched nothing leaves the long ExecStart as written: its words are still judged
    hosts = {f["host"] for f in json.loads(done.stdout)["findings"]}
    assert "s.sh" in hosts


def test_deeply_nested_vagrant_blocks_are_read_in_linear_time(tmp_path):
    depth = 40_000
    text = "Vagrant.configure('2') do |config|\n" + "if x do\n" * depth + "config.vm.provision 'shell', inline: 'apt-get install -y docker-ce'\n" + "end\n" * depth
    (tmp_path / "Vagrantfile").write_text(text)
    done = bounded("scan", "--format", "json", cwd=tmp_path, cpu=30)
    assert done.returncode in (0, 1), done.stderr
    assert done.cpu < 10  # a scope lookup per token used to walk every open block: 40 s here


# --- parser-level time and memory bounds (issue 9) ------------------------------------------------


def _findings(done) -> list:
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return json.loads(done.stdout)["findings"]


def test_a_million_unit_continuations_are_linear_and_past_systemd_s_line_limit_refused(tmp_path):
    # each continuation used to copy the whole logical line so far: quadratic, minutes here
    (tmp_path / "docker.service").write_text("[Service]\nExecStart=/usr/bin/dockerd \\\n" + " \\\n" * 1_000_000 + " --debug\n")
    done = bounded("scan", "--format", "json", cwd=tmp_path, cpu=30)
    assert done.returncode == 1 and done.cpu < 15, done.stderr
    refused = [f for f in _findings(done) if f["rule"] == "DKD204" and "Continuation line too long" in f["message"]]
    # systemd's LONG_LINE_MAX (1 MiB): the physical line that crosses it is where the load fails
    assert [(f["path"], f["line"], f["column"]) for f in refused] == [("docker.service", 2 + (1024 * 1024 - 28) // 2 + 1, 1)]


def test_hcl_that_stalls_tree_sitter_is_cut_at_its_budget_and_said(tmp_path):
    # tree-sitter-hcl's error recovery on a run of spaces and `${`: minutes and 500 MB for 500 KB before
    (tmp_path / "main.tf").write_text('resource "aws_instance" "a" {\n  user_data = "${' + " " * 500_000 + "${" * 20_000 + "\n}\n")
    (tmp_path / "ok.tf").write_text('resource "aws_instance" "b" {\n  user_data = "#!/bin/sh\\napt-get install -y docker-ce\\n"\n}\n')
    done = bounded("scan", "--format", "json", cwd=tmp_path, cpu=40)
    assert done.returncode == 3 and done.cpu < 20, done.stderr
    found = _findings(done)
    unread = [(f["path"], f["line"], f["column"]) for f in found if f["rule"] == "DKD901" and "takes the parser more than" in f["message"]]
    assert unread == [("main.tf", 1, 1)]
    assert any(f["path"] == "ok.tf" for f in found)  # the other file is still read


@pytest.mark.parametrize("form", ["json", "text", "sarif", "github"])
def test_findings_of_one_rule_in_one_file_are_capped_with_a_summary_in_every_format(tmp_path, form):
    from .helpers import at, cli

    script = "#!/bin/sh\napt-get install -y docker-ce\ndockerd" + " --bogus-flag x" * 2000 + "\n"
    (tmp_path / "s.sh").write_text(script)
    done = cli("scan", "--format", form, "--no-color", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "1950 more DKD002 findings in this file" in done.stdout
    assert len(done.stdout) < 200_000  # 2,000 findings would be a megabyte or more
    if form == "json":
        listed = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "DKD002"]
        assert len(listed) == 51
        assert (listed[-1]["line"], listed[-1]["column"]) == at(script, "--bogus-flag", 51)


def test_shell_variables_that_double_are_unknown_past_the_cap_not_gigabytes(tmp_path):
    # V1="$V0$V0" 63 times: 9.6 GB before the kill; past 1 MiB a value is unknown, never guessed
    doubling = "\n".join(["V0=abcdefgh"] + [f'V{i}="$V{i - 1}$V{i - 1}"' for i in range(1, 64)])
    script = ("#!/bin/sh\napt-get install -y docker-ce\n" + doubling + '\nROOT=/etc\nCONF="$ROOT/docker/daemon.json"\n'
              """echo '{"live-restore": true}' > "$CONF"\ndockerd --label "$V63"\n""")
    (tmp_path / "s.sh").write_text(script)
    done = bounded("scan", "--format", "json", "--select", "DKD101,DKD901", cwd=tmp_path, memory=768 << 20, cpu=30)
    # the daemon.json at "$CONF" (a value under the cap, resolved) has live-restore: no DKD101
    assert done.returncode == 0 and done.cpu < 10, done.stderr
    assert _findings(done) == []


def test_exclude_and_exception_globs_from_the_repository_match_in_linear_time(tmp_path):
    # `*a*a*…c` and `**/**/…` backtrack in Python's regex engine (pathspec's default one): RE2 here
    deep = "/".join(["a" * 40] * 40)
    write_tree(tmp_path, {
        ".dlint.yaml": "exclude: ['" + "*a" * 14 + "c', '" + "**/" * 40 + "x']\n"
                       "exceptions:\n  - {rule: DKD101, path: '" + "*a" * 14 + "c', reason: 'not ours, read elsewhere'}\n",
        "etc/docker/daemon.json": '{"debug": true}',
        deep + "/etc/docker/daemon.json": '{"debug": true}',
        deep + "/x/etc/docker/daemon.json": '{"debug": true}',
        "b" * 200 + "/etc/docker/daemon.json": '{"debug": true}',
    })
    done = bounded("scan", "--format", "json", "--select", "DKD101", cwd=tmp_path, cpu=30)
    assert done.returncode == 1 and done.cpu < 10, done.stderr
    paths = sorted(f["path"] for f in _findings(done))
    assert paths == sorted(["etc/docker/daemon.json", deep + "/etc/docker/daemon.json", "b" * 200 + "/etc/docker/daemon.json"])


def test_hcl_over_its_size_bound_is_said_not_parsed_into_gigabytes(tmp_path):
    # tree-sitter-hcl peaks at ~170 bytes per byte of string: 3 MB on one line took 540 MB
    big = 'resource "aws_instance" "a" {\n  user_data = "' + "a" * 1_500_000 + '"\n}\n'
    under = 'resource "aws_instance" "b" {\n  user_data = "#!/bin/sh\\napt-get install -y docker-ce\\n"\n  tags = {\n' + "    t = \"x\"\n" * 60_000 + "  }\n}\n"
    write_tree(tmp_path, {"big/main.tf": big, "under/main.tf": under})
    done = bounded("scan", "--format", "json", cwd=tmp_path, memory=1024 << 20, cpu=30)
    assert done.returncode == 3, done.stderr
    found = _findings(done)
    assert [(f["path"], f["line"]) for f in found if f["rule"] == "DKD901"] == [("big/main.tf", 1)]
    assert "over 1 MiB" in next(f["message"] for f in found if f["rule"] == "DKD901")
    assert any(f["path"] == "under/main.tf" and f["rule"] == "DKD101" for f in found)  # 900 KB is still read


def test_a_long_yaml_comment_is_read_in_linear_time_by_either_composer(tmp_path):
    # a tab sends the text to ruamel.yaml's pure composer, whose scanner grew a comment one
    # character at a time: 55 s for one 2 MB comment line
    play = "- hosts: all\n  tasks:\n#\t" + "c" * 2_000_000 + "\n" + "    # x\n" * 100_000 + "    - apt: {name: docker-ce}\n"
    (tmp_path / "site.yml").write_text(play)
    done = bounded("scan", "--format", "json", "--select", "DKD101", cwd=tmp_path, cpu=30)
    assert done.returncode == 1 and done.cpu < 10, done.stderr
    assert [(f["path"], f["rule"]) for f in _findings(done)] == [("site.yml", "DKD101")]


def test_shell_substitutions_nested_past_the_bound_are_said_and_under_it_read(tmp_path):
    # each level of $( $( … ) ) re-read the rest of the text (quadratic), and its parse tree grew
    # to 840 MB at a million levels
    deep = "#!/bin/sh\napt-get install -y docker-ce\nX=" + "$(" * 200_000 + "echo" + ")" * 200_000 + "\n"
    shallow = "#!/bin/sh\napt-get install -y docker-ce\nX=" + "$(" * 500 + "echo" + ")" * 500 + "\nY=" + "`echo " * 2000 + "\ndockerd --bogus\n"
    write_tree(tmp_path, {"deep.sh": deep, "shallow.sh": shallow})
    done = bounded("scan", "--format", "json", cwd=tmp_path, cpu=30)
    assert done.returncode == 3 and done.cpu < 10, done.stderr
    found = _findings(done)
    assert [(f["path"], f["line"]) for f in found if f["rule"] == "DKD901"] == [("deep.sh", 1)]
    assert "more than 1000 deep" in next(f["message"] for f in found if f["rule"] == "DKD901")
    assert any(f["path"] == "shallow.sh" and f["rule"] == "DKD002" for f in found)


def test_the_working_directory_is_imported_from_only_when_named_on_pythonpath(tmp_path, monkeypatch):
    from dlint_docker.plugins import installed_path

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", ["", str(tmp_path), "/usr/lib/python3/site-packages"])
    monkeypatch.setenv("PYTHONPATH", "")
    assert installed_path() == ["/usr/lib/python3/site-packages"]
    monkeypatch.setenv("PYTHONPATH", ".")  # relative: it could be any folder dlint runs in
    assert installed_path() == ["/usr/lib/python3/site-packages"]
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # a checkout run as PYTHONPATH=$PWD python -m dlint_docker
    assert installed_path() == [str(tmp_path), "/usr/lib/python3/site-packages"]


def test_self_growing_shell_variables_and_packer_user_variables_stay_bounded(tmp_path):
    """P="$P $P $P $P" on many lines, and a Packer user variable that names itself many times: the
    texts dlint builds from them stay small (each step is refused past 4 KiB), so a tiny file never
    costs gigabytes."""
    from .helpers import scan, write_tree

    script = '#!/bin/sh\nP="$X"\n' + 'P="$P $P $P $P"\n' * 12 + "apt-get install -y docker-ce $P\n"
    template = '{"variables": {"a": "' + "{{user `a`}}" * 60 + '"}, "builders": [{"type": "virtualbox-ovf", "output_directory": "{{user `a`}}", "source_path": "{{user `a`}}/x.ovf"}], "provisioners": [{"type": "shell", "inline": ["apt-get install -y docker-ce"]}]}\n'
    write_tree(tmp_path, {"install.sh": script, "base.json": template})
    result = scan(tmp_path)
    assert len(result.hosts) == 2
