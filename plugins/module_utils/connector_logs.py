# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the connector's and the kernel's log lines say about the faults.

The connector's line format is not public: patterns match words, not layouts, and a line's
time is used only when it starts with a timestamp we can read (ISO 8601 or syslog style).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils.lazy_re import LazyPattern

FS_MODULES = ("ampfsm", "ampavflt", "redirfs")
NET_MODULES = ("ampnetworkflow",)

# Words a line must hold for a pattern below to match it (lower-case bytes): a log tail is
# searched for these first, and only those lines are decoded and matched.
# Restart events are searched by their event words, which are rare in a healthy log; the scan
# service's name is on most lines of ampscansvc.log, so searching it first would decode them all.
RESTART_WORDS = (b"restart", b"respawn", b"exited", b"crash", b"died", b"terminated", b"killed",
                 b"segfault", b"core dumped")
LOW_MEMORY_WORDS = (b"memory", b"oom")
SECURE_BOOT_WORDS = (b"secure boot", b"secureboot")
MODULE_WORDS = (b"ampfsm", b"ampavflt", b"redirfs", b"ampnetworkflow", b"lockdown", b"unsigned module")
KERNEL_WORDS = (b"kernel",)

SCAN_SERVICE = LazyPattern(r"(?i)ampscansvc|scan ?svc|scan service")
RESTART_EVENT = LazyPattern(r"(?i)\b(restart(ed|ing)?|respawn(ed|ing)?|exited|crash(ed)?|died|terminated|killed|"
                            r"segfault|core dumped)\b")
# The connector's own fault reports ("Fault 6 cause: scan service restarted 3 times") are not events.
FAULT_REPORT = LazyPattern(r"(?i)\bfault\b")
LOW_MEMORY = LazyPattern(r"(?i)\b(out of|insufficient|not enough|low)\s+(\w+\s+){0,2}memory\b|cannot allocate memory|"
                         r"memory allocation failed|\boom\b")
SECURE_BOOT = LazyPattern(r"(?i)secure ?boot")
# Why a kernel refuses a module: signature (Secure Boot / lockdown), or a build for another kernel.
REJECTION = LazyPattern(r"(?i)(required key not available|key was rejected|unsigned module|lockdown|"
                        r"module verification failed|disagrees about version of symbol|unknown symbol|"
                        r"invalid module format|version magic|no symbol version|exec format error|"
                        r"invalid parameters)")
LOAD_FAILURE = LazyPattern(r"(?i)\b(fail(ed|ure)?|error|unable|could not|cannot|can't)\b"
                           r".*\b(load|insmod|modprobe|insert)"
                           r"|\b(load|insmod|modprobe|insert)\w*\b.*\b(fail(ed|ure)?|error|unable)\b")
UNSUPPORTED_KERNEL = LazyPattern(r"(?i)(unsupported kernel|kernel\b.*\b(not supported|unsupported|incompatible)|"
                                 r"incompatible kernel)")
LOCKDOWN = LazyPattern(r"(?i)lockdown.*unsigned module|unsigned module loading is restricted")

_ISO = LazyPattern(r"^\[?(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2})?")
_SYSLOG = LazyPattern(r"^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})")
_MONTHS = {m: i + 1 for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                           "Sep", "Oct", "Nov", "Dec"))}


def utc_seconds(year, month, day, hour, minute, second):
    """``calendar.timegm`` of a proleptic Gregorian UTC time, by arithmetic: importing
    ``calendar`` (and ``datetime``) would cost every fact run more than all its log parsing."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    return ((days * 24 + hour) * 60 + minute) * 60 + second


def line_time(line, now=None):
    """Epoch seconds of a line's leading timestamp, or None. ISO times with an offset (``Z``,
    ``+0000``, ``-05:00``) are exact; without one, and syslog times, are local time."""
    now = time.time() if now is None else now
    match = _ISO.match(line)
    try:
        if match:
            parts = [int(x) for x in match.groups()[:6]]
            fields = (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], 0, 0, -1)
            offset = match.group(7)
            if offset is None:
                return time.mktime(fields)
            seconds = 0
            if offset != "Z":
                digits = offset[1:].replace(":", "")
                seconds = (int(digits[:2]) * 3600 + int(digits[2:]) * 60) * (1 if offset[0] == "+" else -1)
            return utc_seconds(*parts) - seconds
        match = _SYSLOG.match(line)
        if match and match.group(1) in _MONTHS:
            year = time.localtime(now).tm_year
            fields = (_MONTHS[match.group(1)], int(match.group(2)), int(match.group(3)),
                      int(match.group(4)), int(match.group(5)))
            stamp = time.mktime((year, fields[0], fields[1], fields[2], fields[3], fields[4], 0, 0, -1))
            if stamp > now + 86400:  # syslog has no year: December lines read in January
                stamp = time.mktime((year - 1,) + fields + (0, 0, -1))
            return stamp
    except (OverflowError, ValueError):
        return None
    return None


def since(lines, start_epoch, now=None):
    """Lines not older than ``start_epoch``; lines without a readable time are kept."""
    if start_epoch is None:
        return list(lines)
    kept = []
    for line in lines:
        stamp = line_time(line, now)
        if stamp is None or stamp >= start_epoch - 1:
            kept.append(line)
    return kept


def _mentions(line, names):
    low = line.lower()
    return any(name in low for name in names)


def scan_restarts(lines):
    """Lines telling that the scan service exited or was restarted, one per event."""
    return [line for line in lines
            if SCAN_SERVICE.search(line) and RESTART_EVENT.search(line) and not FAULT_REPORT.search(line)]


def low_memory(lines):
    return [line for line in lines if LOW_MEMORY.search(line)]


def secure_boot(lines):
    return [line for line in lines if SECURE_BOOT.search(line)]


def rejected_modules(lines, modules):
    """Lines where the kernel refused one of ``modules``, plus lockdown refusals (which do
    not name the module)."""
    return [line for line in lines
            if (_mentions(line, modules) and REJECTION.search(line)) or LOCKDOWN.search(line)]


def failed_loads(lines, modules):
    """Lines where loading one of ``modules`` failed, Secure Boot refusals left out (they are
    that cause's evidence)."""
    return [line for line in lines
            if _mentions(line, modules) and LOAD_FAILURE.search(line) and not SECURE_BOOT.search(line)]


def unsupported_kernel(lines):
    return [line for line in lines if UNSUPPORTED_KERNEL.search(line)]
