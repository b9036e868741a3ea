# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A journaled, temporary change of one /etc/login.defs key, and its exact undo.

``set_key`` records a journal entry (kind ``login_defs_key``) and a backup of the file's bytes in
the state directory *before* it writes; ``repair`` undoes the change from the entry alone, so a
run killed in between is repaired by the next one:

- the file is still exactly what we wrote: the backup's bytes are put back (byte-identical);
- the file is still exactly what it was: nothing to do (the run died before writing);
- anything else (someone edited it since): only our line is put back to the original one (or
  removed if there was none), and only if it is still the line we wrote; a value someone else
  set since is theirs, left alone and reported.

Which line is "the" definition follows shadow-utils (login_defs.py): the last line that defines
the name wins. A file with NUL bytes or lines longer than getdef.c's 1023-byte buffer is refused:
we would not be sure which line shadow-utils reads.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files, journal, login_defs

KIND = "login_defs_key"
MAX_BYTES = login_defs.MAX_BYTES


class LoginDefsError(ValueError):
    pass


def _lines(data):
    """Lines with their ``\\n`` (the last one may have none)."""
    out = []
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        stop = len(data) if end < 0 else end + 1
        out.append(data[start:stop])
        start = stop
    return out


def check_plain(data, path):
    if b"\0" in data:
        raise LoginDefsError("%s holds NUL bytes: not edited (shadow-utils would read it differently)" % path)
    for line in _lines(data):
        if len(line.rstrip(b"\n")) > login_defs.FGETS_CHUNK - 1:
            raise LoginDefsError("%s has a line longer than %d bytes: not edited (shadow-utils splits such lines)"
                                 % (path, login_defs.FGETS_CHUNK - 1))


def _definition_index(lines, key):
    """Index of the line shadow-utils takes as the definition of ``key`` (the last), or None."""
    found = None
    for index, line in enumerate(lines):
        if key in login_defs.parse(line):
            found = index
    return found


def effective_value(data, key):
    return login_defs.parse(data).get(key)


def key_line(key, value):
    return ("%s %s" % (key, value)).encode("utf-8")


def with_value(data, key, value):
    """``(new bytes, original definition line or None)``: the definition of ``key`` replaced by
    ``KEY value`` (the last one, the one that counts), or appended when there is none."""
    lines = _lines(data)
    index = _definition_index(lines, key)
    if index is None:
        prefix = data if not data or data.endswith(b"\n") else data + b"\n"
        return prefix + key_line(key, value) + b"\n", None
    original = lines[index]
    ending = b"\n" if original.endswith(b"\n") else b""
    lines[index] = key_line(key, value) + ending
    return b"".join(lines), original[:len(original) - len(ending)]


def with_line_restored(data, key, written, original):
    """The definition line we wrote put back to ``original`` (bytes, or None: removed).
    None when the definition is no longer the line we wrote (someone changed it since)."""
    lines = _lines(data)
    index = _definition_index(lines, key)
    if index is None:
        return data if original is None else None
    line = lines[index]
    ending = b"\n" if line.endswith(b"\n") else b""
    if line[:len(line) - len(ending)].rstrip(b" \t\r") != written:
        return None
    if original is None:
        del lines[index]
    else:
        lines[index] = original + ending
    return b"".join(lines)


def _text(data):
    return None if data is None else data.decode("utf-8", "surrogateescape")


def _bytes(text):
    return None if text is None else text.encode("utf-8", "surrogateescape")


def read(path):
    """Bytes of the file (None when missing); FileKindError/LoginDefsError when unusable."""
    got = atomic_files.read_regular(path, MAX_BYTES)
    if got is None:
        return None
    check_plain(got[0], path)
    return got[0]


def plan_set(path, key, value, current=None):
    """What ``set_key`` would do: ``{before, after, original_line, value_before, needed}``.
    ``current``: the file's bytes to plan on instead of reading it (check mode, after a repair
    that was only planned)."""
    before = read(path) if current is None else current
    current = effective_value(before or b"", key)
    if before is not None and current is not None and current.lower() == value.lower():
        return {"before": before, "after": before, "original_line": None, "value_before": current, "needed": False}
    after, original = with_value(before or b"", key, value)
    return {"before": before, "after": after, "original_line": original, "value_before": current, "needed": True}


