# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse ``ampcli status``: the connector's own report of its state and faults.

Only one real sample is public (see docs/FAULTS.md); the no-fault and multi-fault forms are
not, so every line is parsed independently and anything unknown is ignored, never fatal.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

RAW_MAX_CHARS = 4096

_KEY_VALUE = re.compile(r"^([A-Za-z][A-Za-z \-]{0,40}?)\s*:\s*(.*)$")
# Keys and fault lines in any case: "ID 5 - Major:", "id 5 - minor:", "Fault Ids:".
_FAULT_LINE = re.compile(r"^ID\s+(\d+)\s*-\s*([A-Za-z]+)\s*:\s*(.*)$", re.IGNORECASE)
_NOISE = re.compile(r"^(\[logger\]|Trying to connect|ampcli>)", re.IGNORECASE)
_NO_FAULTS = re.compile(r"^(none|0|no faults?)\b", re.IGNORECASE)
# Terminal escape sequences (colours: ESC[1;31m, cursor moves, OSC titles ending in BEL or
# ESC \) are removed whole: removing only the ESC byte would leave "[1;31m" before a key.
_ESCAPES = re.compile(u"\x1b\\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"
                      u"|\x1b[ -/]*[0-~]")
# Stray control characters (garbage on a terminal) are dropped, printable text is kept.
_CONTROL = re.compile(u"[\x00-\x08\x0b-\x1f\x7f]")


def _key(name):
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def parse_fault_ids(value):
    """``"18"``, ``"5, 18"``, ``"5 18"``, ``"5;18"`` -> sorted unique ints; ``"None"`` -> []."""
    return sorted(set(int(tok) for tok in re.findall(r"\b\d+\b", value)))


def strip_escapes(text):
    """``text`` without terminal escape sequences (ANSI CSI such as ``ESC[1;31m``, OSC, 2-byte)."""
    return _ESCAPES.sub("", text) if u"\x1b" in text or u"\x9b" in text else text


def parse_status(text):
    """Return ``{status: {...}, fault_ids: [int], faults: [{id, severity, message}], recognized}``.

    ``status`` holds every ``Key: Value`` line with snake_case keys (``status``, ``mode``,
    ``scan``, ``last_scan``, ``policy``, ``faults`` ...). ``fault_ids`` is the union of the
    ``Fault IDs`` line and the ``ID n - Severity: message`` lines. ``recognized`` is False
    when nothing in the text looks like a status answer (garbage, empty, a hang banner).
    """
    status = {}
    faults = {}
    ids = set()
    saw_fault_ids_line = False
    for raw_line in strip_escapes(text or "").splitlines():
        line = _CONTROL.sub("", raw_line).strip()
        if line.lower().startswith("ampcli>"):
            line = line[len("ampcli>"):].strip()
            if not line or line.lower() == "status":
                continue
        if not line or _NOISE.match(line):
            continue
        match = _FAULT_LINE.match(line)
        if match:
            fault_id = int(match.group(1))
            faults[fault_id] = {"id": fault_id, "severity": match.group(2).capitalize(),
                                "message": match.group(3).strip()}
            ids.add(fault_id)
            continue
        match = _KEY_VALUE.match(line)
        if not match:
            continue
        key, value = _key(match.group(1)), match.group(2).strip()
        if not key:
            continue
        if key == "fault_ids":
            saw_fault_ids_line = True
            ids.update(parse_fault_ids(value))
            continue
        status[key] = value
    recognized = bool(status.get("status") or status.get("mode") or saw_fault_ids_line or faults)
    fault_list = []
    for fault_id in sorted(ids):
        fault_list.append(faults.get(fault_id, {"id": fault_id, "severity": None, "message": None}))
    # A lone "Faults: 1 Major" without IDs still says a severity; keep it for the single-id case.
    summary = status.get("faults", "")
    if len(fault_list) == 1 and fault_list[0]["severity"] is None:
        sev = re.search(r"\b(Minor|Major|Critical)\b", summary, re.IGNORECASE)
        if sev:
            fault_list[0]["severity"] = sev.group(1).capitalize()
    return {"status": status, "fault_ids": sorted(ids), "faults": fault_list,
            "recognized": recognized, "no_faults": bool(_NO_FAULTS.match(summary))}


def bounded_raw(text, limit=RAW_MAX_CHARS):
    """Keep the raw answer for humans, bounded: the head holds the status lines."""
    if text is None:
        return ""
    if len(text) <= limit:
        return text
    return text[:limit] + "\n[... %d more characters cut]" % (len(text) - limit)
