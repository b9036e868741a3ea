# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action secure_endpoint.linux.remediation_start: the start of a host's remediation in one task
(documentation: plugins/modules/remediation_start.py).

1. ``remediation_journal`` (action recover) repairs what an interrupted run left, check mode
   included; 2. ``connector_facts`` reads the facts, once; 3. the plan (the rows of the fault
   table to run) and, for a host with nothing to run, its final remediation entry.
A healthy host is done after this task: what used to be an include of the connector role (with
its argument check), the journal task, a set_fact, another include, the facts task and two more
set_facts is one task and two module runs. The logic is remediation_status's, unchanged.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs

JOURNAL_MODULE = "secure_endpoint.linux.remediation_journal"
FACTS_MODULE = "secure_endpoint.linux.connector_facts"

ARGUMENT_SPEC = dict(
    state_dir=dict(type="path", default="/var/lib/secure_endpoint"),
    facts=dict(type="dict", default={}),
    table=dict(type="list", elements="dict", default=[]),
    run_tags=dict(type="list", elements="str"),
    skip_tags=dict(type="list", elements="str"),
)


def _journal_summary(journal):
    # `repair_failed` lists the entries the module could not repair; `failed` is True once fail_json ran.
    entries = journal.get("repair_failed")
    return {"repaired": [to_text(x) for x in journal.get("repaired") or []],
            "kept": [to_text(x) for x in journal.get("kept") or []],
            "failed": [to_text(x) for x in entries] if entries else
                      [to_text(journal.get("msg") or "remediation_journal failed")] if journal.get("failed") else []}


def outcome(journal, facts_result, table, run_tags, skip_tags, check_mode):
    """The task's result from the two module results (``facts_result`` None when not read).

    Pure, for tests: ``journal`` and ``facts_result`` are what ``_execute_module`` returned."""
    summary = _journal_summary(journal)
    result = {"changed": bool(journal.get("changed")), "journal": summary, "plan": [], "remediation": None}
    if journal.get("failed"):
        message = to_text(journal.get("msg") or "remediation_journal failed")
        result.update(failed=True, msg="journal: %s" % message,
                      remediation=rs.failed_result("journal", message, summary["repaired"], summary["kept"]))
        return result
    facts = ((facts_result or {}).get("ansible_facts") or {}).get("secure_endpoint")
    if (facts_result or {}).get("failed") or not isinstance(facts, dict):
        message = to_text((facts_result or {}).get("msg") or "connector_facts returned no facts")
        result.update(failed=True, msg="facts: %s" % message,
                      remediation=rs.failed_result("facts", message, summary["repaired"], summary["kept"]))
        return result
    faults = facts.get("faults") or {}
    result["plan"] = rs.plan(table, faults, run_tags, skip_tags)
    if not result["plan"]:
        # Nothing to run: the status is final now (as the role's last step would decide it).
        result["remediation"] = rs.host_result(faults, None, [], [], {}, {}, check_mode, False,
                                               summary["repaired"], summary["kept"])
    return result


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        run_tags = args["run_tags"] if args["run_tags"] is not None else task_vars.get("ansible_run_tags")
        skip_tags = args["skip_tags"] if args["skip_tags"] is not None else task_vars.get("ansible_skip_tags")
        check_mode = bool(self._task.check_mode)
        journal, facts_result = {}, None
        # One remote temporary directory serves both modules (transports without pipelining);
        # the task executor removes it after the task.
        try:
            journal = self._execute_module(module_name=JOURNAL_MODULE, task_vars=task_vars,
                                           module_args={"action": "recover", "state_dir": args["state_dir"]})
            if not journal.get("failed"):
                # Options left out with default(omit) (ansible-core before 2.19 keeps the placeholder in a dict).
                omit = task_vars.get("omit")
                options = dict((k, v) for k, v in args["facts"].items() if omit is None or v != omit)
                facts_result = self._execute_module(module_name=FACTS_MODULE, module_args=options, task_vars=task_vars)
        except AnsibleConnectionFailure as exc:
            # The host is kept in the play (ignore_unreachable) and reported with what is known.
            summary = _journal_summary(journal)
            result.update(unreachable=True, msg=to_text(exc), changed=bool(journal.get("changed")), journal=summary,
                          plan=[], remediation=rs.unreachable_result(to_text(exc), summary["repaired"], summary["kept"]))
            return result
        result.update(outcome(journal, facts_result, args["table"], run_tags, skip_tags, check_mode))
        # Both modules' facts: connector_facts' and the interpreter Ansible discovered on the way.
        gathered = {}
        for part in (journal, facts_result or {}):
            gathered.update(part.get("ansible_facts") or {})
        if gathered and not result.get("failed"):
            result["ansible_facts"] = gathered
        for key in ("warnings", "deprecations"):
            found = (journal.get(key) or []) + ((facts_result or {}).get(key) or [])
            if found:
                result[key] = found
        if journal.get("diff"):
            result["diff"] = journal["diff"]
        return result
