# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded, never-raising reads of small host files, under a root prefix (tests use a fake tree)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os


def under_root(root, path):
    """``path`` (absolute on the host) inside ``root`` ("/" on a real host)."""
    return os.path.join(root, path.lstrip("/"))


def read_bytes(path, limit):
    """At most ``limit`` bytes of ``path``; None when it cannot be read (a finding, not an error)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except (IOError, OSError):
        return None


def read_text(path, limit=64 * 1024):
    """``read_bytes`` decoded as UTF-8 with replacement: proc and config files may hold anything."""
    data = read_bytes(path, limit)
    return None if data is None else data.decode("utf-8", "replace")
