# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's remediation journal: temporary changes recorded *before* they are made.

``<state_dir>/journal/`` (root, 0700) holds one JSON file per temporary change (0600), written
atomically; it is removed once the change is undone. A run killed in between (Ctrl-C, lost
connection, cancelled job: ``always:`` never runs) leaves the entry, and the next run repairs it
from the entry alone. Backups of changed files live in ``<state_dir>/backups/`` (0700), never
beside the file in /etc.

Entry: ``{"schema": 1, "id", "kind", "created", ...}`` plus the fields of its kind
(``login_defs_key``, ``service_stopped``; see login_defs_edit.py and service_ctl.py).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import binascii
import errno
import json
import os
import re
import stat
import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files

SCHEMA = 1
MAX_ENTRY_BYTES = 64 * 1024
MAX_ENTRIES = 1000
_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[a-z_]+-[0-9a-f]{8}$")


class JournalError(Exception):
    pass


def journal_dir(state_dir):
    return os.path.join(state_dir, "journal")


def backups_dir(state_dir):
    return os.path.join(state_dir, "backups")


def prepare(state_dir):
    """Create (or tighten) the state, journal and backups directories: root-only, 0700."""
    try:
        changed = atomic_files.private_dir(state_dir)
        changed = atomic_files.private_dir(journal_dir(state_dir)) or changed
        changed = atomic_files.private_dir(backups_dir(state_dir)) or changed
    except (OSError, atomic_files.FileKindError) as exc:
        raise JournalError("cannot prepare the state directory %s: %s" % (state_dir, exc))
    return changed


def new_id(kind, now=None):
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    return "%s-%s-%s" % (stamp, kind, binascii.hexlify(os.urandom(4)).decode("ascii"))


def record(state_dir, kind, fields, entry_id=None, now=None):
    """Write one entry durably and return it (with its ``id``). Call *before* the change.

    ``entry_id``: one made beforehand with ``new_id`` (when a backup must be named after it).
    """
    prepare(state_dir)
    entry = dict(fields)
    entry.update({"schema": SCHEMA, "id": entry_id or new_id(kind, now), "kind": kind,
                  "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))})
    data = (json.dumps(entry, sort_keys=True, indent=1) + "\n").encode("utf-8")
    path = os.path.join(journal_dir(state_dir), entry["id"] + ".json")
    try:
        atomic_files.write_atomic(path, data, mode=0o600, uid=0 if os.geteuid() == 0 else None,
                                  gid=0 if os.geteuid() == 0 else None,
                                  tmp_path=os.path.join(journal_dir(state_dir), ".%s.tmp" % entry["id"]))
    except OSError as exc:
        raise JournalError("cannot write journal entry %s: %s" % (path, exc))
    return entry


def entries(state_dir, clean=True):
    """Every entry, oldest first: ``[{"id", "path", "entry" (dict or None), "error" (str or None)}]``.

    A file that cannot be read as an entry (not JSON, not a regular file, too big, no kind) is
    listed with its ``error``: it is reported, never deleted. Left-over temporary files of an
    interrupted write (``.*.tmp``, never renamed into place) hold no change yet: with ``clean``
    (not in check mode) they are removed.
    """
    directory = journal_dir(state_dir)
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return []
        raise JournalError("cannot list %s: %s" % (directory, exc))
    found = []
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith(".") and name.endswith(".tmp"):
            info = atomic_files.lstat_or_none(path)
            if clean and info is not None and stat.S_ISREG(info.st_mode):
                atomic_files.unlink_durably(path)
            continue
        if len(found) >= MAX_ENTRIES:
            found.append({"id": None, "path": directory, "entry": None,
                          "error": "more than %d entries: the rest were not read" % MAX_ENTRIES})
            break
        item = {"id": name[:-5] if name.endswith(".json") else name, "path": path, "entry": None, "error": None}
        try:
            got = atomic_files.read_regular(path, MAX_ENTRY_BYTES)
            if got is None:
                continue
            entry = json.loads(got[0].decode("utf-8"))
            if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str):
                raise ValueError("no kind")
            if entry.get("id") != item["id"]:
                raise ValueError("its id %r does not match its file name" % entry.get("id"))
            item["entry"] = entry
        except (atomic_files.FileKindError, OSError, ValueError) as exc:
            item["error"] = "%s: unreadable journal entry (%s); left in place" % (path, exc)
        found.append(item)
    return found


def remove(state_dir, entry_id):
    """Forget an entry once its change is undone (durably)."""
    if not _ID.match(entry_id or ""):
        raise JournalError("not a journal entry id: %r" % (entry_id,))
    path = os.path.join(journal_dir(state_dir), entry_id + ".json")
    try:
        return atomic_files.unlink_durably(path)
    except OSError as exc:
        raise JournalError("cannot remove journal entry %s: %s" % (path, exc))


def backup_path(state_dir, entry_id, source):
    return os.path.join(backups_dir(state_dir), "%s.%s" % (entry_id, os.path.basename(source)))


def orphan_backups(state_dir, known_ids):
    """Backups named after a journal entry that no longer exists (a run killed between writing
    the backup and the entry): they back up no change."""
    directory = backups_dir(state_dir)
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    orphans = []
    for name in sorted(names):
        entry_id = name.split(".", 1)[0]
        if _ID.match(entry_id) and entry_id not in known_ids:
            info = atomic_files.lstat_or_none(os.path.join(directory, name))
            if info is not None and stat.S_ISREG(info.st_mode):
                orphans.append(os.path.join(directory, name))
    return orphans
