# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report from every host's ``ansible_facts.secure_endpoint`` (runs on the controller)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

FAULT_ORDER = ("5", "6", "7", "8", "9", "11", "16", "18", "19")


def _facts_of(host_vars):
    try:
        facts = host_vars.get("ansible_facts") or {}
        return facts.get("secure_endpoint")
    except AttributeError:
        return None


def _outcome(host_vars, result_var):
    """``(state, message)`` from a registered result of the gathering task, if any."""
    if not result_var:
        return None, None
    try:
        result = host_vars.get(result_var)
    except AttributeError:
        return None, None
    if not isinstance(result, dict):
        return None, None
    if result.get("unreachable"):
        return "unreachable", result.get("msg")
    if result.get("failed"):
        return "failed", result.get("msg")
    return None, None


def build_report(hostvars, hosts_all, hosts_ok=None, generated_at=None, result_var=None):
    """``{generated_at, summary, hosts, unreachable, failed, no_facts}``.

    ``hosts_all`` are the play's hosts; ``hosts_ok`` those still in the play (the others were
    unreachable or failed); ``result_var`` names a registered result of the gathering task,
    which tells unreachable from failed hosts (with the error). A host that ran but has no
    facts (not gathered, nothing in the fact cache) is in ``no_facts``."""
    hosts_all = list(hosts_all or [])
    ok = set(hosts_all if hosts_ok is None else hosts_ok)
    hosts, unreachable, failed, no_facts = {}, [], [], []
    counts = dict((key, 0) for key in FAULT_ORDER)
    for host in sorted(hosts_all):
        host_vars = hostvars[host] if host in hostvars else {}
        state, message = _outcome(host_vars, result_var)
        facts = _facts_of(host_vars)
        if state is None and host not in ok:
            state = "unreachable"
        if state == "unreachable":
            unreachable.append(host)
        elif state == "failed":
            failed.append({"host": host, "msg": message})
        if state or not facts:
            if not state:
                no_facts.append(host)
            hosts[host] = None
            continue
        hosts[host] = facts
        for key, entry in (facts.get("faults") or {}).items():
            if entry.get("active") and key in counts:
                counts[key] += 1
    summary = {"hosts": len(hosts_all), "with_facts": sum(1 for f in hosts.values() if f),
               "unreachable": len(unreachable), "failed": len(failed), "no_facts": len(no_facts),
               "hosts_with_active_faults": sum(1 for f in hosts.values() if f and _active(f)),
               "active_faults": counts}
    return {"generated_at": generated_at, "summary": summary, "hosts": hosts,
            "unreachable": unreachable, "failed": failed, "no_facts": no_facts}


def _active(facts):
    faults = facts.get("faults") or {}
    return [faults[key] for key in FAULT_ORDER if key in faults and faults[key].get("active")]


def _cell(value):
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _yes(flag):
    return "yes" if flag else "no"


def render_markdown(report):
    """A readable report: summary, active faults per host with causes, hosts, manual steps."""
    summary = report.get("summary", {})
    out = ["# Secure Endpoint connector fleet report", ""]
    if report.get("generated_at"):
        out += ["Generated: %s" % report["generated_at"], ""]
    out += ["Hosts: %d, with facts: %d, unreachable: %d, failed: %d, without facts: %d, with active faults: %d" % (
        summary.get("hosts", 0), summary.get("with_facts", 0), summary.get("unreachable", 0),
        summary.get("failed", 0), summary.get("no_facts", 0), summary.get("hosts_with_active_faults", 0)), ""]
    counts = summary.get("active_faults") or {}
    if any(counts.values()):
        out += ["| fault | hosts |", "|---|---|"]
        out += ["| %s | %d |" % (key, counts[key]) for key in FAULT_ORDER if counts.get(key)]
        out.append("")
    out += ["## Active faults", ""]
    rows = []
    steps_by_fault = {}
    for host in sorted(report.get("hosts") or {}):
        facts = report["hosts"][host]
        if not facts:
            continue
        for entry in _active(facts):
            remediation = entry.get("remediation") or {}
            rows.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                _cell(host), entry.get("id"), _cell(entry.get("title")),
                _cell(entry.get("severity") or "") if entry.get("reported") else "no",
                _yes(entry.get("detected")), _cell(", ".join(entry.get("causes") or []) or "-"),
                _yes(remediation.get("automatic")), _cell(remediation.get("role"))))
            steps = tuple(remediation.get("manual_steps") or [])
            if steps:
                steps_by_fault.setdefault((entry.get("id"), steps), []).append(host)
    if rows:
        out += ["| host | fault | title | reported | detected | causes | automatic fix | role |",
                "|---|---|---|---|---|---|---|---|"] + rows
    else:
        out.append("None.")
    out += ["", "## Hosts", "", "| host | installed | version | service | active faults | errors |",
            "|---|---|---|---|---|---|"]
    for host in sorted(report.get("hosts") or {}):
        facts = report["hosts"][host]
        if not facts:
            failed = dict((f["host"], f.get("msg")) for f in report.get("failed") or [])
            if host in (report.get("unreachable") or []):
                state = "unreachable"
            elif host in failed:
                state = "failed: %s" % (failed[host] or "")
            else:
                state = "no facts"
            out.append("| %s | %s | | | | |" % (_cell(host), _cell(state)))
            continue
        service = facts.get("service") or {}
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            _cell(host), _yes(facts.get("installed")), _cell(facts.get("version") or ""),
            _cell(service.get("state")), _cell(", ".join(str(e.get("id")) for e in _active(facts)) or "-"),
            _cell("; ".join(facts.get("errors") or []))))
    if report.get("unreachable"):
        out += ["", "## Unreachable hosts", ""] + ["- %s" % h for h in report["unreachable"]]
    if report.get("failed"):
        out += ["", "## Failed hosts", ""] + ["- %s: %s" % (f["host"], f.get("msg") or "") for f in report["failed"]]
    if report.get("no_facts"):
        out += ["", "## Hosts without facts", ""] + ["- %s" % h for h in report["no_facts"]]
    if steps_by_fault:
        out += ["", "## Manual steps", ""]
        for (fault_id, steps), hosts in sorted(steps_by_fault.items(), key=lambda item: (item[0][0], item[1])):
            out += ["### Fault %s on %s" % (fault_id, ", ".join(hosts)), ""]
            out += ["%d. %s" % (i + 1, step) for i, step in enumerate(steps)]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
