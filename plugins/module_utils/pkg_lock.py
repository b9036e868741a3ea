# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who holds the package manager's lock, and a bounded wait for it.

A killed run can leave apt or dnf running on the host; the next package operation then fails at
once (``Could not get lock /var/lib/dpkg/lock-frontend``) or, with dnf, waits forever
(``Waiting for process with pid N to finish``). This waits a bounded time and, when the lock is
still held, names the holder.

How each tool locks (read from the tools, checked on the test bed):

- dpkg/apt: ``fcntl`` (POSIX) write locks on ``/var/lib/dpkg/lock-frontend``,
  ``/var/lib/dpkg/lock``, ``/var/cache/apt/archives/lock``, ``/var/lib/apt/lists/lock``;
- rpm: an ``fcntl`` lock on ``<_dbpath>/.rpm.lock`` during a transaction;
- dnf 4: pid files (``rpmdb_lock.pid`` in /var/lib/dnf, ``metadata_lock.pid`` and
  ``download_lock.pid`` in /var/cache/dnf): held while the file names a live process;
- yum 3: the pid file ``/var/run/yum.pid``.

``fcntl`` locks are found in ``/proc/locks`` (no lock is taken to test them: taking dpkg's lock,
even for a moment, could make a real apt run fail). Paths are read under a root prefix (tests).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils.host_files import read_text, under_root

FCNTL_LOCKS = {
    "apt": ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock", "/var/cache/apt/archives/lock",
            "/var/lib/apt/lists/lock"),
    "rpm": ("/var/lib/rpm/.rpm.lock", "/usr/lib/sysimage/rpm/.rpm.lock"),
}
PID_LOCKS = {
    "dnf": ("/var/lib/dnf/rpmdb_lock.pid", "/var/cache/dnf/metadata_lock.pid", "/var/cache/dnf/download_lock.pid"),
    "yum": ("/var/run/yum.pid", "/run/yum.pid"),
}
MANAGERS = ("apt", "dnf", "yum")


def lock_files(manager, rpm_dbpath=None):
    """``(fcntl lock files, pid files)`` of a package manager (apt, dnf, yum)."""
    if manager == "apt":
        return list(FCNTL_LOCKS["apt"]), []
    fcntl_files = list(FCNTL_LOCKS["rpm"])
    if rpm_dbpath:
        extra = os.path.join(rpm_dbpath, ".rpm.lock")
        if extra not in fcntl_files:
            fcntl_files.append(extra)
    # EL 8+ hosts may still carry yum (a dnf alias) and EL 7 yum-based hosts dnf: check both pid files.
    return fcntl_files, list(PID_LOCKS["dnf"]) + list(PID_LOCKS["yum"])


def rpm_dbpath(run):
    """rpm's database directory (its ``.rpm.lock`` is there), or None when rpm cannot say."""
    result = run(["rpm", "--eval", "%{_dbpath}"], 30)
    path = (result.get("out") or b"").decode("utf-8", "replace").strip()
    return path if result.get("rc") == 0 and path.startswith("/") else None


def parse_proc_locks(text):
    """``{(major, minor, inode): pid}`` of the locks held (not the waiters) in /proc/locks."""
    held = {}
    for line in (text or "").splitlines():
        fields = line.split()
        if len(fields) < 6 or fields[1] == "->":
            continue
        try:
            pid = int(fields[4])
            major, minor, inode = fields[5].split(":")
            held[(int(major, 16), int(minor, 16), int(inode))] = pid
        except ValueError:
            continue
    return held


def process(root, pid):
    """``"<comm>: <command line>"`` of a process (bounded), or None when it is gone."""
    comm = read_text(under_root(root, "/proc/%d/comm" % pid), 256)
    if comm is None:
        return None
    cmdline = read_text(under_root(root, "/proc/%d/cmdline" % pid), 4096) or ""
    cmdline = " ".join(part for part in cmdline.split("\0") if part)
    if len(cmdline) > 200:
        cmdline = cmdline[:197] + "..."
    return "%s: %s" % (comm.strip(), cmdline) if cmdline else comm.strip()


def holders(manager, root="/", rpm_dbpath=None, own_pid=None):
    """``[{path, pid (int or None), process (str or None)}]``: who holds the manager's locks now."""
    own_pid = os.getpid() if own_pid is None else own_pid
    fcntl_files, pid_files = lock_files(manager, rpm_dbpath)
    found = []
    held = None
    for path in fcntl_files:
        try:
            info = os.stat(under_root(root, path))
        except OSError:
            continue
        if held is None:
            held = parse_proc_locks(read_text(under_root(root, "/proc/locks"), 4 * 1024 * 1024))
        key = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
        if key in held:
            pid = held[key] if held[key] > 0 else None  # OFD locks have no owner pid
            if pid == own_pid:
                continue
            found.append({"path": path, "pid": pid, "process": process(root, pid) if pid else None})
    for path in pid_files:
        text = read_text(under_root(root, path), 64)
        if text is None:
            continue
        try:
            pid = int(text.strip())
        except ValueError:
            continue
        if pid <= 0 or pid == own_pid:
            continue
        name = process(root, pid)
        if name is not None:  # a pid file of a dead process is stale: dnf takes it over
            found.append({"path": path, "pid": pid, "process": name})
    return found


def describe(found):
    parts = []
    for holder in found:
        who = ("pid %d (%s)" % (holder["pid"], holder["process"] or "gone") if holder["pid"]
               else "a process whose pid is not visible")
        parts.append("%s is held by %s" % (holder["path"], who))
    return "; ".join(parts)


def wait(manager, timeout, root="/", rpm_dbpath=None, poll=1.0, sleep=time.sleep, clock=time.monotonic):
    """Wait until nobody holds the locks, at most ``timeout`` seconds.

    Returns ``{free, waited (seconds), holders (last seen), first (first seen)}``.
    """
    start = clock()
    current = holders(manager, root, rpm_dbpath)
    first = current
    while current and clock() - start < timeout:
        sleep(min(poll, max(0.0, timeout - (clock() - start))))
        current = holders(manager, root, rpm_dbpath)
    return {"free": not current, "waited": round(clock() - start, 1), "holders": current, "first": first}


def busy_message(manager, outcome, timeout):
    return ("the package manager (%s) is busy: %s; waited %d s. Let it finish, or stop it if it is a leftover of "
            "an interrupted run, then run again" % (manager, describe(outcome["holders"]), timeout))
