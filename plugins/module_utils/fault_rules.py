# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nine fault entries of ``ansible_facts.secure_endpoint.faults``, from collected inputs.

Pure functions: no I/O. ``inputs`` is the dict built by ``collect.py`` (documented there);
every key is optional, a missing input never makes a fault detected.

Rules: ``active = reported or detected``. ``causes`` lists the documented causes found, only
for an active fault. ``remediation.automatic`` is true when the fault's role can fix every
cause found; ``manual_steps`` are what a person must do (never automated: Secure Boot,
SELinux mode, kernel downgrade, reboot, console policy).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils.version import at_least

FAULT_IDS = (5, 6, 7, 8, 9, 11, 16, 18, 19)
TITLES = {
    5: "Scan service user unavailable",
    6: "Scan service restarting frequently",
    7: "Scan service failed to start",
    8: "Real-time file system monitor failed to start",
    9: "Network monitor failed to start",
    11: "Required kernel-devel package missing",
    16: "Incompatible kernel",
    18: "Connector event monitoring overloaded",
    19: "SELinux policy missing or disabled",
}
ROLES = {5: "scan_user", 6: "scan_restart", 7: "scan_definitions", 8: "kernel_modules",
         9: "kernel_modules", 11: "kernel_headers", 16: "kernel_compat", 18: "event_overload",
         19: "selinux_policy"}
COLLECTION = "secure_endpoint.linux"
MAX_EVIDENCE = 12
MAX_EVIDENCE_CHARS = 300
SUPPORT_BUNDLE = "Collect a support bundle for Cisco TAC: {install_dir}/bin/ampsupport -o /var/tmp/amp-support"

SECURE_BOOT_STEPS = [
    "Secure Boot blocks the connector's kernel modules; the collection never changes it.",
    "Confirm: mokutil --sb-state (or read the SecureBoot EFI variable).",
    "In a maintenance window, reboot into the firmware setup: systemctl reboot --firmware-setup "
    "(on a virtual machine: power it off and change its firmware settings in the hypervisor).",
    "Disable UEFI Secure Boot in the firmware's security or boot menu, save and boot Linux.",
    "Check mokutil --sb-state reports 'SecureBoot disabled', then: systemctl restart {service}.",
    "Or, instead, move to a connector version that uses eBPF on this kernel (no kernel module).",
]
KERNEL_CHANGE_STEPS = [
    "Boot a kernel the connector supports (Cisco's Linux compatibility table), or upgrade the connector "
    "to a version that supports kernel {release}.",
    "To boot an already installed supported kernel: make it the default (Red Hat family: "
    "grubby --set-default /boot/vmlinuz-<release>; Debian family: set GRUB_DEFAULT in /etc/default/grub "
    "and run update-grub), then reboot in a maintenance window. A kernel downgrade and the reboot are "
    "never done automatically; role {role} does the default-kernel change or the connector upgrade only "
    "when explicitly enabled.",
]
POLICY_FEATURE = {8: "Monitor File Copies and Moves", 9: "Enable Device Flow Correlation"}

