# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State of the connector's service: one ``systemctl show`` (bounded), else the process table."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

PROPERTIES = ("LoadState", "ActiveState", "SubState", "UnitFileState", "MainPID", "NRestarts",
              "ActiveEnterTimestampMonotonic", "ControlGroup")
# Where a unit's cgroup lists its processes: cgroup v2 (unified), then the v1/hybrid hierarchies.
CGROUP_ROOTS = ("/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd")


def parse_show(text):
    props = {}
    for line in (text or "").splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            props[key.strip()] = value.strip()
    return props


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def from_systemd(name, props, monotonic_now=None):
    """The facts' ``service`` entry from ``systemctl show`` properties."""
    monotonic_now = time.monotonic() if monotonic_now is None else monotonic_now
    load, active = props.get("LoadState"), props.get("ActiveState")
    if load == "not-found":
        state = "not-found"
    elif active in ("active", "reloading"):
        state = "running"
    elif active == "failed":
        state = "failed"
    elif active in ("inactive", "deactivating"):
        state = "stopped"
    elif active == "activating":
        state = "starting"
    else:
        state = "unknown"
    unit_file = props.get("UnitFileState", "")
    if unit_file in ("enabled", "enabled-runtime", "static", "alias", "indirect", "generated"):
        enabled = unit_file in ("enabled", "enabled-runtime", "alias")
    elif unit_file in ("disabled", "masked", "masked-runtime", "linked", "linked-runtime"):
        enabled = False
    else:
        enabled = None
    uptime = None
    entered = _int(props.get("ActiveEnterTimestampMonotonic"))
    if state == "running" and entered:
        # systemd stores CLOCK_MONOTONIC microseconds: the clock time.monotonic() reads on Linux.
        uptime = max(0, int(monotonic_now - entered / 1e6))
    main_pid = _int(props.get("MainPID"))
    return {"name": name, "state": state, "enabled": enabled, "uptime_seconds": uptime,
            "main_pid": main_pid or None, "restarts": _int(props.get("NRestarts")), "source": "systemd"}


def unit_pids(control_group, read_text, under_root, root="/"):
    """PIDs in the unit's cgroup (``ControlGroup`` of ``systemctl show``), or None when they
    cannot be read (then the caller scans every process)."""
    if not control_group or not control_group.startswith("/"):
        return None
    for base in CGROUP_ROOTS:
        text = read_text(under_root(root, base + control_group + "/cgroup.procs"), 1024 * 1024)
        if text is not None:
            return [int(tok) for tok in text.split() if tok.isdigit()]
    return None


def from_processes(name, daemon_process, daemon_age):
    """Without systemd: a running ampdaemon is the service; nothing running cannot say
    whether it was stopped or failed."""
    if daemon_process is None:
        return {"name": name, "state": "unknown", "enabled": None, "uptime_seconds": None,
                "main_pid": None, "restarts": None, "source": "processes"}
    return {"name": name, "state": "running", "enabled": None, "uptime_seconds": daemon_age,
            "main_pid": daemon_process["pid"], "restarts": None, "source": "processes"}


def show(runner, name, timeout=5.0):
    """``(props or None, error or None)`` from ``systemctl show UNIT -p ...``."""
    unit = name if "." in name else name + ".service"
    outcome = runner(["systemctl", "show", unit, "--no-pager", "-p", ",".join(PROPERTIES)], timeout, 16384)
    if outcome.get("error"):
        return None, outcome["error"]
    if outcome.get("timed_out"):
        return None, "systemctl show %s timed out after %ss" % (unit, timeout)
    if outcome.get("rc") != 0:
        return None, "systemctl show %s failed (rc=%s)" % (unit, outcome.get("rc"))
    return parse_show(outcome["out"].decode("utf-8", "replace")), None
