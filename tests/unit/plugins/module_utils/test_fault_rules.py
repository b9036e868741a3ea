# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy

from ansible_collections.secure_endpoint.linux.plugins.module_utils import fault_rules as fr

ALL_MODULES = ("ampavflt", "ampfsm", "redirfs", "ampnetworkflow")


def healthy(**changes):
    """Inputs of a host where the connector (eBPF, 1.24.3, Debian) works."""
    inputs = {
        "installed": True, "version": "1.24.3",
        "service": {"state": "running", "uptime_seconds": 3600},
        "reported": {},
        "accounts": {"name": "cisco-amp-scan-svc", "user": True, "group": True},
        "login_defs": {"path": "/etc/login.defs", "present": True, "value": "yes", "enabled": True, "error": None},
        "dir_findings": [], "scan_restart_lines": [], "scan_restart_threshold": 3, "restart_window_minutes": 10,
        "processes": {"daemon": {"pid": 10, "age": 3600}, "scan": {"pid": 20, "age": 3590}},
        "definitions": [{"path": "/opt/cisco/amp/clamav/main.cvd", "valid": True, "reason": None}],
        "memory": {"available_mb": 4000, "threshold_mb": 1024}, "low_memory_lines": [],
        "kernel": {"release": "6.1.0-18-amd64", "family": "debian", "btf": True, "headers_installed": True,
                   "headers_path": "/usr/src/linux-headers-6.1.0-18-amd64",
                   "headers_package": "linux-headers-6.1.0-18-amd64", "next_boot": None},
        "modules_loaded": {"xfs"}, "all_modules": ALL_MODULES, "kmod_files": [],
        "secure_boot": False, "secure_boot_evidence": "SecureBoot=0 (EFI variable)", "secure_boot_lines": [],
        "rejection_lines": {"fs": [], "net": []}, "load_failure_lines": {"fs": [], "net": []},
        "unsupported_lines": [], "compat": {"compatible": None, "version": "1.24.3"},
        "selinux": {"mode": "disabled", "module_present": False, "module_enabled": False, "module_required": False,
                    "module_name": "cisco-secure-bpf", "domain_type": "unconfined_service_t"},
        "top_processes": [],
        "context": {"install_dir": "/opt/cisco/amp", "log_dir": "/var/log/cisco", "service": "cisco-amp",
                    "window": 10, "expected_mode": "0755", "available_mb": 4000, "threshold_mb": 1024,
                    "release": "6.1.0-18-amd64"},
    }
    for key, value in changes.items():
        inputs[key] = value
    return inputs


def active(faults):
    return sorted((int(k) for k, v in faults.items() if v["active"]))


def test_all_nine_and_nothing_active_on_a_healthy_host():
    faults = fr.build_faults(healthy())
    assert sorted(faults) == sorted(["5", "6", "7", "8", "9", "11", "16", "18", "19"])
    assert active(faults) == []
    for key, entry in faults.items():
        assert entry["id"] == int(key) and entry["title"] == fr.TITLES[int(key)]
        assert entry["causes"] == [] and entry["remediation"]["manual_steps"] == []
        assert entry["remediation"]["role"] == "secure_endpoint.linux." + fr.ROLES[int(key)]


def test_nothing_detected_when_not_installed():
    inputs = healthy(installed=False, accounts={"name": "cisco-amp-scan-svc", "user": False, "group": False},
                     definitions=[], version=None, service={"state": "not-found", "uptime_seconds": None})
    inputs["kernel"] = dict(inputs["kernel"], headers_installed=False)
    assert active(fr.build_faults(inputs)) == []


def test_empty_inputs_never_detect():
    assert active(fr.build_faults({})) == []
    assert active(fr.build_faults({"installed": True})) == []


