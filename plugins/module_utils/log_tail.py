# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded tail of logs that may be huge, rotated, binary or unreadable.

The cost is at most ``max_bytes`` read per call whatever the log's size: one ``fstat``,
one ``seek`` near the end, one bounded ``read``.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.secure_endpoint.linux.plugins.module_utils import host_files
from ansible_collections.secure_endpoint.linux.plugins.module_utils.ascii_scan import CONTROL

DEFAULT_MAX_BYTES = 256 * 1024
MAX_LINE_CHARS = 400


def _read_tail(path, max_bytes):
    """-> (bytes, started_mid_file). Raises OSError/IOError. Only regular files are opened
    (host_files.open_regular): a FIFO or a device named like a log would block or never end."""
    fd, st = host_files.open_regular(path)
    try:
        start = max(0, st.st_size - max_bytes)
        if start:
            os.lseek(fd, start, os.SEEK_SET)
        chunks = []
        left = max_bytes
        while left > 0:
            data = os.read(fd, min(left, 1024 * 1024))
            if not data:
                break
            chunks.append(data)
            left -= len(data)
        return b"".join(chunks), start > 0
    finally:
        os.close(fd)


def _lines(data, started_mid_file):
    text = data.decode("utf-8", "replace")
    lines = text.splitlines()
    if started_mid_file and lines:
        lines = lines[1:]  # the first line is cut: not evidence
    cleaned = []
    for line in lines:
        line = line.translate(CONTROL).rstrip()
        if line:
            cleaned.append(line[:MAX_LINE_CHARS])
    return cleaned


def tail_lines(path, max_bytes=DEFAULT_MAX_BYTES, rotated=True):
    """``{path, lines, error}``: the last lines within ``max_bytes`` of ``path``; when the log
    was just rotated (smaller than the budget) the rest of the budget comes from ``path.1``.
    A missing log gives no lines and no error; an unreadable one an error, never an exception."""
    result = {"path": path, "lines": [], "error": None}
    try:
        data, cut = _read_tail(path, max_bytes)
    except (IOError, OSError) as exc:
        if getattr(exc, "errno", None) != 2:
            result["error"] = "cannot read %s: %s" % (path, host_files.reason(exc))
        return result
    lines = _lines(data, cut)
    if rotated and len(data) < max_bytes // 2:
        try:
            older, older_cut = _read_tail(path + ".1", max_bytes - len(data))
            lines = _lines(older, older_cut) + lines
        except (IOError, OSError):
            pass
    result["lines"] = lines
    return result


class Tail(object):
    """The bounded tail of one log, kept as bytes: searching a keyword in it is one C-speed
    ``find`` over at most ``max_bytes``, and only the lines that hold a keyword are decoded."""

    def __init__(self, path, max_bytes=DEFAULT_MAX_BYTES, rotated=True):
        self.path = path
        self.error = None
        self.data = b""
        try:
            data, cut = _read_tail(path, max_bytes)
        except (IOError, OSError) as exc:
            if getattr(exc, "errno", None) != 2:
                self.error = "cannot read %s: %s" % (path, host_files.reason(exc))
            return
        if rotated and len(data) < max_bytes // 2:
            try:
                older, older_cut = _read_tail(path + ".1", max_bytes - len(data))
                data, cut = _whole_lines(older, older_cut) + b"\n" + data, False
            except (IOError, OSError):
                pass
        self.data = _whole_lines(data, cut)
        self._lower = None

    def lines_with(self, keywords):
        """Cleaned lines holding any of ``keywords`` (lower-case bytes), in file order."""
        if not self.data:
            return []
        if self._lower is None:
            self._lower = self.data.lower()
        starts = set()
        for keyword in keywords:
            position = self._lower.find(keyword)
            while position >= 0:
                start = self._lower.rfind(b"\n", 0, position) + 1
                starts.add(start)
                end = self._lower.find(b"\n", position)
                if end < 0:
                    break
                position = self._lower.find(keyword, end)
        lines = []
        for start in sorted(starts):
            end = self.data.find(b"\n", start)
            raw = self.data[start:end if end >= 0 else len(self.data)]
            text = raw.decode("utf-8", "replace").translate(CONTROL).rstrip()
            if text:
                lines.append(text[:MAX_LINE_CHARS])
        return lines


def _whole_lines(data, cut):
    if cut:
        newline = data.find(b"\n")
        return data[newline + 1:] if newline >= 0 else b""
    return data


def matching(lines, pattern, limit):
    """The last ``limit`` lines matching the compiled ``pattern``, oldest first."""
    found = [line for line in lines if pattern.search(line)]
    return found[-limit:] if limit else found
