#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: package_reinstall
short_description: Reinstall exactly the installed version of a package, never a silent upgrade
version_added: 1.1.0
description:
  - Reads the installed version of O(name) from the package database (C(dpkg-query), C(rpm -q)) and reinstalls
    exactly that version (C(apt-get install --reinstall NAME=VERSION), C(dnf reinstall NAME-E:V-R.A)), so a newer
    version in the repositories is never installed by a reinstall.
  - When no configured repository offers the installed version the module fails with a clear message and changes
    nothing, unless O(allow_upgrade=true) (then the repositories' candidate is installed instead).
  - O(package_file), a package file already on the host, is reinstalled when it holds the installed version; a newer
    one is installed only with O(allow_upgrade=true); an older one never (no downgrade).
  - Before any package command it waits for the package manager's lock (apt, dpkg, rpm, dnf, yum) at most
    O(lock_timeout) seconds and, when it is still held, fails naming the process that holds it.
  - The package's own scripts run as in any install (the connector's restart its service).
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description:
      - Reads the installed and offered versions and reports the command it would run (C(changed=true)), or fails as
        the real run would when the version is offered by no repository. Runs no package command that changes anything
        and does not wait for the lock (RV(lock_holders) says who holds it).
  diff_mode:
    support: full
    description: Shows the package and version before and after.
options:
  name:
    description: Package name.
    type: str
    required: true
  manager:
    description: V(auto) uses the package database that has O(name) installed (dpkg or rpm; dnf, else yum).
    type: str
    choices: [auto, apt, dnf, yum]
    default: auto
  package_file:
    description: A C(.deb) or C(.rpm) of O(name) on the host to reinstall from instead of the repositories.
    type: path
  allow_upgrade:
    description:
      - Opt-in. Install the repositories' candidate when the installed version is offered by none, or a newer
        O(package_file). Never a downgrade.
    type: bool
    default: false
  update_cache:
    description: Refresh the apt package index first (apt only; not in check mode).
    type: bool
    default: false
  lock_timeout:
    description: Seconds to wait for the package manager's lock before failing.
    type: int
    default: 300
  timeout:
    description: Seconds the package command may take (its whole process group is killed then).
    type: int
    default: 900
notes:
  - Needs root. Commands run with C(LC_ALL=C) (and C(DEBIAN_FRONTEND=noninteractive) for apt).
"""

EXAMPLES = r"""
- name: Reinstall the connector, same version (recreates its scan user)
  secure_endpoint.linux.package_reinstall:
    name: ciscoampconnector
    update_cache: true

- name: Reinstall from a package file copied to the host; upgrade if it is newer
  secure_endpoint.linux.package_reinstall:
    name: ciscoampconnector
    package_file: /var/lib/secure_endpoint/packages/ciscoampconnector_1.24.4_all.deb
    allow_upgrade: true
"""

RETURN = r"""
manager:
  description: The package manager used (V(apt), V(dnf) or V(yum)).
  returned: always
  type: str
version_before:
  description: Installed version before (apt C(VERSION), rpm C(E:V-R)).
  returned: success
  type: str
  sample: "1.24.3"
version:
  description: Installed version after (before in check mode).
  returned: success
  type: str
upgraded:
  description: The version changed (only with O(allow_upgrade)).
  returned: success
  type: bool
argv:
  description: The package command run (in check mode, the one that would run).
  returned: success
  type: list
  elements: str
output:
  description: The last 4 KiB of the package command's output.
  returned: when a command ran
  type: str
lock_waited:
  description: Seconds spent waiting for the package manager's lock.
  returned: always
  type: float
lock_holders:
  description: Who held the lock (when it was held at the start), each C(path), C(pid), C(process).
  returned: always
  type: list
  elements: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd, pkg_db, pkg_lock

OUTPUT_BYTES = 4096


def argument_spec():
    return dict(
        name=dict(type="str", required=True),
        manager=dict(type="str", choices=["auto", "apt", "dnf", "yum"], default="auto"),
        package_file=dict(type="path"),
        allow_upgrade=dict(type="bool", default=False),
        update_cache=dict(type="bool", default=False),
        lock_timeout=dict(type="int", default=300),
        timeout=dict(type="int", default=900),
    )


def resolve_manager(module, name, run):
    wanted = module.params["manager"]
    if wanted != "auto":
        return wanted
    have = []
    if module.get_bin_path("dpkg-query") and pkg_db.installed("apt", name, run):
        have.append("apt")
    if module.get_bin_path("rpm") and pkg_db.installed("dnf", name, run):
        have.append("dnf" if module.get_bin_path("dnf") else "yum")
    if len(have) > 1:
        raise pkg_db.PackageError("%s is installed in both the dpkg and the rpm database: set manager" % name)
    if not have:
        raise pkg_db.PackageError("%s is not installed: there is nothing to reinstall" % name)
    return have[0]


def rpm_dbpath(module, manager, run):
    if manager == "apt" or not module.get_bin_path("rpm"):
        return None
    return pkg_lock.rpm_dbpath(run)


def wait_for_lock(module, manager, dbpath, result, timeout):
    if module.check_mode:
        result["lock_holders"] = pkg_lock.holders(manager, rpm_dbpath=dbpath)
        return
    outcome = pkg_lock.wait(manager, timeout, rpm_dbpath=dbpath)
    result["lock_waited"] = result.get("lock_waited", 0) + outcome["waited"]
    result["lock_holders"] = result["lock_holders"] or outcome["first"]
    if not outcome["free"]:
        raise pkg_db.PackageError(pkg_lock.busy_message(manager, outcome, timeout))