def test_5_missing_user_and_group_with_usergroups_no():
    login = {"path": "/etc/login.defs", "present": True, "value": "no", "enabled": False, "error": None}
    entry = fr.fault_5(healthy(accounts={"name": "cisco-amp-scan-svc", "user": False, "group": False},
                               login_defs=login))
    assert entry["active"] and entry["detected"] and not entry["reported"]
    assert entry["causes"] == ["scan_user_missing", "scan_group_missing", "usergroups_enab_no"]
    assert entry["remediation"]["automatic"] is True
    assert "/etc/login.defs: USERGROUPS_ENAB is 'no'" in entry["evidence"][2]


def test_5_usergroups_no_alone_is_latent():
    login = {"path": "/etc/login.defs", "present": True, "value": "no", "enabled": False, "error": None}
    entry = fr.fault_5(healthy(login_defs=login))
    assert not entry["active"] and entry["causes"] == []


def test_5_reported_with_usergroups_no_and_the_group_present_is_a_risk_not_a_cause():
    login = {"path": "/etc/login.defs", "present": True, "value": "No", "enabled": False, "error": None}
    entry = fr.fault_5(healthy(login_defs=login, reported={5: "Major"}))
    assert entry["active"] and entry["reported"] and not entry["detected"]
    assert entry["causes"] == [] and entry["severity"] == "Major"
    assert entry["risks"] == ["usergroups_enab_no"]
    assert entry["evidence"][0].startswith("risk: /etc/login.defs: USERGROUPS_ENAB is 'No'")
    # No documented cause found: the generic steps, not the login.defs fix.
    assert entry["remediation"]["automatic"] is False


def test_5_reported_with_usergroups_no_and_the_group_missing_is_a_cause():
    login = {"path": "/etc/login.defs", "present": True, "value": "No", "enabled": False, "error": None}
    entry = fr.fault_5(healthy(login_defs=login, reported={5: "Major"},
                               accounts={"name": "cisco-amp-scan-svc", "user": True, "group": False}))
    assert entry["causes"] == ["scan_group_missing", "usergroups_enab_no"] and entry["risks"] == []


def test_5_usergroups_no_on_a_host_without_the_connector_is_only_a_risk():
    login = {"path": "/etc/login.defs", "present": False, "value": None, "enabled": False, "error": None}
    entry = fr.fault_5(healthy(installed=False, login_defs=login,
                               accounts={"name": "cisco-amp-scan-svc", "user": False, "group": False}))
    assert not entry["active"] and entry["causes"] == [] and entry["risks"] == ["usergroups_enab_no"]


def test_5_unknown_accounts_and_login_defs_blame_nothing():
    login = {"path": "/etc/login.defs", "present": True, "value": None, "enabled": None,
             "error": "cannot read /etc/login.defs: FIFO, not a regular file"}
    accounts = {"name": "cisco-amp-scan-svc", "user": None, "group": None,
                "error": "the name service did not answer within 5.0s (accounts unknown)"}
    entry = fr.fault_5(healthy(login_defs=login, accounts=accounts))
    assert not entry["active"] and entry["causes"] == [] and entry["risks"] == []
    assert entry["evidence"] == [accounts["error"], login["error"]]


def test_5_directory_mode_only_when_installed():
    findings = [{"path": "/opt/cisco", "mode": "0700", "expected": "0755", "problem": "mode 0700, expected 0755"}]
    entry = fr.fault_5(healthy(installed=False, dir_findings=findings))
    assert not entry["active"] and entry["evidence"] == []


def test_5_directory_mode():
    entry = fr.fault_5(healthy(dir_findings=[{"path": "/opt/cisco", "mode": "0700", "expected": "0755",
                                              "problem": "mode 0700, expected 0755"}]))
    assert entry["causes"] == ["directory_mode"]
    assert entry["evidence"] == ["/opt/cisco: mode 0700, expected 0755"]
    assert entry["remediation"]["automatic"] is True
    assert "restores 0755" in entry["remediation"]["manual_steps"][0]


def test_6_restarts_detected_and_not_cleared():
    lines = ["2024-06-19 14:0%d:00 ampscansvc exited, restarting" % i for i in range(4)]
    entry = fr.fault_6(healthy(scan_restart_lines=lines))
    assert entry["detected"] and entry["causes"] == ["scan_service_restarts", "not_cleared_after_10_minutes"]
    assert entry["remediation"]["automatic"] is False
    assert any("ampsupport -o" in step for step in entry["remediation"]["manual_steps"])


