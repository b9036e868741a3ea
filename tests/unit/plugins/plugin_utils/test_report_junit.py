# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""JUnit XML of both report kinds, read back with the standard library (a real consumer,
junitparser, reads it in tests/reports)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_junit
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import ReportError
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.plugin_utils.report_fixtures import HOSTILE_HOST, load


def cases(xml_text):
    """{(host, fault or "journal"): (outcome, element)} with outcome failure|error|skipped|passed."""
    root = ET.fromstring(xml_text.encode("utf-8"))
    out = {}
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            fault = case.get("name").split(":")[0].split()[-1]
            kind = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
            out[(case.get("classname"), fault)] = (kind[0] if kind else "passed", case)
    return root, out


def test_facts_report():
    doc = load("facts")
    root, found = cases(report_junit.render_junit(doc))
    assert root.tag == "testsuites"
    assert len(found) == 9 * doc["summary"]["hosts"] == int(root.get("tests"))
    assert found[("web1.example.com", "18")][0] == "failure"
    assert found[("db1", "5")][0] == "failure"
    assert found[(HOSTILE_HOST, "18")][0] == "failure"
    assert found[("clean1", "5")][0] == "passed"
    assert set(found[("ghost", f)][0] for f in ("5", "18")) == {"error"}
    assert found[("broken", "7")][0] == "error"
    assert found[("cached", "7")][0] == "skipped"
    # Totals follow the JSON summary: failures are the active faults, errors the unreachable and
    # failed hosts' cases, skipped those of hosts without facts.
    summary = doc["summary"]
    assert int(root.get("failures")) == sum(summary["active_faults"].values())
    assert int(root.get("errors")) == 9 * (summary["unreachable"] + summary["failed"])
    assert int(root.get("skipped")) == 9 * summary["no_facts"]
    failure = found[("db1", "5")][1].find("failure")
    assert "scan_user_missing" in failure.get("message") and "manual steps:" not in (failure.text or "")
    assert "user cisco-amp-scan-svc does not exist" in failure.text
    error = found[("broken", "7")][1].find("error")
    assert error.get("message") == u'fault 7 on broken: host failed: interpreter not found: <b>bold</b> & "quotes"'


def test_remediation_report():
    doc = load("remediation")
    root, found = cases(report_junit.render_junit(doc))
    expected = {("web1", "5"): "passed", ("db1", "7"): "passed", ("db1", "18"): "failure",
                ("app1", "11"): "error", ("app1", "5"): "passed", ("batch1", "6"): "failure",
                ("skip1", "16"): "failure", ("ghost", "5"): "error", ("late1", "5"): "skipped",
                (HOSTILE_HOST, "18"): "failure", ("part1", "11"): "passed", ("part1", "7"): "failure",
                ("busy1", "5"): "error", ("kept1", "5"): "passed",
                ("web1", "journal"): "passed", ("kept1", "journal"): "failure", ("busy1", "journal"): "error",
                ("ghost", "journal"): "error", ("late1", "journal"): "skipped", ("app1", "journal"): "passed"}
    for key, outcome in expected.items():
        assert found[key][0] == outcome, key
    # The restart failed on app2: no fault of it can be vouched for.
    assert set(found[("app2", f)][0] for f in ("5", "6", "18")) == {"error"}
    assert "restart" in found[("app2", "5")][1].find("error").get("message")
    assert found[("web1", "5")][1].find("system-out").text == "fixed"
    assert found[("ghost", "5")][1].find("error").text == "connection: ssh: connect to host ghost port 22: timed out"
    assert found[("app1", "11")][1].find("error").get("type") == "fix failed"
    assert "active after the run, not before" in found[("batch1", "6")][1].find("failure").get("message")
    # 12 hosts x (9 faults + journal); failures: db1 18, batch1 6, skip1 16, hostile 18, part1 7, kept1's
    # journal; errors: app1 11, app2, ghost and busy1 whole (10 each); skipped: late1 whole.
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("120", "6", "31", "10")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == sorted(doc["remediation"])
    assert all(s.get("timestamp") == "2026-11-24T10:10:00" for s in suites)
    assert sum(int(s.get("tests")) for s in suites) == 120
    lock = found[("busy1", "5")][1].find("error")
    assert lock.get("type") == "host failed" and "pid 4711" in lock.text
    kept = found[("kept1", "journal")][1].find("failure")
    assert kept.get("type") == "journal kept" and "2 entries kept for a person" in kept.get("message")
    assert "backup: /var/lib/secure_endpoint/backups/1764000000-login.defs" in kept.text
    assert "1. Compare /etc/login.defs with the backup." in kept.text
    props = dict((p.get("name"), p.get("value")) for p in [s for s in suites if s.get("name") == "part1"][0].find("properties"))
    assert props["host status"] == "partly fixed"


def test_check_mode_would_be_fixed_is_still_a_failure():
    root, found = cases(report_junit.render_junit(load("remediation_check")))
    failure = found[("web1", "5")][1].find("failure")
    assert failure is not None and "would be fixed (check mode)" in failure.get("message")
    assert "status: would be fixed (check mode)" in failure.text
    props = dict((p.get("name"), p.get("value")) for p in root.find("testsuite").find("properties"))
    assert props == {"kind": "remediation", "host status": "would be fixed (check mode)", "check mode": "true"}


def test_xml_stays_valid_with_hostile_text():
    doc = load("facts")
    doc["hosts"]["db1"]["faults"]["5"]["evidence"].append(u"\x00\x01\x0b ]]> <![CDATA[ & \udcff \ufffe end")
    text = report_junit.render_junit(doc)
    text.encode("utf-8")
    _root, found = cases(text)
    body = found[("db1", "5")][1].find("failure").text
    assert u"\ufffd\ufffd\ufffd ]]> <![CDATA[ & \ufffd \ufffd end" in body
    assert found[(HOSTILE_HOST, "18")][1].get("classname") == HOSTILE_HOST


def test_empty_and_bad():
    root, found = cases(report_junit.render_junit({"schema": 2, "kind": "facts", "hosts": {}, "summary": {}}))
    assert found == {} and root.get("tests") == "0"
    with pytest.raises(ReportError):
        report_junit.render_junit({"schema": 1, "kind": "facts"})
