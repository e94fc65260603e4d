"""The shell source kind: files written, dockerd flags, swarm, engine packages, service actions,
each with its exact position; here-documents by bash's rules; nothing raises."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint_docker.document import Document
from dlint_docker.fragments import DockerdCommand, EnginePackage, ServiceAction, SwarmMembership
from dlint_docker.source import Source
from dlint_docker.sources import SNIFF, ReadContext
from dlint_docker.sources.shell import ShellKind, pin_of, scan_heredocs


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def read(text: str, path: str = "provision.sh"):
    source = Source(Path("/repo") / path, path, path, "shell", text.encode("utf-8", "surrogatepass"))
    return ShellKind().read(Document(text, path), ReadContext(source))


def of(extraction, kind):
    return [fragment for fragment in extraction.fragments if isinstance(fragment, kind)]


def at(location):
    return (location.line, location.column)


def inner(embedded, needle: str, nth: int = 0):
    """Line and column, in the outer file, of ``needle`` inside an embedded document."""
    text = embedded.document.text
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    return at(embedded.document.location(index))


def every_character_maps_back(embedded, outer: str, skip: str = "") -> None:
    """Each character of the embedded text stands at its mapped place in the outer text."""
    rows = outer.split("\n")
    for index, char in enumerate(embedded.document.text):
        if char in skip:
            continue
        location = embedded.document.location(index)
        assert location.exact
        row = rows[location.line - 1] + "\n"
        assert row[location.column - 1] == char, (index, char, location)


# --- recognising scripts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel,answer",
    [
        ("scripts/install.sh", True),
        ("setup.bash", True),
        ("bin/provision", SNIFF),
        (".bashrc", SNIFF),
        ("user-data.yaml", False),
        ("templates/init.tpl", False),
        ("daemon.json", False),
    ],
)
def test_claims(rel, answer):
    assert ShellKind().claims(rel, rel.rsplit("/", 1)[-1]) == answer


@pytest.mark.parametrize(
    "head,answer",
    [
        (b"#!/bin/sh\nset -e\n", True),
        (b"#!/usr/bin/env bash\n", True),
        (b"#! /bin/bash -eu\n", True),
        (b"#!/usr/bin/env -S dash -e\n", True),
        (b"\xef\xbb\xbf#!/bin/ash\n", True),
        (b"#!/bin/zsh", True),
        (b"#!/usr/bin/python3\n", False),
        (b"#cloud-config\n", False),
        (b"echo hello\n", False),
    ],
)
def test_sniff(head, answer):
    assert ShellKind().sniff(head) is answer


def test_needles_skip_scripts_that_never_mention_docker():
    kind = ShellKind()
    assert kind.needles.search(b"systemctl restart docker")
    assert not kind.needles.search(b"systemctl restart nginx")


# --- here-documents -----------------------------------------------------------------------


def test_unquoted_heredoc_to_daemon_json_maps_every_key_to_the_script():
    text = lines(
        "#!/bin/sh",
        "mkdir -p /etc/docker",
        "cat > /etc/docker/daemon.json <<EOF",
        "{",
        '  "live-restore": true,',
        '  "log-driver": "local"',
        "}",
        "EOF",
        "systemctl restart docker",
    )
    extraction = read(text)
    [embedded] = extraction.embedded
    assert embedded.kind == "daemon-json"
    assert embedded.target == "/etc/docker/daemon.json"
    assert embedded.document.text == '{\n  "live-restore": true,\n  "log-driver": "local"\n}\n'
    assert not embedded.templated and not embedded.append
    assert embedded.document.label == "heredoc > /etc/docker/daemon.json"
    assert inner(embedded, '"live-restore"') == (5, 3)
    assert inner(embedded, '"local"') == (6, 17)
    location = embedded.document.location(embedded.document.text.index("true"))
    assert location.path == "provision.sh" and location.exact
    assert [(step.line, step.label) for step in location.trace] == [(4, "heredoc > /etc/docker/daemon.json")]
    every_character_maps_back(embedded, text)


def test_redirect_after_the_heredoc_operator():
    text = lines("cat <<EOF > /etc/docker/daemon.json", '{"debug": true}', "EOF")
    [embedded] = read(text).embedded
    assert embedded.target == "/etc/docker/daemon.json"
    assert embedded.document.text == '{"debug": true}\n'
    assert inner(embedded, '"debug"') == (2, 2)


def test_unquoted_body_with_expansions_is_templated():
    text = lines("cat > /etc/docker/daemon.json <<EOF", '{"data-root": "$DATA/docker", "dns": ["$(dig +short ns)"]}', "EOF")
    [embedded] = read(text).embedded
    assert embedded.templated
    assert embedded.document.text == '{"data-root": "$DATA/docker", "dns": ["$(dig +short ns)"]}\n'


@pytest.mark.parametrize("delimiter", ["'EOF'", '"EOF"', "\\EOF", 'E"O"F', "'E'OF"])
def test_quoted_delimiters_keep_the_body_literal(delimiter):
    text = lines(f"cat > /etc/docker/daemon.json <<{delimiter}", '{"data-root": "$DATA", "x": "a\\\\b \\$"}', "EOF", "echo after")
    [embedded] = read(text).embedded
    assert embedded.document.text == '{"data-root": "$DATA", "x": "a\\\\b \\$"}\n'
    assert not embedded.templated
    assert inner(embedded, "$DATA") == (2, 16)


def test_unquoted_backslash_rule_and_exact_positions_after_each_escape():
    text = lines(
        "cat > /etc/systemd/system/docker.service.d/override.conf <<EOF",
        "[Service]",
        "ExecStart=",
        "ExecStart=/usr/bin/dockerd \\$DOCKER_OPTS \\",
        "  --live-restore \\\\x \\x",
        "EOF",
    )
    [embedded] = read(text).embedded
    assert embedded.kind == "systemd"
    # \$ loses its backslash, \-newline joins the lines, \\ is one backslash, \x stays (facts §3.1)
    assert embedded.document.text == "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd $DOCKER_OPTS   --live-restore \\x \\x\n"
    assert not embedded.templated  # the only $ was escaped
    assert embedded.document._pieces is not None  # mapped piece by piece
    assert inner(embedded, "$DOCKER_OPTS") == (4, 29)
    assert inner(embedded, "--live-restore") == (5, 3)
    assert inner(embedded, "\\x") == (5, 19)
    every_character_maps_back(embedded, text, skip="")


def test_tab_stripping_heredoc_points_past_the_stripped_tabs():
    text = lines(
        "if true; then",
        "\tcat <<-EOF > /etc/default/docker",
        "\t\tDOCKER_OPTS=\"--live-restore\"",
        "\t  SPACES=kept",
        "\tEOF",
        "fi",
    )
    [embedded] = read(text).embedded
    assert embedded.kind == "envfile"
    assert embedded.document.text == 'DOCKER_OPTS="--live-restore"\n  SPACES=kept\n'
    assert embedded.document._pieces is None  # mapped line by line
    assert inner(embedded, "DOCKER_OPTS") == (3, 3)
    assert inner(embedded, "SPACES") == (4, 4)
    every_character_maps_back(embedded, text)


def test_tab_stripping_does_not_apply_to_a_continued_line():
    # bash and dash keep the tab of a line joined by \-newline (run: "foo \tbar")
    text = lines("cat <<-EOF > /etc/default/docker", "\tA=foo \\", "\tbar", "\tEOF")
    [embedded] = read(text).embedded
    assert embedded.document.text == "A=foo \tbar\n"
    every_character_maps_back(embedded, text)


def test_two_heredocs_on_one_line():
    text = lines(
        'cat <<A > /etc/default/docker; cat <<"B" >/etc/systemd/system/docker.service.d/10-opts.conf',
        'DOCKER_OPTS="-D"',
        "A",
        "[Service]",
        "Environment=X=$Y",
        "B",
        "systemctl daemon-reload",
    )
    extraction = read(text)
    first, second = extraction.embedded
    assert (first.kind, first.target, first.document.text) == ("envfile", "/etc/default/docker", 'DOCKER_OPTS="-D"\n')
    assert (second.kind, second.target) == ("systemd", "/etc/systemd/system/docker.service.d/10-opts.conf")
    assert second.document.text == "[Service]\nEnvironment=X=$Y\n"
    assert not second.templated
    assert inner(first, "DOCKER_OPTS") == (2, 1)
    assert inner(second, "Environment") == (5, 1)
    assert [(a.action, at(a.location)) for a in of(extraction, ServiceAction)] == [("daemon-reload", (7, 1))]
    assert not extraction.notes


def test_heredoc_followed_by_a_semicolon_and_a_body_line_with_a_backslash():
    # tree-sitter-bash alone misreads both (tree-sitter/tree-sitter-bash#346)
    text = lines("cat <<'EOF' > /etc/docker/daemon.json; systemctl reload docker", '\\{"debug": true}', "EOF")
    extraction = read(text)
    [embedded] = extraction.embedded
    assert embedded.document.text == '\\{"debug": true}\n'
    assert [(a.action, at(a.location)) for a in of(extraction, ServiceAction)] == [("reload", (1, 40))]


def test_heredoc_piped_to_sudo_tee():
    text = lines(
        "sudo mkdir -p /etc/docker",
        "cat <<'EOF' | sudo tee /etc/docker/daemon.json >/dev/null",
        '{"live-restore": true}',
        "EOF",
        "cat <<EOF | sudo tee -a /etc/default/docker",
        "DOCKER_OPTS=-D",
        "EOF",
        "sudo tee /etc/docker/daemon.json <<EOF >/dev/null",
        '{"debug": true}',
        "EOF",
    )
    first, second, third = read(text).embedded
    assert (first.kind, first.target, first.append) == ("daemon-json", "/etc/docker/daemon.json", False)
    assert first.document.label == "heredoc | tee /etc/docker/daemon.json"
    assert inner(first, '"live-restore"') == (3, 2)
    assert (second.kind, second.append, second.document.label) == ("envfile", True, "heredoc | tee -a /etc/default/docker")
    assert third.document.text == '{"debug": true}\n'
    assert inner(third, '"debug"') == (9, 2)


def test_appending_with_double_chevron():
    text = lines("echo 'DOCKER_OPTS=\"--debug\"' >> /etc/default/docker")
    [embedded] = read(text).embedded
    assert embedded.append and embedded.kind == "envfile"
    assert embedded.document.text == 'DOCKER_OPTS="--debug"\n'
    assert embedded.document.label == "echo >> /etc/default/docker"
    assert inner(embedded, "--debug") == (1, 20)


def test_non_ascii_text_before_a_heredoc_counts_characters_not_bytes():
    text = lines(
        "# Konfiguration für Döcker — 日本語 🐳",
        'echo "prépare 🐳" ; cat > /etc/docker/daemon.json <<EOF',
        '{"labels": ["café=1"], "live-restore": true}',
        "EOF",
    )
    [embedded] = read(text).embedded
    assert inner(embedded, '"live-restore"') == (3, 24)
    every_character_maps_back(embedded, text)
    extraction = read(text)
    assert not extraction.notes


def test_unterminated_heredoc_runs_to_the_end_with_a_note():
    text = lines("cat > /etc/docker/daemon.json <<EOF", '{"debug": true}', "EOF ")
    extraction = read(text)
    [embedded] = extraction.embedded
    assert embedded.document.text == '{"debug": true}\nEOF \n'
    assert any(note.startswith("provision.sh:1: ") and "'EOF'" in note for note in extraction.notes)


def test_heredoc_inside_command_substitution_and_function():
    text = lines(
        "write_config() {",
        '  config="$(cat <<EOF',
        '{"debug": true}',
        "EOF",
        ')"',
        '  echo "$config" > /etc/docker/daemon.json',
        "  cat > /etc/docker/daemon.json <<'JSON'",
        '{"live-restore": true}',
        "JSON",
        "}",
    )
    extraction = read(text)
    echoed, literal = extraction.embedded  # the heredoc in $(...) is not written anywhere
    assert (echoed.document.text, echoed.templated) == ("$config\n", True)
    assert (literal.document.text, literal.templated) == ('{"live-restore": true}\n', False)
    assert inner(literal, "live") == (8, 3)


def test_target_holding_a_variable_the_script_sets_is_read():
    text = lines(
        "CONF=/etc/docker/daemon.json",
        'cat > "$CONF" <<EOF',
        "{}",
        "EOF",
        "UNIT_DIR=${UNIT_DIR:-/etc/systemd/system}/docker.service.d",  # the default when unset
        'printf "[Service]\\n" > "${UNIT_DIR}/10-opts.conf"',
        "CONF=$(mktemp)",  # reassigned: no longer known
        "echo '{}' > $CONF",
    )
    extraction = read(text)
    assert [(e.kind, e.target, e.document.text) for e in extraction.embedded] == [
        ("daemon-json", "/etc/docker/daemon.json", "{}\n"),
        ("systemd", "/etc/systemd/system/docker.service.d/10-opts.conf", "[Service]\n"),
    ]


def test_target_holding_a_variable_the_script_does_not_set_is_not_read_and_says_so():
    text = lines("echo x > $DIR/daemon.json", "echo y > $LOG/setup.log", "echo z > /etc/docker/$(hostname).json")
    extraction = read(text)
    assert extraction.embedded == []
    assert [note for note in extraction.notes if "expansion" in note] == [
        "provision.sh:1: echo writes to $DIR/daemon.json, a path with an expansion the script does not resolve: not read",
        "provision.sh:3: echo writes to /etc/docker/$(hostname).json, a path with an expansion the script does not resolve: not read",
    ]


@pytest.mark.parametrize(
    "line,expected",
    [
        ("jq '. + {\"live-restore\": true}' /etc/docker/daemon.json > /etc/docker/daemon.json", ("/etc/docker/daemon.json", "it is the output of `jq`", "jq > /etc/docker/daemon.json")),
        ("jq -s add a.json b.json | sudo tee /etc/docker/daemon.json >/dev/null", ("/etc/docker/daemon.json", "it is what `jq` prints", "jq | tee /etc/docker/daemon.json")),
        ('mv "$tmp" /etc/docker/daemon.json', ("/etc/docker/daemon.json", "it is $tmp, put there by `mv`", "mv $tmp /etc/docker/daemon.json")),
        ("install -m 0644 files/daemon.json /etc/docker/", ("/etc/docker/daemon.json", "it is files/daemon.json, put there by `install`", "install files/daemon.json /etc/docker/daemon.json")),
        ("curl -fsSL -o /etc/docker/daemon.json https://example.com/d.json", ("/etc/docker/daemon.json", "downloaded by `curl`", "curl -o /etc/docker/daemon.json")),
        ("wget -q --output-document=/etc/docker/daemon.json https://example.com/d.json", ("/etc/docker/daemon.json", "downloaded by `wget`", "wget -O /etc/docker/daemon.json")),
        ("sed -i 's/false/true/' /etc/docker/daemon.json", ("/etc/docker/daemon.json", "`sed` edits it in place", "sed -i /etc/docker/daemon.json")),
        ("perl -pi -e 's/false/true/' /etc/docker/daemon.json", ("/etc/docker/daemon.json", "`perl` edits it in place", "perl -i /etc/docker/daemon.json")),
    ],
)
def test_a_daemon_json_whose_content_a_program_decides_is_said_not_guessed(line, expected):
    extraction = read(lines("#!/bin/sh", line))
    [embedded] = extraction.embedded
    target, why, label = expected
    assert (embedded.kind, embedded.target, embedded.templated) == ("daemon-json", target, True)
    assert why in embedded.opaque.why and embedded.document.label == label
    assert embedded.opaque.copy_of == ("files/daemon.json" if line.startswith("install") else None)
    writer = line.index("sudo tee") if "| sudo tee" in line else 0
    assert at(embedded.document.location(0)) == (2, writer + 1)  # the command that writes it


@pytest.mark.parametrize(
    "line",
    [
        "jq . /etc/docker/daemon.json > /dev/null",
        "cp /etc/docker/daemon.json /root/daemon.json.bak",
        "sed -n 1p /etc/docker/daemon.json",
        "curl -fsSL https://get.docker.com -o get-docker.sh",
        "python3 render.py > /etc/systemd/system/docker.service.d/10-opts.conf",  # a unit of unknown content: not said yet
        "jq . x.json > \"$(mktemp)\"",
    ],
)
def test_programs_that_do_not_write_a_daemon_json_are_not_reported(line):
    assert read(lines("#!/bin/sh", line)).embedded == []


def test_a_written_file_that_is_then_moved_is_followed_not_made_opaque():
    text = lines("echo '{\"live-restore\": true}' > /tmp/daemon.json", "sudo cp /tmp/daemon.json /etc/docker/")
    [embedded] = read(text).embedded
    assert (embedded.target, embedded.opaque, embedded.document.text) == ("/etc/docker/daemon.json", None, '{"live-restore": true}\n')


def test_a_quoted_variable_written_out_is_its_literal_mapped_where_it_is_assigned():
    text = lines(
        "CONFIG='{",
        '  "live-restore": true',
        "}'",
        'printf \'%s\\n\' "$CONFIG" > /etc/docker/daemon.json',
        'echo "${CONFIG}" | tee /etc/docker/daemon.json',
        "echo $CONFIG > /etc/docker/daemon.json",  # unquoted: split and joined, left as an expansion
        'OTHER="{\\"debug\\": $DEBUG}"',
        'echo "$OTHER" > /etc/docker/daemon.json',
    )
    extraction = read(text)
    texts = [(e.document.text, e.templated) for e in extraction.embedded]
    assert texts == [
        ('{\n  "live-restore": true\n}\n', False),
        ('{\n  "live-restore": true\n}\n', False),
        ("$CONFIG\n", True),
        ("$OTHER\n", True),
    ]
    assert inner(extraction.embedded[0], "live") == (2, 4)
    assert inner(extraction.embedded[1], "live") == (2, 4)


def test_files_no_kind_reads_are_ignored():
    text = lines("cat > /etc/hosts <<EOF", "127.0.0.1 docker", "EOF", "echo docker > /tmp/x", "echo '{}' > /dev/null")
    assert read(text).embedded == []


def test_moved_into_place_takes_the_final_target():
    text = lines(
        "cat > /tmp/daemon.json <<'EOF'",
        '{"live-restore": true}',
        "EOF",
        "sudo mv /tmp/daemon.json /etc/docker/",
        "printf '[Service]\\n' > /tmp/override.conf",
        "sudo install -m 0644 /tmp/override.conf /etc/systemd/system/docker.service.d/override.conf",
    )
    first, second = read(text).embedded
    assert (first.kind, first.target) == ("daemon-json", "/etc/docker/daemon.json")
    assert first.document.label == "heredoc > /tmp/daemon.json, moved to /etc/docker/daemon.json"
    assert (second.kind, second.target, second.document.text) == ("systemd", "/etc/systemd/system/docker.service.d/override.conf", "[Service]\n")


# --- echo, printf, here-strings -----------------------------------------------------------


def test_echo_single_quoted_multi_line_string():
    text = lines("echo '{\"exec-opts\":", '   ["native.cgroupdriver=systemd"]', "}' > /etc/docker/daemon.json")
    [embedded] = read(text).embedded
    assert embedded.document.text == '{"exec-opts":\n   ["native.cgroupdriver=systemd"]\n}\n'
    assert embedded.document.label == "echo > /etc/docker/daemon.json"
    assert inner(embedded, "native") == (2, 6)
    every_character_maps_back(embedded, text, skip="\n")


def test_echo_double_quoted_with_escaped_quotes_maps_exactly():
    text = lines('echo "{\\"live-restore\\": true, \\"x\\": \\"$HOSTNAME\\"}" | sudo tee /etc/docker/daemon.json')
    [embedded] = read(text).embedded
    assert embedded.document.text == '{"live-restore": true, "x": "$HOSTNAME"}\n'
    assert embedded.templated
    assert embedded.document.label == "echo | tee /etc/docker/daemon.json"
    assert inner(embedded, "live-restore") == (1, 10)
    assert inner(embedded, "true") == (1, 26)
    every_character_maps_back(embedded, text, skip="\n")


def test_echo_escapes_follow_the_shell():
    bash = read(lines("#!/bin/bash", "echo '{\\n\"debug\": true}' > /etc/docker/daemon.json", "echo -e '{\\n\"x\": 1}' > /etc/docker/daemon.json"))
    assert [e.document.text for e in bash.embedded] == ['{\\n"debug": true}\n', '{\n"x": 1}\n']
    dash = read(lines("#!/bin/sh", "echo '{\\n\"debug\": true}' > /etc/docker/daemon.json"))
    [embedded] = dash.embedded
    assert embedded.document.text == '{\n"debug": true}\n'
    assert inner(embedded, '"debug"') == (2, 10)
    no_newline = read(lines("echo -n '{}' > /etc/docker/daemon.json"))
    assert no_newline.embedded[0].document.text == "{}"


def test_printf_forms():
    text = lines(
        "printf '%s\\n' '{\"debug\": true}' > /etc/docker/daemon.json",
        "printf '{\\n  \"live-restore\": true\\n}\\n' | sudo tee /etc/docker/daemon.json",
        "printf 'DOCKER_OPTS=%s\\n' \"--debug\" '--tls' >> /etc/default/docker",
        "printf -v x '%s' y > /etc/docker/daemon.json",  # prints nothing: the file is emptied
    )
    first, second, third, fourth = read(text).embedded
    assert (fourth.document.text, fourth.opaque, fourth.templated) == ("", None, False)
    assert first.document.text == '{"debug": true}\n'
    assert inner(first, '"debug"') == (1, 17)
    assert second.document.text == '{\n  "live-restore": true\n}\n'
    assert inner(second, '"live-restore"') == (2, 14)
    assert third.document.text == "DOCKER_OPTS=--debug\nDOCKER_OPTS=--tls\n"
    assert third.append
    assert inner(third, "--tls") == (3, 38)


def test_here_string_to_tee():
    text = lines("sudo tee /etc/docker/daemon.json <<< '{\"debug\": true}'")
    [embedded] = read(text).embedded
    assert embedded.document.text == '{"debug": true}\n'
    assert embedded.document.label == "here-string | tee /etc/docker/daemon.json"
    assert inner(embedded, "debug") == (1, 41)


# --- scripts handed to another shell ------------------------------------------------------


def test_sh_c_string_is_read_again_as_shell():
    text = lines("set -e", "sudo sh -c 'echo \"{\\\"debug\\\": true}\" > /etc/docker/daemon.json'")
    extraction = read(text)
    [embedded] = extraction.embedded
    assert embedded.kind == "shell" and embedded.target is None
    assert embedded.document.text == 'echo "{\\"debug\\": true}" > /etc/docker/daemon.json'
    assert embedded.document.label == "sh -c"
    # read again, by the same kind: the recursive mechanism, no special case
    again = ShellKind().read(embedded.document, ReadContext(extraction_source(text)))
    [daemon] = again.embedded
    assert daemon.kind == "daemon-json" and daemon.document.text == '{"debug": true}\n'
    location = daemon.document.location(daemon.document.text.index("true"))
    assert at(location) == (2, 31)
    assert [step.label for step in location.trace] == ["sh -c", "echo > /etc/docker/daemon.json"]


def extraction_source(text: str) -> Source:
    return Source(Path("/repo/provision.sh"), "provision.sh", "provision.sh", "shell", text.encode())


def test_bash_c_double_quoted_is_templated_and_maps_through_escapes():
    text = lines('bash -c "systemctl restart docker && echo \\"$HOST\\""')
    [embedded] = read(text).embedded
    assert embedded.kind == "shell" and embedded.templated
    assert embedded.document.text == 'systemctl restart docker && echo "$HOST"'
    every_character_maps_back(embedded, text)


def test_heredoc_fed_to_a_shell_is_read_as_shell():
    text = lines("sudo bash -s <<'SCRIPT'", "systemctl restart docker", "SCRIPT", "bash <<EOF", "echo hello", "EOF")
    [embedded] = read(text).embedded  # the second body never mentions docker
    assert embedded.kind == "shell"
    assert embedded.document.label == "heredoc | bash"
    again = ShellKind().read(embedded.document, ReadContext(extraction_source(text)))
    [action] = of(again, ServiceAction)
    assert (action.action, at(action.location)) == ("restart", (2, 1))


# --- dockerd ------------------------------------------------------------------------------


def test_dockerd_started_with_flags():
    text = lines(
        "#!/bin/sh",
        'FOO=1 sudo -E nohup dockerd --debug "--log-level=warn" $OPTS -H \'unix:///var/run/docker.sock\' &',
        "exec /usr/bin/dockerd --live-restore",
        "command -v dockerd",
        "docker run docker:dind dockerd",
    )
    first, second = of(read(text), DockerdCommand)
    assert [w.text for w in first.words] == ["--debug", "--log-level=warn", "$OPTS", "-H", "unix:///var/run/docker.sock"]
    assert [at(w.location) for w in first.words] == [(2, 29), (2, 37), (2, 56), (2, 62), (2, 65)]
    assert first.origin == "shell" and at(first.location) == (2, 1)
    assert (first.location.end_line, first.location.end_column) == (2, 94)
    assert [w.text for w in second.words] == ["--live-restore"]
    assert at(second.location) == (3, 1) and at(second.words[0].location) == (3, 23)


def test_commands_are_found_everywhere_in_the_tree():
    text = lines(
        "start() { dockerd -D; }",
        "function other {",
        "  if [ -x /usr/bin/dockerd ]; then",
        "    while true; do dockerd --a; done",
        "  fi",
        "}",
        "for i in 1; do true && dockerd --b || dockerd --c; done",
        "( dockerd --d )",
        "x=$(dockerd --e)",
        "y=`dockerd --f`",
        'case "$1" in start) dockerd --g ;; esac',
        "[[ -n $x ]] && { dockerd --h; }",
    )
    commands = of(read(text), DockerdCommand)
    assert [(c.words[0].text, at(c.location)) for c in commands] == [
        ("-D", (1, 11)),
        ("--a", (4, 20)),
        ("--b", (7, 24)),
        ("--c", (7, 39)),
        ("--d", (8, 3)),
        ("--e", (9, 5)),
        ("--f", (10, 4)),
        ("--g", (11, 21)),
        ("--h", (12, 18)),
    ]


# --- swarm --------------------------------------------------------------------------------


def test_swarm_init_and_join_roles():
    text = lines(
        "docker swarm init --advertise-addr 10.0.0.1",
        "docker -H tcp://10.0.0.1:2376 --tlsverify swarm init",
        'docker swarm join --token "$MANAGER_TOKEN" 10.0.0.1:2377',
        "docker swarm join --token $(docker swarm join-token -q worker) 10.0.0.1:2377",
        "TOKEN=$(ssh manager0 docker swarm join-token -q manager)",
        "docker swarm join --token=$TOKEN manager0:2377",
        "docker swarm join --token SWMTKN-1-abc-def manager0:2377",
        "docker swarm join-token -q worker",
        "docker swarm leave --force",
    )
    out = read(text)
    swarm = of(out, SwarmMembership)
    assert [(s.command, s.role, at(s.location)) for s in swarm] == [
        ("init", "manager", (1, 1)),
        ("join", "manager", (3, 1)),
        ("join", "worker", (4, 1)),
        ("join", "manager", (6, 1)),
        ("join", "unknown", (7, 1)),
    ]
    # the init sent to another machine's dockerd is that machine's
    from dlint_docker.fragments import SwarmByHand

    assert [(s.command, s.remote, at(s.location)) for s in of(out, SwarmByHand)] == [("init", "tcp://10.0.0.1:2376", (2, 1))]


def test_swarm_through_a_variable_that_names_docker():
    # The program is a variable whose name says docker ($DOCKER, ${docker_cmd}); others are not guessed.
    text = lines(
        "${docker_cmd} swarm init --advertise-addr 10.0.0.1",
        'sudo "$DOCKER" swarm join --token "$WORKER_TOKEN" 10.0.0.1:2377',
        "$CMD swarm init",
        "$DOCKER_BIN ps",
    )
    swarm = of(read(text), SwarmMembership)
    assert [(s.command, s.role, at(s.location)) for s in swarm] == [("init", "manager", (1, 1)), ("join", "worker", (2, 1))]


# --- engine packages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,expected",
    [
        ("apt-get install -y docker-ce=5:24.0.7-1~ubuntu.22.04~jammy docker-ce-cli", [("apt", "docker-ce", "5:24.0.7-1~ubuntu.22.04~jammy", "patch", 20)]),
        ("apt install docker-ce docker-ce-cli", [("apt", "docker-ce", None, "none", 13)]),
        ("sudo apt-get -o Dpkg::Options::=--force-confold -qq install docker.io", [("apt", "docker.io", None, "none", 61)]),
        ("apt-get install -y docker-ce=5:24.0.*", [("apt", "docker-ce", "5:24.0.*", "minor", 20)]),
        ("apt-get install -y docker-ce=5:24.*", [("apt", "docker-ce", "5:24.*", "major", 20)]),
        ("apt-get install -y docker-ce/jammy moby-engine", [("apt", "docker-ce", None, "none", 20), ("apt", "moby-engine", None, "none", 36)]),
        ("yum install -y docker-ce-24.0.7", [("yum", "docker-ce", "24.0.7", "patch", 16)]),
        ("dnf install docker-ce-3:24.0.7-1.el9 docker-ce-cli-3:24.0.7-1.el9", [("dnf", "docker-ce", "3:24.0.7-1.el9", "patch", 13)]),
        ("dnf -y install docker-ce-24.0*", [("dnf", "docker-ce", "24.0*", "minor", 16)]),
        ("yum install -y docker", [("yum", "docker", None, "none", 16)]),
        ("apt-get install -y docker", []),
        ("apt-get install -y docker-engine=$DOCKER_VERSION", [("apt", "docker-engine", "$DOCKER_VERSION", "unknown", 20)]),
        ("apt-get upgrade -y", [("apt", "*", None, "upgrade", 1)]),
        ("apt-get dist-upgrade -y docker-ce", [("apt", "docker-ce", None, "upgrade", 25)]),
        ("apt-get install --only-upgrade docker-ce", [("apt", "docker-ce", None, "upgrade", 32)]),
        ("dnf upgrade -y", [("dnf", "*", None, "upgrade", 1)]),
        ("yum update docker-ce", [("yum", "docker-ce", None, "upgrade", 12)]),
        ("dnf upgrade nginx", []),
        ("apt-mark hold docker-ce docker-ce-cli containerd.io", [("apt", "docker-ce", None, "held", 15)]),
        ("dnf versionlock add docker-ce", [("dnf", "docker-ce", None, "held", 21)]),
        ("yum versionlock docker-ce-24.0.7*", [("yum", "docker-ce", None, "held", 17)]),
        ("echo 'docker-ce hold' | sudo dpkg --set-selections", [("apt", "docker-ce", None, "held", 25)]),
        ("apt-get install -y jq", []),
    ],
)
def test_engine_packages(line, expected):
    packages = of(read(lines(line)), EnginePackage)
    assert [(p.manager, p.name, p.version, p.pin, p.location.column) for p in packages] == expected
    assert all(p.location.line == 1 for p in packages)


def test_package_versions_from_variables_the_script_assigns():
    text = lines(
        'VERSION_STRING="5:24.0.7-1~ubuntu.22.04~jammy"',
        'sudo apt-get install -y "docker-ce=$VERSION_STRING" "docker-ce-cli=$VERSION_STRING"',
        'DOCKER_RPM=docker-ce-${RPM_VERSION:-24.0}',
        "yum install -y $DOCKER_RPM",
        'PACKAGES="docker-ce=5:25.0.3-1~debian.12~bookworm containerd.io"',
        "apt-get install -y $PACKAGES",
    )
    packages = of(read(text), EnginePackage)
    assert [(p.name, p.version, p.pin, at(p.location)) for p in packages] == [
        ("docker-ce", "5:24.0.7-1~ubuntu.22.04~jammy", "patch", (2, 25)),
        ("docker-ce", "24.0", "minor", (4, 16)),
        ("docker-ce", "5:25.0.3-1~debian.12~bookworm", "patch", (6, 20)),
    ]


@pytest.mark.parametrize(
    "script,version,pin,position",
    [
        ("curl -fsSL https://get.docker.com | sh", None, "none", (1, 1)),
        ("curl -fsSL https://get.docker.com | VERSION=24.0.7 sh", "24.0.7", "patch", (1, 1)),
        ("curl -fsSL https://get.docker.com | sudo VERSION=v24.0 sh", "24.0", "minor", (1, 1)),
        ("curl -fsSL https://get.docker.com | sh -s -- --version 23", "23", "major", (1, 1)),
        ("wget -qO- https://get.docker.com/ | sh", None, "none", (1, 1)),
        ("curl -fsSL https://get.docker.com -o get-docker.sh\nsh get-docker.sh --version 24.0", "24.0", "minor", (2, 1)),
        ("curl -fsSL https://get.docker.com -o install-docker.sh\nsudo bash ./install-docker.sh", None, "none", (2, 1)),
        ("curl -fsSLo /tmp/d.sh https://get.docker.com && chmod +x /tmp/d.sh && /tmp/d.sh --version 25.0.3", "25.0.3", "patch", (1, 71)),
        ("export VERSION=24.0\ncurl -fsSL https://get.docker.com | sh", "24.0", "minor", (2, 1)),
        ("VERSION=24.0\ncurl -fsSL https://get.docker.com | sh", None, "none", (2, 1)),
        ("export VERSION=24.0\ncurl -fsSL https://get.docker.com | sudo sh", None, "none", (2, 1)),
        ("export VERSION=24.0\ncurl -fsSL https://get.docker.com | sudo -E sh", "24.0", "minor", (2, 1)),
        ('sh -c "$(curl -fsSL https://get.docker.com)"', None, "none", (1, 1)),
    ],
)
def test_get_docker_com(script, version, pin, position):
    [package] = of(read(script + "\n"), EnginePackage)
    assert (package.manager, package.name, package.version, package.pin) == ("get.docker.com", "docker-ce", version, pin)
    assert at(package.location) == position


@pytest.mark.parametrize(
    "version,pin",
    [("5:24.0.7-1~ubuntu.22.04~jammy", "patch"), ("3:24.0.7-1.el9", "patch"), ("v24.0.7", "patch"), ("18.06.1~ce~3-0~ubuntu", "patch"), ("24.0", "minor"), ("5:24.0.*", "minor"), ("24", "major"), ("24.*", "major"), ("", "none"), (None, "none"), ("*", "none"), ("$V", "unknown")],
)
def test_pin_of(version, pin):
    assert pin_of(version) == pin


# --- the running daemon -------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,actions",
    [
        ("systemctl restart docker", ["restart"]),
        ("sudo systemctl restart docker.service containerd", ["restart"]),
        ("systemctl try-restart docker", ["restart"]),
        ("systemctl reload docker", ["reload"]),
        ("systemctl reload-or-restart docker", ["reload"]),
        ("systemctl start docker", ["start"]),
        ("systemctl stop docker", ["stop"]),
        ("systemctl enable docker", ["enable"]),
        ("systemctl enable --now docker", ["enable", "start"]),
        ("systemctl --now enable docker.service", ["enable", "start"]),
        ("systemctl daemon-reload", ["daemon-reload"]),
        ("systemctl restart containerd", []),
        ("systemctl --user restart docker", []),
        ("systemctl is-active docker", []),
        ("systemctl kill -s HUP docker", ["reload"]),
        ("service docker restart", ["restart"]),
        ("service docker reload", ["reload"]),
        ("/etc/init.d/docker restart", ["restart"]),
        ("invoke-rc.d docker force-reload", ["reload"]),
        ("kill -HUP $(pidof dockerd)", ["reload"]),
        ("kill -s HUP $(cat /var/run/docker.pid)", ["reload"]),
        ("kill -SIGHUP `pgrep dockerd`", ["reload"]),
        ("pkill -HUP dockerd", ["reload"]),
        ("pkill -n --signal SIGHUP -x dockerd", ["reload"]),
        ("sudo killall -s HUP dockerd", ["reload"]),
        ("pkill dockerd", ["stop"]),
        ("kill -HUP $(pidof nginx)", []),
        ("$SUDO systemctl restart docker", ["restart"]),
    ],
)
def test_service_actions(line, actions):
    found = of(read(lines("true", "  " + line)), ServiceAction)
    assert [a.action for a in found] == actions
    assert all(at(a.location) == (2, 3) and not a.first_boot for a in found)


# --- parse errors and here-document scanning ----------------------------------------------


def test_tree_errors_are_noted_and_what_parsed_is_read():
    text = lines("if then fi )) ((", "systemctl restart docker", "echo 'unterminated")
    extraction = read(text)
    assert [a.action for a in of(extraction, ServiceAction)] == ["restart"]
    assert any("could not parse" in note for note in extraction.notes)


@pytest.mark.parametrize(
    "script,delimiters",
    [
        ("cat <<EOF\nx\nEOF\n", [b"EOF"]),
        ("echo $(( 1 << 2 ))\n((x <<= 1))\ncat <<< word\n", []),
        ("echo '<<EOF' \"<<EOF\" # <<EOF\n", []),
        ("a=$(cat <<'A'\nx)\nA\n)\n", [b"A"]),
        ("cat <<A <<-B\nA\n\tB\n", [b"A", b"B"]),
        ("cat <<\"E\\\"F\"\nx\nE\"F\n", [b'E"F']),
    ],
)
def test_scan_heredocs(script, delimiters):
    data = script.encode()
    found, blanked = scan_heredocs(data)
    assert [h.delimiter for h in found] == delimiters
    assert len(blanked) == len(data)
    assert all(h.closed for h in found)


def test_blanked_copy_keeps_lines_and_hides_bodies():
    data = "cat <<-EOF >f; echo done\n\tbody ( ' \"\n\tEOF\nnext\n".encode()
    [heredoc], blanked = scan_heredocs(data)
    assert blanked == b"cat <  EOF >f; echo done\n           \n    \nnext\n"
    assert data[heredoc.body_start : heredoc.body_end] == b"\tbody ( ' \"\n"


# --- robustness ---------------------------------------------------------------------------

REALISTIC = lines(
    "#!/bin/bash",
    "set -euo pipefail",
    "# prépare le nœud 🐳",
    'VERSION_STRING="5:24.0.7-1~ubuntu.22.04~jammy"',
    "apt-get update && apt-get install -y docker-ce=$VERSION_STRING docker-ce-cli",
    "apt-mark hold docker-ce",
    "mkdir -p /etc/docker /etc/systemd/system/docker.service.d",
    "cat <<'EOF' | sudo tee /etc/docker/daemon.json >/dev/null",
    "{",
    '  "live-restore": true,',
    '  "log-opts": {"max-size": "10m"}',
    "}",
    "EOF",
    "\tcat <<-EOF > /etc/systemd/system/docker.service.d/override.conf",
    "\t[Service]",
    "\tExecStart=",
    "\tExecStart=/usr/bin/dockerd \\",
    "\t  -H fd:// $EXTRA",
    "\tEOF",
    'echo "{\\"debug\\": true}" > /tmp/daemon.json && sudo mv /tmp/daemon.json /etc/docker/daemon.json',
    "systemctl daemon-reload && systemctl enable --now docker",
    "if ! docker info | grep -q 'Swarm: active'; then",
    '  docker swarm join --token "$(cat /run/worker_token)" manager0:2377',
    "fi",
    "sudo sh -c 'kill -HUP $(pidof dockerd)'",
    "curl -fsSL https://get.docker.com | VERSION=24.0 sh -s -- --channel stable",
)


def test_realistic_script():
    extraction = read(REALISTIC)
    assert [type(f).__name__ for f in extraction.fragments] == [
        "EnginePackage",
        "EnginePackage",
        "ServiceAction",
        "ServiceAction",
        "ServiceAction",
        "SwarmMembership",
        "EnginePackage",
    ]
    assert [(e.kind, e.target) for e in extraction.embedded] == [
        ("daemon-json", "/etc/docker/daemon.json"),
        ("systemd", "/etc/systemd/system/docker.service.d/override.conf"),
        ("daemon-json", "/etc/docker/daemon.json"),
        ("shell", None),
    ]
    unit = extraction.embedded[1]
    assert unit.templated
    assert unit.document.text == "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \t  -H fd:// $EXTRA\n"
    assert inner(unit, "-H") == (18, 4)
    assert extraction.notes == []


def documents_map_inside(extraction, text: str) -> None:
    rows = text.split("\n")
    for embedded in extraction.embedded:
        for offset in (0, len(embedded.document.text) // 2, len(embedded.document.text)):
            location = embedded.document.location(offset)
            assert 1 <= location.line <= len(rows)
            assert 1 <= location.column <= len(rows[location.line - 1]) + 1


SHELL_PIECES = list("ab $`'\"\\\n\t#;&|()<>{}[]=-EOF!*?~é日🐳\r\x00") + [
    "<<", "<<-", "<<'E'", "$(", "${", "$((", "EOF\n", "E\n", "docker ", "dockerd ", "tee ", "cat ", "echo ", "printf ", "sudo ", "sh -c ", "/etc/docker/daemon.json",
]
SHELLISH = st.lists(st.sampled_from(SHELL_PIECES), max_size=120).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHELLISH)
def test_random_text_never_raises(text):
    extraction = read(text)
    documents_map_inside(extraction, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(REALISTIC)), st.integers(0, 8), st.text(max_size=6)), max_size=6))
def test_mutations_of_a_realistic_script_never_raise(edits):
    text = REALISTIC
    for position, removed, inserted in edits:
        position = min(position, len(text))
        text = text[:position] + inserted + text[position + removed :]
    extraction = read(text)
    documents_map_inside(extraction, text)


def test_large_and_deeply_nested_scripts_are_read_in_bounded_time():
    block = REALISTIC.split("\n", 1)[1]
    big = "#!/bin/bash\n" + block * (1024 * 1024 // len(block.encode()))
    nested = "echo " + "$(echo " * 50_000 + "x" + ")" * 50_000 + " > /etc/docker/daemon.json\n"
    started = time.monotonic()
    extraction = read(big)
    assert len(of(extraction, SwarmMembership)) == big.count("swarm join")
    from dlint_docker.budget import Overrun

    with pytest.raises(Overrun):  # past 1000 levels the file is DKD901 (tests/test_security.py)
        read(nested)
    assert time.monotonic() - started < 60


# --- one machine, one host: files the script sources or copies from its repository ------------

from tests.helpers import at as text_at, scan as scan_tree, write_tree  # noqa: E402


def test_a_sourced_file_joins_the_sourcing_scripts_host_and_is_not_judged_alone(tmp_path):
    setup = lines(
        "#!/bin/bash",
        'SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
        "apt-get install -y docker-ce",
        'source "$SCRIPT_DIR/lib/swarm.sh"',
        ". \"$(dirname \"$0\")/lib/config.sh\"",
    )
    config = lines("cat > /etc/docker/daemon.json <<'EOF'", '{"live-restore": true}', "EOF")
    write_tree(tmp_path, {"scripts/setup.sh": setup, "scripts/lib/swarm.sh": "docker swarm init\n", "scripts/lib/config.sh": config})
    result = scan_tree(tmp_path)
    (host,) = result.hosts
    assert host.name == "scripts/setup.sh"
    assert sorted(host.sources) == ["scripts/setup.sh"]  # the fragments belong to the sourcing script's file host
    finding = only_rule(result, "DKD102")  # the daemon.json of one file, the swarm init of another: one machine
    assert (finding.location.path, *where_of(finding)) == ("scripts/lib/config.sh", *text_at(config, '"live-restore"'))
    assert [step.label for step in finding.location.trace] == [". $(dirname \"$0\")/lib/config.sh", "heredoc > /etc/docker/daemon.json"]
    assert (finding.related[0].path, *where_of_location(finding.related[0])) == ("scripts/lib/swarm.sh", 1, 1)


def test_sourcing_follows_literal_paths_and_folders_named_by_variables_never_outside(tmp_path):
    write_tree(tmp_path, {
        "deploy/run.sh": lines(
            "#!/bin/sh",
            'DIR=$(dirname "$0")',
            'REPO_DIR="$(cd "$DIR/.." && pwd)"',
            'source "$REPO_DIR/common/env.sh"',  # via a variable set from another
            "source deploy/dockerd.sh",  # literal, from the project root
            "source ../outside.sh",  # leaves the project: never read
            "source /etc/profile",
            ". ./run.sh",  # itself: read once
        ),
        "common/env.sh": "apt-get install -y docker-ce=5:27.5.1-1~ubuntu.24.04~noble\n",
        "deploy/dockerd.sh": "dockerd --live-restore &\n",
    })
    (tmp_path.parent / "outside.sh").write_text("docker swarm init\n")
    result = scan_tree(tmp_path / "deploy" / "..")
    (host,) = result.hosts
    assert [type(f).__name__ for f in host.fragments if type(f).__name__ in ("EnginePackage", "DockerdCommand", "SwarmMembership")] == ["EnginePackage", "DockerdCommand"]
    notes = "\n".join(result.notes)
    assert "source ../outside.sh: not a file of the repository; not read" in notes
    assert ". ./run.sh: sourced again inside itself; read once" in notes


def test_a_file_that_sources_itself_is_read_a_bounded_number_of_times(tmp_path):
    write_tree(tmp_path, {"a.sh": "#!/bin/sh\nsource b.sh\ndocker swarm init\n", "b.sh": "source a.sh\napt-get install -y docker-ce\n"})
    result = scan_tree(tmp_path)
    # no entry point reaches the pair, so each stays a host; inside each, the other is read once
    assert sorted(host.name for host in result.hosts) == ["a.sh", "b.sh"]
    for host in result.hosts:
        assert [type(f).__name__ for f in host.fragments].count("SwarmMembership") == 1
    write_tree(tmp_path, {"main.sh": "#!/bin/sh\nsource a.sh\nsystemctl restart docker\n"})  # an entry point: one machine
    assert [host.name for host in scan_tree(tmp_path).hosts] == ["main.sh"]


def test_a_repository_file_copied_into_place_is_read_as_written_there(tmp_path):
    daemon = '{\n  "live-restore": true\n}\n'
    setup = lines(
        "#!/bin/bash",
        'SCRIPT_DIR=$(cd $(dirname $0); pwd)',
        "apt-get install -y docker-ce",
        'sudo cp "$SCRIPT_DIR/etc/docker/daemon.json" /etc/docker/',
        "docker swarm init",
    )
    write_tree(tmp_path, {"setup.sh": setup, "etc/docker/daemon.json": daemon})
    result = scan_tree(tmp_path)
    (host,) = result.hosts  # the rootfs-like file is not a host of its own any more
    finding = only_rule(result, "DKD102")
    assert (finding.location.path, *where_of(finding)) == ("etc/docker/daemon.json", 2, 3)
    [step] = finding.location.trace
    assert (step.path, step.line, step.column, step.label) == ("setup.sh", 4, 1, "cp $SCRIPT_DIR/etc/docker/daemon.json /etc/docker/daemon.json")
    assert not [f for f in result.findings if f.rule == "DKD902"]


@pytest.mark.parametrize(
    "line,target",
    [
        ("cp daemon.json /etc/docker/daemon.json", "/etc/docker/daemon.json"),  # literal: the script's folder
        ("install -m 0644 -t /etc/docker conf/daemon.json", "/etc/docker/daemon.json"),  # -t folder, from the root
        ("mv conf/daemon.json conf/docker.service /etc/docker", "/etc/docker/daemon.json"),  # several: the last is a folder
        ('cp "$(dirname "$0")/conf/docker.service" /etc/systemd/system', "/etc/systemd/system/docker.service"),
        ("cp conf/override.conf /etc/systemd/system/docker.service.d", "/etc/systemd/system/docker.service.d/override.conf"),
    ],
)
def test_copies_of_repository_files_land_where_cp_puts_them(tmp_path, line, target):
    write_tree(tmp_path, {
        "ops/setup.sh": lines("#!/bin/sh", line),
        "ops/daemon.json": '{"debug": true}\n',
        "conf/daemon.json": '{"debug": true}\n',
        "ops/conf/docker.service": "[Service]\nExecStart=/usr/bin/dockerd\n",
        "conf/docker.service": "[Service]\nExecStart=/usr/bin/dockerd\n",
        "conf/override.conf": "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n",
    })
    source = Source(tmp_path / "ops/setup.sh", "ops/setup.sh", "ops/setup.sh", "shell", b"")
    text = lines("#!/bin/sh", line)
    extraction = ShellKind().read(Document(text, "ops/setup.sh"), ReadContext(source))
    first = extraction.embedded[0]
    assert (first.target, first.opaque, first.reference is not None) == (target, None, True)
    assert first.document.via[-1].line == 2 and first.document.parent is None


def test_a_copy_whose_source_is_not_in_the_repository_stays_unknown(tmp_path):
    write_tree(tmp_path, {"setup.sh": "#!/bin/sh\napt-get install -y docker-ce\ncp missing/daemon.json /etc/docker/\n"})
    result = scan_tree(tmp_path)
    assert [f.rule for f in result.findings if f.rule == "DKD902"] == ["DKD902"]


def test_scripts_another_tool_runs_elsewhere_do_not_follow_relative_paths():
    # runcmd, Packer inline, a Terraform heredoc: the script is not in its repository folder there
    source = Source(Path("/nonexistent/user-data"), "user-data", "user-data", "cloud-init", b"")
    outer = Document("x" * 40, "user-data")
    inner_document = Document("cp daemon.json /etc/docker/\n", "user-data", parent=outer, label="runcmd[0]", line_offsets=[0], anchor=(0, 10))
    [embedded] = ShellKind().read(inner_document, ReadContext(source)).embedded
    assert embedded.opaque is not None and embedded.reference is None


# --- sed -i on docker.service ---------------------------------------------------------------


def test_sed_replacing_execstart_gives_that_command_line(tmp_path):
    setup = lines(
        "#!/bin/sh",
        "apt-get install -y docker-ce",
        "sed -i 's|^ExecStart=.*|ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375 --live-restore|' /lib/systemd/system/docker.service",
        "echo '{\"hosts\": [\"unix:///var/run/docker.sock\"]}' > /etc/docker/daemon.json",
    )
    write_tree(tmp_path, {"setup.sh": setup})
    result = scan_tree(tmp_path)
    (host,) = result.hosts
    assert host.command.origin == "systemd" and not host.command.assumed
    assert [w.text for w in host.command.words] == ["-H", "tcp://0.0.0.0:2375", "--live-restore"]
    assert (host.command.words[1].location.line, host.command.words[1].location.column) == text_at(setup, "tcp://")
    conflict = only_rule(result, "DKD201")  # hosts in daemon.json and -H on the command line
    assert conflict.location.path == "setup.sh"


def test_sed_appending_to_execstart_keeps_the_packaged_line():
    text = lines("sed -i '/^ExecStart/ s/$/ --live-restore/' /lib/systemd/system/docker.service")
    [embedded] = read(text).embedded
    assert embedded.kind == "systemd" and embedded.target == "/lib/systemd/system/docker.service"
    assert "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --live-restore\n" in embedded.document.text
    assert inner(embedded, "--live-restore") == text_at(text, "--live-restore")
    assert inner(embedded, "-H fd://") == (1, 1)  # the packaged part stands at the sed command
    assert embedded.document.label == "sed -i /lib/systemd/system/docker.service (docker-ce's packaged unit)"


def test_sed_on_a_unit_the_script_wrote_edits_that_text():
    text = lines(
        "cat > /etc/systemd/system/docker.service.d/override.conf <<'EOF'",
        "[Service]",
        "ExecStart=",
        "ExecStart=/usr/bin/dockerd -H fd://",
        "EOF",
        "sed -i 's/^ExecStart=.*/ExecStart=\\/usr\\/bin\\/dockerd --debug/g' /etc/systemd/system/docker.service.d/override.conf",
    )
    [embedded] = read(text).embedded  # the written text is replaced by its edited one
    assert embedded.document.text == "[Service]\nExecStart=/usr/bin/dockerd --debug\nExecStart=/usr/bin/dockerd --debug\n"
    assert inner(embedded, "[Service]") == (2, 1)


@pytest.mark.parametrize(
    "expression",
    [
        "s|^ExecStart=\\(.*\\)|ExecStart=\\1 --debug|",  # a back-reference
        "s/fd:\\/\\/ //;s/$/ x/",  # two commands
        "/^ExecStart/ s/$/ $OPTS/",  # a shell expansion, when double-quoted below
        "s/[a-z]*/x/",  # a bracket expression
        "2d",
    ],
)
def test_other_sed_expressions_leave_the_unit_unknown(expression):
    quote = '"' if "$OPTS" in expression else "'"
    fragments = read(lines(f"sed -i {quote}{expression}{quote} /lib/systemd/system/docker.service")).fragments
    assert [type(f).__name__ for f in fragments] == ["UnitUnknown"]


def test_sed_on_a_unit_the_repository_does_not_show_stays_unknown():
    fragments = read(lines("sed -i 's|^ExecStart=.*|ExecStart=/usr/bin/dockerd|' /etc/systemd/system/docker.service")).fragments
    assert [type(f).__name__ for f in fragments] == ["UnitUnknown"]


# --- evidence of the engine -------------------------------------------------------------------


@pytest.mark.parametrize("upgrade", ["dnf update -y", "apt-get update && apt-get upgrade -y", "yum -y update"])
def test_a_blanket_upgrade_alone_is_no_docker_host(tmp_path, upgrade):
    write_tree(tmp_path, {"update.sh": lines("#!/bin/sh", upgrade, "systemctl restart docker || true")})
    assert scan_tree(tmp_path).hosts == []


def only_rule(result, rule):
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.message) for f in result.findings]
    return found[0]


def where_of(finding):
    return finding.location.line, finding.location.column


def where_of_location(location):
    return location.line, location.column


def test_what_follows_the_scripts_own_exit_never_runs_and_is_not_read():
    script = lines(
        "#!/bin/sh",
        "dnf install -y docker-ce",
        "if [ -z \"$X\" ]; then exit 1; fi",  # an exit in a branch does not end the reading
        "docker swarm init",
        "exit",
        "yum install -y docker-ce-19.03.15",
        "docker swarm join --token T 10.0.0.1:2377",
    )
    out = read(script)
    assert [(p.name, p.version) for p in of(out, EnginePackage)] == [("docker-ce", None)]
    assert [s.command for s in of(out, SwarmMembership)] == ["init"]
    assert "provision.sh:5: the script exits here; what follows never runs and is not read" in out.notes


def test_a_repository_file_a_script_copies_to_a_path_no_dockerd_reads_by_default_is_no_machine(tmp_path):
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "setup.sh": "#!/bin/sh\napt-get install -y docker-ce\ncp \"$(dirname \"$0\")/daemon-lvm.json\" /etc/docker/daemon-lvm.json\n",
        "daemon-lvm.json": '{"hosts": ["tcp://0.0.0.0:2376"], "storage-driver": "devicemapper"}\n',
    })
    result = scan(tmp_path)
    # the packaged unit never reads /etc/docker/daemon-lvm.json: no DKD201 against -H fd://, and the
    # file is no second machine; the script's host is judged (live-restore not set)
    assert [h.name for h in result.hosts] == ["setup.sh"]
    assert [(f.rule, f.location.path) for f in result.findings] == [("DKD101", "setup.sh")]


def test_a_relative_write_after_a_cd_to_a_known_folder_lands_there(tmp_path):
    from .helpers import scan, write_tree

    body = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375\n"
    script = (
        "#!/bin/sh\ncurl -fsSL https://get.docker.com | sh\n"
        "HERE=$(cd $(dirname $0); pwd)\n"  # a cd inside $( ) moves nothing
        "cd /etc/systemd/system && mkdir -p docker.service.d && cd docker.service.d\n"
        "(cd /tmp && touch x)\n"  # nor does one in a subshell
        f"cat > tcp.conf <<'EOF'\n{body}EOF\n"
    )
    write_tree(tmp_path, {"install.sh": script})
    (finding,) = [f for f in scan(tmp_path).findings if f.rule == "DKD401"]
    assert (finding.location.line, finding.location.column) == (9, 37)  # the -H of the TCP address
    # after a cd to a folder dlint cannot know, a relative write lands nowhere it can tell
    write_tree(tmp_path, {"install.sh": script.replace("cd /etc/systemd/system &&", "cd \"$UNIT_DIR\" &&")})
    assert not [f for f in scan(tmp_path).findings if f.rule == "DKD401"]


def test_a_literal_sed_on_the_vendor_unit_with_slashes_in_its_text_is_applied(tmp_path):
    """`s|...|...|` whose texts hold / (a path, fd://) edits the packaged docker.service: the TCP
    listener it adds is judged at its own -H, in the sed's replacement."""
    from .helpers import at, scan, where, write_tree

    script = (
        "#!/bin/sh\napt-get install -y docker-ce\n"
        "sed -i 's|ExecStart=/usr/bin/dockerd -H fd://|ExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:4243|' /lib/systemd/system/docker.service\n"
        "sed -i 's|-H fd://|-H fd:// -H unix:///run/d2.sock|g' /lib/systemd/system/docker.service\n"
    )
    write_tree(tmp_path, {"a.sh": script})
    result = scan(tmp_path)
    (machine,) = result.hosts
    assert machine.command.origin != "unknown"
    (finding,) = [f for f in result.findings if f.rule == "DKD401"]
    assert where(finding) == at(script, "-H tcp://0.0.0.0:4243")
    assert [w.text for w in machine.command.words][:6] == ["-H", "fd://", "-H", "unix:///run/d2.sock", "-H", "tcp://0.0.0.0:4243"]


def test_a_daemon_json_whose_quotes_are_all_escaped_is_text_for_another_layer(tmp_path):
    """A heredoc whose every quote is \\" is not JSON as written, and is JSON once another layer
    (echo -e, a program that sends the script) unescapes it: not judged (DKD902, an unknown line),
    never DKD001. A file with some quotes bare is plain broken JSON: DKD001."""
    from .helpers import scan, write_tree

    escaped = '#!/bin/bash\ncat <<EOF > /etc/docker/daemon.json\n{\\"live-restore\\": true}\nEOF\n'
    write_tree(tmp_path, {"s.sh": escaped})
    result = scan(tmp_path)
    assert [f.rule for f in result.findings] == ["DKD902"] and "quoting layer" in result.unknowns[0].why
    write_tree(tmp_path, {"s.sh": escaped.replace('{\\"live', '{"live')})
    assert "DKD001" in [f.rule for f in scan(tmp_path).findings]


def test_a_swarm_command_against_another_machines_dockerd_is_not_this_machines(tmp_path):
    """`docker -H tcp://10.0.7.10:2375 swarm init` from an operator's script makes the machine at
    that address a swarm node, not the script's: no host of its own; the machines set up from the
    same folder may be swarm nodes (DKD101 not asked, the unknown line names the remote dockerd)."""
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "start_cluster.sh": "#!/bin/sh\ndocker -H tcp://10.0.7.10:2375 swarm init --advertise-addr 10.0.7.10\n",
        "node.sh": "#!/bin/sh\napt-get install -y docker-ce\n",
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["node.sh"]
    assert not [f for f in result.findings if f.rule == "DKD101"]
    assert "on the dockerd at tcp://10.0.7.10:2375" in result.unknowns[0].why


def test_sed_with_escaped_brackets_and_a_newline_in_the_replacement_is_applied(tmp_path):
    """GNU sed's \\n in a replacement is a newline, and \\[ \\] are literal brackets: the unit gains
    an EnvironmentFile= line, whose variable the rewritten ExecStart= uses (DKD401 at its value)."""
    from .helpers import at, scan, where, write_tree

    script = (
        "#!/bin/sh\nyum install -y docker-ce\n"
        'sed -i -e "s%^\\[Service\\].*%\\[Service\\]\\nEnvironmentFile=-/etc/sysconfig/docker%g" /usr/lib/systemd/system/docker.service\n'
        'sed -i -e "s%^ExecStart=.*%ExecStart=/usr/bin/dockerd -H unix:///var/run/docker.sock \\$other_args%g" /usr/lib/systemd/system/docker.service\n'
        "cat > /etc/sysconfig/docker <<'X'\nother_args=\"-H tcp://0.0.0.0:2375\"\nX\n"
    )
    write_tree(tmp_path, {"i.sh": script})
    result = scan(tmp_path)
    (finding,) = [f for f in result.findings if f.rule == "DKD401"]
    assert where(finding) == at(script, "-H tcp://0.0.0.0:2375")  # its -H, in /etc/sysconfig/docker
    assert [w.text for w in result.hosts[0].command.words] == ["-H", "unix:///var/run/docker.sock", "-H", "tcp://0.0.0.0:2375"]


@pytest.mark.parametrize(
    "insert",
    [
        "sed -i '/\\[Service\\]/a EnvironmentFile=-/etc/sysconfig/docker' /usr/lib/systemd/system/docker.service",
        "sed -i '/^ExecStart=/i EnvironmentFile=-/etc/sysconfig/docker' /usr/lib/systemd/system/docker.service",
    ],
)
def test_sed_line_commands_are_applied_and_the_environment_file_is_the_repository_one(tmp_path, insert):
    """GNU sed's one-line ``/RE/a TEXT`` and ``/RE/i TEXT`` add a line to the packaged unit; a second
    sed replaces ExecStart= with one that uses $other_args; the environment file is the repository's
    own (copied from beside the script): the machine listens on TCP without TLS (DKD401 at the
    repository file's value) and live-restore is known to be off (DKD101)."""
    from .helpers import at, scan, where, write_tree

    sysconfig = '# options\nother_args="-H tcp://0.0.0.0:2375"\n'
    script = (
        "#!/bin/bash\nyum install -y docker-ce-18.06.1.ce\n"
        'cp "$(dirname "$0")/../etc/sysconfig/docker" /etc/sysconfig/docker\n'
        f"{insert}\n"
        "sed -i 's%^ExecStart=.*%ExecStart=/usr/bin/dockerd -H unix:///var/run/docker.sock $other_args%' /usr/lib/systemd/system/docker.service\n"
        "systemctl daemon-reload\nsystemctl enable --now docker\n"
    )
    write_tree(tmp_path, {"etc/sysconfig/docker": sysconfig, "scripts/install.sh": script})
    result = scan(tmp_path)
    assert not result.unknowns
    (tcp,) = [f for f in result.findings if f.rule == "DKD401"]
    assert (tcp.location.path, where(tcp)) == ("etc/sysconfig/docker", at(sysconfig, "-H tcp://0.0.0.0:2375"))
    assert [f.rule for f in result.findings if f.rule == "DKD101"] == ["DKD101"]


def test_sed_with_several_expressions_applies_each_in_turn_and_d_and_c_lines(tmp_path):
    from .helpers import scan, write_tree

    script = (
        "#!/bin/sh\napt-get install -y docker-ce\n"
        "sed -i -e '/^ExecStart=/c ExecStart=/usr/bin/dockerd -H fd:// --live-restore' -e '/^ExecReload=/d' /lib/systemd/system/docker.service\n"
    )
    write_tree(tmp_path, {"i.sh": script})
    result = scan(tmp_path)
    assert not result.unknowns
    assert [w.text for w in result.hosts[0].command.words] == ["-H", "fd://", "--live-restore"]
    assert not [f for f in result.findings if f.rule == "DKD101"]


@pytest.mark.parametrize(
    "expression",
    ["/x/a\\\\1", "/x/a one\\\\\\ntwo", "5a ExecStart=/usr/bin/dockerd", "/x/p", "/x/d junk"],
)
def test_sed_forms_dlint_does_not_apply_leave_the_unit_unknown(tmp_path, expression):
    from .helpers import scan, write_tree

    script = f"#!/bin/sh\napt-get install -y docker-ce\nsed -i '{expression}' /lib/systemd/system/docker.service\n"
    write_tree(tmp_path, {"i.sh": script})
    result = scan(tmp_path)
    assert result.unknowns and "`sed` edits it in place" in result.unknowns[0].why


def test_a_crlf_script_handing_a_heredoc_to_bash_c_closes_it(tmp_path):
    """A script saved with CRLF line ends: the \\r before each newline is not part of a here-document's
    delimiter, so `sudo bash -c 'cat > daemon.json <<EOF ... EOF'` closes at its last line and the
    JSON is read (no DKD001), its missing live-restore judged."""
    from .helpers import scan, write_tree

    script = (
        "#!/bin/bash\r\nsudo apt-get install -y docker-ce\r\n"
        "sudo bash -c 'cat > /etc/docker/daemon.json <<EOF\r\n{\r\n  \"log-driver\": \"json-file\"\r\n}\r\nEOF'\r\n"
        "sudo systemctl restart docker\r\n"
    )
    (tmp_path / "install.sh").write_bytes(script.encode())
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD001"]
    assert not result.unknowns
    assert [f.rule for f in result.findings if f.rule == "DKD101"] == ["DKD101"]
    assert result.hosts[0].daemon_configs


@pytest.mark.parametrize("extra", ["", "linux-image-extra-$(uname -r)"])
def test_a_package_list_variable_that_grows_from_itself_keeps_its_engine_package(tmp_path, extra):
    """PACKAGES="docker-engine=$V", then (under an if) PACKAGES="extra $PACKAGES": the words it had
    stay in it, so `apt-get install -y $PACKAGES` installs the engine (its version unknown), also
    when the new words hold a command substitution."""
    from .helpers import scan, write_tree

    script = (
        '#!/bin/bash\nV=$1\nPACKAGES="docker-engine=$V"\nif [ -n "$OLD" ]; then\n'
        f'  PACKAGES="linux-image-extra-virtual {extra} $PACKAGES"\nfi\napt-get install -y $PACKAGES\n'
    )
    write_tree(tmp_path, {"install.sh": script})
    result = scan(tmp_path)
    (host,) = result.hosts
    (package,) = [f for f in host.fragments if type(f).__name__ == "EnginePackage"]
    assert package.name == "docker-engine"


@pytest.mark.parametrize("line, version", [("amazon-linux-extras install docker -y", None), ("sudo amazon-linux-extras install -y docker=18.09.9", "18.09.9"), ("amazon-linux-extras enable docker", "none")])
def test_amazon_linux_extras_installs_the_engine_topic(tmp_path, line, version):
    from .helpers import scan, write_tree

    write_tree(tmp_path, {"pre-install.sh": f"#!/bin/bash\nyum update -y\n{line}\nservice docker start\n"})
    result = scan(tmp_path)
    packages = [f for h in result.hosts for f in h.fragments if type(f).__name__ == "EnginePackage" and f.manager == "amazon-linux-extras"]
    if version == "none":
        assert not packages  # enable only adds the repository
        return
    (package,) = packages
    assert (package.name, package.version) == ("docker", version)
    assert [f.rule for f in result.findings if f.rule == "DKD101"] == ["DKD101"]


@pytest.mark.parametrize("options", ["", '-o "StrictHostKeyChecking no" -i "$KEY" ', "-p2222 -tt "])
def test_commands_sent_over_ssh_are_the_remote_machines(tmp_path, options):
    """ssh [options] DEST 'commands': the commands run on DEST, a machine of its own; the script's own
    machine gets none of it."""
    from .helpers import scan, write_tree

    script = f"#!/bin/bash\nKEY=~/.ssh/id\nssh {options}centos@$PROXY \\\n  'sudo yum install -y docker;\n  sudo systemctl start docker'\nssh centos@$PROXY uptime\n"
    write_tree(tmp_path, {"provision.sh": script})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["ssh centos@$PROXY"]
    assert [f.rule for f in result.findings] == ["DKD101"]


def test_a_repository_script_the_script_executes_is_part_of_its_machine(tmp_path):
    """``./b.sh`` / ``bash b.sh`` run a repository script on the same machine: its daemon.json is
    that machine's (one host, DKD101 judged there, no "run on its own" unknown line), also two
    levels down; a script not found from there is left alone."""
    from dlint_docker.fragments import DaemonConfig

    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "k/node.sh": "#!/bin/bash\n./install.sh\nbash ./missing.sh\ndocker info\n",
        "k/install.sh": "#!/bin/bash\nyum -y install docker-ce-18.09.9\nsystemctl start docker\nbash use_mirror.sh\n",
        "k/use_mirror.sh": "#!/bin/bash\ntee /etc/docker/daemon.json <<-'EOF'\n{\"registry-mirrors\": [\"https://m.example\"]}\nEOF\nsystemctl restart docker\n",
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["k/node.sh"]
    (host,) = result.hosts
    assert host.of(DaemonConfig) and host.daemon_json_elsewhere is None
    (finding,) = [f for f in result.findings if f.rule == "DKD101"]
    assert finding.location.path == "k/use_mirror.sh" and finding.host == "k/node.sh"


@pytest.mark.parametrize("conf", [None, 'DOCKER_OPTS="-H tcp://0.0.0.0:2375"\n'])
def test_alpine_s_engine_is_started_by_openrc_without_flags(tmp_path, conf):
    """``apk add docker=…`` installs Alpine's engine, which OpenRC starts with $DOCKER_OPTS of
    /etc/conf.d/docker and no -H: a daemon.json "hosts" is no flag/file conflict, and the pin
    is the engine's; a conf.d the script writes makes the command line unknown."""
    from tests.helpers import scan, write_tree

    script = "#!/bin/sh\napk add --no-cache docker='20.10.21-r0'\nrc-update add docker boot\nmkdir -p /etc/docker\n"
    script += "echo '{\"hosts\": [\"unix:///var/run/docker.sock\"], \"live-restore\": true}' > /etc/docker/daemon.json\n"
    if conf:
        script += f"cat > /etc/conf.d/docker <<'EOF'\n{conf}EOF\n"
    write_tree(tmp_path, {"setup.sh": script})
    result = scan(tmp_path)
    (host,) = result.hosts
    (package,) = host.of(EnginePackage)
    assert (package.manager, package.name, package.version, package.pin) == ("apk", "docker", "20.10.21-r0", "patch")
    assert not [f for f in result.findings if f.rule == "DKD201"]
    if conf is None:
        assert host.command.origin == "openrc" and host.command.words == [] and not result.unknowns
    else:
        assert host.command.origin == "unknown" and "/etc/conf.d/docker" in host.command.note


def test_a_library_script_nothing_sources_is_not_a_machine(tmp_path):
    """scripts/install.sh sources inc/docker.sh; inc/flannel.sh beside it is sourced by nothing
    (left over): not a machine of its own, no "unknown on" line; a script run by hand in the
    installer's own folder is still judged."""
    from tests.helpers import scan, write_tree

    write_tree(tmp_path, {
        "scripts/install.sh": "#!/bin/sh\nsource inc/docker.sh\napt-get install -y docker-ce\n",
        "scripts/inc/docker.sh": "#!/bin/sh\ncat > /etc/docker/daemon.json <<EOF\n{\"live-restore\": true}\nEOF\n",
        "scripts/inc/flannel.sh": "#!/bin/sh\ncat > /etc/systemd/system/docker.service.d/40-flannel.conf <<EOF\n[Service]\nEnvironmentFile=-/run/flannel/env\nEOF\n",
        "scripts/expose.sh": "#!/bin/sh\ncat > /etc/docker/daemon.json <<EOF\n{\"hosts\": [\"tcp://0.0.0.0:2375\"]}\nEOF\n",
    })
    result = scan(tmp_path)
    flannel = next(h for h in result.hosts if h.name == "scripts/inc/flannel.sh")
    assert flannel.undeployed and "scripts/inc/docker.sh" in flannel.undeployed
    assert not [u for u in result.unknowns if "flannel" in u.host]
    assert [f.location.path for f in result.findings if f.rule == "DKD401"] == ["scripts/expose.sh"]


def test_rancher_s_install_docker_script_installs_the_release_it_names(tmp_path):
    """``curl https://releases.rancher.com/install-docker/19.03.sh | sh`` is get.docker.com pinned
    to 19.03: an engine install, judged at that release."""
    write_tree(tmp_path, {"install.sh": "#!/bin/sh\ncurl https://releases.rancher.com/install-docker/19.03.sh | sh\n"})
    result = scan_tree(tmp_path)
    (package,) = [f for h in result.hosts for f in h.of(EnginePackage)]
    assert (package.manager, package.version) == ("Rancher's install-docker script", "19.03")
    assert [f.rule for f in result.findings] == ["DKD101"]


def test_a_sed_that_writes_a_variable_s_words_into_execstart_reads_them(tmp_path):
    """OPTIONS holds the flags (one of them built of IP); sed replaces ExecStart with dockerd
    $OPTIONS: the flags are read, each finding at the word in OPTIONS's assignment."""
    script = (
        "#!/bin/sh\nyum install -y docker-ce\nIP=10.1.1.1\n"
        'OPTIONS="-H unix:///var/run/docker.sock -H tcp://0.0.0.0:2375 --insecure-registry $IP:5000"\n'
        'sed -i "s#ExecStart=.*#ExecStart=/usr/bin/dockerd $OPTIONS#" /usr/lib/systemd/system/docker.service\n'
    )
    write_tree(tmp_path, {"a.sh": script})
    result = scan_tree(tmp_path)
    assert not result.unknowns
    found = {f.rule: (f.location.line, f.location.column) for f in result.findings}
    assert found["DKD401"] == (4, script.splitlines()[3].index("-H tcp://") + 1)
    assert found["DKD406"][0] == 4
    # a name the script does not assign keeps the command line unknown
    write_tree(tmp_path, {"a.sh": script.replace("IP=10.1.1.1\n", "")})
    result = scan_tree(tmp_path)
    assert "DKD401" not in [f.rule for f in result.findings] and result.unknowns


def test_a_heredoc_daemon_json_with_a_variable_the_script_assigned_is_read(tmp_path):
    """``"insecure-registries": ["$R", "10.0.0.2:5000"]`` in an unquoted heredoc, R assigned a
    literal: the value is known, so DKD406 is judged (not "a template decides it")."""
    script = (
        '#!/bin/sh\napt-get install -y docker-ce\nR="10.0.0.1:5000"\n'
        'cat > /etc/docker/daemon.json <<EOF\n{"insecure-registries": ["$R", "10.0.0.2:5000"]}\nEOF\n'
    )
    write_tree(tmp_path, {"a.sh": script})
    result = scan_tree(tmp_path)
    assert not result.unknowns
    assert sorted(f.rule for f in result.findings) == ["DKD101", "DKD406"]
    write_tree(tmp_path, {"a.sh": script.replace('R="10.0.0.1:5000"', 'R="$(hostname):5000"')})
    assert scan_tree(tmp_path).unknowns


@pytest.mark.parametrize(
    "install, version",
    [
        ("yum -y localinstall docker-ce-*", "*"),
        ("S2=${DURL}docker-ce-18.09.0-3.el7.x86_64.rpm\nyum install -y $S2", "18.09.0-3.el7.x86_64"),
        ("yum install -y /opt/rpms/docker-ce-19.03.5-3.el7.x86_64.rpm", "19.03.5-3.el7.x86_64"),
    ],
)
def test_rpm_files_and_localinstall_install_the_engine(tmp_path, install, version):
    """An engine package installed from .rpm files (a path, an address built of a variable, a
    localinstall glob) is an engine install, with the version its file name says."""
    write_tree(tmp_path, {"a.sh": f"#!/bin/sh\nDURL=http://10.0.0.1/soft/\n{install}\nsystemctl start docker\n"})
    (package,) = [f for h in scan_tree(tmp_path).hosts for f in h.of(EnginePackage)]
    assert (package.name, package.version) == ("docker-ce", version)


def test_a_line_numbered_sed_insert_that_cannot_touch_execstart_keeps_the_unit_known(tmp_path):
    """``sed -i "13i ExecStartPost=..."`` on the packaged unit adds a line that is not ExecStart:
    the command line stays known (DKD101 judged). ``3i ExecStart=...`` lands where dlint cannot be
    sure of, so that one leaves it unknown."""
    script = (
        "#!/bin/sh\nyum install -y docker-ce\n"
        'sed -i "13i ExecStartPost=/usr/sbin/iptables -P FORWARD ACCEPT" /usr/lib/systemd/system/docker.service\n'
    )
    write_tree(tmp_path, {"a.sh": script})
    result = scan_tree(tmp_path)
    assert [f.rule for f in result.findings] == ["DKD101"] and not result.unknowns
    write_tree(tmp_path, {"a.sh": script.replace("13i ExecStartPost=/usr/sbin/iptables -P FORWARD ACCEPT", "3i ExecStart=/usr/bin/dockerd --live-restore")})
    result = scan_tree(tmp_path)
    assert not result.findings and result.unknowns


def test_dlint_hosts_shows_the_flags_a_sed_edit_leaves_as_read(tmp_path):
    """A sed that appends a flag to the packaged unit's ExecStart: ``dlint hosts`` lists dockerd's
    words as dlint read them, not the sed command their location stands in."""
    import json

    from tests.helpers import cli

    write_tree(tmp_path, {"a.sh": "#!/bin/sh\nyum install -y docker-ce\nsed -i -e '/^ExecStart=/ s/$/ --insecure-registry=reg:5000/' /usr/lib/systemd/system/docker.service\n"})
    (host,) = json.loads(cli("hosts", "--format", "json", cwd=tmp_path).stdout)["hosts"]
    assert host["command"]["args"] == ["-H", "fd://", "--containerd=/run/containerd/containerd.sock", "--insecure-registry=reg:5000"]


def test_a_merge_conflict_marker_ends_the_script(tmp_path):
    """bash stops at the syntax error a ``<<<<<<< HEAD`` line left in a script makes: the engine
    install and daemon.json after it never happen (nothing judged there; said with -v)."""
    script = (
        "#!/bin/bash\necho start\n<<<<<<< HEAD\necho one\n=======\necho two\n>>>>>>> branch\n"
        "yum install -y docker-ce\necho '{\"debug\": true}' > /etc/docker/daemon.json\n"
    )
    write_tree(tmp_path, {"a.sh": script})
    result = scan_tree(tmp_path)
    assert not result.findings and not result.hosts
    write_tree(tmp_path, {"a.sh": script.replace("<<<<<<< HEAD\n", "").replace("=======\n", "").replace(">>>>>>> branch\n", "")})
    assert [f.rule for f in scan_tree(tmp_path).findings] == ["DKD101"]


def test_a_line_after_a_three_stage_pipeline_is_a_command_of_its_own(tmp_path):
    """tree-sitter-bash reads ``a | b | c`` and a redirected command on the next line as one
    command; bash ends the command at the newline, so the daemon.json written on that next line
    is read (DKD101 anchored there, not at the install)."""
    write_tree(tmp_path, {"a.sh": (
        "#!/bin/bash\ncurl -sSL https://mirror.example/install | sed 's/a/b/' | sh -\n"
        "echo '{\"debug\": true}' > /etc/docker/daemon.json\napt-get install -y docker-ce\n"
    )})
    (finding,) = scan_tree(tmp_path).findings
    assert (finding.rule, finding.location.line) == ("DKD101", 3)


def test_a_drop_in_a_pipeline_appends_to_is_of_unknown_content(tmp_path):
    """``grep ^ExecStart unit | sed 's/$/ -g x/' >> drop-in``: the pipeline's output lands in the
    drop-in, so its ExecStart is unknown (not "no ExecStart=", a wrong DKD204 error)."""
    write_tree(tmp_path, {"a.sh": (
        "#!/bin/sh\napt-get install -y docker-ce\n"
        'printf "%b\\n" "[Service]\\nExecStart=" > /etc/systemd/system/docker.service.d/x.conf\n'
        "grep -E '^ExecStart' /lib/systemd/system/docker.service | sed -e 's_$_& -g /data_' >> /etc/systemd/system/docker.service.d/x.conf\n"
    )})
    result = scan_tree(tmp_path)
    assert not result.findings
    (unknown,) = result.unknowns
    assert "it is the output of `sed`" in unknown.why


def test_a_fork_of_rancher_s_install_docker_script_installs_the_release_it_names(tmp_path):
    write_tree(tmp_path, {"a.sh": "#!/bin/sh\ncurl -sSL https://github.com/someone/install-docker/blob/1.0/1.13.1.sh?raw=true | sh\n"})
    (package,) = [f for h in scan_tree(tmp_path).hosts for f in h.of(EnginePackage)]
    assert package.version == "1.13.1"


def test_a_sourced_file_s_hostile_assignment_is_read_in_linear_time(tmp_path):
    """``X=${A}${A}…\\`` (no value the pattern takes) in a sourced file: each character has one way
    to match, so the failed match costs linear time (a pattern with two ways per reference took
    2^n steps: 22 references, a second; 40, days)."""
    import time

    hostile = "X=" + "${A}" * 5000 + "\\\nY=" + "$AB" * 5000 + "\\\n"
    write_tree(tmp_path, {"lib.sh": hostile, "a.sh": "#!/bin/sh\n. ./lib.sh\napt-get install -y docker-ce\n"})
    started = time.process_time()
    assert [f.rule for f in scan_tree(tmp_path).findings] == ["DKD101"]
    assert time.process_time() - started < 5


def test_a_sed_that_adds_a_flag_whose_value_is_an_expansion_reads_the_flag(tmp_path):
    """``s|ExecStart=/usr/bin/dockerd|ExecStart=/usr/bin/dockerd --log-level=${LEVEL}|`` with LEVEL
    unknown: the command line is read (DKD101 holds on the host), the flag's value is one a
    template decides (DKD004 withheld, said on the unknown line), and dlint hosts shows it as
    written, not as the mask."""
    script = (
        "#!/bin/sh\napt-get install -y docker-ce\n"
        'sed -i -e "s|ExecStart=/usr/bin/dockerd|ExecStart=/usr/bin/dockerd --log-level=${LEVEL}|g" /lib/systemd/system/docker.service\n'
    )
    from .helpers import cli

    write_tree(tmp_path, {"a.sh": script})
    result = scan_tree(tmp_path)
    assert [f.rule for f in result.findings] == ["DKD101"]
    (unknown,) = result.unknowns
    assert "a template decides the value of --log-level" in unknown.why and unknown.skipped == ["DKD004"]
    done = cli("hosts", str(tmp_path))
    assert "dockerd --log-level=${LEVEL} -H fd://" in done.stdout and "xxx" not in done.stdout
    # a literal bad value in the same place is judged
    write_tree(tmp_path, {"a.sh": script.replace("${LEVEL}", "verbose")})
    assert "DKD004" in [f.rule for f in scan_tree(tmp_path).findings]


def test_scripts_run_or_installed_in_a_loop_over_a_literal_list_are_this_machine_s(tmp_path):
    """bootstrap.sh (which names no Docker word) runs scripts/core/*.sh from a literal array and
    installs scripts/bin/*.sh in a loop: one machine that installs the engine and inits a swarm
    (no DKD101, no unknown line), not a host per script."""
    write_tree(tmp_path, {
        "bootstrap.sh": (
            '#!/bin/bash\nDIR="$(cd "$(dirname "$0")" && pwd)"\nSTEPS=(\n  "scripts/core/01-install.sh"   # engine\n'
            '  "scripts/core/02-swarm.sh"\n)\nfor step in "${STEPS[@]}"; do\n  bash "$DIR/$step"\ndone\n'
            'for tool in health.sh; do\n  install -m 755 "./scripts/bin/$tool" "/usr/local/bin/$tool"\ndone\n'
        ),
        "scripts/core/01-install.sh": "#!/bin/bash\napt-get install -y docker-ce\n",
        "scripts/core/02-swarm.sh": "#!/bin/bash\ndocker swarm init\n",
        "scripts/bin/health.sh": "#!/bin/bash\ndocker swarm join --token x 10.0.0.1:2377\n",
    })
    result = scan_tree(tmp_path)
    assert [h.name for h in result.hosts] == ["bootstrap.sh"]
    (swarm,) = result.hosts[0].of(SwarmMembership)
    assert swarm.location.path == "scripts/core/02-swarm.sh"
    assert result.findings == [] and result.unknowns == []


def test_a_container_given_the_socket_whose_image_inits_a_swarm_may_make_a_swarm_node(tmp_path):
    """``docker run -v /var/run/docker.sock:/var/run/docker.sock acme/aws-swarm-init``: the machine
    may be a swarm node (through the API): DKD101 not asked, said; another image changes nothing."""
    run = "docker run -d -v /var/run/docker.sock:/var/run/docker.sock acme/aws-swarm-init\n"
    write_tree(tmp_path, {"user-data.sh": "#!/bin/sh\nyum install -y docker\n" + run})
    result = scan_tree(tmp_path)
    assert [f.rule for f in result.findings] == []
    assert [u.skipped for u in result.unknowns] == [["DKD101"]]
    write_tree(tmp_path, {"user-data.sh": "#!/bin/sh\nyum install -y docker\n" + run.replace("aws-swarm-init", "portainer-agent")})
    assert [f.rule for f in scan_tree(tmp_path).findings] == ["DKD101"]
