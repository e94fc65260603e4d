"""dockerd's command line judged word by word, like daemon.json keys: unknown flags (DKD002), flags
the target release removed (DKD007), values dockerd refuses (DKD004), each at its word."""

from __future__ import annotations

import pytest

from .helpers import at, scan, where, write_tree

UNIT = "etc/systemd/system/docker.service.d/override.conf"
DAEMON = {"etc/docker/daemon.json": '{"max-concurrent-uploads": 5}\n'}


def _unit(tmp_path, words: str, **options):
    text = f"[Service]\nExecStart=\nExecStart=/usr/bin/dockerd {words}\n"
    write_tree(tmp_path, {**DAEMON, UNIT: text})
    return text, scan(tmp_path, **options)


def _ours(result, rules=("DKD002", "DKD004", "DKD007")):
    return [f for f in result.findings if f.rule in rules]


@pytest.mark.parametrize("word,meant", [("--live-restor", "--live-restore"), ("--tls-verify", "--tlsverify"), ("--insecure-registries=r:5000", "--insecure-registry")])
def test_unknown_flag_is_unknown_key_at_the_word_with_the_near_miss(tmp_path, word, meant):
    text, result = _unit(tmp_path, f"-H fd:// {word}")
    [finding] = _ours(result)
    assert (finding.rule, finding.breaks) == ("DKD002", "config-load")
    assert finding.location.path == UNIT and where(finding) == at(text, word)
    assert f"unknown flag: {word.split('=')[0]}" in finding.message
    assert finding.fix == f"did you mean {meant}?"


def test_flag_of_a_later_release_says_when_it_came(tmp_path):
    _, result = _unit(tmp_path, "--bip6=fd00::1/64", engine_version="26.1")
    [finding] = _ours(result)
    assert finding.rule == "DKD002" and "added in 28.0" in finding.message
    _, result = _unit(tmp_path, "--bip6=fd00::1/64", engine_version="28.5")
    assert not _ours(result)


@pytest.mark.parametrize("words,version,word,fix", [
    ("--cluster-store=consul://10.0.0.1:8500", "24.0", "--cluster-store", "remove --cluster-store=consul://10.0.0.1:8500"),
    ("-g /data", "24.0", "-g", "replace -g /data with --data-root=/data"),
    ("--graph=/data", "26.1", "--graph", "replace --graph=/data with --data-root=/data"),
    ("--oom-score-adjust=-500", "26.0", "--oom-score-adjust", "use OOMScoreAdjust= in the docker.service unit"),
    ("--api-cors-header=*", "29.0", "--api-cors-header", "use a reverse proxy in front of the API"),
])
def test_flag_the_release_removed_is_removed_option(tmp_path, words, version, word, fix):
    text, result = _unit(tmp_path, words, engine_version=version)
    [finding] = _ours(result)  # the value of -g is not reported again as a stray argument
    assert (finding.rule, finding.breaks) == ("DKD007", "config-load")
    assert where(finding) == at(text, word) and finding.fix == fix
    assert "was removed in Docker " in finding.message and f"dockerd {version} refuses it" in finding.message


@pytest.mark.parametrize("words,version", [
    ("--graph=/data", "23.0"),  # still parsed, then refused with its own message
    ("--cluster-store=consul://10.0.0.1:8500", "23.0"),
    ("--oom-score-adjust=-500", "25.0"),
    ("--api-cors-header=*", "28.5"),
])
def test_flag_still_parsed_but_refused_quotes_dockerd(tmp_path, words, version):
    _, result = _unit(tmp_path, words, engine_version=version)
    [finding] = _ours(result)
    assert (finding.rule, finding.breaks) == ("DKD007", "config-load")
    assert f"dockerd {version} refuses {words.split('=')[0]}:" in finding.message


@pytest.mark.parametrize("words,version", [
    ("--graph=/data", "20.10"),
    ("--api-cors-header=*", "26.1"),
    ("--oom-score-adjust=0", "25.0"),
    ("--network-diagnostic-port=5", "28.5"),  # hidden, accepted
    ("--restart=false -r", "28.5"),  # deprecated, accepted with a warning
    ("--feature=cdi=true", "28.5"),
    ("-D -l debug -Hunix:///var/run/docker.sock --mtu=0x10 --shutdown-timeout=010", "28.5"),
])
def test_flags_dockerd_accepts_are_not_refused(tmp_path, words, version):
    _, result = _unit(tmp_path, words, engine_version=version)
    assert not [f for f in _ours(result) if f.breaks == "config-load"], [f.message for f in result.findings]


