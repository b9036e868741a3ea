# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report document of a run (schema 2, docs/DESIGN.md): the one builder, on the controller.

``read_hosts`` takes what the report needs of each host's variables, ``document`` builds the
document (``kind`` facts or remediation, command lines redacted unless asked otherwise); the
renderers (``report_formats``) take it from there.

Cost: linear in the fleet, and small per host. Each host's variables are read once, as stored
(``hostvars.raw_get``: in ansible-core 2.19 ``hostvars[host]`` builds every variable of the host,
and each value read through it is templated again; facts, set_fact and registered values are
data, not templates), the facts are referenced, never copied, and redaction copies only the
containers it changes (a deep copy of templated facts cost about 0.4 s per host).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections.abc import Mapping

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs

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


def _host_values(host_vars, result_var, remediation_var):
    facts = _get(host_vars, "ansible_facts")
    return {"facts": _get(facts, "secure_endpoint") if facts else None, "result": _get(host_vars, result_var),
            "remediation": _get(host_vars, remediation_var)}


def read_hosts(hostvars, hosts, result_var=None, remediation_var=None):
    """``{host: {facts, result, remediation}}``: each host's variables looked up once, with
    ``raw_get`` when ``hostvars`` is Ansible's (untemplated), else as a plain mapping."""
    raw_get = getattr(hostvars, "raw_get", None)
    out = {}
    for host in hosts:
        try:
            if host not in hostvars:
                host_vars = {}
            else:
                host_vars = raw_get(host) if raw_get is not None else hostvars[host]
        except (KeyError, TypeError):
            host_vars = {}
        out[host] = _host_values(host_vars if hasattr(host_vars, "get") else {}, result_var, remediation_var)
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


def _facts_part(values, hosts_all, hosts_ok):
    """``{summary, hosts, unreachable, failed, no_facts}`` from ``read_hosts`` values. A host not
    in ``hosts_ok`` left the play (unreachable, unless its registered result says it failed); a
    host that ran but has no facts (not gathered, nothing in the fact cache) is in ``no_facts``."""
    ok = set(hosts_all if hosts_ok is None else hosts_ok)
    hosts, unreachable, failed, no_facts = {}, [], [], []
    counts = dict((key, 0) for key in FAULT_ORDER)
    with_active = 0
    for host in hosts_all:
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
    return {"summary": summary, "hosts": hosts, "unreachable": unreachable, "failed": failed, "no_facts": no_facts}


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


def document(values, hosts_all, hosts_ok=None, generated_at=None, kind="facts", check_mode=False,
             command_lines=False, run_stopped=None):
    """The report document (schema 2) from ``read_hosts`` values.

    ``hosts_all`` are the play's hosts; ``hosts_ok`` those still in the play. For ``kind``
    remediation each host's entry is its remediation value (set by role remediate); a host
    without one was not processed (the run stopped first) or, when it left the play, failed
    outside the role, and is reported so."""
    if kind not in KINDS:
        raise ValueError("kind must be one of %s, not %r" % (", ".join(KINDS), kind))
    hosts_all = sorted(set(hosts_all or []))
    doc = {"schema": SCHEMA, "kind": kind, "generated_at": generated_at, "check_mode": bool(check_mode)}
    doc.update(_facts_part(values, hosts_all, hosts_ok))
    if not command_lines:
        doc["hosts"] = dict((host, redact_facts(facts)) for host, facts in doc["hosts"].items())
    if kind == "remediation":
        ok = set(hosts_all if hosts_ok is None else hosts_ok)
        remediation, unreachable, failed, kept = {}, [], [], 0
        for host in hosts_all:
            entry = (values.get(host) or {}).get("remediation")
            if not isinstance(entry, Mapping) or "status" not in entry:
                entry = (rs.failed_result("run", "the host left the run before its remediation finished")
                         if host not in ok else rs.not_processed_result())
            remediation[host] = entry
            kept += 1 if entry.get("journal_kept") else 0
            if entry["status"] == rs.UNREACHABLE:
                unreachable.append(host)
            elif entry["status"] == rs.FAILED:
                failed.append({"host": host, "msg": "; ".join("%s: %s" % item for item in sorted(
                    (entry.get("errors") or {}).items())) or "failed"})
        doc["remediation"] = remediation
        doc["unreachable"] = unreachable
        doc["failed"] = failed
        doc["summary"].update(unreachable=len(unreachable), failed=len(failed), hosts_with_journal_kept=kept)
        doc["summary"]["statuses"] = dict((status, n) for status, n in rs.run_summary(remediation, hosts_all).items() if n)
        doc["run_stopped"] = run_stopped or None
    return doc
