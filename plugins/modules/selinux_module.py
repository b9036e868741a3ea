#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: selinux_module
short_description: Bring an SELinux policy module into the store, enabled, acting on the exact names found there
version_added: 1.1.0
description:
  - Reads the policy store (C(semodule --list-modules=full)) and finds every module whose name matches
    O(name) case-insensitively (the connector's installer writes C(Cisco-Secure-BPF), its documentation
    C(cisco-secure-bpf)). Every command then uses the exact name found.
  - None found - builds O(content) (C(checkmodule -M -m), C(semodule_package)) and installs it at O(priority).
  - Found but disabled - enables each exact name found disabled. A module found is never replaced by ours unless it
    is ours (exact O(name) at O(priority)) with another content than O(content) (the sha256 of its CIL, extracted
    with C(semodule --cil -E), against the CIL of the module built from O(content)); it is then backed up first with
    C(semodule -E) into O(backup_dir).
  - One C(semodule) call installs and enables (one commit, one policy rebuild). The store is read again afterwards
    and the module fails when it does not show the module present and enabled.
  - Never changes the SELinux mode.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description:
      - Reads the store and builds O(content) in a temporary directory to compare checksums (when C(checkmodule) is
        installed), then reports what it would do; the store is not changed.
  diff_mode:
    support: full
    description: Shows the store's matching rows before and after.
