# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import random
import re
import stat
import subprocess
import sys
import time

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import ampcli_status, ascii_scan, bounded_cmd, collect

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "ampcli")


def raw_sample(name):
    """Bytes of a sample; binary ones are kept hex-encoded in git (``NAME.hex``)."""
    if name.endswith(".hex"):
        with open(os.path.join(DATA, name)) as handle:
            return bytes.fromhex("".join(handle.read().split()))
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()


def sample(name):
    return bounded_cmd.decode(raw_sample(name))


@pytest.mark.parametrize("name", ["cisco_fault18.txt", "cisco_fault18_prefixed.txt"])
def test_cisco_sample(name):
    parsed = ampcli_status.parse_status(sample(name))
    assert parsed["recognized"]
    assert parsed["fault_ids"] == [18]
    assert parsed["faults"][0]["id"] == 18
    assert parsed["faults"][0]["severity"] == "Major"
    assert parsed["faults"][0]["message"].startswith("Connector event monitoring is overloaded.")
    status = parsed["status"]
    assert status["status"] == "Connected"
    assert status["mode"] == "Degraded"
    assert status["scan"] == "Ready for scan"
    assert status["last_scan"] == "2023-06-19 02:02:03 PM"
    assert status["policy"] == "Audit Policy for FireAMP Linux (#1)"
    assert status["command_line"] == "Enabled"
    assert status["behavioural_protection"] == "Protect"
    assert status["faults"] == "1 Major"
    # The prompt and the logger lines are not status keys.
    assert not any(key.startswith(("logger", "trying", "ampcli")) for key in status)


def test_no_faults():
    parsed = ampcli_status.parse_status(sample("no_faults.txt"))
    assert parsed["recognized"] and parsed["no_faults"]
    assert parsed["fault_ids"] == [] and parsed["faults"] == []
    assert parsed["status"]["mode"] == "Normal"


def test_fault_ids_with_commas_and_messages():
    parsed = ampcli_status.parse_status(sample("fault_ids_comma.txt"))
    assert parsed["fault_ids"] == [5, 18]
    assert [(f["id"], f["severity"]) for f in parsed["faults"]] == [(5, "Major"), (18, "Critical")]


def test_fault_ids_with_spaces_only():
    parsed = ampcli_status.parse_status(sample("fault_ids_space.txt"))
    assert parsed["fault_ids"] == [5, 18]
    # No per-fault line: the severity is not known for each of two faults.
    assert [f["severity"] for f in parsed["faults"]] == [None, None]


def test_single_id_takes_severity_from_summary():
    parsed = ampcli_status.parse_status("Status: Connected\nFaults: 1 Critical\nFault IDs: 18\n")
    assert parsed["faults"] == [{"id": 18, "severity": "Critical", "message": None}]


def test_truncated_answer_keeps_what_is_complete():
    parsed = ampcli_status.parse_status(sample("truncated.txt"))
    assert parsed["recognized"]
    assert parsed["fault_ids"] == [7, 11]
    assert parsed["status"]["mode"] == "Degraded"


@pytest.mark.parametrize("name", ["garbage.hex", "empty.txt", "daemon_down.txt"])
def test_unrecognized(name):
    parsed = ampcli_status.parse_status(sample(name))
    assert not parsed["recognized"]
    assert parsed["fault_ids"] == []


def test_fault_line_without_ids_line_counts():
    parsed = ampcli_status.parse_status("Status: Connected\nID 6 - Major: Scan service restarting frequently\n")
    assert parsed["fault_ids"] == [6]


def test_bounded_raw():
    assert ampcli_status.bounded_raw("abc") == "abc"
    long_text = "x" * 5000
    cut = ampcli_status.bounded_raw(long_text)
    assert len(cut) < 4200 and cut.endswith("904 more characters cut]")


def _script(tmp_path, body):
    path = tmp_path / "ampcli"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_run_ampcli_real_sample(tmp_path):
    path = _script(tmp_path, "cat '%s'\n" % os.path.join(DATA, "cisco_fault18_prefixed.txt"))
    entry, reported = collect.run_ampcli(path, 5, bounded_cmd.run)
    assert entry["ran"] and entry["rc"] == 0 and entry["error"] is None
    assert reported == {18: "Major"}
    assert entry["raw"].startswith("[logger]")


