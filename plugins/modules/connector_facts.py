#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: connector_facts
short_description: Detect the faults of the Cisco Secure Endpoint Linux connector
version_added: 1.0.0
description:
  - Returns C(ansible_facts.secure_endpoint) with the state of the Cisco Secure Endpoint Linux connector
    and, for each of its faults 5, 6, 7, 8, 9, 11, 16, 18 and 19, whether the connector reports it
    (C(ampcli status)), whether the module detects its condition on the host, the causes found, bounded
    evidence and how to fix it.
  - Only reads. C(ampcli status) runs with a hard timeout (its whole process group is killed), its answer is
    taken when its own process exits (children that keep its output open do not make it a timeout), logs are
    read as a bounded tail, definition files are judged again only when they changed since the last run.
  - Every host file is read through one bounded reader that never blocks - a FIFO, a device or an oversized
    file where a file is expected is a finding naming the path and its type, never a hang.
  - A verdict the module could not reach (an unreadable file, a name service that does not answer) is
    C(unknown) and goes to C(errors) and the evidence; it never makes a fault or a cause.
  - Can run as a fact gathering module, with no arguments, through C(ansible_facts_modules); see the notes
    for the settings that keep C(setup) safe.
  - A missing connector, tool or file is reported in the facts (and C(errors)), never as a module failure.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: The module only reads; in check mode it runs fully but does not write its definitions cache.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to show.
  facts:
    support: full
    description: Returns C(ansible_facts.secure_endpoint).
extends_documentation_fragment:
  - secure_endpoint.linux.facts_options
notes:
  - Supports Debian and Red Hat family hosts; needs root to read every probe (EFI variables, SELinux store, logs).
    Run as another user, what cannot be read is C(unknown) (in C(errors)), never a fault.
  - No package manager is queried; kernel headers are found by their directories.
  - "In fact gathering: set O(ignore:ansible_facts_parallel=false) with
    O(ignore:ansible_facts_modules=[setup, secure_endpoint.linux.connector_facts]). With more than one fact module
    Ansible otherwise runs them in parallel as async jobs bounded by C(gather_timeout) (10 s); on a loaded
    controller or with many forks both modules then time out and the host loses the facts of C(setup) too.
    Run one after the other, C(setup) keeps its own timeouts and this module its own bounds (O(ampcli_timeout)
    and the limits above), and this module never fails on the host's state."
"""

EXAMPLES = r"""
- name: Gather connector facts
  secure_endpoint.linux.connector_facts:

- name: Show the active faults
  ansible.builtin.debug:
    msg: "{{ ansible_facts.secure_endpoint.faults | dict2items | selectattr('value.active') | map(attribute='key') | list }}"

- name: Gather with kernel compatibility data and a shorter ampcli timeout
  secure_endpoint.linux.connector_facts:
    ampcli_timeout: 5
    kernel_compat:
      - connector: "1.24"
        kernels: ["5.14.0-*.el9*", "4.18.0-*.el8*"]

