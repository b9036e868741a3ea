# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report document (schema 2) as one self-contained HTML page.

No external asset and no network: CSS and JS are inline, and the page's own
Content-Security-Policy allows nothing else (``default-src 'none'``; the one script by its
hash). Every value of the document is escaped as text; the page embeds no JSON. Everything is
readable with scripts off: the script only adds sorting and a text filter to the matrix.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import hashlib
from html import escape

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import (
    RANK, STATES, Report, as_dict, items, label, text)

LABELS = {"facts": u"facts", "remediation": u"remediation"}
COUNTS = (("hosts", u"Hosts"), ("with_facts", u"With facts"), ("hosts_with_active_faults", u"With active faults"),
          ("unreachable", u"Unreachable"), ("failed", u"Failed"), ("no_facts", u"Without facts"))
STATE_HELP = {
    "failed": u"the host or this fault's fix failed",
    "unreachable": u"the host could not be reached",
    "needs_person": u"active; the documented fix needs a person",
    "active": u"active after the run",
    "would_be_fixed": u"check mode: the run would fix it",
    "unknown": u"no facts: state unknown (not broken)",
    "fixed": u"was active, fixed by the run",
    "clear": u"not active",
}

STYLE = u"""
:root{color-scheme:light;--fg:#1d2125;--muted:#5c646c;--line:#d0d5da}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;padding:1rem 1.5rem;max-width:110rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:0 0 .4rem;overflow-wrap:anywhere}h4{font-size:.95rem;margin:.8rem 0 .3rem}
.meta{color:var(--muted);margin:.2rem 0}.check{color:#7a4b00}
.counts{display:flex;flex-wrap:wrap;gap:.6rem;margin:.5rem 0;padding:0}
.count{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;min-width:8rem}
.count dt{color:var(--muted);font-size:.85rem}.count dd{margin:0;font-size:1.4rem;font-weight:600}
table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f1f3f5;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto;max-width:100%}
.tables{display:flex;flex-wrap:wrap;gap:0 2rem;align-items:flex-start}caption{text-align:left;font-weight:600;padding:.2rem 0}
#matrix th[scope=row]{min-width:9rem;max-width:24rem;overflow-wrap:anywhere;font-weight:600}
#matrix td{white-space:nowrap;font-size:.85rem}
button.sort{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button.sort::after{content:" \\25B2"}th[aria-sort=descending] button.sort::after{content:" \\25BC"}
.controls{margin:.4rem 0}.controls input{font:inherit;padding:.2rem .4rem;width:22rem;max-width:100%}
.legend{display:flex;flex-wrap:wrap;gap:.4rem;padding:0;list-style:none}
.legend li{padding:.1rem .5rem;border-radius:4px}
.badge{display:inline-block;padding:0 .45rem;border-radius:4px;font-size:.85rem;font-weight:600}
.s-failed{background:#8b1a1a;color:#fff}.s-unreachable{background:#6c757d;color:#fff}
.s-needs_person{background:#f2c12e;color:#1d2125}.s-active{background:#d9480f;color:#fff}
.s-would_be_fixed{background:#a5d8ff;color:#1d2125}.s-unknown{background:#f1f3f5;color:#495057;outline:1px dashed #adb5bd;outline-offset:-3px}
.s-fixed{background:#2b8a3e;color:#fff}.s-clear{background:#f4fbf5;color:#6b8f74}
.host{border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;margin:.6rem 0}
.host dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.3rem 0}
.host dl.kv dt{color:var(--muted)}.host dl.kv dd{margin:0;overflow-wrap:anywhere}
.fault{border-left:4px solid var(--line);padding:.1rem .8rem;margin:.6rem 0}
.host dl.kv dd ul,.host dl.kv dd ol{margin:0;padding-left:1.2rem}ul.evidence code,.msg{white-space:pre-wrap;overflow-wrap:anywhere}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.none{color:var(--muted)}
@media print{.controls{display:none}*{print-color-adjust:exact;-webkit-print-color-adjust:exact}thead th{position:static}}
"""

# The page's only script: sorting of the matrix and the text filter (matrix rows and host
# details). It reads the DOM only; nothing of the report is ever evaluated as code.
SCRIPT = u"""
(function () {
  "use strict";
  var table = document.getElementById("matrix");
  if (!table || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = table.tHead.rows[0].cells;
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  document.getElementById("controls").hidden = false;

  function applyFilter() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row) {
      var hay = row.getAttribute("data-search") || "";
      var hit = words.every(function (w) { return hay.indexOf(w) !== -1; });
      row.hidden = !hit;
      var detail = document.getElementById(row.getAttribute("data-detail"));
      if (detail) { detail.hidden = !hit; }
      if (hit) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " hosts shown";
  }

  function key(row, index) {
    var cell = row.cells[index];
    var rank = cell.getAttribute("data-rank");
    return rank === null ? cell.textContent.toLowerCase() : Number(rank);
  }

  function sortBy(index) {
    var th = heads[index];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.slice().sort(function (a, b) {
      var ka = key(a, index), kb = key(b, index);
      var c = ka < kb ? -1 : (ka > kb ? 1 : 0);
      if (c === 0) { c = Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order")); }
      return ascending ? c : -c;
    }).forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(heads, function (th, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", function () { sortBy(index); });
  });
  input.addEventListener("input", applyFilter);
  applyFilter();
}());
"""


