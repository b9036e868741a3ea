# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import connector_logs as cl


def test_line_time_formats():
    now = time.mktime((2024, 6, 19, 15, 0, 0, 0, 0, -1))
    assert cl.line_time("2024-06-19 14:02:03 ampdaemon[12]: x", now) == now - 3477
    assert cl.line_time("[2024-06-19T14:02:03.123Z] x", now) == now - 3477
    assert cl.line_time("Jun 19 14:02:03 host ampdaemon: x", now) == now - 3477
    assert cl.line_time("no time here", now) is None


def test_iso_time_with_offset_is_exact():
    utc = cl.line_time("2026-11-24 19:53:01.123 +0000 ampdaemon[42]: notice: started")
    assert utc == 1795549981
    assert cl.line_time("2026-11-24T14:53:01-05:00 x") == utc
    assert cl.line_time("2026-11-24T19:53:01Z x") == utc


def test_syslog_time_from_last_year():
    now = time.mktime((2024, 1, 2, 0, 0, 0, 0, 0, -1))
    assert time.localtime(cl.line_time("Dec 31 23:00:00 host x", now)).tm_year == 2023


def test_since_filters_by_time_and_keeps_undated():
    now = time.mktime((2024, 6, 19, 15, 0, 0, 0, 0, -1))
    lines = ["2024-06-19 13:00:00 old restart", "undated line", "2024-06-19 14:59:00 new restart"]
    assert cl.since(lines, now - 600, now) == ["undated line", "2024-06-19 14:59:00 new restart"]
    assert cl.since(lines, None, now) == lines


def test_patterns():
    lines = [
        "2024-06-19 14:02:03 ampdaemon: ampscansvc exited with signal 11, restarting",
        "2024-06-19 14:02:04 ampdaemon: restarting scan service",
        "2024-06-19 14:02:05 ampdaemon: scan started",
        "ampscansvc: insufficient memory to load definitions",
        "ampdaemon: Secure Boot is enabled, kernel modules cannot be loaded",
        "kernel: ampfsm: disagrees about version of symbol module_layout",
        "kernel: Lockdown: insmod: unsigned module loading is restricted; see man kernel_lockdown.7",
        "ampdaemon: failed to load kernel module ampnetworkflow",
        "ampdaemon: kernel 6.9.1 is not supported",
    ]
    assert cl.scan_restarts(lines) == lines[:2]
    assert cl.low_memory(lines) == [lines[3]]
    assert cl.secure_boot(lines) == [lines[4]]
    assert cl.rejected_modules(lines, cl.FS_MODULES) == lines[5:7]
    assert cl.rejected_modules(lines, cl.NET_MODULES) == [lines[6]]
    assert cl.failed_loads(lines, cl.NET_MODULES) == [lines[7]]
    assert cl.failed_loads(lines, cl.FS_MODULES) == []
    assert cl.unsupported_kernel(lines) == [lines[8]]


# Lines in the layout the connector stand-in writes (tests/standin), a connector-like format.
STANDIN = [
    "2026-11-24 19:53:01.123 +0000 ampdaemon[42]: notice: Scan service started (pid 77) as cisco-amp-scan-svc",
    "2026-11-24 19:53:03.456 +0000 ampdaemon[42]: warning: Scan service exited unexpectedly (status 1); restarting",
    "2026-11-24 19:53:09.001 +0000 ampdaemon[42]: error: Fault Raised: 6 (Major) Scan service restarting frequently.",
    "2026-11-24 19:53:09.002 +0000 ampdaemon[42]: error: Fault 6 cause: scan service restarted 3 times in the last 300 seconds",
    "2026-11-24 19:53:09.003 +0000 ampdaemon[42]: error: Fault 7 cause: not enough available memory to start the scan service",
    "2026-11-24 19:53:09.004 +0000 ampdaemon[42]: error: Fault 8 cause: UEFI Secure Boot is enabled: kernel module ampfsm cannot be loaded",
    "2026-11-24 19:53:09.005 +0000 ampdaemon[42]: error: Fault 9 cause: Failed to load kernel module ampnetworkflow: Invalid module format",
    "2026-11-24 19:53:09.006 +0000 ampdaemon[42]: notice: Scan service stopped",
]


def test_standin_layout():
    assert cl.scan_restarts(STANDIN) == [STANDIN[1]]
    assert cl.low_memory(STANDIN) == [STANDIN[4]]
    assert cl.secure_boot(STANDIN) == [STANDIN[5]]
    assert cl.failed_loads(STANDIN, cl.FS_MODULES) == []  # Secure Boot's evidence, not a plain failure
    assert cl.failed_loads(STANDIN, cl.NET_MODULES) == [STANDIN[6]]
    assert cl.rejected_modules(STANDIN, cl.NET_MODULES) == [STANDIN[6]]


def test_utc_seconds_equals_calendar_timegm():
    import calendar
    import random
    rng = random.Random(8)
    stamps = [(y, m, d, 0, 0, 0) for y in (1600, 1900, 1970, 2000, 2024, 2100) for m in range(1, 13) for d in (1, 28, 29, 31)]
    stamps += [(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 31), rng.randint(0, 23), rng.randint(0, 59),
                rng.randint(0, 60)) for _index in range(20000)]
    for stamp in stamps:
        assert cl.utc_seconds(*stamp) == calendar.timegm(stamp + (0, 0, 0)), stamp


def test_patterns_compile_at_first_use_and_behave_as_compiled_ones():
    import re
    from ansible_collections.secure_endpoint.linux.plugins.module_utils.lazy_re import LazyPattern
    lazy = LazyPattern(r"scan (\w+)", re.IGNORECASE)
    assert lazy._compiled is None  # pylint: disable=protected-access
    assert lazy.search("SCAN service").group(1) == "service"
    assert lazy.findall("scan a, Scan b") == ["a", "b"] and lazy.pattern == r"scan (\w+)"
    assert cl.RESTART_EVENT.search("ampscansvc exited with status 1")
    assert not cl.RESTART_EVENT.search("scan finished, 0 detections")
