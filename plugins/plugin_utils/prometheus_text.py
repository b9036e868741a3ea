# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's ``ansible_facts.secure_endpoint`` as Prometheus text exposition (format 0.0.4), for
node_exporter's textfile collector.

Pure functions, no I/O. No sample carries a timestamp: node_exporter refuses a whole textfile
that has one. Unknown is NaN, never 0 (an alert on ``== 0`` must not fire on missing facts).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import math

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import (
    FAULT_ORDER, as_dict, fault_key, text)

PREFIX = "secure_endpoint_"
LABEL_MAX = 200
SERVICE_UP = {"running": 1, "stopped": 0, "failed": 0, "not-found": 0}


def escape_label(value):
    """A label value as the text format wants it: backslash, double quote and line feed escaped."""
    value = text(value, LABEL_MAX)
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_value(value):
    if value is None:
        return "NaN"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return "%d" % value
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return "%d" % int(value)
    return repr(value)


def _flag(entry, key):
    """1/0 from a boolean fact, None (NaN) when the facts do not say."""
    if not isinstance(entry, dict) or key not in entry or entry[key] is None:
        return None
    return 1 if entry[key] else 0


def families(facts, checked_at):
    """``[(name, help, [(labels dict, value)])]`` for the host's facts."""
    if not isinstance(facts, dict):
        raise ValueError("the metrics need the host's secure_endpoint facts (a dict), not %s" % type(facts).__name__)
    faults = as_dict(facts.get("faults"))
    ids = sorted(set(FAULT_ORDER) | set(text(k) for k in faults), key=fault_key)
    service = as_dict(facts.get("service"))
    ampcli = as_dict(facts.get("ampcli"))
    status = as_dict(ampcli.get("status"))
    active = [faults.get(i) for i in ids if _flag(faults.get(i), "active")]
    unknown_active = [i for i in ids if _flag(faults.get(i), "active") is None]
    definitions = facts.get("definitions")
    out = [
        ("connector_installed", "1 when the Secure Endpoint connector is installed.",
         [({}, _flag(facts, "installed"))]),
        ("connector_up", "1 when the connector's service runs, 0 when stopped, failed or absent, NaN when unknown.",
         [({}, SERVICE_UP.get(text(service.get("state"))))]),
        ("connector_info", "Connector version and the state it reports (ampcli status); always 1.",
         [({"version": facts.get("version") or "", "status": status.get("status") or "",
            "mode": status.get("mode") or ""}, 1)]),
        ("ampcli_answered", "1 when ampcli status answered in time with a recognized answer.",
         [({}, (1 if ampcli.get("ran") and not ampcli.get("error") else 0) if ampcli else None)]),
        ("fault_active", "1 when the fault is active (reported by the connector or detected), 0 when not, NaN when unknown.",
         [({"fault": i, "severity": as_dict(faults.get(i)).get("severity") or ""}, _flag(faults.get(i), "active"))
          for i in ids]),
        ("fault_reported", "1 when the connector itself reports the fault (ampcli status).",
         [({"fault": i}, _flag(faults.get(i), "reported")) for i in ids]),
        ("fault_detected", "1 when the collection's own probes see the fault's condition.",
         [({"fault": i}, _flag(faults.get(i), "detected")) for i in ids]),
        ("faults_active", "Number of active faults (NaN when a fault's state is unknown).",
         [({}, None if unknown_active else len(active))]),
        ("definitions_invalid", "Number of virus definition files judged invalid (fault 7).",
         [({}, sum(1 for d in definitions if isinstance(d, dict) and d.get("valid") is False)
           if isinstance(definitions, list) else None)]),
        ("facts_errors", "Number of errors met while reading the facts (a probe that could not run).",
         [({}, len(facts["errors"]) if isinstance(facts.get("errors"), list) else None)]),
        ("last_check_timestamp_seconds", "When these facts were checked, in seconds since the epoch.",
         [({}, checked_at)]),
    ]
    return [(PREFIX + name, help_text, samples) for name, help_text, samples in out]


def render_metrics(facts, checked_at):
    """The textfile content (str, ends with a line feed)."""
    if isinstance(checked_at, bool) or not isinstance(checked_at, (int, float)):
        try:
            checked_at = float(checked_at)
        except (TypeError, ValueError):
            raise ValueError("checked_at must be seconds since the epoch, not %r" % (checked_at,))
    lines = []
    for name, help_text, samples in families(facts, checked_at):
        lines.append("# HELP %s %s" % (name, help_text.replace("\\", "\\\\").replace("\n", "\\n")))
        lines.append("# TYPE %s gauge" % name)
        for labels, value in samples:
            label_text = ",".join('%s="%s"' % (k, escape_label(labels[k])) for k in sorted(labels))
            lines.append("%s%s %s" % (name, "{%s}" % label_text if label_text else "", format_value(value)))
    return "\n".join(lines) + "\n"
