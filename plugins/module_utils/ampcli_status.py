# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
r"""Parse ``ampcli status``: the connector's own report of its state and faults.

Only one real sample is public (see docs/FAULTS.md); the no-fault and multi-fault forms are
not, so every line is parsed independently and anything unknown is ignored, never fatal.

The local fact parses the answer at every fact gathering and importing ``re`` costs milliseconds.
The patterns below define what is read; plain ASCII text (every real answer) is read by the
str-method scanners of ``_Ascii``, which the unit tests prove equal to them. Other text goes
through the patterns: there Unicode ``\s``, ``\d``, ``\w`` and case folding differ from str methods.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import ascii_scan
from ansible_collections.secure_endpoint.linux.plugins.module_utils.ascii_scan import CONTROL, DIGIT, LETTER, SPACE, SPACES, WORD
from ansible_collections.secure_endpoint.linux.plugins.module_utils.lazy_re import LazyPattern

RAW_MAX_CHARS = 4096

# Flags are inline ((?i) is re.IGNORECASE): lazy_re imports re at the first compilation, which ASCII
# text never needs.
_KEY_VALUE = LazyPattern(r"^([A-Za-z][A-Za-z \-]{0,40}?)\s*:\s*(.*)$")
# Keys and fault lines in any case: "ID 5 - Major:", "id 5 - minor:", "Fault Ids:".
_FAULT_LINE = LazyPattern(r"(?i)^ID\s+(\d+)\s*-\s*([A-Za-z]+)\s*:\s*(.*)$")
_NOISE = LazyPattern(r"(?i)^(\[logger\]|Trying to connect|ampcli>)")
_NO_FAULTS = LazyPattern(r"(?i)^(none|0|no faults?)\b")
_SEVERITY = LazyPattern(r"(?i)\b(Minor|Major|Critical)\b")
_FAULT_ID = LazyPattern(r"\b\d+\b")
_NOT_KEY = LazyPattern(r"[^a-z0-9]+")
# Terminal escape sequences (colours: ESC[1;31m, cursor moves, OSC titles ending in BEL or
# ESC \) are removed whole: removing only the ESC byte would leave "[1;31m" before a key.
_ESCAPES = LazyPattern(u"\x1b\\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"
                       u"|\x1b[ -/]*[0-~]")
# Stray control characters (garbage on a terminal) are dropped, printable text is kept.
_CONTROL = LazyPattern(u"[\x00-\x08\x0b-\x1f\x7f]")

# More of the patterns' classes on ASCII text (ascii_scan has the common ones).
_ALNUM = LETTER | DIGIT  # what [^a-z0-9] keeps of lowered text
_KEY_CHAR = LETTER | frozenset(" -")  # [A-Za-z \-]
_CSI_PARAM = frozenset("0123456789:;<=>?")  # [0-?]
_INTERMEDIATE = frozenset(" !\"#$%&'()*+,-./")  # [ -/]
_CSI_FINAL = frozenset(chr(code) for code in range(0x40, 0x7f))  # [@-~]
_FINAL = frozenset(chr(code) for code in range(0x30, 0x7f))  # [0-~]
# str.translate() tables turning what is not a key character (not a word character) into a space.
_KEY_RUNS = dict((code, u" ") for code in range(0x80) if chr(code) not in _ALNUM)
_WORD_RUNS = dict((code, u" ") for code in range(0x80) if chr(code) not in WORD)


def _reader(text):
    """The scanners for plain ASCII text, the patterns for any other."""
    return _Ascii if ascii_scan.is_ascii(text) else _Regex


def _escape_end(text, at):
    """Where _ESCAPES, tried at the ESC ``text[at]``, ends its match, or -1 (the ESC stays).
    Its alternatives in order: CSI; OSC up to BEL, ESC \\, another ESC or the end (always
    matches); ESC intermediates final, which takes a CSI without final byte as "ESC [" alone."""
    if text.startswith("[", at + 1):
        end = ascii_scan.skip(text, ascii_scan.skip(text, at + 2, _CSI_PARAM), _INTERMEDIATE)
        if text[end:end + 1] in _CSI_FINAL:
            return end + 1
    elif text.startswith("]", at + 1):
        end = at + 2
        while end < len(text) and text[end] not in "\x07\x1b":
            end += 1
        if text.startswith("\x07", end):
            return end + 1
        return end + 2 if text.startswith("\x1b\\", end) else end
    end = ascii_scan.skip(text, at + 1, _INTERMEDIATE)
    return end + 1 if text[end:end + 1] in _FINAL else -1


class _Regex(object):
    """The patterns themselves, for text that is not plain ASCII."""

    @staticmethod
    def strip_escapes(text):
        return _ESCAPES.sub("", text) if u"\x1b" in text or u"\x9b" in text else text

    @staticmethod
    def control(line):
        return _CONTROL.sub("", line)

    @staticmethod
    def noise(line):
        return bool(_NOISE.match(line))

    @staticmethod
    def fault_line(line):
        match = _FAULT_LINE.match(line)
        return match.groups() if match else None

    @staticmethod
    def key_value(line):
        match = _KEY_VALUE.match(line)
        return match.groups() if match else None

    @staticmethod
    def key(name):
        return _NOT_KEY.sub("_", name.strip().lower()).strip("_")

    @staticmethod
    def fault_ids(value):
        return _FAULT_ID.findall(value)

    @staticmethod
    def severity(summary):
        match = _SEVERITY.search(summary)
        return match.group(1) if match else None

    @staticmethod
    def no_faults(summary):
        return bool(_NO_FAULTS.match(summary))


class _Ascii(object):
    """The same answers from str methods, exact on plain ASCII text (a line holds no "\\n").
    Each class run is taken whole: giving characters back never lets the next part match."""

    @staticmethod
    def strip_escapes(text):
        if "\x1b" not in text:  # \x9b, the 8-bit CSI, is not ASCII
            return text
        kept, start, at = [], 0, text.find("\x1b")
        while at >= 0:
            end = _escape_end(text, at)
            if end < 0:
                at = text.find("\x1b", at + 1)
                continue
            kept.append(text[start:at])
            start = end
            at = text.find("\x1b", end)
        kept.append(text[start:])
        return "".join(kept)

    @staticmethod
    def control(line):
        return line.translate(CONTROL)

    @staticmethod
    def noise(line):
        return line.lower().startswith(("[logger]", "trying to connect", "ampcli>"))

    @staticmethod
    def fault_line(line):
        if line[:2].lower() != "id" or line[2:3] not in SPACE:
            return None
        number = ascii_scan.skip(line, 2, SPACE)
        number_end = ascii_scan.skip(line, number, DIGIT)
        dash = ascii_scan.skip(line, number_end, SPACE)
        if number_end == number or line[dash:dash + 1] != "-":
            return None
        severity = ascii_scan.skip(line, dash + 1, SPACE)
        severity_end = ascii_scan.skip(line, severity, LETTER)
        colon = ascii_scan.skip(line, severity_end, SPACE)
        if severity_end == severity or line[colon:colon + 1] != ":":
            return None
        return line[number:number_end], line[severity:severity_end], line[colon + 1:].lstrip(SPACES)

    @staticmethod
    def key_value(line):
        # The key cannot hold ':' so the first one ends it; being lazy, the key leaves the spaces
        # before it to \s*; it is 1 + 40 characters at most.
        colon = line.find(":")
        key = line[:colon].rstrip(SPACES) if colon > 0 else ""
        if not key or key[0] not in LETTER or len(key) > 41 or not _KEY_CHAR.issuperset(key):
            return None
        return key, line[colon + 1:].lstrip(SPACES)

    @staticmethod
    def key(name):
        return "_".join(name.strip().lower().translate(_KEY_RUNS).split())

    @staticmethod
    def fault_ids(value):
        # \b\d+\b: a maximal run of word characters made of digits only.
        return [run for run in value.translate(_WORD_RUNS).split() if DIGIT.issuperset(run)]

    @staticmethod
    def severity(summary):
        for run in summary.translate(_WORD_RUNS).split():
            if run.lower() in ("minor", "major", "critical"):
                return run
        return None

    @staticmethod
    def no_faults(summary):
        low = summary.lower()
        for word in ("none", "0", "no faults", "no fault"):
            if low.startswith(word) and low[len(word):len(word) + 1] not in WORD:
                return True
        return False


def _key(name):
    return _reader(name).key(name)


def parse_fault_ids(value):
    """``"18"``, ``"5, 18"``, ``"5 18"``, ``"5;18"`` -> sorted unique ints; ``"None"`` -> []."""
    return sorted(set(int(tok) for tok in _reader(value).fault_ids(value)))


def strip_escapes(text):
    """``text`` without terminal escape sequences (ANSI CSI such as ``ESC[1;31m``, OSC, 2-byte)."""
    return _reader(text).strip_escapes(text)


def parse_status(text):
    """Return ``{status: {...}, fault_ids: [int], faults: [{id, severity, message}], recognized}``.

    ``status`` holds every ``Key: Value`` line with snake_case keys (``status``, ``mode``,
    ``scan``, ``last_scan``, ``policy``, ``faults`` ...). ``fault_ids`` is the union of the
    ``Fault IDs`` line and the ``ID n - Severity: message`` lines. ``recognized`` is False
    when nothing in the text looks like a status answer (garbage, empty, a hang banner).
    """
    text = text or ""
    read = _reader(text)
    status = {}
    faults = {}
    ids = set()
    saw_fault_ids_line = False
    for raw_line in read.strip_escapes(text).splitlines():
        line = read.control(raw_line).strip()
        if line.lower().startswith("ampcli>"):
            line = line[len("ampcli>"):].strip()
            if not line or line.lower() == "status":
                continue
        if not line or read.noise(line):
            continue
        found = read.fault_line(line)
        if found:
            fault_id = int(found[0])
            faults[fault_id] = {"id": fault_id, "severity": found[1].capitalize(), "message": found[2].strip()}
            ids.add(fault_id)
            continue
        found = read.key_value(line)
        if not found:
            continue
        key, value = read.key(found[0]), found[1].strip()
        if not key:
            continue
        if key == "fault_ids":
            saw_fault_ids_line = True
            ids.update(int(tok) for tok in read.fault_ids(value))
            continue
        status[key] = value
    recognized = bool(status.get("status") or status.get("mode") or saw_fault_ids_line or faults)
    fault_list = []
    for fault_id in sorted(ids):
        fault_list.append(faults.get(fault_id, {"id": fault_id, "severity": None, "message": None}))
    # A lone "Faults: 1 Major" without IDs still says a severity; keep it for the single-id case.
    summary = status.get("faults", "")
    if len(fault_list) == 1 and fault_list[0]["severity"] is None:
        severity = read.severity(summary)
        if severity:
            fault_list[0]["severity"] = severity.capitalize()
    return {"status": status, "fault_ids": sorted(ids), "faults": fault_list,
            "recognized": recognized, "no_faults": read.no_faults(summary)}


def bounded_raw(text, limit=RAW_MAX_CHARS):
    """Keep the raw answer for humans, bounded: the head holds the status lines."""
    if text is None:
        return ""
    if len(text) <= limit:
        return text
    return text[:limit] + "\n[... %d more characters cut]" % (len(text) - limit)
