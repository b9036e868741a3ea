# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd


def test_runs_with_c_locale():
    out = bounded_cmd.run(["sh", "-c", "echo $LC_ALL; exit 4"], 5)
    assert out["rc"] == 4 and out["out"] == b"C\n" and not out["timed_out"]


def test_timeout_kills_the_process_group(tmp_path):
    marker = tmp_path / "child.pid"
    start = time.monotonic()
    out = bounded_cmd.run(["sh", "-c", "sleep 300 & echo $! > %s; wait" % marker], 0.5)
    assert out["timed_out"] and out["rc"] is None
    assert time.monotonic() - start < 5
    child = int(marker.read_text())
    for _attempt in range(50):
        try:
            os.kill(child, 0)
        except OSError:
            break
        # A killed child may linger as a zombie of init for a moment.
        with open("/proc/%d/stat" % child) as handle:
            if handle.read().split(")")[-1].split()[0] == "Z":
                break
        time.sleep(0.05)
    else:
        raise AssertionError("background child %d survived" % child)


def test_output_is_bounded():
    out = bounded_cmd.run(["sh", "-c", "yes"], 5, max_bytes=1000)
    assert out["truncated"] and len(out["out"]) == 1000 and out["rc"] is None


def test_missing_program():
    out = bounded_cmd.run(["/nonexistent/ampcli", "status"], 5)
    assert out["rc"] is None and "No such file" in out["error"]
