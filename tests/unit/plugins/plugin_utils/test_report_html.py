# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML page, read back with the standard library's HTML parser (the browser test in
tests/reports asks a real browser)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import copy
import hashlib
import re
from html.parser import HTMLParser

import pytest

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_html
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import ReportError
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.plugin_utils.report_fixtures import HOSTILE_HOST, load


class Page(HTMLParser):
    """Elements with their attributes, script bodies, and the text under each element id."""

    def __init__(self, source):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.tags, self.scripts, self.stack, self.texts = [], [], [], {}
        self._script = None
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = []
        if tag not in ("meta", "br", "input", "img", "link"):
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(u"".join(self._script))
            self._script = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        for _tag, attrs in self.stack:
            if "id" in attrs:
                self.texts[attrs["id"]] = self.texts.get(attrs["id"], u"") + data

    def find(self, tag=None, **want):
        return [a for t, a in self.tags if (tag is None or t == tag)
                and all(a.get(k.replace("_", "-")) == v for k, v in want.items())]


@pytest.mark.parametrize("name", ["facts", "remediation", "remediation_check"])
def test_one_script_its_hash_in_the_policy_and_no_external_reference(name):
    source = report_html.render_html(load(name))
    page = Page(source)
    assert page.scripts == [report_html.SCRIPT]
    policy = page.find("meta", http_equiv="Content-Security-Policy")[0]["content"]
    assert "default-src 'none'" in policy
    for directive, body in (("script-src", report_html.SCRIPT), ("style-src", report_html.STYLE)):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert "%s 'sha256-%s';" % (directive, digest) in policy
    assert source.count("<style>%s</style>" % report_html.STYLE) == 1 and source.count("<style") == 1
    assert source.count("<script") == 1 and source.count("</script") == 1
    for tag, attrs in page.tags:
        assert "src" not in attrs and tag not in ("link", "img", "iframe", "object", "embed")
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert str(attrs.get("href", "#")).startswith("#"), attrs
    assert not re.search(r"(?i)https?://|//[a-z0-9]", source.replace("http-equiv", ""))


def test_hostile_values_are_text():
    doc = load("facts")
    source = report_html.render_html(doc)
    page = Page(source)
    assert "__pwned" not in "".join(page.scripts)
    assert "<script>window.__pwned" not in source and "<img" not in source
    rows = [a for a in page.find("tr") if a.get("data-search", "").startswith(HOSTILE_HOST.lower())]
    assert len(rows) == 1
    host = [a for a in page.find("article") if a.get("data-host") == HOSTILE_HOST]
    assert host, "the hostile host name did not round-trip as an attribute value"
    text = page.texts[host[0]["id"]]
    assert HOSTILE_HOST in text
    assert u'</script><script>window.__pwned_evidence=1</script><img src=x onerror="window.__pwned_img=1">' in text
    assert u"A" * 5000 + u"<b>" + u"Z" * 5000 in text
    assert u"Ünïcödé \u2014 \u65e5\u672c\u8a9e \U0001f680" in text
    assert u"bell\ufffd nul\ufffd and an undecodable byte \ufffd end" in text
    source.encode("utf-8")  # lone surrogates would not encode


def test_summary_counts_are_the_documents():
    for name in ("facts", "remediation", "remediation_check"):
        doc = load(name)
        page = Page(report_html.render_html(doc))
        summary = doc["summary"]
        for key, _label in report_html.COUNTS:
            assert page.texts["count-" + key] == str(summary[key]), key
        faults = [a["data-fault"] for a in page.find("tr") if "data-fault" in a]
        assert faults == ["5", "6", "7", "8", "9", "11", "16", "18", "19"]
        assert [page.texts["active-%d" % i] for i in range(9)] == [str(summary["active_faults"][f]) for f in faults]
        statuses = [a["data-status"] for a in page.find("tr") if "data-status" in a]
        assert dict((s, page.texts["status-%d" % i]) for i, s in enumerate(statuses)) == dict(
            (k, str(v)) for k, v in summary.get("statuses", {}).items())


def matrix(page):
    """The matrix's states: ``({(host, fault): state}, {host: the status column's state})``."""
    cells, status, row = {}, {}, None
    for tag, attrs in page.tags:
        if tag == "tr" and "data-order" in attrs:
            row = attrs["data-detail"]
        if tag == "td" and "data-state" in attrs:
            if "data-fault" in attrs:
                cells[(row, attrs["data-fault"])] = attrs["data-state"]
            else:
                status[row] = attrs["data-state"]
    names = dict((a["id"], a["data-host"]) for a in page.find("article"))
    return (dict(((names[r], f), v) for (r, f), v in cells.items()), dict((names[r], v) for r, v in status.items()))


def test_matrix_states_facts():
    cells = matrix(Page(report_html.render_html(load("facts"))))[0]
    assert cells[("web1.example.com", "18")] == "active"
    assert cells[("db1", "5")] == "active"
    assert cells[("clean1", "5")] == "clear"
    assert set(cells[("ghost", f)] for f in ("5", "18")) == {"unreachable"}
    assert cells[("broken", "7")] == "failed"
    assert cells[("cached", "7")] == "unknown"


