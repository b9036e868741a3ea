# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One reading of a fleet report document (schema 2, docs/DESIGN.md) shared by its renderers.

The HTML page, the JUnit file, the Markdown page and the summary lines must agree on what each
host x fault cell means and on the words for each status id; all ask here (``cell()``,
``host_status()``, ``label()``). Pure functions over the document, no I/O. A document that is
not a schema 2 report raises ``ReportError`` with a message that says what is wrong.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import re

from ansible_collections.secure_endpoint.linux.plugins.module_utils.fault_rules import TITLES
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_document import KINDS

FAULT_ORDER = rs.FAULT_ORDER

# Cell states, worst first (the HTML page sorts on this rank).
STATES = ("failed", "unreachable", "needs_person", "active", "would_be_fixed", "unknown", "fixed", "clear")
RANK = dict((state, index) for index, state in enumerate(STATES))

# The words for the status ids of the document (remediation_status) and for the cell states.
LABELS = {
    rs.FIXED: u"fixed",
    rs.PARTLY_FIXED: u"partly fixed",
    rs.WOULD_BE_FIXED: u"would be fixed (check mode)",
    rs.WOULD_BE_PARTLY_FIXED: u"would be partly fixed (check mode)",
    rs.NEEDS_PERSON: u"needs a person",
    rs.FAILED: u"failed",
    rs.NOT_ATTEMPTED: u"not attempted",
    rs.NO_ACTIVE_FAULT: u"no active fault",
    rs.UNREACHABLE: u"unreachable",
    rs.LOCK_BUSY: u"not done: another run holds the host",
    rs.NOT_PROCESSED: u"not processed",
    rs.NEW_FAULT: u"new after the run",
    "active": u"active",
    "unknown": u"unknown",
    "clear": u"clear",
}
# Why a fault is still active after the run, as a person reads it.
WHY = {
    rs.NOT_ATTEMPTED: u"left out by choice: its switch is off, or not selected by tags",
    rs.NEEDS_PERSON: u"needs a person",
    rs.FAILED: u"its fix failed",
    rs.NEW_FAULT: u"new after the run",
}

# Longest text a renderer shows of one value; the JSON report keeps everything.
MAX_TEXT = 16384
# Most items a renderer shows of one list (evidence lines, steps).
MAX_ITEMS = 500

_NOT_TEXT = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class ReportError(ValueError):
    """The input is not a fleet report document this collection can render."""


def text(value, limit=MAX_TEXT):
    """``value`` as display text: control characters, lone surrogates (undecodable bytes kept by
    surrogateescape) and non-characters become U+FFFD, which both XML 1.0 and HTML accept; longer
    than ``limit`` is cut with a note."""
    if value is None:
        return u""
    if isinstance(value, bool):
        value = u"yes" if value else u"no"
    elif isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, default=str)
    elif not isinstance(value, str):
        value = str(value)
    value = _NOT_TEXT.sub(u"\ufffd", value)
    if len(value) > limit:
        value = value[:limit] + u" \u2026 [%d more characters: see the JSON report]" % (len(value) - limit)
    return value