# cause -> (automatic, manual steps). Steps are templates filled from the inputs.
CAUSE_REMEDIATION = {
    5: {
        "scan_user_missing": (True, []),
        "scan_group_missing": (True, []),
        "usergroups_enab_no": (True, []),
        "directory_mode": (True, ["Find and stop what changes the permissions of /opt/cisco (configuration "
                                  "management, hardening scripts): the role restores {expected_mode} but "
                                  "cannot stop it changing again."]),
    },
    6: {
        "scan_service_restarts": (False, [
            "Wait: the fault may clear by itself within {window} minutes of the connector starting."]),
        "not_cleared_after_10_minutes": (False, [
            "Find the file that crashes the scanner in {log_dir}/ampdaemon.log and {log_dir}/ampscansvc.log "
            "(the files scanned when ampscansvc exited).",
            SUPPORT_BUNDLE,
            "Open a Cisco TAC case with the bundle; scanning stays degraded until it is fixed."]),
    },
    7: {
        "invalid_definitions": (True, [
            "If the fault returns at every definitions update, an invalid .cvd gets past the connector's "
            "checks: open a Cisco TAC case with the support bundle."]),
        "low_memory": (False, [
            "Free memory or add memory: {available_mb} MB available, at least {threshold_mb} MB wanted.",
            "Or, in the Secure Endpoint console (policy change, never automated), select the 'Linux only' "
            "ClamAV definition set in this host's policy (less than 10% of the full set).",
            "Then: systemctl restart {service}."]),
    },
    8: {
        "secure_boot_enabled": (False, SECURE_BOOT_STEPS),
        "module_not_loaded": (True, [
            "If the module still fails after the role restarts the connector, read the kernel log "
            "(journalctl -k, /var/log/messages) for {modules}."]),
        "module_rejected": (False, [
            "The kernel refused the connector's module (see evidence): check for conflicting third-party "
            "kernel modules in /var/log/messages.",
            "Build a custom ampfsm module for kernel {release} (connector 1.16.0 and later, Cisco's kernel "
            "module build instructions), or, in the Secure Endpoint console (policy change), turn off "
            "'{feature}'."]),
        "kernel_unsupported": (False, KERNEL_CHANGE_STEPS),
    },
    11: {
        "headers_missing": (True, []),
        "next_boot_headers_missing": (True, []),
    },
    16: {
        "kernel_not_in_compat_data": (False, KERNEL_CHANGE_STEPS),
        "reported_by_connector": (False, KERNEL_CHANGE_STEPS),
    },
    18: {
        "reported_by_connector": (False, [
            "Review the most active processes in the evidence.",
            "For trusted, benign ones: add them to a process exclusion set of this host's policy in the "
            "Secure Endpoint console (policy change, never automated).",
            "If none is benign, investigate them as possibly malicious.",
            "Short bursts clear by themselves; if the fault keeps returning with nothing found, reconfigure "
            "the system for its load."]),
    },
    19: {
        "module_missing": (True, []),
        "module_disabled": (True, []),
        "tooling_missing": (True, []),
    },
}
CAUSE_REMEDIATION[9] = dict(CAUSE_REMEDIATION[8])
GENERIC_STEPS = ["The connector reports this fault but no documented cause was found on the host.",
                 SUPPORT_BUNDLE,
                 "Read {log_dir}/ampdaemon.log around the time the fault was raised."]
SELINUX_TYPE_MISSING_STEPS = [
    "The loaded SELinux policy has no type {domain_type}: the connector's rule cannot be built. Install "
    "the distribution's policy that declares it, or set the role's type variable to the type your policy "
    "uses. Never switch SELinux to permissive or disabled to clear this fault.",
]


def _bounded(lines):
    out = []
    for line in lines:
        text = str(line)
        if len(text) > MAX_EVIDENCE_CHARS:
            text = text[:MAX_EVIDENCE_CHARS - 3] + "..."
        if text not in out:
            out.append(text)
    if len(out) > MAX_EVIDENCE:
        extra = len(out) - (MAX_EVIDENCE - 1)
        out = out[:MAX_EVIDENCE - 1] + ["... %d more" % extra]
    return out


class _Fmt(dict):
    def __missing__(self, key):
        return "{%s}" % key


def _entry(fault_id, reported, detected, severity, causes, evidence, context, extra_steps=None, risks=None):
    active = bool(reported or detected)
    causes = list(dict.fromkeys(causes)) if active else []
    fmt = _Fmt(context)
    fmt["role"] = "%s.%s" % (COLLECTION, ROLES[fault_id])
    steps = []
    automatic = False
    if active:
        table = CAUSE_REMEDIATION[fault_id]
        automatic = bool(causes) and all(table[c][0] for c in causes)
        for cause in causes:
            steps.extend(table[cause][1])
        if not causes:
            steps.extend(GENERIC_STEPS)
        steps.extend(extra_steps or [])
        if extra_steps:
            automatic = False
    rendered = []
    for step in steps:
        text = step.format_map(fmt)
        if text not in rendered:
            rendered.append(text)
    return {"id": fault_id, "title": TITLES[fault_id], "active": active, "reported": bool(reported),
            "detected": bool(detected), "severity": severity, "causes": causes,
            "risks": list(dict.fromkeys(risks or [])), "evidence": _bounded(evidence),
            "remediation": {"role": "%s.%s" % (COLLECTION, ROLES[fault_id]), "automatic": automatic,
                            "manual_steps": rendered}}


def _reported(inputs, fault_id):
    reported = inputs.get("reported") or {}
    if fault_id in reported:
        return True, reported[fault_id]
    return False, None


def _running(inputs):
    return (inputs.get("service") or {}).get("state") == "running"


