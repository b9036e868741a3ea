# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connector versions: read from etc/global.xml, compare, match user-supplied ranges."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.secure_endpoint.linux.plugins.module_utils import host_files
from ansible_collections.secure_endpoint.linux.plugins.module_utils.lazy_re import LazyPattern

GLOBAL_XML_MAX_BYTES = 256 * 1024
_VERSION = re.compile(r"\d+(?:\.\d+)+")
# <version>1.24.3</version> (any case, optional namespace prefix), or version="1.24.3".
_XML_ELEMENT = re.compile(r"<(?:[\w.-]+:)?(?:agent_?)?version\b[^>]*>\s*(\d+(?:\.\d+)+)[^<]*<", re.IGNORECASE)
_XML_ATTRIBUTE = re.compile(r"\b(?:agent_?)?version\s*=\s*[\"'](\d+(?:\.\d+)+)", re.IGNORECASE)
_OPERATOR = LazyPattern(r"^(>=|<=|==|!=|>|<|=)?\s*(\d+(?:\.\d+)*)\s*(\.\*|\*)?$")


def parse(text):
    """``'1.24.3.1098'`` -> ``(1, 24, 3, 1098)``; None when there is no version in ``text``."""
    if text is None:
        return None
    match = _VERSION.search(str(text)) or re.search(r"\d+", str(text))
    if not match:
        return None
    return tuple(int(part) for part in match.group(0).split("."))


def compare(left, right):
    """-1, 0 or 1; missing trailing components count as 0 (1.25 == 1.25.0)."""
    a, b = list(parse(left) or ()), list(parse(right) or ())
    size = max(len(a), len(b))
    a += [0] * (size - len(a))
    b += [0] * (size - len(b))
    return (a > b) - (a < b)


def at_least(version, minimum):
    """True/False, or None when ``version`` is unknown."""
    if parse(version) is None:
        return None
    return compare(version, minimum) >= 0


def matches(version, spec):
    """Does ``version`` fall in ``spec``?

    ``spec`` is ``*`` (any), a bare version used as a component prefix (``1.24`` matches
    1.24.0 and 1.24.3.1098, not 1.240), ``1.24.*``, or comma-separated constraints
    (``>=1.22, <1.25``). Raises ValueError on a spec it cannot read: bad data must be seen.
    """
    parsed = parse(version)
    if parsed is None:
        return False
    spec = str(spec).strip()
    if spec in ("*", ""):
        return True
    for part in spec.split(","):
        match = _OPERATOR.match(part.strip())
        if not match:
            raise ValueError("cannot read version spec %r" % spec)
        operator, bound, star = match.groups()
        if operator in (None, "=", "==") and (star or operator is None):
            prefix = tuple(int(x) for x in bound.split("."))
            if parsed[:len(prefix)] != prefix:
                return False
            continue
        result = compare(version, bound)
        ok = {">=": result >= 0, "<=": result <= 0, ">": result > 0, "<": result < 0,
              "=": result == 0, "==": result == 0, "!=": result != 0}[operator]
        if not ok:
            return False
    return True


def version_from_global_xml(text):
    """The connector version recorded in global.xml, or None.

    The file's schema is not public: accept a ``version`` element or attribute anywhere,
    first one wins."""
    if not text:
        return None
    text = re.sub(r"<\?.*?\?>|<!--.*?-->", "", text, flags=re.DOTALL)  # not <?xml version="1.0"?>
    for pattern in (_XML_ELEMENT, _XML_ATTRIBUTE):
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def read_global_xml_version(path):
    """``(version or None, error or None)``; a missing file is not an error here. The file is
    read through the bounded reader: a FIFO, a device or a file above 256 KiB is an error."""
    outcome = host_files.read_file(path, GLOBAL_XML_MAX_BYTES)
    if outcome["missing"]:
        return None, None
    if outcome["error"]:
        return None, host_files.describe(path, outcome)
    found = version_from_global_xml(outcome["data"].decode("utf-8", "replace"))
    if found is None:
        return None, "no version in %s" % path
    return found, None
