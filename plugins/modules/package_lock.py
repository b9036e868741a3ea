#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: package_lock
short_description: Wait, a bounded time, until the package manager's lock is free
version_added: 1.1.0
description:
  - Waits until no process holds the locks of the host's package manager (apt and dpkg; rpm; dnf; yum), at most
    O(timeout) seconds, then returns; fails naming the process that still holds a lock (pid and command line).
  - Meant right before a package task. A killed run can leave apt or dnf running on the host; apt then fails at once
    and dnf waits forever.
  - Only reads C(/proc/locks), the lock files and the pid files; takes no lock itself.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Does not wait; reports who holds the lock (RV(holders)).
  diff_mode:
    support: none
    description: Changes nothing.
options:
  manager:
    description: The package manager whose locks to watch.
    type: str
    choices: [apt, dnf, yum]
    required: true
  timeout:
    description: Seconds to wait at most.
    type: int
    default: 300
  rpm_dbpath:
    description: The rpm database directory; default what C(rpm --eval '%{_dbpath}') says.
    type: path
notes:
  - Needs root to see every lock holder's command line.
"""

EXAMPLES = r"""
- name: Wait for a package manager left running by an interrupted run
  secure_endpoint.linux.package_lock:
    manager: "{{ 'apt' if ansible_facts.os_family == 'Debian' else 'dnf' }}"
    timeout: 300
"""

RETURN = r"""
waited:
  description: Seconds waited.
  returned: always
  type: float
holders:
  description: Who held a lock when the module started (each C(path), C(pid), C(process)); empty when it was free.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd, pkg_lock


def argument_spec():
    return dict(
        manager=dict(type="str", choices=["apt", "dnf", "yum"], required=True),
        timeout=dict(type="int", default=300),
        rpm_dbpath=dict(type="path"),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    if params["timeout"] < 0:
        module.fail_json(msg="timeout must not be negative")
    dbpath = params["rpm_dbpath"]
    if dbpath is None and params["manager"] != "apt" and module.get_bin_path("rpm"):
        dbpath = pkg_lock.rpm_dbpath(bounded_cmd.run)
    if module.check_mode:
        module.exit_json(changed=False, waited=0.0, holders=pkg_lock.holders(params["manager"], rpm_dbpath=dbpath))
    outcome = pkg_lock.wait(params["manager"], params["timeout"], rpm_dbpath=dbpath)
    if not outcome["free"]:
        module.fail_json(msg=pkg_lock.busy_message(params["manager"], outcome, params["timeout"]),
                         waited=outcome["waited"], holders=outcome["holders"])
    module.exit_json(changed=False, waited=outcome["waited"], holders=outcome["first"])


if __name__ == "__main__":
    main()
