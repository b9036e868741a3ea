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

import errno
import os
import stat
import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import (
    accounts, ampcli_status, bounded_cmd, connector_logs, definitions_cache, fault_rules, fs_modes,
    host_files, kernel_compat, kernel_probe, log_tail, login_defs, procs, secure_boot, selinux_probe,
    service_probe, version as versions)
from ansible_collections.secure_endpoint.linux.plugins.module_utils.host_files import read_text

# The module's options and their defaults, written once: connector_facts builds its argument
# spec from this table (a unit test compares it with the module's DOCUMENTATION).
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
    "definitions_list": "bounded",
    "definitions_max_file_mb": 1024,
    "definitions_max_run_mb": 4096,
    "selinux_domain_type": selinux_probe.DEFAULT_DOMAIN_TYPE,
    "selinux_module_name": selinux_probe.CONNECTOR_MODULE,
}
DEFINITIONS_LISTS = ("bounded", "all")
# With definitions_list=bounded: every invalid and unknown file, and this many valid ones.
MAX_VALID_LISTED = 20
# At most this many "not judged" definitions files are named one by one in ``errors``.
MAX_UNKNOWN_ERRORS = 5
AMPCLI_MAX_BYTES = 64 * 1024
MEMINFO_MAX_BYTES = 64 * 1024
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

    def text(self, message):
        """A probe's message with the probed paths shown as host paths."""
        if self.base == "/" or not message:
            return message
        return message.replace(self.base + "/", "/")


def _meminfo(path, errors, shown="/proc/meminfo"):
    outcome = host_files.read_file(path, MEMINFO_MAX_BYTES)
    if outcome["error"]:
        errors.append(host_files.describe(shown, outcome))
    if not outcome["data"]:
        return None
    values = {}
    for line in outcome["data"].decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            values[parts[0].rstrip(":")] = int(parts[1])
    if "MemAvailable" in values:
        return values["MemAvailable"] // 1024
    if "MemFree" in values:  # kernels before 3.14 have no MemAvailable
        return (values["MemFree"] + values.get("Buffers", 0) + values.get("Cached", 0)) // 1024
    return None


def _program_problem(path):
    """Why ``path`` cannot be ampcli, or None: missing (nothing at all there), a symlink loop,
    a dangling symlink or not a regular file are named as such, never all as "not found"."""
    try:
        os.lstat(path)
    except OSError:
        return "%s not found" % path
    try:
        st = os.stat(path)
    except OSError as exc:
        if getattr(exc, "errno", None) == errno.ENOENT:
            return "%s is a dangling symlink (-> %s)" % (path, _readlink(path))
        return "%s cannot be run: %s" % (path, host_files.reason(exc))
    if not stat.S_ISREG(st.st_mode):
        return "%s cannot be run: %s, not a regular file" % (path, host_files.file_kind(st.st_mode))
    return None


def _readlink(path):
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def run_ampcli(path, timeout, runner):
    """The facts' ``ampcli`` entry and ``{fault id: severity}`` it reports.

    The answer is the command's output when its own process exits (bounded_cmd: children that
    keep the pipe open do not turn a finished answer into a timeout)."""
    entry = {"ran": False, "rc": None, "timed_out": False, "error": None, "status": {},
             "fault_ids": [], "faults": [], "raw": ""}
    problem = _program_problem(path)
    if problem:
        entry["error"] = problem
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


def _systemd_service(opts, rp, runner, errors):
    """``(service, ControlGroup)`` from systemd when it runs the host, else ``(None, None)``."""
    if os.path.isdir(rp("/run/systemd/system")):
        props, error = service_probe.show(runner, opts["service_name"])
        if props is not None:
            return service_probe.from_systemd(opts["service_name"], props), props.get("ControlGroup")
        errors.append(error)
    return None, None


def _processes(rp, service, control_group, errors):
    """``({daemon, scan}: {pid, age}, full_table)``: the connector's processes, and the table of
    every process when one was read (None otherwise: fault 18's sample then reads its own).

    With systemd saying the unit is not running, nothing needs the processes (fault 18's sample
    takes its own table). With it running, only the unit's cgroup is read; every process is
    scanned only when that cannot be read or misses one of the two, or without systemd."""
    if service is not None:
        if service["state"] != "running":
            return {}, None
        pids = service_probe.unit_pids(control_group, read_text, host_files.under_root, rp.base)
        if pids:
            found = _connector_processes(rp, procs.snapshot_of(rp("/proc"), pids))
            if len(found) == 2:
                return found, None
    table = procs.snapshot(rp("/proc"), errors)
    return _connector_processes(rp, table), table


