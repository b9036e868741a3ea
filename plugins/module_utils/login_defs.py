# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read /etc/login.defs exactly the way shadow-utils does (lib/getdef.c, file backend).

What getdef.c does, and so what this does:
- the file is read with ``fgets`` into a 1024-byte buffer: a longer line is cut into pieces of
  1023 bytes, each parsed as a line of its own;
- trailing whitespace (``isspace``) is removed; leading spaces and tabs are skipped;
- an empty line or one whose first non-blank character is ``#`` is a comment; there are no
  inline comments (``yes # note`` is the value ``yes # note``, which is not "yes");
- the name ends at the first space or tab; a line with a name and no value is ignored;
- the value starts after spaces, tabs and double quotes and ends at the next double quote;
- names are case-sensitive (``strcmp``): ``usergroups_enab yes`` is an unknown item;
- a repeated name replaces the earlier value: the last one wins;
- ``getdef_bool`` is true only for a value equal to "yes", case-insensitively; a missing
  item is false.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

FGETS_CHUNK = 1023  # fgets(buf, 1024, fp) stores at most 1023 bytes and a NUL
_C_SPACE = b" \t\n\v\f\r"
MAX_BYTES = 1024 * 1024  # login.defs is a few KiB; never read an absurd file whole


def parse(data):
    """Bytes (or text) of a login.defs file -> ``{name: value}`` as getdef.c stores them."""
    if not isinstance(data, bytes):
        data = data.encode("utf-8", "surrogateescape")
    defs = {}
    # Lines end at \n only, as with fgets (splitlines() would also cut at \r, \v, \f).
    for record in _split_newlines(data):
        # C string functions stop at the first NUL byte of the buffer.
        buf = record.split(b"\0", 1)[0].rstrip(_C_SPACE)
        name_start = len(buf) - len(buf.lstrip(b" \t"))
        rest = buf[name_start:]
        if not rest or rest[:1] == b"#":
            continue
        end = _first_of(rest, b" \t")
        if end is None:
            continue  # only one field
        name = rest[:end]
        tail = rest[end + 1:]
        value = tail.lstrip(b" \"\t")
        quote = value.find(b'"')
        if quote >= 0:
            value = value[:quote]
        defs[name.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return defs


def _split_newlines(data):
    start = 0
    length = len(data)
    while start < length:
        newline = data.find(b"\n", start)
        stop = length if newline < 0 else newline + 1
        line = data[start:stop]
        for i in range(0, len(line), FGETS_CHUNK):
            yield line[i:i + FGETS_CHUNK]
        start = stop


def _first_of(buf, chars):
    positions = [buf.find(c) for c in (chars[i:i + 1] for i in range(len(chars)))]
    positions = [p for p in positions if p >= 0]
    return min(positions) if positions else None


def getdef_bool(defs, name):
    value = defs.get(name)
    return value is not None and value.lower() == "yes"


def read_usergroups_enab(path):
    """``{path, present, value, enabled, error}`` for USERGROUPS_ENAB as useradd would see it.

    A missing file is what getdef.c treats as "no definitions" (all defaults, so false).
    """
    result = {"path": path, "present": False, "value": None, "enabled": False, "error": None}
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES)
    except IOError as exc:
        if exc.errno != 2:
            result["error"] = "cannot read %s: %s" % (path, os.strerror(exc.errno) if exc.errno else exc)
        return result
    result["present"] = True
    defs = parse(data)
    result["value"] = defs.get("USERGROUPS_ENAB")
    result["enabled"] = getdef_bool(defs, "USERGROUPS_ENAB")
    return result