def items(value, limit=MAX_ITEMS):
    """A list to show: a non-list becomes a one-item list, a long one is cut with a note."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        return [value]
    value = list(value)
    if len(value) > limit:
        return value[:limit] + [u"\u2026 %d more: see the JSON report" % (len(value) - limit)]
    return value


def as_dict(value):
    return value if isinstance(value, dict) else {}


def label(status):
    """The words for a status id or a cell state; an id this collection does not know is shown as it is."""
    key = text(status, 200)
    return LABELS.get(key, key)


def fault_key(value):
    """Sort key for fault ids given as str or int ("5" < "11"); odd ids sort last, by text."""
    try:
        return (0, int(value), u"")
    except (TypeError, ValueError):
        return (1, 0, text(value))


def check(report):
    """Raise ``ReportError`` unless ``report`` is a schema 2 document; return its kind."""
    if not isinstance(report, dict):
        raise ReportError("the report must be a dict (the fleet report document), not %s" % type(report).__name__)
    if report.get("schema") != 2:
        raise ReportError("unsupported report schema %r: this renderer reads schema 2" % (report.get("schema"),))
    kind = report.get("kind")
    if kind not in KINDS:
        raise ReportError("report kind must be one of %s, not %r" % (", ".join(KINDS), kind))
    for key, wanted in (("hosts", dict), ("summary", dict), ("unreachable", list), ("failed", list),
                        ("no_facts", list)):
        if key in report and report[key] is not None and not isinstance(report[key], wanted):
            raise ReportError("report field %r must be a %s, not %s" % (key, wanted.__name__, type(report[key]).__name__))
    if kind == "remediation" and not isinstance(report.get("remediation") or {}, dict):
        raise ReportError("report field 'remediation' must be a dict of host to its remediation")
    return kind


class Report(object):
    """Read access to a checked report document."""

    def __init__(self, report):
        self.kind = check(report)
        self.doc = report
        self.hosts_facts = report.get("hosts") or {}
        self.summary = as_dict(report.get("summary"))
        self.unreachable = set(text(h) for h in report.get("unreachable") or [])
        self.failed = {}
        for entry in report.get("failed") or []:
            if isinstance(entry, dict):
                self.failed[text(entry.get("host"))] = text(entry.get("msg"))
        self.no_facts = set(text(h) for h in report.get("no_facts") or [])
        self.remediation = as_dict(report.get("remediation"))
        names = set(text(h) for h in self.hosts_facts) | self.unreachable | set(self.failed) | self.no_facts
        names |= set(text(h) for h in self.remediation)
        self.hosts = sorted(names)
        self.faults = self._fault_ids()
        self._titles = {}

    def _fault_ids(self):
        ids = set(FAULT_ORDER)
        for facts in self.hosts_facts.values():
            ids |= set(text(k) for k in as_dict(as_dict(facts).get("faults")))
        for entry in self.remediation.values():
            for fault in as_dict(entry).get("faults") or []:
                ids.add(text(as_dict(fault).get("fault")))
            for fault in as_dict(entry).get("new_faults") or []:
                ids.add(text(as_dict(fault).get("fault")))
        ids.discard(u"")
        return sorted(ids, key=fault_key)

    def title(self, fault):
        """The fault's title as the document gives it, else the collection's own."""
        if fault not in self._titles:
            self._titles[fault] = self._find_title(fault)
        return self._titles[fault]

    def _find_title(self, fault):
        for facts in self.hosts_facts.values():
            entry = as_dict(as_dict(as_dict(facts).get("faults")).get(fault))
            if entry.get("title"):
                return text(entry["title"], 200)
        for entry in self.remediation.values():
            for fault_entry in as_dict(entry).get("faults") or []:
                if text(as_dict(fault_entry).get("fault")) == fault and as_dict(fault_entry).get("title"):
                    return text(fault_entry["title"], 200)
        try:
            return TITLES.get(int(fault), u"")
        except ValueError:
            return u""

    def facts(self, host):
        """The host's facts (after the run for a remediation report), or None."""
        facts = self.hosts_facts.get(host)
        return facts if isinstance(facts, dict) else None

    def fault_facts(self, host, fault):
        return as_dict(as_dict(as_dict(self.facts(host)).get("faults")).get(fault)) or None

    def host_remediation(self, host):
        return as_dict(self.remediation.get(host))

    def fault_remediation(self, host, fault):
        for entry in self.host_remediation(host).get("faults") or []:
            if isinstance(entry, dict) and text(entry.get("fault")) == fault:
                return entry
        return None

    def new_fault(self, host, fault):
        for entry in self.host_remediation(host).get("new_faults") or []:
            if isinstance(entry, dict) and text(entry.get("fault")) == fault:
                return entry
        return None

    def host_errors(self, host):
        """Errors of a remediation that are not one fault's (connection, lock, facts, restart...):
        after them the run cannot vouch for any fault of the host."""
        errors = as_dict(self.host_remediation(host).get("errors"))
        return dict((text(k), text(v)) for k, v in errors.items() if text(k) not in self.faults)

    def manual_steps(self, host, fault):
        """What a person does for this fault on this host now: the remediation's steps (empty once
        fixed), else the facts' for an active fault."""
        if self.kind == "remediation":
            found = self.fault_remediation(host, fault) or self.new_fault(host, fault)
            if found is not None:
                return items(found.get("manual_steps"))
        entry = as_dict(self.fault_facts(host, fault))
        return items(as_dict(entry.get("remediation")).get("manual_steps")) if entry.get("active") else []

    def kept(self, host):
        """The host's journal entries kept for a person, each ``{entry, reason, backup, manual_steps}``."""
        kept = self.host_remediation(host).get("journal_kept")
        return rs.kept_entries(kept if isinstance(kept, list) else [])

    def faults_left(self, host):
        """``[(fault id, why label)]``: faults active after the run, with why (remediation)."""
        out = []
        for entry in self.host_remediation(host).get("faults_left") or []:
            entry = as_dict(entry)
            why = text(entry.get("why"), 200)
            out.append((text(entry.get("fault")), WHY.get(why, label(why))))
        return out

    def host_status(self, host):
        """``(state, label)`` of the host as a whole."""
        if host in self.unreachable:
            return "unreachable", label(rs.UNREACHABLE)
        if self.kind == "remediation":
            status = text(self.host_remediation(host).get("status"), 200)
            if status:
                return _status_state(status, self.facts(host) is not None), label(status)
        if host in self.failed:
            return "failed", label(rs.FAILED)
        facts = self.facts(host)
        if facts is None:
            return "unknown", u"no facts"
        active = [f for f in self.faults if as_dict(self.fault_facts(host, f)).get("active")]
        if active:
            return "active", u"%d active" % len(active)
        return "clear", label(rs.NO_ACTIVE_FAULT)

    def active_after(self, host, fault):
        """True or False from the host's facts (after the run), None when unknown."""
        entry = self.fault_facts(host, fault)
        if entry is None or "active" not in entry:
            return None
        return bool(entry.get("active"))

    def cell(self, host, fault):
        """``(state, label)`` of one host x fault cell; ``state`` is one of ``STATES``."""
        if host in self.unreachable or text(self.host_remediation(host).get("status")) == rs.UNREACHABLE:
            return "unreachable", label(rs.UNREACHABLE)
        if self.kind == "remediation":
            entry = self.fault_remediation(host, fault)
            if entry is not None:
                status = text(entry.get("status"), 200)
                return _fault_state(status, entry), label(status) if status else u"?"
            if self.new_fault(host, fault) is not None:
                return "active", label(rs.NEW_FAULT)
        if self.facts(host) is None:
            if host in self.failed:
                return "failed", u"host failed"
            return "unknown", u"no facts"
        active = self.active_after(host, fault)
        if active is None:
            return "unknown", u"not in the facts"
        return ("active", label("active")) if active else ("clear", label("clear"))


