# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Processes from /proc/<pid>/stat: the connector's own, and the most active ones (fault 18).

"Most active" is CPU time used during one short sample window (two reads of /proc, one
sleep), not a sampling loop, so the cost is bounded by the window and the process count.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import time
from ansible_collections.secure_endpoint.linux.plugins.module_utils.host_files import read_text

MAX_PROCESSES = 32768
CMDLINE_MAX = 200


def clock_ticks():
    try:
        return os.sysconf("SC_CLK_TCK")
    except (ValueError, OSError, AttributeError):
        return 100


def parse_stat(text):
    """One /proc/<pid>/stat line -> ``{pid, comm, state, ppid, cpu_ticks, start_ticks}`` or None.

    ``comm`` sits in parentheses and may itself hold spaces and parentheses: split at the
    last ``)``."""
    try:
        open_paren = text.index("(")
        close_paren = text.rindex(")")
        pid = int(text[:open_paren].strip())
        comm = text[open_paren + 1:close_paren]
        fields = text[close_paren + 2:].split()
        # fields[0] is field 3 (state): utime=14, stime=15, starttime=22 in proc(5) numbering.
        return {"pid": pid, "comm": comm, "state": fields[0], "ppid": int(fields[1]),
                "cpu_ticks": int(fields[11]) + int(fields[12]), "start_ticks": int(fields[19])}
    except (ValueError, IndexError):
        return None


def _pids(proc_dir, notes=None):
    try:
        names = os.listdir(proc_dir)
    except OSError:
        return []
    pids = [name for name in names if name.isdigit()]
    if len(pids) > MAX_PROCESSES and notes is not None:
        notes.append("%d processes: only %d of them were examined" % (len(pids), MAX_PROCESSES))
    return pids[:MAX_PROCESSES]


_PROC_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def _proc_stat(path):
    """One /proc/<pid>/stat of the real procfs, which holds only regular files the kernel makes:
    open, one read, close (the full bounded reader's stat and fstat would double the cost of a
    scan of a thousand processes). Non-blocking all the same."""
    try:
        fd = os.open(path, _PROC_FLAGS)
    except OSError:
        return None
    try:
        return os.read(fd, 4096).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def snapshot(proc_dir="/proc", notes=None):
    """``{pid: parsed stat}`` for every process readable now (they come and go: skip the gone).
    Past MAX_PROCESSES processes the rest are not read, and ``notes`` (a list) says so. Any
    other directory than the real /proc (a test's fake root) is read through host_files."""
    table = {}
    read = _proc_stat if proc_dir == "/proc" else read_text
    for name in _pids(proc_dir, notes):
        text = read(os.path.join(proc_dir, name, "stat"))
        parsed = parse_stat(text) if text else None
        if parsed:
            table[parsed["pid"]] = parsed
    return table


def snapshot_of(proc_dir, pids):
    """``snapshot`` for the given PIDs only (a unit's cgroup), read the same way."""
    table = {}
    read = _proc_stat if proc_dir == "/proc" else read_text
    for pid in list(pids)[:MAX_PROCESSES]:
        text = read(os.path.join(proc_dir, str(pid), "stat"))
        parsed = parse_stat(text) if text else None
        if parsed:
            table[parsed["pid"]] = parsed
    return table


def uptime_seconds(proc_dir="/proc"):
    text = read_text(os.path.join(proc_dir, "uptime"), 128)
    try:
        return float(text.split()[0])
    except (AttributeError, IndexError, ValueError):
        return None


def _namespace(proc_dir, pid, kind):
    try:
        return os.readlink(os.path.join(proc_dir, str(pid), "ns", kind))
    except OSError:
        return None


def find_by_name(table, names, proc_dir=None):
    """Processes whose comm is one of ``names`` (comm is cut at 15 characters by the kernel).

    With ``proc_dir``, processes of other PID namespaces (containers seen from their host)
    are left out: they are not this system's connector."""
    wanted = set(name[:15] for name in names)
    found = [p for p in table.values() if p["comm"] in wanted]
    if proc_dir is not None:
        ours = _namespace(proc_dir, "self", "pid")
        if ours is not None:
            found = [p for p in found if _namespace(proc_dir, p["pid"], "pid") in (ours, None)]
    return sorted(found, key=lambda p: p["start_ticks"])


def age_seconds(process, uptime, hz=None):
    if uptime is None or process is None:
        return None
    hz = hz or clock_ticks()
    return max(0, int(uptime - process["start_ticks"] / float(hz)))


def cmdline(proc_dir, pid):
    text = read_text(os.path.join(proc_dir, str(pid), "cmdline"), CMDLINE_MAX * 2)
    if not text:
        return None
    return text.replace("\0", " ").strip()[:CMDLINE_MAX]


def top_active(count, window_seconds, proc_dir="/proc", sleep=time.sleep, first=None):
    """The ``count`` processes that used the most CPU during ``window_seconds``.

    ``[{pid, comm, cpu_percent, cmdline}]``, busiest first; ``first`` is an optional snapshot
    already taken (saves one pass over /proc)."""
    if count <= 0:
        return []
    before = first if first is not None else snapshot(proc_dir)
    start = time.monotonic()
    sleep(max(0.0, window_seconds))
    elapsed = max(time.monotonic() - start, window_seconds, 0.001)
    after = snapshot(proc_dir)
    hz = float(clock_ticks())
    rows = []
    for pid, proc in after.items():
        old = before.get(pid)
        if old is not None and old["start_ticks"] == proc["start_ticks"]:
            used = proc["cpu_ticks"] - old["cpu_ticks"]
        else:
            used = 0  # new in the window, or a reused pid: no fair comparison
        rows.append((used, proc))
    rows.sort(key=lambda row: (-row[0], row[1]["pid"]))
    top = []
    for used, proc in rows[:count]:
        top.append({"pid": proc["pid"], "comm": proc["comm"],
                    "cpu_percent": round(100.0 * used / hz / elapsed, 1),
                    "cmdline": cmdline(proc_dir, proc["pid"])})
    return top
