# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report document (schema 2) as Markdown, read through ``report_model`` like the HTML
page and the JUnit file, so that all three say the same of every host and fault.

Sections: the counts; for a remediation, the hosts by status and one row per host (faults, faults
left and why, errors); the faults that are not clear, per host; the hosts; journal entries kept
for a person; unreachable, failed and fact-less hosts; the manual steps grouped by fault. Every
value is text: ``|``, line breaks and HTML's ``& < >`` are escaped, long values cut.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from html import escape

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import (
    Report, as_dict, items, label, text)

CELL_TEXT = 1000
COUNTS = (("hosts", "Hosts"), ("with_facts", "with facts"), ("unreachable", "unreachable"), ("failed", "failed"),
          ("no_facts", "without facts"), ("hosts_with_active_faults", "with active faults"))
# Cells a reader must see (not clear, not unknown, and not the unreachable host's every fault).
SHOWN = ("failed", "needs_person", "active", "would_be_fixed", "fixed")
# Cells whose manual steps a person must follow (active after the run).
STEPS = ("failed", "needs_person", "active")


def _md(value, limit=CELL_TEXT):
    """A value as Markdown text that shows as itself, on one line."""
    value = escape(text(value, limit), quote=False)
    return value.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _yes(flag):
    return "yes" if flag else "no"


def _table(head, rows, empty="None."):
    if not rows:
        return [empty, ""] if empty else []
    out = ["| %s |" % " | ".join(head), "|%s" % ("---|" * len(head))]
    out += ["| %s |" % " | ".join(row) for row in rows]
    return out + [""]


