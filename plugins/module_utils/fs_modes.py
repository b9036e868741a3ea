# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Modes of the connector's directories (fault 5, cause 3), read with lstat: never follow links."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import stat

# The install root holds a handful of directories. A pathological one is still bounded: at most
# MAX_ENTRIES names are looked at (a directory entry's type comes with its name: no stat), and
# at most MAX_CHILDREN of its directories are checked; passing either limit is reported.
MAX_ENTRIES = 100000
MAX_CHILDREN = 1000


def parse_mode(text):
    """A mode as Ansible users write it, read the way the ``file`` module reads ``mode``:
    an octal string (``'0755'``, ``'755'``, ``'0o755'``) or an int taken as the mode's value
    (unquoted YAML ``0750`` arrives as the int 488, which is 0o750). ValueError otherwise."""
    if isinstance(text, bool):
        raise ValueError("not a mode: %r" % (text,))
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


def directories_to_check(install_dir):
    """``(paths, notes)``: the parent of the install root (``/opt/cisco``), the root itself and
    its direct child directories (``bin``, ``etc`` ...), symlinks among them included (they are
    evidence). Directories are kept before any limit applies; ``notes`` says when a limit cut
    the list (never silently)."""
    install_dir = install_dir.rstrip("/") or "/"
    paths = []
    notes = []
    parent = os.path.dirname(install_dir)
    if parent and parent != "/":
        paths.append(parent)
    paths.append(install_dir)
    children = []
    seen = 0
    more_dirs = 0
    try:
        entries = os.scandir(install_dir)
    except OSError:
        return paths, notes
    with entries:
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                notes.append("%s holds more than %d entries: only the first %d were looked at for directories"
                             % (install_dir, MAX_ENTRIES, MAX_ENTRIES))
                break
            try:
                keep = entry.is_dir(follow_symlinks=False) or entry.is_symlink()
            except OSError:
                continue
            if not keep:
                continue
            if len(children) < MAX_CHILDREN:
                children.append(entry.path)
            else:
                more_dirs += 1
    if more_dirs:
        notes.append("%s holds more than %d directories: %d were not checked" % (install_dir, MAX_CHILDREN, more_dirs))
    return paths + sorted(children), notes


def dirs_to_check(install_dir):
    """The paths of ``directories_to_check``, without its notes."""
    return directories_to_check(install_dir)[0]


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