def test_6_below_threshold_and_young_service():
    entry = fr.fault_6(healthy(scan_restart_lines=["ampscansvc exited"]))
    assert not entry["active"]
    entry = fr.fault_6(healthy(reported={6: "Major"}, service={"state": "running", "uptime_seconds": 120}))
    assert entry["causes"] == ["scan_service_restarts"]
    assert entry["remediation"]["manual_steps"] == [
        "Wait: the fault may clear by itself within 10 minutes of the connector starting."]


def test_6_process_evidence():
    entry = fr.fault_6(healthy(processes={"daemon": {"pid": 10, "age": 3600}, "scan": {"pid": 99, "age": 30}}))
    assert "ampscansvc (pid 99) started 3570 s after ampdaemon (pid 10): it was restarted" in entry["evidence"]


def test_7_invalid_definitions():
    defs = [{"path": "/opt/cisco/amp/clamav/daily.cvd", "valid": False, "reason": "MD5 mismatch"}]
    entry = fr.fault_7(healthy(definitions=defs))
    assert entry["detected"] and entry["causes"] == ["invalid_definitions"]
    assert entry["evidence"] == ["definitions: 1 file(s), 1 invalid, 0 not judged",
                                 "/opt/cisco/amp/clamav/daily.cvd: MD5 mismatch"]
    assert entry["remediation"]["automatic"] is True


def test_7_unknown_verdicts_are_evidence_never_a_cause():
    defs = [{"path": "/opt/cisco/amp/clamav/main.cvd", "verdict": "unknown", "valid": None,
             "reason": "cannot be read: Permission denied"},
            {"path": "/opt/cisco/amp/clamav/daily.cvd", "verdict": "valid", "valid": True, "reason": None}]
    entry = fr.fault_7(healthy(definitions=defs, definitions_notes=["search stopped after 20001 entries"]))
    assert not entry["active"] and entry["causes"] == []
    assert entry["evidence"] == ["definitions: 2 file(s), 0 invalid, 1 not judged",
                                 "/opt/cisco/amp/clamav/main.cvd: not judged: cannot be read: Permission denied",
                                 "search stopped after 20001 entries"]


def test_7_low_memory_needs_a_stopped_scanner_to_be_detected():
    memory = {"available_mb": 300, "threshold_mb": 1024}
    assert not fr.fault_7(healthy(memory=memory))["active"]
    entry = fr.fault_7(healthy(memory=memory, processes={"daemon": {"pid": 10, "age": 5}}))
    assert entry["detected"] and entry["causes"] == ["low_memory"]
    assert entry["remediation"]["automatic"] is False
    steps = " ".join(entry["remediation"]["manual_steps"])
    assert "300 MB available, at least 1024 MB" in steps and "'Linux only'" in steps


def test_7_reported_low_memory_from_logs():
    entry = fr.fault_7(healthy(reported={7: None}, low_memory_lines=["ampscansvc: insufficient memory"]))
    assert entry["causes"] == ["low_memory"] and not entry["detected"]


def test_8_secure_boot_on_a_kernel_module_connector():
    inputs = healthy(secure_boot=True, secure_boot_evidence="SecureBoot=1 (EFI variable)",
                     kmod_files=["/opt/cisco/amp/kmods/ampfsm.ko"], modules_loaded={"xfs"})
    entry = fr.fault_8(inputs)
    # Secure Boot explains the missing module: "not loaded" is not a cause of its own then.
    assert entry["detected"] and entry["causes"] == ["secure_boot_enabled"]
    assert "none of ampfsm, ampavflt loaded (/proc/modules)" in entry["evidence"]
    assert entry["remediation"]["automatic"] is False
    steps = entry["remediation"]["manual_steps"]
    assert "systemctl reboot --firmware-setup" in " ".join(steps)
    assert any("the collection never changes it" in s for s in steps)
    assert fr.fault_9(inputs)["causes"] == ["secure_boot_enabled"]
    entry = fr.fault_8(dict(inputs, secure_boot=False))
    assert entry["causes"] == ["module_not_loaded"] and entry["remediation"]["automatic"] is True


