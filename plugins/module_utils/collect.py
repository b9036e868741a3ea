# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collect every input of the fault rules and build ``ansible_facts.secure_endpoint``.

Every probe reads files under ``root`` ("/" on a host, a fake tree in tests) and commands
go through ``runner`` (bounded_cmd.run: timeout, bounded output). Nothing here raises for a
missing file or tool: it becomes a value (None, False) or an entry of ``errors``.
Expensive probes run only when they can matter: the kernel log when a monitor fault is
reported or a connector module is missing, the SELinux policy scan when enforcing, the
process sample when fault 18 is reported, definition files only when changed.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import (
    accounts, ampcli_status, bounded_cmd, connector_logs, definitions_cache, fault_rules, fs_modes,
    kernel_compat, kernel_probe, log_tail, login_defs, procs, secure_boot, selinux_probe,
    service_probe, version as versions)
from ansible_collections.secure_endpoint.linux.plugins.module_utils.host_files import read_text

try:
    from ansible_collections.secure_endpoint.linux.plugins.module_utils import cvd
except ImportError:  # pragma: no cover - the validator ships with the collection
    cvd = None

DEFAULTS = {
    "install_dir": "/opt/cisco/amp",
    "log_dir": "/var/log/cisco",
    "service_name": "cisco-amp",
    "ampcli_timeout": 10.0,
    "expected_dir_mode": "0755",
    "min_available_memory_mb": 1024,
    "kernel_compat": [],
    "restart_window_minutes": 10,
    "scan_restart_threshold": 3,
    "top_processes": 10,
    "process_sample_seconds": 0.5,
    "log_tail_kb": 256,
    "cache_path": "/var/cache/secure_endpoint/definitions.json",
    "validate_definitions": True,
    "selinux_domain_type": selinux_probe.DEFAULT_DOMAIN_TYPE,
}
AMPCLI_MAX_BYTES = 64 * 1024
CONNECTOR_LOGS = ("ampdaemon.log", "ampscansvc.log")


class Root(object):
    """Maps host paths to probed paths under a prefix, and back for what facts show."""

    def __init__(self, base="/"):
        self.base = os.path.abspath(base)

    def __call__(self, path):
        return os.path.join(self.base, path.lstrip("/")) if self.base != "/" else path

    def show(self, probed):
        if self.base == "/" or not probed.startswith(self.base):
            return probed
        return "/" + probed[len(self.base):].lstrip("/")


def _meminfo(path):
    values = {}
    try:
        with open(path, "rb") as handle:
            for line in handle.read(65536).decode("ascii", "replace").splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    values[parts[0].rstrip(":")] = int(parts[1])
    except (IOError, OSError):
        return None
    if "MemAvailable" in values:
        return values["MemAvailable"] // 1024
    if "MemFree" in values:  # kernels before 3.14 have no MemAvailable
        return (values["MemFree"] + values.get("Buffers", 0) + values.get("Cached", 0)) // 1024
    return None


def run_ampcli(path, timeout, runner):
    """The facts' ``ampcli`` entry and ``{fault id: severity}`` it reports."""
    entry = {"ran": False, "rc": None, "timed_out": False, "error": None, "status": {},
             "fault_ids": [], "faults": [], "raw": ""}
    if not os.path.exists(path):
        entry["error"] = "%s not found" % path
        return entry, {}
    outcome = runner([path, "status"], timeout, AMPCLI_MAX_BYTES)
    entry["ran"] = outcome.get("error") is None
    entry["rc"] = outcome.get("rc")
    entry["timed_out"] = bool(outcome.get("timed_out"))
    text = bounded_cmd.decode(outcome.get("out") or b"")
    entry["raw"] = ampcli_status.bounded_raw(text)
    if outcome.get("error"):
        entry["error"] = outcome["error"]
        return entry, {}
    parsed = ampcli_status.parse_status(text)
    entry.update(status=parsed["status"], fault_ids=parsed["fault_ids"], faults=parsed["faults"])
    if entry["timed_out"]:
        entry["error"] = "ampcli status did not answer within %ss (killed)" % timeout
    elif outcome.get("truncated"):
        entry["error"] = "ampcli status printed more than %d bytes (killed)" % AMPCLI_MAX_BYTES
    elif outcome.get("rc") != 0:
        entry["error"] = "ampcli status exited with rc=%s" % outcome.get("rc")
    elif not parsed["recognized"]:
        entry["error"] = "ampcli status answer not recognized"
    # Only a recognized answer counts as the connector's report, even a partial one.
    reported = {}
    if parsed["recognized"]:
        for fault in parsed["faults"]:
            reported[fault["id"]] = fault["severity"]
    return entry, reported


