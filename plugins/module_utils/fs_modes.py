# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Modes of the connector's directories (fault 5, cause 3), read with lstat: never follow links."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import stat

MAX_CHILDREN = 200  # the install root holds a handful of directories; bound a pathological one


def parse_mode(text):
    """``'0755'``, ``'755'``, ``'0o755'`` or an int -> int permission bits; ValueError otherwise."""
    if isinstance(text, int):
        value = text
    else:
        text = str(text).strip().lower()
        if text.startswith("0o"):
            text = text[2:]
        if not text or any(c not in "01234567" for c in text):
            raise ValueError("not an octal mode: %r" % text)
        value = int(text, 8)
    if value < 0 or value > 0o7777:
        raise ValueError("mode out of range: %o" % value)
    return value


def dirs_to_check(install_dir, listdir=os.listdir, lstat=os.lstat):
    """The parent of the install root (``/opt/cisco``), the root itself and its direct child
    directories (``bin``, ``etc`` ...). Children that are symlinks are included: they are evidence."""
    install_dir = install_dir.rstrip("/") or "/"
    paths = []
    parent = os.path.dirname(install_dir)
    if parent and parent != "/":
        paths.append(parent)
    paths.append(install_dir)
    try:
        names = sorted(listdir(install_dir))[:MAX_CHILDREN]
    except OSError:
        names = []
    for name in names:
        child = os.path.join(install_dir, name)
        try:
            st = lstat(child)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode):
            paths.append(child)
    return paths


def check_modes(paths, expected_mode, lstat=os.lstat, readlink=os.readlink, display=None):
    """One finding per path whose mode is not ``expected_mode`` or that is not a real directory.

    ``display`` maps the probed path to the path shown in evidence (tests probe under a prefix).
    Returns ``[{path, mode, expected, problem}]``; missing paths are not findings here.
    """
    display = display or (lambda p: p)
    findings = []
    for path in paths:
        try:
            st = lstat(path)
        except OSError:
            continue
        shown = display(path)
        if stat.S_ISLNK(st.st_mode):
            try:
                target = readlink(path)
            except OSError:
                target = "?"
            findings.append({"path": shown, "mode": None, "expected": "%04o" % expected_mode,
                             "problem": "symlink -> %s (not followed)" % target})
            continue
        if not stat.S_ISDIR(st.st_mode):
            findings.append({"path": shown, "mode": "%04o" % stat.S_IMODE(st.st_mode),
                             "expected": "%04o" % expected_mode, "problem": "not a directory"})
            continue
        mode = stat.S_IMODE(st.st_mode)
        if mode != expected_mode:
            findings.append({"path": shown, "mode": "%04o" % mode, "expected": "%04o" % expected_mode,
                             "problem": "mode %04o, expected %04o" % (mode, expected_mode)})
    return findings
