# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crash-safe file work for the remediation modules.

A file written here is either the old one or the new one after a crash at any point: the new
bytes go to a temporary file in the same directory, are flushed to disk (fsync), renamed over
the target, and the directory itself is flushed so that the rename survives a power loss.
Reads never follow a symbolic link and refuse anything but a regular file (a FIFO would block,
a device could be endless), with a size limit.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import hashlib
import os
import stat

CHUNK = 1024 * 1024
# SELinux keeps a file's label in this extended attribute; a replaced file keeps its label.
SELINUX_XATTR = "security.selinux"


class FileKindError(ValueError):
    """The path is not a regular file we may read or replace (a link, FIFO, device, directory...)."""


def describe_kind(mode):
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def lstat_or_none(path):
    return _stat_or_none(os.lstat, path)


def stat_or_none(path):
    """Like ``lstat_or_none``, following links."""
    return _stat_or_none(os.stat, path)


def _stat_or_none(stat_call, path):
    try:
        return stat_call(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise


def read_regular(path, limit):
    """``(bytes, stat)`` of a regular file, not following links; None when it does not exist.

    Raises FileKindError for anything else than a regular file or a file over ``limit`` bytes.
    The file is opened with O_NOFOLLOW|O_NONBLOCK and checked with fstat, so a path swapped
    for a FIFO or a link between the lstat and the open is refused, never waited on.
    """
    info = lstat_or_none(path)
    if info is None:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise FileKindError("%s is %s, not a regular file: not touched" % (path, describe_kind(info.st_mode)))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileKindError("%s became a symbolic link: not touched" % path)
        raise
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            raise FileKindError("%s changed while it was read: not touched" % path)
        if now.st_size > limit:
            raise FileKindError("%s is %d bytes, more than the %d this module reads: not touched"
                                % (path, now.st_size, limit))
        chunks = []
        size = 0
        while True:
            data = os.read(fd, min(CHUNK, limit + 1 - size))
            if not data:
                break
            chunks.append(data)
            size += len(data)
            if size > limit:
                raise FileKindError("%s grew past %d bytes while it was read: not touched" % (path, limit))
        return b"".join(chunks), now
    finally:
        os.close(fd)


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_fd(fd):
    """Streaming sha256 of an open file from its start (bounded memory)."""
    digest = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while True:
        data = os.read(fd, CHUNK)
        if not data:
            break
        digest.update(data)
    return digest.hexdigest()


def fsync_dir(path):
    """Flush a directory's entries (a rename or unlink in it) to disk."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_label(src_path, dst_fd):
    """Give the new file the old one's SELinux label; silently nothing without xattr support."""
    if not hasattr(os, "getxattr"):
        return
    try:
        label = os.getxattr(src_path, SELINUX_XATTR, follow_symlinks=False)
    except OSError:
        return
    try:
        os.setxattr(dst_fd, SELINUX_XATTR, label)
    except OSError:
        pass


def write_atomic(path, data, mode=0o600, uid=None, gid=None, like=None, tmp_path=None):
    """Replace ``path`` by ``data`` so that a crash leaves the old or the new file, never a mix.

    ``like``: an existing path whose mode, owner and SELinux label the new file takes (the file
    being replaced). ``tmp_path``: the temporary name to use (same directory), so that a
    recovery knows what a crash may have left; default ``.<name>.tmp`` beside the target.
    """
    directory = os.path.dirname(path) or "."
    tmp = tmp_path or os.path.join(directory, ".%s.tmp" % os.path.basename(path))
    if like is not None:
        info = os.lstat(like)
        mode = stat.S_IMODE(info.st_mode)
        uid, gid = info.st_uid, info.st_gid
    if os.path.lexists(tmp):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if uid is not None or gid is not None:
            os.fchown(fd, -1 if uid is None else uid, -1 if gid is None else gid)
        os.fchmod(fd, mode)
        if like is not None:
            _copy_label(like, fd)
        os.fsync(fd)
    except Exception:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    os.rename(tmp, path)
    fsync_dir(directory)


def unlink_durably(path):
    """Remove a file (never a directory) and flush its directory; missing is fine."""
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return False
        raise
    fsync_dir(os.path.dirname(path) or ".")
    return True


def private_dir(path, uid=None):
    """Make sure ``path`` is a directory (not a link) only its owner can use (0700).

    Created with its missing parents; an existing one with looser permissions is tightened.
    Returns True when something was created or changed. Raises FileKindError when a link or a
    file is in the way, or when it belongs to someone else than ``uid`` (default: us).
    """
    uid = os.geteuid() if uid is None else uid
    changed = False
    info = lstat_or_none(path)
    if info is None:
        parent = os.path.dirname(path.rstrip("/"))
        if parent and parent != path and lstat_or_none(parent) is None:
            os.makedirs(parent, 0o700)  # created for our state: nobody else's business
        try:
            os.mkdir(path, 0o700)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
        changed = True
        info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise FileKindError("%s is %s, not a directory: the state directory cannot be used"
                            % (path, describe_kind(info.st_mode)))
    if info.st_uid != uid:
        raise FileKindError("%s belongs to uid %d, not %d: the state directory cannot be trusted"
                            % (path, info.st_uid, uid))
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(path, 0o700)
        changed = True
    return changed