def fault_5(inputs):
    """Causes only where their documented condition holds on this host: the account causes and
    ``directory_mode`` only while the connector is installed; ``usergroups_enab_no`` only while
    the group is missing (it is why the installer could not create it). USERGROUPS_ENAB not
    "yes" with the group present is a risk for the next install (``risks``), not a cause."""
    reported, severity = _reported(inputs, 5)
    installed = bool(inputs.get("installed"))
    accounts = inputs.get("accounts") or {}
    name = accounts.get("name", "cisco-amp-scan-svc")
    login_defs = inputs.get("login_defs") or {}
    findings = inputs.get("dir_findings") or []
    causes, evidence, risks = [], [], []
    if installed and accounts.get("user") is False:
        causes.append("scan_user_missing")
        evidence.append("user %s does not exist" % name)
    if installed and accounts.get("group") is False:
        causes.append("scan_group_missing")
        evidence.append("group %s does not exist" % name)
    if installed and accounts.get("error"):
        evidence.append(accounts["error"])
    if installed:
        for finding in findings:
            causes.append("directory_mode")
            evidence.append("%s: %s" % (finding["path"], finding["problem"]))
        evidence.extend(inputs.get("dir_notes") or [])
    detected = bool(causes)
    if login_defs.get("enabled") is False and not login_defs.get("error"):
        if login_defs.get("present"):
            said = "%s: USERGROUPS_ENAB is %r for shadow-utils" % (login_defs.get("path"), login_defs.get("value"))
        else:
            said = "%s missing: shadow-utils defaults USERGROUPS_ENAB to no" % login_defs.get("path")
        if (detected or reported) and accounts.get("group") is False:
            causes.append("usergroups_enab_no")
            evidence.append(said + " (needs yes while the installer runs)")
        else:
            risks.append("usergroups_enab_no")
            evidence.append("risk: %s: an install or reinstall of the connector could not create group %s"
                            % (said, name))
    if login_defs.get("error"):
        evidence.append(login_defs["error"])
    return _entry(5, reported, detected, severity, causes, evidence, inputs.get("context", {}), risks=risks)


def fault_6(inputs):
    reported, severity = _reported(inputs, 6)
    lines = inputs.get("scan_restart_lines") or []
    threshold = inputs.get("scan_restart_threshold", 3)
    service = inputs.get("service") or {}
    window = inputs.get("restart_window_minutes", 10)
    processes = inputs.get("processes") or {}
    causes, evidence = [], []
    detected = bool(inputs.get("installed")) and len(lines) >= threshold > 0
    if reported or lines:
        causes.append("scan_service_restarts")
    if lines:
        evidence.append("%d scan service restart line(s) in the connector logs since the service started "
                        "(threshold %d)" % (len(lines), threshold))
        evidence.extend(lines[-5:])
    daemon, scan = processes.get("daemon"), processes.get("scan")
    if daemon and scan and daemon.get("age") is not None and scan.get("age") is not None \
            and daemon["age"] - scan["age"] > 60:
        evidence.append("ampscansvc (pid %s) started %d s after ampdaemon (pid %s): it was restarted"
                        % (scan["pid"], daemon["age"] - scan["age"], daemon["pid"]))
    uptime = service.get("uptime_seconds")
    if uptime is not None:
        evidence.append("connector service up for %d s (limit %d min)" % (uptime, window))
        if (reported or detected) and uptime > window * 60:
            causes.append("not_cleared_after_10_minutes")
    return _entry(6, reported, detected, severity, causes, evidence, inputs.get("context", {}))


def _verdict(item):
    verdict = item.get("verdict")
    if verdict in ("valid", "invalid", "unknown"):
        return verdict
    return {True: "valid", False: "invalid"}.get(item.get("valid"), "unknown")


def fault_7(inputs):
    """Only files the engine would refuse (verdict ``invalid``) make ``invalid_definitions``;
    files that could not be judged (``unknown``) and a walk cut short are evidence only."""
    reported, severity = _reported(inputs, 7)
    definitions = inputs.get("definitions") or []
    memory = inputs.get("memory") or {}
    low_lines = inputs.get("low_memory_lines") or []
    processes = inputs.get("processes") or {}
    causes, evidence = [], []
    invalid = [d for d in definitions if _verdict(d) == "invalid"]
    unknown = [d for d in definitions if _verdict(d) == "unknown"]
    if invalid or unknown:
        evidence.append("definitions: %d file(s), %d invalid, %d not judged" % (len(definitions), len(invalid), len(unknown)))
    for item in invalid:
        evidence.append("%s: %s" % (item.get("path"), item.get("reason")))
    for item in unknown:
        evidence.append("%s: not judged: %s" % (item.get("path"), item.get("reason")))
    evidence.extend(inputs.get("definitions_notes") or [])
    available, threshold = memory.get("available_mb"), memory.get("threshold_mb")
    low = available is not None and threshold is not None and available < threshold
    if low:
        evidence.append("%d MB available memory, below %d MB" % (available, threshold))
    evidence.extend(low_lines[-3:])
    scan_down = _running(inputs) and not processes.get("scan")
    if scan_down:
        evidence.append("connector running without its ampscansvc process")
    detected = bool(inputs.get("installed")) and (bool(invalid) or (low and scan_down))
    if invalid:
        causes.append("invalid_definitions")
    if low or low_lines:
        causes.append("low_memory")
    context = dict(inputs.get("context", {}), available_mb=available, threshold_mb=threshold)
    return _entry(7, reported, detected, severity, causes, evidence, context)


