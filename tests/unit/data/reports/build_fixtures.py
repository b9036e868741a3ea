# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Builds the report fixtures of this directory (see README.md): python build_fixtures.py

The facts of each host come from the collection's own fault rules (fault_rules.build_faults)
over inputs such as connector_facts collects; the hostile values are added by hand.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import conftest  # noqa: E402,F401  pylint: disable=unused-import,wrong-import-position

from ansible_collections.secure_endpoint.linux.plugins.module_utils import fault_rules  # noqa: E402
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs  # noqa: E402

HOSTILE_HOST = u'evil"\'><script>window.__pwned_host=1</script>'
HOSTILE_LINE = u'</script><script>window.__pwned_evidence=1</script><img src=x onerror="window.__pwned_img=1">'
LONG = u"A" * 5000 + u"<b>" + u"Z" * 5000  # 10 kB in one evidence line
UNICODE = u"Ünïcödé \u2014 \u65e5\u672c\u8a9e \U0001f680 \u202eRTL override"
CONTROL = u"bell\x07 nul\x00 and an undecodable byte \udcff end"
FAULTS = ("5", "6", "7", "8", "9", "11", "16", "18", "19")


def facts(reported=None, service="running", version="1.24.3", **extra):
    inputs = {"installed": True, "version": version, "reported": reported or {}, "service": {"state": service},
              "context": {"install_dir": "/opt/cisco/amp", "log_dir": "/var/log/cisco", "service": "cisco-amp",
                          "release": "6.1.0-28-amd64", "window": 10, "expected_mode": "0755"}}
    inputs.update(extra)
    status = {"status": "Connected", "mode": "Degraded" if reported else "Normal"}
    return {"installed": True, "install_dir": "/opt/cisco/amp", "version": version,
            "service": {"name": "cisco-amp", "state": service, "enabled": True, "uptime_seconds": 3600},
            "ampcli": {"ran": True, "rc": 0, "timed_out": False, "error": None, "status": status,
                       "fault_ids": sorted(reported or {}),
                       "faults": [{"id": k, "severity": v, "message": "m"} for k, v in sorted((reported or {}).items())],
                       "raw": "Status: Connected"},
            "faults": dict((str(k), v) for k, v in fault_rules.build_faults(inputs).items()),
            "definitions": [], "errors": []}


def hostile(entry):
    """The same facts with hostile strings in evidence, causes and errors."""
    entry = json.loads(json.dumps(entry))
    fault = entry["faults"]["18"]
    fault["evidence"] = [HOSTILE_LINE, LONG, UNICODE, CONTROL, u'quotes: "double" \'single\' &amp; <tag>']
    fault["causes"] = fault["causes"] + [u"<i>odd cause</i>"]
    fault["remediation"]["manual_steps"] = fault["remediation"]["manual_steps"] + [HOSTILE_LINE]
    entry["errors"] = [u"probe failed: <script>window.__pwned_error=1</script>"]
    entry["version"] = u'1.24.3"><script>window.__pwned_version=1</script>'
    return entry


def summary(hosts, unreachable, failed, no_facts, statuses=None):
    active = dict((k, 0) for k in FAULTS)
    with_active = 0
    for entry in hosts.values():
        if not entry:
            continue
        found = [k for k in FAULTS if entry["faults"][k]["active"]]
        with_active += bool(found)
        for k in found:
            active[k] += 1
    out = {"hosts": len(hosts), "with_facts": sum(1 for f in hosts.values() if f), "unreachable": len(unreachable),
           "failed": len(failed), "no_facts": len(no_facts), "hosts_with_active_faults": with_active,
           "active_faults": active}
    if statuses is not None:
        out["statuses"] = statuses
    return out


def f(entry, key):
    return entry["faults"][key]


def flags(entry):
    return {"active": entry["active"], "reported": entry["reported"], "detected": entry["detected"]}


