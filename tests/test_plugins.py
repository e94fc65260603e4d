"""Plugins: the built-in pack arrives through the entry point like any pack; --plugin adds one;
entry points are found the same way importlib.metadata finds them; the compiled pack is current."""

from __future__ import annotations

import importlib.metadata
import json

import pytest

from dlint_docker import plugins
from dlint_docker.errors import PolicyError
from dlint_docker.policy.pack import COMPILED, FORMAT, read_folder

from .helpers import REPO, cli, write_tree


def test_fast_entry_points_agree_with_importlib_metadata():
    ours = {(ep.name, ep.value) for ep in plugins.entry_points(plugins.GROUP)}
    theirs = {(ep.name, ep.value) for ep in importlib.metadata.entry_points(group=plugins.GROUP)}
    assert ours == theirs
    assert ("builtin", "dlint_docker.policies") in ours


def test_builtin_pack_is_registered_through_the_entry_point():
    pm = plugins.manager()
    names = [name for name, _ in pm.list_name_plugin()]
    assert any(name.endswith(":builtin") for name in names), names
    origins = {p.meta.origin for p in plugins.collect_policies(pm)}
    assert origins == {"dlint built-in pack"}


def test_compiled_pack_is_current():
    folder = REPO / "policies"
    cache = json.loads((folder / COMPILED).read_text())
    resources, hashes = read_folder(folder)
    assert cache["format"] == FORMAT
    assert cache["sources"] == hashes, "run: python -m dlint_docker.policy.pack policies"
    assert cache["resources"] == resources


PLUGIN = '''
from dlint_docker import hookimpl
from dlint_docker.policy import Hit, Policy, PolicyMeta


def _check(host, context):
    facts = context.facts(host)
    if facts.get("/config/debug") is True:
        yield Hit("debug logging is on in production", pointer="/config/debug")


@hookimpl
def dlint_policies():
    meta = PolicyMeta(id="ACME100", name="no-debug", severity="warning", breaks="none",
                      summary="debug is on", rationale="noise", remediation="turn it off",
                      examples={"fail": [], "pass": []}, origin="acme plugin")
    return [Policy(meta, _check)]
'''


def test_explicit_plugin_adds_a_python_policy(tmp_path):
    write_tree(tmp_path, {"plugins/acme_dlint.py": PLUGIN, "daemon.json": '{"live-restore": true,\n "debug": true}'})
    done = cli("scan", "-f", "json", "--plugin", "acme_dlint", "--ignore", "DKD108", cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "plugins")})
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("ACME100", 2, 2)]


def test_plugin_that_cannot_be_imported_is_a_usage_error(tmp_path):
    write_tree(tmp_path, {"daemon.json": "{}"})
    done = cli("scan", "--plugin", "no_such_module_xyz", cwd=tmp_path)
    assert done.returncode == 2 and "--plugin no_such_module_xyz" in done.stderr


def test_crashing_plugin_exits_4_without_traceback(tmp_path):
    crash = PLUGIN.replace('    facts = context.facts(host)\n', '    raise RuntimeError("boom")\n    facts = None\n')
    write_tree(tmp_path, {"plugins/crashy.py": crash, "daemon.json": "{}"})
    done = cli("scan", "--plugin", "crashy", cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "plugins")})
    assert done.returncode == 4
    assert "ACME100" in done.stderr and "boom" in done.stderr and "Traceback" not in done.stderr


def test_duplicate_ids_are_refused():
    import types

    from dlint_docker.hookspecs import hookimpl
    from dlint_docker.policy import Policy, PolicyMeta

    @hookimpl
    def dlint_policies():
        meta = PolicyMeta(id="DKD101", name="other", severity="info", breaks="none", summary="s", rationale="r", remediation="x", origin="evil")
        return [Policy(meta, lambda h, c: ())]

    pm = plugins.manager()
    pm.register(types.SimpleNamespace(dlint_policies=dlint_policies), name="evil")
    with pytest.raises(PolicyError, match="defined twice"):
        plugins.collect_policies(pm)


def test_nothing_is_imported_from_the_scanned_repository(tmp_path):
    marker = tmp_path / "imported"
    write_tree(tmp_path, {
        "policies/__init__.py": f"open({str(marker)!r}, 'w').write('x')\n",
        "linter_plugin.py": f"open({str(marker)!r}, 'w').write('x')\n",
        "daemon.json": "{}",
    })
    cli("scan", cwd=tmp_path)
    cli("rules", cwd=tmp_path)
    assert not marker.exists()


def test_docs_rules_md_is_generated_from_the_policies():
    from dlint_docker.docs import render
    from dlint_docker.scan import Options, prepare

    expected = render(prepare(Options()).all_policies)
    assert (REPO / "docs" / "rules.md").read_text("utf-8") == expected, "run: python -m dlint_docker.docs > docs/rules.md"


def test_readme_rule_table_is_generated_from_the_policies():
    from dlint_docker.docs import readme
    from dlint_docker.scan import Options, prepare

    text = (REPO / "README.md").read_text("utf-8")
    assert readme(text, prepare(Options()).all_policies) == text, "run: python -m dlint_docker.docs --readme"
