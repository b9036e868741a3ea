# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report document (schema 2) as JUnit XML, for CI systems and AWX users to gate on.

One ``testsuite`` per host, one ``testcase`` per host x fault:

- ``failure``: the fault is active after the run (facts report: active; remediation report:
  needs a person, not attempted, would be fixed in check mode, or new after the run);
- ``error``: the host failed or was unreachable, the host's remediation failed as a whole
  (connection, another run holding the host, facts, restart), or this fault's fix failed;
- ``skipped``: no facts (the state is unknown, which is not a failure), or the run stopped
  before the host;
- passed otherwise (clear, or fixed).

A remediation report has one more case per host, ``journal``: a ``failure`` when journal entries
were kept on the host for a person (what, why, the backup, the steps), an ``error`` when the
host's remediation failed as a whole, passed otherwise.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
import xml.etree.ElementTree as ET

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import (
    Report, items, label, text)
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs

PACKAGE = "secure_endpoint.linux"
MESSAGE_MAX = 1000
JOURNAL_CASE = u"journal: entries kept for a person"
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})")


def _stamp(value):
    """JUnit's timestamp: ISO 8601 without a zone (the schema allows none; ours is UTC)."""
    match = _STAMP.match(text(value, 64))
    return match.group(1) if match else None


def _lines(label, values):
    values = [text(v) for v in items(values)]
    return [u"%s:" % label] + [u"  - %s" % v for v in values] if values else []


def _case_body(entry, rem, steps):
    """Text of a failure: causes, evidence, manual steps (what a person reads in the CI UI)."""
    out = []
    if rem:
        out.append(u"status: %s" % label(rem.get("status")))
        out += _lines(u"causes before the run", rem.get("causes"))
        out += _lines(u"causes still active", rem.get("still_active_causes"))
        out += _lines(u"notes", rem.get("notes"))
    else:
        out += _lines(u"causes", entry.get("causes"))
    out += _lines(u"evidence", entry.get("evidence"))
    out += _lines(u"manual steps", steps)
    return u"\n".join(out)


class _Outcome(object):
    __slots__ = ("kind", "type", "message", "body")

    def __init__(self, kind=None, type_=None, message=u"", body=u""):
        self.kind, self.type, self.message, self.body = kind, type_, message, body


def outcome(r, host, fault):
    """What one host x fault test case says (``kind`` None for passed)."""
    state, cell_label = r.cell(host, fault)
    entry = r.fault_facts(host, fault) or {}
    rem = r.fault_remediation(host, fault) if r.kind == "remediation" else None
    prefix = u"fault %s on %s: " % (fault, host)
    host_errors = r.host_errors(host) if r.kind == "remediation" else {}
    if state == "unreachable":
        body = u"\n".join(u"%s: %s" % (k, host_errors[k]) for k in sorted(host_errors)) or r.failed.get(host, u"")
        return _Outcome("error", u"unreachable", prefix + u"host unreachable", body)
    if host_errors:
        body = u"\n".join(u"%s: %s" % (k, host_errors[k]) for k in sorted(host_errors))
        return _Outcome("error", u"host failed", prefix + u"the host's remediation failed (%s)" % u", ".join(sorted(host_errors)), body)
    steps = r.manual_steps(host, fault)
    if state == "failed":
        if rem is not None:
            return _Outcome("error", u"fix failed", prefix + u"the fix failed: %s" % text(rem.get("error"), 300),
                            _case_body(entry, rem, steps))
        return _Outcome("error", u"host failed", prefix + u"host failed: %s" % r.failed.get(host, u""), r.failed.get(host, u""))
    if state == "unknown":
        return _Outcome("skipped", None, prefix + u"unknown (%s)" % cell_label)
    if r.kind == "remediation" and r.new_fault(host, fault) is not None and rem is None:
        new = r.new_fault(host, fault)
        return _Outcome("failure", u"active", prefix + u"active after the run, not before",
                        _case_body(entry, {"status": rs.NEW_FAULT, "causes": new.get("causes")}, steps))
    if state in ("active", "needs_person", "would_be_fixed"):
        causes = u", ".join(text(c, 200) for c in items(entry.get("causes") or (rem or {}).get("causes"))) or u"none named"
        return _Outcome("failure", u"active", prefix + u"active after the run (%s; causes: %s)" % (cell_label, causes),
                        _case_body(entry, rem, steps))
    return _Outcome(None, message=cell_label)


