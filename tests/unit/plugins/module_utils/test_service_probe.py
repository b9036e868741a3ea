# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import service_probe

RUNNING = """LoadState=loaded
ActiveState=active
SubState=running
UnitFileState=enabled
MainPID=1234
NRestarts=2
ActiveEnterTimestampMonotonic=100000000
"""


def test_running():
    service = service_probe.from_systemd("cisco-amp", service_probe.parse_show(RUNNING), monotonic_now=1000.0)
    assert service == {"name": "cisco-amp", "state": "running", "enabled": True, "uptime_seconds": 900,
                       "main_pid": 1234, "restarts": 2, "source": "systemd"}


def test_states():
    def state(text):
        return service_probe.from_systemd("x", service_probe.parse_show(text), 10.0)
    assert state("LoadState=not-found\nActiveState=inactive\n")["state"] == "not-found"
    failed = state("LoadState=loaded\nActiveState=failed\nUnitFileState=disabled\nMainPID=0\n")
    assert failed["state"] == "failed" and failed["enabled"] is False and failed["main_pid"] is None
    assert state("LoadState=loaded\nActiveState=inactive\n")["state"] == "stopped"
    assert state("")["state"] == "unknown" and state("")["enabled"] is None


def test_show_uses_runner():
    calls = []

    def runner(argv, timeout, max_bytes):
        calls.append(argv)
        return {"rc": 0, "out": RUNNING.encode(), "timed_out": False, "truncated": False, "error": None}
    props, error = service_probe.show(runner, "cisco-amp")
    assert error is None and props["MainPID"] == "1234"
    assert calls[0][:3] == ["systemctl", "show", "cisco-amp.service"]


def test_show_failures():
    def hang(argv, timeout, max_bytes):
        return {"rc": None, "out": b"", "timed_out": True, "truncated": False, "error": None}
    assert service_probe.show(hang, "cisco-amp")[1].endswith("timed out after 5.0s")

    def missing(argv, timeout, max_bytes):
        return {"rc": None, "out": b"", "timed_out": False, "truncated": False, "error": "cannot run systemctl"}
    assert service_probe.show(missing, "cisco-amp") == (None, "cannot run systemctl")


def test_from_processes():
    assert service_probe.from_processes("cisco-amp", None, None)["state"] == "unknown"
    service = service_probe.from_processes("cisco-amp", {"pid": 9}, 42)
    assert service["state"] == "running" and service["uptime_seconds"] == 42 and service["main_pid"] == 9
