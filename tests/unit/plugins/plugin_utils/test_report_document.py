# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one builder of the report document (schema 2)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import fault_rules
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_document as rd
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.plugin_utils.report_fixtures import CountingHostvars, RawHostvars

CONTEXT = {"install_dir": "/opt/cisco/amp", "log_dir": "/var/log/cisco", "service": "cisco-amp"}
TOP = [{"pid": 42, "comm": "backup", "cpu_percent": 93.0, "cmdline": "/usr/bin/backup --password hunter2 /srv"},
       {"pid": 43, "comm": "idle", "cpu_percent": 0.0, "cmdline": "/usr/sbin/idle"}]


def faults(reported=None, **extra):
    inputs = {"installed": True, "reported": reported or {}, "context": CONTEXT}
    inputs.update(extra)
    return fault_rules.build_faults(inputs)


def facts(faults_, top=None):
    return {"installed": True, "version": "1.24.3", "service": {"state": "running"}, "faults": faults_,
            "errors": [], "top_processes": top or []}


HEALTHY = faults()
F5 = faults({5: "Major"}, accounts={"name": "cisco-amp-scan-svc", "user": True, "group": False})
F18 = faults({18: "Major"}, top_processes=TOP)


def hostvars(cls=dict):
    return cls({
        "web1": {"ansible_facts": {"secure_endpoint": facts(HEALTHY)},
                 "secure_endpoint_remediation": rs.host_result(F5, after=HEALTHY, attempted=["5"], restarted=True),
                 "gather": {"changed": False}},
        "web2": {"ansible_facts": {"secure_endpoint": facts(F18, TOP)},
                 "secure_endpoint_remediation": rs.host_result(F18, after=F18, attempted=["18"], manual=["18"])},
        "ghost": {"ansible_facts": {}, "secure_endpoint_remediation": rs.unreachable_result("timed out"),
                  "gather": {"unreachable": True, "msg": "ssh: timeout"}},
        "broken": {"ansible_facts": {}, "gather": {"failed": True, "msg": "interpreter not found"}},
        "later": {"ansible_facts": {}},
    })


def build(hv, hosts_ok=None, kind="facts", **kw):
    hosts = sorted(hv)
    values = rd.read_hosts(hv, hosts, kw.pop("result_var", None), rd.REMEDIATION_VAR if kind == "remediation" else None)
    return rd.document(values, hosts, hosts if hosts_ok is None else hosts_ok, kind=kind, **kw)


@pytest.mark.parametrize("cls", [CountingHostvars, RawHostvars])
def test_each_host_is_read_once(cls):
    hv = hostvars(cls)
    build(hv, kind="remediation", result_var="gather")
    assert (hv.reads if cls is CountingHostvars else len(hv.reads)) == len(hv)


def test_facts_document():
    doc = build(hostvars(), kind="facts", result_var="gather", generated_at="2026-11-29T00:00:00Z", check_mode=True)
    assert (doc["schema"], doc["kind"], doc["check_mode"], doc["generated_at"]) == (2, "facts", True, "2026-11-29T00:00:00Z")
    assert "remediation" not in doc and "run_stopped" not in doc
    assert doc["unreachable"] == ["ghost"] and doc["failed"] == [{"host": "broken", "msg": "interpreter not found"}]
    assert doc["no_facts"] == ["later"] and doc["hosts"]["ghost"] is None
    summary = doc["summary"]
    assert (summary["hosts"], summary["with_facts"], summary["hosts_with_active_faults"]) == (5, 2, 1)
    assert summary["active_faults"]["18"] == 1 and summary["active_faults"]["5"] == 0
    # without a registered result, a host that left the play is unreachable
    doc = build(hostvars(), ["web1", "web2"])
    assert doc["unreachable"] == ["broken", "ghost", "later"] and doc["failed"] == []
    with pytest.raises(ValueError, match="kind must be one of"):
        build(hostvars(), kind="audit")


def test_remediation_document():
    hv = hostvars()
    doc = build(hv, ["web1", "web2", "ghost", "broken"], kind="remediation", run_stopped="1 of 1 hosts failed")
    rem = doc["remediation"]
    assert rem["web1"]["status"] == rs.FIXED and rem["web2"]["status"] == rs.NEEDS_PERSON
    assert rem["ghost"]["status"] == rs.UNREACHABLE
    # in the play without an entry: the run stopped before it; out of the play without one: failed
    assert rem["broken"]["status"] == rs.NOT_PROCESSED
    assert rem["later"]["status"] == rs.FAILED and doc["failed"] == [
        {"host": "later", "msg": "run: the host left the run before its remediation finished"}]
    assert doc["unreachable"] == ["ghost"] and doc["run_stopped"] == "1 of 1 hosts failed"
    assert doc["summary"]["statuses"] == {"fixed": 1, "needs_person": 1, "unreachable": 1, "not_processed": 1,
                                          "failed": 1}
    assert doc["summary"]["unreachable"] == 1 and doc["summary"]["failed"] == 1
    assert doc["summary"]["hosts_with_journal_kept"] == 0
    hv["web1"]["secure_endpoint_remediation"] = rs.host_result(HEALTHY, journal_kept=["journal/x.json: unreadable"])
    assert build(hv, kind="remediation")["summary"]["hosts_with_journal_kept"] == 1


def test_command_lines_are_redacted_unless_asked():
    hv = hostvars()
    doc = build(hv, kind="remediation")
    web2 = doc["hosts"]["web2"]
    assert [p["cmdline"] for p in web2["top_processes"]] == ["/usr/bin/backup <redacted>", "/usr/sbin/idle"]
    evidence = "\n".join(web2["faults"]["18"]["evidence"])
    assert "hunter2" not in evidence and "CPU: /usr/bin/backup <redacted>" in evidence
    # the host's own facts are not changed by the report
    assert hv["web2"]["ansible_facts"]["secure_endpoint"]["top_processes"][0]["cmdline"].endswith("/srv")
    kept = build(hv, kind="remediation", command_lines=True)
    assert "hunter2" in kept["hosts"]["web2"]["top_processes"][0]["cmdline"]


def test_redaction_copies_only_what_it_changes():
    source = facts(F18, TOP)
    out = rd.redact_facts(source)
    assert out is not source and out["faults"]["5"] is source["faults"]["5"] and out["service"] is source["service"]
    assert out["faults"]["18"] is not source["faults"]["18"]
    assert TOP[0]["cmdline"] == "/usr/bin/backup --password hunter2 /srv"  # the input is not changed
    healthy = facts(HEALTHY)
    assert rd.redact_facts(healthy) is healthy  # nothing to redact: nothing copied
    assert rd.redact_facts(None) is None
    assert rd.redact_cmdline("/bin/one") == "/bin/one" and rd.redact_cmdline("") == ""
