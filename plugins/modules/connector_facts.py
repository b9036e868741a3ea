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
  - Only reads. C(ampcli status) runs with a hard timeout (its whole process group is killed), logs are
    read as a bounded tail, definition files are judged again only when they changed since the last run.
  - Can run as a fact gathering module, with no arguments, through C(ansible_facts_modules).
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
options:
  install_dir:
    description: Install root of the connector.
    type: path
    default: /opt/cisco/amp
  log_dir:
    description: Directory of the connector's logs (C(ampdaemon.log), C(ampscansvc.log)).
    type: path
    default: /var/log/cisco
  service_name:
    description: The connector's systemd service.
    type: str
    default: cisco-amp
  ampcli_timeout:
    description: Seconds C(ampcli status) may take before it is killed (it hangs while the daemon is down).
    type: float
    default: 10
  expected_dir_mode:
    description:
      - Mode of the parent of O(install_dir) (V(/opt/cisco)), of O(install_dir) and of its child directories
        (fault 5). Compared exactly, with C(lstat).
    type: str
    default: '0755'
  min_available_memory_mb:
    description: Available memory (C(MemAvailable)) below which low memory is a cause of fault 7.
    type: int
    default: 1024
  kernel_compat:
    description:
      - Kernel compatibility data for fault 16 (Cisco's table is not machine-readable).
      - The entries whose O(kernel_compat[].connector) matches the installed connector version list the
        kernels it supports. With no matching entry the answer is unknown, and fault 16 is never detected from data.
    type: list
    elements: dict
    default: []
    suboptions:
      connector:
        description:
          - Connector versions the entry is for. V(*) (any), a version prefix (V(1.24) matches 1.24.0 and
            1.24.3.1098, not 1.240), V(1.24.*), or comma-separated constraints such as V(>=1.22,<1.25).
        type: str
        required: true
      kernels:
        description: Supported kernel releases as shell-style patterns matched against C(uname -r).
        type: list
        elements: str
        required: true
  restart_window_minutes:
    description: Minutes after the connector starts within which fault 6 may clear by itself.
    type: int
    default: 10
  scan_restart_threshold:
    description: Scan service restarts in the connector's logs, since the service started, that make fault 6 detected.
    type: int
    default: 3
  top_processes:
    description: How many of the most active processes to list when fault 18 is reported (V(0) disables).
    type: int
    default: 10
  process_sample_seconds:
    description: Length of the one CPU sample window used to rank processes for fault 18.
    type: float
    default: 0.5
  log_tail_kb:
    description: At most this many KiB are read from the end of each log, whatever its size.
    type: int
    default: 256
  cache_path:
    description:
      - JSON file keeping the verdicts on definition files between runs, keyed by device, inode, size,
        mtime and ctime of each file and by the validator's code. Set to V(null) to disable.
      - A missing, corrupt or foreign cache is ignored; it is written atomically.
    type: path
    default: /var/cache/secure_endpoint/definitions.json
  validate_definitions:
    description: Judge the C(.cvd), C(.cld) and C(.cud) files under O(install_dir) (fault 7).
    type: bool
    default: true
  selinux_domain_type:
    description: SELinux type of the connector's required BPF rule, looked for in the loaded policy (fault 19).
    type: str
    default: unconfined_service_t
notes:
  - Supports Debian and Red Hat family hosts; needs root to read every probe (EFI variables, SELinux store, logs).
  - No package manager is queried; kernel headers are found by their directories.
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

# As a fact gathering module of a play:
#   vars:
#     ansible_facts_modules: [setup, secure_endpoint.linux.connector_facts]
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
              C(causes) (ids of the documented causes found, empty when not active), C(evidence) (at most 12 short
              strings), C(remediation) with C(role) (FQCN of the role that fixes it), C(automatic) (the role can
              fix every cause found) and C(manual_steps) (what a person must do; never automated).
            - "Cause ids: 5: scan_user_missing, scan_group_missing, usergroups_enab_no, directory_mode;
              6: scan_service_restarts, not_cleared_after_10_minutes; 7: invalid_definitions, low_memory;
              8 and 9: secure_boot_enabled, module_not_loaded, module_rejected, kernel_unsupported;
              11: headers_missing, next_boot_headers_missing; 16: kernel_not_in_compat_data, reported_by_connector;
              18: reported_by_connector; 19: module_missing, module_disabled, tooling_missing."
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
              evidence: ["severity Major", "top_processes: pid 812 find 97.0% CPU: find / -type f"]
              remediation:
                role: secure_endpoint.linux.event_overload
                automatic: false
                manual_steps: ["Review the most active processes in the evidence."]
        definitions:
          description: One entry per C(.cvd), C(.cld) or C(.cud) file under O(install_dir) (empty when O(validate_definitions=false)).
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
            valid:
              description: The ClamAV engine would load it.
              type: bool
              returned: always
            reason:
              description: Why it is not valid, or null.
              type: str
              returned: always
            size:
              description: Size in bytes.
              type: int
              returned: always
            header:
              description: The header's fields.
              type: dict
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
              description: Package that provides them (C(kernel-devel-*), C(kernel-uek-devel-*), C(linux-headers-*)), or null.
              type: str
              returned: always
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
              description: The user exists.
              type: bool
              returned: always
            group:
              description: The group exists.
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
              description: True only for a value equal to V(yes) in any case.
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import collect

# Probes read under this root; tests point it at a fake tree.
_ROOT = "/"


def argument_spec():
    return dict(
        install_dir=dict(type="path", default="/opt/cisco/amp"),
        log_dir=dict(type="path", default="/var/log/cisco"),
        service_name=dict(type="str", default="cisco-amp"),
        ampcli_timeout=dict(type="float", default=10.0),
        expected_dir_mode=dict(type="str", default="0755"),
        min_available_memory_mb=dict(type="int", default=1024),
        kernel_compat=dict(type="list", elements="dict", default=[], options=dict(
            connector=dict(type="str", required=True),
            kernels=dict(type="list", elements="str", required=True),
        )),
        restart_window_minutes=dict(type="int", default=10),
        scan_restart_threshold=dict(type="int", default=3),
        top_processes=dict(type="int", default=10),
        process_sample_seconds=dict(type="float", default=0.5),
        log_tail_kb=dict(type="int", default=256),
        cache_path=dict(type="path", default="/var/cache/secure_endpoint/definitions.json"),
        validate_definitions=dict(type="bool", default=True),
        selinux_domain_type=dict(type="str", default="unconfined_service_t"),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    for name in ("ampcli_timeout", "log_tail_kb", "process_sample_seconds"):
        if params[name] <= 0:
            module.fail_json(msg="%s must be greater than 0" % name)
    for name in ("min_available_memory_mb", "restart_window_minutes", "scan_restart_threshold", "top_processes"):
        if params[name] < 0:
            module.fail_json(msg="%s must not be negative" % name)
    facts = collect.collect(dict(params), root=_ROOT, check_mode=module.check_mode)
    module.exit_json(changed=False, ansible_facts={"secure_endpoint": facts})


if __name__ == "__main__":
    main()
