# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connector versions: read from etc/global.xml, compare, match user-supplied ranges."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import ascii_scan, host_files
from ansible_collections.secure_endpoint.linux.plugins.module_utils.ascii_scan import DIGIT, SPACE, WORD
from ansible_collections.secure_endpoint.linux.plugins.module_utils.lazy_re import LazyPattern

GLOBAL_XML_MAX_BYTES = 256 * 1024
# The patterns define what is read. The version is read at every fact gathering and importing re
# costs milliseconds, so plain ASCII text (every real global.xml and version string) goes through
# the scanners below, which the unit tests prove equal to these patterns; they are compiled only
# for other text. Flags are written inline: lazy_re imports re at the first compilation.
_VERSION = LazyPattern(r"\d+(?:\.\d+)+")
_NUMBER = LazyPattern(r"\d+")
# <?...?> and <!--...-->, removed first: not <?xml version="1.0"?>.
_XML_MARKUP = LazyPattern(r"(?s)<\?.*?\?>|<!--.*?-->")
# <version>1.24.3</version> (any case, optional namespace prefix), or version="1.24.3".
_XML_ELEMENT = LazyPattern(r"(?i)<(?:[\w.-]+:)?(?:agent_?)?version\b[^>]*>\s*(\d+(?:\.\d+)+)[^<]*<")
_XML_ATTRIBUTE = LazyPattern(r"(?i)\b(?:agent_?)?version\s*=\s*[\"'](\d+(?:\.\d+)+)")
_OPERATOR = LazyPattern(r"^(>=|<=|==|!=|>|<|=)?\s*(\d+(?:\.\d+)*)\s*(\.\*|\*)?$")

# More of the patterns' classes on ASCII text (ascii_scan has the common ones).
_NAME = WORD | frozenset(".-")  # [\w.-]
_AGENT = ("agent_", "agent", "")  # (?:agent_?)? in the order the pattern tries it
_CLOSERS = {"<?": "?>", "<!--": "-->"}  # the two kinds of markup _XML_MARKUP removes (never at the same place)


def _dotted_end(text, i):
    r"""Where ``\d+(?:\.\d+)+`` matched at ``i`` ends (greedy, a final '.' left out), or -1."""
    end = ascii_scan.skip(text, i, DIGIT)
    if end == i:
        return -1
    found = -1
    while end + 1 < len(text) and text[end] == "." and text[end + 1] in DIGIT:
        end = found = ascii_scan.skip(text, end + 1, DIGIT)
    return found


def _scan_version(text):
    r"""ASCII ``text``: its first ``\d+(?:\.\d+)+``, else its first ``\d+``, else None."""
    first, i, size = None, 0, len(text)
    while i < size:
        if text[i] not in DIGIT:
            i += 1
            continue
        end = _dotted_end(text, i)
        if end >= 0:
            return text[i:end]
        # A later start inside this run of digits ends at the same place: fails too.
        run = ascii_scan.skip(text, i, DIGIT)
        first = first or text[i:run]
        i = run
    return first


def _next_openers(text, start, places):
    """Update ``places`` (opener -> position, -1 when none is left) to the openers at or after ``start``."""
    for opener, place in list(places.items()):
        if 0 <= place < start:
            places[opener] = text.find(opener, start)


def _strip_markup(text):
    """``_XML_MARKUP.sub("", text)`` on ASCII text: the leftmost opener first, its closer searched
    after the whole opener ("<?>" and "<!-->" open but do not close), an opener without closer kept.
    Openers are found with str.find: a large file has many '<', few of them markup."""
    kept, start = [], 0
    places = dict((opener, text.find(opener)) for opener in _CLOSERS)
    while max(places.values()) >= 0:
        at, opener = min((place, opener) for opener, place in places.items() if place >= 0)
        closer = _CLOSERS[opener]
        close = text.find(closer, at + len(opener))
        if close < 0:
            places[opener] = -1  # no closer after any later opener of this kind either
            continue
        kept.append(text[start:at])
        start = close + len(closer)
        _next_openers(text, start, places)
    kept.append(text[start:])
    return "".join(kept)


