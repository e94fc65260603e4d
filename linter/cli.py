"""The ``dlint`` command: scan, rules, explain, schema."""

from __future__ import annotations

import argparse
import codecs
import json
import os
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from . import __version__, exitcodes
from .errors import DlintError

EPILOG = """exit codes:
  0  nothing at or above the --fail-on threshold
  1  findings at or above the threshold
  2  usage or configuration error (bad flag, invalid .dlint.yaml or policy, unknown rule)
  3  an input could not be read or parsed (also reported as a finding with its location)
  4  internal error in dlint or a plugin"""


def _split(values: Optional[List[str]]) -> List[str]:
    out: List[str] = []
    for value in values or ():
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def _command_of(argv: Sequence[str]) -> Optional[str]:
    """The sub-command an argument list names (the top level's options take no values)."""
    for index, arg in enumerate(argv):
        if arg == "--":
            return argv[index + 1] if index + 1 < len(argv) else None
        if not arg.startswith("-"):
            return arg
    return None


def _parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    """The command line's parser; given the ``command`` a run names, the other sub-commands are
    there by name and help only (their options are what a run of them parses, not this one)."""
    if command not in _COMMANDS:
        command = None  # every sub-command in full: --help, completion, an unknown name

    def full(*names: str) -> bool:
        return command is None or command in names

    parser = argparse.ArgumentParser(
        prog="dlint",
        description="Static analysis of how infra repositories configure the Docker engine (dockerd): "
        "live-restore, what dockerd refuses at start-up, CIS Docker Benchmark section 2.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from .cli_extras import VersionAction

    parser.add_argument("--version", action=VersionAction, help="print dlint's version and the engine releases its facts cover")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = commands.add_parser(
        "scan",
        help="find and check the Docker daemon configurations in files and folders",
        description="Find the Docker daemon configurations under PATH (default: .), check them, and report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if full("scan", "fix", "baseline"):  # fix and baseline take over scan's options
        scan.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
        scan.add_argument(
            "-f", "--format", action="append", metavar="FORMAT[:FILE]",
            help="text (default), json, sarif, github (workflow annotations), junit, gitlab (Code Quality), checkstyle; "
            "repeatable: FORMAT:FILE writes that format to FILE, a bare FORMAT goes to standard output",
        )
        scan.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
        scan.add_argument("--fail-on", choices=("error", "warning", "info", "never"), help="lowest severity that makes dlint exit 1 (default: warning)")
        scan.add_argument("-c", "--config", metavar="FILE", help="configuration file (default: .dlint.yaml from PATH up to the git root)")
        scan.add_argument("--engine-version", metavar="X.Y", help="Docker Engine release to check against (default: the newest dlint knows)")
        scan.add_argument("--platform", choices=("linux", "windows"), help="platform of the hosts (default: linux)")
        scan.add_argument("--profile", choices=("recommended", "cis", "all"), help="which policies run (default: recommended; cis adds every CIS Docker Benchmark section 2 control; all)")
        scan.add_argument("--select", action="append", metavar="RULES", help="only these rules: ids, names or id prefixes, comma-separated (repeatable)")
        scan.add_argument("--ignore", action="append", metavar="RULES", help="skip these rules (repeatable)")
        scan.add_argument("--plugin", action="append", metavar="MODULE", help="also load the dlint plugin in this importable module")
        scan.add_argument(
            "--context",
            action="append",
            metavar="DIR",
            help="also read DIR (e.g. the repository) to assemble each host, but report only findings in PATH "
            "(what the pre-commit hook does: a changed daemon.json is judged with its unit)",
        )
        scan.add_argument("--kind", metavar="KIND", help="read every file named as this kind (daemon-json, cloud-init, shell, systemd, ...), whatever its name")
        scan.add_argument("--no-cache", action="store_true", help="read every file again: neither use nor fill the cache (~/.cache/dlint, or $XDG_CACHE_HOME/dlint)")
        scan.add_argument("--progress", action="store_true", default=None, help="show the files read on stderr even when it is not a terminal (default: on a terminal, once a run takes a second)")
        scan.add_argument("-v", "--verbose", action="store_true", help="also show waived findings and notes (skipped files and why)")
        scan.add_argument("--no-color", action="store_true", help="no colour (also: NO_COLOR=1)")
        scan.add_argument("-q", "--quiet", action="store_true", help="the findings only: no summary, no unknown or note lines")
        scan.add_argument("--stdin-filename", metavar="PATH", help="with PATH '-': lint standard input as the file PATH (editors)")
        scan.add_argument("--diff-base", metavar="REV", help="judge the change since git revision REV too (live-restore drift, engine upgrades, restarts) and report only findings new since REV")
        scan.add_argument("--all", action="store_true", dest="all_findings", help="with --diff-base: also the findings that already existed at REV")
        scan.add_argument("--baseline", metavar="FILE", help="report only findings not in this baseline (default: .dlint-baseline.json at the repository root, when there is one)")
        scan.add_argument("--no-baseline", action="store_false", dest="use_baseline", help="report every finding, whatever a baseline holds")
    from .fix import cli as fix_cli

    if full("scan"):
        fix_cli.add_options(scan, with_fix=True)
    fix_cli.add_command(commands, scan, full("fix"))
    from .change import command as diff_command

    diff_command.add_command(commands, full("diff"))
    diff_command.add_baseline_command(commands, scan, full("baseline"))

    hosts = commands.add_parser(
        "hosts",
        help="print each host and its effective dockerd configuration, with where every value comes from",
        description="Assemble the machines the repository provisions and print, for each, how dockerd is started and "
        "its effective configuration (daemon.json keys and command-line flags), each value with its file:line:col.",
    )
    if full("hosts"):
        hosts.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
        hosts.add_argument("-f", "--format", choices=("text", "json"), default="text")
        hosts.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
        hosts.add_argument("-c", "--config", metavar="FILE", help="configuration file (default: .dlint.yaml from PATH up to the git root)")
        hosts.add_argument("--engine-version", metavar="X.Y", help="Docker Engine release whose flags and keys to use")
        hosts.add_argument("--platform", choices=("linux", "windows"), help="platform of the hosts (default: linux)")
        hosts.add_argument("--plugin", action="append", metavar="MODULE", help="also load the dlint plugin in this module")

    rules = commands.add_parser("rules", help="list every policy", description="List every policy: id, name, severity, what it breaks, summary.")
    if full("rules"):
        rules.add_argument("--format", choices=("table", "json"), default="table")
        rules.add_argument("--plugin", action="append", metavar="MODULE", help="also load the dlint plugin in this module")
        rules.add_argument("-c", "--config", metavar="FILE", help="configuration whose policy-paths to include")

    explain = commands.add_parser("explain", help="explain one policy", description="Why a policy exists, what dockerd does, examples, how to fix.")
    if full("explain"):
        explain.add_argument("rule", metavar="ID|NAME")
        explain.add_argument("--plugin", action="append", metavar="MODULE", help="also load the dlint plugin in this module")
        explain.add_argument("-c", "--config", metavar="FILE", help="configuration whose policy-paths to include")

    schema = commands.add_parser(
        "schema",
        help="print a JSON Schema dlint uses",
        description="Print the JSON Schema of daemon.json for an engine version and platform, or of dlint's own files.",
    )
    if full("schema"):
        schema.add_argument("what", choices=("daemon-json", "policy", "config", "report", "hosts"))
        schema.add_argument("--engine-version", metavar="X.Y")
        schema.add_argument("--platform", choices=("linux", "windows"), default="linux")
    completion = commands.add_parser("completion", help="print a shell completion script", description="eval \"$(dlint completion bash)\"; zsh likewise; dlint completion fish | source")
    if full("completion"):
        completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    return parser


_COMMANDS = ("scan", "fix", "diff", "baseline", "hosts", "rules", "explain", "schema", "completion")


# Reading a repository makes many objects that live for the whole scan (composed YAML trees, the
# files a scan keeps): with the default thresholds, full collections over them took about 15% of
# the generated tree's cold scan. Fewer, larger young collections; no change to what is freed.
GC_THRESHOLD = (50_000, 20, 20)


def main(argv: Optional[Sequence[str]] = None) -> int:
    import gc

    gc.set_threshold(*GC_THRESHOLD)
    code = _main(argv)
    if argv is None:
        # the command line's own run: the process ends next, and its last collections would only
        # walk what it leaves behind (about 10 ms of a one-file scan). Objects are still freed
        # by their reference counts, standard output is still flushed.
        gc.freeze()
    return code


def _main(argv: Optional[Sequence[str]]) -> int:
    from .cli_extras import pop_debug

    argv, debug = pop_debug(argv)  # --debug is accepted anywhere on the command line
    parser = _parser(_command_of(argv))
    args = parser.parse_args(argv)
    args.debug = args.debug or debug
    if args.command is None:
        parser.print_help()
        return exitcodes.USAGE
    if args.debug:
        from . import scan

        scan.DEBUG = True
    try:
        return _dispatch(args)
    except DlintError as err:
        print(f"dlint: error: {_said(err)}", file=sys.stderr)
        return exitcodes.USAGE
    except KeyboardInterrupt:
        print("dlint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return exitcodes.OK
    except Exception as err:  # noqa: BLE001 - never a traceback for the user without --debug
        from .evaluate import PolicyCrash

        if isinstance(err, PolicyCrash) and isinstance(err.__cause__, DlintError):
            # a repository's policy that cannot be evaluated is a configuration error, not a bug
            print(f"dlint: error: {_said(err.__cause__)}", file=sys.stderr)
            return exitcodes.USAGE
        if args.debug:
            raise

        what = "a policy failed" if isinstance(err, PolicyCrash) else "internal error"
        print(f"dlint: {what}: {_said(err)} (run with --debug for the traceback, and please report it)", file=sys.stderr)
        return exitcodes.INTERNAL


def _warn(warnings: Sequence[str]) -> None:
    from .report import one_line

    for warning in warnings:
        print(f"dlint: warning: {one_line(warning)}", file=sys.stderr)


def _said(err: BaseException) -> str:
    """An error message on one line: it may quote a scanned file name or policy text."""
    from .report import one_line

    return one_line(err)


def _dispatch(args) -> int:
    if args.command in ("scan", "fix"):
        return _scan(args)
    if args.command == "hosts":
        return _hosts(args)
    if args.command == "diff":
        from .change import command as diff_command

        return diff_command.run(args)
    if args.command == "baseline":
        from .change import command as diff_command

        return diff_command.write_baseline(args, _options(args))
    if args.command == "rules":
        return _rules(args)
    if args.command == "explain":
        return _explain(args)
    if args.command == "completion":
        from .cli_extras import completion

        sys.stdout.write(completion(_parser(), args.shell))
        return exitcodes.OK
    return _schema(args)


def _options(args):
    """The scan options the command line gives (scan, fix, baseline)."""
    from .cli_extras import stdin_paths
    from .scan import Options

    paths, cwd, config = stdin_paths(args)  # `-` with --stdin-filename: standard input as that file
    return Options(
        paths=paths,
        cwd=cwd,
        config=config,
        engine_version=args.engine_version,
        platform=args.platform,
        select=_split(args.select),
        ignore=_split(args.ignore),
        fail_on=args.fail_on,
        plugins=_split(args.plugin),
        context=args.context or (),
        profile=args.profile,
        kind=args.kind,
        cache=not args.no_cache,
        progress=args.progress,
        diff_base=getattr(args, "diff_base", None),
        all_findings=getattr(args, "all_findings", False),
        baseline=getattr(args, "baseline", None),
        use_baseline=getattr(args, "use_baseline", True),
    )


def _scan(args) -> int:
    from .report.text import use_colour
    from .scan import prepare, run

    options = _options(args)
    setup = prepare(options)
    from .report import outputs

    targets = outputs.plan(args.format, args.output, setup.formats)
    from .fix import cli as fix_cli

    if fix_cli.wanted(args):
        stop = fix_cli.run(args, options, setup)  # then report what remains
        if stop is not None:
            return stop
    result = run(options, setup)
    _warn(result.warnings)
    for name, path in targets:
        colour = name == "text" and not path and not args.no_color and use_colour(sys.stdout)
        output = setup.formats[name](result, {"colour": colour, "verbose": args.verbose, "quiet": getattr(args, "quiet", False)})
        _emit(output, path, _scanned(args), machine=name in MACHINE_FORMATS)
    if outputs.summary_needed(targets, args.format) and not getattr(args, "quiet", False):
        from .report.text import summary

        _emit(summary(result) + "\n", None)
    return result.exit_code


def _hosts(args) -> int:
    from .evaluate import Context
    from .report import hosts as hosts_report
    from .scan import Options, gather, prepare

    options = Options(paths=args.paths, config=args.config, engine_version=args.engine_version, platform=args.platform, plugins=_split(args.plugin))
    setup = prepare(options)
    found, hosts, _ = gather(options, setup)
    _warn(found.warnings)
    context = Context(setup.engine_version, frozenset(setup.settings.allowed_keys), setup.settings, setup.engine_origin)
    doc = hosts_report.document(hosts, context)
    output = json.dumps(doc, indent=2, ensure_ascii=False) + "\n" if args.format == "json" else hosts_report.render_text(doc)
    _emit(output, args.output, _scanned(args), machine=args.format == "json")
    return exitcodes.OK


def _escape_bytes(err: UnicodeError):
    """Error handler: the surrogate escapes of undecodable bytes shown as ``\\xNN``."""
    text = err.object[err.start : err.end]
    if all(0xDC80 <= ord(c) <= 0xDCFF for c in text):
        return "".join(f"\\x{ord(c) - 0xDC00:02x}" for c in text), err.end
    return "".join(f"\\u{ord(c):04x}" for c in text), err.end


_BYTES = "dlint-bytes"
codecs.register_error(_BYTES, _escape_bytes)

# formats whose strings escape control characters themselves (JSON)
MACHINE_FORMATS = ("json", "sarif", "gitlab")


def _scanned(args) -> List[Path]:
    """The trees a run reads: each path's work tree (else the path), the context, the cwd."""
    from .discovery import git_root

    trees = [Path.cwd()]
    for raw in [*(args.paths or ["."]), *(getattr(args, "context", None) or ())]:
        path = Path(os.path.abspath(raw))
        folder = path if path.is_dir() and not path.is_symlink() else path.parent
        trees.append(git_root(folder) or folder)
    return trees


def _emit(output: str, path: Optional[str], scanned: Sequence[Path] = (), machine: bool = False) -> None:
    """Write a report: to standard output, or to exactly the file named (see ``report.write``).
    Non-UTF-8 file names are written backslash-escaped; a human-readable report has no raw
    control characters."""
    from .report import terminal_safe
    from .report.output import write

    if not machine:
        output = terminal_safe(output)
    # a byte of a non-UTF-8 file name: \xff for people, a JSON string escape (\udcff) for machines
    data = output.encode("utf-8", "backslashreplace" if machine else _BYTES)
    if path:
        write(path, data, scanned)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _policies(args):
    from .scan import Options, prepare

    setup = prepare(Options(config=getattr(args, "config", None), plugins=_split(args.plugin)))
    return setup.all_policies


def _rules(args) -> int:
    policies = _policies(args)
    if args.format == "json":
        json.dump([p.to_dict() for p in policies], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return exitcodes.OK
    from tabulate import tabulate

    rows = [(p.meta.id, p.meta.name, p.meta.severity_said(), p.meta.breaks, p.meta.profile, p.meta.fix.get("safety", ""), p.meta.summary) for p in policies]
    width = max(40, min(100, _terminal_width() - 89))
    print(tabulate(rows, headers=("ID", "Name", "Severity", "Breaks", "Profile", "Fix", "Summary"), maxcolwidths=[None, None, None, None, None, None, width]))
    return exitcodes.OK


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 140


def _explain(args) -> int:
    from .explain import explain
    from .filtering import resolve

    policies = _policies(args)
    matches = resolve(args.rule, policies, "command line")
    if len(matches) != 1:
        names = ", ".join(p.meta.id for p in matches)
        raise DlintError(f"{args.rule!r} names several rules ({names}); give one id or name")
    sys.stdout.write(explain(matches[0]))
    return exitcodes.OK


def _schema(args) -> int:
    if args.what == "daemon-json":
        from .engine.knowledge import engine, newest_release
        from .scan import check_version

        version = check_version(args.engine_version, "command line") if args.engine_version else newest_release()
        document = engine(version, args.platform).document_schema()
    else:
        name = {"policy": "policy.schema.json", "config": "config.schema.json", "report": "report.schema.json", "hosts": "hosts.schema.json"}[args.what]
        document = json.loads((Path(__file__).resolve().parent / "schemas" / name).read_text("utf-8"))
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return exitcodes.OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
