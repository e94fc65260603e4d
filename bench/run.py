#!/usr/bin/env python3
"""Measure dlint against its baselines, in one run on one machine.

    python bench/run.py [--tree DEST] [--repeat N] [--dlint PATH] [--no-git] [--profile]

(a) start-up: ``python -c pass`` (the interpreter the ``dlint`` console script runs with) against
    ``dlint scan`` of ONE standalone daemon.json from the tree;
(b) throughput: ``dlint scan`` of the whole generated tree against reading every byte of it
    (``find DEST -type f -print0 | xargs -0 cat > /dev/null``); the tree is scanned as a plain
    folder (dlint walks it and honours .gitignore) and, unless --no-git, as a git work tree (dlint
    asks ``git ls-files``), since the two take different code paths.

Every command is a subprocess, timed by wall clock; the commands are interleaved round-robin after
one untimed warm-up run each, so that drift affects them alike. The table gives the minimum and the
median of each, and the ratios dlint / baseline. Every timed tree scan is checked: its JSON summary
must count the standalone daemon.json files the generator planted (bench/generate.py's manifest).

Without --tree the tree is generated into a temporary folder (seed 1) and removed afterwards.
Standard library only; Linux (reads /proc/cpuinfo, uses find, xargs, cat and git).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (bench/generate.py)

TARGET_ONE_FILE_RATIO = 8.0  # one-file scan under 8x bare Python start-up
TARGET_TREE_SECONDS = 1.0  # the kubespray-sized tree under 1 s on a 2-core machine


# --------------------------------------------------------------------------------------------
# the machine


def machine() -> Dict[str, str]:
    info = {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}
    try:
        info["cpus"] = str(len(os.sched_getaffinity(0)))
    except AttributeError:
        info["cpus"] = str(os.cpu_count())
    info["nproc"] = _out(["nproc"]) or info["cpus"]
    model, mhz = "unknown", ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model == "unknown":
                    model = value.strip()
                elif key.strip() == "cpu MHz" and not mhz:
                    mhz = value.strip()
    except OSError:
        pass
    info["cpu"] = model + (f" @ {float(mhz):.0f} MHz" if mhz else "")
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            first = handle.readline().split()
            info["memory"] = f"{int(first[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    info["kernel"] = f"{platform.system()} {platform.release()}"
    try:
        info["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    return info


def _out(command: Sequence[str], **kwargs) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)
    except (OSError, subprocess.SubprocessError):
        return ""
    return (done.stdout or done.stderr).strip()


# --------------------------------------------------------------------------------------------
# dlint and its interpreter


def find_dlint(given: Optional[str]) -> Path:
    if given:
        path = Path(given)
    else:
        beside = Path(sys.executable).parent / "dlint"
        found = shutil.which("dlint")
        if beside.is_file():
            path = beside
        elif found:
            path = Path(found)
        elif Path("/tmp/venv/bin/dlint").is_file():
            path = Path("/tmp/venv/bin/dlint")
        else:
            raise SystemExit("run.py: no dlint found (install it, or pass --dlint PATH)")
    if not path.is_file():
        raise SystemExit(f"run.py: --dlint {given}: no such file")
    return path


def interpreter_of(script: Path) -> str:
    """The interpreter on the console script's #! line (the one dlint runs with)."""
    with open(script, "rb") as handle:
        first = handle.readline().decode("utf-8", "replace").strip()
    if first.startswith("#!"):
        words = shlex.split(first[2:])
        if words and os.path.basename(words[0]) == "env" and len(words) > 1:
            return shutil.which(words[1]) or words[1]
        if words:
            return words[0]
    return sys.executable


# --------------------------------------------------------------------------------------------
# timing


