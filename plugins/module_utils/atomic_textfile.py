# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replace one file of node_exporter's textfile directory atomically.

node_exporter reads every ``*.prom`` file of the directory at each scrape, dot-files included,
so a half-written file must never carry that name. Here the new content goes to a temporary
file in the same directory whose name does not end in ``.prom`` (``.<name>.<random>.tmp``),
is flushed to disk, then renamed over the target (rename(2) is atomic within a filesystem),
and the directory entry is flushed too. A reader sees the old file or the new one, whole.

(Ansible's ``copy`` renames from its remote temporary directory when it is on the same
filesystem; across filesystems, such as a separate ``/var``, it falls back to a temporary
file ``.ansible_tmp<random><name>`` in the target directory, which ends in ``.prom`` and is
read by node_exporter while it is being written.)
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import os
import re
import stat
import tempfile
import time

MAX_BYTES = 1024 * 1024
# A temporary file of ours older than this was left by a run that was killed.
STALE_SECONDS = 600
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s)")


class TextfileError(Exception):
    """A condition the caller reports as a clear error; nothing was changed."""


def significant(content, volatile):
    """``content`` without the sample lines of the ``volatile`` metric names: what must differ
    for a rewrite to count as a change."""
    volatile = set(volatile or ())
    kept = []
    for line in (content or "").splitlines():
        match = _SAMPLE.match(line)
        if match and match.group(1) in volatile:
            continue
        kept.append(line)
    return "\n".join(kept)


def check_target(path, suffix=".prom"):
    """Raise ``TextfileError`` unless ``path`` can be written: absolute, named ``*<suffix>``, in
    an existing directory, and not something other than a regular file."""
    if not os.path.isabs(path):
        raise TextfileError("path must be absolute: %s" % path)
    if suffix and not os.path.basename(path).endswith(suffix):
        raise TextfileError("node_exporter reads only files named *%s: %s would be ignored" % (suffix, path))
    directory = os.path.dirname(path)
    try:
        st = os.stat(directory)
    except OSError as exc:
        raise TextfileError("textfile directory %s: %s (is node_exporter's textfile collector set up there?)"
                            % (directory, exc.strerror or exc))
    if not stat.S_ISDIR(st.st_mode):
        raise TextfileError("%s is not a directory" % directory)


def read_current(path, limit=MAX_BYTES):
    """``(bytes or None, stat or None)`` of the current file; ``None`` when it does not exist.

    Never follows a symbolic link nor opens a FIFO or device (a FIFO would block the read):
    anything but a regular file is an error, and the caller changes nothing."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None, None
        raise TextfileError("cannot inspect %s: %s" % (path, exc.strerror or exc))
    if not stat.S_ISREG(st.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "a directory" if stat.S_ISDIR(st.st_mode) \
            else "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise TextfileError("%s is %s, not a regular file: left as it is" % (path, kind))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise TextfileError("cannot read %s: %s" % (path, exc.strerror or exc))
    chunks, total = [], 0
    try:
        # Checked again on what was opened: the name may have been replaced meanwhile.
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TextfileError("%s changed into something other than a regular file: left as it is" % path)
        while total <= limit:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)[:limit + 1], st


def plan(path, data, mode, volatile=()):
    """What writing ``data`` (bytes) with ``mode`` would do:
    ``{changed, write, before}``: ``changed`` when the file is new, its mode differs or any
    non-volatile line differs; ``write`` when any byte differs (volatile samples included)."""
    if len(data) > MAX_BYTES:
        raise TextfileError("content is %d bytes, more than the %d a textfile may hold here" % (len(data), MAX_BYTES))
    before, st = read_current(path)
    if before is None:
        return {"changed": True, "write": True, "before": None}
    mode_differs = stat.S_IMODE(st.st_mode) != mode
    old = before.decode("utf-8", "replace")
    new = data.decode("utf-8", "replace")
    changed = mode_differs or significant(old, volatile) != significant(new, volatile)
    return {"changed": changed, "write": changed or before != data, "before": old}


def temp_prefix(path):
    return "." + os.path.basename(path) + "."


def stale_temps(path, now=None, max_age=STALE_SECONDS):
    """Temporary files of ours (see ``temp_prefix``) left by a killed run, oldest first."""
    directory = os.path.dirname(path)
    prefix = temp_prefix(path)
    now = time.time() if now is None else now
    found = []
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        full = os.path.join(directory, name)
        try:
            st = os.lstat(full)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and now - st.st_mtime > max_age:
            found.append((st.st_mtime, full))
    return [full for _mtime, full in sorted(found)]


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write(path, data, mode, prepare=None):
    """Write ``data`` (bytes) to ``path`` through a temporary file in the same directory and
    rename(2). ``prepare(temp_path)`` runs before the rename (e.g. to set an SELinux context).
    On any error the temporary file is removed and the old file is left as it was."""
    directory = os.path.dirname(path)
    fd, temp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=directory)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        if prepare is not None:
            prepare(temp)
        os.rename(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def remove(path):
    """Remove the file (regular files only, see ``read_current``); True when one was removed."""
    before, _st = read_current(path, limit=0)
    if before is None:
        return False
    os.unlink(path)
    _fsync_dir(os.path.dirname(path))
    return True
