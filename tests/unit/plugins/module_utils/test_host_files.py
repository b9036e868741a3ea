# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one bounded reader: never blocks, never opens what is not a regular file, never raises."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import os
import threading

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import host_files


def within(func, seconds=5.0):
    box = {}
    thread = threading.Thread(target=lambda: box.update(result=func()))
    thread.daemon = True
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked"
    return box["result"]


def test_regular_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert host_files.read_file(str(path), 10) == {"data": b"abc", "missing": False, "error": None,
                                                   "truncated": False}
    assert host_files.read_bytes(str(path), 2) == b"ab"
    assert host_files.read_text(str(path)) == "abc"


def test_missing_and_dangling_are_missing(tmp_path):
    assert host_files.read_file(str(tmp_path / "none"), 10)["missing"]
    os.symlink(str(tmp_path / "none"), str(tmp_path / "dangling"))
    outcome = host_files.read_file(str(tmp_path / "dangling"), 10)
    assert outcome["missing"] and outcome["error"] is None
    assert host_files.read_bytes(str(tmp_path / "none"), 10) is None and host_files.take_findings() == []


def test_fifo_is_a_finding_and_never_blocks(tmp_path):
    path = str(tmp_path / "fifo")
    os.mkfifo(path)
    outcome = within(lambda: host_files.read_file(path, 10))
    assert outcome["data"] is None and outcome["error"] == "FIFO, not a regular file"
    assert host_files.describe("/etc/login.defs", outcome) == "cannot read /etc/login.defs: FIFO, not a regular file"
    host_files.take_findings()
    assert within(lambda: host_files.read_text(path)) is None
    assert host_files.take_findings() == ["cannot read %s: FIFO, not a regular file" % path]


@pytest.mark.parametrize("device,kind", [("/dev/zero", "character device"), ("/dev/urandom", "character device")])
def test_device_behind_a_symlink_is_never_opened(tmp_path, monkeypatch, device, kind):
    opened = []
    real = os.open
    monkeypatch.setattr(host_files.os, "open", lambda path, flags, *a: opened.append(path) or real(path, flags, *a))
    os.symlink(device, str(tmp_path / "dev"))
    outcome = within(lambda: host_files.read_file(str(tmp_path / "dev"), 10))
    assert outcome["error"] == "%s, not a regular file" % kind and opened == []


def test_directory_and_symlink_loop(tmp_path):
    assert host_files.read_file(str(tmp_path), 10)["error"] == "directory, not a regular file"
    loop = str(tmp_path / "loop")
    os.symlink(loop, loop)
    assert host_files.read_file(loop, 10)["error"] == "symlink loop"


def test_too_large_is_said_never_cut(tmp_path):
    path = tmp_path / "big"
    path.write_bytes(b"x" * 100)
    assert host_files.read_file(str(path), 99)["error"] == "too large: 100 bytes (limit 99)"
    assert host_files.read_file(str(path), 100)["data"] == b"x" * 100
    cut = host_files.read_file(str(path), 10, truncate=True)
    assert cut["data"] == b"x" * 10 and cut["truncated"] and cut["error"] is None


def test_proc_files_learn_their_size_by_reading():
    # /proc files say size 0: the limit still holds.
    outcome = host_files.read_file("/proc/self/status", 16)
    assert outcome["error"] == "too large: more than 16 bytes"
    assert host_files.read_file("/proc/self/status", 1 << 20)["data"].startswith(b"Name:")


def test_swapped_between_stat_and_open(tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    other = tmp_path / "g"
    other.write_bytes(b"def")
    real_stat = os.stat
    monkeypatch.setattr(host_files.os, "stat", lambda p: real_stat(str(other)))
    assert host_files.read_file(str(path), 10)["error"] == "replaced while it was opened"


def test_read_error_is_an_error(tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_bytes(b"abc")

    def eio(fd, size):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(host_files.os, "read", eio)
    assert host_files.read_file(str(path), 10)["error"] == "Input/output error"


def test_findings_are_bounded(tmp_path):
    host_files.take_findings()
    for index in range(host_files.MAX_FINDINGS + 10):
        os.mkfifo(str(tmp_path / ("f%d" % index)))
        host_files.read_bytes(str(tmp_path / ("f%d" % index)), 1)
    assert len(host_files.take_findings()) == host_files.MAX_FINDINGS
