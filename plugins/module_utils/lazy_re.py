# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regular expressions compiled, and ``re`` imported, at their first use.

The fact modules run at every fact gathering. Most of their patterns only matter when a log line
or a file says something unusual, and ``re`` itself imports ``enum``, ``functools`` and
``collections``: several milliseconds of every healthy host's fact run for nothing. Give flags
inline (``(?i)`` at the start of the pattern), so that no module needs ``re`` to define one.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class LazyPattern(object):
    """Behaves as ``re.compile(pattern, flags)`` (search, match, findall, sub, pattern, ...),
    compiled when first used."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern, flags=0):
        self._args = (pattern, flags)
        self._compiled = None

    def __getattr__(self, name):
        compiled = self._compiled
        if compiled is None:
            import re
            compiled = self._compiled = re.compile(*self._args)
        return getattr(compiled, name)

    def __repr__(self):
        return "LazyPattern(%r, %r)" % self._args
