# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
r"""What regular expressions' classes are on plain ASCII text, for the string scanners that stand
for a few patterns on the fact's warm path (importing ``re`` costs every fact run milliseconds).

A scanner is exact on ASCII text only: elsewhere Unicode ``\s``, ``\d``, ``\w`` and IGNORECASE's
case folding (U+017F matches 's') differ from str methods, so other text goes to the patterns.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # \s, as str.isspace(): \x1c-\x1f too
SPACE = frozenset(SPACES)
DIGIT = frozenset("0123456789")  # \d
LETTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")  # [A-Za-z]
WORD = LETTER | DIGIT | frozenset("_")  # \w
# str.translate() table removing the control characters other than tab and newline
# (``[\x00-\x08\x0b-\x1f\x7f]``): garbage in a log or terminal line, dropped from evidence.
CONTROL = dict.fromkeys(list(range(0x00, 0x09)) + list(range(0x0b, 0x20)) + [0x7f])


def is_ascii(text):
    """Is ``text`` a plain ASCII str, which the scanners read exactly as the patterns do? Not on
    Python 2, whose ``\\s`` without the UNICODE flag is not str.isspace()."""
    if bytes is str or not isinstance(text, str):
        return False
    try:
        return text.isascii()
    except AttributeError:  # Python < 3.7
        try:
            text.encode("ascii")
        except UnicodeError:
            return False
        return True


def skip(text, i, chars):
    """The index of the first character at or after ``i`` that is not in ``chars``."""
    size = len(text)
    while i < size and text[i] in chars:
        i += 1
    return i
