# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of the Secure Endpoint connector stand-in (test-only, never shipped).

Pure functions over paths, switches and lookups, so pytest can drive them against a
temporary tree; ampdaemon, ampcli, ampscansvc and ampsupport are thin wrappers around them.
Every path goes through ``Paths`` so a test can root the whole stand-in in a directory.
"""

from __future__ import (absolute_import, division, print_function)

import grp
import hashlib
import json
import os
import pwd
import re
import stat
import subprocess
import time
import xml.etree.ElementTree as ET

SCAN_USER = "cisco-amp-scan-svc"
SCAN_GROUP = "cisco-amp-scan-svc"
SELINUX_MODULE = "cisco-secure-bpf"
EXPECTED_DIR_MODE = 0o755
DEFINITION_SUFFIXES = (".cvd", ".cld", ".cud")
CVD_HEADER_SIZE = 512
CVD_MAGIC = "ClamAV-VDB:"
SCAN_RESTART_WINDOW = 300
SCAN_RESTART_LIMIT = 3
CO_RE_VERSION = (1, 25)
DEFAULT_INTERVAL = 2.0

SWITCHES = ("secure_boot", "fsmon_fail", "netmon_fail", "scan_crash", "low_memory",
            "kernel_incompatible", "event_overload", "selinux_enforcing", "ampcli_hang")

FAULT_MESSAGES = {
    5: "Scan service user unavailable. File scans may be running as root.",
    6: "Scan service restarting frequently. One or more files may be causing the scan "
       "service to crash.",
    7: "Scan service failed to start. File scanning is disabled.",
    8: "Real-time file system monitor failed to start.",
    9: "Network monitor failed to start.",
    11: "Required kernel-devel package missing. Install the kernel headers of the running "
        "kernel and restart the connector.",
    16: "Incompatible kernel. The running kernel is not supported by this connector version.",
    18: "Connector event monitoring is overloaded. Investigate the most active processes for "
        "malicious activity, you can also create exclusions for the most active benign "
        "processes to reduce monitoring load.",
    19: "SELinux policy missing or disabled. The connector cannot monitor the system.",
}

DEFAULT_FSMON_LINE = "Failed to load kernel module ampfsm: Invalid module format"
DEFAULT_NETMON_LINE = "Failed to load kernel module ampnetworkflow: Invalid module format"


class Paths(object):
    """Every host path the stand-in touches, under ``root`` (``/`` on a real host)."""

    def __init__(self, root="/"):
        self.root = root
        self.opt_cisco = self.host("/opt/cisco")
        self.amp_dir = self.host("/opt/cisco/amp")
        self.bin_dir = self.host("/opt/cisco/amp/bin")
        self.etc_dir = self.host("/opt/cisco/amp/etc")
        self.global_xml = self.host("/opt/cisco/amp/etc/global.xml")
        self.local_xml = self.host("/opt/cisco/amp/etc/local.xml")
        self.policy_xml = self.host("/opt/cisco/amp/etc/policy.xml")
        self.switch_dir = self.host("/etc/ciscoamp-standin/simulate.d")
        self.run_dir = self.host("/run/cisco-amp")
        self.state_file = self.host("/run/cisco-amp/state.json")
        self.log_dir = self.host("/var/log/cisco")
        self.daemon_log = self.host("/var/log/cisco/ampdaemon.log")
        self.scan_log = self.host("/var/log/cisco/ampscansvc.log")
        self.btf = self.host("/sys/kernel/btf/vmlinux")
        self.selinux_enforce = self.host("/sys/fs/selinux/enforce")
        self.selinux_config = self.host("/etc/selinux/config")
        # Current policy stores, then the EL7 location.
        self.selinux_stores = [self.host("/var/lib/selinux"), self.host("/etc/selinux")]

    def host(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def headers_dirs(self, release):
        """Where the running kernel's headers live: Debian family, then Red Hat family."""
        return [self.host("/usr/src/linux-headers-%s" % release),
                self.host("/lib/modules/%s/build" % release),
                self.host("/usr/src/kernels/%s" % release)]


# ---------------------------------------------------------------- small readers

