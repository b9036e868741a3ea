# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Move files into a root-only quarantine so that a crash at any point loses nothing and the
next run completes the move.

One file's move, in this order:

1. plan: the path must be under the root, every directory below the root a real directory and
   the file itself a regular file (lstat: links are never followed); its sha256 is read through
   a descriptor opened with O_NOFOLLOW and checked to be the same inode;
2. copy to ``<quarantine>/<sha256>-<name>`` through a temporary file, fsync, rename, fsync of the
   directory (content-addressed: a copy already there from an interrupted run is reused);
3. verify: the copy's sha256 read back must equal the original's;
4. manifest: one JSON line in ``<quarantine>/manifest.jsonl`` (fsync), unless the same path and
   sha256 are already listed;
5. unlink the original, only if it is still the same inode, size and mtime; fsync its directory.

Killed after 2, 3 or 4, the original is still in place: the next run plans it again, finds the
copy, adds the manifest line if missing and unlinks it. Nothing is ever deleted before its copy
is on disk and verified.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import hashlib
import json
import os
import stat
import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files

MANIFEST = "manifest.jsonl"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


class QuarantineError(Exception):
    pass


def _inside(root, path):
    root = os.path.normpath(root)
    path = os.path.normpath(path)
    return path.startswith(root.rstrip("/") + "/")


def _real_dirs(root, path):
    """Why not, when a directory between the root (included) and the file is not a real
    directory (a link could point anywhere); None when they all are."""
    current = os.path.normpath(root)
    parts = os.path.relpath(os.path.dirname(os.path.normpath(path)), current).split(os.sep)
    for part in [""] + [p for p in parts if p not in ("", ".")]:
        current = os.path.join(current, part) if part else current
        info = atomic_files.lstat_or_none(current)
        if info is None:
            return "%s is missing" % current
        if not stat.S_ISDIR(info.st_mode):
            return "%s is %s, not a directory" % (current, atomic_files.describe_kind(info.st_mode))
    return None


def _open_same(path, info):
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISREG(now.st_mode):
        os.close(fd)
        raise QuarantineError("%s changed while it was read" % path)
    return fd


def dest_name(quarantine_dir, path, digest):
    return os.path.join(quarantine_dir, "%s-%s" % (digest, os.path.basename(path)))


def plan(files, root, quarantine_dir):
    """``(moves, skipped)`` for ``files`` (``[{path, reason}]``): what would be moved and what
    is left alone, with why. Reads only."""
    moves, skipped = [], []
    seen = set()
    for item in files:
        path = os.path.normpath(item["path"])
        if path in seen:
            continue
        seen.add(path)
        if not os.path.isabs(path) or not _inside(root, path):
            skipped.append({"path": path, "why": "outside %s" % root})
            continue
        why = _real_dirs(root, path)
        if why:
            skipped.append({"path": path, "why": why})
            continue
        info = atomic_files.lstat_or_none(path)
        if info is None:
            skipped.append({"path": path, "why": "gone"})
            continue
        if not stat.S_ISREG(info.st_mode):
            skipped.append({"path": path, "why": "%s, not a regular file" % atomic_files.describe_kind(info.st_mode)})
            continue
        try:
            fd = _open_same(path, info)
        except (OSError, QuarantineError) as exc:
            skipped.append({"path": path, "why": "cannot be read: %s" % exc})
            continue
        try:
            digest = atomic_files.sha256_fd(fd)
        finally:
            os.close(fd)
        moves.append({"path": path, "reason": item.get("reason") or "invalid", "sha256": digest,
                      "size": info.st_size, "mode": "%04o" % stat.S_IMODE(info.st_mode), "uid": info.st_uid,
                      "gid": info.st_gid, "mtime": int(info.st_mtime), "dev": info.st_dev, "ino": info.st_ino,
                      "quarantined_as": dest_name(quarantine_dir, path, digest)})
    return moves, skipped


def _file_sha256(path):
    info = atomic_files.lstat_or_none(path)
    if info is None or not stat.S_ISREG(info.st_mode):
        return None
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        return atomic_files.sha256_fd(fd)
    finally:
        os.close(fd)


def _copy(move, quarantine_dir):
    """Copy durably to the content-addressed name; reuse a verified copy already there."""
    dest = move["quarantined_as"]
    if _file_sha256(dest) == move["sha256"]:
        return False
    tmp = os.path.join(quarantine_dir, ".%s.tmp" % os.path.basename(dest))
    if os.path.lexists(tmp):
        os.unlink(tmp)
    src = _open_same(move["path"], os.lstat(move["path"]))
    digest = hashlib.sha256()
    try:
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            while True:
                data = os.read(src, atomic_files.CHUNK)
                if not data:
                    break
                digest.update(data)
                view = memoryview(data)
                while view:
                    view = view[os.write(out, view):]
            os.fsync(out)
        finally:
            os.close(out)
    finally:
        os.close(src)
    if digest.hexdigest() != move["sha256"]:
        os.unlink(tmp)
        raise QuarantineError("%s changed while it was copied: left in place" % move["path"])
    os.rename(tmp, dest)
    atomic_files.fsync_dir(quarantine_dir)
    return True


def manifest_keys(path):
    """``{(path, sha256)}`` already in the manifest (a torn last line is ignored)."""
    keys = set()
    try:
        got = atomic_files.read_regular(path, MAX_MANIFEST_BYTES)
    except atomic_files.FileKindError as exc:
        raise QuarantineError(str(exc))
    if got is None:
        return keys
    for line in got[0].decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
            keys.add((record["path"], record["sha256"]))
        except (ValueError, KeyError, TypeError):
            continue
    return keys


def _append_manifest(manifest, record):
    fd = os.open(manifest, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        size = os.fstat(fd).st_size
        prefix = b""
        if size:
            with open(manifest, "rb") as handle:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":
                    prefix = b"\n"  # a line torn by a crash stays alone on its line
        os.write(fd, prefix + (json.dumps(record, sort_keys=True) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def move(one, quarantine_dir, now=None):
    """Steps 2 to 5 for one planned move. Returns what was done (``copied``, ``listed``, ``removed``)."""
    done = {"copied": _copy(one, quarantine_dir), "listed": False, "removed": False}
    if _file_sha256(one["quarantined_as"]) != one["sha256"]:
        raise QuarantineError("the copy of %s in %s does not match it: the original is kept"
                              % (one["path"], one["quarantined_as"]))
    manifest = os.path.join(quarantine_dir, MANIFEST)
    if (one["path"], one["sha256"]) not in manifest_keys(manifest):
        record = dict((k, one[k]) for k in ("path", "sha256", "size", "mode", "uid", "gid", "mtime", "reason",
                                            "quarantined_as"))
        record["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        _append_manifest(manifest, record)
        done["listed"] = True
    info = atomic_files.lstat_or_none(one["path"])
    if info is None:
        return done
    planned = (one["dev"], one["ino"], one["size"], one["mtime"])
    if (info.st_dev, info.st_ino, info.st_size, int(info.st_mtime)) != planned:
        raise QuarantineError("%s changed since it was read: copied, but the original is kept" % one["path"])
    try:
        os.unlink(one["path"])
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise
    atomic_files.fsync_dir(os.path.dirname(one["path"]))
    done["removed"] = True
    return done


def public(one):
    """A planned move as the module returns it."""
    return dict((k, one[k]) for k in ("path", "reason", "sha256", "size", "mode", "quarantined_as"))
