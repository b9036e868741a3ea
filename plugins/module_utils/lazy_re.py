# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regular expressions compiled at their first use.

The fact modules run at every fact gathering and compile their module_utils at every run; most of
their patterns only matter when a log line or a file says something unusual, so compiling them
all at import costs every healthy host's run for nothing.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re


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
            compiled = self._compiled = re.compile(*self._args)
        return getattr(compiled, name)

    def __repr__(self):
        return "LazyPattern(%r, %r)" % self._args