def _monitor_fault(fault_id, inputs, modules, group):
    reported, severity = _reported(inputs, fault_id)
    loaded = inputs.get("modules_loaded")
    kmod_files = inputs.get("kmod_files") or []
    causes, evidence = [], []
    kmod = bool(kmod_files) or (loaded is not None and any(m in loaded for m in inputs.get("all_modules", ())))
    missing = kmod and loaded is not None and not any(m in loaded for m in modules)
    detected = bool(inputs.get("installed")) and _running(inputs) and missing
    if kmod:
        evidence.append("kernel-module connector: %s" % ", ".join(
            sorted(m for m in (loaded or ()) if m in inputs.get("all_modules", ())) or kmod_files[:3]))
    elif loaded is not None and inputs.get("installed"):
        evidence.append("no connector kernel module loaded or shipped: eBPF connector")
    active = reported or detected
    secure_boot = inputs.get("secure_boot")
    boot_lines = inputs.get("secure_boot_lines") or []
    if secure_boot is not None and inputs.get("installed"):
        evidence.append(inputs.get("secure_boot_evidence") or "Secure Boot %s" % ("on" if secure_boot else "off"))
    if active and ((secure_boot and kmod) or boot_lines):
        causes.append("secure_boot_enabled")
        evidence.extend(boot_lines[-2:])
    rejected = (inputs.get("rejection_lines") or {}).get(group) or []
    if rejected:
        causes.append("module_rejected")
        evidence.extend(rejected[-3:])
    compat = inputs.get("compat") or {}
    unsupported = inputs.get("unsupported_lines") or []
    if compat.get("compatible") is False or unsupported:
        causes.append("kernel_unsupported")
        evidence.extend(unsupported[-2:])
    failures = (inputs.get("load_failure_lines") or {}).get(group) or []
    if missing:
        evidence.append("none of %s loaded (/proc/modules)" % ", ".join(modules))
    evidence.extend(line for line in failures[-3:] if line not in rejected)
    # "Not loaded" is the cause only when nothing more specific explains it.
    if (missing or failures) and not causes:
        causes.append("module_not_loaded")
    context = dict(inputs.get("context", {}), modules=", ".join(modules), feature=POLICY_FEATURE[fault_id])
    return _entry(fault_id, reported, detected, severity, causes, evidence, context)


def fault_8(inputs):
    return _monitor_fault(8, inputs, ("ampfsm", "ampavflt"), "fs")


def fault_9(inputs):
    return _monitor_fault(9, inputs, ("ampnetworkflow",), "net")


# The first connector version that uses eBPF (and so needs headers) on each family.
EBPF_SINCE = {"redhat": "1.13.0", "uek": "1.18.0", "debian": "1.15.0"}
CORE_SINCE = "1.25.0"  # CO-RE: no headers needed on kernels with BTF


def headers_needed(version, family, release, btf, kmod):
    """True/False/None: does this connector need the headers of kernel ``release``?"""
    if kmod:
        return False
    key = "uek" if family == "redhat" and release and "uek" in release else family
    since = EBPF_SINCE.get(key)
    if since and at_least(version, since) is False:
        return False
    if btf and at_least(version, CORE_SINCE):
        return False
    return True


