# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one bounded reader of host files, under a root prefix (tests use a fake tree).

Every probe that reads a file goes through ``open_regular``/``read_file``:

- the path is ``stat``-ed before it is opened, and anything but a regular file is a finding
  that names its type, never opened: opening a FIFO blocks until a writer comes, and opening
  some devices acts (a watchdog starts counting, a tape rewinds);
- the open is non-blocking (``O_NONBLOCK``, ``O_NOCTTY``), and ``fstat`` on the descriptor
  must still say the same regular file (it may have been swapped between the two calls);
- a size cap: ``read_file`` reads at most ``limit`` bytes, and a larger file is an explicit
  "too large" finding unless the caller asked for its head (``truncate=True``).

Nothing here raises on a missing, odd or unreadable file: it is a value the caller reports.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import os
import stat

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_READ_CHUNK = 1024 * 1024


class NotRegularFile(OSError):
    """The path exists but is not a regular file; ``kind`` says what it is."""

    def __init__(self, path, kind):
        super(NotRegularFile, self).__init__(errno.EINVAL, "%s, not a regular file" % kind, path)
        self.kind = kind


def under_root(root, path):
    """``path`` (absolute on the host) inside ``root`` ("/" on a real host)."""
    return os.path.join(root, path.lstrip("/"))


def paths_matching(directory, prefix, suffix=""):
    """The entries of ``directory`` named ``prefix*suffix``, hidden ones excepted, as ``glob``
    would list them (it imports re and contextlib, a cost for every fact run)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [os.path.join(directory, name) for name in names
            if name.startswith(prefix) and name.endswith(suffix) and not name.startswith(".")
            and len(name) >= len(prefix) + len(suffix)]


def file_kind(mode):
    """A short name for the type of a ``st_mode``: 'regular file', 'FIFO', 'character device' ..."""
    for test, name in ((stat.S_ISREG, "regular file"), (stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "FIFO"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISSOCK, "socket"), (stat.S_ISLNK, "symlink")):
        if test(mode):
            return name
    return "special file"


def reason(exc):
    """A short, stable reason for an OSError (no path: callers show the path they display)."""
    if isinstance(exc, NotRegularFile):
        return exc.strerror
    if getattr(exc, "errno", None) == errno.ELOOP:
        return "symlink loop"
    return getattr(exc, "strerror", None) or str(exc)


def open_regular(path):
    """``(fd, stat)`` of ``path`` opened read-only and non-blocking, only if it is a regular file.

    Raises OSError (ENOENT for a missing path or a dangling symlink, ELOOP for a loop) or
    NotRegularFile, which is never opened. The caller closes ``fd``."""
    before = os.stat(path)
    if not stat.S_ISREG(before.st_mode):
        raise NotRegularFile(path, file_kind(before.st_mode))
    fd = os.open(path, _OPEN_FLAGS)
    try:
        after = os.fstat(fd)
        if not stat.S_ISREG(after.st_mode):
            raise NotRegularFile(path, file_kind(after.st_mode))
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            raise OSError(errno.EAGAIN, "replaced while it was opened", path)
    except BaseException:
        os.close(fd)
        raise
    return fd, after


def read_fd(fd, limit):
    """Up to ``limit`` + 1 bytes from ``fd``: one byte more tells the caller the file is larger.
    ``/proc`` and ``/sys`` files say size 0 or 4096 whatever they hold, so the size is learnt by
    reading."""
    chunks = []
    left = limit + 1
    while left > 0:
        data = os.read(fd, min(left, _READ_CHUNK))
        if not data:
            break
        chunks.append(data)
        left -= len(data)
    return b"".join(chunks)


def read_file(path, limit, truncate=False):
    """Read a whole small file, bounded. Returns a dict:

    - ``data``: the bytes (None when not read);
    - ``missing``: the path does not exist (or is a dangling symlink);
    - ``error``: why it was not read, without the path ("FIFO, not a regular file",
      "too large: more than N bytes", "Permission denied", "symlink loop"), or None;
    - ``truncated``: with ``truncate=True``, only the first ``limit`` bytes were kept.
    """
    result = {"data": None, "missing": False, "error": None, "truncated": False}
    try:
        fd, info = open_regular(path)
    except OSError as exc:
        if getattr(exc, "errno", None) == errno.ENOENT and not isinstance(exc, NotRegularFile):
            result["missing"] = True
        else:
            result["error"] = reason(exc)
        return result
    try:
        if info.st_size > limit and not truncate:
            result["error"] = "too large: %d bytes (limit %d)" % (info.st_size, limit)
            return result
        data = read_fd(fd, limit)
    except OSError as exc:  # EIO, EISDIR on odd file systems
        result["error"] = reason(exc)
        return result
    finally:
        os.close(fd)
    if len(data) > limit:
        if not truncate:
            result["error"] = "too large: more than %d bytes" % limit
            return result
        data = data[:limit]
        result["truncated"] = True
    result["data"] = data
    return result


def describe(shown, outcome):
    """``"cannot read /etc/login.defs: FIFO, not a regular file"`` for a failed ``read_file``."""
    return "cannot read %s: %s" % (shown, outcome["error"])


# What read_bytes/read_text met besides missing files (a FIFO, a device, an unreadable file):
# their callers only see None, so the finding is kept here until the caller of the probes takes
# it (``take_findings``) and reports it. Bounded: a run reads a bounded number of files.
_FINDINGS = []
MAX_FINDINGS = 50


def take_findings():
    """The findings of the quiet readers since the last call, oldest first, without repeats."""
    found = list(dict.fromkeys(_FINDINGS))
    del _FINDINGS[:]
    return found


def read_bytes(path, limit):
    """At most ``limit`` bytes of ``path`` (its head); None when it cannot be read or is not a
    regular file. Such a finding (not a missing file) is kept for ``take_findings``."""
    outcome = read_file(path, limit, truncate=True)
    if outcome["error"] and len(_FINDINGS) < MAX_FINDINGS:
        _FINDINGS.append(describe(path, outcome))
    return outcome["data"]


def read_text(path, limit=64 * 1024):
    """``read_bytes`` decoded as UTF-8 with replacement: proc and config files may hold anything."""
    data = read_bytes(path, limit)
    return None if data is None else data.decode("utf-8", "replace")