def facts_report():
    overloaded = facts({18: "Major"}, top_processes=[{"pid": 4242, "comm": "java", "cpu_percent": 97.5,
                                                      "cmdline": "java -jar app.jar <redacted>"}])
    hosts = {
        "web1.example.com": overloaded,
        "db1": facts(accounts={"name": "cisco-amp-scan-svc", "user": False, "group": True},
                     login_defs={"path": "/etc/login.defs", "present": True, "value": "no", "enabled": False}),
        "clean1": facts(),
        HOSTILE_HOST: hostile(overloaded),
        "ghost": None, "broken": None, "cached": None,
    }
    failed = [{"host": "broken", "msg": u'interpreter not found: <b>bold</b> & "quotes"'}]
    return {"schema": 2, "kind": "facts", "generated_at": "2026-11-24T10:00:00Z", "check_mode": False,
            "summary": summary(hosts, ["ghost"], failed, ["cached"]), "hosts": hosts,
            "unreachable": ["ghost"], "failed": failed, "no_facts": ["cached"]}


def fault_result(before, after, status, **extra):
    entry = {"fault": before["id"], "title": before["title"], "severity": before["severity"], "status": status,
             "causes": before["causes"], "still_active_causes": after["causes"] if after["active"] else [],
             "error": None, "notes": [], "manual_steps": after["remediation"]["manual_steps"] if after["active"] else [],
             "before": flags(before), "after": flags(after)}
    entry.update(extra)
    return entry


def host(status, faults, **extra):
    entry = {"status": status, "faults": faults, "new_faults": [], "errors": {}, "restarted": False,
             "journal_repaired": [], "journal_kept": []}
    entry.update(extra)
    # As remediation_status.host_result says it: what is still active after the run, and why.
    entry["faults_left"] = [{"fault": f["fault"], "title": f["title"], "why": f["status"]} for f in faults
                            if f["after"]["active"] and f["status"] != rs.WOULD_BE_FIXED]
    entry["faults_left"] += [{"fault": f["fault"], "title": f["title"], "why": rs.NEW_FAULT} for f in entry["new_faults"]]
    return entry


KEPT = {"entry": "journal/1764000000-login_defs_key.json", "reason": "the file it names is not the configured login.defs",
        "backup": "/var/lib/secure_endpoint/backups/1764000000-login.defs",
        "manual_steps": ["Compare /etc/login.defs with the backup.", "Remove the entry once the file is right."]}


