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
