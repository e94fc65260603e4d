"""Waivers that stay honest: an expiry date on inline waivers and .dlint.yaml exceptions."""

from __future__ import annotations

from .helpers import scan, write_tree

SCRIPT = "#!/bin/sh\n# dlint: disable=DKD104 -- the image pipeline pins it%s\napt-get install -y docker-ce\necho '{\"live-restore\": true}' > /etc/docker/daemon.json\n"


def _one(result, rule):
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.message) for f in result.findings]
    return found[0]


def test_an_inline_waiver_holds_until_its_date(tmp_path):
    write_tree(tmp_path, {"p.sh": SCRIPT % " (until 2999-12-31)"})
    finding = _one(scan(tmp_path, select=["DKD104"]), "DKD104")
    assert finding.waived == "the image pipeline pins it (inline)"


def test_an_expired_inline_waiver_reports_the_finding_again_with_its_place(tmp_path):
    write_tree(tmp_path, {"p.sh": SCRIPT % " (until 2001-01-31)"})
    finding = _one(scan(tmp_path, select=["DKD104"]), "DKD104")
    assert finding.waived is None and (finding.location.line, finding.location.column) == (3, 20)
    assert finding.message.endswith("(the inline waiver at p.sh:2 expired on 2001-01-31)")


def test_a_config_exception_expires(tmp_path):
    config = "exceptions:\n  - path: daemon.json\n    rule: live-restore-disabled\n    reason: legacy host\n    expires: %s\n"
    write_tree(tmp_path, {"daemon.json": '{"icc": false}\n', ".dlint.yaml": config % "2999-01-01"})
    assert _one(scan(tmp_path, select=["DKD101"]), "DKD101").waived == "legacy host"
    write_tree(tmp_path, {".dlint.yaml": config % "2001-01-01"})
    finding = _one(scan(tmp_path, select=["DKD101"]), "DKD101")
    assert finding.waived is None
    assert finding.message.endswith("(the .dlint.yaml exception that waived it expired on 2001-01-01: legacy host)")


def test_a_misspelt_rule_in_a_waiver_is_an_error_at_its_place(tmp_path):
    text = "#!/bin/sh\n# dlint: disable=DKD104,live-restore-disabeld -- typo\napt-get install -y docker-ce=5:27.5.1-1~debian.12~bookworm\n"
    write_tree(tmp_path, {"q.sh": text})
    found = [f for f in scan(tmp_path).findings if f.rule == "DKD905"]
    assert [(f.severity, f.location.line, f.location.column) for f in found] == [("error", 2, 25), ("warning", 2, 18)]
    assert "'live-restore-disabeld', which is no rule" in found[0].message
    assert "this waiver of DKD104 matches no finding" in found[1].message


def test_an_exception_that_matches_nothing_is_said_at_its_line(tmp_path):
    config = "exceptions:\n  - path: daemon.json\n    rule: live-restore-disabled\n    reason: legacy host\n"
    write_tree(tmp_path, {"daemon.json": '{"live-restore": true}\n', ".dlint.yaml": config})
    finding = _one(scan(tmp_path), "DKD905")
    assert (finding.location.path, finding.location.line, finding.severity) == (".dlint.yaml", 2, "warning")
    # a scan of some files only cannot tell: the exception may be about the others
    assert not [f for f in scan(tmp_path, ["daemon.json"]).findings if f.rule == "DKD905"]


def test_used_and_refused_waivers_are_not_unused(tmp_path):
    write_tree(tmp_path, {"p.sh": SCRIPT % "", "r.sh": SCRIPT.replace(" -- the image pipeline pins it%s", "")})
    assert not [f for f in scan(tmp_path).findings if f.rule == "DKD905"]
