#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: remediation_journal
short_description: Repair what an interrupted remediation run left on a host
version_added: 1.1.0
description:
  - The remediation modules of this collection record every temporary change of a host (a C(login.defs) key set
    for an install, a service stopped for a fix) in a root-only journal under O(state_dir) B(before) they make it,
    and forget it once the change is undone. A run killed in between (Ctrl-C, a lost connection, a cancelled job;
    C(always) sections never run when the controller dies) leaves the entry.
  - O(action=recover) undoes every entry left (C(login_defs_key) - the file's bytes come back from the backup, or
    only the original line when the file changed since; C(service_stopped) - the service is started and
    re-enabled) and forgets it. Run it first in every run, check mode included.
  - An entry of an unknown kind, or one that cannot be read, is reported and left in place, never deleted.
  - O(action=list) only reports the entries.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Says what it would repair (C(changed=true) when there is anything) and touches nothing.
  diff_mode:
    support: full
    description: Shows the file contents a repair puts back.
options:
  action:
    description: V(recover) repairs and forgets the entries; V(list) only reports them.
    type: str
    choices: [recover, list]
    default: recover
  state_dir:
    description: The collection's root-only state directory on the host (the journal is its C(journal/) subdirectory).
    type: path
    default: /var/lib/secure_endpoint
  fail_on_error:
    description:
      - Fail when an entry cannot be repaired (it is kept for the next run).
      - When V(false) the failures are only returned in RV(repair_failed).
    type: bool
    default: true
notes:
  - Needs root. Every systemctl call is bounded in time.
"""

EXAMPLES = r"""
- name: Repair what an interrupted run left (first task of every run)
  secure_endpoint.linux.remediation_journal:
    action: recover
  register: journal

- name: List the journal
  secure_endpoint.linux.remediation_journal:
    action: list
"""

RETURN = r"""
repaired:
  description: One message per entry repaired and forgotten (in check mode, would be), including entries whose change was already undone.
  returned: always
  type: list
  elements: str
  sample: ["/etc/login.defs: USERGROUPS_ENAB restored to USERGROUPS_ENAB no, byte for byte from the backup"]
kept:
  description: Entries left in place and why (unknown kind, unreadable).
  returned: always
  type: list
  elements: str
repair_failed:
  description: Entries whose repair failed (kept for the next run).
  returned: always
  type: list
  elements: str
entries:
  description: The entries found (as recorded), for O(action=list) every entry.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd, journal, journal_recovery


def argument_spec():
    return dict(
        action=dict(type="str", choices=["recover", "list"], default="recover"),
        state_dir=dict(type="path", default="/var/lib/secure_endpoint"),
        fail_on_error=dict(type="bool", default=True),
    )


def run(module):
    params = module.params
    if params["action"] == "list":
        items = journal.entries(params["state_dir"], clean=False)
        return {"changed": False, "repaired": [], "repair_failed": [],
                "kept": [i["error"] for i in items if i["error"]],
                "entries": [i["entry"] if i["entry"] is not None else {"id": i["id"], "error": i["error"]}
                            for i in items]}
    outcome = journal_recovery.recover(params["state_dir"], bounded_cmd.run, check_mode=module.check_mode)
    result = {"changed": outcome["changed"], "repaired": outcome["repaired"] + outcome["unchanged"],
              "kept": outcome["kept"], "repair_failed": outcome["failed"], "entries": outcome["entries"]}
    if module._diff and outcome["diffs"]:
        result["diff"] = [{"before_header": d["path"], "after_header": d["path"], "before": d["before"],
                           "after": d["after"]} for d in outcome["diffs"]]
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = run(module)
    except journal.JournalError as exc:
        module.fail_json(msg=str(exc), repaired=[], kept=[], repair_failed=[str(exc)], entries=[])
    if result["repair_failed"] and module.params["fail_on_error"]:
        module.fail_json(msg="could not repair what an interrupted run left: %s" % "; ".join(result["repair_failed"]),
                         **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
