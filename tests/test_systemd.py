"""systemd units, drop-ins and environment files read as systemd reads them, and the dockerd command
line they give (provisioning-facts §2, dockerd-facts §3.4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlint_docker.document import Document
from dlint_docker.fragments import UnitFile
from dlint_docker.source import Source
from dlint_docker.sources import SNIFF, ReadContext
from dlint_docker.sources.systemd import EnvFileKind, SystemdKind, parse_env_file, parse_unit
from dlint_docker.units import (
    PACKAGED_UNIT,
    command_fragment,
    dockerd_command,
    packaged_dockerd_arguments,
    packaged_unit,
    resolve,
)

SYSTEMD = SystemdKind()
ENVFILE = EnvFileKind()


def _source(rel: str, text: str, kind: str) -> Source:
    return Source(Path("/repo") / rel, rel, rel, kind, text.encode())


def unit(text: str, target: str = "/etc/systemd/system/docker.service", rel: str = "") -> UnitFile:
    rel = rel or target.lstrip("/")
    extraction = SYSTEMD.read(Document(text, rel), ReadContext(_source(rel, text, "systemd"), target=target))
    (fragment,) = extraction.fragments
    return fragment


def envfile(text: str, target: str = "/etc/default/docker", rel: str = ""):
    rel = rel or target.lstrip("/")
    extraction = ENVFILE.read(Document(text, rel), ReadContext(_source(rel, text, "envfile"), target=target))
    (fragment,) = extraction.fragments
    return fragment, extraction.notes


def at(location) -> str:
    return f"{location.path}:{location.line}:{location.column}"


def texts(words) -> list:
    return [w.text for w in words]


def only_command(view):
    assert len(view.exec_start) == 1, [texts(c.words) for c in view.exec_start]
    return view.exec_start[0]


# --- what each kind claims ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel,claimed",
    [
        ("docker.service", True),
        ("roles/docker/files/docker.service", True),
        ("rootfs/etc/systemd/system/docker.socket", True),
        ("etc/systemd/system/docker.service.d/override.conf", True),
        ("files/docker.service.d/10-opts.conf", True),
        ("docker.service.d/http-proxy.conf", True),
        ("files/containerd.service.d/override.conf", False),
        ("files/override.conf", False),
        ("docker.service.d/notes.txt", False),
        ("docker-custom.service", SNIFF),
        ("units/dockerd.service", SNIFF),
        ("templates/service.tpl", False),
        ("templates/docker.service.j2", False),
        ("docker.tpl", False),
    ],
)
def test_systemd_claims(rel, claimed):
    assert SYSTEMD.claims(rel, rel.rsplit("/", 1)[-1]) == claimed


def test_other_services_are_sniffed_for_dockerd():
    assert SYSTEMD.sniff(b"[Service]\nExecStart=/usr/bin/dockerd -H fd://\n") is True
    assert SYSTEMD.sniff(b"[Service]\nExecStart=/usr/bin/dockerd-current\n") is True
    assert SYSTEMD.sniff(b"[Service]\nExecStart=/usr/sbin/nginx\nAfter=docker.service\n") is False


@pytest.mark.parametrize(
    "rel,claimed",
    [
        ("etc/default/docker", True),
        ("rootfs/etc/sysconfig/docker", True),
        ("default/docker", True),
        ("sysconfig/docker", True),
        ("roles/docker/files/default/docker", True),
        ("docker", False),
        ("etc/default/docker.j2", False),
        ("etc/default/dockerd", False),
        ("etc/default/grub", False),
        ("sysconfig/docker-storage", False),
    ],
)
def test_envfile_claims(rel, claimed):
    assert ENVFILE.claims(rel, rel.rsplit("/", 1)[-1]) is claimed


def test_targets_are_guessed_from_the_file_name():
    for rel, target in [
        ("roles/docker/files/docker.service", "/etc/systemd/system/docker.service"),
        ("files/docker.service.d/http-proxy.conf", "/etc/systemd/system/docker.service.d/http-proxy.conf"),
        ("units/docker-custom.service", "/etc/systemd/system/docker-custom.service"),
        ("docker.socket", "/etc/systemd/system/docker.socket"),
    ]:
        source = _source(rel, "[Service]\n", "systemd")
        assert SYSTEMD.read(Document("[Service]\n", rel), ReadContext(source)).fragments[0].target == target
    for rel, target in [("files/default/docker", "/etc/default/docker"), ("sysconfig/docker", "/etc/sysconfig/docker")]:
        source = _source(rel, "A=1\n", "envfile")
        assert ENVFILE.read(Document("A=1\n", rel), ReadContext(source)).fragments[0].target == target


def test_extract_of_a_rootfs_file_uses_its_machine_path():
    text = "[Service]\nKillMode=process\n"
    source = _source("image/rootfs/usr/lib/systemd/system/docker.service.d/10-kill.conf", text, "systemd")
    (fragment,) = SYSTEMD.extract(source).fragments
    assert fragment.target == "/usr/lib/systemd/system/docker.service.d/10-kill.conf"
    source = _source("image/rootfs/etc/sysconfig/docker", "OPTIONS=--live-restore\n", "envfile")
    (fragment,) = ENVFILE.extract(source).fragments
    assert fragment.target == "/etc/sysconfig/docker"
    assert [(v.name, v.value) for v in fragment.variables] == [("OPTIONS", "--live-restore")]


# --- unit-file syntax -------------------------------------------------------------------------

SYNTAX = (
    "# comment\n"  # 1
    "[Unit]\n"  # 2
    "Description = Docker  \n"  # 3
    "  ; an indented comment\n"  # 4
    "[Service]\n"  # 5
    "ExecStart=/usr/bin/dockerd \\\n"  # 6
    "# a comment inside the continuation\n"  # 7
    "  --debug \\\n"  # 8
    "  --tls\n"  # 9
    "Environment=A=#not-a-comment\n"  # 10
    "\tKillMode\t=\tprocess\n"  # 11
)


def test_sections_keys_values_and_key_locations():
    fragment = unit(SYNTAX)
    got = [(e.section, e.key, e.value, at(e.location)) for e in fragment.entries]
    path = "etc/systemd/system/docker.service"
    assert got == [
        ("Unit", "Description", "Docker", f"{path}:3:1"),
        ("Service", "ExecStart", "/usr/bin/dockerd    --debug    --tls", f"{path}:6:1"),
        ("Service", "Environment", "A=#not-a-comment", f"{path}:10:1"),
        ("Service", "KillMode", "process", f"{path}:11:2"),
    ]
    assert fragment.target == "/etc/systemd/system/docker.service"
    assert fragment.source.rel == path


def test_value_offsets_follow_continuation_lines():
    fragment = unit(SYNTAX)
    entry = fragment.entries[1]
    assert len(entry.value_offsets) == len(entry.value)
    doc = fragment.document
    assert doc.line_col(entry.value_offsets[0]) == (6, 11)
    assert doc.line_col(entry.value_offsets[entry.value.index("--debug")]) == (8, 3)
    assert doc.line_col(entry.value_offsets[entry.value.index("--tls")]) == (9, 3)
    # the backslash that ended line 6 is the space that joins it
    assert doc.text[entry.value_offsets[17]] == "\\" and entry.value[17] == " "
    kill = fragment.entries[3]
    assert doc.line_col(kill.value_offsets[0]) == (11, 13)


def test_words_keep_their_line_and_column_across_continuations():
    view = resolve([unit(SYNTAX)])
    command = only_command(view)
    path = "etc/systemd/system/docker.service"
    assert [(w.text, at(w.location)) for w in command.words] == [
        ("/usr/bin/dockerd", f"{path}:6:11"),
        ("--debug", f"{path}:8:3"),
        ("--tls", f"{path}:9:3"),
    ]
    assert at(command.location) == f"{path}:6:1"
    assert command.words[2].location.end_line == 9 and command.words[2].location.end_column == 8


def test_crlf_bom_and_lone_cr_line_endings():
    text = "\ufeff[Service]\r\nKillMode=mixed\r\nType=notify\rDelegate=yes"
    fragment = unit(text)
    assert [(e.key, e.value) for e in fragment.entries] == [("KillMode", "mixed"), ("Type", "notify"), ("Delegate", "yes")]
    assert fragment.document.line_col(fragment.entries[1].value_offsets[0]) == (3, 6)


def test_an_even_number_of_backslashes_does_not_continue():
    fragment = unit("[Service]\nEnvironment=A=x\\\\\nKillMode=process\n")
    assert [(e.key, e.value) for e in fragment.entries] == [("Environment", "A=x\\\\"), ("KillMode", "process")]


def test_a_continuation_at_the_end_of_the_file_is_still_read():
    fragment = unit("[Service]\nExecStart=/usr/bin/dockerd \\")
    assert [(e.key, e.value) for e in fragment.entries] == [("ExecStart", "/usr/bin/dockerd")]


def test_syntax_that_systemd_ignores_or_refuses():
    parsed = parse_unit("KillMode=process\n[Service]\nnonsense\n=x\n[Servce]\nKillMode=mixed\n[X-Mine]\nA=b\n[Service\n", "service")
    assert [(i.message, i.fatal) for i in parsed.issues] == [
        ("Assignment outside of section. Ignoring.", False),
        ("Missing '=', ignoring line.", False),
        ("Missing key name before '=', ignoring line.", False),
        ("Unknown section 'Servce'. Ignoring.", False),
        ("Invalid section header '[Service'", True),
    ]
    # kept, with the section they stand in, for policies; resolve() reads only [Service]
    assert [(s, k, v) for s, k, _, _, v, _ in parsed.entries] == [("", "KillMode", "process"), ("Servce", "KillMode", "mixed"), ("X-Mine", "A", "b")]


def test_read_notes_what_systemd_says():
    extraction = SYSTEMD.read(Document("ExecStart=/usr/bin/dockerd\n", "d.service"), ReadContext(_source("d.service", "", "systemd")))
    assert extraction.notes == ["d.service:1:1: systemd: Assignment outside of section. Ignoring."]


def test_an_invalid_section_header_makes_the_unit_fail_to_load():
    view = resolve([unit("[Service]\nExecStart=/usr/bin/dockerd\n[Install\n")])
    assert view.refused
    (problem,) = view.problems
    assert problem.kind == "refused"
    assert problem.message == "Invalid section header '[Install'; docker.service fails to load"
    assert at(problem.location) == "etc/systemd/system/docker.service:3:1"


def test_assignments_outside_a_section_are_ignored_so_the_unit_has_no_execstart():
    view = resolve([unit("ExecStart=/usr/bin/dockerd -H unix:///run/user/1000/docker.sock\n")])
    assert view.exec_start == []
    assert [(p.kind, p.message) for p in view.problems] == [
        ("ignored", "Assignment outside of section. Ignoring."),
        ("refused", "docker.service: Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing."),
    ]


def test_an_empty_unit_file_masks_the_unit():
    view = resolve([unit(""), unit("[Service]\nExecStart=/usr/bin/dockerd\n", "/usr/lib/systemd/system/docker.service")])
    assert view.unit.target == "/etc/systemd/system/docker.service"
    assert [(p.kind, p.message) for p in view.problems] == [("masked", "Unit docker.service is masked.")]
    assert view.refused and view.exec_start == []


# --- environment files ------------------------------------------------------------------------

ENV = (
    "# comment\n"  # 1
    "; also a comment\n"  # 2
    'DOCKER_OPTS="--dns 8.8.8.8 --log-level=warn"\n'  # 3
    "export HTTP_PROXY=http://proxy:3128\n"  # 4
    "A=  unquoted value with  inner   spaces   \n"  # 5
    "B='single $X \"kept\"'\n"  # 6
    'C="esc \\" \\\\ \\$ \\` \\n kept"\n'  # 7
    "D=line one \\\n"  # 8
    "line two\n"  # 9
    'E=x"y"\n'  # 10
    'F="a"b\n'  # 11
    "G = spaced\n"  # 12
    'H="multi\n'  # 13
    'line"\n'  # 14
    "no equals sign here\n"  # 15
    "I=${DOCKER_OPTS}\n"  # 16
    "1BAD=x\n"  # 17
    "J=last"  # 18
)


def test_environment_file_values_as_systemd_reads_them():
    fragment, notes = envfile(ENV)
    got = {v.name: v.value for v in fragment.variables}
    assert got == {
        "DOCKER_OPTS": "--dns 8.8.8.8 --log-level=warn",
        "A": "unquoted value with  inner   spaces",
        "B": 'single $X "kept"',
        "C": 'esc " \\ $ ` \\n kept',
        "D": "line one line two",
        "E": 'x"y"',
        "F": "ab",
        "G": "spaced",
        "H": "multi\nline",
        "I": "${DOCKER_OPTS}",
        "J": "last",
    }
    assert fragment.target == "/etc/default/docker"
    assert [(v.name, at(v.location)) for v in fragment.variables][:3] == [
        ("DOCKER_OPTS", "etc/default/docker:3:1"),
        ("A", "etc/default/docker:5:1"),
        ("B", "etc/default/docker:6:1"),
    ]
    assert notes == [
        "etc/default/docker:4:1: systemd: Ignoring invalid environment assignment 'export HTTP_PROXY=http://proxy:3128': "
        "/etc/default/docker (EnvironmentFile= has no 'export'; only shell scripts that source the file see HTTP_PROXY)",
        "etc/default/docker:17:1: systemd: Ignoring invalid environment assignment '1BAD=x': /etc/default/docker",
    ]


def test_environment_file_value_offsets():
    fragment, _ = envfile(ENV)
    doc = fragment.document
    by_name = {v.name: v for v in fragment.variables}
    for name, index, line_col in [
        ("DOCKER_OPTS", 0, (3, 14)),
        ("DOCKER_OPTS", 14, (3, 28)),
        ("A", 0, (5, 5)),
        ("D", 8, (8, 11)),  # the blank before the backslash-newline, which is eaten
        ("D", 9, (9, 1)),
        ("H", 6, (14, 1)),
    ]:
        var = by_name[name]
        assert len(var.value_offsets) == len(var.value)
        assert doc.line_col(var.value_offsets[index]) == line_col, (name, index)


def test_env_file_state_machine_edge_cases():
    parsed = parse_env_file("A\nB=\nC='unterminated\n# x\\\nD=after-comment\nE=\\\n")
    assert [(k, v) for k, _, v, _ in parsed.assignments] == [("B", ""), ("C", "unterminated\n# x\\\nD=after-comment\nE=\\\n")]
    parsed = parse_env_file("# comment \\\nK=v\n")
    assert [(k, v) for k, _, v, _ in parsed.assignments] == [("K", "v")]


# --- ExecStart= splitting and expansion ------------------------------------------------------


def exec_words(line: str, *extra: str, env_files=()):
    view = resolve([unit("[Service]\n" + "".join(x + "\n" for x in extra) + "ExecStart=" + line + "\n")], env_files)
    return view


def test_prefixes_are_stripped_and_kept():
    view = exec_words("-+/usr/bin/dockerd --debug")
    command = only_command(view)
    assert command.prefixes == "-+"
    assert texts(command.words) == ["/usr/bin/dockerd", "--debug"]
    assert at(command.program.location) == "etc/systemd/system/docker.service:2:11"
    view = exec_words("@/usr/bin/dockerd my-dockerd --debug")
    command = only_command(view)
    assert command.prefixes == "@" and command.argv0.text == "my-dockerd"
    assert texts(command.arguments) == ["--debug"]
    view = exec_words(":/usr/bin/dockerd $DOCKER_OPTS ${A}", "Environment=DOCKER_OPTS=--debug A=1")
    assert texts(only_command(view).arguments) == ["$DOCKER_OPTS", "${A}"]
    view = exec_words("!!/usr/bin/dockerd")
    assert only_command(view).prefixes == "!!"


def test_systemd_quoting_and_escapes():
    view = exec_words('/usr/bin/dockerd "--label=a b" \'x  y\' --c=\\"q\\" \\x41\\u00e9 a"b c"d \\s')
    command = only_command(view)
    assert texts(command.arguments) == ["--label=a b", "x  y", '--c="q"', "A\u00e9", "ab cd", " "]
    # each word points at its text, quotes included
    path = "etc/systemd/system/docker.service"
    assert [at(w.location) for w in command.arguments] == [f"{path}:2:28", f"{path}:2:42", f"{path}:2:49", f"{path}:2:59", f"{path}:2:70", f"{path}:2:78"]
    assert view.problems == []


def test_unknown_escapes_are_kept_with_a_warning():
    view = exec_words("/usr/bin/dockerd --x=\\q")
    assert texts(only_command(view).arguments) == ["--x=\\q"]
    assert [(p.kind, p.message) for p in view.problems] == [("ignored", 'Ignoring unknown escape sequences: "--x=\\q"')]


def test_unbalanced_quoting_refuses_the_unit_unless_the_command_may_fail():
    view = exec_words('/usr/bin/dockerd "--label=a b')
    assert view.exec_start == []
    assert [(p.kind, p.message) for p in view.problems][0] == ("refused", 'Unbalanced quoting, ignoring: "/usr/bin/dockerd "--label=a b"')
    assert view.refused
    view = exec_words('-/usr/bin/dockerd "--label=a b')
    assert [p.kind for p in view.problems] == ["ignored", "refused"]  # the line is dropped, then no ExecStart
    view = exec_words('"/usr/bin/dockerd --x')  # a bad first word: the line is ignored
    assert [p.kind for p in view.problems] == ["ignored", "refused"]


def test_bad_program_paths():
    view = exec_words("bin/dockerd --debug")
    assert view.problems[0].message == "Neither a valid executable name nor an absolute path: bin/dockerd"
    assert view.problems[0].kind == "refused"
    view = exec_words("dockerd --debug")  # a bare name is searched in systemd's fixed path
    assert texts(only_command(view).words) == ["dockerd", "--debug"]
    assert dockerd_command(view)[0].text == "dockerd"


def test_braced_variables_are_one_word_even_empty_or_with_spaces():
    view = exec_words("/usr/bin/dockerd ${A} ${EMPTY} ${UNSET} --x=${A}! ${A:-d} $${A}", 'Environment="A=one two" EMPTY=')
    assert texts(only_command(view).arguments) == ["one two", "", "", "--x=one two!", "${A:-d}", "${A}"]


def test_dollar_var_is_split_and_only_as_a_whole_word():
    view = exec_words(
        "/usr/bin/dockerd $OPTS --pre$OPTS $UNSET $EMPTY $ $OPTS-x $$OPTS --p=100%% %n",
        "Environment='OPTS=--label \"x y\" --debug' EMPTY=",
    )
    assert texts(only_command(view).arguments) == ["--label", "x y", "--debug", "--pre$OPTS", "$OPTS", "--p=100%", "docker.service"]


def test_a_quoted_dollar_var_is_still_split():
    # systemd removes the quotes when it reads the line; "$X" is then a word of its own
    view = exec_words('/usr/bin/dockerd "$OPTS" \'${OPTS}\'', 'Environment="OPTS=--a --b"')
    assert texts(only_command(view).arguments) == ["--a", "--b", "--a --b"]


def test_unknown_specifier_refuses_the_unit():
    view = exec_words("/usr/bin/dockerd --x=%z")
    assert [(p.kind, p.message) for p in view.problems][0] == ("refused", "Failed to resolve unit specifiers in --x=%z: Invalid slot")


def test_semicolons_separate_commands_and_escaped_ones_are_words():
    view = exec_words("/bin/echo a \\; b ; /bin/echo c", "Type=oneshot")
    assert [texts(c.words) for c in view.exec_start] == [["/bin/echo", "a", ";", "b"], ["/bin/echo", "c"]]
    assert view.problems == []


def test_flag_from_docker_opts_points_into_the_environment_file():
    service = unit(
        "[Service]\n"  # 1
        "EnvironmentFile=-/etc/default/docker\n"  # 2
        "ExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS\n",  # 3
        "/lib/systemd/system/docker.service",
    )
    defaults, _ = envfile(ENV)
    view = resolve([service], [defaults])
    assert view.problems == []
    program, arguments = dockerd_command(view)
    assert program.text == "/usr/sbin/dockerd"
    assert [(w.text, at(w.location)) for w in arguments] == [
        ("-H", "lib/systemd/system/docker.service:3:29"),
        ("fd://", "lib/systemd/system/docker.service:3:32"),
        ("--dns", "etc/default/docker:3:14"),
        ("8.8.8.8", "etc/default/docker:3:20"),
        ("--log-level=warn", "etc/default/docker:3:28"),
    ]
    flag = arguments[4]
    assert (flag.location.end_line, flag.location.end_column) == (3, 44)
    (step,) = flag.location.trace
    assert (step.path, step.line, step.column, step.label) == ("lib/systemd/system/docker.service", 3, 38, "$DOCKER_OPTS")
    assert view.environment["DOCKER_OPTS"].origin == "EnvironmentFile"
    (ref,) = view.environment_files
    assert (ref.path, ref.optional, at(ref.location)) == ("/etc/default/docker", True, "lib/systemd/system/docker.service:2:1")
    assert ref.files == [defaults]


def test_export_lines_never_reach_dockerd():
    service = unit("[Service]\nEnvironmentFile=/etc/default/docker\nExecStart=/usr/bin/dockerd $DOCKER_OPTS\n")
    defaults, notes = envfile('export DOCKER_OPTS="--live-restore"\n')
    view = resolve([service], [defaults])
    assert defaults.variables == []
    assert texts(dockerd_command(view)[1]) == []
    assert "export" in notes[0] and "DOCKER_OPTS" in notes[0]


def test_environment_entries_quoting_and_locations():
    view = exec_words(
        "/usr/bin/dockerd $DOCKER_OPTS $B $C",
        "Environment=\"DOCKER_OPTS=--debug --tls\" 'B=x y' C=plain\\x41",  # line 2
    )
    assert {n: v.value for n, v in view.environment.items()} == {"DOCKER_OPTS": "--debug --tls", "B": "x y", "C": "plainA"}
    arguments = only_command(view).arguments
    assert [(w.text, at(w.location)) for w in arguments] == [
        ("--debug", "etc/systemd/system/docker.service:2:26"),
        ("--tls", "etc/systemd/system/docker.service:2:34"),
        ("x", "etc/systemd/system/docker.service:2:44"),
        ("y", "etc/systemd/system/docker.service:2:46"),
        ("plainA", "etc/systemd/system/docker.service:2:51"),
    ]
    assert arguments[0].location.trace[0].label == "$DOCKER_OPTS"
    assert at(view.environment["B"].location) == "etc/systemd/system/docker.service:2:42"


def test_environment_later_wins_reset_and_invalid_assignments():
    view = exec_words(
        "/usr/bin/dockerd $A",
        "Environment=A=1 Z=9",
        "Environment=A=2 1BAD=x NOEQUALS",
        "Environment=",
        "Environment=A=3",
    )
    assert {n: v.value for n, v in view.environment.items()} == {"A": "3"}
    assert [(p.kind, p.message) for p in view.problems] == [
        ("ignored", "Invalid environment assignment, ignoring: 1BAD=x"),
        ("ignored", "Invalid environment assignment, ignoring: NOEQUALS"),
    ]
    view = exec_words("/usr/bin/dockerd $A", 'Environment=A=1 "B=unbalanced')
    assert view.environment["A"].value == "1" and "B" not in view.environment
    assert view.problems[0].message == 'Invalid syntax, ignoring: A=1 "B=unbalanced'


def test_environment_files_override_environment_and_later_files_win():
    service = unit(
        "[Service]\n"
        "Environment=DOCKER_OPTS=--from-unit OTHER=kept\n"
        "EnvironmentFile=/etc/default/docker\n"
        "EnvironmentFile=-/etc/sysconfig/docker*\n"
        "ExecStart=/usr/bin/dockerd $DOCKER_OPTS $OTHER\n"
    )
    default, _ = envfile("DOCKER_OPTS=--from-default\n")
    sysconfig, _ = envfile("DOCKER_OPTS=--from-sysconfig\n", "/etc/sysconfig/docker")
    network, _ = envfile("NET=1\n", "/etc/sysconfig/docker-network")
    view = resolve([service], [network, sysconfig, default])
    assert texts(dockerd_command(view)[1]) == ["--from-sysconfig", "kept"]
    assert [f.target for f in view.environment_files[1].files] == ["/etc/sysconfig/docker", "/etc/sysconfig/docker-network"]
    assert view.environment["NET"].value == "1" and view.environment["OTHER"].origin == "Environment"


def test_missing_environment_files():
    service = unit(
        "[Service]\n"
        "EnvironmentFile=-/etc/default/docker\n"  # optional: nothing to say
        "EnvironmentFile=/etc/network/proxy.env\n"  # 3
        "EnvironmentFile=relative/path\n"  # 4
        "ExecStart=/usr/bin/dockerd $DOCKER_OPTS\n"
    )
    view = resolve([service], [])
    assert [(p.kind, p.message, at(p.location)) for p in view.problems] == [
        ("ignored", "EnvironmentFile= path is not absolute, ignoring: relative/path", "etc/systemd/system/docker.service:4:1"),
        (
            "missing-file",
            "docker.service: Failed to load environment files: No such file or directory (/etc/network/proxy.env is not among the files read)",
            "etc/systemd/system/docker.service:3:1",
        ),
    ]
    assert not view.refused
    assert texts(dockerd_command(view)[1]) == []
    view = resolve([unit("[Service]\nEnvironmentFile=/etc/x\nEnvironmentFile=\nExecStart=/usr/bin/dockerd\n")])
    assert view.environment_files == [] and view.problems == []


# --- drop-ins, precedence and ExecStart= lists ----------------------------------------------------

PACKAGE_UNIT = (
    "[Service]\n"  # 1
    "Type=notify\n"  # 2
    "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n"  # 3
    "ExecReload=/bin/kill -s HUP $MAINPID\n"  # 4
    "KillMode=process\n"  # 5
    "Delegate=yes\n"  # 6
)


def test_a_drop_in_that_resets_execstart():
    main = unit(PACKAGE_UNIT, "/usr/lib/systemd/system/docker.service")
    override = unit(
        "[Service]\n"  # 1
        "ExecStart=\n"  # 2
        "ExecStart=/usr/bin/dockerd --live-restore\n",  # 3
        "/etc/systemd/system/docker.service.d/override.conf",
    )
    view = resolve([override, main])
    assert view.unit is main and view.dropins == [override] and view.unused == []
    command = only_command(view)
    assert texts(command.words) == ["/usr/bin/dockerd", "--live-restore"]
    assert at(command.location) == "etc/systemd/system/docker.service.d/override.conf:3:1"
    assert at(command.arguments[0].location) == "etc/systemd/system/docker.service.d/override.conf:3:28"
    assert command.unit is override
    assert view.problems == []
    assert view.kill_mode.value == "process" and at(view.kill_mode.location) == "usr/lib/systemd/system/docker.service:5:1"


def test_a_drop_in_that_adds_a_second_execstart_gets_the_unit_refused():
    main = unit(PACKAGE_UNIT, "/usr/lib/systemd/system/docker.service")
    override = unit("[Service]\n\nExecStart=/usr/bin/dockerd --live-restore\n", "/etc/systemd/system/docker.service.d/override.conf")
    view = resolve([main, override])
    assert [texts(c.words) for c in view.exec_start] == [
        ["/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"],
        ["/usr/bin/dockerd", "--live-restore"],
    ]
    (problem,) = view.problems
    assert problem.kind == "refused" and view.refused
    assert problem.message == "docker.service: Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing."
    assert at(problem.location) == "etc/systemd/system/docker.service.d/override.conf:3:1"
    assert [at(loc) for loc in problem.related] == ["usr/lib/systemd/system/docker.service:3:1"]


def test_oneshot_services_may_have_several_execstart():
    main = unit("[Service]\nType=oneshot\nExecStart=/bin/true\n")
    drop = unit("[Service]\nExecStart=/usr/bin/dockerd\n", "/etc/systemd/system/docker.service.d/more.conf")
    view = resolve([main, drop])
    assert len(view.exec_start) == 2 and view.problems == []
    assert view.type.parsed == "oneshot"


def test_reset_without_a_new_execstart():
    main = unit(PACKAGE_UNIT, "/usr/lib/systemd/system/docker.service")
    drop = unit("[Service]\nExecStart=\n", "/etc/systemd/system/docker.service.d/override.conf")
    view = resolve([main, drop])
    (problem,) = view.problems
    assert problem.message == "docker.service: Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing."
    assert at(problem.location) == "etc/systemd/system/docker.service.d/override.conf:2:1"
    drop = unit("[Service]\nExecStart=\nExecStop=/bin/true\n", "/etc/systemd/system/docker.service.d/override.conf")
    (problem,) = resolve([main, drop]).problems
    assert problem.message == "docker.service: Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing."
    assert problem.kind == "refused"


def test_same_name_drop_ins_in_etc_and_usr_lib():
    main = unit(PACKAGE_UNIT, "/usr/lib/systemd/system/docker.service")
    vendor = unit("[Service]\nKillMode=mixed\nDelegate=no\n", "/usr/lib/systemd/system/docker.service.d/10-kill.conf")
    admin = unit("[Service]\nKillMode=control-group\n", "/etc/systemd/system/docker.service.d/10-kill.conf")
    later = unit("[Service]\nDelegate=cpu memory\n", "/usr/lib/systemd/system/docker.service.d/20-delegate.conf")
    runtime = unit("[Service]\nKillMode=none\n", "/run/systemd/system/docker.service.d/15-kill.conf")
    view = resolve([admin, later, vendor, main, runtime])
    assert view.dropins == [admin, runtime, later]  # by file name across folders
    assert view.unused == [vendor]  # /etc's 10-kill.conf replaces /usr/lib's
    assert view.kill_mode.value == "none" and view.kill_mode.unit is runtime
    assert at(view.kill_mode.location) == "run/systemd/system/docker.service.d/15-kill.conf:2:1"
    assert view.delegate.value == "cpu memory" and view.delegate.parsed is True
    assert view.used == [main, admin, runtime, later]


def test_the_highest_priority_unit_wins_for_the_whole_file():
    vendor = unit(PACKAGE_UNIT, "/lib/systemd/system/docker.service")
    admin = unit("[Service]\nExecStart=/usr/bin/dockerd --debug\n", "/etc/systemd/system/docker.service")
    runtime = unit("[Service]\nExecStart=/usr/bin/dockerd --runtime\n", "/run/systemd/system/docker.service")
    dropin = unit("[Service]\nKillMode=mixed\n", "/lib/systemd/system/docker.service.d/kill.conf")
    view = resolve([vendor, runtime, admin, dropin])
    assert view.unit is admin and view.unused == [runtime, vendor]
    assert texts(only_command(view).arguments) == ["--debug"]
    assert view.kill_mode.value == "mixed"  # a vendor drop-in applies to the admin's unit
    assert view.delegate is None and view.exec_reload is None


def test_type_wide_drop_ins_and_other_folders():
    main = unit(PACKAGE_UNIT, "/usr/lib/systemd/system/docker.service")
    all_services = unit("[Service]\nKillMode=mixed\n", "/etc/systemd/system/service.d/50-all.conf")
    unrelated = unit("[Service]\nKillMode=none\n", "/etc/systemd/system/containerd.service.d/50-x.conf")
    stray = unit("[Service]\nKillMode=none\n", "/etc/systemd/system/multi-user.target.wants/docker.service")
    user = unit("[Service]\nExecStart=/usr/bin/dockerd-rootless.sh\n", "/home/ci/.config/systemd/user/docker.service")
    view = resolve([main, all_services, unrelated, stray, user])
    assert view.dropins == [all_services] and view.kill_mode.value == "mixed"
    assert view.unit is main and view.unused == []  # not in the system manager's load path: not considered


def test_kill_mode_delegate_and_exec_reload():
    view = resolve([unit(PACKAGE_UNIT, "/usr/lib/systemd/system/docker.service")])
    path = "usr/lib/systemd/system/docker.service"
    assert (view.kill_mode.value, at(view.kill_mode.location)) == ("process", f"{path}:5:1")
    assert (view.delegate.value, view.delegate.parsed, at(view.delegate.location)) == ("yes", True, f"{path}:6:1")
    assert (view.exec_reload.value, at(view.exec_reload.location)) == ("/bin/kill -s HUP $MAINPID", f"{path}:4:1")
    (reload,) = view.exec_reload.parsed
    assert texts(reload.words) == ["/bin/kill", "-s", "HUP", "$MAINPID"]
    assert at(reload.location) == f"{path}:4:1" and at(reload.words[3].location) == f"{path}:4:29"
    view = resolve([unit("[Service]\nExecStart=/usr/bin/dockerd\nKillMode=process\nKillMode=bogus\nDelegate=no\nExecReload=/bin/kill -HUP $MAINPID\nExecReload=\n")])
    assert view.kill_mode.value == "process"
    assert [(p.kind, p.message) for p in view.problems] == [("ignored", "Failed to parse kill mode specification, ignoring: bogus")]
    assert view.delegate.parsed is False and view.exec_reload is None


def test_other_service_running_dockerd_is_chosen_when_there_is_no_docker_service():
    custom = unit("[Service]\nExecStart=/usr/bin/dockerd-current --selinux-enabled\n", "/etc/systemd/system/docker-custom.service")
    view = resolve([unit("[Socket]\nListenStream=/run/docker.sock\n", "/etc/systemd/system/docker.socket"), custom])
    assert view.name == "docker-custom.service" and view.unit is custom
    assert texts(dockerd_command(view)[1]) == ["--selinux-enabled"]


def test_dockerd_command_finds_dockerd_only():
    view = exec_words("/usr/bin/docker daemon -H fd://")
    assert dockerd_command(view) is None
    view = resolve([unit("[Service]\nType=oneshot\nExecStart=/bin/mkdir -p /run/x\nExecStart=/usr/bin/dockerd-current --x\n")])
    program, arguments = dockerd_command(view)
    assert program.text == "/usr/bin/dockerd-current" and texts(arguments) == ["--x"]
    assert dockerd_command(resolve([])) is None


def test_drop_ins_without_a_unit_and_the_packaged_fallback():
    override = unit("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --config-file=/etc/docker/daemon.json\n", "/etc/systemd/system/docker.service.d/override.conf")
    alone = resolve([override])
    assert alone.unit is None and alone.problems == [] and len(alone.exec_start) == 1
    view = resolve([override], fallback=packaged_unit())
    assert view.assumed and view.unit.target == "/usr/lib/systemd/system/docker.service"
    assert texts(dockerd_command(view)[1]) == ["--config-file=/etc/docker/daemon.json"]
    assert view.kill_mode.value == "process" and at(view.kill_mode.location) == "<packaged docker.service>:21:1"
    adds = unit("[Service]\nExecStart=/usr/bin/dockerd --debug\n", "/etc/systemd/system/docker.service.d/debug.conf")
    view = resolve([adds], fallback=packaged_unit())
    assert view.refused and "more than one ExecStart=" in view.problems[0].message
    assert at(view.problems[0].related[0]) == "<packaged docker.service>:12:1"


def test_packaged_base_and_the_dockerd_command_fragment():
    override = unit("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --live-restore\n", "/etc/systemd/system/docker.service.d/override.conf")
    view = resolve([override], packaged_base=True)
    assert view.assumed and view.kill_mode.value == "process"
    fragment = command_fragment(view)
    assert (fragment.origin, fragment.assumed, fragment.note) == ("systemd", False, "")
    assert fragment.source is override.source and texts(fragment.words) == ["--live-restore"]
    assert at(fragment.location) == "etc/systemd/system/docker.service.d/override.conf:3:1"

    class Host:
        fragments = [override]

    view = resolve([], packaged_base=True)
    fragment = command_fragment(view, Host())
    assert (fragment.origin, fragment.assumed) == ("packaged-unit", True)
    assert fragment.note == "assumes the packaged docker.service of docker-ce (ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock): the repository has none"
    assert fragment.source is override.source and at(fragment.words[0].location) == "<packaged docker.service>:12:28"
    assert resolve([]).unit is None and command_fragment(resolve([])) is None

    refused = resolve([unit("[Service]\nExecStart=/usr/bin/dockerd --debug\n", "/etc/systemd/system/docker.service.d/debug.conf")], packaged_base=True)
    fragment = command_fragment(refused)  # the first dockerd command is the packaged one
    assert fragment.assumed and fragment.note.split("; ")[1] == (
        "systemd does not start this unit: docker.service: Service has more than one ExecStart= setting, "
        "which is only allowed for Type=oneshot services. Refusing."
    )


def test_the_packaged_unit():
    assert PACKAGED_UNIT.exec_start == "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock"
    assert (PACKAGED_UNIT.exec_reload, PACKAGED_UNIT.kill_mode, PACKAGED_UNIT.delegate) == ("/bin/kill -s HUP $MAINPID", "process", "yes")
    words = packaged_dockerd_arguments()
    assert [(w.text, at(w.location)) for w in words] == [
        ("-H", "<packaged docker.service>:12:28"),
        ("fd://", "<packaged docker.service>:12:31"),
        ("--containerd=/run/containerd/containerd.sock", "<packaged docker.service>:12:37"),
    ]
    view = resolve([packaged_unit()])
    assert view.problems == [] and view.type.parsed == "notify" and view.delegate.parsed is True
    assert texts(view.exec_reload.parsed[0].words) == ["/bin/kill", "-s", "HUP", "$MAINPID"]
    assert PACKAGED_UNIT.text.splitlines()[11] == "ExecStart=" + PACKAGED_UNIT.exec_start


def test_an_embedded_unit_points_into_the_outer_file():
    outer = "write_files:\n  - path: /etc/systemd/system/docker.service.d/override.conf\n    content: |\n      [Service]\n      ExecStart=\n      ExecStart=/usr/bin/dockerd --live-restore\n"
    parent = Document(outer, "user-data.yaml")
    inner_text = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --live-restore\n"
    starts = [outer.index("[Service]"), outer.index("ExecStart=\n"), outer.index("ExecStart=/usr")]
    document = Document(inner_text, "user-data.yaml", parent=parent, label="write_files[0]", line_offsets=starts + [len(outer)])
    source = _source("user-data.yaml", outer, "cloud-init")
    context = ReadContext(source, target="/etc/systemd/system/docker.service.d/override.conf", depth=1)
    (fragment,) = SYSTEMD.read(document, context).fragments
    view = resolve([fragment], fallback=packaged_unit())
    flag = dockerd_command(view)[1][0]
    assert (flag.text, at(flag.location)) == ("--live-restore", "user-data.yaml:6:34")
    assert flag.location.trace[0].label == "write_files[0]"


# --- fuzz: nothing a repository holds makes these raise -------------------------------------------

_UNIT_ALPHABET = st.sampled_from(list("[]=\\\"' \t\n\r#;$%{}:@-+!x\x00\ufeffESabcdko1") + ["ExecStart=", "[Service]\n", "Environment=", "EnvironmentFile=", "${A}", "$A", "Type=oneshot\n", "\\\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_UNIT_ALPHABET, max_size=80).map("".join), st.text(max_size=200))
def test_fuzz_unit_read_and_resolve_never_raise(structured, random_text):
    for text in (structured, random_text):
        fragment = unit(text)
        for entry in fragment.entries:
            assert len(entry.value_offsets) == len(entry.value)
        drop = unit(text, "/etc/systemd/system/docker.service.d/fuzz.conf")
        env, _ = envfile(text)
        view = resolve([fragment, drop], [env], fallback=packaged_unit())
        for command in view.exec_start + (view.exec_reload.parsed if view.exec_reload else []):
            for word in command.words:
                assert word.location.line >= 1 and word.location.column >= 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("=\"'\\ \t\n\r#;$xA_1") + ["export ", "DOCKER_OPTS="]), max_size=60).map("".join), st.text(max_size=200))
def test_fuzz_env_file_read_never_raises(structured, random_text):
    service = unit("[Service]\nEnvironmentFile=/etc/default/docker\nExecStart=/usr/bin/dockerd $DOCKER_OPTS ${DOCKER_OPTS} $A\n")
    for text in (structured, random_text):
        fragment, _ = envfile(text)
        for var in fragment.variables:
            assert len(var.value_offsets) == len(var.value)
        resolve([service], [fragment])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("\"'\\ \t;$%{}:@-+!/xu0") + ["\\x4", "\\u00", "${", "%%", "\\;"]), max_size=40).map("".join))
def test_fuzz_exec_start_values_never_raise(value):
    view = resolve([unit("[Service]\nEnvironment='A=a \"b c' B=\nExecStart=" + value + "\n")])
    assert isinstance(view.problems, list)


SOCKET_USER_DATA = """\
#cloud-config
coreos:
  units:
    - name: docker-tcp.socket
      command: start
      content: |
        [Socket]
        ListenStream=2375
        Service=docker.service
    - name: other.socket
      content: |
        [Socket]
        ListenStream=0.0.0.0:9000
