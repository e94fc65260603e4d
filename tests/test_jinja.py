"""Jinja as Ansible renders it, read statically: {% if %} branches decided from a role's values,
every branch read when dlint cannot decide, syntax errors Ansible stops on, never rendered."""

from __future__ import annotations

import json

from .helpers import at, cli, only, scan, where, write_tree

TASKS = "- template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n"
J2 = "roles/docker/templates/daemon.json.j2"


def role(tmp_path, template: str, defaults: str = "", **options):
    files = {"roles/docker/tasks/main.yml": TASKS, J2: template}
    if defaults:
        files["roles/docker/defaults/main.yml"] = defaults
    write_tree(tmp_path, files)
    return scan(tmp_path, **options)


def rules(result):
    return sorted(f.rule for f in result.findings)


def config_of(result):
    (host,) = [h for h in result.hosts if h.daemon_configs]
    (config,) = host.daemon_configs
    return config


LIVE_RESTORE_IF = '{\n{% if docker_live_restore %}\n  "live-restore": true,\n{% endif %}\n  "log-driver": "journald"\n}\n'


def test_a_branch_the_defaults_decide_is_read_at_its_place(tmp_path):
    result = role(tmp_path, LIVE_RESTORE_IF, "docker_live_restore: true\n")
    config = config_of(result)
    assert config.problem is None and not config.templated
    assert [m.key for m in config.root.value] == ["live-restore", "log-driver"]
    member = config.root.value[0]
    location = config.document.location(member.key_start, member.key_end)
    assert (location.path, location.line, location.column) == (J2, *at(LIVE_RESTORE_IF, '"live-restore"'))
    assert "DKD101" not in rules(result)


def test_the_branch_not_taken_is_not_read(tmp_path):
    result = role(tmp_path, LIVE_RESTORE_IF, "docker_live_restore: false\n")
    finding = only(result, "DKD101")
    assert finding.location.path == J2
    assert [m.key for m in config_of(result).root.value] == ["log-driver"]


def test_elif_else_comparisons_and_tests(tmp_path):
    template = (
        "{\n{% if driver == 'json-file' and not debug | bool %}\n"
        '  "log-driver": "json-file",\n'
        "{% elif driver in ['local', 'journald'] or retries > 3 %}\n"
        '  "log-driver": "{{ driver }}",\n'
        "{% else %}\n"
        '  "log-driver": "syslog",\n'
        "{% endif %}\n"
        "{% if registry is not defined %}\n"
        '  "live-restore": true\n'
        "{% else %}\n"
        '  "live-restore": false\n'
        "{% endif %}\n}\n"
    )
    result = role(tmp_path, template, "driver: local\ndebug: 'no'\nretries: 1\n")
    config = config_of(result)
    assert config.problem is None and not config.templated
    assert [(m.key, m.value.value) for m in config.root.value if m.value.kind == "string"] == [("log-driver", "local")]
    assert [m.value.kind for m in config.root.value if m.key == "live-restore"] == ["true"]


def test_whitespace_control_on_block_tags(tmp_path):
    template = '{ "a": 1{%- if on %},\n   "live-restore": true\n{%- endif %} }'
    result = role(tmp_path, template, "on: true\n")
    config = config_of(result)
    assert config.document.text == '{ "a": 1,\n   "live-restore": true }'


UNDECIDED = (
    "{\n"
    "{% if ansible_facts['os_family'] == 'Debian' %}\n"
    '  "live-restore": true,\n'
    '  "storage-driver": "devicemapper",\n'
    "{% else %}\n"
    '  "storage-driver": "overlay2",\n'
    "{% endif %}\n"
    '  "icc": false,\n'
    '  "log-driver": "journald"\n'
    "}\n"
)


def test_an_undecided_condition_reports_only_what_holds_on_every_branch(tmp_path):
    result = role(tmp_path, UNDECIDED)
    config = config_of(result)
    assert config.problem is None and config.templated
    # live-restore is on one branch only: not "disabled", not "on" (no log-pipe advice)
    # storage-driver differs (devicemapper is removed on one branch only): not judged
    assert not {"DKD101", "DKD108", "DKD307"} & set(rules(result)), [(f.rule, f.message) for f in result.findings]
    assert set(config.document.undecided) == {"live-restore", "storage-driver"}