def _connector_processes(rp, table):
    found = {}
    if not table:
        return found
    uptime = procs.uptime_seconds(rp("/proc"))
    for key, name in (("daemon", "ampdaemon"), ("scan", "ampscansvc")):
        matches = procs.find_by_name(table, [name], rp("/proc"))
        if matches:
            found[key] = {"pid": matches[0]["pid"], "age": procs.age_seconds(matches[0], uptime)}
    return found


def _definitions(opts, rp, install_dir, paths, validate, check_mode, errors):
    """Verdicts on the definition files, reusing the cache for unchanged files: every file's
    entry (the caller bounds what the facts list)."""
    if not opts["validate_definitions"] or not paths:
        return []
    if validate is None:
        validate, validator_key = _lazy_validator()
    else:
        validator_key = "custom:%s" % getattr(validate, "__name__", "validator")
    cache = definitions_cache.DefinitionsCache(rp(opts["cache_path"]) if opts["cache_path"] else None,
                                               validator_key, shown=opts["cache_path"])
    if cache.error:
        errors.append(cache.error)
    results = definitions_cache.judge_definitions(
        rp(install_dir), validate, cache, display=rp.show, paths=paths,
        max_file_bytes=int(opts["definitions_max_file_mb"]) << 20,
        max_total_bytes=int(opts["definitions_max_run_mb"]) << 20)[0]
    if not check_mode:  # check mode changes nothing, not even the cache
        error = cache.save()
        if error:
            errors.append(error)
    unknown = [d for d in results if d["verdict"] == "unknown"]
    for item in unknown[:MAX_UNKNOWN_ERRORS]:
        errors.append("definitions file %s not judged: %s" % (item["path"], item["reason"]))
    if len(unknown) > MAX_UNKNOWN_ERRORS:
        errors.append("%d more definitions files not judged (see definitions_unknown)" % (len(unknown) - MAX_UNKNOWN_ERRORS))
    return results


CVD_MODULE = "ansible_collections.secure_endpoint.linux.plugins.module_utils.cvd"


def _lazy_validator():
    """``(validate, validator_key)``: the validator (module_utils/cvd.py) is imported only when a
    file must really be judged; the key comes from its source. A warm run, all from the cache,
    does not compile the largest module of the collection."""
    key = definitions_cache.validator_id_of(CVD_MODULE)
    loaded = {}

    def validate(path):
        if "cvd" not in loaded:
            from ansible_collections.secure_endpoint.linux.plugins.module_utils import cvd
            loaded["cvd"] = cvd
        return loaded["cvd"].validate_file(path)

    if key is None:  # pragma: no cover - no source to hash: import it now
        from ansible_collections.secure_endpoint.linux.plugins.module_utils import cvd
        loaded["cvd"] = cvd
        key = definitions_cache.validator_id(cvd)
    return validate, key


def definitions_view(results, found, walk_complete, listing="bounded"):
    """``(definitions, definitions_unknown, definitions_summary)`` for the facts.

    ``definitions`` holds the judged files only, so that its ``valid`` stays a bool (roles pick
    ``rejectattr('valid')`` to quarantine: an unjudged file must never be among them): every
    invalid file and at most MAX_VALID_LISTED valid ones, unless ``listing`` is 'all'.
    ``definitions_unknown`` holds every file that could not be judged, with the reason. The
    summary counts every file found."""
    counts = {"valid": 0, "invalid": 0, "unknown": 0}
    by_type = dict((kind, 0) for kind in definitions_cache.EXTENSIONS)
    for path in found:
        kind = path.rsplit(".", 1)[-1].lower()
        if kind in by_type:
            by_type[kind] += 1
    for item in results:
        counts[item["verdict"]] += 1
    judged = [d for d in results if d["verdict"] != "unknown"]
    unknown = [d for d in results if d["verdict"] == "unknown"]
    if listing == "all":
        listed = judged
    else:
        listed = [d for d in judged if d["verdict"] == "invalid"] + \
            [d for d in judged if d["verdict"] == "valid"][:MAX_VALID_LISTED]
        listed.sort(key=lambda d: d["path"])
    summary = {"files": len(found), "valid": counts["valid"], "invalid": counts["invalid"],
               "unknown": counts["unknown"], "by_type": by_type, "listed": len(listed),
               "complete": bool(walk_complete)}
    return listed, unknown, summary


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