def journal_outcome(r, host):
    """What the host's ``journal`` test case says (remediation reports)."""
    prefix = u"journal of %s: " % host
    host_errors = r.host_errors(host)
    if host_errors:
        return _Outcome("error", u"host failed", prefix + u"not known: the host's remediation failed (%s)"
                        % u", ".join(sorted(host_errors)), u"\n".join(u"%s: %s" % (k, host_errors[k]) for k in sorted(host_errors)))
    if text(r.host_remediation(host).get("status")) in ("", rs.NOT_PROCESSED):
        return _Outcome("skipped", None, prefix + u"unknown (the run did not reach the host)")
    kept = r.kept(host)
    if not kept:
        return _Outcome(None, message=u"clear")
    body = []
    for item in kept:
        body.append(u"entry: %s" % text(item["entry"]))
        body += [u"  why: %s" % text(item["reason"])] if item["reason"] else []
        body += [u"  backup: %s" % text(item["backup"])] if item["backup"] else []
        body += [u"  manual steps:"] + [u"    %d. %s" % (i + 1, text(s)) for i, s in enumerate(items(item["manual_steps"]))]
    return _Outcome("failure", u"journal kept", prefix + u"%d entries kept for a person (%s)"
                    % (len(kept), u", ".join(text(item["entry"], 200) for item in kept)), u"\n".join(body))


def render_junit(report):
    """The report as JUnit XML (str). Raises ``ReportError`` for a document it cannot read."""
    r = Report(report)
    stamp = _stamp(r.doc.get("generated_at"))
    root = ET.Element("testsuites", {"name": u"%s %s" % (PACKAGE, r.kind)})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for index, host in enumerate(r.hosts):
        suite = ET.SubElement(root, "testsuite")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        props = ET.SubElement(suite, "properties")
        for name, value in ((u"kind", r.kind), (u"host status", r.host_status(host)[1]),
                            (u"check mode", u"true" if r.doc.get("check_mode") else u"false")):
            ET.SubElement(props, "property", {"name": name, "value": text(value, 300)})
        cases = [(u"fault %s: %s" % (fault, r.title(fault)), outcome(r, host, fault)) for fault in r.faults]
        if r.kind == "remediation":
            cases.append((JOURNAL_CASE, journal_outcome(r, host)))
        for name, result in cases:
            case = ET.SubElement(suite, "testcase", {"classname": text(host, 1000), "name": name, "time": "0"})
            counts["tests"] += 1
            if result.kind == "skipped":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", {"message": text(result.message, MESSAGE_MAX)})
            elif result.kind in ("failure", "error"):
                counts[result.kind + "s"] += 1
                node = ET.SubElement(case, result.kind, {"message": text(result.message, MESSAGE_MAX),
                                                         "type": result.type})
                node.text = text(result.body) or None
            elif result.message != u"clear":
                # Passed, but worth a line in the CI UI (fixed by the run).
                ET.SubElement(case, "system-out").text = text(result.message, MESSAGE_MAX)
        attrs = {"name": text(host, 1000), "id": str(index), "package": PACKAGE, "hostname": text(host, 1000),
                 "time": "0"}
        if stamp:
            attrs["timestamp"] = stamp
        attrs.update(dict((k, str(v)) for k, v in counts.items()))
        for key in sorted(attrs):
            suite.set(key, attrs[key])
        for key in totals:
            totals[key] += counts[key]
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    root.set("time", "0")
    return u'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + u"\n"