def test_8_modules_loaded_is_healthy():
    inputs = healthy(secure_boot=True, modules_loaded={"ampfsm", "redirfs", "ampavflt", "ampnetworkflow"})
    assert not fr.fault_8(inputs)["active"] and not fr.fault_9(inputs)["active"]


def test_8_reported_on_ebpf_with_logged_secure_boot():
    entry = fr.fault_8(healthy(reported={8: "Major"}, secure_boot_lines=["ampdaemon: Secure Boot is enabled"]))
    assert entry["causes"] == ["secure_boot_enabled"] and not entry["detected"]


def test_8_rejected_module():
    rejection = {"fs": ["kernel: ampfsm: disagrees about version of symbol module_layout"], "net": []}
    entry = fr.fault_8(healthy(reported={8: None}, rejection_lines=rejection))
    assert entry["causes"] == ["module_rejected"]
    assert "Monitor File Copies and Moves" in " ".join(entry["remediation"]["manual_steps"])
    assert not fr.fault_9(healthy(rejection_lines=rejection))["active"]


def test_9_failed_load_from_connector_log():
    failures = {"fs": [], "net": ["ampdaemon: failed to load kernel module ampnetworkflow"]}
    entry = fr.fault_9(healthy(reported={9: "Major"}, load_failure_lines=failures))
    assert entry["causes"] == ["module_not_loaded"]
    assert "Enable Device Flow Correlation" not in " ".join(entry["remediation"]["manual_steps"])


def test_8_kernel_unsupported_from_compat():
    entry = fr.fault_8(healthy(reported={8: None}, compat={"compatible": False}))
    assert entry["causes"] == ["kernel_unsupported"] and entry["remediation"]["automatic"] is False


def kernel(**changes):
    base = healthy()["kernel"]
    base.update(changes)
    return base


def test_11_headers_missing_before_1_25_even_with_btf():
    entry = fr.fault_11(healthy(kernel=kernel(headers_installed=False)))
    assert entry["detected"] and entry["causes"] == ["headers_missing"]
    assert "linux-headers-6.1.0-18-amd64" in entry["evidence"][1]
    assert entry["remediation"]["automatic"] is True


def test_11_not_needed_with_co_re():
    assert not fr.fault_11(healthy(version="1.25.0", kernel=kernel(headers_installed=False)))["active"]
    entry = fr.fault_11(healthy(version="1.25.0", kernel=kernel(headers_installed=False, btf=False)))
    assert entry["causes"] == ["headers_missing"]


def test_11_not_needed_for_old_or_kernel_module_connectors():
    assert not fr.fault_11(healthy(version="1.14.0", kernel=kernel(headers_installed=False)))["active"]
    assert not fr.fault_11(healthy(kernel=kernel(headers_installed=False), modules_loaded={"ampfsm"}))["active"]
    uek = kernel(family="redhat", release="5.15.0-200.el8uek.x86_64", headers_installed=False)
    assert not fr.fault_11(healthy(version="1.17.0", kernel=uek))["active"]
    assert fr.fault_11(healthy(version="1.18.0", kernel=uek))["active"]


def test_11_next_boot_kernel_without_headers():
    nxt = {"release": "6.1.0-20-amd64", "source": "/boot/grub/grub.cfg first entry", "headers_installed": False,
           "headers_package": "linux-headers-6.1.0-20-amd64", "btf": True}
    entry = fr.fault_11(healthy(kernel=kernel(next_boot=nxt)))
    assert entry["detected"] and entry["causes"] == ["next_boot_headers_missing"]
    assert "after the next reboot" in entry["evidence"][-1]
    assert not fr.fault_11(healthy(version="1.25.0", kernel=kernel(next_boot=nxt)))["active"]
    same = dict(nxt, release="6.1.0-18-amd64")
    assert not fr.fault_11(healthy(kernel=kernel(next_boot=same)))["active"]


