# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report from every host's ``ansible_facts.secure_endpoint`` (runs on the controller).

``build_report`` is the facts part; ``build_document`` the report document of docs/DESIGN.md
(schema 2, ``kind`` facts or remediation, command lines redacted unless asked otherwise).

Cost: linear in the fleet, and small per host. Each host's variables are read once
(``read_hosts``: in ansible-core 2.19 ``hostvars[host]`` builds every variable of the host, and
each value read through it is templated again), the facts are referenced, never copied, and
redaction copies only the containers it changes (a deep copy of templated facts cost about
0.4 s per host). ``document_from`` builds the document from values already read, so a caller
that reads the variables its own way (the ``write_report`` action) shares the logic.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.six.moves.collections_abc import Mapping

from ansible_collections.secure_endpoint.linux.plugins.module_utils import remediation_status as rs

FAULT_ORDER = rs.FAULT_ORDER
SCHEMA = 2
KINDS = ("facts", "remediation")
REDACTED = "<redacted>"
REMEDIATION_VAR = "secure_endpoint_remediation"
# fault_rules.fault_18 writes one evidence line per sampled process, ending with its command line.
_TOP_EVIDENCE = "top_processes: "
_CPU_MARK = " CPU: "


def _get(host_vars, name):
    if not name:
        return None
    try:
        return host_vars.get(name)
    except AttributeError:
        return None


def _facts_of(host_vars):
    facts = _get(host_vars, "ansible_facts")
    return _get(facts, "secure_endpoint") if facts else None


def host_values(host_vars, result_var=None, remediation_var=None):
    """What the report needs of one host's variables: ``{facts, result, remediation}``."""
    return {"facts": _facts_of(host_vars), "result": _get(host_vars, result_var),
            "remediation": _get(host_vars, remediation_var)}


def read_hosts(hostvars, hosts, result_var=None, remediation_var=None):
    """``{host: host_values(...)}``, each host's variables looked up once."""
    out = {}
    for host in hosts:
        try:
            host_vars = hostvars[host] if host in hostvars else {}
        except (KeyError, TypeError):
            host_vars = {}
        out[host] = host_values(host_vars, result_var, remediation_var)
    return out


def _outcome(result):
    """``(state, message)`` from a registered result of the gathering task, if any."""
    if not isinstance(result, Mapping):
        return None, None
    if result.get("unreachable"):
        return "unreachable", result.get("msg")
    if result.get("failed"):
        return "failed", result.get("msg")
    return None, None


def report_from(values, hosts_all, hosts_ok=None, generated_at=None):
    """The facts part (see ``build_report``) from ``read_hosts`` values."""
    hosts_all = list(hosts_all or [])
    ok = set(hosts_all if hosts_ok is None else hosts_ok)
    hosts, unreachable, failed, no_facts = {}, [], [], []
    counts = dict((key, 0) for key in FAULT_ORDER)
    with_active = 0
    for host in sorted(hosts_all):
        host_data = values.get(host) or {}
        state, message = _outcome(host_data.get("result"))
        facts = host_data.get("facts")
        if state is None and host not in ok:
            state = "unreachable"
        if state == "unreachable":
            unreachable.append(host)
        elif state == "failed":
            failed.append({"host": host, "msg": message})
        if state or not facts or not isinstance(facts, Mapping):
            if not state:
                no_facts.append(host)
            hosts[host] = None
            continue
        hosts[host] = facts
        active = False
        for key, entry in (facts.get("faults") or {}).items():
            if isinstance(entry, Mapping) and entry.get("active") and key in counts:
                counts[key] += 1
                active = True
        with_active += 1 if active else 0
    summary = {"hosts": len(hosts_all), "with_facts": sum(1 for f in hosts.values() if f),
               "unreachable": len(unreachable), "failed": len(failed), "no_facts": len(no_facts),
               "hosts_with_active_faults": with_active, "active_faults": counts}
    return {"generated_at": generated_at, "summary": summary, "hosts": hosts,
            "unreachable": unreachable, "failed": failed, "no_facts": no_facts}