def test_what_every_branch_sets_is_known(tmp_path):
    template = UNDECIDED.replace('"icc": false', '"icc": true, "log-level": "debug"')
    result = role(tmp_path, template, profile="all")
    finding = only(result, "DKD404")  # log-level debug on every branch
    assert (finding.location.path, *where(finding)) == (J2, *at(template, '"log-level"'))


def test_too_many_combinations_make_the_file_unknown(tmp_path):
    blocks = "".join(f'{{% if ansible_facts["x{i}"] %}}\n  "label-{i}": "a",\n{{% endif %}}\n' for i in range(5))
    template = "{\n" + blocks + '  "live-restore": false\n}\n'
    result = role(tmp_path, template)
    assert rules(result) == ["DKD902"]
    assert config_of(result).problem is not None


def test_none_renders_empty_and_booleans_as_python_does(tmp_path):
    template = '{"data-root": "/srv{{ nothing }}/docker", "labels": ["{{ flag }}", "{{ flag | lower }}"], "live-restore": {{ flag | to_json }}}\n'
    result = role(tmp_path, template, "nothing: null\nflag: true\n")
    config = config_of(result)
    assert config.document.text == '{"data-root": "/srv/docker", "labels": ["True", "true"], "live-restore": true}\n'


def test_a_jinja_syntax_error_is_a_finding_at_its_line(tmp_path):
    template = '{\n  "live-restore": true,\n{% if debug }\n  "debug": true\n{% endif %}\n}\n'
    result = role(tmp_path, template, "debug: false\n")
    finding = only(result, "DKD903")
    assert (finding.location.path, finding.location.line) == (J2, 3)
    assert "DKD101" not in rules(result)


def test_unclosed_blocks_and_bad_end_tags(tmp_path):
    for template, line in (('{\n{% if a %}\n"debug": true\n}\n', 2), ('{\n{% if a %}"debug": true,{% endif}\n"b": 1}\n', 2)):
        result = role(tmp_path, template, "a: true\n")
        finding = only(result, "DKD903")
        assert finding.location.line == line, finding.message


def test_never_rendered(tmp_path):
    marker = tmp_path / "MARKER"
    template = (
        "{\n{% if lookup('pipe', 'touch " + str(marker) + "') %}\n"
        '"debug": true,\n{% endif %}\n'
        "\"x\": \"{{ ''.__class__.__mro__[1].__subclasses__() }}\",\n"
        "\"y\": \"{{ lookup('pipe', 'touch " + str(marker) + "') }}\"\n}\n"
    )
    role(tmp_path, template)
    assert not marker.exists()


def test_hosts_shows_what_a_template_decides_as_written(tmp_path):
    template = (
        '{"hosts": ["unix:///var/run/docker.sock", "tcp://{{ dds_host }}:2376"],\n'
        "{% if ansible_facts['os_family'] == 'Debian' %}\n"
        ' "live-restore": true,\n'
        "{% endif %}\n"
        ' "log-driver": "local"}\n'
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": TASKS, J2: template})
    done = cli("hosts", "--format", "json", cwd=tmp_path)
    (described,) = json.loads(done.stdout)["hosts"]
    config = described["config"]
    assert config["hosts"]["value"] == '["unix:///var/run/docker.sock", "tcp://{{ dds_host }}:2376"]'
    assert config["live-restore"]["value"] == "(set only where {% if ansible_facts['os_family'] == 'Debian' %})"
    assert config["log-driver"]["value"] == "local"
    assert "xxx" not in cli("hosts", cwd=tmp_path).stdout


def test_a_whole_quoted_unknown_value_is_a_string_of_unknown_content_not_an_unreadable_file(tmp_path):
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "roles/r/tasks/main.yml": "- apt: {name: docker-ce}\n- template: {src: daemon.json.j2, dest: /etc/docker/daemon.json}\n",
        "roles/r/templates/daemon.json.j2": '{\n  "data-root": "{{ docker_root }}",\n  "hosts": ["tcp://0.0.0.0:2375"]\n}\n',
    })
    result = scan(tmp_path)
    # the template writes the quotes: the file parses, the rest of it is judged
    assert {"DKD201", "DKD401", "DKD101"} <= {f.rule for f in result.findings}
    assert not [f for f in result.findings if f.rule == "DKD902"]