options:
  name:
    description: The module's name (matched case-insensitively in the store); must be the name in O(content).
    type: str
    default: cisco-secure-bpf
  content:
    description: The module's source (a C(.te) text starting with C(module <name> <version>;)).
    type: str
    required: true
  priority:
    description: Store priority our module is installed at (semodule's default is 400).
    type: int
    default: 400
  reload:
    description: Reload the policy after the change (V(false) adds C(-n), for hosts without SELinux in the kernel).
    type: bool
    default: true
  backup_dir:
    description: Root-only directory receiving, in a time-stamped subdirectory, the module extracted before a replace.
    type: path
    default: /var/lib/secure_endpoint/backups
  timeout:
    description: Seconds each C(semodule) call may take (a policy rebuild takes seconds to a minute).
    type: int
    default: 300
notes:
  - Needs root and the SELinux userland (C(semodule); C(checkmodule) from checkpolicy and C(semodule_package) to build).
"""

EXAMPLES = r"""
- name: The connector's BPF rule, installed or enabled
  secure_endpoint.linux.selinux_module:
    name: cisco-secure-bpf
    content: "{{ lookup('ansible.builtin.template', 'cisco-secure-bpf.te.j2') }}"
"""

RETURN = r"""
actions:
  description: What was done (or would be) - C(install NAME), C(replace NAME (backup DIR)), C(enable NAME).
  returned: always
  type: list
  elements: str
found:
  description: Store rows matching O(name) before, each C(priority), C(name), C(kind), C(enabled), C(checksum) (null).
  returned: always
  type: list
  elements: dict
modules:
  description: Store rows matching O(name) after the change (before, in check mode).
  returned: always
  type: list
  elements: dict
backup:
  description: Files extracted before a replace.
  returned: always
  type: list
  elements: str
"""

import os
import shutil
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files, bounded_cmd, semodule_store

LIST_BYTES = 1024 * 1024


def argument_spec():
    return dict(
        name=dict(type="str", default="cisco-secure-bpf"),
        content=dict(type="str", required=True),
        priority=dict(type="int", default=400),
        reload=dict(type="bool", default=True),
        backup_dir=dict(type="path", default="/var/lib/secure_endpoint/backups"),
        timeout=dict(type="int", default=300),
    )


def runner(argv, timeout, cwd=None):
    return bounded_cmd.run_to_end(argv, timeout, max_bytes=LIST_BYTES, cwd=cwd)


def _rows_text(rows):
    return "".join("%d %s %s%s%s\n" % (r["priority"], r["name"], r["kind"], "" if r["enabled"] else " disabled",
                                       " " + r["checksum"] if r["checksum"] else "") for r in rows)


def run(module):
    params = module.params
    name, priority, timeout = params["name"], params["priority"], params["timeout"]
    declared = semodule_store.module_name(params["content"])
    if declared != name:
        raise semodule_store.SemoduleError("content declares module %r, not %r (the name must match)" % (declared, name))
    if not module.get_bin_path("semodule"):
        raise semodule_store.SemoduleError("semodule is not installed (policycoreutils)")
    rows = semodule_store.list_store(runner, timeout)
    found = semodule_store.matches(rows, name)
    result = {"changed": False, "actions": [], "found": found, "modules": found, "backup": []}
    tools = bool(module.get_bin_path("checkmodule") and module.get_bin_path("semodule_package"))
    workdir = tempfile.mkdtemp(prefix="secure_endpoint-semodule-")
    try:
        pp = ours = theirs = None
        if tools:
            pp = semodule_store.build(workdir, name, params["content"], runner, timeout)
            ours = semodule_store.cil_checksum(pp, runner, timeout, semodule_store.converter())
        if ours and any(r["name"] == name and r["priority"] == priority for r in found):
            extract_dir = os.path.join(workdir, "store")
            os.mkdir(extract_dir, 0o700)
            theirs = semodule_store.installed_checksum(runner, name, priority, extract_dir, timeout)
        todo = semodule_store.plan(rows, name, priority, ours, theirs)
        actions = (["install %s" % name] if todo["install"] else []) + (
            ["replace %s" % name] if todo["replace"] else []) + ["enable %s" % n for n in todo["enable"]]
        result.update(actions=actions, changed=bool(actions))
        if not actions or module.check_mode:
            return result
        if pp is None and (todo["install"] or todo["replace"]):
            raise semodule_store.SemoduleError("checkmodule or semodule_package is missing: install checkpolicy and "
                                               "semodule-utils (EL: checkpolicy, policycoreutils-python-utils) first")
        if todo["replace"]:
            atomic_files.private_dir(params["backup_dir"])
            directory = "%s/selinux-%s-%s" % (params["backup_dir"], time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), name)
            atomic_files.private_dir(directory)
            result["backup"] = semodule_store.backup(runner, name, priority, directory, timeout)
            result["actions"][actions.index("replace %s" % name)] = "replace %s (backup %s)" % (name, directory)
        argv = semodule_store.transaction(todo, pp, priority, params["reload"])
        done = runner(argv, timeout)
        semodule_store._check(done, " ".join(argv[:1] + [a for a in argv[1:] if a != pp]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    after = semodule_store.list_store(runner, timeout)
    result["modules"] = semodule_store.matches(after, name)
    missing = [r["name"] for r in result["modules"] if not r["enabled"]]
    if not result["modules"] or missing:
        raise semodule_store.SemoduleError("after semodule the store shows %s" % (
            "no module %s" % name if not result["modules"] else "%s still disabled" % ", ".join(missing)))
    if (todo["install"] or todo["replace"]) and ours:
        check_dir = tempfile.mkdtemp(prefix="secure_endpoint-semodule-")
        try:
            now = semodule_store.installed_checksum(runner, name, priority, check_dir, timeout)
        finally:
            shutil.rmtree(check_dir, ignore_errors=True)
        if now is not None and now != ours:
            raise semodule_store.SemoduleError("after semodule the store's %s is not the module built (checksum)" % name)
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if module.params["timeout"] <= 0:
        module.fail_json(msg="timeout must be greater than 0")
    try:
        result = run(module)
    except (semodule_store.SemoduleError, OSError, atomic_files.FileKindError) as exc:
        module.fail_json(msg="SELinux module %s: %s" % (module.params["name"], exc))
    if module._diff:
        result["diff"] = {"before_header": "policy store (%s)" % module.params["name"], "before": _rows_text(result["found"]),
                          "after_header": "policy store (%s)" % module.params["name"],
                          "after": _rows_text(result["modules"]) if not module.check_mode else
                          "".join("would %s\n" % a for a in result["actions"]) or _rows_text(result["found"])}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
