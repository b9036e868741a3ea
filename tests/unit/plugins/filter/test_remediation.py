# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.secure_endpoint.linux.plugins.filter import (
    remediation_batch_verdict, remediation_failure_message, remediation_host_result, remediation_plan,
    remediation_wait_for, report_document)
from ansible_collections.secure_endpoint.linux.plugins.module_utils import fault_rules
from ansible_collections.secure_endpoint.linux.plugins.module_utils import remediation_status as rs

CONTEXT = {"install_dir": "/opt/cisco/amp", "log_dir": "/var/log/cisco", "service": "cisco-amp"}
ROLE_TABLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "remediate", "vars", "main.yml")


def faults(reported=None, **extra):
    inputs = {"installed": True, "reported": reported or {}, "context": CONTEXT}
    inputs.update(extra)
    return fault_rules.build_faults(inputs)


HEALTHY = faults()
MISSING_USER = {"name": "cisco-amp-scan-svc", "user": True, "group": False}
F5 = faults({5: "Major"}, accounts=MISSING_USER)
F5_18 = faults({5: "Major", 18: "Major"}, accounts=MISSING_USER)
F18 = faults({18: "Major"})
F11 = faults({11: "Major"})
TABLE = [
    {"faults": ["19"], "role": "selinux_policy", "tags": ["fault_19", "selinux_policy"]},
    {"faults": ["11"], "role": "kernel_headers", "tags": ["fault_11", "kernel_headers"]},
    {"faults": ["8", "9"], "role": "kernel_modules", "tags": ["fault_8", "fault_9", "kernel_modules"]},
    {"faults": ["7"], "role": "scan_definitions", "tags": ["fault_7", "scan_definitions"]},
    {"faults": ["6"], "role": "scan_restart", "tags": ["fault_6", "scan_restart"]},
    {"faults": [5], "role": "scan_user", "tags": ["fault_5", "scan_user"]},
    {"faults": ["18"], "role": "event_overload", "tags": ["fault_18", "event_overload"]},
    {"faults": ["16"], "role": "kernel_compat", "tags": ["fault_16", "kernel_compat"]},
]


def test_the_role_table_is_the_documented_order():
    with open(ROLE_TABLE) as handle:
        table = yaml.safe_load(handle)["__remediate_table"]
    assert [row["faults"] for row in table] == [["19"], ["11"], ["8", "9"], ["7"], ["6"], ["5"], ["18"], ["16"]]
    for row in table:
        assert row["tags"][-1] == row["role"] and all("fault_%s" % f in row["tags"] for f in row["faults"])
    assert sorted(f for row in table for f in row["faults"]) == sorted(rs.FAULT_ORDER)


@pytest.mark.parametrize("run_tags, skip_tags, roles", [
    (None, None, ["scan_user", "event_overload"]),
    (["all"], [], ["scan_user", "event_overload"]),
    (["fault_5"], [], ["scan_user"]),
    (["event_overload"], [], ["event_overload"]),
    (["all"], ["fault_18"], ["scan_user"]),
    (["fault_7"], [], []),
    (["all"], ["all"], []),
])
def test_plan_keeps_active_rows_selected_by_tags_in_table_order(run_tags, skip_tags, roles):
    rows = remediation_plan.remediation_plan(TABLE, F5_18, run_tags, skip_tags)
    assert [row["role"] for row in rows] == roles
    if "scan_user" in roles:
        assert rows[0]["active"] == ["5"] and rows[0]["faults"] == ["5"]


def test_plan_of_a_healthy_host_is_empty_and_8_9_share_a_row():
    assert remediation_plan.remediation_plan(TABLE, HEALTHY) == []
    both = dict(HEALTHY, **{"9": dict(HEALTHY["9"], active=True)})
    assert remediation_plan.remediation_plan(TABLE, both)[0]["active"] == ["9"]
    assert remediation_plan.remediation_plan(None, None) == []