def test_allow_nondistributable_artifacts_flag_is_ignored_on_28_and_unknown_on_29(tmp_path):
    _, result = _unit(tmp_path, "--allow-nondistributable-artifacts=r:5000", engine_version="28.5")
    [finding] = _ours(result)
    assert (finding.rule, finding.breaks) == ("DKD007", "ignored")
    _, result = _unit(tmp_path, "--allow-nondistributable-artifacts=r:5000", engine_version="29.0")
    [finding] = _ours(result)
    assert (finding.rule, finding.breaks) == ("DKD007", "config-load")


def test_boolean_flag_with_its_value_as_a_separate_word(tmp_path):
    text, result = _unit(tmp_path, "--iptables false --ip-masq=false")
    [finding] = _ours(result)
    assert (finding.rule, finding.breaks) == ("DKD004", "config-load")
    assert where(finding) == at(text, "false")
    assert finding.fix == "write --iptables=false"


@pytest.mark.parametrize("words,word,says", [
    ("--mtu=abc", "--mtu=abc", 'invalid argument "abc" for "--mtu" flag'),
    ("--selinux-enabled=yes", "--selinux-enabled=yes", 'invalid argument "yes" for "--selinux-enabled" flag'),
    ("--log-level=verbose", "--log-level=verbose", "invalid logging level: verbose"),
    ("-l verbose", "verbose", "invalid logging level: verbose"),
    ("--dns 8.8.8", "8.8.8", "is not an IP address"),
    ("--label env", "env", "bad attribute format: env"),
    ("--max-concurrent-downloads=-1", "--max-concurrent-downloads=-1", "invalid max concurrent downloads: -1"),
    ("--label", "--label", "flag needs an argument: --label"),
])
def test_value_dockerd_refuses_is_invalid_value_at_the_value(tmp_path, words, word, says):
    text, result = _unit(tmp_path, words)
    [finding] = _ours(result)
    assert (finding.rule, finding.breaks) == ("DKD004", "config-load")
    assert where(finding) == at(text, word, text.count(word) if word == "--label" else 1)
    assert says in finding.message


def test_registry_mirror_flag_is_refused_while_parsing_flags(tmp_path):
    # in daemon.json a bad mirror stops only the start before 28.3; as a flag, the parser refuses it
    _, result = _unit(tmp_path, "--registry-mirror=notaurl", engine_version="26.1")
    [finding] = _ours(result)
    assert (finding.rule, finding.breaks) == ("DKD004", "config-load")


def test_a_word_that_is_no_flag(tmp_path):
    text, result = _unit(tmp_path, "daemon -H fd://")
    [finding] = _ours(result)
    assert finding.rule == "DKD002" and where(finding) == at(text, "daemon")
    assert "accepts no argument(s)" in finding.message


def test_flag_from_docker_opts_points_into_the_environment_file(tmp_path):
    write_tree(tmp_path, {
        **DAEMON,
        "etc/systemd/system/docker.service": "[Service]\nEnvironmentFile=/etc/default/docker\nExecStart=/usr/bin/dockerd -H fd:// $DOCKER_OPTS\n",
        "etc/default/docker": 'DOCKER_OPTS="--dns 8.8.8.8 --tls-verify"\n',
    })
    [finding] = _ours(scan(tmp_path))
    assert finding.rule == "DKD002" and finding.location.path == "etc/default/docker"


def test_words_a_template_decides_are_not_judged(tmp_path):
    write_tree(tmp_path, {
        "roles/docker/tasks/main.yml": "- template: {src: docker.service.j2, dest: /etc/systemd/system/docker.service}\n- apt: {name: docker-ce}\n",
        "roles/docker/templates/docker.service.j2": "[Service]\nExecStart=/usr/bin/dockerd {{ docker_opts }} --iptables false\n",
    })
    assert not _ours(scan(tmp_path))


def test_shell_words_are_judged_up_to_the_first_one_dlint_cannot_read(tmp_path):
    text = "#!/bin/sh\napt-get install -y docker-ce\ndockerd --tls-verify $OPTS --live-restor &\n"
    write_tree(tmp_path, {"setup.sh": text})
    [finding] = _ours(scan(tmp_path))
    assert where(finding) == at(text, "--tls-verify")


def test_the_assumed_packaged_unit_is_not_reported(tmp_path):
    write_tree(tmp_path, DAEMON)
    assert not _ours(scan(tmp_path, engine_version="17.06"))
