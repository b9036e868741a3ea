# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.secure_endpoint.linux.plugins.module_utils import procs

# A real line of /proc/<pid>/stat (kernel 6.x, systemd-journald), fields up to starttime and beyond.
REAL = ("412 (systemd-journal) S 1 412 412 0 -1 4194560 3468 0 17 0 51 77 0 0 20 0 1 0 1045 "
        "50360320 4864 18446744073709551615 1 1 0 0 0 0 16384 4102 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0")


def stat_line(pid, comm, utime, stime, start):
    fields = ["S", "1", str(pid), str(pid), "0", "-1", "4194560", "0", "0", "0", "0", str(utime), str(stime),
              "0", "0", "20", "0", "1", "0", str(start), "1000", "100"]
    return "%d (%s) %s" % (pid, comm, " ".join(fields))


def fake_proc(tmp_path, table, uptime="5000.00 100.00"):
    proc = tmp_path / "proc"
    proc.mkdir(exist_ok=True)
    (proc / "uptime").write_text(uptime + "\n")
    for pid, (comm, utime, stime, start, cmdline) in table.items():
        d = proc / str(pid)
        d.mkdir(exist_ok=True)
        (d / "stat").write_text(stat_line(pid, comm, utime, stime, start) + "\n")
        (d / "cmdline").write_bytes(cmdline)
    return str(proc)


def test_parse_real_line():
    parsed = procs.parse_stat(REAL)
    assert parsed == {"pid": 412, "comm": "systemd-journal", "state": "S", "ppid": 1,
                      "cpu_ticks": 128, "start_ticks": 1045}


def test_parse_comm_with_spaces_and_parens():
    parsed = procs.parse_stat(stat_line(7, "a) (b c", 3, 4, 99))
    assert parsed["comm"] == "a) (b c" and parsed["cpu_ticks"] == 7 and parsed["start_ticks"] == 99


def test_parse_garbage():
    assert procs.parse_stat("") is None
    assert procs.parse_stat("12 (x) S 1") is None


def test_find_and_age(tmp_path):
    proc = fake_proc(tmp_path, {
        10: ("ampdaemon", 5, 5, 100 * 100, b"/opt/cisco/amp/bin/ampdaemon\0"),
        20: ("ampscansvc", 1, 1, 4000 * 100, b"ampscansvc\0"),
    })
    table = procs.snapshot(proc)
    daemon = procs.find_by_name(table, ["ampdaemon"])[0]
    assert daemon["pid"] == 10
    uptime = procs.uptime_seconds(proc)
    assert procs.age_seconds(daemon, uptime, hz=100) == 4900
    assert procs.age_seconds(procs.find_by_name(table, ["ampscansvc"])[0], uptime, hz=100) == 1000
    assert procs.find_by_name(table, ["nothing"]) == []


def test_top_active_uses_the_window_delta(tmp_path):
    hz = procs.clock_ticks()
    table = {
        1: ("systemd", 900000, 1000, 1, b"/sbin/init\0"),       # busy long ago, idle now
        2: ("find", 10, 10, 500, b"find\0/\0-type\0f\0"),
        3: ("sleep", 0, 0, 600, b"sleep\0100\0"),
    }
    proc = fake_proc(tmp_path, table)

    def sleep(seconds):
        # During the window "find" uses half a CPU second, "systemd" nothing.
        fake_proc(tmp_path, {2: ("find", 10 + hz // 2, 10, 500, b"find\0/\0-type\0f\0")})

    top = procs.top_active(2, 1.0, proc, sleep=sleep)
    assert [p["pid"] for p in top] == [2, 1]
    assert top[0]["comm"] == "find" and top[0]["cmdline"] == "find / -type f"
    assert 45.0 <= top[0]["cpu_percent"] <= 50.0
    assert top[1]["cpu_percent"] == 0.0


def test_top_active_disabled(tmp_path):
    assert procs.top_active(0, 1.0, fake_proc(tmp_path, {})) == []


def test_real_proc_snapshot_contains_this_process():
    table = procs.snapshot("/proc")
    assert os.getpid() in table
    top = procs.top_active(3, 0.05, "/proc", first=table)
    assert len(top) == 3


def test_processes_of_other_pid_namespaces_are_not_ours(tmp_path):
    proc = fake_proc(tmp_path, {
        10: ("ampdaemon", 1, 1, 100, b"ampdaemon\0"),
        11: ("ampdaemon", 1, 1, 200, b"ampdaemon\0"),
    })
    os.makedirs(os.path.join(proc, "self", "ns"))
    os.symlink("pid:[4026531836]", os.path.join(proc, "self", "ns", "pid"))
    os.makedirs(os.path.join(proc, "10", "ns"))
    os.symlink("pid:[4026531836]", os.path.join(proc, "10", "ns", "pid"))
    os.makedirs(os.path.join(proc, "11", "ns"))
    os.symlink("pid:[4026532999]", os.path.join(proc, "11", "ns", "pid"))  # a container's
    table = procs.snapshot(proc)
    assert [p["pid"] for p in procs.find_by_name(table, ["ampdaemon"], proc)] == [10]
    assert [p["pid"] for p in procs.find_by_name(table, ["ampdaemon"])] == [10, 11]


def test_process_limit_is_said(tmp_path, monkeypatch):
    for pid in (1, 2, 3):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text("%d (x) S 0 0 0 0 0 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n" % pid)
    monkeypatch.setattr(procs, "MAX_PROCESSES", 2)
    notes = []
    assert len(procs.snapshot(str(tmp_path), notes)) == 2
    assert notes == ["3 processes: only 2 of them were examined"]


def test_real_proc_fast_path_reads_this_process():
    table = procs.snapshot("/proc")
    assert table[os.getpid()]["pid"] == os.getpid() and table[os.getpid()]["comm"]
