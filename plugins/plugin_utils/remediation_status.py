# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the remediation run decides and reports, as plain functions (runs on the controller).

Behind the filters ``plugins/filter/remediation_*.py`` and the ``remediation_start`` action, used
by role ``remediate``:
``plan`` (which rows of the fault table run on a host), ``failure_message`` (one line from a
failed task), ``wait_for`` (faults the post-restart re-read waits to clear), ``host_result``
(per-fault and per-host status: the ladder of docs/DESIGN.md) and ``batch_verdict`` (the
max_fail_percentage stop, once per batch). Nothing here raises on odd input: a missing key is
an empty value, so that a report is always written.

Statuses are stable ids that playbooks may test in ``when:``; the words people read are the
renderers' (``report_model.LABELS``).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

FAULT_ORDER = ("5", "6", "7", "8", "9", "11", "16", "18", "19")

# Per fault (each fault active before the run); fixed and would_be_fixed per host too.
FIXED = "fixed"
WOULD_BE_FIXED = "would_be_fixed"      # check mode: what fixed is in a real run
NEEDS_PERSON = "needs_person"
FAILED = "failed"
NOT_ATTEMPTED = "not_attempted"        # left out by choice: its switch is off, or not selected by tags
FAULT_STATUSES = (FIXED, WOULD_BE_FIXED, NEEDS_PERSON, FAILED, NOT_ATTEMPTED)

# Per host, worst first.
UNREACHABLE = "unreachable"
LOCK_BUSY = "lock_busy"                # another run held the host: nothing was done on it
PARTLY_FIXED = "partly_fixed"          # something fixed, faults left by choice (faults_left)
WOULD_BE_PARTLY_FIXED = "would_be_partly_fixed"   # check mode
NO_ACTIVE_FAULT = "no_active_fault"
NOT_PROCESSED = "not_processed"        # the run stopped before the host's batch
HOST_STATUSES = (UNREACHABLE, LOCK_BUSY, FAILED, NEEDS_PERSON, PARTLY_FIXED, WOULD_BE_PARTLY_FIXED, NOT_ATTEMPTED,
                 FIXED, WOULD_BE_FIXED, NO_ACTIVE_FAULT, NOT_PROCESSED)
# A host in one of these is not done: the report play fails it, so the run exits non-zero.
NOT_DONE = (UNREACHABLE, LOCK_BUSY, FAILED)
# What a fault left active after the run is, besides its own status: active after, not before.
NEW_FAULT = "new_fault"

MAX_MESSAGE = 600
# The steps of a journal entry kept for a person when the recovery gave none of its own.
KEPT_STEPS = (
    "List the host's journal (module secure_endpoint.linux.remediation_journal, action: list) and read the entry: "
    "what it changed and where its backup is.",
    "Put the file or service back by hand where needed (the backup holds the bytes from before the change), then "
    "remove the entry; until then every run leaves it in place and the host needs a person.",
)


def _ids(values):
    """Fault ids as strings, order kept, duplicates dropped (roles append, tags repeat)."""
    out = []
    for value in values or []:
        key = str(value)
        if key not in out:
            out.append(key)
    return out


def _dict(value):
    return value if isinstance(value, dict) else {}


def _flags(entry):
    entry = _dict(entry)
    return {"active": bool(entry.get("active")), "reported": bool(entry.get("reported")),
            "detected": bool(entry.get("detected"))}


def kept_entries(values):
    """Journal entries kept for a person, each ``{entry, reason, backup, manual_steps}`` (other keys
    kept). The recovery gives a line of text, or a dict with those keys; steps default to
    ``KEPT_STEPS``."""
    out = []
    for value in values or []:
        item = dict(value) if isinstance(value, dict) else {"entry": value}
        item["entry"] = str(item.get("entry") if item.get("entry") is not None else "?")
        for key in ("reason", "backup"):
            item[key] = str(item[key]) if item.get(key) is not None else None
        steps = item.get("manual_steps")
        steps = [steps] if isinstance(steps, str) else list(steps or [])
        item["manual_steps"] = [str(step) for step in steps] or list(KEPT_STEPS)
        out.append(item)
    return out


def _tag_selected(tags, run_tags, skip_tags):
    """Ansible's selection for a task tagged ``tags``: ``run_tags`` empty or holding ``all``
    selects everything (``all`` is the default of --tags); ``skip_tags`` wins."""
    tags = set(tags or [])
    skip = set(skip_tags or [])
    if skip & (tags | {"all"}):
        return False
    run = set(run_tags or ["all"])
    return "all" in run or bool(run & tags)