def _version_end(low, i):
    r"""Where ``version`` read at ``i`` ends when a word boundary follows it (``version\b``), or -1."""
    end = i + len("version")
    if not low.startswith("version", i) or (end < len(low) and low[end] in WORD):
        return -1
    return end


def _name_end(low, i):
    r"""Where ``(?:agent_?)?version\b`` read at ``i`` ends, or -1."""
    for agent in _AGENT:
        if low.startswith(agent, i):
            end = _version_end(low, i + len(agent))
            if end >= 0:
                return end
    return -1


def _element_value(low, name):
    r"""``(?:agent_?)?version\b[^>]*>\s*(\d+(?:\.\d+)+)[^<]*<`` at ``name``: the number, or None."""
    end = _name_end(low, name)
    close = low.find(">", end) if end >= 0 else -1
    if close < 0:
        return None
    number = ascii_scan.skip(low, close + 1, SPACE)
    dotted = _dotted_end(low, number)
    # A shorter number cannot help: no '<' among its digits and dots.
    if dotted < 0 or low.find("<", dotted) < 0:
        return None
    return low[number:dotted]


def _element_at(low, at):
    r"""``_XML_ELEMENT.match`` at the '<' at ``at``: group 1 or None. The name is tried after a
    ``[\w.-]+:`` prefix, then at once, as the regex engine backtracks."""
    prefix = ascii_scan.skip(low, at + 1, _NAME)
    names = [at + 1]
    if prefix > at + 1 and low.startswith(":", prefix):
        names.insert(0, prefix + 1)
    for name in names:
        found = _element_value(low, name)
        if found:
            return found
    return None


def _scan_element(low):
    """``_XML_ELEMENT.search`` on lowered ASCII text (the pattern ignores case): group 1 or None.
    No '<' comes between a match's '<' and its 'version', so only the last '<' before each
    'version' is tried, from the left (trying every '<' of a large file costs far more)."""
    at, previous = low.find("version"), 0
    while at >= 0:
        start = low.rfind("<", previous, at)  # none: the last '<' was tried with the previous 'version'
        if start >= 0:
            found = _element_at(low, start)
            if found:
                return found
        previous, at = at, low.find("version", at + 1)
    return None


def _attribute_starts(low, at):
    r"""Does ``\b(?:agent_?)?version`` match with its 'version' at ``at``?"""
    for agent in _AGENT:
        start = at - len(agent)
        if start >= 0 and low.startswith(agent, start) and (start == 0 or low[start - 1] not in WORD):
            return True
    return False


def _attribute_value(low, i):
    r"""``\s*=\s*["'](\d+(?:\.\d+)+)`` at ``i``: the number, or None."""
    i = ascii_scan.skip(low, i, SPACE)
    if not low.startswith("=", i):
        return None
    i = ascii_scan.skip(low, i + 1, SPACE)
    dotted = _dotted_end(low, i + 1) if low.startswith(("\"", "'"), i) else -1
    return low[i + 1:dotted] if dotted >= 0 else None


def _scan_attribute(low):
    """``_XML_ATTRIBUTE.search`` on lowered ASCII text: group 1 or None. Matches are taken in
    the order of their 'version' (it cannot overlap itself, so that is their order of start)."""
    at = low.find("version")
    while at >= 0:
        found = _attribute_value(low, at + len("version")) if _attribute_starts(low, at) else None
        if found:
            return found
        at = low.find("version", at + 1)
    return None


def parse(text):
    """``'1.24.3.1098'`` -> ``(1, 24, 3, 1098)``; None when there is no version in ``text``."""
    if text is None:
        return None
    text = str(text)
    if ascii_scan.is_ascii(text):
        found = _scan_version(text)
    else:
        match = _VERSION.search(text) or _NUMBER.search(text)
        found = match and match.group(0)
    if not found:
        return None
    return tuple(int(part) for part in found.split("."))


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
    if ascii_scan.is_ascii(text):
        low = _strip_markup(text).lower()
        return _scan_element(low) or _scan_attribute(low)
    text = _XML_MARKUP.sub("", text)
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
