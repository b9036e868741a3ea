# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every format says the same of each host: the status in the JSON, the words in the HTML badge,
the Markdown row, the JUnit suite's property and the summary line; a host with a fault still
active is green in none of them, and a host is failed by the run exactly when it is not done or
kept journal entries."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import (
    report_html, report_junit, report_markdown, report_summary)
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import LABELS
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.plugin_utils.report_fixtures import load


def html_badges(source):
    return dict((host, badge) for host, badge in re.findall(
        r'<article class="host" id="host-\d+" data-host="([^"]*)">\n<h3><span class="hostname">[^<]*</span> '
        r'<span class="badge s-(\w+)">', source))


@pytest.mark.parametrize("name", ["remediation", "remediation_check"])
def test_every_format_says_the_same_status(name):
    doc = load(name)
    html = report_html.render_html(doc)
    md = report_markdown.render_markdown(doc)
    junit = ET.fromstring(report_junit.render_junit(doc).encode("utf-8"))
    lines = dict(line.split(": ", 1) for line in report_summary.lines(doc))
    props = dict((s.get("name"), dict((p.get("name"), p.get("value")) for p in s.find("properties")))
                 for s in junit.findall("testsuite"))
    badges = html_badges(html)
    for host, entry in doc["remediation"].items():
        if host.startswith("evil"):
            continue  # escaped in HTML and Markdown; checked by the renderers' own tests
        words = LABELS[entry["status"]]
        assert props[host]["host status"] == words, host
        assert lines[host].split(" - ")[0] == words, host
        assert "| %s | %s |" % (host, words) in md, host
        if entry["faults_left"]:
            # a fault still active: no format shows the host as fixed or clear
            assert entry["status"] != rs.FIXED and badges[host] not in ("fixed", "clear"), host
            bad = [c for c in junit.iter("testcase") if c.get("classname") == host
                   and (c.find("failure") is not None or c.find("error") is not None)]
            assert bad, host


def test_the_run_fails_exactly_the_hosts_not_done_or_with_journal_kept():
    doc = load("remediation")
    failing = report_summary.failing_hosts(doc)
    expected = set(h for h, e in doc["remediation"].items() if e["status"] in rs.NOT_DONE or e["journal_kept"])
    assert set(failing) == expected == {"app1", "app2", "ghost", "busy1", "kept1"}
    assert failing["busy1"].startswith("Not remediated, another run holds the host: another run holds the host: pid 4711")
    assert failing["kept1"].startswith("Journal entries kept for a person: journal/1764000000-login_defs_key.json "
                                       "(the file it names is not the configured login.defs; backup ")
    assert "Steps: 1. Compare /etc/login.defs with the backup." in failing["kept1"]
    assert failing["ghost"] == "Remediation could not reach the host: connection: ssh: connect to host ghost port 22: timed out"
    assert report_summary.failing_hosts(load("remediation_check")) == {}
    facts = load("facts")
    assert report_summary.failing_hosts(facts) == {
        "ghost": "Could not reach the host", "broken": u'Reading the facts failed: interpreter not found: <b>bold</b> & "quotes"'}
    assert report_summary.lines(facts) == []


def test_summary_lines():
    lines = report_summary.lines(load("remediation"))
    assert "part1: partly fixed - 7: not attempted; 11: fixed" in lines
    assert "app2: failed - 5: fixed; error in restart" in lines
    assert "app1: failed - 11: failed" in lines
    assert "ghost: unreachable - error in connection" in lines
    assert [l for l in lines if l.startswith("kept1: needs a person - journal kept for a person: "
                                             "journal/1764000000-login_defs_key.json (the file it names")]
    assert [l for l in lines if l.startswith("busy1: not done: another run holds the host - lock: another run")]
