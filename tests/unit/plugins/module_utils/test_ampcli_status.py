# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import stat
import time

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import ampcli_status, bounded_cmd, collect

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "ampcli")


def raw_sample(name):
    """Bytes of a sample; binary ones are kept hex-encoded in git (``NAME.hex``)."""
    if name.endswith(".hex"):
        with open(os.path.join(DATA, name)) as handle:
            return bytes.fromhex("".join(handle.read().split()))
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()


def sample(name):
    return bounded_cmd.decode(raw_sample(name))


@pytest.mark.parametrize("name", ["cisco_fault18.txt", "cisco_fault18_prefixed.txt"])
def test_cisco_sample(name):
    parsed = ampcli_status.parse_status(sample(name))
    assert parsed["recognized"]
    assert parsed["fault_ids"] == [18]
    assert parsed["faults"][0]["id"] == 18
    assert parsed["faults"][0]["severity"] == "Major"
    assert parsed["faults"][0]["message"].startswith("Connector event monitoring is overloaded.")
    status = parsed["status"]
    assert status["status"] == "Connected"
    assert status["mode"] == "Degraded"
    assert status["scan"] == "Ready for scan"
    assert status["last_scan"] == "2023-06-19 02:02:03 PM"
    assert status["policy"] == "Audit Policy for FireAMP Linux (#1)"
    assert status["command_line"] == "Enabled"
    assert status["behavioural_protection"] == "Protect"
    assert status["faults"] == "1 Major"
    # The prompt and the logger lines are not status keys.
    assert not any(key.startswith(("logger", "trying", "ampcli")) for key in status)


def test_no_faults():
    parsed = ampcli_status.parse_status(sample("no_faults.txt"))
    assert parsed["recognized"] and parsed["no_faults"]
    assert parsed["fault_ids"] == [] and parsed["faults"] == []
    assert parsed["status"]["mode"] == "Normal"


def test_fault_ids_with_commas_and_messages():
    parsed = ampcli_status.parse_status(sample("fault_ids_comma.txt"))
    assert parsed["fault_ids"] == [5, 18]
    assert [(f["id"], f["severity"]) for f in parsed["faults"]] == [(5, "Major"), (18, "Critical")]


def test_fault_ids_with_spaces_only():
    parsed = ampcli_status.parse_status(sample("fault_ids_space.txt"))
    assert parsed["fault_ids"] == [5, 18]
    # No per-fault line: the severity is not known for each of two faults.
    assert [f["severity"] for f in parsed["faults"]] == [None, None]


def test_single_id_takes_severity_from_summary():
    parsed = ampcli_status.parse_status("Status: Connected\nFaults: 1 Critical\nFault IDs: 18\n")
    assert parsed["faults"] == [{"id": 18, "severity": "Critical", "message": None}]


def test_truncated_answer_keeps_what_is_complete():
    parsed = ampcli_status.parse_status(sample("truncated.txt"))
    assert parsed["recognized"]
    assert parsed["fault_ids"] == [7, 11]
    assert parsed["status"]["mode"] == "Degraded"


@pytest.mark.parametrize("name", ["garbage.hex", "empty.txt", "daemon_down.txt"])
def test_unrecognized(name):
    parsed = ampcli_status.parse_status(sample(name))
    assert not parsed["recognized"]
    assert parsed["fault_ids"] == []


def test_fault_line_without_ids_line_counts():
    parsed = ampcli_status.parse_status("Status: Connected\nID 6 - Major: Scan service restarting frequently\n")
    assert parsed["fault_ids"] == [6]


def test_bounded_raw():
    assert ampcli_status.bounded_raw("abc") == "abc"
    long_text = "x" * 5000
    cut = ampcli_status.bounded_raw(long_text)
    assert len(cut) < 4200 and cut.endswith("904 more characters cut]")


def _script(tmp_path, body):
    path = tmp_path / "ampcli"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_run_ampcli_real_sample(tmp_path):
    path = _script(tmp_path, "cat '%s'\n" % os.path.join(DATA, "cisco_fault18_prefixed.txt"))
    entry, reported = collect.run_ampcli(path, 5, bounded_cmd.run)
    assert entry["ran"] and entry["rc"] == 0 and entry["error"] is None
    assert reported == {18: "Major"}
    assert entry["raw"].startswith("[logger]")