def plan(module, manager, name, package, run):
    """``(argv, upgrade)`` for the reinstall (or, opted in, the upgrade)."""
    params = module.params
    source = params["package_file"]
    if source:
        if module.check_mode and not os.path.exists(source):
            # Check mode did not copy the file to the host: its version cannot be read yet.
            return pkg_db.reinstall_argv(manager, name, package, params["lock_timeout"], source=source), False
        found = pkg_db.file_identity(manager, params["package_file"], run)
        if found["name"] != name:
            raise pkg_db.PackageError("%s holds package %s, not %s" % (params["package_file"], found["name"], name))
        if manager == "apt":
            cmp = pkg_db.deb_compare(found["version"], package["version"], run)
            file_version, have = found["version"], package["version"]
        else:
            cmp = pkg_db.evr_compare(found["evr"], package["evr"])
            file_version, have = found["evr"], package["evr"]
        if cmp == 0:
            return pkg_db.reinstall_argv(manager, name, package, params["lock_timeout"], source=source), False
        if cmp < 0:
            raise pkg_db.PackageError("%s holds %s %s, older than the installed %s: a downgrade is never done"
                                      % (params["package_file"], name, file_version, have))
        if not params["allow_upgrade"]:
            raise pkg_db.PackageError("%s holds %s %s, newer than the installed %s: that is an upgrade, done only with "
                                      "allow_upgrade (nothing was changed)"
                                      % (params["package_file"], name, file_version, have))
        return pkg_db.upgrade_argv(manager, name, params["lock_timeout"], source=source), True
    offered = pkg_db.available(manager, name, run)
    ok = pkg_db.is_available(manager, package, offered)
    if ok is not False:
        return pkg_db.reinstall_argv(manager, name, package, params["lock_timeout"]), False
    if params["allow_upgrade"]:
        return pkg_db.upgrade_argv(manager, name, params["lock_timeout"]), True
    have = package["version"] if manager == "apt" else "%s.%s" % (package["evr"], package["arch"])
    raise pkg_db.PackageError(
        "%s %s is installed but no configured repository offers that version (offered: %s). Nothing was changed: a "
        "reinstall never upgrades. Add a repository that has %s, give a package file of it, or opt in to an "
        "upgrade (allow_upgrade)." % (name, have, ", ".join(offered) or "none", have))


def run_module(module):
    params = module.params
    run = bounded_cmd.run
    name = params["name"]
    result = {"changed": False, "manager": None, "lock_waited": 0.0, "lock_holders": []}
    manager = resolve_manager(module, name, run)
    result["manager"] = manager
    package = pkg_db.installed(manager, name, run)
    if package is None:
        raise pkg_db.PackageError("%s is not installed: there is nothing to reinstall" % name)
    version_before = package["version"] if manager == "apt" else package["evr"]
    result.update(version_before=version_before, version=version_before)
    dbpath = rpm_dbpath(module, manager, run)
    wait_for_lock(module, manager, dbpath, result, params["lock_timeout"])
    if params["update_cache"] and manager == "apt" and not module.check_mode:
        update = bounded_cmd.run_to_end(pkg_db.update_argv(manager, params["lock_timeout"]), params["timeout"],
                                        env_extra=pkg_db.DEB_ENV)
        if update.get("error") or update.get("rc") != 0:
            raise pkg_db.PackageError("apt-get update failed (%s): %s" % (
                update.get("error") or "rc %s" % update.get("rc"), bounded_cmd.decode(update["out"])[-1000:]))
    argv, upgrade = plan(module, manager, name, package, run)
    result.update(argv=argv, upgraded=False, changed=True)
    if module._diff:
        result["diff"] = {"before": "%s %s\n" % (name, version_before),
                          "after": "%s %s\n" % (name, "(upgraded to the candidate)" if upgrade
                                                else version_before + " (reinstalled)")}
    if module.check_mode:
        return result
    wait_for_lock(module, manager, dbpath, result, params["lock_timeout"])
    done = bounded_cmd.run_to_end(argv, params["timeout"], max_bytes=OUTPUT_BYTES,
                                  env_extra=pkg_db.DEB_ENV if manager == "apt" else None)
    result["output"] = bounded_cmd.decode(done["out"])
    if done.get("error") or done.get("timed_out") or done.get("rc") != 0:
        why = done.get("error") or ("killed after %d s" % params["timeout"] if done.get("timed_out")
                                    else "rc %s" % done.get("rc"))
        busy = pkg_lock.holders(manager, rpm_dbpath=dbpath)
        held = "; " + pkg_lock.describe(busy) if busy else ""
        raise pkg_db.PackageError("%s failed (%s)%s: %s" % (" ".join(argv), why, held, result["output"][-1500:]))
    after = pkg_db.installed(manager, name, run)
    version_after = None if after is None else (after["version"] if manager == "apt" else after["evr"])
    result["version"] = version_after
    if version_after is None:
        raise pkg_db.PackageError("%s is no longer installed after %s" % (name, " ".join(argv)))
    if not upgrade and version_after != version_before:
        raise pkg_db.PackageError("%s is %s after the reinstall, not %s" % (name, version_after, version_before))
    if upgrade and version_after == version_before:
        raise pkg_db.PackageError("%s %s: the repositories offer nothing newer to upgrade to, and not this version "
                                  "either" % (name, version_before))
    result["upgraded"] = upgrade
    if module._diff:
        result["diff"]["after"] = "%s %s\n" % (name, version_after + ("" if upgrade else " (reinstalled)"))
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    for option in ("lock_timeout", "timeout"):
        if module.params[option] < 0 or (option == "timeout" and module.params[option] == 0):
            module.fail_json(msg="%s must be a positive number of seconds" % option)
    try:
        result = run_module(module)
    except pkg_db.PackageError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