# As a fact gathering module, in group_vars/all.yml (or a play's vars). The two modules must run
# one after the other: in parallel (Ansible's default for two modules) they are async jobs cut at
# gather_timeout, which on a loaded controller fails setup too. Options come from module_defaults.
#
#   ansible_facts_modules: [setup, secure_endpoint.linux.connector_facts]
#   ansible_facts_parallel: false
#
#   - hosts: all
#     module_defaults:
#       secure_endpoint.linux.connector_facts:
#         ampcli_timeout: 5
#     tasks:
#       - ansible.builtin.debug:
#           msg: "{{ ansible_facts.secure_endpoint.faults['5'].causes }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts to add to C(ansible_facts).
  returned: always
  type: dict
  contains:
    secure_endpoint:
      description: The connector's state and faults.
      returned: always
      type: dict
      contains:
        installed:
          description: The connector's C(bin/ampdaemon) exists under O(install_dir).
          returned: always
          type: bool
        install_dir:
          description: The install root probed.
          returned: always
          type: str
          sample: /opt/cisco/amp
        version:
          description: Connector version from C(etc/global.xml), or null.
          returned: always
          type: str
          sample: 1.24.3
        service:
          description: The connector's service.
          returned: always
          type: dict
          contains:
            name:
              description: Service name.
              type: str
              returned: always
            state:
              description: V(running), V(stopped), V(failed), V(starting), V(not-found) or V(unknown).
              type: str
              returned: always
            enabled:
              description: Enabled at boot, or null when unknown.
              type: bool
              returned: always
            uptime_seconds:
              description: Seconds since the service (or the ampdaemon process) started, or null.
              type: int
              returned: always
            main_pid:
              description: Main process id, or null.
              type: int
              returned: always
            restarts:
              description: systemd's restart count of the unit, or null.
              type: int
              returned: always
            source:
              description: V(systemd) or V(processes) (no systemd).
              type: str
              returned: always
        ampcli:
          description: Outcome of C(ampcli status).
          returned: always
          type: dict
          contains:
            ran:
              description: The command could be started.
              type: bool
              returned: always
            rc:
              description: Exit code, or null when it did not finish (timeout, output limit) or did not run.
              type: int
              returned: always
            timed_out:
              description: It was killed after O(ampcli_timeout) seconds.
              type: bool
              returned: always
            error:
              description: Why the answer is missing or doubtful, or null.
              type: str
              returned: always
            status:
              description: "Every C(Key: Value) line, keys in snake case (C(status), C(mode), C(scan), C(last_scan), C(policy), C(faults), ...)."
              type: dict
              returned: always
              sample: {"status": "Connected", "mode": "Degraded", "scan": "Ready for scan", "faults": "1 Major"}
            fault_ids:
              description: Fault ids the connector reports.
              type: list
              elements: int
              returned: always
              sample: [18]
            faults:
              description: Reported faults, each with C(id) (int), C(severity) and C(message) (null when not printed).
              type: list
              elements: dict
              returned: always
            raw:
              description: The raw answer, bounded to 4096 characters.
              type: str
              returned: always
        faults:
          description:
            - One entry per fault, keyed by the fault id as a string, always all nine
              (V("5"), V("6"), V("7"), V("8"), V("9"), V("11"), V("16"), V("18"), V("19")).
            - Each entry has C(id) (int), C(title), C(active) (C(reported) or C(detected)), C(reported) (by
              C(ampcli status)), C(detected) (by this module's probes), C(severity) (as reported, or null),
              C(causes) (ids of the documented causes found, empty when not active; a cause is listed only where
              its documented condition holds on the host), C(risks) (ids of conditions that do not cause today's
              fault but would make the next install or reinstall fail, listed whether or not the fault is active),
              C(evidence) (at most 12 short strings), C(remediation) with C(role) (FQCN of the role that fixes it),
              C(automatic) (the role can fix every cause found) and C(manual_steps) (what a person must do; never
              automated).
            - "Cause ids: 5: scan_user_missing, scan_group_missing, usergroups_enab_no, directory_mode;
              6: scan_service_restarts, not_cleared_after_10_minutes; 7: invalid_definitions, low_memory;
              8 and 9: secure_boot_enabled, module_not_loaded, module_rejected, kernel_unsupported;
              11: headers_missing, next_boot_headers_missing; 16: kernel_not_in_compat_data, reported_by_connector;
              18: reported_by_connector; 19: module_missing, module_disabled, tooling_missing."
            - "Risk ids: 5: usergroups_enab_no (C(USERGROUPS_ENAB) is not C(yes) while the scan group exists, or while
              the connector is not installed; a cause only while the group is missing)."
          returned: always
          type: dict
          sample:
            "18":
              id: 18
              title: Connector event monitoring overloaded
              active: true
              reported: true
              detected: false
              severity: Major
              causes: [reported_by_connector]
              risks: []
              evidence: ["severity Major", "top_processes: pid 812 find 97.0% CPU: find / -type f"]
              remediation:
                role: secure_endpoint.linux.event_overload
                automatic: false
                manual_steps: ["Review the most active processes in the evidence."]
        definitions:
          description:
            - The judged definitions files (C(.cvd), C(.cld), C(.cud)) under O(install_dir), in path order (empty when
              O(validate_definitions=false)); C(valid) is always a bool here, so C(rejectattr('valid')) selects only
              files the engine would refuse. Files that could not be judged are in C(definitions_unknown).
            - With O(definitions_list=bounded) (the default) every C(invalid) file is listed and at most 20 C(valid)
              ones; O(definitions_list=all) lists every judged file. C(definitions_summary) counts all.
          returned: always
          type: list
          elements: dict
          contains:
            path:
              description: File path.
              type: str
              returned: always
            type:
              description: V(cvd), V(cld) or V(cud).
              type: str
              returned: always
            verdict:
              description:
                - V(valid) (the ClamAV engine would load it) or V(invalid) (the engine would refuse it, see C(reason);
                  a FIFO, a device, a dangling symlink or a symlink loop is invalid too, since the engine cannot load
                  it). Only V(invalid) makes fault 7.
              type: str
              returned: always
            valid:
              description: True for V(valid), false for V(invalid).
              type: bool
              returned: always
            reason:
              description: Why it is invalid, or null.
              type: str
              returned: always
            size:
              description: Size in bytes, or null when not known.
              type: int
              returned: always
            header:
              description: The header's fields (empty when the file was not read).
              type: dict
              returned: always
            file_kind:
              description: What the path is (V(regular file), V(FIFO), V(character device), V(directory), V(symlink) ...).
              type: str
              returned: always
            link:
              description: The target when the path is a symlink, else null.
              type: str
              returned: always
        definitions_unknown:
          description:
            - Every definitions file that could not be judged, each with the keys of C(definitions), C(verdict)
              V(unknown), C(valid) null and C(reason) (unreadable, too large to judge, left for a later run by
              O(definitions_max_run_mb)). Never a cause of fault 7, never cached; also named in C(errors).
          returned: always
          type: list
          elements: dict
          sample: [{"path": "/opt/cisco/amp/clamav/main.cvd", "verdict": "unknown", "valid": null,
                    "reason": "cannot be read: Permission denied"}]
        definitions_summary:
          description: Counts over every definitions file found, whatever C(definitions) lists.
          returned: always
          type: dict
          contains:
            files:
              description: Definitions files found.
              type: int
              returned: always
            valid:
              description: Files judged valid.
              type: int
              returned: always
            invalid:
              description: Files judged invalid.
              type: int
              returned: always
            unknown:
              description: Files not judged.
              type: int
              returned: always
            by_type:
              description: Files found by type (C(cvd), C(cld), C(cud)).
              type: dict
              returned: always
            listed:
              description: Entries in C(definitions).
              type: int
              returned: always
            complete:
              description: The search saw the whole install root (false when a limit stopped it; C(errors) says which).
              type: bool
              returned: always
        kernel:
          description: Running and next kernel.
          returned: always
          type: dict
          contains:
            release:
              description: Running kernel release (C(uname -r)).
              type: str
              returned: always
            family:
              description: V(redhat), V(debian), V(suse) or null, from C(/etc/os-release).
              type: str
              returned: always
            btf:
              description: C(/sys/kernel/btf/vmlinux) exists (CO-RE eBPF possible).
              type: bool
              returned: always
            headers_installed:
              description: Headers of the running kernel are installed.
              type: bool
              returned: always
            headers_path:
              description: Where they are (or should be).
              type: str
              returned: always
            headers_package:
              description:
                - Package that provides them, by the kernel's flavour, or null. Red Hat family
                  C(kernel[-uek|-rt|-64k][-debug]-devel-<version>) (C(<version>) is the release without its
                  C(+debug), C(+64k), C(+rt) suffix); Debian family C(linux-headers-<release>).
              type: str
              returned: always
              sample: kernel-debug-devel-5.14.0-427.el9.x86_64
            next_boot:
              description: Kernel the boot loader starts next, or null when unknown.
              type: dict
              returned: always
              contains:
                release:
                  description: Its release.
                  type: str
                  returned: always
                source:
                  description: Where it was read (grubenv, boot loader entries, grub.cfg, /boot).
                  type: str
                  returned: always
                headers_installed:
                  description: Its headers are installed.
                  type: bool
                  returned: always
                headers_package:
                  description: Package of its headers, or null.
                  type: str
                  returned: always
                btf:
                  description: Its config has C(CONFIG_DEBUG_INFO_BTF=y); null when unknown.
                  type: bool
                  returned: always
            connector_modules:
              description: Loaded connector kernel modules (C(ampavflt), C(ampfsm), C(redirfs), C(ampnetworkflow)).
              type: list
              elements: str
              returned: always
        secure_boot:
          description: UEFI Secure Boot enabled (EFI variable); false on legacy BIOS boots; null when unknown.
          returned: always
          type: bool
        selinux:
          description: SELinux state for fault 19.
          returned: always
          type: dict
          contains:
            mode:
              description: V(enforcing), V(permissive) or V(disabled).
              type: str
              returned: always
            mode_source:
              description: V(kernel) (selinuxfs), V(config) (C(/etc/selinux/config)) or V(none).
              type: str
              returned: always
            policy_type:
              description: C(SELINUXTYPE).
              type: str
              returned: always
            module_name:
              description: The connector's policy module (compared case-insensitively).
              type: str
              returned: always
            module_present:
              description: The module is in the policy store.
              type: bool
              returned: always
            module_enabled:
              description: Present and not disabled.
              type: bool
              returned: always
            module_paths:
              description: Where the module was found in the store.
              type: list
              elements: str
              returned: always
            modules:
              description:
                - Every store entry whose name matches O(selinux_module_name) case-insensitively, with its exact
                  C(name), C(priority) (int) and C(enabled) (no disabled marker for that exact name).
              type: list
              elements: dict
              returned: always
              sample: [{"name": "Cisco-Secure-BPF", "priority": 400, "enabled": true}]
            module_required:
              description: The default policy lacks the rule (EL7), so the module must exist.
              type: bool
              returned: always
            domain_type:
              description: O(selinux_domain_type).
              type: str
              returned: always
            type_present:
              description: The type is in the loaded policy; null when not checked (SELinux not enforcing) or unreadable.
              type: bool
              returned: always
            tools_missing:
              description: SELinux tools needed for a manual fix that are missing; null when not checked.
              type: list
              elements: str
              returned: always
        memory:
          description: Available memory against the threshold.
          returned: always
          type: dict
          contains:
            available_mb:
              description: C(MemAvailable) in MiB, or null.
              type: int
              returned: always
            threshold_mb:
              description: O(min_available_memory_mb).
              type: int
              returned: always
        scan_account:
          description: The scan service account C(cisco-amp-scan-svc).
          returned: always
          type: dict
          contains:
            name:
              description: Account name.
              type: str
              returned: always
            user:
              description: The user exists; null when unknown (account database unreadable, name service not answering).
              type: bool
              returned: always
            group:
              description: The group exists; null when unknown.
              type: bool
              returned: always
        login_defs:
          description: C(USERGROUPS_ENAB) as shadow-utils reads C(/etc/login.defs).
          returned: always
          type: dict
          contains:
            path:
              description: File read.
              type: str
              returned: always
            usergroups_enab:
              description: The value stored (last occurrence, exact name), or null when absent.
              type: str
              returned: always
            usergroups_enabled:
              description:
                - True only for a value equal to V(yes) in any case; null when the file could not be judged (not a
                  regular file, larger than 16 MiB, unreadable - see C(errors)).
              type: bool
              returned: always
        top_processes:
          description: Most active processes over one sample window, only when fault 18 is reported.
          returned: always
          type: list
          elements: dict
          contains:
            pid:
              description: Process id.
              type: int
              returned: always
            comm:
              description: Command name.
              type: str
              returned: always
            cpu_percent:
              description: CPU used during the window (100 is one core).
              type: float
              returned: always
            cmdline:
              description: Command line, first 200 characters, or null.
              type: str
              returned: always
        errors:
          description: Problems met while probing (a probe that could not answer); never fatal.
          returned: always
          type: list
          elements: str
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import collect, facts_options

# Probes read under this root; tests point it at a fake tree.
_ROOT = "/"


def argument_spec():
    return facts_options.argument_spec()


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    problem = facts_options.check_params(module.params)
    if problem:
        module.fail_json(msg=problem)
    try:
        facts = collect.collect(dict(module.params), root=_ROOT, check_mode=module.check_mode)
    except Exception:  # pylint: disable=broad-except
        # Run at every fact gathering: a bug here must not fail the host (and setup's facts).
        message = "connector_facts internal error, nothing was judged: %s" % traceback.format_exc(limit=3)
        module.warn(message)
        facts = collect.unknown_facts(module.params, message)
    module.exit_json(changed=False, ansible_facts={"secure_endpoint": facts})


if __name__ == "__main__":
    main()