def test_matrix_states_remediation():
    cells = matrix(Page(report_html.render_html(load("remediation"))))[0]
    expected = {("web1", "5"): "fixed", ("db1", "7"): "fixed", ("db1", "18"): "needs_person",
                ("app1", "11"): "failed", ("batch1", "6"): "active", ("skip1", "16"): "active",
                ("ghost", "5"): "unreachable", ("late1", "5"): "unknown", ("app2", "5"): "fixed",
                ("web1", "18"): "clear", (HOSTILE_HOST, "18"): "needs_person", ("part1", "11"): "fixed",
                ("part1", "7"): "active", ("busy1", "5"): "unknown", ("kept1", "5"): "clear"}
    for key, state in expected.items():
        assert cells[key] == state, key
    check = Page(report_html.render_html(load("remediation_check")))
    assert [a["data-state"] for a in check.find("td", data_fault="5") if a["data-state"] != "clear"] == ["would_be_fixed"]
    assert check.find(id="check-mode")
    stopped = dict(load("remediation"), run_stopped=u"2 of 3 hosts of the batch failed <b>")
    page = Page(report_html.render_html(stopped))
    assert page.texts["run-stopped"] == u"run stopped: 2 of 3 hosts of the batch failed <b>"


def test_before_after_shown_for_remediation():
    page = Page(report_html.render_html(load("remediation")))
    host = [a for a in page.find("article") if a["data-host"] == "web1"][0]
    text = page.texts[host["id"]]
    assert "Before" in text and "active yes, reported no, detected yes" in text
    assert "After" in text and "active no, reported no, detected no" in text
    assert "login_defs_key /etc/login.defs USERGROUPS_ENAB restored" in text
    app2 = page.texts[[a for a in page.find("article") if a["data-host"] == "app2"][0]["id"]]
    assert "the connector did not come back" in app2


def test_cut_long_values_and_lists():
    doc = load("facts")
    doc["hosts"]["db1"]["faults"]["5"]["evidence"] = [u"x" * 40000] + [u"line %d" % i for i in range(2000)]
    source = report_html.render_html(doc)
    assert u"x" * 16384 + u" \u2026 [23616 more characters: see the JSON report]" in source
    assert u"line 498" in source and u"line 499" not in source and u"\u2026 1501 more: see the JSON report" in source


def test_empty_fleet_and_bad_documents():
    empty = {"schema": 2, "kind": "facts", "summary": {}, "hosts": {}}
    assert "No host in this report." in report_html.render_html(empty)
    for bad, message in ((None, "must be a dict"), ({"kind": "facts"}, "schema"), ({"schema": 1}, "schema"),
                         ({"schema": 2, "kind": "audit"}, "kind"), ({"schema": 2, "kind": "facts", "hosts": []}, "hosts"),
                         ({"schema": 2, "kind": "remediation", "remediation": [1]}, "remediation")):
        with pytest.raises(ReportError, match=message):
            report_html.render_html(bad)


def test_odd_types_inside_do_not_break_the_page():
    doc = copy.deepcopy(load("remediation"))
    doc["hosts"]["web1"]["faults"]["5"] = "not a dict"
    doc["hosts"]["db1"]["faults"]["18"]["evidence"] = {"a": "<b>"}
    doc["remediation"]["db1"]["faults"].append("junk")
    doc["remediation"]["web1"]["errors"] = ["not", "a", "dict"]
    doc["summary"]["active_faults"] = None
    source = report_html.render_html(doc)
    assert "&lt;b&gt;" in source and "<b>" not in source


def test_host_status_ids_read_as_words_and_a_host_with_a_fault_left_is_not_green():
    doc = load("remediation")
    source = report_html.render_html(doc)
    page = Page(source)
    states = matrix(page)[1]
    assert states["part1"] == "active" and states["web1"] == "fixed"
    assert states["busy1"] == "failed" and states["kept1"] == "needs_person"
    badges = dict((a["data-host"], page.texts[a["id"]]) for a in page.find("article"))
    assert badges["part1"].startswith("\npart1 partly fixed\n")
    assert "Still active after the run" in badges["part1"] and "fault 7: left out by choice" in badges["part1"]
    assert badges["busy1"].startswith("\nbusy1 not done: another run holds the host\n")
    assert "pid 4711 started 2026-11-24T10:09:00Z by awx job 42" in badges["busy1"]
    # ids stay in attributes; the words are the renderer's
    assert [a["data-status"] for a in page.find("tr") if "data-status" in a] == sorted(doc["summary"]["statuses"])
    assert "partly_fixed" not in page.texts["status-counts"] and "partly fixed" in page.texts["status-counts"]


def test_journal_kept_for_a_person_is_shown_with_its_backup_and_steps():
    page = Page(report_html.render_html(load("remediation")))
    text = page.texts[[a for a in page.find("article") if a["data-host"] == "kept1"][0]["id"]]
    assert text.startswith("\nkept1 needs a person\n")
    assert "Journal kept for a person" in text
    assert "journal/1764000000-login_defs_key.json: the file it names is not the configured login.defs" in text
    assert "(backup /var/lib/secure_endpoint/backups/1764000000-login.defs)" in text
    assert "Compare /etc/login.defs with the backup." in text
    # a plain line from the recovery gets the collection's own steps, and stays text
    assert "journal/1764000001-unreadable.json: not valid JSON <&>: kept for a person" in text
    assert "remediation_journal, action: list" in text