# Status id -> cell state; a fault not attempted is active unless the facts after the run say not.
_FAULT_STATES = {rs.FIXED: "fixed", rs.WOULD_BE_FIXED: "would_be_fixed", rs.NEEDS_PERSON: "needs_person",
                 rs.FAILED: "failed"}
_HOST_STATES = {rs.FIXED: "fixed", rs.NO_ACTIVE_FAULT: "clear", rs.WOULD_BE_FIXED: "would_be_fixed",
                rs.NEEDS_PERSON: "needs_person", rs.FAILED: "failed", rs.UNREACHABLE: "unreachable",
                # Nothing was done and the run fails the host: as bad as a failure for the reader.
                rs.LOCK_BUSY: "failed", rs.PARTLY_FIXED: "active", rs.WOULD_BE_PARTLY_FIXED: "active"}


def _fault_state(status, entry):
    if status in _FAULT_STATES:
        return _FAULT_STATES[status]
    if status == rs.NOT_ATTEMPTED:
        after = as_dict(entry.get("after"))
        return "clear" if after and not after.get("active", True) else "active"
    return "unknown"


def _status_state(status, has_facts):
    if status in _HOST_STATES:
        return _HOST_STATES[status]
    if status == rs.NOT_ATTEMPTED:
        return "active" if has_facts else "unknown"
    # not_processed (the run stopped before the host) and statuses this renderer does not know.
    return "unknown"
