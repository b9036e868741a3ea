# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.secure_endpoint.linux.plugins.module_utils import pkg_lock


def put(root, path, text):
    full = os.path.join(root, path.lstrip("/"))
    if not os.path.isdir(os.path.dirname(full)):
        os.makedirs(os.path.dirname(full))
    with open(full, "w") as handle:
        handle.write(text)
    return full


def proc(root, pid, comm, cmdline):
    put(root, "/proc/%d/comm" % pid, comm + "\n")
    put(root, "/proc/%d/cmdline" % pid, "\0".join(cmdline) + "\0")


def lock_line(path, pid, waiter=False):
    info = os.stat(path)
    return "1: %sPOSIX  ADVISORY  WRITE %d %02x:%02x:%d 0 EOF\n" % (
        "-> " if waiter else "", pid, os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)


def test_parse_proc_locks_skips_waiters():
    text = ("1: POSIX  ADVISORY  WRITE 153 00:29:1647609 0 EOF\n"
            "1: -> POSIX  ADVISORY  WRITE 160 00:29:1647609 0 EOF\n"
            "2: OFDLCK ADVISORY  READ  -1 fd:01:42 0 EOF\n"
            "garbage\n")
    assert pkg_lock.parse_proc_locks(text) == {(0, 0x29, 1647609): 153, (0xfd, 1, 42): -1}


def test_apt_lock_holder_is_named(tmp_path):
    root = str(tmp_path)
    frontend = put(root, "/var/lib/dpkg/lock-frontend", "")
    put(root, "/var/lib/dpkg/lock", "")
    proc(root, 4242, "apt-get", ["apt-get", "install", "-y", "foo"])
    put(root, "/proc/locks", lock_line(frontend, 4242) + lock_line(frontend, 77, waiter=True))
    found = pkg_lock.holders("apt", root=root, own_pid=1)
    assert found == [{"path": "/var/lib/dpkg/lock-frontend", "pid": 4242, "process": "apt-get: apt-get install -y foo"}]
    assert pkg_lock.describe(found) == "/var/lib/dpkg/lock-frontend is held by pid 4242 (apt-get: apt-get install -y foo)"


def test_dnf_pid_file_of_a_live_process_holds_and_a_stale_one_does_not(tmp_path):
    root = str(tmp_path)
    put(root, "/var/lib/dnf/rpmdb_lock.pid", "555")
    put(root, "/var/cache/dnf/metadata_lock.pid", "556")  # no /proc/556: stale
    proc(root, 555, "dnf", ["/usr/bin/python3", "/usr/bin/dnf", "-y", "install", "x"])
    put(root, "/proc/locks", "")
    found = pkg_lock.holders("dnf", root=root, own_pid=1)
    assert [(h["path"], h["pid"]) for h in found] == [("/var/lib/dnf/rpmdb_lock.pid", 555)]
    assert "dnf -y install x" in found[0]["process"]


def test_rpm_database_lock_in_a_custom_dbpath(tmp_path):
    root = str(tmp_path)
    lock = put(root, "/root/.rpmdb/.rpm.lock", "")
    proc(root, 31, "rpm", ["rpm", "-i", "x.rpm"])
    put(root, "/proc/locks", lock_line(lock, 31))
    assert pkg_lock.holders("dnf", root=root, own_pid=1) == []
    assert pkg_lock.holders("dnf", root=root, rpm_dbpath="/root/.rpmdb", own_pid=1)[0]["pid"] == 31


def test_own_lock_is_not_a_holder(tmp_path):
    root = str(tmp_path)
    frontend = put(root, "/var/lib/dpkg/lock-frontend", "")
    put(root, "/proc/locks", lock_line(frontend, 9))
    assert pkg_lock.holders("apt", root=root, own_pid=9) == []


class Clock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_until_the_holder_goes_away(tmp_path, monkeypatch):
    clock = Clock()
    seen = [[{"path": "/var/lib/dpkg/lock", "pid": 5, "process": "dpkg"}]] * 3 + [[]]
    monkeypatch.setattr(pkg_lock, "holders", lambda *a, **k: seen.pop(0))
    out = pkg_lock.wait("apt", 30, sleep=clock.sleep, clock=clock)
    assert out["free"] and out["waited"] == 3.0 and out["first"][0]["pid"] == 5


def test_wait_is_bounded_and_names_the_holder(monkeypatch):
    clock = Clock()
    holder = [{"path": "/var/lib/dpkg/lock-frontend", "pid": 5, "process": "python3: python3 hold.py"}]
    monkeypatch.setattr(pkg_lock, "holders", lambda *a, **k: holder)
    out = pkg_lock.wait("apt", 10, sleep=clock.sleep, clock=clock)
    assert not out["free"] and out["waited"] == 10.0
    message = pkg_lock.busy_message("apt", out, 10)
    assert "pid 5 (python3: python3 hold.py)" in message and "waited 10 s" in message
