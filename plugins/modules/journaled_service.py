#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: journaled_service
short_description: Stop a systemd service for a fix, crash-safe, and make sure it runs again
version_added: 1.1.0
description:
  - O(state=stopped) stops O(name) when it runs, after recording in the journal C(<state_dir>/journal/) that it was
    running (and whether it was enabled). A service that does not run is left alone and nothing is recorded.
  - O(state=started) makes sure O(name) runs (started when it does not), re-enables it when a journal entry says
    it was enabled, and forgets the entries of O(name).
  - A run killed while the service is down leaves the entry; M(secure_endpoint.linux.remediation_journal) starts
    the service at the beginning of the next run.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Reports whether it would stop, start or enable the service; records and changes nothing.
  diff_mode:
    support: none
    description: A service state has no text to show; RV(actions) says what is done.
options:
  name:
    description: The systemd unit.
    type: str
    required: true
  state:
    description: V(stopped) for the temporary stop; V(started) to end it.
    type: str
    choices: [stopped, started]
    required: true
  state_dir:
    description: The collection's root-only state directory on the host (journal).
    type: path
    default: /var/lib/secure_endpoint
  timeout:
    description: Seconds each C(systemctl) call may take.
    type: int
    default: 90
notes:
  - Needs root and systemd.
"""

EXAMPLES = r"""
- name: Stop the connector while its installer recreates the scan user
  secure_endpoint.linux.journaled_service:
    name: cisco-amp
    state: stopped

- name: Make sure the connector runs again
  secure_endpoint.linux.journaled_service:
    name: cisco-amp
    state: started
"""

RETURN = r"""
actions:
  description: What was done (or would be in check mode) - V(stop), V(start), V(enable).
  returned: always
  type: list
  elements: str
  sample: [stop]
journal_id:
  description: The journal entry recording the stop (O(state=stopped)), else null.
  returned: always
  type: str
active:
  description: The service's state (systemctl is-active) after the call.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd, journal, service_ctl


def argument_spec():
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["stopped", "started"], required=True),
        state_dir=dict(type="path", default="/var/lib/secure_endpoint"),
        timeout=dict(type="int", default=90),
    )


def _entries_of(state_dir, name):
    return [i for i in journal.entries(state_dir, clean=False)
            if i["entry"] is not None and i["entry"].get("kind") == service_ctl.KIND
            and i["entry"].get("service") == name]


def run(module):
    params = module.params
    runner = bounded_cmd.run
    name, timeout = params["name"], params["timeout"]
    if params["state"] == "stopped":
        if module.check_mode:
            plan = service_ctl.plan_stop(runner, name)
            return {"changed": plan["needed"], "actions": ["stop"] if plan["needed"] else [], "journal_id": None,
                    "active": plan["state"]["active"]}
        plan = service_ctl.stop(params["state_dir"], runner, name, timeout=timeout)
        return {"changed": plan["needed"], "actions": ["stop"] if plan["needed"] else [],
                "journal_id": (plan["entry"] or {}).get("id"), "active": service_ctl.query(runner, name)["active"]}
    leftovers = _entries_of(params["state_dir"], name)
    enable = any(i["entry"].get("was_enabled") for i in leftovers)
    outcome = service_ctl.ensure_running(runner, name, enable=enable, check_mode=module.check_mode, timeout=timeout)
    if not module.check_mode:
        for item in leftovers:
            journal.remove(params["state_dir"], item["id"])
    return {"changed": outcome["changed"] or bool(leftovers), "actions": outcome["actions"],
            "journal_id": None, "active": outcome["state"]["active"]}


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if module.params["timeout"] <= 0:
        module.fail_json(msg="timeout must be greater than 0")
    try:
        result = run(module)
    except (service_ctl.ServiceError, journal.JournalError, OSError) as exc:
        module.fail_json(msg="%s: %s" % (module.params["name"], exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
