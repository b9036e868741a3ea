#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: login_defs_key
short_description: Set one /etc/login.defs key for a while, crash-safe, and put it back byte for byte
version_added: 1.1.0
description:
  - O(state=set) gives O(key) the value O(value) the way shadow-utils reads it (the last definition of the name
    counts; that line is replaced, or a line is appended when there is none). Before the file is written, a backup
    of its bytes goes to C(<state_dir>/backups/) and an entry to the journal C(<state_dir>/journal/) (see
    M(secure_endpoint.linux.remediation_journal)); the file is then replaced atomically (same mode, owner and
    SELinux label). Nothing is written when the key already has the value.
  - O(state=restored) undoes every journaled change of O(key) in O(path) - the backup's bytes when the file is
    still what was written, else only the original line (if the line is still the one written) - and forgets the
    entries. A value someone else set in the meantime is left alone and reported.
  - A run killed between the two leaves the entry; M(secure_endpoint.linux.remediation_journal) repairs it.
  - The file must be a regular file (never a symbolic link, FIFO or device), at most 1 MiB, without NUL bytes or
    lines longer than 1023 bytes (shadow-utils would read those differently); otherwise nothing is changed.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Reports what would change, with the diff; writes no file, backup or journal entry.
  diff_mode:
    support: full
    description: Shows the file before and after.
options:
  path:
    description: The login.defs file.
    type: path
    default: /etc/login.defs
  key:
    description: The name to set (case-sensitive, as shadow-utils compares it).
    type: str
    default: USERGROUPS_ENAB
  value:
    description: The value for O(state=set) (compared case-insensitively with the current one).
    type: str
  state:
    description: V(set) makes the temporary change; V(restored) undoes it.
    type: str
    choices: [set, restored]
    required: true
  state_dir:
    description: The collection's root-only state directory on the host (journal and backups).
    type: path
    default: /var/lib/secure_endpoint
notes:
  - Needs root.
"""

EXAMPLES = r"""
- name: Let useradd create the user's group while the connector installs
  secure_endpoint.linux.login_defs_key:
    key: USERGROUPS_ENAB
    value: "yes"
    state: set

- name: Put the original line back
  secure_endpoint.linux.login_defs_key:
    key: USERGROUPS_ENAB
    state: restored
"""

RETURN = r"""
value_before:
  description: The value shadow-utils read before (null when the key was not defined).
  returned: always
  type: str
  sample: "no"
journal_id:
  description: The journal entry recording the change (O(state=set) when the file was written), else null.
  returned: always
  type: str
restored:
  description: What O(state=restored) (or the repair of an earlier leftover before O(state=set)) did, one message per entry.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import (
    atomic_files, bounded_cmd, journal, journal_recovery, login_defs_edit)


def argument_spec():
    return dict(
        path=dict(type="path", default="/etc/login.defs"),
        key=dict(type="str", default="USERGROUPS_ENAB", no_log=False),
        value=dict(type="str"),
        state=dict(type="str", choices=["set", "restored"], required=True),
        state_dir=dict(type="path", default="/var/lib/secure_endpoint"),
    )


def _text(data):
    return "" if data is None else data.decode("utf-8", "surrogateescape")


def restore(params, check_mode):
    """Undo the journaled changes of this key in this file (the same repair as a recovery)."""
    return journal_recovery.recover(
        params["state_dir"], bounded_cmd.run, check_mode=check_mode, kinds=(login_defs_edit.KIND,),
        match=lambda e: e.get("path") == params["path"] and e.get("key") == params["key"])


def _still_set(params):
    """The journal entry of this key whose change is still in place (a set repeated in the same
    run is no new change), else None."""
    current = login_defs_edit.read(params["path"])
    if current is None:
        return None
    digest = atomic_files.sha256_bytes(current)
    for item in journal.entries(params["state_dir"], clean=False):
        entry = item["entry"] or {}
        if (entry.get("kind") == login_defs_edit.KIND and entry.get("path") == params["path"]
                and entry.get("key") == params["key"] and entry.get("value") == params["value"]
                and entry.get("sha256_written") == digest):
            return entry
    return None


def run(module):
    params = module.params
    result = {"changed": False, "value_before": None, "journal_id": None, "restored": []}
    diff = None
    if params["state"] == "set":
        entry = _still_set(params)
        if entry is not None:
            original = entry.get("original_line")
            result.update(journal_id=entry["id"], value_before=login_defs_edit.effective_value(
                (original or "").encode("utf-8", "surrogateescape"), params["key"]))
            return result
    earlier = restore(params, module.check_mode)
    if earlier["failed"]:
        module.fail_json(msg="; ".join(earlier["failed"]), **result)
    result["restored"] = earlier["repaired"] + earlier["unchanged"]
    result["changed"] = earlier["changed"]
    if earlier["diffs"]:
        diff = {"before": earlier["diffs"][0]["before"], "after": earlier["diffs"][-1]["after"]}
    if params["state"] == "restored":
        current = login_defs_edit.read(params["path"])
        result["value_before"] = login_defs_edit.effective_value(current or b"", params["key"])
    else:
        if module.check_mode:
            # Check mode left an earlier leftover in place: plan on the file as its repair would leave it.
            repaired = earlier["diffs"][-1]["after"].encode("utf-8", "surrogateescape") if earlier["diffs"] else None
            plan = login_defs_edit.plan_set(params["path"], params["key"], params["value"], current=repaired)
        else:
            plan = login_defs_edit.set_key(params["state_dir"], params["path"], params["key"], params["value"])
            result["journal_id"] = (plan.get("entry") or {}).get("id")
        result["value_before"] = plan["value_before"]
        if plan["needed"]:
            result["changed"] = True
            diff = {"before": _text(plan["before"]) if diff is None else diff["before"], "after": _text(plan["after"])}
    if module._diff and diff is not None:
        result["diff"] = dict(diff, before_header=params["path"], after_header=params["path"])
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_if=[("state", "set", ("value",))])
    try:
        result = run(module)
    except (OSError, ValueError, journal.JournalError) as exc:
        kind = "cannot change" if module.params["state"] == "set" else "cannot restore"
        module.fail_json(msg="%s %s in %s: %s" % (kind, module.params["key"], module.params["path"], exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