def test_run_ampcli_hang_is_killed(tmp_path):
    # A child that keeps the pipe open proves the whole process group dies.
    path = _script(tmp_path, "echo 'Trying to connect...'\nsleep 300 &\nsleep 300\n")
    start = time.monotonic()
    entry, reported = collect.run_ampcli(path, 0.5, bounded_cmd.run)
    assert time.monotonic() - start < 5
    assert entry["timed_out"] and entry["rc"] is None and reported == {}
    assert "did not answer" in entry["error"]
    assert "Trying to connect" in entry["raw"]


def test_run_ampcli_garbage_and_failure(tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(raw_sample("garbage.hex"))
    path = _script(tmp_path, "cat '%s'\nexit 3\n" % garbage)
    entry, reported = collect.run_ampcli(path, 5, bounded_cmd.run)
    assert entry["rc"] == 3 and reported == {}
    assert entry["error"] == "ampcli status exited with rc=3"


def test_run_ampcli_endless_output_is_cut(tmp_path):
    path = _script(tmp_path, "while :; do echo 'Status: Connected'; done\n")
    entry, reported = collect.run_ampcli(path, 5, bounded_cmd.run)
    assert "more than" in entry["error"]
    assert len(entry["raw"]) < 4200


def test_run_ampcli_missing(tmp_path):
    entry, reported = collect.run_ampcli(str(tmp_path / "nope"), 5, bounded_cmd.run)
    assert not entry["ran"] and "not found" in entry["error"] and reported == {}


def test_run_ampcli_not_executable(tmp_path):
    path = tmp_path / "ampcli"
    path.write_text("Status: Connected\n")
    entry, reported = collect.run_ampcli(str(path), 5, bounded_cmd.run)
    assert not entry["ran"] and "cannot run" in entry["error"]


def _coloured(text):
    """The Cisco sample as a terminal would get it: bold keys, red severities, a title (OSC)."""
    out = ["\x1b]0;ampcli\x07"]
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        out.append("\x1b[1m%s\x1b[0m%s\x1b[1;31m%s\x1b[0m\x1b[K" % (key, sep, value) if sep else line)
    return "\r\n".join(out) + "\r\n"


def test_ansi_colour_sequences_hide_nothing():
    plain = ampcli_status.parse_status(sample("cisco_fault18_prefixed.txt"))
    coloured = ampcli_status.parse_status(_coloured(sample("cisco_fault18_prefixed.txt")))
    assert coloured == plain and coloured["recognized"] and coloured["fault_ids"] == [18]


def test_lower_case_keys_and_fault_lines():
    text = sample("fault_ids_comma.txt").lower()
    parsed = ampcli_status.parse_status(text)
    assert parsed["fault_ids"] == [5, 18]
    assert [(f["id"], f["severity"]) for f in parsed["faults"]] == [(5, "Major"), (18, "Critical")]
    assert all(f["message"] for f in parsed["faults"])
    assert parsed["status"]["mode"] == "degraded"


@pytest.mark.parametrize("text,plain", [
    ("\x1b[1;31mMode\x1b[0m: Degraded", "Mode: Degraded"),
    ("\x1b[38;5;196mStatus: Connected", "Status: Connected"),
    ("\x1b]2;title\x1b\\Status: x", "Status: x"),
    ("\x1b(BFaults: None", "Faults: None"),
    ("no escape at all", "no escape at all"),
])
def test_strip_escapes(text, plain):
    assert ampcli_status.strip_escapes(text) == plain


def test_run_ampcli_answer_with_a_child_holding_stdout(tmp_path):
    path = _script(tmp_path, "cat '%s'\nsleep 8 &\n" % os.path.join(DATA, "cisco_fault18.txt"))
    start = time.monotonic()
    entry, reported = collect.run_ampcli(path, 6, bounded_cmd.run)
    assert time.monotonic() - start < 3
    assert entry["rc"] == 0 and not entry["timed_out"] and entry["error"] is None and reported == {18: "Major"}


def test_run_ampcli_symlink_loop_is_not_not_found(tmp_path):
    path = str(tmp_path / "ampcli")
    os.symlink(path, path)
    entry, reported = collect.run_ampcli(path, 5, bounded_cmd.run)
    assert entry["error"] == "%s cannot be run: symlink loop" % path and not entry["ran"]
