# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JUnit file as a real JUnit consumer (junitparser, as CI tools read it) sees it: one case
per host x fault, and the verdicts the report's JSON implies."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_junit

DATA = os.path.join(os.path.dirname(__file__), "..", "unit", "data", "reports")


def load(name):
    with open(os.path.join(DATA, name + ".json")) as handle:
        return json.load(handle)


def verdicts(xml):
    out = {}
    for suite in xml:
        for case in suite:
            kinds = [type(r).__name__.lower() for r in case.result if isinstance(r, (Failure, Error, Skipped))]
            out[(case.classname, case.name.split(":")[0].split()[-1])] = kinds[0] if kinds else "passed"
    return out


@pytest.mark.parametrize("name", ["facts", "remediation", "remediation_check"])
def test_parsed_by_junitparser(artifacts, name):
    doc = load(name)
    path = os.path.join(artifacts, name + ".junit.xml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(report_junit.render_junit(doc))
    xml = JUnitXml.fromfile(path)
    hosts = set(doc["hosts"]) | set(doc.get("remediation", {}))
    assert len(list(xml)) == len(hosts)
    found = verdicts(xml)
    # nine faults per host, and the journal's case in a remediation report
    per_host = 9 if doc["kind"] == "facts" else 10
    assert len(found) == per_host * len(hosts)
    xml.update_statistics()
    assert xml.tests == len(found)
    assert xml.failures == sum(1 for v in found.values() if v == "failure")
    assert xml.errors == sum(1 for v in found.values() if v == "error")
    assert xml.skipped == sum(1 for v in found.values() if v == "skipped")
    # Cases per host: the JSON's hosts, each with the nine faults.
    for suite in xml:
        assert suite.name in hosts and suite.tests == per_host
    if doc["kind"] == "facts":
        summary = doc["summary"]
        assert xml.failures == sum(summary["active_faults"].values())
        assert xml.errors == 9 * (summary["unreachable"] + summary["failed"])
        assert xml.skipped == 9 * summary["no_facts"]
    else:
        # Every host not clear of faults, in the JSON, has a failing or erroring case here.
        for host, entry in doc["remediation"].items():
            bad = [k for k, v in found.items() if k[0] == host and v in ("failure", "error")]
            if entry["status"] in (rs.FAILED, rs.UNREACHABLE, rs.LOCK_BUSY, rs.NEEDS_PERSON, rs.NOT_ATTEMPTED,
                                   rs.PARTLY_FIXED, rs.WOULD_BE_PARTLY_FIXED, rs.WOULD_BE_FIXED):
                assert bad, host
            elif entry["status"] in (rs.FIXED, rs.NO_ACTIVE_FAULT):
                assert not bad, host
            if entry["faults_left"] or entry["journal_kept"]:
                assert bad, host
            if entry["journal_kept"]:
                assert found[(host, "journal")] == "failure", host


def test_a_gate_on_the_file(artifacts):
    """What a CI gate does: any failure or error in a remediation report fails the job."""
    path = os.path.join(artifacts, "gate.junit.xml")
    clean = {"schema": 2, "kind": "remediation", "check_mode": False, "summary": {}, "hosts": {},
             "remediation": {}}
    doc = load("remediation")
    clean["hosts"] = {"web1": doc["hosts"]["web1"]}
    clean["remediation"] = {"web1": doc["remediation"]["web1"]}
    for report, gate in ((clean, True), (doc, False)):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(report_junit.render_junit(report))
        xml = JUnitXml.fromfile(path)
        xml.update_statistics()
        assert (xml.failures + xml.errors == 0) is gate