def read_text(path, limit=65536):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")
    except (IOError, OSError):
        return None


def read_switches(switch_dir):
    """One file per switch: ``{name: stripped content}``; a missing directory means none."""
    switches = {}
    try:
        names = sorted(os.listdir(switch_dir))
    except OSError:
        return switches
    for name in names:
        path = os.path.join(switch_dir, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        content = read_text(path, 4096)
        switches[name] = (content or "").strip()
    return switches


def read_xml_text(path, xpath):
    try:
        node = ET.parse(path).getroot().find(xpath)
    except (IOError, OSError, ET.ParseError):
        return None
    if node is None or node.text is None:
        return None
    return node.text.strip()


def read_version(global_xml):
    return read_xml_text(global_xml, "agent/version")


def version_tuple(version):
    return tuple(int(part) for part in re.findall(r"\d+", version or ""))


def _enabled(value):
    return (value or "").strip().lower() in ("1", "true", "yes", "enabled")


def read_policy(policy_xml):
    """The stand-in's own policy: name, serial and the two monitoring features."""
    return {
        "name": read_xml_text(policy_xml, "policy/name"),
        "serial": read_xml_text(policy_xml, "policy/serial"),
        "file_monitoring": _enabled(read_xml_text(policy_xml, "agent/file_monitoring/enabled")),
        "device_flow": _enabled(read_xml_text(policy_xml, "agent/device_flow_correlation/enabled")),
    }


# ---------------------------------------------------------------- fault 5

def _exists(lookup, name):
    try:
        lookup(name)
        return True
    except KeyError:
        return False


def scan_account_problems(user_lookup=pwd.getpwnam, group_lookup=grp.getgrnam):
    problems = []
    if not _exists(user_lookup, SCAN_USER):
        problems.append("user %s does not exist" % SCAN_USER)
    if not _exists(group_lookup, SCAN_GROUP):
        problems.append("group %s does not exist" % SCAN_GROUP)
    return problems


def _mode_problem(path):
    try:
        info = os.lstat(path)
    except OSError:
        return "%s is missing" % path
    if stat.S_ISLNK(info.st_mode):
        return "%s is a symbolic link, expected a directory with mode 0755" % path
    mode = stat.S_IMODE(info.st_mode)
    if mode != EXPECTED_DIR_MODE:
        return "%s has mode %04o, expected 0755" % (path, mode)
    return None


def directory_mode_problems(opt_cisco, amp_dir):
    """/opt/cisco, /opt/cisco/amp and every directory (or symlink) directly below it."""
    candidates = [opt_cisco, amp_dir]
    try:
        for name in sorted(os.listdir(amp_dir)):
            path = os.path.join(amp_dir, name)
            info = os.lstat(path)
            if stat.S_ISDIR(info.st_mode) or stat.S_ISLNK(info.st_mode):
                candidates.append(path)
    except OSError:
        pass
    return [problem for problem in (_mode_problem(path) for path in candidates) if problem]


# ---------------------------------------------------------------- fault 7

def check_definition(path):
    """The connector's own check of a definitions file: ``(valid, reason)``.

    Same order as libclamav's cli_cvdverify: 512-byte header, ``ClamAV-VDB:`` magic, the
    header fields, then for ``.cvd`` only the MD5 of everything after the header (``.cld``
    and ``.cud`` skip it, as ClamAV does). The RSA signature is not checked.
    """
    digest = hashlib.md5()
    body_size = 0
    try:
        with open(path, "rb") as handle:
            header = handle.read(CVD_HEADER_SIZE)
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
                body_size += len(chunk)
    except (IOError, OSError) as exc:
        return False, "cannot read: %s" % exc.strerror
    if len(header) < CVD_HEADER_SIZE:
        return False, "shorter than the %d-byte header" % CVD_HEADER_SIZE
    text = header.decode("latin-1").rstrip(" \n\r\x00")
    if not text.startswith(CVD_MAGIC):
        return False, "bad magic (not a ClamAV-VDB header)"
    fields = text.split(":")
    labels = ("creation time", "version", "signature count", "functionality level",
              "MD5", "digital signature", "builder")
    for index, label in enumerate(labels, start=1):
        if len(fields) <= index or not fields[index]:
            return False, "header has no %s" % label
    for index in (2, 3, 4):
        if not fields[index].isdigit():
            return False, "header field %s is not a number: %r" % (labels[index - 1], fields[index])
    header_md5 = fields[5].lower()
    if not re.match(r"^[0-9a-f]{32}$", header_md5):
        return False, "header MD5 is malformed"
    if body_size == 0:
        return False, "no body after the header"
    if path.lower().endswith(".cvd") and digest.hexdigest() != header_md5:
        return False, "MD5 mismatch: header %s, body %s" % (header_md5, digest.hexdigest())
    return True, "ok"


def find_definitions(amp_dir):
    found = []
    for dirpath, dirnames, filenames in os.walk(amp_dir):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(DEFINITION_SUFFIXES):
                found.append(os.path.join(dirpath, name))
    return found


def invalid_definitions(amp_dir):
    bad = []
    for path in find_definitions(amp_dir):
        valid, reason = check_definition(path)
        if not valid:
            bad.append((path, reason))
    return bad


# ---------------------------------------------------------------- fault 11

def headers_dir(paths, release):
    for path in paths.headers_dirs(release):
        if os.path.isdir(path):
            return path
    return None


# ---------------------------------------------------------------- fault 19

def selinux_policy_type(config_path):
    for line in (read_text(config_path) or "").splitlines():
        match = re.match(r"^\s*SELINUXTYPE\s*=\s*(\S+)", line)
        if match:
            return match.group(1).strip("\"'")
    return None


def selinux_enforcing(paths, switches):
    if "selinux_enforcing" in switches:
        return True
    return (read_text(paths.selinux_enforce, 16) or "").strip() == "1"


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def selinux_module_state(paths, module=SELINUX_MODULE):
    """``enabled``, ``disabled`` or ``missing`` in the policy store (names compared caseless)."""
    wanted = module.lower()
    policy_type = selinux_policy_type(paths.selinux_config)
    present = disabled = False
    for store in paths.selinux_stores:
        types = [policy_type] if policy_type else _listdir(store)
        for ptype in types:
            modules = os.path.join(store, ptype, "active", "modules")
            for entry in _listdir(modules):
                names = [name.lower() for name in _listdir(os.path.join(modules, entry))]
                if entry == "disabled":
                    disabled = disabled or wanted in names
                elif entry.isdigit() and wanted in names:
                    present = True
    if not present:
        return "missing"
    return "disabled" if disabled else "enabled"


# ---------------------------------------------------------------- evaluation

def collect(paths, release, user_lookup=pwd.getpwnam, group_lookup=grp.getgrnam):
    """Everything the evaluation needs, read from the host once per cycle."""
    switches = read_switches(paths.switch_dir)
    return {
        "switches": switches,
        "version": read_version(paths.global_xml),
        "policy": read_policy(paths.policy_xml),
        "account_problems": scan_account_problems(user_lookup, group_lookup),
        "mode_problems": directory_mode_problems(paths.opt_cisco, paths.amp_dir),
        "invalid_definitions": invalid_definitions(paths.amp_dir),
        "release": release,
        "btf": os.path.exists(paths.btf),
        "headers_dir": headers_dir(paths, release),
        "selinux_enforcing": selinux_enforcing(paths, switches),
        "selinux_module": selinux_module_state(paths),
    }


def _fault(fault_id, details, severity="Major"):
    return {"id": fault_id, "severity": severity, "message": FAULT_MESSAGES[fault_id],
            "details": details}


def scan_service_blockers(obs):
    """Why the scan service cannot start (fault 7); empty when it can."""
    details = ["invalid definition file %s: %s" % item for item in obs["invalid_definitions"]]
    if "low_memory" in obs["switches"]:
        details.append("not enough available memory to start the scan service")
    return details


def _kernel_module_fault(fault_id, obs, feature, switch, module, default_line):
    if not obs["policy"][feature]:
        return None
    switches = obs["switches"]
    if "secure_boot" in switches:
        return _fault(fault_id, ["UEFI Secure Boot is enabled: kernel module %s cannot be loaded"
                                 % module])
    if switch in switches:
        return _fault(fault_id, [switches[switch] or default_line])
    return None


def evaluate(obs, scan_restarts=0):
    """``{fault id: fault}`` for the observations of one cycle."""
    faults = {}
    switches = obs["switches"]
    policy = obs["policy"]
    monitoring = policy["file_monitoring"] or policy["device_flow"]

    details = obs["account_problems"] + obs["mode_problems"]
    if details:
        faults[5] = _fault(5, details)
    if scan_restarts >= SCAN_RESTART_LIMIT:
        faults[6] = _fault(6, ["scan service restarted %d times in the last %d seconds"
                               % (scan_restarts, SCAN_RESTART_WINDOW)])
    details = scan_service_blockers(obs)
    if details:
        faults[7] = _fault(7, details)
    for fault in (_kernel_module_fault(8, obs, "file_monitoring", "fsmon_fail", "ampfsm",
                                       DEFAULT_FSMON_LINE),
                  _kernel_module_fault(9, obs, "device_flow", "netmon_fail", "ampnetworkflow",
                                       DEFAULT_NETMON_LINE)):
        if fault:
            faults[fault["id"]] = fault
    needs_headers = version_tuple(obs["version"]) < CO_RE_VERSION or not obs["btf"]
    if monitoring and needs_headers and not obs["headers_dir"]:
        faults[11] = _fault(11, ["kernel headers for %s not found; eBPF program cannot be built"
                                 % obs["release"]])
    if monitoring and "kernel_incompatible" in switches:
        faults[16] = _fault(16, ["kernel %s is not supported by connector %s"
                                 % (obs["release"], obs["version"])])
    if "event_overload" in switches:
        severity = "Critical" if switches["event_overload"].lower() == "critical" else "Major"
        faults[18] = _fault(18, ["too many system events; monitoring reduced to critical events"],
                            severity)
    if obs["selinux_enforcing"] and obs["selinux_module"] != "enabled":
        faults[19] = _fault(19, ["SELinux is enforcing and policy module %s is %s"
                                 % (SELINUX_MODULE, obs["selinux_module"])])
    return faults


def recent_restarts(timestamps, now, window=SCAN_RESTART_WINDOW):
    return [stamp for stamp in timestamps if now - stamp < window]


# ---------------------------------------------------------------- state and status

def write_state(path, state):
    """Atomic: readers see the old or the new file, never a partial one."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as handle:
        json.dump(state, handle, indent=1, sort_keys=True)
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)


def load_state(path):
    text = read_text(path, 1 << 20)
    if not text:
        return None
    try:
        state = json.loads(text)
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


def pid_alive(pid):
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError, TypeError) as exc:
        return isinstance(exc, OSError) and exc.errno == 1  # EPERM: alive, not ours
    return True


def state_is_live(state, now, alive=pid_alive):
    """The daemon answers only if its pid is alive and it refreshed the state recently."""
    if not state or not alive(state.get("pid")):
        return False
    interval = float(state.get("interval") or DEFAULT_INTERVAL)
    return now - float(state.get("updated") or 0) <= max(10.0, 5 * interval)


def fault_summary(faults):
    counts = {}
    for fault in faults:
        counts[fault["severity"]] = counts.get(fault["severity"], 0) + 1
    parts = ["%d %s" % (counts[sev], sev) for sev in ("Minor", "Major", "Critical") if sev in counts]
    return ", ".join(parts) if parts else "None"


def format_status(state):
    """Lines of ``ampcli status`` after the connection banner, in Cisco's format."""
    faults = sorted(state.get("faults") or [], key=lambda fault: fault["id"])
    lines = [
        "Status: Connected",
        "Mode: %s" % ("Degraded" if faults else "Normal"),
        "Scan: %s" % state.get("scan", "Ready for scan"),
        "Last Scan: %s" % (state.get("last_scan") or "None"),
        "Policy: %s" % (state.get("policy") or "None"),
        "Command-line: Enabled",
        "Orbital: Disabled",
        "Behavioural Protection: Protect",
        "Faults: %s" % fault_summary(faults),
    ]
    if faults:
        lines.append("Fault IDs: %s" % ", ".join(str(fault["id"]) for fault in faults))
        for fault in faults:
            lines.append("ID %d - %s: %s" % (fault["id"], fault["severity"], fault["message"]))
    return lines


def policy_label(policy):
    if not policy.get("name"):
        return None
    return "%s (#%s)" % (policy["name"], policy.get("serial") or "0")


def interval_from_env(environ):
    try:
        value = float(environ.get("STANDIN_INTERVAL", DEFAULT_INTERVAL))
    except ValueError:
        return DEFAULT_INTERVAL
    return value if value > 0 else DEFAULT_INTERVAL


# ---------------------------------------------------------------- logging

class Log(object):
    """Connector-like log lines: ``2026-11-24 19:53:01.123 +0000 ampdaemon[42]: notice: ...``."""

    def __init__(self, path, program, clock=time.time):
        self.path = path
        self.program = program
        self.clock = clock

    def line(self, level, message):
        now = self.clock()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        zone = time.strftime("%z", time.localtime(now))
        return "%s.%03d %s %s[%d]: %s: %s\n" % (stamp, int((now % 1) * 1000), zone,
                                                self.program, os.getpid(), level, message)

    def write(self, level, message):
        try:
            directory = os.path.dirname(self.path)
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o755)
            with open(self.path, "a") as handle:
                handle.write(self.line(level, message))
        except (IOError, OSError):
            pass  # logging must never stop the daemon

    def notice(self, message):
        self.write("notice", message)

    def warning(self, message):
        self.write("warning", message)

    def error(self, message):
        self.write("error", message)