def test_failure_message_names_task_message_item_and_stderr():
    msg = remediation_failure_message.remediation_failure_message(
        {"name": "Fault 5 | Reinstall"},
        {"msg": "non-zero return code", "stderr": "E: Could not get lock /var/lib/dpkg/lock-frontend\n",
         "results": [{"failed": False, "msg": "ok"}, {"failed": True, "msg": "item two broke"}]})
    assert msg == ("Fault 5 | Reinstall: non-zero return code (item two broke) "
                   "stderr: E: Could not get lock /var/lib/dpkg/lock-frontend")
    assert remediation_failure_message.remediation_failure_message(None, None) == "?: failed"
    assert len(remediation_failure_message.remediation_failure_message({"name": "x"}, {"msg": "y" * 5000})) == rs.MAX_MESSAGE


def test_wait_for_attempted_not_manual_not_failed():
    before = F5_18
    # the roles decide what needs a person (an opt-in can make a fault fixable): not the facts' flag
    assert remediation_wait_for.remediation_wait_for(before, ["5", "18"]) == ["5", "18"]
    assert remediation_wait_for.remediation_wait_for(before, ["5", "18"], ["18"]) == ["5"]
    assert remediation_wait_for.remediation_wait_for(before, ["11"]) == []  # not active before
    assert remediation_wait_for.remediation_wait_for(before, ["5"], ["5"]) == []
    assert remediation_wait_for.remediation_wait_for(before, ["5"], [], {"5": "boom"}) == []
    assert remediation_wait_for.remediation_wait_for(before, []) == []


def result(before, **kw):
    return remediation_host_result.remediation_host_result(before, **kw)


def test_fixed_after_a_real_run():
    out = result(F5, after=HEALTHY, attempted=["5"], restarted=True, notes={"5": ["reinstalled 1.24.3"]})
    assert out["status"] == "fixed" and out["restarted"] is True and out["new_faults"] == []
    (entry,) = out["faults"]
    assert entry["fault"] == 5 and entry["status"] == "fixed" and entry["notes"] == ["reinstalled 1.24.3"]
    assert entry["before"] == {"active": True, "reported": True, "detected": True}
    assert entry["after"] == {"active": False, "reported": False, "detected": False}
    assert entry["still_active_causes"] == [] and entry["manual_steps"] == [] and entry["error"] is None
    assert entry["causes"] == ["scan_group_missing"]


def test_still_active_after_the_run_needs_a_person_with_the_steps_of_now():
    out = result(F5, after=F5, attempted=["5"])
    assert out["status"] == "needs a person"
    assert out["faults"][0]["still_active_causes"] == ["scan_group_missing"]
    assert out["faults"][0]["manual_steps"] == F5["5"]["remediation"]["manual_steps"]


@pytest.mark.parametrize("manual, expect_fault, expect_host", [
    ([], "would be fixed (check mode)", "would change (check mode)"),
    (["5"], "needs a person", "needs a person"),
])
def test_check_mode_says_what_the_real_run_will(manual, expect_fault, expect_host):
    check = result(F5, attempted=["5"], manual=manual, check_mode=True, restarted=True)
    real = result(F5, after=F5 if manual else HEALTHY, attempted=["5"], manual=manual)
    assert check["faults"][0]["status"] == expect_fault and check["status"] == expect_host
    assert check["restarted"] is False and check["faults"][0]["after"] is None
    # "would be fixed" <-> "fixed", "needs a person" <-> "needs a person"
    assert real["faults"][0]["status"] == {"would be fixed (check mode)": "fixed"}.get(expect_fault, expect_fault)


def test_failed_not_attempted_and_the_ladder():
    out = result(F5_18, after=F5_18, attempted=["18"], failures={"5": "Fault 5 | Reinstall: no such version"})
    by = dict((f["fault"], f) for f in out["faults"])
    assert by[5]["status"] == "failed" and by[5]["error"].endswith("no such version")
    assert by[18]["status"] == "needs a person"
    assert out["status"] == "failed" and out["errors"] == {"5": "Fault 5 | Reinstall: no such version"}
    assert result(F5, attempted=[])["status"] == "not attempted"
    assert result(F5, attempted=[])["faults"][0]["status"] == "not attempted"
    assert result(HEALTHY)["status"] == "no active fault"
    # an error outside any fault (the connector did not come back) fails the host
    assert result(F5, after=HEALTHY, attempted=["5"], failures={"restart": "not running"})["status"] == "failed"