def fault_11(inputs):
    reported, severity = _reported(inputs, 11)
    kernel = inputs.get("kernel") or {}
    version = inputs.get("version")
    installed = bool(inputs.get("installed"))
    kmod = bool(inputs.get("kmod_files")) or bool(set(inputs.get("modules_loaded") or ()) & set(inputs.get("all_modules", ())))
    release = kernel.get("release")
    causes, evidence = [], []
    need = installed and headers_needed(version, kernel.get("family"), release, kernel.get("btf"), kmod)
    if installed:
        evidence.append("kernel %s, BTF %s, connector %s" % (release, "yes" if kernel.get("btf") else "no", version))
    detected = False
    if need and release and kernel.get("headers_installed") is False:
        detected = True
        causes.append("headers_missing")
        evidence.append("%s missing (package %s)" % (kernel.get("headers_path"), kernel.get("headers_package")))
    nxt = kernel.get("next_boot") or {}
    if installed and release and nxt.get("release") and nxt["release"] != release \
            and nxt.get("headers_installed") is False:
        if headers_needed(version, kernel.get("family"), nxt["release"], nxt.get("btf"), kmod):
            detected = True
            causes.append("next_boot_headers_missing")
            evidence.append("next boot kernel %s (%s) has no headers (package %s): the fault will be raised "
                            "after the next reboot" % (nxt["release"], nxt.get("source"), nxt.get("headers_package")))
    if reported and not causes and need and kernel.get("headers_installed"):
        evidence.append("%s present" % kernel.get("headers_path"))
    return _entry(11, reported, detected, severity, causes, evidence, inputs.get("context", {}))


def fault_16(inputs):
    reported, severity = _reported(inputs, 16)
    compat = inputs.get("compat") or {}
    causes, evidence = [], []
    detected = bool(inputs.get("installed")) and compat.get("compatible") is False
    if detected:
        causes.append("kernel_not_in_compat_data")
    if compat.get("compatible") is not None:
        evidence.append("kernel %s %s the compatibility data for connector %s (%s)" % (
            compat.get("release"), "matches" if compat["compatible"] else "is not in",
            compat.get("version"), "; ".join(compat.get("matched") or [])))
    elif inputs.get("installed"):
        evidence.append("no compatibility data for connector %s: not judged" % compat.get("version"))
    if reported:
        causes.append("reported_by_connector")
    evidence.extend((inputs.get("unsupported_lines") or [])[-2:])
    return _entry(16, reported, detected, severity, causes, evidence, inputs.get("context", {}))


def fault_18(inputs):
    reported, severity = _reported(inputs, 18)
    causes, evidence = [], []
    if reported:
        causes.append("reported_by_connector")
        evidence.append("severity %s" % severity)
    for proc in inputs.get("top_processes") or []:
        evidence.append("top_processes: pid %s %s %.1f%% CPU: %s" % (
            proc.get("pid"), proc.get("comm"), proc.get("cpu_percent") or 0.0, proc.get("cmdline") or ""))
    return _entry(18, reported, False, severity, causes, evidence, inputs.get("context", {}))


def fault_19(inputs):
    reported, severity = _reported(inputs, 19)
    selinux = inputs.get("selinux") or {}
    causes, evidence = [], []
    enforcing = selinux.get("mode") == "enforcing"
    if inputs.get("installed"):
        evidence.append("SELinux %s (%s), policy %s" % (selinux.get("mode"), selinux.get("mode_source"),
                                                        selinux.get("policy_type")))
    disabled = selinux.get("module_present") and not selinux.get("module_enabled")
    missing = not selinux.get("module_present")
    required = bool(selinux.get("module_required"))
    detected = bool(inputs.get("installed")) and enforcing and (disabled or (missing and required))
    name = selinux.get("module_name", "cisco-secure-bpf")
    if reported or detected:
        if missing:
            causes.append("module_missing")
            evidence.append("policy module %s not in the store" % name)
        if disabled:
            causes.append("module_disabled")
            evidence.append("policy module %s disabled" % name)
        if selinux.get("tools_missing"):
            causes.append("tooling_missing")
            evidence.append("missing tools: %s" % ", ".join(selinux["tools_missing"]))
    if selinux.get("module_paths"):
        evidence.append("store: %s" % ", ".join(selinux["module_paths"]))
    extra = []
    if selinux.get("type_present") is False:
        evidence.append("type %s not in the loaded policy" % selinux.get("domain_type"))
        if reported or detected:
            extra = SELINUX_TYPE_MISSING_STEPS
    context = dict(inputs.get("context", {}), domain_type=selinux.get("domain_type"))
    return _entry(19, reported, detected, severity, causes, evidence, context, extra)


RULES = {5: fault_5, 6: fault_6, 7: fault_7, 8: fault_8, 9: fault_9, 11: fault_11, 16: fault_16,
         18: fault_18, 19: fault_19}


def build_faults(inputs):
    """All nine entries, keyed by the fault id as a string."""
    return dict((str(fault_id), RULES[fault_id](inputs)) for fault_id in FAULT_IDS)