def _service(opts, rp, runner, installed, daemon, daemon_age, errors):
    """systemd's view when systemd runs the host, else the ampdaemon process."""
    if os.path.isdir(rp("/run/systemd/system")):
        props, error = service_probe.show(runner, opts["service_name"])
        if props is not None:
            return service_probe.from_systemd(opts["service_name"], props)
        errors.append(error)
    service = service_probe.from_processes(opts["service_name"], daemon if installed else None, daemon_age)
    if not installed:
        service["state"] = "not-found"
    return service


def _definitions(opts, rp, install_dir, paths, validate, check_mode, errors):
    """Verdicts on the definition files, reusing the cache for unchanged files."""
    if not opts["validate_definitions"] or not paths:
        return []
    if validate is None and cvd is None:
        errors.append("definitions validator (module_utils/cvd.py) not available")
        return []
    if validate is None:
        validate, validator_key = cvd.validate_file, definitions_cache.validator_id(cvd)
    else:
        validator_key = "custom:%s" % getattr(validate, "__name__", "validator")
    cache = definitions_cache.DefinitionsCache(rp(opts["cache_path"]) if opts["cache_path"] else None,
                                               validator_key)
    results = definitions_cache.judge_definitions(rp(install_dir), validate, cache, display=rp.show,
                                                  paths=paths)[0]
    if not check_mode:  # check mode changes nothing, not even the cache
        error = cache.save()
        if error:
            errors.append(error)
    return results


def _kernel(rp, family):
    release = kernel_probe.running_release(rp.base)
    kernel = {"release": release, "family": family, "btf": kernel_probe.btf_available(rp.base)}
    kernel.update(kernel_probe.headers_for(release, family, rp.base) if release else
                  {"headers_installed": None, "headers_path": None, "headers_package": None})
    kernel["next_boot"] = None
    next_release, source = kernel_probe.next_boot_release(rp.base)
    if next_release:
        nxt = kernel_probe.headers_for(next_release, family, rp.base)
        kernel["next_boot"] = {"release": next_release, "source": source,
                               "headers_installed": nxt["headers_installed"],
                               "headers_package": nxt["headers_package"],
                               "btf": kernel["btf"] if next_release == release
                               else kernel_probe.config_has_btf(next_release, rp.base)}
    return kernel


def _log_evidence(rp, runner, tails, started, tail_bytes, needs):
    """Log lines behind the causes, searched only for the faults that can be active
    (``needs``: set of 'monitors', 'kernel', 'memory')."""
    def lines(words):
        found = []
        for tail in tails:
            found.extend(tail.lines_with(words))
        return connector_logs.since(found, started)

    evidence = {"restarts": connector_logs.scan_restarts(lines(connector_logs.RESTART_WORDS)),
                "low_memory": [], "secure_boot": [], "unsupported": [],
                "rejection": {"fs": [], "net": []}, "failures": {"fs": [], "net": []}}
    if "monitors" in needs:
        kernel_lines = kernel_probe.kernel_log_lines(rp.base, tail_bytes, runner if rp.base == "/" else None)[0]
        module_lines = lines(connector_logs.MODULE_WORDS)
        evidence["secure_boot"] = connector_logs.secure_boot(lines(connector_logs.SECURE_BOOT_WORDS))
        for group, modules in (("fs", connector_logs.FS_MODULES), ("net", connector_logs.NET_MODULES)):
            evidence["rejection"][group] = connector_logs.rejected_modules(kernel_lines + module_lines, modules)
            evidence["failures"][group] = connector_logs.failed_loads(module_lines, modules)
    if "kernel" in needs:
        evidence["unsupported"] = connector_logs.unsupported_kernel(lines(connector_logs.KERNEL_WORDS))
    if "memory" in needs:
        evidence["low_memory"] = connector_logs.low_memory(lines(connector_logs.LOW_MEMORY_WORDS))
    return evidence