def test_attempted_without_a_second_reading_is_not_called_fixed():
    assert result(F5, after=None, attempted=["5"])["faults"][0]["status"] == "needs a person"


def test_new_faults_are_reported_and_need_a_person():
    out = result(F5, after=F11, attempted=["5"])
    assert out["faults"][0]["status"] == "fixed"
    assert [f["fault"] for f in out["new_faults"]] == [11]
    assert out["new_faults"][0]["causes"] == F11["11"]["causes"] and out["new_faults"][0]["manual_steps"]
    assert out["status"] == "needs a person"


def test_journal_repairs_count_as_changes():
    assert result(HEALTHY, journal_repaired=["login.defs USERGROUPS_ENAB restored"])["status"] == "fixed"
    check = result(HEALTHY, journal_repaired=["would start cisco-amp"], check_mode=True)
    assert check["status"] == "would change (check mode)" and check["journal_repaired"] == ["would start cisco-amp"]


def test_unreachable_and_failed_entries():
    out = result({}, unreachable="ssh: connect timed out")
    assert out["status"] == "unreachable" and out["errors"] == {"connection": "ssh: connect timed out"}
    out = result({}, failed_step="facts", failed_message="connector_facts failed", journal_repaired=["x"])
    assert out["status"] == "failed" and out["errors"] == {"facts": "connector_facts failed"}
    assert out["journal_repaired"] == ["x"]


class FakeHostvars(dict):
    """hostvars counts how often each host's variables are read (the controller cost)."""

    def __init__(self, *a, **kw):
        super(FakeHostvars, self).__init__(*a, **kw)
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return dict.__getitem__(self, key)


def entry(status):
    return {"secure_endpoint_remediation": {"status": status}}


@pytest.mark.parametrize("statuses, limit, stop, failed", [
    (["fixed", "no active fault"], 0, False, []),
    (["fixed", "failed"], 0, True, ["h1"]),
    (["fixed", "failed"], 50, False, ["h1"]),
    (["unreachable", "failed", "fixed"], 50, True, ["h0", "h1"]),
    (["unreachable"], 100, False, ["h0"]),
    ([None, "fixed"], 40, True, ["h0"]),   # left the batch without an entry: a hard failure
])
def test_batch_verdict_counts_failed_and_unreachable(statuses, limit, stop, failed):
    hostvars = FakeHostvars(("h%d" % i, entry(s) if s else {}) for i, s in enumerate(statuses))
    batch = sorted(hostvars)
    verdict = remediation_batch_verdict.remediation_batch_verdict(hostvars, batch, limit)
    assert verdict["stop"] is stop and verdict["failed"] == failed and verdict["hosts"] == len(batch)
    assert (verdict["message"] is not None) is stop
    assert hostvars.reads == len(batch)  # each host of the batch read once: O(N)


def test_batch_verdict_bad_limit_never_stops_on_garbage():
    assert remediation_batch_verdict.remediation_batch_verdict({}, [], "x")["stop"] is False
    assert remediation_batch_verdict.remediation_batch_verdict({"a": entry("failed")}, ["a"], "x")["stop"] is False


def facts_of(faults_, top=None):
    return {"installed": True, "version": "1.24.3", "service": {"state": "running"}, "faults": faults_,
            "errors": [], "top_processes": top or []}


TOP = [{"pid": 42, "comm": "backup", "cpu_percent": 93.0, "cmdline": "/usr/bin/backup --password hunter2 /srv"},
       {"pid": 43, "comm": "idle", "cpu_percent": 0.0, "cmdline": "/usr/sbin/idle"}]
F18_TOP = faults({18: "Major"}, top_processes=TOP)


def remediation_hostvars():
    return {
        "web1": {"ansible_facts": {"secure_endpoint": facts_of(HEALTHY)},
                 "secure_endpoint_remediation": result(F5, after=HEALTHY, attempted=["5"], restarted=True)},
        "web2": {"ansible_facts": {"secure_endpoint": facts_of(F18_TOP, TOP)},
                 "secure_endpoint_remediation": result(F18_TOP, after=F18_TOP, attempted=["18"], manual=["18"])},
        "ghost": {"ansible_facts": {}, "secure_endpoint_remediation": result({}, unreachable="timed out")},
        "later": {"ansible_facts": {}},
    }