def build_report(hostvars, hosts_all, hosts_ok=None, generated_at=None, result_var=None):
    """``{generated_at, summary, hosts, unreachable, failed, no_facts}``.

    ``hosts_all`` are the play's hosts; ``hosts_ok`` those still in the play (the others were
    unreachable or failed); ``result_var`` names a registered result of the gathering task,
    which tells unreachable from failed hosts (with the error). A host that ran but has no
    facts (not gathered, nothing in the fact cache) is in ``no_facts``."""
    hosts_all = list(hosts_all or [])
    return report_from(read_hosts(hostvars, hosts_all, result_var), hosts_all, hosts_ok, generated_at)


def redact_cmdline(cmdline):
    """Keep the executable, hide the arguments (they can hold other users' secrets)."""
    if not cmdline:
        return cmdline
    parts = str(cmdline).split(None, 1)
    return parts[0] + " " + REDACTED if len(parts) > 1 else parts[0]


def _redact_line(line):
    text = str(line)
    if text.startswith(_TOP_EVIDENCE) and _CPU_MARK in text:
        head, _sep, cmd = text.partition(_CPU_MARK)
        text = head + _CPU_MARK + (redact_cmdline(cmd) or "")
    return text


def redact_facts(facts):
    """One host's facts with the command lines of the process sample (and of the fault-18
    evidence that quotes them) redacted. Only the containers that change are copied: the rest
    is shared with the input, which is never changed."""
    if not isinstance(facts, Mapping):
        return facts
    out = None
    procs = facts.get("top_processes")
    if procs:
        out = dict(facts)
        out["top_processes"] = [dict(proc, cmdline=redact_cmdline(proc["cmdline"]))
                                if isinstance(proc, Mapping) and proc.get("cmdline") else proc for proc in procs]
    faults = facts.get("faults")
    fault = faults.get("18") if isinstance(faults, Mapping) else None
    if isinstance(fault, Mapping) and fault.get("evidence"):
        out = out if out is not None else dict(facts)
        out["faults"] = dict(faults)
        out["faults"]["18"] = dict(fault, evidence=[_redact_line(line) for line in fault["evidence"]])
    return out if out is not None else facts


def document_from(values, hosts_all, hosts_ok=None, generated_at=None, kind="facts", check_mode=False,
                  command_lines=False, run_stopped=None):
    """The report document (schema 2) from ``read_hosts`` values (see ``build_document``)."""
    if kind not in KINDS:
        raise ValueError("kind must be one of %s, not %r" % (", ".join(KINDS), kind))
    hosts_all = sorted(set(hosts_all or []))
    report = report_from(values, hosts_all, hosts_ok, generated_at)
    doc = {"schema": SCHEMA, "kind": kind, "generated_at": generated_at, "check_mode": bool(check_mode)}
    doc.update(report)
    if not command_lines:
        doc["hosts"] = dict((host, redact_facts(facts)) for host, facts in doc["hosts"].items())
    if kind == "remediation":
        ok = set(hosts_all if hosts_ok is None else hosts_ok)
        remediation, unreachable, failed = {}, [], []
        for host in hosts_all:
            entry = (values.get(host) or {}).get("remediation")
            if not isinstance(entry, Mapping) or "status" not in entry:
                entry = (rs.failed_result("run", "the host left the run before its remediation finished")
                         if host not in ok else rs.not_processed_result())
            remediation[host] = entry
            if entry["status"] == rs.UNREACHABLE:
                unreachable.append(host)
            elif entry["status"] == rs.FAILED:
                failed.append({"host": host, "msg": "; ".join("%s: %s" % item for item in sorted(
                    (entry.get("errors") or {}).items())) or "failed"})
        doc["remediation"] = remediation
        doc["unreachable"] = unreachable
        doc["failed"] = failed
        doc["summary"]["unreachable"] = len(unreachable)
        doc["summary"]["failed"] = len(failed)
        doc["summary"]["statuses"] = dict((status, n) for status, n in rs.run_summary(remediation, hosts_all).items() if n)
        doc["run_stopped"] = run_stopped or None
    return doc