def unknown_facts(options, error):
    """The facts' shape with every value unknown and no fault: what the module returns when a
    probe fails unexpectedly (users' ``when:`` keep working; ``errors`` says why)."""
    opts = options_with_defaults(options)
    listed, unknown, summary = definitions_view([], [], False)
    return {
        "installed": None, "install_dir": opts["install_dir"], "version": None,
        "service": service_probe.from_processes(opts["service_name"], None, None),
        "ampcli": {"ran": False, "rc": None, "timed_out": False, "error": None, "status": {},
                   "fault_ids": [], "faults": [], "raw": ""},
        "faults": fault_rules.build_faults({}), "definitions": listed, "definitions_unknown": unknown,
        "definitions_summary": summary,
        "kernel": {"release": None, "family": None, "btf": None, "headers_installed": None, "headers_path": None,
                   "headers_package": None, "next_boot": None, "connector_modules": []},
        "secure_boot": None,
        "selinux": {"mode": None, "mode_source": None, "policy_type": None, "module_name": opts["selinux_module_name"],
                    "module_present": None, "module_enabled": None, "module_paths": [], "modules": [],
                    "module_required": None, "domain_type": opts["selinux_domain_type"], "type_present": None,
                    "tools_missing": None},
        "memory": {"available_mb": None, "threshold_mb": opts["min_available_memory_mb"]},
        "scan_account": {"name": accounts.SCAN_ACCOUNT, "user": None, "group": None},
        "login_defs": {"path": "/etc/login.defs", "usergroups_enab": None, "usergroups_enabled": None},
        "top_processes": [], "errors": [error],
    }


def options_with_defaults(options=None):
    """DEFAULTS overridden by the options given (None means "default", except for cache_path
    where None disables the cache)."""
    opts = dict(DEFAULTS)
    opts.update(dict((k, v) for k, v in (options or {}).items() if v is not None or k == "cache_path"))
    return opts