"""


def test_a_tcp_socket_systemd_hands_dockerd_through_fd_is_a_listening_address(tmp_path):
    """Container Linux runs dockerd -H fd://: a socket unit for docker.service with a TCP
    ListenStream= opens the API on that port (DKD401 at the ListenStream line); a socket of another
    service, a unix path, or --tlsverify does not make it a finding."""
    from .helpers import at, scan, where, write_tree

    dropin = "    - name: docker.service\n      drop-ins:\n        - name: 10-opts.conf\n          content: |\n            [Service]\n            Environment=DOCKER_OPTS=--debug\n"
    write_tree(tmp_path, {"user-data.yml": SOCKET_USER_DATA + dropin})
    result = scan(tmp_path)
    # live-restore's absence stands at docker.service's drop-in, not at the socket before it
    (absent,) = [f for f in result.findings if f.rule == "DKD101"]
    assert where(absent) == at(SOCKET_USER_DATA + dropin, "[Service]\n            Environment")
    (finding,) = [f for f in result.findings if f.rule == "DKD401"]
    assert where(finding) == at(SOCKET_USER_DATA, "ListenStream=2375") and "tcp://0.0.0.0:2375" in finding.message
    write_tree(tmp_path, {"user-data.yml": SOCKET_USER_DATA.replace("ListenStream=2375", "ListenStream=/run/docker2.sock")})
    assert not [f for f in scan(tmp_path).findings if f.rule == "DKD401"]
    tls = (
        "write_files:\n  - path: /etc/docker/daemon.json\n    content: |\n"
        '      {"tlsverify": true, "tlscacert": "/etc/d/ca.pem", "tlscert": "/etc/d/c.pem", "tlskey": "/etc/d/k.pem"}\n'
    )
    write_tree(tmp_path, {"user-data.yml": SOCKET_USER_DATA + tls})
    result = scan(tmp_path)
    assert len(result.hosts) == 1 and not [f for f in result.findings if f.rule == "DKD401"]
