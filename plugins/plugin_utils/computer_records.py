# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn Secure Endpoint computer records (``GET /v1/computers``) into inventory hosts.

Pure functions, no I/O. Records come from a remote API: any field may be missing, null or of
another type, and the shape of ``faults[]`` entries is not public. Nothing here raises on odd
data; what cannot be read is ``None`` ("unknown"), and unknown is never put in a group that
means "broken" (with faults, stale, compromised, isolated).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import datetime
import re

HOSTNAME_SOURCES = ("hostname", "internal_ip", "external_ip", "connector_guid")
# The connector reports the distribution in operating_system or os_version ("Linux", "Ubuntu",
# "Red Hat Enterprise Linux 9.4", ...); Windows and macOS connectors never match these words.
_LINUX = re.compile(r"linux|ubuntu|debian|centos|red ?hat|\brhel\b|fedora|suse|\bsles\b|oracle|amazon|rocky|alma",
                    re.IGNORECASE)
# isolation.status values that mean the host is, or is about to be, cut off the network.
ISOLATED_STATES = frozenset(("isolated", "pending_start", "pending_stop"))
_NOT_GROUP_CHARS = re.compile(r"[^a-z0-9]+")


def clean_str(value):
    """A string without surrounding spaces, or None for anything else (or an empty string)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def clean_ips(value):
    """``internal_ips`` as a list of addresses without the stray spaces real data carries."""
    items = value if isinstance(value, list) else [value]
    return [ip for ip in (clean_str(item) for item in items) if ip]


def is_linux(computer):
    return any(_LINUX.search(text) for text in (clean_str(computer.get("operating_system")),
                                                clean_str(computer.get("os_version"))) if text)


def has_faults(faults):
    """True when ``faults`` is a non-empty list or mapping, False when empty, None when unknown."""
    if isinstance(faults, (list, dict)):
        return len(faults) > 0
    return None


def parse_time(value):
    """An aware datetime from the API's ISO 8601 text, or None."""
    text = clean_str(value)
    if text is None:
        return None
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def is_stale(last_seen, now, hours):
    """True when last seen more than ``hours`` before ``now``; None when last_seen is unreadable."""
    moment = parse_time(last_seen)
    if moment is None:
        return None
    return (now - moment).total_seconds() > hours * 3600.0


def isolation_status(isolation):
    return clean_str(isolation.get("status")) if isinstance(isolation, dict) else None


def is_isolated(isolation):
    status = isolation_status(isolation)
    return None if status is None else status.lower() in ISOLATED_STATES


def inventory_name(computer, sources):
    """The first of ``sources`` (see HOSTNAME_SOURCES) that gives a value, or None."""
    for source in sources:
        if source == "hostname":
            value = clean_str(computer.get("hostname"))
        elif source == "internal_ip":
            value = next(iter(clean_ips(computer.get("internal_ips"))), None)
        elif source == "external_ip":
            value = clean_str(computer.get("external_ip"))
        elif source == "connector_guid":
            value = clean_str(computer.get("connector_guid"))
        else:
            raise ValueError("unknown hostnames entry %r (choose from %s)" % (source, ", ".join(HOSTNAME_SOURCES)))
        if value:
            return value
    return None


def _named(value, keys=("guid", "name")):
    """A {guid, name} object (policy, group entry) with clean strings, or None."""
    if not isinstance(value, dict):
        return None
    return {key: clean_str(value.get(key)) for key in keys}