def build_document(hostvars, hosts_all, hosts_ok=None, generated_at=None, result_var=None, kind="facts",
                   check_mode=False, remediation_var=REMEDIATION_VAR, command_lines=False,
                   run_stopped=None):
    """The report document (schema 2). For ``kind`` remediation each host's entry is its
    ``remediation_var`` (set by role remediate); a host without one was not processed (the run
    stopped first) or failed outside the role, and is reported so."""
    if kind not in KINDS:
        raise ValueError("kind must be one of %s, not %r" % (", ".join(KINDS), kind))
    hosts_all = sorted(set(hosts_all or []))
    values = read_hosts(hostvars, hosts_all, result_var, remediation_var if kind == "remediation" else None)
    return document_from(values, hosts_all, hosts_ok, generated_at, kind, check_mode, command_lines, run_stopped)


def host_line(host, entry):
    """One line saying what happened on a host (``host: status - 5: fixed; new fault 11; error in restart``)."""
    entry = entry if isinstance(entry, Mapping) else {}
    details = ["%s: %s" % (f.get("fault"), f.get("status")) for f in entry.get("faults") or [] if isinstance(f, Mapping)]
    details += ["new fault %s" % f.get("fault") for f in entry.get("new_faults") or [] if isinstance(f, Mapping)]
    details += ["error in %s" % key for key in sorted(entry.get("errors") or {})]
    return "%s: %s%s" % (host, entry.get("status"), (" - " + "; ".join(details)) if details else "")


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
    out = ["# Secure Endpoint connector %s report" % ("remediation" if report.get("kind") == "remediation" else "fleet"), ""]
    if report.get("generated_at"):
        out += ["Generated: %s" % report["generated_at"], ""]
    if report.get("check_mode"):
        out += ["Check mode: nothing was changed; statuses say what a real run would do.", ""]
    if report.get("run_stopped"):
        out += ["**Run stopped:** %s" % _cell(report["run_stopped"]), ""]
    out += ["Hosts: %d, with facts: %d, unreachable: %d, failed: %d, without facts: %d, with active faults: %d" % (
        summary.get("hosts", 0), summary.get("with_facts", 0), summary.get("unreachable", 0),
        summary.get("failed", 0), summary.get("no_facts", 0), summary.get("hosts_with_active_faults", 0)), ""]
    counts = summary.get("active_faults") or {}
    if any(counts.values()):
        out += ["| fault | hosts |", "|---|---|"]
        out += ["| %s | %d |" % (key, counts[key]) for key in FAULT_ORDER if counts.get(key)]
        out.append("")
    if report.get("kind") == "remediation":
        out += _remediation_markdown(report)
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


def _remediation_markdown(report):
    out = ["## Remediation", ""]
    statuses = (report.get("summary") or {}).get("statuses") or {}
    if statuses:
        out += ["| status | hosts |", "|---|---|"]
        out += ["| %s | %d |" % (_cell(status), statuses[status]) for status in rs.HOST_STATUSES if statuses.get(status)]
        out.append("")
    out += ["| host | status | faults | new faults | errors |", "|---|---|---|---|---|"]
    for host in sorted(report.get("remediation") or {}):
        entry = report["remediation"][host] or {}
        faults = "; ".join("%s: %s" % (f.get("fault"), f.get("status")) for f in entry.get("faults") or []) or "-"
        new = ", ".join(str(f.get("fault")) for f in entry.get("new_faults") or []) or "-"
        errors = "; ".join("%s: %s" % item for item in sorted((entry.get("errors") or {}).items())) or "-"
        cells = (host, entry.get("status"), faults, new, errors)
        out.append("| %s |" % " | ".join(_cell(cell) for cell in cells))
    out.append("")
    return out
