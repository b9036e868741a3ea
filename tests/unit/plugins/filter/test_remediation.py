# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.secure_endpoint.linux.plugins.filter import (
    remediation_batch_verdict, remediation_failure_message, remediation_host_result, remediation_wait_for)
from ansible_collections.secure_endpoint.linux.plugins.module_utils import fault_rules
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.plugin_utils.report_fixtures import CountingHostvars

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
F7_11 = faults({7: "Major", 11: "Major"})
F7 = faults({7: "Major"})
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
    rows = rs.plan(TABLE, F5_18, run_tags, skip_tags)
    assert [row["role"] for row in rows] == roles
    if "scan_user" in roles:
        assert rows[0]["active"] == ["5"] and rows[0]["faults"] == ["5"]


def test_plan_of_a_healthy_host_is_empty_and_8_9_share_a_row():
    assert rs.plan(TABLE, HEALTHY) == []
    both = dict(HEALTHY, **{"9": dict(HEALTHY["9"], active=True)})
    assert rs.plan(TABLE, both)[0]["active"] == ["9"]
    assert rs.plan(None, None) == []


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
    assert out["status"] == "fixed" and out["restarted"] is True and out["new_faults"] == [] and out["faults_left"] == []
    (entry,) = out["faults"]
    assert entry["fault"] == 5 and entry["status"] == "fixed" and entry["notes"] == ["reinstalled 1.24.3"]
    assert entry["before"] == {"active": True, "reported": True, "detected": True}
    assert entry["after"] == {"active": False, "reported": False, "detected": False}
    assert entry["still_active_causes"] == [] and entry["manual_steps"] == [] and entry["error"] is None
    assert entry["causes"] == ["scan_group_missing"]


def test_still_active_after_the_run_needs_a_person_with_the_steps_of_now():
    out = result(F5, after=F5, attempted=["5"])
    assert out["status"] == "needs_person"
    assert out["faults_left"] == [{"fault": 5, "title": F5["5"]["title"], "why": "needs_person"}]
    assert out["faults"][0]["still_active_causes"] == ["scan_group_missing"]
    assert out["faults"][0]["manual_steps"] == F5["5"]["remediation"]["manual_steps"]


@pytest.mark.parametrize("manual, expect_fault, expect_host", [
    ([], "would_be_fixed", "would_be_fixed"),
    (["5"], "needs_person", "needs_person"),
])
def test_check_mode_says_what_the_real_run_will(manual, expect_fault, expect_host):
    check = result(F5, attempted=["5"], manual=manual, check_mode=True, restarted=True)
    real = result(F5, after=F5 if manual else HEALTHY, attempted=["5"], manual=manual)
    assert check["faults"][0]["status"] == expect_fault and check["status"] == expect_host
    assert check["restarted"] is False and check["faults"][0]["after"] is None
    # would_be_fixed <-> fixed, needs_person <-> needs_person
    assert real["faults"][0]["status"] == {"would_be_fixed": "fixed"}.get(expect_fault, expect_fault)


def test_failed_not_attempted_and_the_ladder():
    out = result(F5_18, after=F5_18, attempted=["18"], failures={"5": "Fault 5 | Reinstall: no such version"})
    by = dict((f["fault"], f) for f in out["faults"])
    assert by[5]["status"] == "failed" and by[5]["error"].endswith("no such version")
    assert by[18]["status"] == "needs_person"
    assert out["status"] == "failed" and out["errors"] == {"5": "Fault 5 | Reinstall: no such version"}
    assert [(f["fault"], f["why"]) for f in out["faults_left"]] == [(5, "failed"), (18, "needs_person")]
    assert result(F5, attempted=[])["status"] == "not_attempted"
    assert result(F5, attempted=[])["faults"][0]["status"] == "not_attempted"
    assert result(F5, attempted=[])["faults_left"][0]["why"] == "not_attempted"
    assert result(HEALTHY)["status"] == "no_active_fault"
    # an error outside any fault (the connector did not come back) fails the host
    assert result(F5, after=HEALTHY, attempted=["5"], failures={"restart": "not running"})["status"] == "failed"