class _Page(object):
    def __init__(self, report):
        self.r = Report(report)
        self.out = []
        # (fault, steps) -> hosts, gathered by faults() in its pass over the cells
        self.by_steps = {}

    def render(self):
        r, doc = self.r, self.r.doc
        self.out += ["# Secure Endpoint connector %s report" % ("remediation" if r.kind == "remediation" else "fleet"), ""]
        if doc.get("generated_at"):
            self.out += ["Generated: %s" % _md(doc["generated_at"], 64), ""]
        if doc.get("check_mode"):
            self.out += ["Check mode: nothing was changed; statuses say what a real run would do.", ""]
        if doc.get("run_stopped"):
            self.out += ["**Run stopped:** %s" % _md(doc["run_stopped"]), ""]
        summary = r.summary
        self.out += [", ".join("%s: %s" % (name, _md(summary.get(key, 0))) for key, name in COUNTS), ""]
        counts = as_dict(summary.get("active_faults"))
        self.out += _table(["fault", "title", "hosts with it active" + (" after the run" if r.kind == "remediation" else "")],
                           [[_md(f), _md(r.title(f)), _md(counts[f])] for f in r.faults if counts.get(f)], empty=None)
        if r.kind == "remediation":
            self.remediation()
        self.faults()
        self.hosts()
        if r.kind == "remediation":
            self.kept()
        for key, title in (("unreachable", "Unreachable hosts"), ("no_facts", "Hosts without facts")):
            if doc.get(key):
                self.out += ["## %s" % title, ""] + ["- %s" % _md(h) for h in items(doc[key])] + [""]
        if r.failed:
            self.out += ["## Failed hosts", ""] + ["- %s: %s" % (_md(h), _md(m)) for h, m in sorted(r.failed.items())] + [""]
        self.steps()
        return "\n".join(self.out).rstrip("\n") + "\n"

    def remediation(self):
        r = self.r
        statuses = as_dict(r.summary.get("statuses"))
        order = [s for s in rs.HOST_STATUSES if s in statuses] + sorted(s for s in statuses if s not in rs.HOST_STATUSES)
        self.out += ["## Remediation", ""]
        self.out += _table(["status", "hosts"], [[_md(label(s)), _md(statuses[s])] for s in order])
        rows = []
        for host in sorted(r.remediation):
            entry = r.host_remediation(host)
            faults = "; ".join("%s: %s" % (text(f.get("fault")), label(f.get("status")))
                               for f in entry.get("faults") or [] if isinstance(f, dict))
            left = "; ".join("%s (%s)" % (fault, why) for fault, why in r.faults_left(host))
            errors = "; ".join("%s: %s" % (text(k), text(v)) for k, v in sorted(as_dict(entry.get("errors")).items()))
            rows.append([_md(host), _md(r.host_status(host)[1]), _md(faults or "-"), _md(left or "-"),
                         _md(errors or "-")])
        self.out += _table(["host", "status", "faults", "still active after the run (why)", "errors"], rows)

    def faults(self):
        r = self.r
        rows = []
        for host in r.hosts:
            for fault in r.faults:
                state, cell = r.cell(host, fault)
                entry = as_dict(r.fault_facts(host, fault))
                rem = (r.fault_remediation(host, fault) or r.new_fault(host, fault)) if r.kind == "remediation" else None
                # A host without facts is one row of the hosts table, not a row per fault.
                if state not in SHOWN or (rem is None and r.facts(host) is None):
                    continue
                steps = tuple(text(s) for s in r.manual_steps(host, fault)) if state in STEPS else ()
                if steps:
                    self.by_steps.setdefault((fault, steps), []).append(host)
                causes = as_dict(rem).get("causes") if rem is not None else entry.get("causes")
                fix = as_dict(entry.get("remediation"))
                rows.append([_md(host), _md(fault), _md(r.title(fault)), _md(cell),
                             _md(", ".join(text(c, 200) for c in items(causes)) or "-"),
                             _md(_yes(fix.get("automatic")) if fix else "-"), _md(fix.get("role") or "-")])
        self.out += ["## Faults" + (" (before and after the run)" if r.kind == "remediation" else " (active)"), ""]
        self.out += _table(["host", "fault", "title", "state", "causes", "automatic fix", "role"], rows)

    def hosts(self):
        r = self.r
        rows = []
        for host in r.hosts:
            facts = r.facts(host)
            status = r.host_status(host)[1]
            if facts is None:
                rows.append([_md(host), _md(status), "", "", "", ""])
                continue
            rows.append([_md(host), _md(status), _yes(facts.get("installed")), _md(facts.get("version") or ""),
                         _md(as_dict(facts.get("service")).get("state") or ""),
                         _md("; ".join(text(e, 300) for e in items(facts.get("errors"))) or "-")])
        self.out += ["## Hosts", ""]
        self.out += _table(["host", "status", "installed", "version", "service", "facts errors"], rows)

    def kept(self):
        r = self.r
        found = [(host, r.kept(host)) for host in sorted(r.remediation)]
        found = [(host, kept) for host, kept in found if kept]
        if not found:
            return
        self.out += ["## Journal entries kept for a person", ""]
        for host, kept in found:
            for item in kept:
                self.out.append("- %s: %s" % (_md(host), _md(item["entry"])))
                if item["reason"]:
                    self.out.append("  - why: %s" % _md(item["reason"]))
                if item["backup"]:
                    self.out.append("  - backup: %s" % _md(item["backup"]))
                self.out += ["  %d. %s" % (i + 1, _md(step)) for i, step in enumerate(items(item["manual_steps"]))]
        self.out.append("")

    def steps(self):
        r = self.r
        if not self.by_steps:
            return
        self.out += ["## Manual steps", ""]
        for (fault, steps), hosts in sorted(self.by_steps.items(), key=lambda item: (r.faults.index(item[0][0]), item[1])):
            self.out += ["### Fault %s on %s" % (_md(fault), ", ".join(_md(h) for h in hosts)), ""]
            self.out += ["%d. %s" % (i + 1, _md(step)) for i, step in enumerate(steps)] + [""]


def render_markdown(report):
    """The report as Markdown (str). Raises ``ReportError`` for a document it cannot read."""
    return _Page(report).render()