def host_vars(computer, now, stale_hours, duplicates=()):
    """The host variables of one computer (without the prefix the plugin adds).

    ``duplicates``: GUIDs of other connectors with the same inventory name, left out.
    """
    groups = computer.get("groups")
    addresses = computer.get("network_addresses")
    isolation = computer.get("isolation")
    return {
        "guid": clean_str(computer.get("connector_guid")),
        "hostname": clean_str(computer.get("hostname")),
        "active": computer.get("active") if isinstance(computer.get("active"), bool) else None,
        "version": clean_str(computer.get("connector_version")),
        "operating_system": clean_str(computer.get("operating_system")),
        "os_version": clean_str(computer.get("os_version")),
        "internal_ips": clean_ips(computer.get("internal_ips")),
        "external_ip": clean_str(computer.get("external_ip")),
        "network_addresses": [{"mac": clean_str(a.get("mac")), "ip": clean_str(a.get("ip"))}
                              for a in (addresses if isinstance(addresses, list) else []) if isinstance(a, dict)],
        "group_guid": clean_str(computer.get("group_guid")),
        "groups": [g for g in (_named(g) for g in (groups if isinstance(groups, list) else [])) if g],
        "policy": _named(computer.get("policy")),
        "last_seen": clean_str(computer.get("last_seen")),
        "stale": is_stale(computer.get("last_seen"), now, stale_hours),
        "install_date": clean_str(computer.get("install_date")),
        "is_compromised": computer.get("is_compromised") if isinstance(computer.get("is_compromised"), bool) else None,
        "isolation": copy.deepcopy(isolation) if isinstance(isolation, dict) else None,
        "isolation_status": isolation_status(isolation),
        "isolated": is_isolated(isolation),
        "av_update_definitions": copy.deepcopy(computer.get("av_update_definitions")),
        # As given: the shape of the entries is not public.
        "faults": copy.deepcopy(computer.get("faults")),
        "has_faults": has_faults(computer.get("faults")),
        "duplicates": list(duplicates),
    }


def group_slug(text):
    """Lower case, every run of other characters than [a-z0-9] as one '_'."""
    return _NOT_GROUP_CHARS.sub("_", str(text).lower()).strip("_")


def builtin_groups(hvars, prefix):
    """Names of the built-in groups a host with these variables belongs to."""
    names = []
    for flag, group in (("has_faults", "with_faults"), ("isolated", "isolated"),
                        ("is_compromised", "compromised"), ("stale", "stale")):
        if hvars.get(flag) is True:
            names.append(prefix + group)
    labelled = [("policy", (hvars.get("policy") or {}).get("name")), ("version", hvars.get("version"))]
    labelled += [("group", g.get("name")) for g in hvars.get("groups") or []]
    for kind, label in labelled:
        slug = group_slug(label) if label else ""
        if slug:
            names.append("%s%s_%s" % (prefix, kind, slug))
    return sorted(set(names))


def _seen_key(computer):
    moment = parse_time(computer.get("last_seen"))
    return moment.timestamp() if moment else float("-inf")


def select(computers, sources, only_linux=True):
    """Choose the hosts: ``(hosts, notes)``.

    ``hosts`` maps inventory name to ``(computer record, GUIDs left out)``. A connector listed twice (paging over a
    changing list) is kept once; two connectors with one name (a reinstalled host) give the most
    recently seen one, and the other GUIDs are noted. ``notes`` are ``(level, text)`` for the user
    (level ``warning`` or ``info``): what was skipped and why.
    """
    notes, chosen, by_guid = [], {}, set()
    skipped_os, odd = 0, 0
    for computer in computers:
        if not isinstance(computer, dict):
            odd += 1
            continue
        guid = clean_str(computer.get("connector_guid"))
        if guid and guid in by_guid:
            continue
        if guid:
            by_guid.add(guid)
        if only_linux and not is_linux(computer):
            skipped_os += 1
            continue
        name = inventory_name(computer, sources)
        if name is None:
            notes.append(("warning", "connector %s has none of %s: skipped"
                          % (guid or "without a GUID", ", ".join(sources))))
            continue
        chosen.setdefault(name, []).append(computer)
    if odd:
        notes.append(("warning", "%d item(s) of the API's answer are not computer objects: skipped" % odd))
    if skipped_os:
        notes.append(("info", "%d connector(s) not on Linux (or of unknown system) left out (only_linux)"
                      % skipped_os))
    hosts = {}
    for name, candidates in sorted(chosen.items()):
        candidates = sorted(candidates, key=_seen_key, reverse=True)
        others = [clean_str(c.get("connector_guid")) or "?" for c in candidates[1:]]
        hosts[name] = (candidates[0], others)
        if others:
            notes.append(("warning", "%d connectors are named %s: kept %s (seen last), left out %s"
                          % (len(candidates), name, clean_str(candidates[0].get("connector_guid")) or "?",
                             ", ".join(others))))
    return hosts, notes