def plan(table, faults, run_tags=None, skip_tags=None):
    """Rows of ``table`` (``[{faults, role, tags, ...}]``, in order) to run on a host whose
    ``ansible_facts.secure_endpoint.faults`` are ``faults``: rows with at least one active
    fault, selected by ``--tags``/``--skip-tags``. Each row is returned with ``active``, the
    ids of its faults that are active (what the role acts on)."""
    faults = _dict(faults)
    out = []
    for row in table or []:
        ids = _ids(row.get("faults"))
        active = [key for key in ids if _dict(faults.get(key)).get("active")]
        if not active or not _tag_selected(row.get("tags"), run_tags, skip_tags):
            continue
        selected = dict(row)
        selected["faults"] = ids
        selected["active"] = active
        out.append(selected)
    return out


def failure_message(task, result):
    """One bounded line from ``ansible_failed_task`` and ``ansible_failed_result``: the task,
    its message, the first failed loop item's message and the tail of stderr."""
    task = _dict(task)
    result = _dict(result)
    parts = ["%s: %s" % (task.get("name") or "?", result.get("msg") or "failed")]
    for item in result.get("results") or []:
        item = _dict(item)
        if item.get("failed") and item.get("msg"):
            parts.append("(%s)" % item["msg"])
            break
    stderr = (result.get("stderr") or "").strip()
    if stderr:
        parts.append("stderr: %s" % stderr[-300:])
    text = " ".join(str(part) for part in parts).replace("\n", " ")
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


def wait_for(before, attempted, manual=None, failures=None):
    """Faults the re-read after the restart waits for: attempted, not found to need a person
    by their role (the roles decide that, opt-ins included), not failed, active before."""
    before = _dict(before)
    skip = set(_ids(manual)) | set(_ids(_dict(failures)))
    return [key for key in _ids(attempted) if key not in skip and _dict(before.get(key)).get("active")]


def _fault_status(key, attempted, manual, failures, after, check_mode):
    if key in failures:
        return FAILED
    if key not in attempted:
        return NOT_ATTEMPTED
    if key in manual:
        return NEEDS_PERSON
    if check_mode:
        return WOULD_BE_FIXED
    if after is None:
        # Attempted in a real run, but the facts could not be read again: nothing proves the fix.
        return NEEDS_PERSON
    return NEEDS_PERSON if _dict(after.get(key)).get("active") else FIXED


def _entry(status, faults=None, new_faults=None, faults_left=None, errors=None, restarted=False,
           journal_repaired=None, journal_kept=None):
    return {"status": status, "faults": faults or [], "new_faults": new_faults or [],
            "faults_left": faults_left or [], "errors": errors or {}, "restarted": restarted,
            "journal_repaired": [str(x) for x in journal_repaired or []], "journal_kept": kept_entries(journal_kept)}


def host_result(before, after=None, attempted=None, manual=None, failures=None, notes=None,
                check_mode=False, restarted=False, journal_repaired=None, journal_kept=None):
    """The host's entry of the report's ``remediation`` map (docs/DESIGN.md, Reports).

    ``before``/``after``: ``faults`` of the facts read before and after remediation (``after``
    None when they were not read again: nothing attempted, or check mode). ``journal_kept``:
    journal entries left in place for a person (see ``kept_entries``). ``failures``:
    ``{fault id or step: message}`` recorded by the rescues. ``manual``: fault ids the roles
    found to need a person (decided before any change, identically in check mode).
    ``faults_left`` names every fault still active after the run (in check mode: that the run
    would leave active) with why: its own status, or ``new_fault``."""
    before = _dict(before)
    after_faults = _dict(after) if after is not None else None
    attempted = _ids(attempted)
    manual = _ids(manual)
    failures = dict((str(k), v) for k, v in _dict(failures).items())
    notes = _dict(notes)
    faults, left = [], []
    for key in FAULT_ORDER:
        entry = _dict(before.get(key))
        if not entry.get("active"):
            continue
        now = _dict(after_faults.get(key)) if after_faults is not None else None
        status = _fault_status(key, attempted, manual, failures, after_faults, check_mode)
        still = now if now is not None else entry
        still_active = bool(still.get("active")) and status != WOULD_BE_FIXED
        if still_active:
            left.append({"fault": int(key), "title": entry.get("title"), "why": status})
        faults.append({
            "fault": int(key), "title": entry.get("title"), "severity": entry.get("severity"),
            "status": status, "causes": list(entry.get("causes") or []),
            "still_active_causes": list(still.get("causes") or []) if still_active else [],
            "error": failures.get(key), "notes": [str(n) for n in notes.get(key) or []],
            "manual_steps": list(_dict(still.get("remediation")).get("manual_steps") or []) if still_active else [],
            "before": _flags(entry), "after": _flags(now) if now is not None else None})
    new_faults = []
    for key in FAULT_ORDER:
        now = _dict(after_faults.get(key)) if after_faults is not None else {}
        if now.get("active") and not _dict(before.get(key)).get("active"):
            new_faults.append({"fault": int(key), "title": now.get("title"), "causes": list(now.get("causes") or []),
                               "manual_steps": list(_dict(now.get("remediation")).get("manual_steps") or [])})
            left.append({"fault": int(key), "title": now.get("title"), "why": NEW_FAULT})
    out = _entry(None, faults, new_faults, left, failures, bool(restarted) and not check_mode, journal_repaired,
                 journal_kept)
    out["status"] = _host_status([f["status"] for f in faults], out, check_mode)
    return out


