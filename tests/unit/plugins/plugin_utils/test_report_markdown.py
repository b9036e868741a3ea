# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Markdown page, rendered from the same reading of the document as the HTML and JUnit files."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_markdown
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import ReportError
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.plugin_utils.report_fixtures import load


def rows(text, head):
    """The rows of the table whose header line starts with ``head``, as lists of cells."""
    lines = text.splitlines()
    start = [i for i, line in enumerate(lines) if line.startswith(head)][0] + 2
    out = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        out.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return out


def test_facts_report():
    text = report_markdown.render_markdown(load("facts"))
    assert text.startswith("# Secure Endpoint connector fleet report\n\nGenerated: 2026-11-24T10:00:00Z\n")
    assert "Hosts: 7, with facts: 4, unreachable: 1, failed: 1, without facts: 1, with active faults: 3" in text
    counts = rows(text, "| fault | title |")
    assert counts == [["5", "Scan service user unavailable", "1"], ["18", "Connector event monitoring overloaded", "2"]]
    faults = rows(text, "| host | fault |")
    assert ["db1", "5", "Scan service user unavailable", "active", "scan_user_missing", "yes",
            "secure_endpoint.linux.scan_user"] in faults
    assert not [r for r in faults if r[0] in ("broken", "ghost", "cached")]  # no facts: no fault rows
    hosts = dict((r[0], r[1]) for r in rows(text, "| host | status |"))
    assert (hosts["ghost"], hosts["broken"], hosts["cached"], hosts["clean1"]) == (
        "unreachable", "failed", "no facts", "no active fault")
    assert "## Unreachable hosts\n\n- ghost" in text and "## Hosts without facts\n\n- cached" in text
    assert "- broken: interpreter not found: &lt;b&gt;bold&lt;/b&gt; &amp; \"quotes\"" in text
    assert "### Fault 18 on evil" in text and "1. Review the most active processes in the evidence." in text
    assert "## Remediation" not in text


def test_remediation_report_statuses_in_words_and_faults_left():
    doc = load("remediation")
    text = report_markdown.render_markdown(doc)
    statuses = dict((r[0], r[1]) for r in rows(text, "| status | hosts |"))
    assert statuses == {"unreachable": "1", "not done: another run holds the host": "1", "failed": "2",
                        "needs a person": "4", "partly fixed": "1", "not attempted": "1", "fixed": "1",
                        "not processed": "1"}
    hosts = dict((r[0], r[1:]) for r in rows(text, "| host | status | faults |"))
    assert hosts["part1"] == ["partly fixed", "7: not attempted; 11: fixed",
                              "7 (left out by choice: its switch is off, or not selected by tags)", "-"]
    assert hosts["web1"] == ["fixed", "5: fixed", "-", "-"]
    assert hosts["batch1"][2] == "6 (new after the run)"
    assert hosts["busy1"][0] == "not done: another run holds the host" and "pid 4711" in hosts["busy1"][3]
    assert hosts["kept1"][0] == "needs a person"
    faults = dict(((r[0], r[1]), r[3]) for r in rows(text, "| host | fault |"))
    assert faults[("part1", "7")] == "not attempted" and faults[("part1", "11")] == "fixed"


def test_journal_kept_for_a_person():
    text = report_markdown.render_markdown(load("remediation"))
    section = text.split("## Journal entries kept for a person\n\n", 1)[1].split("\n## ", 1)[0]
    assert section.startswith("- kept1: journal/1764000000-login_defs_key.json\n"
                              "  - why: the file it names is not the configured login.defs\n"
                              "  - backup: /var/lib/secure_endpoint/backups/1764000000-login.defs\n"
                              "  1. Compare /etc/login.defs with the backup.\n")
    assert "- kept1: journal/1764000001-unreadable.json: not valid JSON &lt;&amp;&gt;: kept for a person" in section
    assert "remediation_journal, action: list" in section


def test_check_mode_and_run_stopped():
    doc = dict(load("remediation_check"), run_stopped="stopped | here\nnow")
    text = report_markdown.render_markdown(doc)
    assert "Check mode: nothing was changed" in text and "**Run stopped:** stopped \\| here now" in text
    hosts = dict((r[0], r[1:]) for r in rows(text, "| host | status | faults |"))
    assert hosts["web1"] == ["would be fixed (check mode)", "5: would be fixed (check mode)", "-", "-"]


def test_values_are_text():
    doc = load("facts")
    text = report_markdown.render_markdown(doc)
    assert "<script>" not in text and "&lt;script&gt;window.__pwned_host=1&lt;/script&gt;" in text
    doc["hosts"]["db1"]["faults"]["5"]["causes"] = [u"a|b\nc", u"bell\x07 \udcff"]
    assert u"| a\\|b c, bell\ufffd \ufffd |" in report_markdown.render_markdown(doc)


def test_empty_and_bad():
    text = report_markdown.render_markdown({"schema": 2, "kind": "facts", "summary": {}, "hosts": {}})
    assert "## Faults (active)\n\nNone." in text and "## Hosts\n\nNone." in text
    with pytest.raises(ReportError, match="schema"):
        report_markdown.render_markdown({"schema": 1})