class Case:
    def __init__(self, key: str, label: str, argv: List[str], cwd: Path, shell: bool = False, check=None):
        self.key = key
        self.label = label
        self.argv = argv
        self.cwd = cwd
        self.shell = shell
        self.check = check  # called with the CompletedProcess of every run; returns an error or ""
        self.times: List[float] = []
        self.errors: List[str] = []
        self.inner: List[float] = []  # dlint's own duration_seconds, when it reports one

    def run(self, env: Dict[str, str], record: bool) -> None:
        started = time.perf_counter()
        done = subprocess.run(self.argv if not self.shell else self.argv[0], cwd=self.cwd, env=env, shell=self.shell,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - started
        error = self.check(done, self) if self.check else ("" if done.returncode == 0 else f"exit code {done.returncode}: {done.stderr.decode(errors='replace')[:500]}")
        if error and error not in self.errors:
            self.errors.append(error)
        if record:
            self.times.append(elapsed)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def display(self) -> str:
        if self.shell:
            return self.argv[0]
        return " ".join(shlex.quote(a) for a in self.argv)


def tree_check(manifest: Dict[str, object]):
    """Checks a `dlint scan --format json` run of the whole tree against the manifest."""
    expected = manifest["expected"]
    want_exit = 3 if expected.get("invalid_json") else 0
    decoys = {d["path"] for d in manifest["decoys"]}

    def check(done: subprocess.CompletedProcess, case: Case) -> str:
        if done.returncode not in (0, 1, 3):
            return f"exit code {done.returncode}: {done.stderr.decode(errors='replace')[:500]}"
        try:
            summary = json.loads(done.stdout)["summary"]
        except (ValueError, KeyError) as err:
            return f"no JSON summary ({err})"
        if "duration_seconds" in summary:
            case.inner.append(float(summary["duration_seconds"]))
        problems = []
        # a floor, not an exact count: every source kind dlint learns adds sources and hosts
        if summary.get("sources", 0) < expected["sources"]:
            problems.append(f"sources {summary.get('sources')} (expected at least {expected['sources']}: the standalone daemon.json files and the decoys claimed by name)")
        if summary.get("hosts", 0) < expected["hosts"]:
            problems.append(f"hosts {summary.get('hosts')} (expected at least {expected['hosts']}: the standalone daemon.json files)")
        try:
            flagged = sorted({f.get("host") or f.get("path") for f in json.loads(done.stdout)["findings"]} & decoys)
        except (ValueError, KeyError, TypeError, AttributeError):
            flagged = []
        if flagged:
            problems.append("decoys judged to be Docker daemon configurations: " + ", ".join(flagged))
        if done.returncode != want_exit:
            problems.append(f"exit code {done.returncode} (expected {want_exit} with --fail-on never: {expected.get('invalid_json', 0)} file(s) of invalid JSON)")
        return "; ".join(problems)

    return check


def one_file_check(done: subprocess.CompletedProcess, case: Case) -> str:
    if done.returncode not in (0, 1):
        return f"exit code {done.returncode}: {done.stderr.decode(errors='replace')[:500]}"
    if not re.search(rb"(?<![0-9])1 host\b", done.stdout):
        return "the one-file scan did not report exactly one host: " + done.stdout.decode(errors="replace")[-300:]
    return ""


def measure(cases: List[Case], repeat: int, env: Dict[str, str]) -> None:
    for case in cases:  # warm-up: page cache, .pyc files, git's index
        case.run(env, record=False)
    for _ in range(repeat):
        for case in cases:
            case.run(env, record=True)


# --------------------------------------------------------------------------------------------
# profiles


def importtime(python: str, dlint: Path, target: Path, cwd: Path, env: Dict[str, str], top: int = 25) -> str:
    done = subprocess.run([python, "-X", "importtime", str(dlint), "scan", "--fail-on", "never", str(target)],
                          cwd=cwd, env=env, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3:
            continue
        name = parts[2].rstrip()
        rows.append((int(parts[1]), int(parts[0]), len(name) - len(name.lstrip()), name.strip()))
    total_self = sum(r[1] for r in rows)
    out = [f"`python -X importtime dlint scan {target.name}`: {len(rows)} modules imported, {total_self / 1000:.1f} ms of import time in all (self times summed)",
           "", "| cumulative ms | self ms | module |", "|---:|---:|---|"]
    for cumulative, self_us, depth, name in sorted(rows, reverse=True)[:top]:
        out.append(f"| {cumulative / 1000:.1f} | {self_us / 1000:.1f} | {'  ' * (depth // 2)}{name} |")
    return "\n".join(out)


def cprofile(python: str, dlint: Path, tree: Path, env: Dict[str, str], top: int = 30) -> str:
    with tempfile.TemporaryDirectory(prefix="dlint-prof-") as tmp:
        stats = Path(tmp) / "scan.prof"
        subprocess.run([python, "-m", "cProfile", "-o", str(stats), str(dlint), "scan", "--fail-on", "never", "."],
                       cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        code = ("import pstats, sys; s = pstats.Stats(sys.argv[1]); s.sort_stats('cumulative').print_stats(int(sys.argv[2]));"
                " s.sort_stats('tottime').print_stats(int(sys.argv[2]) // 2)")
        done = subprocess.run([python, "-c", code, str(stats), str(top)], capture_output=True, text=True)
    lines = [l for l in done.stdout.splitlines() if l.strip() and not l.startswith(("   Ordered by", "   List reduced"))]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# the report


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x"


def table(rows: List[tuple]) -> str:
    out = ["| measurement | min ms | median ms | dlint / baseline (min) | dlint / baseline (median) | target |",
           "|---|---:|---:|---:|---:|---|"]
    for case, base, target in rows:
        if base is None:
            out.append(f"| {case.label} | {ms(case.best)} | {ms(case.median)} | baseline | baseline | |")
        else:
            out.append(f"| {case.label} | {ms(case.best)} | {ms(case.median)} | {ratio(case.best, base.best)} | {ratio(case.median, base.median)} | {target} |")
    return "\n".join(out)


def verdict_one_file(case: Case, base: Case) -> str:
    r = case.median / base.median
    return f"{'met' if r < TARGET_ONE_FILE_RATIO else 'MISSED'} ({r:.1f}x by medians, {case.best / base.best:.1f}x by minima; target < {TARGET_ONE_FILE_RATIO:g}x)"


def verdict_tree(case: Case, cpus: str) -> str:
    ok = case.median < TARGET_TREE_SECONDS
    note = "" if cpus == "2" else f"; this machine has {cpus} CPUs, the target is for 2"
    return f"{'met' if ok else 'MISSED'} (median {case.median:.2f} s, min {case.best:.2f} s; target < {TARGET_TREE_SECONDS:g} s{note})"


def git_copy(tree: Path, dest: Path, env: Dict[str, str]) -> Optional[str]:
    """A copy of the tree as a git work tree with everything committed; an error, or None."""
    if not shutil.which("git"):
        return "git not found"
    shutil.copytree(tree, dest, symlinks=True)
    for command in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false",
                     "commit", "-q", "-m", "generated tree"]):
        done = subprocess.run(command, cwd=dest, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            return f"{' '.join(command)}: {done.stderr.strip()}"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", metavar="DEST", help="a tree made by bench/generate.py (default: generate one into a temporary folder)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated tree when --tree is not given (default: 1)")
    parser.add_argument("--repeat", type=int, default=11, metavar="N", help="timed runs of each command (default: 11)")
    parser.add_argument("--dlint", metavar="PATH", help="the dlint console script (default: beside this Python, else on PATH)")
    parser.add_argument("--no-git", action="store_true", help="skip the scan of the tree as a git work tree")
    parser.add_argument("--profile", action="store_true", help="also show python -X importtime of the one-file scan and cProfile of the tree scan")
    parser.add_argument("--keep-env", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE and PYTHONPYCACHEPREFIX as they are (default: byte-code caching on, "
                             "into a temporary PYTHONPYCACHEPREFIX, as after a pip install; nothing is written beside dlint's sources)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    dlint = find_dlint(args.dlint)
    python = interpreter_of(dlint)
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C.UTF-8")
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONDEVMODE", "PYTHONTRACEMALLOC", "PYTHONWARNINGS"):
        env.pop(name, None)

    with tempfile.TemporaryDirectory(prefix="dlint-bench-") as tmp:
        tmp_path = Path(tmp)
        if args.keep_env:
            bytecode = ("off (PYTHONDONTWRITEBYTECODE is set: modules without a .pyc are compiled on every run)"
                        if env.get("PYTHONDONTWRITEBYTECODE") else "as the environment has it")
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pycache")
            bytecode = "on, written to a temporary PYTHONPYCACHEPREFIX during the warm-up runs"
        if args.tree:
            tree = Path(args.tree).resolve()
            try:
                manifest = json.loads((tree / generate.MANIFEST).read_text("utf-8"))
            except OSError:
                raise SystemExit(f"run.py: {tree}: no {generate.MANIFEST}; make the tree with bench/generate.py")
            made = f"`python bench/generate.py {args.tree} --seed {manifest['seed']}`"
        else:
            tree = tmp_path / "tree"
            started = time.perf_counter()
            manifest = generate.generate(tree, args.seed)
            made = f"generated into a temporary folder (seed {args.seed}) in {time.perf_counter() - started:.1f} s"
        expected = manifest["expected"]
        one = next(c["path"] for c in manifest["configs"] if c["embedding"] == "standalone" and c["path"].endswith("/daemon.json") and c.get("flavour") == "good")

        scan = [str(dlint), "scan", "--fail-on", "never"]
        cat = "find . -name .git -prune -o -type f -print0 | xargs -0 cat > /dev/null"
        startup = Case("python", "`python -c pass` (dlint's interpreter)", [python, "-c", "pass"], tree)
        one_file = Case("one", f"`dlint scan` of one daemon.json", scan + [one], tree, check=one_file_check)
        cat_tree = Case("cat", "`cat` every file of the tree", [cat], tree, shell=True)
        scan_tree = Case("tree", "`dlint scan` of the tree (plain folder: walk + .gitignore)", scan + ["--format", "json", "."], tree, check=tree_check(manifest))
        cases = [startup, one_file, cat_tree, scan_tree]
        rows = [(startup, None, ""), (one_file, startup, f"< {TARGET_ONE_FILE_RATIO:g}x"), (cat_tree, None, ""), (scan_tree, cat_tree, f"< {TARGET_TREE_SECONDS:g} s")]

        git_note = ""
        if not args.no_git:
            git_tree = tmp_path / "git-tree"
            error = git_copy(tree, git_tree, env)
            if error:
                git_note = f"git work tree skipped: {error}"
            else:
                cat_git = Case("cat-git", "`cat` every file of the git work tree (not .git/)", [cat], git_tree, shell=True)
                scan_git = Case("tree-git", "`dlint scan` of the tree (git work tree: git ls-files)", scan + ["--format", "json", "."], git_tree, check=tree_check(manifest))
                cases += [cat_git, scan_git]
                rows += [(cat_git, None, ""), (scan_git, cat_git, f"< {TARGET_TREE_SECONDS:g} s")]

        info = machine()
        print(f"Measuring {len(cases)} commands, {args.repeat} timed runs each (after one warm-up run each)...", file=sys.stderr)
        measure(cases, args.repeat, env)

        dlint_version = _out([str(dlint), "--version"])
        python_version = _out([python, "-VV"]).replace("\n", " ")
        commit = _out(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"])
        dirty = _out(["git", "-C", str(HERE), "status", "--porcelain", "--untracked-files=no", "--", str(HERE.parent / "linter"), str(HERE.parent / "policies")])

        print(f"## dlint benchmark, {info['date']}\n")
        print(f"- machine: {info['nproc']} CPUs (nproc), {info['cpu']}, {info.get('memory', '?')} RAM, {info['kernel']}, load average before: {info.get('load', '?')}")
        print(f"- Python: {python_version} ({python})")
        print(f"- dlint: {dlint_version} ({dlint}), source commit {commit or '?'}{' with uncommitted changes to linter/ or policies/' if dirty else ''}")
        print(f"- tree: {manifest['files']} files, {manifest['bytes'] / 1e6:.1f} MB, {manifest['daemon_configs']} Docker daemon configurations "
              f"({manifest['by_embedding'].get('standalone', 0)} standalone daemon.json); {made}")
        print(f"- one file: `{one}`")
        print(f"- runs: {args.repeat} timed runs of each command, interleaved, after one warm-up run each; wall clock of the whole subprocess")
        print(f"- byte-code cache: {bytecode}")
        given = list(argv if argv is not None else sys.argv[1:])
        print(f"- command: `python bench/run.py{''.join(' ' + shlex.quote(a) for a in given)}`\n")
        print(table(rows))
        print()
        print(f"- one-file scan vs Python start-up: {verdict_one_file(one_file, startup)}")
        for case, _, target in rows:
            if case.key.startswith("tree"):
                inner = f"; dlint's own duration_seconds (after start-up and imports): median {statistics.median(case.inner):.2f} s" if case.inner else ""
                print(f"- {case.label}: {verdict_tree(case, info['nproc'])}{inner}")
        if git_note:
            print(f"- {git_note}")
        print("\nCommands (run in the tree's folder):\n")
        for case in cases:
            print(f"- {case.key}: `{case.display()}`")

        failed = [c for c in cases if c.errors]
        if failed:
            print("\n**Verification failed** (the timings above are of these runs):\n")
            for case in failed:
                for error in case.errors:
                    print(f"- {case.label}: {error}")

        if args.profile:
            print("\n### Imports of the one-file scan\n")
            print(importtime(python, dlint, tree / one, tree, env))
            print("\n### cProfile of the tree scan (plain folder)\n")
            print("```")
            print(cprofile(python, dlint, tree, env))
            print("```")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