def _host_status(statuses, entry, check_mode):
    """The ladder: failed > needs a person > faults left (partly fixed, not attempted) > fixed; in
    check mode what the real run would say, as would_be_(partly_)fixed."""
    if entry["errors"] or FAILED in statuses:
        return FAILED
    if NEEDS_PERSON in statuses or entry["new_faults"] or entry["journal_kept"]:
        return NEEDS_PERSON
    changed = (WOULD_BE_FIXED if check_mode else FIXED) in statuses or bool(entry["journal_repaired"])
    if entry["faults_left"]:
        # Only faults left out by choice remain here (failed and needs_person are above).
        if not changed:
            return NOT_ATTEMPTED
        return WOULD_BE_PARTLY_FIXED if check_mode else PARTLY_FIXED
    if not changed:
        return NO_ACTIVE_FAULT
    return WOULD_BE_FIXED if check_mode else FIXED


def unreachable_result(message, journal_repaired=None, journal_kept=None):
    """The entry of a host the run could not reach (``journal_repaired``: what the recovery did
    before the connection was lost, if it answered)."""
    return _entry(UNREACHABLE, errors={"connection": str(message or "unreachable")},
                  journal_repaired=journal_repaired, journal_kept=journal_kept)


def failed_result(step, message, journal_repaired=None, journal_kept=None):
    """The entry of a host the run gave up on before remediating (e.g. facts not readable)."""
    return _entry(FAILED, errors={str(step): str(message or "failed")}, journal_repaired=journal_repaired,
                  journal_kept=journal_kept)


def lock_busy_result(message, holder=None, journal_kept=None):
    """The entry of a host left alone because another run held its lock: nothing was done on it,
    and the run counts it as not done. ``message`` names the holder; ``holder`` is its record
    (pid, start time, what started it), kept in the entry as given."""
    entry = _entry(LOCK_BUSY, errors={"lock": str(message or "another run holds the host")},
                   journal_kept=journal_kept)
    entry["lock_holder"] = _dict(holder) or None
    return entry


def not_processed_result():
    """The entry of a host the run never reached (it stopped before the host's batch)."""
    return _entry(NOT_PROCESSED)


def batch_verdict(results, batch, max_fail_percentage):
    """Whether the run stops before the next batch: ``results`` maps host -> its entry (or
    None: the host left the batch without one, i.e. it failed hard or was unreachable), over
    the hosts of ``batch``. Failed and unreachable hosts count (a host another run held says
    nothing about this run's fixes); the stop happens when their share is above
    ``max_fail_percentage`` (Ansible's rule). ``{stop, failed, hosts, message}``."""
    hosts = list(batch or [])
    results = _dict(results)
    bad = [h for h in hosts if _dict(results.get(h)).get("status", FAILED) in (FAILED, UNREACHABLE)]
    try:
        limit = float(max_fail_percentage)
    except (TypeError, ValueError):
        limit = 100.0
    stop = bool(hosts) and len(bad) * 100.0 > limit * len(hosts)
    message = None
    if stop:
        message = ("%d of %d hosts of the batch failed or were unreachable (%s), more than "
                   "secure_endpoint_max_fail_percentage=%s%%: the run stopped before the next batch"
                   % (len(bad), len(hosts), ", ".join(sorted(bad)), max_fail_percentage))
    return {"stop": stop, "failed": sorted(bad), "hosts": len(hosts), "message": message}


def run_summary(results, hosts_all):
    """Counts of host statuses over the play, hosts without an entry as ``not_processed``."""
    results = _dict(results)
    counts = dict((status, 0) for status in HOST_STATUSES)
    for host in hosts_all or []:
        status = _dict(results.get(host)).get("status", NOT_PROCESSED)
        counts[status] = counts.get(status, 0) + 1
    return counts
