# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run's summary as text (remediation reports): one line per host, and for each host that
makes the run fail, why (the message of the report play's fail task).

A host makes the run fail when it is not done (``remediation_status.NOT_DONE``: failed,
unreachable, held by another run) or when journal entries were kept on it for a person.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import Report, as_dict, label, text

LINE_TEXT = 300


def _kept_text(kept):
    parts = []
    for item in kept:
        extra = [text(item["reason"], LINE_TEXT)] if item["reason"] else []
        extra += ["backup %s" % text(item["backup"], LINE_TEXT)] if item["backup"] else []
        parts.append("%s%s" % (text(item["entry"], LINE_TEXT), " (%s)" % "; ".join(extra) if extra else ""))
    return ", ".join(parts)


def host_line(report, host):
    """``host: status - 5: fixed; 7: not attempted; new fault 11; error in restart; journal kept ...``
    (``report`` a ``report_model.Report``; a fault's own error shows as its status, failed)."""
    entry = report.host_remediation(host)
    details = ["%s: %s" % (text(f.get("fault")), label(f.get("status")))
               for f in entry.get("faults") or [] if isinstance(f, dict)]
    details += ["new fault %s" % text(f.get("fault")) for f in entry.get("new_faults") or [] if isinstance(f, dict)]
    errors = report.host_errors(host)
    details += ["%s: %s" % (key, text(errors[key], LINE_TEXT)) if key == "lock" else "error in %s" % key
                for key in sorted(errors)]
    kept = report.kept(host)
    if kept:
        details.append("journal kept for a person: %s" % _kept_text(kept))
    status = report.host_status(host)[1]
    return "%s: %s%s" % (host, status, (" - " + "; ".join(details)) if details else "")


def lines(document):
    """One line per host of a remediation report, sorted by host; none for a facts report."""
    report = Report(document)
    if report.kind != "remediation":
        return []
    return [host_line(report, host) for host in sorted(report.remediation)]


def failing_hosts(document):
    """``{host: why}`` for every host that makes the run fail (see the module's docstring)."""
    report = Report(document)
    out = {}
    if report.kind != "remediation":
        for host in sorted(report.unreachable):
            out[host] = "Could not reach the host"
        for host, message in sorted(report.failed.items()):
            out[host] = "Reading the facts failed: %s" % message
        return out
    for host in sorted(report.remediation):
        entry = report.host_remediation(host)
        status = text(entry.get("status"))
        errors = "; ".join("%s: %s" % (k, text(v, LINE_TEXT)) for k, v in sorted(as_dict(entry.get("errors")).items()))
        reasons = []
        if status == rs.UNREACHABLE:
            reasons.append("Remediation could not reach the host: %s" % errors)
        elif status == rs.LOCK_BUSY:
            reasons.append("Not remediated, another run holds the host: %s"
                           % text(as_dict(entry.get("errors")).get("lock"), LINE_TEXT))
        elif status == rs.FAILED:
            reasons.append("Remediation failed: %s" % errors)
        kept = report.kept(host)
        if kept:
            steps = []
            for item in kept:
                steps += [step for step in item["manual_steps"] if step not in steps]
            reasons.append("Journal entries kept for a person: %s. Steps: %s" % (
                _kept_text(kept), " ".join("%d. %s" % (i + 1, text(s, LINE_TEXT)) for i, s in enumerate(steps))))
        if reasons:
            out[host] = " | ".join(reasons)
    return out
