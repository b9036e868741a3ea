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

getdef.c reads the whole file, whatever its size: so does this, up to ``MAX_BYTES``; a larger
file (or a FIFO, a device, an unreadable file) gives no verdict ("unknown"), never a guess made
from part of the file. The unit tests compare this parser with the real ``useradd``.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import host_files

FGETS_CHUNK = 1023  # fgets(buf, 1024, fp) stores at most 1023 bytes and a NUL
_C_SPACE = b" \t\n\v\f\r"
# login.defs is a few KiB; a file above this is reported "too large" (unknown), never cut.
MAX_BYTES = 16 * 1024 * 1024


def parse(data, names=None):
    """Bytes (or text) of a login.defs file -> ``{name: value}`` as getdef.c stores them.

    With ``names`` (a list of str), only the lines that hold one of them are parsed: the same
    answer for those names, without walking every line of a large file."""
    if not isinstance(data, bytes):
        data = data.encode("utf-8", "surrogateescape")
    defs = {}
    records = _split_newlines(data) if names is None else _lines_holding(data, names)
    # Lines end at \n only, as with fgets (splitlines() would also cut at \r, \v, \f).
    for record in records:
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


def _lines_holding(data, names):
    """The fgets pieces of every line holding one of ``names``, in file order. A piece can
    define a name only if the name's bytes are in it, so the other lines cannot matter."""
    starts = set()
    for name in names:
        needle = name.encode("utf-8")
        position = data.find(needle)
        while position >= 0:
            start = data.rfind(b"\n", 0, position) + 1
            starts.add(start)
            end = data.find(b"\n", position)
            if end < 0:
                break
            position = data.find(needle, end)
    for start in sorted(starts):
        newline = data.find(b"\n", start)
        line = data[start:len(data) if newline < 0 else newline + 1]
        for i in range(0, len(line), FGETS_CHUNK):
            yield line[i:i + FGETS_CHUNK]


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

    A missing file is what getdef.c treats as "no definitions" (all defaults, so false). A file
    that cannot be judged (not a regular file, too large, unreadable) gives ``enabled`` None
    and an ``error``: unknown, never "no"."""
    result = {"path": path, "present": False, "value": None, "enabled": False, "error": None}
    outcome = host_files.read_file(path, MAX_BYTES)
    if outcome["missing"]:
        return result
    result["present"] = True
    if outcome["error"]:
        result["enabled"] = None
        result["error"] = host_files.describe(path, outcome)
        return result
    defs = parse(outcome["data"], names=["USERGROUPS_ENAB"])
    result["value"] = defs.get("USERGROUPS_ENAB")
    result["enabled"] = getdef_bool(defs, "USERGROUPS_ENAB")
    return result