def collect(options=None, root="/", runner=bounded_cmd.run, validate=None, check_mode=False):
    """-> ``ansible_facts.secure_endpoint`` (see docs/DESIGN.md and the module's RETURN).

    ``validate`` replaces cvd.validate_file (tests); ``root`` prefixes every probed path."""
    opts = options_with_defaults(options)
    rp = Root(root)
    errors = []
    host_files.take_findings()  # only this run's findings
    install_dir = opts["install_dir"].rstrip("/") or "/"
    log_dir = opts["log_dir"].rstrip("/") or "/"
    tail_bytes = max(1, int(opts["log_tail_kb"])) * 1024
    try:
        expected_mode = fs_modes.parse_mode(opts["expected_dir_mode"])
    except ValueError as exc:
        # No silent fallback to another mode: the directory check is not made.
        errors.append("expected_dir_mode: %s (directory modes not checked)" % exc)
        expected_mode = None

    # A dangling or looping symlink at bin/ampdaemon is still an install (a broken one).
    installed = os.path.lexists(rp(install_dir + "/bin/ampdaemon"))
    version, error = versions.read_global_xml_version(rp(install_dir + "/etc/global.xml"))
    if installed and (error or version is None):
        errors.append(rp.text(error) or "%s/etc/global.xml missing: connector version unknown" % install_dir)

    # systemd's view of the service, then the connector's processes (for the service when
    # there is no systemd, fault 6's evidence and fault 7's "scan service down").
    service, control_group = _systemd_service(opts, rp, runner, errors)
    processes, table = _processes(rp, service, control_group, errors)
    if service is None:
        daemon = processes.get("daemon") if installed else None
        service = service_probe.from_processes(opts["service_name"], daemon, (daemon or {}).get("age"))
        if not installed:
            service["state"] = "not-found"

    ampcli, reported = run_ampcli(rp(install_dir + "/bin/ampcli"), float(opts["ampcli_timeout"]), runner)
    ampcli["error"] = rp.text(ampcli["error"])
    if installed and ampcli["error"]:
        errors.append(ampcli["error"])

    # Fault 5
    if rp.base == "/":
        account = accounts.lookup(accounts.SCAN_ACCOUNT)
    else:
        account = accounts.lookup(accounts.SCAN_ACCOUNT, rp("/etc"))
        account["error"] = rp.text(account["error"])
    if account["error"] and installed:
        errors.append(account["error"])
    defs = login_defs.read_usergroups_enab(rp("/etc/login.defs"))
    defs["path"] = "/etc/login.defs"
    defs["error"] = rp.text(defs["error"])
    if defs["error"]:
        errors.append(defs["error"])
    dir_findings, dir_notes = [], []
    if installed and expected_mode is not None and (os.path.isdir(rp(install_dir)) or os.path.islink(rp(install_dir))):
        to_check, dir_notes = fs_modes.directories_to_check(rp(install_dir))
        dir_notes = [rp.text(note) for note in dir_notes]
        errors.extend(dir_notes)
        dir_findings = fs_modes.check_modes(to_check, expected_mode, display=rp.show)

    # Fault 7: one walk of the install root finds definition files and kernel modules.
    available = _meminfo(rp("/proc/meminfo"), errors)
    memory = {"available_mb": available, "threshold_mb": int(opts["min_available_memory_mb"])}
    walked = {"files": [], "complete": True, "notes": []}
    if os.path.isdir(rp(install_dir)):
        walked = definitions_cache.walk(rp(install_dir), definitions_cache.EXTENSIONS + ("ko",))
    walk_notes = [rp.text(note) for note in walked["notes"]]
    errors.extend(walk_notes)
    kmod_files = [rp.show(p) for p in walked["files"] if p.endswith(".ko")]
    found = [p for p in walked["files"] if not p.endswith(".ko")]
    judged = _definitions(opts, rp, install_dir, found, validate, check_mode, errors)
    definitions, definitions_unknown, definitions_summary = definitions_view(
        judged, found, walked["complete"], opts["definitions_list"])

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
            errors.append(rp.text(tail.error))
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
    if installed and (7 in reported or low or any(d["verdict"] == "invalid" for d in judged)):
        needs.add("memory")
    logs = _log_evidence(rp, runner, tails, started, tail_bytes, needs)

    # Fault 19: the policy scan and the tool check run only when SELinux enforces.
    selinux = selinux_probe.probe(rp.base, module_name=opts["selinux_module_name"],
                                  domain_type=opts["selinux_domain_type"])
    # EL7's default policy lacks the rule: only there must the connector's module exist.
    selinux["module_required"] = family == "redhat" and (os_release.get("VERSION_ID") or "").split(".")[0] == "7"

    # Fault 18: the sample window is paid only when the connector reports the overload.
    top = []
    if 18 in reported and int(opts["top_processes"]) > 0:
        top = procs.top_active(int(opts["top_processes"]), float(opts["process_sample_seconds"]),
                               rp("/proc"), first=table)

    inputs = {
        "installed": installed, "version": version, "service": service, "reported": reported,
        "accounts": account, "login_defs": defs, "dir_findings": dir_findings, "dir_notes": dir_notes,
        "scan_restart_lines": logs["restarts"], "scan_restart_threshold": int(opts["scan_restart_threshold"]),
        "restart_window_minutes": int(opts["restart_window_minutes"]), "processes": processes,
        "definitions": judged, "definitions_notes": walk_notes, "memory": memory,
        "low_memory_lines": logs["low_memory"],
        "kernel": kernel, "modules_loaded": loaded, "all_modules": kernel_probe.CONNECTOR_MODULES,
        "kmod_files": kmod_files, "secure_boot": sb_state, "secure_boot_evidence": sb_evidence,
        "secure_boot_lines": logs["secure_boot"], "rejection_lines": logs["rejection"],
        "load_failure_lines": logs["failures"], "unsupported_lines": logs["unsupported"],
        "compat": compat, "selinux": selinux, "top_processes": top,
        "context": {"install_dir": install_dir, "log_dir": log_dir, "service": opts["service_name"],
                    "window": int(opts["restart_window_minutes"]),
                    "expected_mode": "%04o" % expected_mode if expected_mode is not None else "?",
                    "release": kernel["release"]},
    }
    # Files the quiet readers (kernel, SELinux, boot loader, /proc probes) could not read.
    errors.extend(rp.text(finding) for finding in host_files.take_findings())
    return {
        "installed": installed, "install_dir": install_dir, "version": version, "service": service,
        "ampcli": ampcli, "faults": fault_rules.build_faults(inputs), "definitions": definitions,
        "definitions_unknown": definitions_unknown, "definitions_summary": definitions_summary,
        "kernel": kernel, "secure_boot": sb_state, "selinux": selinux, "memory": memory,
        "scan_account": {"name": account["name"], "user": account["user"], "group": account["group"]},
        "login_defs": {"path": defs["path"], "usergroups_enab": defs["value"], "usergroups_enabled": defs["enabled"]},
        "top_processes": top, "errors": errors,
    }