def set_key(state_dir, path, key, value):
    """Set ``key`` to ``value`` for a while: backup, then journal entry, then the atomic write.

    Returns the plan, with ``entry`` (the journal entry) when the file was changed."""
    plan = plan_set(path, key, value)
    if not plan["needed"]:
        plan["entry"] = None
        return plan
    journal.prepare(state_dir)
    entry_id = journal.new_id(KIND)
    backup = None
    if plan["before"] is not None:
        backup = journal.backup_path(state_dir, entry_id, path)
        atomic_files.write_atomic(backup, plan["before"], mode=0o600)
    tmp_path = os.path.join(os.path.dirname(path), ".%s.%s.tmp" % (os.path.basename(path), entry_id))
    fields = {
        "path": path, "key": key, "value": value,
        "written_line": _text(key_line(key, value)),
        "original_line": _text(plan["original_line"]),
        "file_existed": plan["before"] is not None,
        "sha256_before": atomic_files.sha256_bytes(plan["before"]) if plan["before"] is not None else None,
        "sha256_written": atomic_files.sha256_bytes(plan["after"]),
        "backup": backup, "tmp_path": tmp_path,
    }
    plan["entry"] = journal.record(state_dir, KIND, fields, entry_id=entry_id)
    if plan["before"] is None:
        atomic_files.write_atomic(path, plan["after"], mode=0o644, uid=0 if os.geteuid() == 0 else None,
                                  gid=0 if os.geteuid() == 0 else None, tmp_path=tmp_path)
    else:
        atomic_files.write_atomic(path, plan["after"], like=path, tmp_path=tmp_path)
    return plan


def _backup_bytes(entry):
    backup = entry.get("backup")
    if not backup:
        return None
    try:
        got = atomic_files.read_regular(backup, MAX_BYTES)
    except (OSError, atomic_files.FileKindError):
        return None
    if got is None or atomic_files.sha256_bytes(got[0]) != entry.get("sha256_before"):
        return None
    return got[0]


def repair(entry, check_mode=False):
    """Undo the change an entry recorded. Returns ``{changed, done, message, before, after}``:
    ``done`` means the entry may be forgotten; ``before``/``after`` are the file's texts for a diff.
    Raises FileKindError/LoginDefsError/OSError when the file cannot be handled (entry kept)."""
    path, key = entry["path"], entry["key"]
    result = {"changed": False, "done": True, "before": None, "after": None, "message": ""}
    tmp_path = entry.get("tmp_path")
    if tmp_path and not check_mode:
        info = atomic_files.lstat_or_none(tmp_path)
        if info is not None and os.path.dirname(tmp_path) == os.path.dirname(path) and \
                os.path.basename(tmp_path).startswith("."):
            atomic_files.unlink_durably(tmp_path)
    current = read(path)
    written = _bytes(entry.get("written_line")) or key_line(key, entry.get("value", ""))
    original = _bytes(entry.get("original_line"))
    if current is None:
        result["message"] = ("%s: absent as before, nothing to restore" % path if not entry.get("file_existed")
                             else "%s: removed by someone since the change; not recreated (%s is what shadow-utils "
                                  "now uses: its default)" % (path, key))
        return result
    digest = atomic_files.sha256_bytes(current)
    result["before"] = _text(current)
    if digest == entry.get("sha256_before"):
        result["message"] = "%s: %s already as before the change" % (path, key)
        result["after"] = result["before"]
        return result
    restored = None
    how = ""
    if digest == entry.get("sha256_written"):
        if not entry.get("file_existed"):
            result.update(changed=True, after="", message="%s: removed (it did not exist before the change)" % path)
            if not check_mode:
                atomic_files.unlink_durably(path)
            return result
        restored = _backup_bytes(entry)
        how = "byte for byte from the backup"
    if restored is None:
        restored = with_line_restored(current, key, written, original)
        how = "original line put back (the file changed since)"
    if restored is None:
        result["message"] = ("%s: %s was changed by someone else since (now %r): left as is"
                             % (path, key, effective_value(current, key)))
        result["after"] = result["before"]
        return result
    result.update(changed=True, after=_text(restored),
                  message="%s: %s restored to %s, %s" % (path, key, _text(original) if original is not None
                                                         else "its absence", how))
    if not check_mode:
        atomic_files.write_atomic(path, restored, like=path, tmp_path=tmp_path)
    return result


def forget_backup(entry):
    backup = entry.get("backup")
    if backup:
        atomic_files.unlink_durably(backup)