def test_attempted_without_a_second_reading_is_not_called_fixed():
    assert result(F5, after=None, attempted=["5"])["faults"][0]["status"] == "needs_person"


def test_new_faults_are_reported_and_need_a_person():
    out = result(F5, after=F11, attempted=["5"])
    assert out["faults"][0]["status"] == "fixed"
    assert [f["fault"] for f in out["new_faults"]] == [11]
    assert out["new_faults"][0]["causes"] == F11["11"]["causes"] and out["new_faults"][0]["manual_steps"]
    assert out["status"] == "needs_person"
    assert out["faults_left"] == [{"fault": 11, "title": F11["11"]["title"], "why": "new_fault"}]


def test_a_fault_left_out_by_choice_keeps_the_host_from_fixed():
    """secure_endpoint_fix_fault_7=false and fault 11 fixed: fault 7 is still active, the host is
    partly fixed and says which fault is left and why (issue: "fixed" while a fault is active)."""
    out = result(F7_11, after=F7, attempted=["11"], restarted=True)
    by = dict((f["fault"], f["status"]) for f in out["faults"])
    assert by == {7: "not_attempted", 11: "fixed"}
    assert out["status"] == "partly_fixed"
    assert out["faults_left"] == [{"fault": 7, "title": F7["7"]["title"], "why": "not_attempted"}]
    # nothing fixed and the same fault left: not attempted; the other fault cleared too: fixed
    assert result(F7, attempted=[])["status"] == "not_attempted"
    assert result(F7_11, after=HEALTHY, attempted=["11"])["status"] == "fixed"
    # a journal repair is a change too: with a fault left out, partly fixed
    assert result(F7, attempted=[], journal_repaired=["x"])["status"] == "partly_fixed"
    # check mode says what the real run will
    check = result(F7_11, attempted=["11"], check_mode=True)
    assert check["status"] == "would_be_partly_fixed" and [f["fault"] for f in check["faults_left"]] == [7]


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_host_with_an_active_fault_is_never_fixed(check_mode):
    """Every combination of attempted / manual / failed / cleared over two active faults."""
    ids = ["7", "11"]
    before = F7_11
    for attempted in ([], ["7"], ["11"], ids):
        for manual in ([], ["7"], ["11"]):
            for failed in ({}, {"11": "boom"}):
                for after in (None, HEALTHY, F7, F11, F7_11, F5):
                    if check_mode and after is not None:
                        continue
                    out = result(before, after=after, attempted=attempted, manual=manual, failures=failed,
                                 check_mode=check_mode)
                    still = after if after is not None else before
                    active = [k for k in rs.FAULT_ORDER if still[k]["active"]]
                    if not check_mode:
                        assert sorted(str(f["fault"]) for f in out["faults_left"]) == sorted(active), out
                    if out["faults_left"]:
                        assert out["status"] not in ("fixed", "no_active_fault", "would_be_fixed"), out
                    if out["status"] in ("fixed", "would_be_fixed"):
                        assert not out["faults_left"] and (check_mode or not active), out


def test_journal_kept_needs_a_person_with_the_steps():
    plain = result(HEALTHY, journal_kept=["journal/x.json: unknown kind 'y': reported, left in place"])
    assert plain["status"] == "needs_person"
    (kept,) = plain["journal_kept"]
    assert kept["entry"] == "journal/x.json: unknown kind 'y': reported, left in place"
    assert kept["reason"] is None and kept["backup"] is None and kept["manual_steps"] == list(rs.KEPT_STEPS)
    rich = {"entry": "journal/1.json", "reason": "path outside the collection's files", "backup": "/b/1",
            "manual_steps": "Restore /etc/login.defs from /b/1.", "kind": "login_defs_key"}
    out = result(F5, after=HEALTHY, attempted=["5"], journal_kept=[rich])
    assert out["status"] == "needs_person" and out["faults"][0]["status"] == "fixed"
    assert out["journal_kept"] == [{"entry": "journal/1.json", "reason": "path outside the collection's files",
                                    "backup": "/b/1", "manual_steps": ["Restore /etc/login.defs from /b/1."],
                                    "kind": "login_defs_key"}]
    # in check mode too: the entry is there whatever the run would do
    assert result(F5, attempted=["5"], check_mode=True, journal_kept=[rich])["status"] == "needs_person"
    # a failure is worse, and the kept entries are still in the entry
    out = result({}, failed_step="facts", failed_message="x", journal_kept=["journal/2.json"])
    assert out["status"] == "failed" and out["journal_kept"][0]["entry"] == "journal/2.json"