def collect(options=None, root="/", runner=bounded_cmd.run, validate=None, check_mode=False):
    """-> ``ansible_facts.secure_endpoint`` (see docs/DESIGN.md and the module's RETURN).

    ``validate`` replaces cvd.validate_file (tests); ``root`` prefixes every probed path."""
    opts = dict(DEFAULTS)
    opts.update(dict((k, v) for k, v in (options or {}).items() if v is not None or k == "cache_path"))
    rp = Root(root)
    errors = []
    install_dir = opts["install_dir"].rstrip("/") or "/"
    log_dir = opts["log_dir"].rstrip("/") or "/"
    tail_bytes = max(1, int(opts["log_tail_kb"])) * 1024
    try:
        expected_mode = fs_modes.parse_mode(opts["expected_dir_mode"])
    except ValueError as exc:
        errors.append("expected_dir_mode: %s" % exc)
        expected_mode = 0o755

    installed = os.path.exists(rp(install_dir + "/bin/ampdaemon"))
    version, error = versions.read_global_xml_version(rp(install_dir + "/etc/global.xml"))
    if installed and (error or version is None):
        errors.append(error or "%s/etc/global.xml missing: connector version unknown" % install_dir)

    # One pass over /proc serves the service fallback, fault 6 and fault 18.
    table = procs.snapshot(rp("/proc"))
    uptime = procs.uptime_seconds(rp("/proc"))
    processes = {}
    for key, name in (("daemon", "ampdaemon"), ("scan", "ampscansvc")):
        found = procs.find_by_name(table, [name], rp("/proc"))
        if found:
            processes[key] = {"pid": found[0]["pid"], "age": procs.age_seconds(found[0], uptime)}
    daemon = processes.get("daemon")
    service = _service(opts, rp, runner, installed, daemon, (daemon or {}).get("age"), errors)

    ampcli, reported = run_ampcli(rp(install_dir + "/bin/ampcli"), float(opts["ampcli_timeout"]), runner)
    if installed and ampcli["error"]:
        errors.append(ampcli["error"])

    # Fault 5
    account = accounts.lookup(accounts.SCAN_ACCOUNT, None if rp.base == "/" else rp("/etc"))
    if account["error"] and installed:
        errors.append(account["error"])
    defs = login_defs.read_usergroups_enab(rp("/etc/login.defs"))
    defs["path"] = "/etc/login.defs"
    if defs["error"]:
        errors.append(defs["error"])
    dir_findings = []
    if os.path.isdir(rp(install_dir)) or os.path.islink(rp(install_dir)):
        dir_findings = fs_modes.check_modes(fs_modes.dirs_to_check(rp(install_dir)), expected_mode,
                                            display=rp.show)

    # Fault 7: one walk of the install root finds definition files and kernel modules.
    available = _meminfo(rp("/proc/meminfo"))
    memory = {"available_mb": available, "threshold_mb": int(opts["min_available_memory_mb"])}
    walked = definitions_cache.find_files(rp(install_dir), definitions_cache.EXTENSIONS + ("ko",)) \
        if os.path.isdir(rp(install_dir)) else []
    kmod_files = [rp.show(p) for p in walked if p.endswith(".ko")]
    definitions = _definitions(opts, rp, install_dir, [p for p in walked if not p.endswith(".ko")],
                               validate, check_mode, errors)

    # Faults 8, 9, 11, 16
    os_release = kernel_probe.parse_os_release(read_text(rp("/etc/os-release")))
    family = kernel_probe.os_family(os_release)
    kernel = _kernel(rp, family)
    loaded = kernel_probe.loaded_modules(rp.base)
    kernel["connector_modules"] = sorted(m for m in (loaded or ()) if m in kernel_probe.CONNECTOR_MODULES)
    sb_state, sb_evidence = secure_boot.secure_boot_state(rp("/sys"))
    compat = kernel_compat.evaluate(opts["kernel_compat"], version, kernel["release"])
    if compat["error"]:
        errors.append(compat["error"])

    # Connector logs: bounded tails, searched by keyword, limited to the service's lifetime
    # when lines carry a time.
    tails = []
    for name in CONNECTOR_LOGS:
        tail = log_tail.Tail(rp(log_dir + "/" + name), tail_bytes)
        if tail.error:
            errors.append(tail.error.replace(rp(log_dir), log_dir, 1))
        tails.append(tail)
    started = time.time() - service["uptime_seconds"] if service.get("uptime_seconds") is not None else None
    kmod = bool(kernel["connector_modules"]) or bool(kmod_files)
    module_missing = kmod and loaded is not None and (
        not any(m in loaded for m in ("ampfsm", "ampavflt")) or "ampnetworkflow" not in loaded)
    needs = set()
    if installed and (8 in reported or 9 in reported or module_missing):
        needs.update(("monitors", "kernel"))
    if 16 in reported or compat["compatible"] is False:
        needs.add("kernel")
    low = available is not None and available < memory["threshold_mb"]
    if installed and (7 in reported or low or any(d.get("valid") is False for d in definitions)):
        needs.add("memory")
    logs = _log_evidence(rp, runner, tails, started, tail_bytes, needs)

    # Fault 19: the policy scan and the tool check run only when SELinux enforces.
    selinux = selinux_probe.probe(rp.base, domain_type=opts["selinux_domain_type"])
    # EL7's default policy lacks the rule: only there must the connector's module exist.
    selinux["module_required"] = family == "redhat" and (os_release.get("VERSION_ID") or "").split(".")[0] == "7"

    # Fault 18: the sample window is paid only when the connector reports the overload.
    top = []
    if 18 in reported and int(opts["top_processes"]) > 0:
        top = procs.top_active(int(opts["top_processes"]), float(opts["process_sample_seconds"]),
                               rp("/proc"), first=table)

    inputs = {
        "installed": installed, "version": version, "service": service, "reported": reported,
        "accounts": account, "login_defs": defs, "dir_findings": dir_findings,
        "scan_restart_lines": logs["restarts"], "scan_restart_threshold": int(opts["scan_restart_threshold"]),
        "restart_window_minutes": int(opts["restart_window_minutes"]), "processes": processes,
        "definitions": definitions, "memory": memory, "low_memory_lines": logs["low_memory"],
        "kernel": kernel, "modules_loaded": loaded, "all_modules": kernel_probe.CONNECTOR_MODULES,
        "kmod_files": kmod_files, "secure_boot": sb_state, "secure_boot_evidence": sb_evidence,
        "secure_boot_lines": logs["secure_boot"], "rejection_lines": logs["rejection"],
        "load_failure_lines": logs["failures"], "unsupported_lines": logs["unsupported"],
        "compat": compat, "selinux": selinux, "top_processes": top,
        "context": {"install_dir": install_dir, "log_dir": log_dir, "service": opts["service_name"],
                    "window": int(opts["restart_window_minutes"]), "expected_mode": "%04o" % expected_mode,
                    "release": kernel["release"]},
    }
    return {
        "installed": installed, "install_dir": install_dir, "version": version, "service": service,
        "ampcli": ampcli, "faults": fault_rules.build_faults(inputs), "definitions": definitions,
        "kernel": kernel, "secure_boot": sb_state, "selinux": selinux, "memory": memory,
        "scan_account": {"name": account["name"], "user": account["user"], "group": account["group"]},
        "login_defs": {"path": defs["path"], "usergroups_enab": defs["value"], "usergroups_enabled": defs["enabled"]},
        "top_processes": top, "errors": errors,
    }
