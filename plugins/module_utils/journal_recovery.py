# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Repair what interrupted runs left: every journal entry, by its kind.

Known kinds are undone and forgotten; an entry of an unknown kind or one that cannot be read is
reported and left in place (a newer collection may know it; a person must look). An entry whose
repair fails is kept, so the next run tries again, and the failure is reported.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import (
    atomic_files, journal, login_defs_edit, service_ctl)


def _repair(entry, run, check_mode):
    if entry["kind"] == login_defs_edit.KIND:
        return login_defs_edit.repair(entry, check_mode=check_mode)
    return service_ctl.repair(entry, run, check_mode=check_mode)


KNOWN = (login_defs_edit.KIND, service_ctl.KIND)


def recover(state_dir, run, check_mode=False, kinds=None, match=None):
    """Repair the entries (of ``kinds``, and for which ``match(entry)`` is true, when given).

    Returns ``{changed, repaired, unchanged, kept, failed, diffs, entries}``: lists of messages
    (``unchanged``: entries whose change was already undone, forgotten now); ``diffs`` holds ``{path, before, after}`` for files a repair rewrote (or would).
    """
    out = {"changed": False, "repaired": [], "unchanged": [], "kept": [], "failed": [], "diffs": [],
           "entries": []}
    items = journal.entries(state_dir, clean=not check_mode)
    known_ids = set()
    for item in items:
        entry = item["entry"]
        if entry is not None:
            known_ids.add(item["id"])
        if kinds is not None and (entry is None or entry["kind"] not in kinds):
            continue
        if match is not None and (entry is None or not match(entry)):
            continue
        out["entries"].append(entry if entry is not None else {"id": item["id"], "error": item["error"]})
        if entry is None:
            out["kept"].append(item["error"])
            continue
        if entry["kind"] not in KNOWN:
            out["kept"].append("%s: unknown kind %r (written by another version?): reported, left in place"
                               % (item["path"], entry["kind"]))
            continue
        try:
            result = _repair(entry, run, check_mode)
        except (OSError, ValueError, service_ctl.ServiceError, journal.JournalError) as exc:
            out["failed"].append("journal entry %s (%s): %s" % (item["id"], entry["kind"], exc))
            continue
        if result.get("before") is not None and result.get("after") is not None and result["changed"]:
            out["diffs"].append({"path": entry.get("path"), "before": result["before"], "after": result["after"]})
        prefix = "would repair: " if check_mode else ""
        if result["changed"]:
            out["repaired"].append(prefix + result["message"])
        else:
            out["unchanged"].append(prefix + result["message"])
        # Even an entry whose change is already undone is a leftover: forgetting it is a change.
        out["changed"] = out["changed"] or result["changed"] or result["done"]
        if result["done"] and not check_mode:
            if entry["kind"] == login_defs_edit.KIND:
                login_defs_edit.forget_backup(entry)
            journal.remove(state_dir, item["id"])
            known_ids.discard(item["id"])
    if kinds is None and match is None and not check_mode:
        for orphan in journal.orphan_backups(state_dir, known_ids):
            atomic_files.unlink_durably(orphan)
    return out
