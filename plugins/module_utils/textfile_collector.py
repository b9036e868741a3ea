# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One file of node_exporter's textfile directory: what may be written there, and how.

node_exporter reads every ``*.prom`` file of the directory at each scrape, dot-files included,
so a half-written file must never carry that name. The new content is written by
``atomic_files.write_atomic`` (temporary file in the same directory, fsync, rename(2), fsync of
the directory) under a temporary name of ours that does not end in ``.prom``
(``.<name>.<random>.tmp``): a reader sees the old file or the new one, whole.

(Ansible's ``copy`` renames from its remote temporary directory when it is on the same
filesystem; across filesystems, such as a separate ``/var``, it falls back to a temporary file
``.ansible_tmp<random><name>`` in the target directory, which ends in ``.prom`` and is read by
node_exporter while it is being written.)
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import binascii
import os
import re
import stat
import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files

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


def check_target(path, suffix=".prom", directory_needed=True):
    """Raise ``TextfileError`` unless ``path`` can be written: absolute, named ``*<suffix>``, in
    an existing directory (unless not ``directory_needed``: removing from none is nothing)."""
    if not os.path.isabs(path):
        raise TextfileError("path must be absolute: %s" % path)
    if suffix and not os.path.basename(path).endswith(suffix):
        raise TextfileError("node_exporter reads only files named *%s: %s would be ignored" % (suffix, path))
    if not directory_needed:
        return
    directory = os.path.dirname(path)
    try:
        info = os.stat(directory)
    except OSError as exc:
        raise TextfileError("textfile directory %s: %s (is node_exporter's textfile collector set up there?)"
                            % (directory, exc.strerror or exc))
    if not stat.S_ISDIR(info.st_mode):
        raise TextfileError("%s is not a directory" % directory)


def read_current(path):
    """``(bytes, stat)`` of the current file, ``(None, None)`` when there is none. Anything but a
    regular file (a link, FIFO, device, directory) or a file over ``MAX_BYTES`` is an error, and
    the caller changes nothing; a FIFO is never waited on."""
    try:
        found = atomic_files.read_regular(path, MAX_BYTES)
    except atomic_files.FileKindError as exc:
        raise TextfileError(str(exc))
    except OSError as exc:
        raise TextfileError("cannot read %s: %s" % (path, exc.strerror or exc))
    return found if found is not None else (None, None)


def plan(path, data, mode, volatile=()):
    """What writing ``data`` (bytes) with ``mode`` would do:
    ``{changed, write, before}``: ``changed`` when the file is new, its mode differs or any
    non-volatile line differs; ``write`` when any byte differs (volatile samples included)."""
    if len(data) > MAX_BYTES:
        raise TextfileError("content is %d bytes, more than the %d a textfile may hold here" % (len(data), MAX_BYTES))
    before, info = read_current(path)
    if before is None:
        return {"changed": True, "write": True, "before": None}
    old = before.decode("utf-8", "replace")
    new = data.decode("utf-8", "replace")
    changed = stat.S_IMODE(info.st_mode) != mode or significant(old, volatile) != significant(new, volatile)
    return {"changed": changed, "write": changed or before != data, "before": old}


def temp_prefix(path):
    return "." + os.path.basename(path) + "."


def write(path, data, mode):
    """Replace ``path`` by ``data`` through a temporary file of ours in the same directory."""
    token = binascii.hexlify(os.urandom(6)).decode("ascii")
    temp = os.path.join(os.path.dirname(path), "%s%s.tmp" % (temp_prefix(path), token))
    atomic_files.write_atomic(path, data, mode=mode, tmp_path=temp)


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
        info = atomic_files.lstat_or_none(full)
        if info is not None and stat.S_ISREG(info.st_mode) and now - info.st_mtime > max_age:
            found.append((info.st_mtime, full))
    return [full for _mtime, full in sorted(found)]


def remove(path):
    """Remove the file (regular files only, see ``read_current``); True when one was removed."""
    before, _info = read_current(path)
    if before is None:
        return False
    return atomic_files.unlink_durably(path)