def test_16_from_compat_data_and_report():
    compat = {"known": True, "compatible": False, "matched": ["supported: 5.14.0-*"], "version": "1.24.3",
              "release": "6.18.0"}
    entry = fr.fault_16(healthy(compat=compat))
    assert entry["detected"] and entry["causes"] == ["kernel_not_in_compat_data"]
    steps = " ".join(entry["remediation"]["manual_steps"])
    assert "reboot in a maintenance window" in steps and "never done automatically" in steps
    assert entry["remediation"]["automatic"] is False
    entry = fr.fault_16(healthy(reported={16: "Major"}))
    assert entry["causes"] == ["reported_by_connector"] and not entry["detected"]
    assert not fr.fault_16(healthy(compat={"compatible": True, "matched": ["6.1.0-*"]}))["active"]


def test_18_reported_with_processes():
    top = [{"pid": 812, "comm": "find", "cpu_percent": 97.0, "cmdline": "find / -type f"}]
    entry = fr.fault_18(healthy(reported={18: "Critical"}, top_processes=top))
    assert entry["active"] and not entry["detected"] and entry["severity"] == "Critical"
    assert entry["causes"] == ["reported_by_connector"]
    assert entry["evidence"] == ["severity Critical", "top_processes: pid 812 find 97.0% CPU: find / -type f"]
    assert any("process exclusion set" in s for s in entry["remediation"]["manual_steps"])


def selinux(**changes):
    base = {"mode": "enforcing", "mode_source": "kernel", "policy_type": "targeted", "module_present": True,
            "module_enabled": True, "module_required": False, "module_name": "cisco-secure-bpf",
            "module_paths": [], "domain_type": "unconfined_service_t", "type_present": True, "tools_missing": []}
    base.update(changes)
    return base


def test_19_disabled_module_is_detected_everywhere():
    entry = fr.fault_19(healthy(selinux=selinux(module_enabled=False)))
    assert entry["detected"] and entry["causes"] == ["module_disabled"] and entry["remediation"]["automatic"]


def test_19_missing_module_detected_only_where_required():
    assert not fr.fault_19(healthy(selinux=selinux(module_present=False, module_enabled=False)))["active"]
    entry = fr.fault_19(healthy(selinux=selinux(module_present=False, module_enabled=False, module_required=True,
                                                tools_missing=["checkmodule"])))
    assert entry["detected"] and entry["causes"] == ["module_missing", "tooling_missing"]
    entry = fr.fault_19(healthy(reported={19: None}, selinux=selinux(module_present=False, module_enabled=False)))
    assert entry["active"] and entry["causes"] == ["module_missing"]


def test_19_not_enforcing_is_never_detected():
    assert not fr.fault_19(healthy(selinux=selinux(mode="permissive", module_enabled=False)))["active"]


def test_19_missing_type_needs_a_person():
    entry = fr.fault_19(healthy(selinux=selinux(module_enabled=False, type_present=False)))
    assert entry["remediation"]["automatic"] is False
    assert "Never switch SELinux to permissive or disabled" in entry["remediation"]["manual_steps"][0]


def test_reported_without_cause_gets_generic_steps():
    entry = fr.fault_5(healthy(reported={5: "Major"}))
    assert entry["causes"] == [] and entry["remediation"]["automatic"] is False
    assert any("ampsupport -o" in s for s in entry["remediation"]["manual_steps"])


def test_evidence_is_bounded():
    lines = ["ampscansvc exited %d %s" % (i, "x" * 500) for i in range(50)]
    entry = fr.fault_6(healthy(scan_restart_lines=lines))
    assert len(entry["evidence"]) <= fr.MAX_EVIDENCE
    assert all(len(e) <= fr.MAX_EVIDENCE_CHARS for e in entry["evidence"])


def test_rules_do_not_change_inputs():
    inputs = healthy(reported={18: "Major"})
    before = copy.deepcopy(inputs)
    fr.build_faults(inputs)
    assert inputs == before
