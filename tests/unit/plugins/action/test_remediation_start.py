# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest
import yaml

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure

from ansible_collections.secure_endpoint.linux.plugins.action import remediation_start
from ansible_collections.secure_endpoint.linux.plugins.module_utils import fault_rules
from ansible_collections.secure_endpoint.linux.plugins.modules import remediation_start as docs

CONTEXT = {"install_dir": "/opt/cisco/amp", "log_dir": "/var/log/cisco", "service": "cisco-amp"}
TABLE_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "remediate", "vars", "main.yml")
with open(TABLE_FILE) as handle:
    TABLE = yaml.safe_load(handle)["__remediate_table"]


def facts(reported=None, **extra):
    inputs = {"installed": True, "reported": reported or {}, "context": CONTEXT}
    inputs.update(extra)
    return {"installed": True, "faults": fault_rules.build_faults(inputs)}


HEALTHY = facts()
F5 = facts({5: "Major"}, accounts={"name": "cisco-amp-scan-svc", "user": True, "group": False})
JOURNAL_OK = {"changed": False, "repaired": [], "kept": [], "repair_failed": []}


def facts_result(value):
    return {"changed": False, "ansible_facts": {"secure_endpoint": value}}


class FakeModules(object):
    """Answers _execute_module like the host would, and records the order of the calls."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, module_name=None, module_args=None, task_vars=None, **_kw):
        self.calls.append((module_name, module_args))
        answer = self.answers[module_name]
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)


def run(make_action, answers, args=None, check_mode=False, task_vars=None):
    action = make_action(remediation_start.ActionModule, dict({"table": TABLE}, **(args or {})), check_mode)
    fake = FakeModules(answers)
    action._execute_module = fake
    result = action.run(task_vars=dict({"ansible_run_tags": ["all"], "ansible_skip_tags": []}, **(task_vars or {})))
    return result, fake.calls


def test_a_healthy_host_is_done_in_this_task(make_action):
    result, calls = run(make_action, {remediation_start.JOURNAL_MODULE: JOURNAL_OK,
                                      remediation_start.FACTS_MODULE: facts_result(HEALTHY)})
    # journal first, then the facts, each once
    assert [c[0] for c in calls] == [remediation_start.JOURNAL_MODULE, remediation_start.FACTS_MODULE]
    assert calls[0][1] == {"action": "recover", "state_dir": "/var/lib/secure_endpoint"}
    assert result["plan"] == [] and result["remediation"]["status"] == "no_active_fault"
    assert result["ansible_facts"]["secure_endpoint"] == HEALTHY
    assert not result.get("failed") and result["changed"] is False


def test_a_host_with_a_fault_gets_its_plan_and_no_entry_yet(make_action):
    result, _calls = run(make_action, {remediation_start.JOURNAL_MODULE: JOURNAL_OK,
                                       remediation_start.FACTS_MODULE: facts_result(F5)})
    assert [row["role"] for row in result["plan"]] == ["scan_user"] and result["plan"][0]["active"] == ["5"]
    assert result["remediation"] is None


def test_tags_that_leave_the_fault_out_make_it_not_attempted(make_action):
    result, _calls = run(make_action, {remediation_start.JOURNAL_MODULE: JOURNAL_OK,
                                       remediation_start.FACTS_MODULE: facts_result(F5)},
                         task_vars={"ansible_run_tags": ["fault_11"]})
    assert result["plan"] == [] and result["remediation"]["status"] == "not_attempted"
    result, _calls = run(make_action, {remediation_start.JOURNAL_MODULE: JOURNAL_OK,
                                       remediation_start.FACTS_MODULE: facts_result(F5)},
                         args={"skip_tags": ["scan_user"]})
    assert result["remediation"]["faults"][0]["status"] == "not_attempted"


def test_journal_repairs_in_check_mode_and_an_entry_kept_for_a_person(make_action):
    journal = {"changed": True, "repaired": ["would start cisco-amp"], "kept": ["entry 7: unknown kind"], "repair_failed": [],
               "diff": [{"before": "a", "after": "b"}]}
    result, _calls = run(make_action, {remediation_start.JOURNAL_MODULE: journal,
                                       remediation_start.FACTS_MODULE: facts_result(HEALTHY)}, check_mode=True)
    entry = result["remediation"]
    assert result["changed"] is True and result["diff"] == journal["diff"]
    # the repair would change the host, but the entry kept for a person decides the status
    assert entry["status"] == "needs_person"
    assert entry["journal_repaired"] == ["would start cisco-amp"]
    assert [k["entry"] for k in entry["journal_kept"]] == ["entry 7: unknown kind"]
    journal = dict(journal, kept=[])
    result, _calls = run(make_action, {remediation_start.JOURNAL_MODULE: journal,
                                       remediation_start.FACTS_MODULE: facts_result(HEALTHY)}, check_mode=True)
    assert result["remediation"]["status"] == "would_be_fixed"


def test_a_failed_journal_repair_stops_before_the_facts(make_action):
    journal = {"failed": True, "msg": "could not repair: login.defs changed", "repaired": ["x"], "kept": [],
               "repair_failed": ["login.defs changed"]}
    result, calls = run(make_action, {remediation_start.JOURNAL_MODULE: journal,
                                      remediation_start.FACTS_MODULE: facts_result(HEALTHY)})
    assert [c[0] for c in calls] == [remediation_start.JOURNAL_MODULE]
    assert result["failed"] is True and "ansible_facts" not in result
    assert result["remediation"]["status"] == "failed"
    assert result["remediation"]["errors"] == {"journal": "could not repair: login.defs changed"}
    assert result["remediation"]["journal_repaired"] == ["x"]


def test_facts_that_cannot_be_read_fail_the_host_with_the_reason(make_action):
    result, _calls = run(make_action, {remediation_start.JOURNAL_MODULE: JOURNAL_OK,
                                       remediation_start.FACTS_MODULE: {"failed": True, "msg": "ampcli_timeout must be > 0"}})
    assert result["failed"] is True and result["remediation"]["errors"] == {"facts": "ampcli_timeout must be > 0"}
    result, _calls = run(make_action, {remediation_start.JOURNAL_MODULE: JOURNAL_OK,
                                       remediation_start.FACTS_MODULE: {"changed": False}})
    assert result["remediation"]["errors"] == {"facts": "connector_facts returned no facts"}


def test_a_host_lost_after_the_repair_is_unreachable_and_keeps_what_was_repaired(make_action):
    journal = dict(JOURNAL_OK, changed=True, repaired=["login.defs restored"])
    result, _calls = run(make_action, {remediation_start.JOURNAL_MODULE: journal,
                                       remediation_start.FACTS_MODULE: AnsibleConnectionFailure("ssh: timed out")})
    assert result["unreachable"] is True and "timed out" in result["msg"]
    assert result["remediation"]["status"] == "unreachable"
    assert result["remediation"]["journal_repaired"] == ["login.defs restored"]
    result, calls = run(make_action, {remediation_start.JOURNAL_MODULE: AnsibleConnectionFailure("no route")})
    assert len(calls) == 1 and result["remediation"]["errors"] == {"connection": "no route"}


def test_facts_options_are_passed_without_the_omitted_ones(make_action):
    omit = "__omit_place_holder__1234"
    journal = dict(JOURNAL_OK, ansible_facts={"discovered_interpreter_python": "/usr/bin/python3"})
    result, calls = run(make_action, {remediation_start.JOURNAL_MODULE: journal,
                                      remediation_start.FACTS_MODULE: facts_result(HEALTHY)},
                        args={"facts": {"ampcli_timeout": 5, "top_processes": omit}, "state_dir": "/srv/se"},
                        task_vars={"omit": omit})
    assert calls[0][1]["state_dir"] == "/srv/se" and calls[1][1] == {"ampcli_timeout": 5}
    assert result["ansible_facts"]["discovered_interpreter_python"] == "/usr/bin/python3"


def test_bad_arguments_fail_before_the_host_is_touched(make_action):
    action = make_action(remediation_start.ActionModule, {"table": "not a list of rows"})
    fake = FakeModules({})
    action._execute_module = fake
    with pytest.raises(AnsibleActionFail):
        action.run(task_vars={})
    assert fake.calls == []


def test_documentation_matches_the_argument_spec():
    doc = yaml.safe_load(docs.DOCUMENTATION)
    assert doc["module"] == "remediation_start"
    assert sorted(doc["options"]) == sorted(remediation_start.ARGUMENT_SPEC)
    for name, option in remediation_start.ARGUMENT_SPEC.items():
        assert doc["options"][name]["type"] == option["type"], name
        assert doc["options"][name].get("default") == option.get("default"), name
        assert doc["options"][name].get("elements") == option.get("elements"), name
    assert yaml.safe_load(docs.EXAMPLES) and yaml.safe_load(docs.RETURN)