# ---------------------------------------------------------------- scan service (fault 6)

def scan_identity(user_lookup=pwd.getpwnam, group_lookup=grp.getgrnam):
    """``(uid, gid, description)`` to run ampscansvc with, or None for root."""
    try:
        user = user_lookup(SCAN_USER)
    except KeyError:
        return None
    try:
        gid = group_lookup(SCAN_GROUP).gr_gid
    except KeyError:
        gid = user.pw_gid  # the default group useradd gave it
    return user.pw_uid, gid, "%s (uid %d, gid %d)" % (SCAN_USER, user.pw_uid, gid)


class ScanSupervisor(object):
    """Starts ampscansvc as a child, restarts it when it exits, counts the restarts."""

    def __init__(self, command, log, output_path, clock=time.time):
        self.command = command
        self.log = log
        self.output_path = output_path
        self.clock = clock
        self.proc = None
        self.restarts = []
        self.user = None

    def _start(self, identity):
        as_root = identity is None or os.geteuid() != 0
        if identity is None:
            self.log.warning("Scan service user %s unavailable; scanning as root" % SCAN_USER)
            self.user = "root"
        elif as_root:
            self.user = "uid %d" % os.geteuid()
        else:
            self.user = identity[2]
        preexec = None
        if not as_root:
            uid, gid = identity[0], identity[1]

            def preexec():
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)
        try:
            if not os.path.isdir(os.path.dirname(self.output_path)):
                os.makedirs(os.path.dirname(self.output_path), 0o755)
            with open(self.output_path, "a") as output:
                self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=output,
                                             stderr=subprocess.STDOUT, preexec_fn=preexec,
                                             close_fds=True)
        except (IOError, OSError) as exc:
            self.proc = None
            self.log.error("Could not start scan service: %s" % exc)
            return
        self.log.notice("Scan service started (pid %d) as %s" % (self.proc.pid, self.user))

    def step(self, allowed, identity):
        """One supervision cycle; ``allowed`` is False while fault 7 blocks the scan service."""
        if not allowed:
            self.stop()
            return
        if self.proc is None:
            self._start(identity)
            return
        status = self.proc.poll()
        if status is None:
            return
        self.log.warning("Scan service exited unexpectedly (status %d); restarting" % status)
        self.restarts.append(self.clock())
        self.proc = None
        self._start(identity)

    def restart_count(self):
        self.restarts = recent_restarts(self.restarts, self.clock())
        return len(self.restarts)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.notice("Scan service stopped")
        self.proc = None
