#!/usr/bin/env python3
"""Measure dlint against its baselines, in one run on one machine.

    python bench/run.py [--kubespray PATH] [--scales 1,4,16] [--repeat N] [--only CASE] [--dlint PATH]

(a) one file (a pre-commit run): ``python -c pass`` (the interpreter the ``dlint`` console script
    runs with) against ``dlint scan`` of one daemon.json, one cloud-init file and one Ansible task
    file of the generated tree;
(b) the generated kubespray-like tree (bench/generate.py) against reading every byte of it
    (``find . -type f -print0 | xargs -0 cat``), as a plain folder and as a git work tree;
(c) the real kubespray (``--kubespray`` or $DLINT_BENCH_KUBESPRAY) against reading every byte and
    against yamllint (installed by the ``bench`` extra);
(d) a generated monorepo (bench/monorepo.py) at 1x, 4x and 16x (20,000 files): time, the slope
    of time against files, and peak memory;
(e) with a dlint that caches (``--no-cache`` exists): every first run with ``--no-cache``, and a
    second run over the unchanged tree with the cache warm, in a temporary XDG_CACHE_HOME.

Every command is a subprocess, timed by wall clock, its peak RSS taken from wait4; the commands are
interleaved round-robin after one untimed warm-up run each, so that drift affects them alike.
Every timed tree scan is checked (a JSON summary; the generated tree's against its manifest).
Standard library only (yamllint optional); Linux (find, xargs, cat and git).
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


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


class Case:
    def __init__(self, key: str, label: str, argv: List[str], cwd: Path, shell: bool = False, check=None, most: Optional[int] = None):
        self.most = most  # at most this many timed runs (a slow baseline such as yamllint)
        self.rss: List[int] = []  # peak resident memory of each run, KiB (ru_maxrss of the process)
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
        if record and self.most is not None and len(self.times) >= self.most:
            return
        argv = [self.argv[0]] if self.shell else list(self.argv)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
            if TIME and not self.shell:
                # Linux carries the forking process's peak RSS into the child's: a small C
                # program forks dlint, and reports its peak (the shell cases are not measured)
                argv = [TIME, "-q", "-f", "%M", "-o", peak.name] + argv
            started = time.perf_counter()
            process = subprocess.Popen(argv[0] if self.shell else argv, cwd=self.cwd, env=env, shell=self.shell, stdout=out, stderr=err)
            _, status, _ = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            done = subprocess.CompletedProcess(self.argv, process.returncode, out.read(), err.read())
            kib = peak.read().strip().splitlines()
        error = self.check(done, self) if self.check else ("" if done.returncode == 0 else f"exit code {done.returncode}: {done.stderr.decode(errors='replace')[:500]}")
        if error and error not in self.errors:
            self.errors.append(error)
        if record:
            self.times.append(elapsed)
            if kib and kib[-1].isdigit():
                self.rss.append(int(kib[-1]))

    @property
    def rss_mb(self) -> float:
        return max(self.rss) / 1024 if self.rss else 0.0

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
    if not re.search(rb"(?<![0-9])1 file scanned, [1-9][0-9]* hosts?\b", done.stdout):
        return "the one-file scan did not read one file into at least one host: " + done.stdout.decode(errors="replace")[-300:]
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
    out = ["| measurement | min ms | median ms | peak RSS MB | / baseline (min) | / baseline (median) | target |",
           "|---|---:|---:|---:|---:|---:|---|"]
    for case, base, target in rows:
        rss = f"{case.rss_mb:.0f}" if case.rss else "-"
        if base is None:
            out.append(f"| {case.label} | {ms(case.best)} | {ms(case.median)} | {rss} | baseline | baseline | |")
        else:
            out.append(f"| {case.label} | {ms(case.best)} | {ms(case.median)} | {rss} | {ratio(case.best, base.best)} | {ratio(case.median, base.median)} | {target} |")
    return "\n".join(out)


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


def scan_check(done: subprocess.CompletedProcess, case: Case) -> str:
    """A `dlint scan --format json` run of a tree: a JSON summary and an exit code dlint gives."""
    if done.returncode not in (0, 1, 3):
        return f"exit code {done.returncode}: {done.stderr.decode(errors='replace')[:500]}"
    try:
        summary = json.loads(done.stdout)["summary"]
    except (ValueError, KeyError) as err:
        return f"no JSON summary ({err})"
    if "duration_seconds" in summary:
        case.inner.append(float(summary["duration_seconds"]))
    return ""


def lint_check(done: subprocess.CompletedProcess, case: Case) -> str:
    return "" if done.returncode in (0, 1) else f"exit code {done.returncode}: {done.stderr.decode(errors='replace')[:300]}"


def slope_lines(points: List[tuple]) -> List[str]:
    """Time against files over the monorepo scales: the slope of each step and a least-squares fit."""
    out = []
    for (f0, c0), (f1, c1) in zip(points, points[1:]):
        out.append(f"{(c1.median - c0.median) / (f1 - f0) * 1e6:.0f} ms per 1,000 files from {f0:,} to {f1:,} files")
    xs = [f for f, _ in points]
    ys = [c.median for _, c in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    fitted = [my + slope * (x - mx) for x in xs]
    total = sum((y - my) ** 2 for y in ys) or 1e-12
    r2 = 1 - sum((y - f) ** 2 for y, f in zip(ys, fitted)) / total
    out.append(f"least squares: {slope * 1e6:.0f} ms per 1,000 files + {my - slope * mx:.2f} s fixed, R² {r2:.4f}")
    return out


def find_yamllint(python: str) -> Optional[List[str]]:
    done = subprocess.run([python, "-c", "import yamllint"], capture_output=True)
    return [python, "-m", "yamllint", "-f", "parsable", "."] if done.returncode == 0 else None


def has_option(dlint: Path, option: str, env: Dict[str, str]) -> bool:
    return option in _out([str(dlint), "scan", "--help"], env=env)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", metavar="DEST", help="a tree made by bench/generate.py (default: generate one into a temporary folder)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated tree when --tree is not given (default: 1)")
    parser.add_argument("--repeat", type=int, default=7, metavar="N", help="timed runs of each command (default: 7)")
    parser.add_argument("--dlint", metavar="PATH", help="the dlint console script (default: beside this Python, else on PATH)")
    parser.add_argument("--no-git", action="store_true", help="skip the scan of the tree as a git work tree")
    parser.add_argument("--kubespray", metavar="PATH", default=os.environ.get("DLINT_BENCH_KUBESPRAY"),
                        help="a clone of kubernetes-sigs/kubespray (default: $DLINT_BENCH_KUBESPRAY; the case is skipped without one)")
    parser.add_argument("--scales", default="1,4,16", help="monorepo sizes, in units of 1,250 files (default: 1,4,16; 'none' skips)")
    parser.add_argument("--only", choices=("generated", "kubespray", "monorepo", "one-file"), action="append",
                        help="run only these cases (repeatable; default: all)")
    parser.add_argument("--profile", action="store_true", help="also show python -X importtime of the one-file scan and cProfile of the tree scan")
    parser.add_argument("--keep-env", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE and PYTHONPYCACHEPREFIX as they are (default: byte-code caching on, "
                             "into a temporary PYTHONPYCACHEPREFIX, as after a pip install; nothing is written beside dlint's sources)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    wanted = set(args.only or ("generated", "kubespray", "monorepo", "one-file"))

    dlint = find_dlint(args.dlint)
    python = interpreter_of(dlint)
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C.UTF-8")
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONDEVMODE", "PYTHONTRACEMALLOC", "PYTHONWARNINGS"):
        env.pop(name, None)

    with tempfile.TemporaryDirectory(prefix="dlint-bench-") as tmp:
        tmp_path = Path(tmp)
        env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # dlint's cache: never the user's
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
        one = next(c["path"] for c in manifest["configs"] if c["embedding"] == "standalone" and c["path"].endswith("/daemon.json") and c.get("flavour") == "good")
        cloud_init = next(c["path"] for c in manifest["configs"] if c["embedding"] == "cloud-init-write_files")
        task_file = next(c["path"] for c in manifest["configs"] if c["embedding"] == "ansible-copy-content" and "/tasks/" in c["path"])

        cached = has_option(dlint, "--no-cache", env)
        cold = ["--no-cache"] if cached else []
        scan = [str(dlint), "scan", "--fail-on", "never"]
        cat = "find . -name .git -prune -o -type f -print0 | xargs -0 cat > /dev/null"
        startup = Case("python", "`python -c pass` (dlint's interpreter)", [python, "-c", "pass"], tree)
        cases: List[Case] = []
        sections: List[tuple] = []  # (title, rows, notes)

        if "one-file" in wanted or "generated" in wanted:
            cases.append(startup)
            one_rows = [(startup, None, "")]
            for key, label, rel, target in (("one", "one daemon.json", one, "≤ 4x"), ("one-ci", "one cloud-init file", cloud_init, "≤ 6x"),
                                            ("one-task", "one Ansible task file", task_file, "≤ 6x")):
                case = Case(key, f"`dlint scan` of {label} (`{rel}`)", scan + cold + [rel], tree, check=one_file_check)
                cases.append(case)
                one_rows.append((case, startup, target))
            sections.append(("One file (a pre-commit run)", one_rows, []))

        if "generated" in wanted:
            cat_tree = Case("cat", "`cat` every file of the generated tree", [cat], tree, shell=True)
            scan_tree = Case("tree", "`dlint scan` of the generated tree (plain folder)", scan + cold + ["--format", "json", "."], tree, check=tree_check(manifest))
            cases += [cat_tree, scan_tree]
            rows = [(cat_tree, None, ""), (scan_tree, cat_tree, "")]
            if not args.no_git:
                git_tree = tmp_path / "git-tree"
                error = git_copy(tree, git_tree, env)
                if not error:
                    scan_git = Case("tree-git", "`dlint scan` of the generated tree (git work tree)", scan + cold + ["--format", "json", "."], git_tree, check=tree_check(manifest))
                    cases.append(scan_git)
                    rows.append((scan_git, cat_tree, ""))
            if cached:
                warm = Case("tree-warm", "`dlint scan` of the generated tree, second run (cache warm)", scan + ["--format", "json", "."], tree, check=tree_check(manifest))
                cases.append(warm)
                rows.append((warm, scan_tree, "≤ 0.3x the first run"))
            sections.append((f"Generated kubespray-like tree ({manifest['files']:,} files, {manifest['bytes'] / 1e6:.1f} MB; {made})", rows, []))

        yamllint = find_yamllint(python)
        if "kubespray" in wanted and args.kubespray:
            ks = Path(args.kubespray).resolve()
            cat_ks = Case("cat-ks", "`cat` every file of kubespray", [cat], ks, shell=True)
            scan_ks = Case("ks", "`dlint scan` of kubespray", scan + cold + ["--format", "json", "."], ks, check=scan_check)
            cases += [cat_ks, scan_ks]
            rows = [(cat_ks, None, ""), (scan_ks, cat_ks, "≤ 0.25 s, ≤ 10x")]
            notes = []
            if yamllint:
                lint_ks = Case("yamllint-ks", "`yamllint -f parsable .` on kubespray", yamllint, ks, check=lint_check, most=3)
                cases.append(lint_ks)
                rows.insert(1, (lint_ks, None, ""))
                notes.append(lambda: f"yamllint / dlint on kubespray: {lint_ks.median / scan_ks.median:.1f}x by medians (target ≥ 12x)")
            else:
                notes.append(lambda: "yamllint not installed: `pip install -e '.[bench]'`")
            if cached:
                warm_ks = Case("ks-warm", "`dlint scan` of kubespray, second run (cache warm)", scan + ["--format", "json", "."], ks, check=scan_check)
                cases.append(warm_ks)
                rows.append((warm_ks, scan_ks, "≤ 0.3x the first run"))
            commit = _out(["git", "-C", str(ks), "rev-parse", "--short", "HEAD"])
            files = _out(["git", "-C", str(ks), "ls-files"]).count("\n") + 1
            sections.append((f"kubespray (`{ks}`, commit {commit or '?'}, {files:,} files tracked)", rows, notes))

        scales = [] if args.scales == "none" or "monorepo" not in wanted else [int(x) for x in args.scales.split(",")]
        if scales:
            import monorepo  # bench/monorepo.py

            rows, points = [], []
            for scale in scales:
                dest = tmp_path / f"monorepo-{scale}x"
                counts = monorepo.generate(dest, scale)
                cat_m = Case(f"cat-m{scale}", f"`cat` every file, monorepo {scale}x ({counts['files']:,} files)", [cat], dest, shell=True)
                scan_m = Case(f"m{scale}", f"`dlint scan`, monorepo {scale}x ({counts['files']:,} files, {counts['docker_files']} Docker files)",
                              scan + cold + ["--format", "json", "."], dest, check=scan_check)
                cases += [cat_m, scan_m]
                rows += [(cat_m, None, ""), (scan_m, cat_m, "≤ 3 s, ≤ 150 MB at 20,000 files" if counts["files"] >= 20000 else "")]
                points.append((counts["files"], scan_m))
            notes = [lambda points=points: "; ".join(slope_lines(points))] if len(points) > 1 else []
            sections.append(("Monorepo (bench/monorepo.py: services of ten files, one in six with Docker host files)", rows, notes))

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
        print(f"- runs: {args.repeat} timed runs of each command (yamllint: 3), interleaved, after one warm-up run each; wall clock and peak RSS of the whole subprocess")
        print(f"- byte-code cache: {bytecode}; dlint's cache: {'in a temporary XDG_CACHE_HOME; first runs with --no-cache, second runs warm' if cached else 'none in this version'}")
        given = list(argv if argv is not None else sys.argv[1:])
        print(f"- command: `python bench/run.py{''.join(' ' + shlex.quote(a) for a in given)}`")
        for title, rows, notes in sections:
            print(f"\n### {title}\n")
            print(table(rows))
            for note in notes:
                print(f"\n- {note()}")
        print("\nCommands (each in its tree's folder):\n")
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