def test_run_ampcli_hang_is_killed(tmp_path):
    # A child that keeps the pipe open proves the whole process group dies.
    path = _script(tmp_path, "echo 'Trying to connect...'\nsleep 300 &\nsleep 300\n")
    start = time.monotonic()
    entry, reported = collect.run_ampcli(path, 0.5, bounded_cmd.run)
    assert time.monotonic() - start < 5
    assert entry["timed_out"] and entry["rc"] is None and reported == {}
    assert "did not answer" in entry["error"]
    assert "Trying to connect" in entry["raw"]


def test_run_ampcli_garbage_and_failure(tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(raw_sample("garbage.hex"))
    path = _script(tmp_path, "cat '%s'\nexit 3\n" % garbage)
    entry, reported = collect.run_ampcli(path, 5, bounded_cmd.run)
    assert entry["rc"] == 3 and reported == {}
    assert entry["error"] == "ampcli status exited with rc=3"


def test_run_ampcli_endless_output_is_cut(tmp_path):
    path = _script(tmp_path, "while :; do echo 'Status: Connected'; done\n")
    entry, reported = collect.run_ampcli(path, 5, bounded_cmd.run)
    assert "more than" in entry["error"]
    assert len(entry["raw"]) < 4200


def test_run_ampcli_missing(tmp_path):
    entry, reported = collect.run_ampcli(str(tmp_path / "nope"), 5, bounded_cmd.run)
    assert not entry["ran"] and "not found" in entry["error"] and reported == {}


def test_run_ampcli_not_executable(tmp_path):
    path = tmp_path / "ampcli"
    path.write_text("Status: Connected\n")
    entry, reported = collect.run_ampcli(str(path), 5, bounded_cmd.run)
    assert not entry["ran"] and "cannot run" in entry["error"]


def _coloured(text):
    """The Cisco sample as a terminal would get it: bold keys, red severities, a title (OSC)."""
    out = ["\x1b]0;ampcli\x07"]
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        out.append("\x1b[1m%s\x1b[0m%s\x1b[1;31m%s\x1b[0m\x1b[K" % (key, sep, value) if sep else line)
    return "\r\n".join(out) + "\r\n"


def test_ansi_colour_sequences_hide_nothing():
    plain = ampcli_status.parse_status(sample("cisco_fault18_prefixed.txt"))
    coloured = ampcli_status.parse_status(_coloured(sample("cisco_fault18_prefixed.txt")))
    assert coloured == plain and coloured["recognized"] and coloured["fault_ids"] == [18]


def test_lower_case_keys_and_fault_lines():
    text = sample("fault_ids_comma.txt").lower()
    parsed = ampcli_status.parse_status(text)
    assert parsed["fault_ids"] == [5, 18]
    assert [(f["id"], f["severity"]) for f in parsed["faults"]] == [(5, "Major"), (18, "Critical")]
    assert all(f["message"] for f in parsed["faults"])
    assert parsed["status"]["mode"] == "degraded"


@pytest.mark.parametrize("text,plain", [
    ("\x1b[1;31mMode\x1b[0m: Degraded", "Mode: Degraded"),
    ("\x1b[38;5;196mStatus: Connected", "Status: Connected"),
    ("\x1b]2;title\x1b\\Status: x", "Status: x"),
    ("\x1b(BFaults: None", "Faults: None"),
    ("no escape at all", "no escape at all"),
])
def test_strip_escapes(text, plain):
    assert ampcli_status.strip_escapes(text) == plain


def test_run_ampcli_answer_with_a_child_holding_stdout(tmp_path):
    path = _script(tmp_path, "cat '%s'\nsleep 8 &\n" % os.path.join(DATA, "cisco_fault18.txt"))
    start = time.monotonic()
    entry, reported = collect.run_ampcli(path, 6, bounded_cmd.run)
    assert time.monotonic() - start < 3
    assert entry["rc"] == 0 and not entry["timed_out"] and entry["error"] is None and reported == {18: "Major"}


def test_run_ampcli_symlink_loop_is_not_not_found(tmp_path):
    path = str(tmp_path / "ampcli")
    os.symlink(path, path)
    entry, reported = collect.run_ampcli(path, 5, bounded_cmd.run)
    assert entry["error"] == "%s cannot be run: symlink loop" % path and not entry["ran"]


# The differential tests: the module against a copy of its regex implementation before the str-method
# scanners (the oracle, kept here verbatim), on the samples, on seeded random text and on non-ASCII text.

_O_KEY_VALUE = re.compile(r"^([A-Za-z][A-Za-z \-]{0,40}?)\s*:\s*(.*)$")
_O_FAULT_LINE = re.compile(r"^ID\s+(\d+)\s*-\s*([A-Za-z]+)\s*:\s*(.*)$", re.IGNORECASE)
_O_NOISE = re.compile(r"^(\[logger\]|Trying to connect|ampcli>)", re.IGNORECASE)
_O_NO_FAULTS = re.compile(r"^(none|0|no faults?)\b", re.IGNORECASE)
_O_ESCAPES = re.compile(u"\x1b\\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"
                        u"|\x1b[ -/]*[0-~]")
_O_CONTROL = re.compile(u"[\x00-\x08\x0b-\x1f\x7f]")
_O_SEVERITY = re.compile(r"\b(Minor|Major|Critical)\b", re.IGNORECASE)


def oracle_key(name):
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def oracle_parse_fault_ids(value):
    return sorted(set(int(tok) for tok in re.findall(r"\b\d+\b", value)))


def oracle_strip_escapes(text):
    return _O_ESCAPES.sub("", text) if u"\x1b" in text or u"\x9b" in text else text


def oracle_parse_status(text):
    status = {}
    faults = {}
    ids = set()
    saw_fault_ids_line = False
    for raw_line in oracle_strip_escapes(text or "").splitlines():
        line = _O_CONTROL.sub("", raw_line).strip()
        if line.lower().startswith("ampcli>"):
            line = line[len("ampcli>"):].strip()
            if not line or line.lower() == "status":
                continue
        if not line or _O_NOISE.match(line):
            continue
        match = _O_FAULT_LINE.match(line)
        if match:
            fault_id = int(match.group(1))
            faults[fault_id] = {"id": fault_id, "severity": match.group(2).capitalize(),
                                "message": match.group(3).strip()}
            ids.add(fault_id)
            continue
        match = _O_KEY_VALUE.match(line)
        if not match:
            continue
        key, value = oracle_key(match.group(1)), match.group(2).strip()
        if not key:
            continue
        if key == "fault_ids":
            saw_fault_ids_line = True
            ids.update(oracle_parse_fault_ids(value))
            continue
        status[key] = value
    recognized = bool(status.get("status") or status.get("mode") or saw_fault_ids_line or faults)
    fault_list = []
    for fault_id in sorted(ids):
        fault_list.append(faults.get(fault_id, {"id": fault_id, "severity": None, "message": None}))
    summary = status.get("faults", "")
    if len(fault_list) == 1 and fault_list[0]["severity"] is None:
        sev = re.search(r"\b(Minor|Major|Critical)\b", summary, re.IGNORECASE)
        if sev:
            fault_list[0]["severity"] = sev.group(1).capitalize()
    return {"status": status, "fault_ids": sorted(ids), "faults": fault_list,
            "recognized": recognized, "no_faults": bool(_O_NO_FAULTS.match(summary))}


def _groups(match):
    return match.groups() if match else None


def assert_public_same(text):
    """The public functions (and ``_key``) give what the oracle gives."""
    for new, old in ((ampcli_status.parse_status, oracle_parse_status),
                     (ampcli_status.strip_escapes, oracle_strip_escapes),
                     (ampcli_status.parse_fault_ids, oracle_parse_fault_ids),
                     (ampcli_status._key, oracle_key)):  # pylint: disable=protected-access
        assert new(text) == old(text), (new.__name__, text)


def assert_scanners_same(line):
    """Each ASCII scanner equals its pattern on a line (any ASCII text without "\\n")."""
    scan = ampcli_status._Ascii  # pylint: disable=protected-access
    assert scan.control(line) == _O_CONTROL.sub("", line), line
    assert scan.noise(line) == bool(_O_NOISE.match(line)), line
    assert scan.fault_line(line) == _groups(_O_FAULT_LINE.match(line)), line
    assert scan.key_value(line) == _groups(_O_KEY_VALUE.match(line)), line
    assert scan.no_faults(line) == bool(_O_NO_FAULTS.match(line)), line
    assert scan.severity(line) == (_groups(_O_SEVERITY.search(line)) or [None])[0], line


_SEPARATORS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\n\n"]
_CHARS = list("aAzZkKsSiIdD0159") + [
    " ", " ", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\r", "\n", ":", ":", "-", "_", ",", ";",
    "[", "]", ">", "\x1b", "\x07", "\\", "\x00", "\x08", "\x7f", "(", "?", "@", "~", "/", "#", "0", "9"]
_WORDS = [
    "ID", "id", "Id", "iD", "Minor", "MINOR", "Major", "MAJOR", "major", "Critical", "cRITICAL", "critical1",
    "none", "None", "NONE", "nonex", "0", "00", "0x", "no faults", "No Fault", "NO FAULTS", "no faultsx",
    "no fault_", "no  faults", "Fault IDs", "fault ids", "FAULT-IDS", "Fault_IDs", "Status", "status", "Mode",
    "MODE", "Faults", "Last Scan", "ampcli>", "AMPCLI>", "ampcli> status", "ampcli>STATUS", "[logger]",
    "[LOGGER]", "[logger", "Trying to connect", "trying TO connect", "Trying to", "18", "5", "007", "4294967296"]
_CSI_PARTS = "0123456789:;<=>? !\"#$%&'()*+,-./@AKm[]\\~\x7f\x1b\x07x"
_ESCAPE_SAMPLES = [
    "\x1b[1;31m", "\x1b[0m", "\x1b[K", "\x1b[38;5;196m", "\x1b[", "\x1b[1;", "\x1b[?25h", "\x1b[ q", "\x1b[1 \x1b",
    "\x1b[[", "\x1b[1\x7f", "\x1b]0;title\x07", "\x1b]2;t\x1b\\", "\x1b]0;t", "\x1b]x\x1bX", "\x1b]\n:\x07",
    "\x1b]", "\x1b(B", "\x1b(", "\x1b\x1b", "\x1b=", "\x1b\x7f", "\x1b\n", "\x1b", "\x1b\\", "\x1b ", "\x1b#8"]


def _piece(rnd):
    """A random bit of text: a character, a word, a known escape sequence or a random one."""
    kind = rnd.random()
    if kind < 0.45:
        return rnd.choice(_CHARS)
    if kind < 0.75:
        return rnd.choice(_WORDS)
    if kind < 0.9:
        return rnd.choice(_ESCAPE_SAMPLES)
    return "\x1b" + rnd.choice(["[", "]", "", " ", "("]) + "".join(
        rnd.choice(_CSI_PARTS) for _index in range(rnd.randint(0, 4)))


def _soup(rnd, most):
    return "".join(_piece(rnd) for _index in range(rnd.randint(0, most)))


def _space(rnd):
    return "".join(rnd.choice(["", " ", " ", "\t", "\x1f", "\x0b", "\r"]) for _index in range(rnd.randint(0, 2)))


def _either(rnd, good, others):
    """Mostly the part that makes a fault line match, else one of the ``others``."""
    return good if rnd.random() < 0.8 else rnd.choice(others)


def _key_text(rnd):
    """A key near the 41-character limit, or a short one, from the key's characters and others."""
    length = rnd.choice([rnd.randint(0, 4), rnd.randint(38, 44)])
    chars = "aBcZ -" * 6 + "\t_1:"
    return rnd.choice("AzK-1 ") + "".join(rnd.choice(chars) for _index in range(length))


def _line(rnd):
    """One line shaped like a key-value, fault, summary, fault ids or noise line, or random soup."""
    kind = rnd.randint(0, 6)
    if kind == 0:
        return _key_text(rnd) + _space(rnd) + rnd.choice([":", ":", ";", ""]) + _space(rnd) + _soup(rnd, 4)
    if kind == 1:
        return "".join([_either(rnd, "ID", ["id", "Id", "I D", "ID5", "IDx"]), _either(rnd, " ", [_space(rnd)]),
                        _either(rnd, "18", ["", "5", "007", "1a"]), _space(rnd), _either(rnd, "-", ["", ":"]),
                        _space(rnd), _either(rnd, "Major", ["minor", "", "x", "Crit1", "CRITICAL"]), _space(rnd),
                        _either(rnd, ":", ["", "-"]), _space(rnd), _soup(rnd, 5)])
    if kind == 2:
        return rnd.choice(["Faults", "faults", "FAULTS"]) + ":" + _space(rnd) + _soup(rnd, 4)
    if kind == 3:
        ids = "".join(rnd.choice(["5", "18", "007", "x1", "1_", "_2", ",", ", ", ";", " ", "-", "\t", "9a"])
                      for _index in range(rnd.randint(0, 6)))
        return rnd.choice(["Fault IDs", "fault ids", "Fault-IDs", "Fault IDs "]) + ":" + _space(rnd) + ids
    if kind == 4:
        return rnd.choice(["ampcli> ", "[logger] ", "Trying to connect", "AMPCLI>"]) + _soup(rnd, 3)
    return _soup(rnd, 30)


def _garble(rnd, line):
    """Escape sequences and control characters at random places of ``line``, now and then."""
    for _index in range(rnd.choice([0, 0, 0, 1, 2])):
        at = rnd.randint(0, len(line))
        line = line[:at] + rnd.choice(_ESCAPE_SAMPLES + ["\x00", "\x07", "\x1f", "\x7f", "\x1b"]) + line[at:]
    return line


def _document(rnd):
    lines = [_garble(rnd, _line(rnd)) for _index in range(rnd.randint(0, 12))]
    return "".join(line + rnd.choice(_SEPARATORS) for line in lines) + rnd.choice(["", _line(rnd)])


_NON_ASCII = [u"\u017f", u"\u212a", u"\u0130", u"\u0131", u"\x9b", u"\u2028", u"\u2029", u"\x85", u"\xa0",
              u"\u0663", u"\u0665", u"\xe9", u"\ufffd", u"\u00b2", u"\u2003", u"\x9b1;31m", u"\u0660\u0661"]
RANDOM_DOCUMENTS = 3000
RANDOM_LINES = 10000


def _sample_texts():
    texts = []
    for name in sorted(os.listdir(DATA)):
        text = sample(name)
        texts.extend([text, _coloured(text), text.lower(), text.upper(), text.replace("\n", "\r\n")])
    return texts


def test_samples_equal_the_regex_implementation():
    texts = _sample_texts()
    for text in texts:
        assert_public_same(text)
        for line in text.splitlines():
            assert_public_same(line)
            if ascii_scan.is_ascii(line):
                assert_scanners_same(line)


def test_random_ascii_documents_equal_the_regex_implementation(monkeypatch):
    # No pattern may be needed for ASCII text: the scanners answer everything there.
    monkeypatch.setattr(ampcli_status, "_Regex", None)
    rnd = random.Random(20240601)
    parsed = 0
    for _index in range(RANDOM_DOCUMENTS):
        document = _document(rnd)
        assert_public_same(document)
        parsed += bool(oracle_parse_status(document)["status"])
    # The generator reaches the interesting cases, not only garbage.
    assert parsed > RANDOM_DOCUMENTS // 2


def test_random_ascii_lines_equal_each_pattern():
    rnd = random.Random(7)
    matched = {"fault": 0, "key": 0, "no_faults": 0, "severity": 0}
    for _index in range(RANDOM_LINES):
        line = _garble(rnd, _line(rnd)).replace("\n", "")
        assert_scanners_same(line)
        assert_public_same(line)
        clean = _O_CONTROL.sub("", line).strip()
        assert_scanners_same(clean)
        value = clean.partition(":")[2].strip()
        assert_scanners_same(value)
        matched["fault"] += bool(_O_FAULT_LINE.match(clean))
        matched["key"] += bool(_O_KEY_VALUE.match(clean))
        matched["no_faults"] += bool(_O_NO_FAULTS.match(value))
        matched["severity"] += bool(_O_SEVERITY.search(value))
    assert min(matched.values()) > RANDOM_LINES // 100, matched


@pytest.mark.parametrize("text,expected", [
    # The key is lazy (spaces before ':' are \s*) and 41 characters at most, and the first ':' ends it.
    ("A" * 41 + " : v", ("A" * 41, "v")), ("A" * 42 + ": v", None), ("A" * 40 + " \t : v", ("A" * 40, "v")),
    ("Ab \tcd: v", None), ("Mode\x1f: v", ("Mode", "v")), ("Mode:a:b", ("Mode", "a:b")), (" Mode: v", None),
])
def test_key_value_edges(text, expected):
    scanned = ampcli_status._Ascii.key_value(text)  # pylint: disable=protected-access
    assert scanned == _groups(_O_KEY_VALUE.match(text)) == expected


@pytest.mark.parametrize("text,plain", [
    ("\x1b[1;\x1bXa", "1;a"),  # a CSI without final byte: "ESC [" alone goes (2-byte form), then ESC X
    ("\x1b]0;t\nMode: x", ""),  # an unterminated OSC runs to the end, across lines
    ("\x1b]0;t\x1b[1mMode", "Mode"), ("\x1b\x1b[0mA", "\x1bA"), ("\x1b\x7fA", "\x1b\x7fA"), ("A\x1b", "A\x1b"),
])
def test_escape_edges(text, plain):
    assert ampcli_status.strip_escapes(text) == oracle_strip_escapes(text) == plain


def test_non_ascii_documents_go_through_the_patterns(monkeypatch):
    monkeypatch.setattr(ampcli_status, "_Ascii", None)
    rnd = random.Random(11)
    for _index in range(RANDOM_DOCUMENTS // 4):
        document = list(_document(rnd))
        for _index in range(rnd.randint(1, 3)):
            document.insert(rnd.randint(0, len(document)), rnd.choice(_NON_ASCII))
        document = "".join(document)
        assert_public_same(document)
        for line in document.splitlines():
            if not ascii_scan.is_ascii(line):
                assert_public_same(line)


@pytest.mark.parametrize("text", [
    u"Mode: x\nFault IDs: \u0663, 5\nFaults: 1 \u212aritical", u"ID \u0665 - Major: x\nStatus: up",
    u"\u0130D 5 - Minor: y\nFaults: none", u"Faults: NO FAULT\u017f", u"\x9b1;31mStatus\x9b0m: up\u2028Mode: x",
    u"Statu\u017f: up\nID\xa05 - major: m", u"Fault IDs: 5\u00b2 18",
])
def test_non_ascii_edges(text):
    assert_public_same(text)


def test_is_ascii_before_python_3_7():
    class OldStr(str):
        def isascii(self):
            raise AttributeError("isascii")  # str.isascii came with Python 3.7

    is_ascii = ascii_scan.is_ascii
    assert is_ascii(OldStr("Mode: x\x1b\x7f")) and not is_ascii(OldStr(u"Mode: \u212a"))
    assert not is_ascii(b"Mode: x") and not is_ascii(None)


def test_parsing_an_ascii_answer_does_not_import_re():
    # The local fact parses the answer at every fact gathering; importing re costs milliseconds.
    code = ("import sys; from ansible_collections.secure_endpoint.linux.plugins.module_utils import ampcli_status; "
            "read = lambda name: open(name, 'rb').read().decode('utf-8'); "
            "quiet = ampcli_status.parse_status(read(%r)); busy = ampcli_status.parse_status(read(%r)); "
            "coloured = ampcli_status.parse_status('\\x1b[1mMode\\x1b[0m: Degraded\\r\\nFault IDs: 5, 18\\r\\n'); "
            "assert quiet['no_faults'] and quiet['status']['mode'] == 'Normal', quiet; "
            "assert [(f['id'], f['severity']) for f in busy['faults']] == [(5, 'Major'), (18, 'Critical')], busy; "
            "assert coloured['fault_ids'] == [5, 18], coloured; "
            "print(sorted(m for m in ('re', 'enum', 'sre_compile') if m in sys.modules))"
            % (os.path.join(DATA, "no_faults.txt"), os.path.join(DATA, "fault_ids_comma.txt")))
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, check=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.stdout.strip() == b"[]"