def test_lock_busy_is_not_done_and_not_a_batch_failure():
    out = rs.lock_busy_result("held by pid 4711 since 10:09 (awx job 42)", {"pid": 4711}, ["journal/3.json"])
    assert out["status"] == "lock_busy" and out["errors"] == {"lock": "held by pid 4711 since 10:09 (awx job 42)"}
    assert out["lock_holder"] == {"pid": 4711} and out["journal_kept"][0]["entry"] == "journal/3.json"
    assert "lock_busy" in rs.NOT_DONE and "needs_person" not in rs.NOT_DONE
    hostvars = CountingHostvars({"a": {"secure_endpoint_remediation": out}})
    assert remediation_batch_verdict.remediation_batch_verdict(hostvars, ["a"], 0)["stop"] is False


def test_journal_repairs_count_as_changes():
    assert result(HEALTHY, journal_repaired=["login.defs USERGROUPS_ENAB restored"])["status"] == "fixed"
    check = result(HEALTHY, journal_repaired=["would start cisco-amp"], check_mode=True)
    assert check["status"] == "would_be_fixed" and check["journal_repaired"] == ["would start cisco-amp"]


def test_unreachable_and_failed_entries():
    out = result({}, unreachable="ssh: connect timed out")
    assert out["status"] == "unreachable" and out["errors"] == {"connection": "ssh: connect timed out"}
    out = result({}, failed_step="facts", failed_message="connector_facts failed", journal_repaired=["x"])
    assert out["status"] == "failed" and out["errors"] == {"facts": "connector_facts failed"}
    assert out["journal_repaired"] == ["x"]


def entry(status):
    return {"secure_endpoint_remediation": {"status": status}}


@pytest.mark.parametrize("statuses, limit, stop, failed", [
    (["fixed", "no_active_fault"], 0, False, []),
    (["fixed", "failed"], 0, True, ["h1"]),
    (["fixed", "failed"], 50, False, ["h1"]),
    (["unreachable", "failed", "fixed"], 50, True, ["h0", "h1"]),
    (["unreachable"], 100, False, ["h0"]),
    ([None, "fixed"], 40, True, ["h0"]),   # left the batch without an entry: a hard failure
])
def test_batch_verdict_counts_failed_and_unreachable(statuses, limit, stop, failed):
    hostvars = CountingHostvars(("h%d" % i, entry(s) if s else {}) for i, s in enumerate(statuses))
    batch = sorted(hostvars)
    verdict = remediation_batch_verdict.remediation_batch_verdict(hostvars, batch, limit)
    assert verdict["stop"] is stop and verdict["failed"] == failed and verdict["hosts"] == len(batch)
    assert (verdict["message"] is not None) is stop
    assert hostvars.reads == len(batch)  # each host of the batch read once: O(N)


def test_batch_verdict_bad_limit_never_stops_on_garbage():
    assert remediation_batch_verdict.remediation_batch_verdict({}, [], "x")["stop"] is False
    assert remediation_batch_verdict.remediation_batch_verdict({"a": entry("failed")}, ["a"], "x")["stop"] is False


def test_docs_are_yaml_and_name_the_filter():
    for module in (remediation_batch_verdict, remediation_failure_message, remediation_host_result,
                   remediation_wait_for):
        for block in (module.DOCUMENTATION, module.EXAMPLES, module.RETURN):
            assert yaml.safe_load(block)
        assert list(module.FilterModule().filters()) == [yaml.safe_load(module.DOCUMENTATION)["name"]]