def remediation_report(check_mode=False):
    clean = facts()
    scan_user = facts(accounts={"name": "cisco-amp-scan-svc", "user": False, "group": False})
    overloaded = facts({18: "Major"})
    headers_kernel = {"release": "6.1.0-28-amd64", "family": "Debian", "btf": True, "headers_installed": False,
                      "headers_path": "/usr/src/linux-headers-6.1.0-28-amd64",
                      "headers_package": "linux-headers-6.1.0-28-amd64"}
    headers = facts(kernel=headers_kernel)
    restart_crash = facts({6: "Major"})
    incompatible = facts({16: "Major"})
    bad_definitions = [{"path": "/opt/cisco/amp/clamav/daily.cvd", "valid": False, "reason": "bad MD5"}]
    both = facts({18: "Critical"}, definitions=bad_definitions)
    definitions = facts({7: "Major"}, definitions=bad_definitions)
    both_11 = facts({7: "Major", 11: "Major"}, definitions=bad_definitions, kernel=headers_kernel)
    if check_mode:
        hosts = {"web1": scan_user, "db1": both, "app1": headers}
        remediation = {
            "web1": host(rs.WOULD_BE_FIXED, [fault_result(f(scan_user, "5"), f(scan_user, "5"), rs.WOULD_BE_FIXED)]),
            "db1": host(rs.NEEDS_PERSON, [fault_result(f(both, "7"), f(both, "7"), rs.WOULD_BE_FIXED),
                                          fault_result(f(both, "18"), f(both, "18"), rs.NEEDS_PERSON)]),
            "app1": host(rs.WOULD_BE_FIXED, [fault_result(f(headers, "11"), f(headers, "11"), rs.WOULD_BE_FIXED)]),
        }
        statuses = {rs.WOULD_BE_FIXED: 2, rs.NEEDS_PERSON: 1}
        doc = {"schema": 2, "kind": "remediation", "generated_at": "2026-11-24T10:05:00Z", "check_mode": True,
               "hosts": hosts, "unreachable": [], "failed": [], "no_facts": [], "remediation": remediation}
        doc["summary"] = summary(hosts, [], [], [], statuses)
        return doc
    hostile_after = hostile(overloaded)
    hosts = {
        "web1": clean,                  # fault 5 fixed
        "db1": overloaded,              # 7 fixed, 18 needs a person
        "app1": headers,                # 11: the fix failed
        "app2": clean,                  # restart failed for the whole host
        "batch1": restart_crash,        # 6 new after the run
        "skip1": incompatible,          # 16 not attempted (disabled)
        HOSTILE_HOST: hostile_after,    # 18 needs a person, hostile strings
        "ghost": None,                  # unreachable
        "late1": None,                  # the run stopped before it
        "part1": definitions,           # 11 fixed, 7 left out (secure_endpoint_fix_fault_7=false)
        "kept1": clean,                 # a journal entry kept for a person
        "busy1": None,                  # another run held the host
    }
    remediation = {
        "web1": host(rs.FIXED, [fault_result(f(scan_user, "5"), f(clean, "5"), rs.FIXED)], restarted=True,
                     journal_repaired=["login_defs_key /etc/login.defs USERGROUPS_ENAB restored"]),
        "db1": host(rs.NEEDS_PERSON, [fault_result(f(both, "7"), f(overloaded, "7"), rs.FIXED),
                                      fault_result(f(both, "18"), f(overloaded, "18"), rs.NEEDS_PERSON)],
                    restarted=True),
        "app1": host(rs.FAILED, [fault_result(f(headers, "11"), f(headers, "11"), rs.FAILED,
                                              error=u"No package linux-headers-6.1.0-28-amd64 available <&>")],
                     errors={"11": u"No package linux-headers-6.1.0-28-amd64 available <&>"}),
        "app2": host(rs.FAILED, [fault_result(f(scan_user, "5"), f(clean, "5"), rs.FIXED)], restarted=True,
                     errors={"restart": u"the connector did not come back: service cisco-amp is failed"}),
        "batch1": host(rs.NEEDS_PERSON, [], new_faults=[{"fault": 6, "title": f(restart_crash, "6")["title"],
                                                         "causes": f(restart_crash, "6")["causes"],
                                                         "manual_steps": f(restart_crash, "6")["remediation"]["manual_steps"]}]),
        "skip1": host(rs.NOT_ATTEMPTED, [fault_result(f(incompatible, "16"), f(incompatible, "16"), rs.NOT_ATTEMPTED)]),
        HOSTILE_HOST: host(rs.NEEDS_PERSON, [fault_result(f(hostile_after, "18"), f(hostile_after, "18"),
                                                          rs.NEEDS_PERSON, notes=[HOSTILE_LINE])]),
        "ghost": host(rs.UNREACHABLE, [], errors={"connection": u"ssh: connect to host ghost port 22: timed out"}),
        "late1": host(rs.NOT_PROCESSED, []),
        # The statuses of these three come from the collection's own ladder.
        "part1": rs.host_result(both_11["faults"], definitions["faults"], attempted=["11"], restarted=True),
        "kept1": rs.host_result(clean["faults"], journal_kept=[KEPT, u"journal/1764000001-unreadable.json: "
                                                                     u"not valid JSON <&>: kept for a person"]),
        "busy1": rs.lock_busy_result(u"another run holds the host: pid 4711 started 2026-11-24T10:09:00Z by awx job 42",
                                     {"pid": 4711, "started": "2026-11-24T10:09:00Z", "by": "awx job 42"}),
    }
    statuses = {}
    for entry in remediation.values():
        statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
    failed = [{"host": h, "msg": "; ".join("%s: %s" % i for i in sorted(remediation[h]["errors"].items()))}
              for h in sorted(remediation) if remediation[h]["status"] == rs.FAILED]
    doc = {"schema": 2, "kind": "remediation", "generated_at": "2026-11-24T10:10:00Z", "check_mode": False,
           "hosts": hosts, "unreachable": ["ghost"], "failed": failed, "no_facts": ["busy1", "late1"],
           "remediation": remediation}
    doc["summary"] = summary(hosts, ["ghost"], failed, ["busy1", "late1"], statuses)
    doc["summary"]["hosts_with_journal_kept"] = 1
    return doc


def main():
    for name, doc in (("facts.json", facts_report()), ("remediation.json", remediation_report()),
                      ("remediation_check.json", remediation_report(check_mode=True))):
        with open(os.path.join(HERE, name), "w") as handle:
            json.dump(doc, handle, indent=2, sort_keys=True, ensure_ascii=True)
            handle.write("\n")


if __name__ == "__main__":
    main()
