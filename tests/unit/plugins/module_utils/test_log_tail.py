# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re
import threading

from ansible_collections.secure_endpoint.linux.plugins.module_utils import log_tail


def test_small_log(tmp_path):
    log = tmp_path / "ampdaemon.log"
    log.write_text("one\ntwo\n\nthree\n")
    assert log_tail.tail_lines(str(log), 1024) == {"path": str(log), "lines": ["one", "two", "three"], "error": None}


def test_huge_sparse_log_reads_only_the_tail(tmp_path):
    log = tmp_path / "ampdaemon.log"
    with open(str(log), "wb") as handle:
        handle.seek(512 * 1024 * 1024)  # sparse: a hole of NUL bytes, never read
        handle.write(b"partial line\nlast line one\nlast line two\n")
    result = log_tail.tail_lines(str(log), 20)
    # The first line of the window is cut: only whole lines are evidence.
    assert result["lines"] == ["last line two"]
    result = log_tail.tail_lines(str(log), 4096)
    assert result["lines"][-2:] == ["last line one", "last line two"]


def test_binary_log(tmp_path):
    log = tmp_path / "ampscansvc.log"
    log.write_bytes(b"\xff\xfe\x00\x1b[31mcrash\x00\n\x80ok line\n")
    lines = log_tail.tail_lines(str(log), 1024)["lines"]
    assert lines == [u"\ufffd\ufffd[31mcrash", u"\ufffdok line"]


def test_long_lines_are_cut(tmp_path):
    log = tmp_path / "a.log"
    log.write_text("x" * 5000 + "\n")
    assert len(log_tail.tail_lines(str(log), 10000)["lines"][0]) == log_tail.MAX_LINE_CHARS


def test_missing_log_is_not_an_error(tmp_path):
    path = str(tmp_path / "none.log")
    assert log_tail.tail_lines(path) == {"path": path, "lines": [], "error": None}


def test_directory_is_an_error(tmp_path):
    (tmp_path / "ampdaemon.log").mkdir()
    result = log_tail.tail_lines(str(tmp_path / "ampdaemon.log"))
    assert result["lines"] == [] and result["error"].startswith("cannot read")


def test_fifo_never_blocks(tmp_path):
    fifo = str(tmp_path / "ampdaemon.log")
    os.mkfifo(fifo)
    box = {}
    thread = threading.Thread(target=lambda: box.update(r=log_tail.tail_lines(fifo)))
    thread.daemon = True
    thread.start()
    thread.join(5)
    assert not thread.is_alive()
    assert box["r"]["error"] == "cannot read %s: FIFO, not a regular file" % fifo


def test_rotated_log_completes_a_fresh_one(tmp_path):
    (tmp_path / "ampdaemon.log.1").write_text("old one\nold two\n")
    (tmp_path / "ampdaemon.log").write_text("new\n")
    assert log_tail.tail_lines(str(tmp_path / "ampdaemon.log"), 1024)["lines"] == ["old one", "old two", "new"]
    assert log_tail.tail_lines(str(tmp_path / "ampdaemon.log"), 1024, rotated=False)["lines"] == ["new"]


def test_matching():
    lines = ["a restart", "b", "c restart", "d restart"]
    assert log_tail.matching(lines, re.compile("restart"), 2) == ["c restart", "d restart"]


def test_tail_keyword_search_on_a_huge_log(tmp_path):
    log = tmp_path / "ampdaemon.log"
    with open(str(log), "wb") as handle:
        handle.seek(512 * 1024 * 1024)
        handle.write(b"cut AMPSCANSVC line\n" + b"noise\n" * 1000 +
                     b"2024-06-19 14:00:00 ampdaemon: AmpScanSvc exited, restarting (ampscansvc)\n"
                     b"\xff\x00binary ampscansvc crash\n" + b"noise\n" * 10 + b"last ampscansvc line without newline")
    tail = log_tail.Tail(str(log), 64 * 1024)
    assert len(tail.data) <= 64 * 1024
    lines = tail.lines_with((b"ampscansvc", b"scan service"))
    # The first (cut) line is dropped; one line holding the word twice is listed once.
    assert lines == ["2024-06-19 14:00:00 ampdaemon: AmpScanSvc exited, restarting (ampscansvc)",
                     u"\ufffdbinary ampscansvc crash", "last ampscansvc line without newline"]
    assert tail.lines_with((b"nothing",)) == []


def test_tail_with_rotated_log_and_errors(tmp_path):
    (tmp_path / "a.log.1").write_text("old scan service restart\n")
    (tmp_path / "a.log").write_text("new scan service restart")
    tail = log_tail.Tail(str(tmp_path / "a.log"), 1024)
    assert tail.lines_with((b"scan service",)) == ["old scan service restart", "new scan service restart"]
    assert log_tail.Tail(str(tmp_path / "missing.log")).error is None
    (tmp_path / "dir.log").mkdir()
    broken = log_tail.Tail(str(tmp_path / "dir.log"))
    assert broken.error.endswith("not a regular file") and broken.lines_with((b"x",)) == []