def test_ansible_ternary_picks_the_branch_its_value_decides(tmp_path):
    template = '{"log-level": "{{ verbose | ternary(\'debug\', \'info\') }}", "data-root": "{{ root | ternary(\'/a\', \'/b\', \'/none\') }}", "x": "{{ unset | ternary(\'a\', \'b\') }}"}\n'
    result = role(tmp_path, template, "verbose: false\nroot: null\n", select=["DKD404"])
    text = config_of(result).document.text
    assert text.startswith('{"log-level": "info", "data-root": "/none", "x": "') and '"x": "a"' not in text and '"x": "b"' not in text


def test_a_closer_inside_open_brackets_does_not_end_the_tag_as_in_jinja():
    """Jinja's lexer ignores ``}}`` while a bracket is open: a nested dict literal is one expression."""
    import jinja2

    from dlint_docker import jinja

    text = "{{ {'live-restore': true, 'log-opts': {'max-size': '10m'}} | to_json }} tail"
    (tag,) = [t for t in jinja.tags(text)]
    assert tag.closed and text[tag.start : tag.end] == text[: text.index(" tail")]
    assert jinja2.Environment().from_string(text.replace("to_json", "tojson").replace("true", "True")).render().endswith(" tail")
    assert [t.closed for t in jinja.tags("{{ f( }} rest")] == [False]  # unbalanced: runs on, as Jinja's lexer does


def _loop_role(options: str) -> dict:
    template = (
        '{\n{% for key in docker_options %}  "{{ key }}": {{ docker_options[key] | to_json }}{% if not loop.last %},{% endif %}\n{% endfor %}}\n'
    )
    return {
        "site.yml": "- hosts: all\n  roles:\n    - docker\n",
        "roles/docker/defaults/main.yml": options,
        "roles/docker/tasks/main.yml": "- apt:\n    name: docker-ce\n- template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n",
        "roles/docker/templates/daemon.json.j2": template,
    }


def test_a_loop_over_a_role_default_is_written_out(tmp_path):
    """``{% for key in docker_options %}`` over a dict the role's defaults give: one copy per key,
    ``loop.last`` decided, so the daemon.json is known (live-restore on: no DKD101, DKD104 for the
    unpinned engine; a wrong type is DKD003); over a value dlint cannot know, the file stays a template's (not judged, said)."""
    write_tree(tmp_path, _loop_role("docker_options:\n  live-restore: true\n  log-level: info\n"))
    result = scan(tmp_path)  # live-restore on an unpinned engine: DKD104 only
    assert [f.rule for f in result.findings] == ["DKD104"] and result.unknowns == []
    write_tree(tmp_path, _loop_role("docker_options:\n  live-restore: true\n  max-concurrent-downloads: \"3\"\n"))
    assert sorted(f.rule for f in scan(tmp_path).findings) == ["DKD003", "DKD104"]
    write_tree(tmp_path, _loop_role("docker_options: \"{{ lookup('env', 'OPTS') }}\"\n"))
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"] and result.unknowns


def test_a_loop_whose_trimming_runs_a_continuation_on_is_left_unknown():
    """``dockerd \\`` then ``{%- for %}``: the trimmed loop puts ``\\  --flag`` on one line, which
    systemd may read either way: not written out (the mask stays)."""
    from dlint_docker import jinja
    from dlint_docker.document import Document

    text = "ExecStart=/usr/bin/dockerd \\\n{%- for s in opts %}\n  --{{ s }} {% if not loop.last %}\\{% endif %}\n{%- endfor %}\n"

    def resolve(name, where):
        return jinja.Val("list", [jinja.string("debug"), jinja.string("tls")]) if name == "opts" else None

    rendered = jinja.render(jinja.Mapped.of(text, Document(text, "x"), 0, True), resolve)
    assert "--debug" not in rendered.text.text and rendered.templated