def test_report_document_for_remediation():
    hostvars = remediation_hostvars()
    doc = report_document.report_document(hostvars, sorted(hostvars), sorted(hostvars), kind="remediation",
                                          generated_at="2026-11-29T00:00:00Z", run_stopped="1 of 1 hosts failed")
    assert (doc["schema"], doc["kind"], doc["check_mode"]) == (2, "remediation", False)
    assert doc["remediation"]["web1"]["status"] == "fixed"
    assert doc["remediation"]["later"]["status"] == "not processed"
    assert doc["unreachable"] == ["ghost"] and doc["failed"] == []
    assert doc["summary"]["statuses"] == {"fixed": 1, "needs a person": 1, "unreachable": 1, "not processed": 1}
    assert doc["summary"]["hosts"] == 4 and doc["summary"]["unreachable"] == 1
    assert doc["run_stopped"] == "1 of 1 hosts failed"
    # a host that left the play without an entry failed outside the role
    doc = report_document.report_document(hostvars, sorted(hostvars), ["web1", "web2", "ghost"], kind="remediation")
    assert doc["remediation"]["later"]["status"] == "failed" and doc["failed"][0]["host"] == "later"


def test_command_lines_are_redacted_unless_asked():
    hostvars = remediation_hostvars()
    doc = report_document.report_document(hostvars, sorted(hostvars), kind="remediation")
    web2 = doc["hosts"]["web2"]
    assert [p["cmdline"] for p in web2["top_processes"]] == ["/usr/bin/backup <redacted>", "/usr/sbin/idle"]
    evidence = "\n".join(web2["faults"]["18"]["evidence"])
    assert "hunter2" not in evidence and "CPU: /usr/bin/backup <redacted>" in evidence
    # the host's own facts are not changed by the report
    assert hostvars["web2"]["ansible_facts"]["secure_endpoint"]["top_processes"][0]["cmdline"].endswith("/srv")
    kept = report_document.report_document(hostvars, sorted(hostvars), kind="remediation", command_lines=True)
    assert "hunter2" in kept["hosts"]["web2"]["top_processes"][0]["cmdline"]


def test_report_document_for_facts_keeps_the_fleet_report_fields():
    hostvars = {"a": {"ansible_facts": {"secure_endpoint": facts_of(F18)}}, "b": {"ansible_facts": {}}}
    doc = report_document.report_document(hostvars, ["a", "b"], ["a", "b"], check_mode=True)
    assert doc["kind"] == "facts" and doc["check_mode"] is True and "remediation" not in doc
    assert doc["no_facts"] == ["b"] and doc["summary"]["active_faults"]["18"] == 1
    with pytest.raises(ValueError):
        report_document.report_document(hostvars, ["a"], kind="other")


def test_markdown_of_a_remediation_report():
    from ansible_collections.secure_endpoint.linux.plugins.filter import fleet_report_markdown
    hostvars = remediation_hostvars()
    doc = report_document.report_document(hostvars, sorted(hostvars), sorted(hostvars), kind="remediation",
                                          check_mode=True, run_stopped="stopped | here")
    text = fleet_report_markdown.fleet_report_markdown(doc)
    assert text.startswith("# Secure Endpoint connector remediation report")
    assert "Check mode: nothing was changed" in text and "**Run stopped:** stopped \\| here" in text
    assert "| web1 | fixed | 5: fixed | - | - |" in text
    assert "| ghost | unreachable | - | - | connection: timed out |" in text
    assert "hunter2" not in text


def test_docs_are_yaml_and_name_the_filter():
    for module in (remediation_batch_verdict, remediation_failure_message, remediation_host_result, remediation_plan,
                   remediation_wait_for, report_document):
        for block in (module.DOCUMENTATION, module.EXAMPLES, module.RETURN):
            assert yaml.safe_load(block)
        assert list(module.FilterModule().filters()) == [yaml.safe_load(module.DOCUMENTATION)["name"]]