def _sha256(source):
    return base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


# Only the page's own style sheet and script, by their hashes; nothing from anywhere else.
CSP = (u"default-src 'none'; style-src 'sha256-%s'; script-src 'sha256-%s'; img-src data:; "
       u"base-uri 'none'; form-action 'none'" % (_sha256(STYLE), _sha256(SCRIPT)))


def _e(value, limit=None):
    """Escape any value of the document as HTML text (also safe inside a quoted attribute)."""
    return escape(text(value) if limit is None else text(value, limit), quote=True)


def _cls(state):
    return u"s-" + state


def _count(value):
    return u"\u2013" if value is None else _e(value)


def _kv(pairs):
    out = [u'<dl class="kv">']
    for name, value in pairs:
        out.append(u"<dt>%s</dt><dd>%s</dd>" % (_e(name), value))
    out.append(u"</dl>")
    return u"".join(out)


def _list(values, tag=u"ul", cls=None, code=False):
    values = items(values)
    if not values:
        return u'<span class="none">none</span>'
    inner = (u"<li><code>%s</code></li>" if code else u"<li>%s</li>")
    attr = u' class="%s"' % cls if cls else u""
    return u"<%s%s>%s</%s>" % (tag, attr, u"".join(inner % _e(v) for v in values), tag)


class _Page(object):
    def __init__(self, report):
        self.r = Report(report)
        self.out = []

    def add(self, *parts):
        self.out.extend(parts)

    def render(self):
        r = self.r
        kind = r.kind
        doc = r.doc
        title = u"Secure Endpoint connector fleet report (%s)" % LABELS[kind]
        self.add(u"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
                 u'<meta http-equiv="Content-Security-Policy" content="%s">\n' % _e(CSP),
                 u'<meta name="referrer" content="no-referrer">\n',
                 u'<meta name="viewport" content="width=device-width, initial-scale=1">\n',
                 u"<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n" % (_e(title), STYLE))
        self.add(u'<header>\n<h1>%s</h1>\n<p class="meta"><span id="kind">%s</span> report' % (_e(title), _e(kind)))
        if doc.get("generated_at"):
            self.add(u' \u00b7 generated <time id="generated-at">%s</time>' % _e(doc.get("generated_at"), 64))
        if doc.get("check_mode"):
            self.add(u' \u00b7 <strong class="check" id="check-mode">check mode: nothing was changed, '
                     u'statuses say what a real run would do</strong>')
        if doc.get("run_stopped"):
            self.add(u' \u00b7 <strong class="check" id="run-stopped">run stopped: %s</strong>' % _e(doc.get("run_stopped"), 1000))
        self.add(u"</p>\n</header>\n")
        self.summary()
        self.matrix()
        self.details()
        self.add(u"<script>%s</script>\n</body>\n</html>\n" % SCRIPT)
        return u"".join(self.out)

    def summary(self):
        r = self.r
        summary = r.summary
        self.add(u'<section id="summary">\n<h2>Summary</h2>\n<dl class="counts">')
        for key, name in COUNTS:
            self.add(u'<div class="count" data-key="%s"><dt>%s</dt><dd id="count-%s">%s</dd></div>'
                     % (key, _e(name), key, _count(summary.get(key))))
        self.add(u'</dl>\n<div class="tables">\n')
        active = as_dict(summary.get("active_faults"))
        self.add(u'<table id="fault-counts"><caption>Hosts with the fault active%s</caption>\n'
                 % (u" after the run" if r.kind == "remediation" else u""),
                 u'<thead><tr><th scope="col">Fault</th><th scope="col">Title</th><th scope="col">Hosts</th></tr></thead>\n<tbody>')
        for index, fault in enumerate(r.faults):
            self.add(u'<tr data-fault="%s"><td>%s</td><td>%s</td><td class="n" id="active-%d">%s</td></tr>'
                     % (_e(fault), _e(fault), _e(r.title(fault)), index, _count(active.get(fault))))
        self.add(u"</tbody></table>\n")
        if r.kind == "remediation":
            statuses = as_dict(summary.get("statuses"))
            self.add(u'<table id="status-counts"><caption>Hosts by remediation status</caption>\n'
                     u'<thead><tr><th scope="col">Status</th><th scope="col">Hosts</th></tr></thead>\n<tbody>')
            for index, status in enumerate(sorted(statuses, key=text)):
                self.add(u'<tr data-status="%s"><td>%s</td><td class="n" id="status-%d">%s</td></tr>'
                         % (_e(status, 200), _e(label(status)), index, _count(statuses[status])))
            if not statuses:
                self.add(u'<tr><td colspan="2" class="none">none</td></tr>')
            self.add(u"</tbody></table>\n")
        self.add(u"</div>\n</section>\n")

    def matrix(self):
        r = self.r
        self.add(u'<section id="matrix-section">\n<h2>Hosts \u00d7 faults</h2>\n<ul class="legend" id="legend">')
        for state in STATES:
            self.add(u'<li class="%s" title="%s">%s</li>' % (_cls(state), _e(STATE_HELP[state]), _e(label(state))))
        self.add(u"</ul>\n",
                 u'<div class="controls" id="controls" hidden><label for="filter">Filter hosts</label> '
                 u'<input id="filter" type="search" autocomplete="off" spellcheck="false" '
                 u'placeholder="host, status, fault, cause"> <output id="shown" for="filter"></output></div>\n',
                 u'<div class="scroll"><table id="matrix">\n<thead><tr><th scope="col">Host</th>'
                 u'<th scope="col" data-sort="rank">Status</th>')
        for fault in r.faults:
            self.add(u'<th scope="col" data-fault="%s" title="%s">%s</th>' % (_e(fault), _e(r.title(fault)), _e(fault)))
        self.add(u"</tr></thead>\n<tbody>\n")
        for index, host in enumerate(r.hosts):
            state, host_label = r.host_status(host)
            cells, search = [], [host, host_label]
            for fault in r.faults:
                cell_state, cell_label = r.cell(host, fault)
                active = r.active_after(host, fault)
                # The cell shows the status without its parenthesis; the tooltip has all of it.
                cells.append(u'<td class="%s" data-fault="%s" data-state="%s" data-rank="%d" data-active="%s" '
                             u'title="fault %s: %s">%s</td>'
                             % (_cls(cell_state), _e(fault), _e(cell_state), RANK[cell_state],
                                u"" if active is None else (u"1" if active else u"0"),
                                _e(fault), _e(cell_label, 200), _e(cell_label.split(u" (")[0], 200)))
                if cell_state != "clear":
                    search.append(u"%s %s %s" % (fault, cell_label, u" ".join(
                        text(c, 200) for c in items(as_dict(r.fault_facts(host, fault)).get("causes")))))
            self.add(u'<tr data-order="%d" data-detail="host-%d" data-search="%s"><th scope="row">'
                     u'<a href="#host-%d">%s</a></th><td class="%s" data-state="%s" data-rank="%d">%s</td>%s</tr>\n'
                     % (index, index, _e(u" ".join(search).lower()), index, _e(host), _cls(state), _e(state),
                        RANK[state], _e(host_label, 200), u"".join(cells)))
        self.add(u"</tbody></table></div>\n</section>\n")

    def details(self):
        r = self.r
        self.add(u'<section id="details">\n<h2>Hosts</h2>\n')
        for index, host in enumerate(r.hosts):
            state, host_label = r.host_status(host)
            self.add(u'<article class="host" id="host-%d" data-host="%s">\n<h3><span class="hostname">%s</span> '
                     u'<span class="badge %s">%s</span></h3>\n' % (index, _e(host), _e(host), _cls(state), _e(host_label, 200)))
            self.host_body(host)
            self.add(u"</article>\n")
        if not r.hosts:
            self.add(u'<p class="none">No host in this report.</p>\n')
        self.add(u"</section>\n")

    def host_body(self, host):
        r = self.r
        facts = r.facts(host)
        pairs = []
        if host in r.unreachable:
            pairs.append((u"Reachable", u"no"))
        if host in r.failed:
            pairs.append((u"Failed", u'<span class="msg">%s</span>' % _e(r.failed[host] or u"(no message)")))
        if facts is not None:
            service = as_dict(facts.get("service"))
            status = as_dict(as_dict(facts.get("ampcli")).get("status"))
            pairs += [(u"Connector installed", _e(facts.get("installed"))),
                      (u"Version", _e(facts.get("version") or u"unknown")),
                      (u"Service", _e(u"%s %s" % (text(service.get("name")), text(service.get("state") or u"unknown")))),
                      (u"Connector says", _e(u", ".join(u"%s: %s" % (k, text(status[k], 300)) for k in sorted(status)) or u"nothing"))]
        elif host not in r.unreachable and host not in r.failed:
            pairs.append((u"Facts", u"none: the state of this host is unknown"))
        if r.kind == "remediation":
            rem = r.host_remediation(host)
            if rem:
                pairs.append((u"Remediation", _e(label(rem.get("status")))))
                left = r.faults_left(host)
                if left:
                    pairs.append((u"Still active after the run", _list([u"fault %s: %s" % item for item in left])))
                kept = r.kept(host)
                if kept:
                    pairs.append((u"Journal kept for a person", u'<ul class="kept">%s</ul>' % u"".join(
                        _kept_item(item) for item in kept)))
                pairs += [(u"Connector restarted", _e(bool(rem.get("restarted")))),
                          (u"Journal repaired", _list(rem.get("journal_repaired")))]
            errors = as_dict(rem.get("errors"))
            if errors:
                pairs.append((u"Errors", u"<ul>%s</ul>" % u"".join(
                    u'<li><strong>%s</strong>: <span class="msg">%s</span></li>' % (_e(k, 200), _e(errors[k]))
                    for k in sorted(errors, key=text))))
        if facts is not None and facts.get("errors"):
            pairs.append((u"Facts errors", _list(facts.get("errors"), code=True)))
        self.add(_kv(pairs))
        shown = 0
        for fault in r.faults:
            shown += self.fault_block(host, fault)
        if not shown and facts is not None:
            self.add(u'<p class="none">No active fault.</p>\n')

    def fault_block(self, host, fault):
        r = self.r
        state, cell_label = r.cell(host, fault)
        entry = r.fault_facts(host, fault) or {}
        rem = r.fault_remediation(host, fault) if r.kind == "remediation" else None
        new = r.new_fault(host, fault) if r.kind == "remediation" else None
        if rem is None and new is None and not entry.get("active"):
            return 0
        title = text((rem or {}).get("title") or entry.get("title") or r.title(fault), 300)
        self.add(u'<div class="fault" data-fault="%s" data-state="%s">\n<h4>Fault %s \u2014 %s '
                 u'<span class="badge %s">%s</span></h4>\n'
                 % (_e(fault), _e(state), _e(fault), _e(title), _cls(state), _e(cell_label, 200)))
        pairs = []
        severity = (rem or {}).get("severity") or entry.get("severity")
        if severity:
            pairs.append((u"Severity", _e(severity, 100)))
        if rem is not None:
            before, after = as_dict(rem.get("before")), rem.get("after")
            pairs.append((u"Before", _e(_flags(before))))
            pairs.append((u"After", _e(_flags(as_dict(after)) if isinstance(after, dict) else u"unknown (no facts after the run)")))
            pairs.append((u"Causes", _list(rem.get("causes"))))
            if rem.get("still_active_causes"):
                pairs.append((u"Still active causes", _list(rem.get("still_active_causes"))))
            if rem.get("error"):
                pairs.append((u"Error", u'<span class="msg">%s</span>' % _e(rem.get("error"))))
            if rem.get("notes"):
                pairs.append((u"Notes", _list(rem.get("notes"))))
        elif new is not None:
            pairs.append((u"New", u"active after the run, not before"))
            pairs.append((u"Causes", _list(new.get("causes"))))
        else:
            pairs.append((u"Reported / detected", _e(_flags(entry))))
            pairs.append((u"Causes", _list(entry.get("causes"))))
        if entry.get("active") and entry.get("evidence"):
            pairs.append((u"Evidence", _list(entry.get("evidence"), cls=u"evidence", code=True)))
        remediation = as_dict(entry.get("remediation"))
        if remediation.get("role") and entry.get("active"):
            pairs.append((u"Fix", _e(u"%s (%s)" % (text(remediation.get("role"), 200),
                                                   u"automatic" if remediation.get("automatic") else u"needs a person"))))
        steps = r.manual_steps(host, fault)
        if steps:
            pairs.append((u"Manual steps", _list(steps, tag=u"ol")))
        self.add(_kv(pairs), u"</div>\n")
        return 1


def _kept_item(item):
    """One journal entry kept for a person: what, why, its backup, the steps."""
    parts = [u'<li><code>%s</code>' % _e(item["entry"])]
    if item["reason"]:
        parts.append(u': <span class="msg">%s</span>' % _e(item["reason"]))
    if item["backup"]:
        parts.append(u' (backup <code>%s</code>)' % _e(item["backup"]))
    parts.append(_list(item["manual_steps"], tag=u"ol"))
    return u"".join(parts) + u"</li>"


def _flags(entry):
    if not entry:
        return u"unknown"
    return u"active %s, reported %s, detected %s" % tuple(
        (u"yes" if entry.get(k) else u"no") if k in entry else u"?" for k in ("active", "reported", "detected"))


def render_html(report):
    """The report as one HTML page (str). Raises ``ReportError`` for a document it cannot read."""
    return _Page(report).render()
