# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The package database's view of one package: the installed version, the versions the
repositories offer, and the argv that reinstalls exactly the installed one.

``apt-get install --reinstall NAME`` installs the repositories' *candidate*: with a newer version
there, a "reinstall" silently upgrades. Pinning ``NAME=VERSION`` (apt) or ``NAME-E:V-R.A`` (dnf,
yum) from the package database makes it a reinstall of exactly what is installed; a version no
repository offers is then an error to report, not a reason to upgrade.

Commands run through ``run(argv, timeout)`` (``bounded_cmd``): parsing is pure and unit-tested.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd

QUERY_TIMEOUT = 120
DEB_ENV = {"DEBIAN_FRONTEND": "noninteractive"}


class PackageError(Exception):
    pass


def _out(result):
    return bounded_cmd.decode(result.get("out") or b"")


def _ran(result, what):
    if result.get("error"):
        raise PackageError("%s: %s" % (what, result["error"]))
    if result.get("timed_out"):
        raise PackageError("%s did not answer within its time limit" % what)


# --------------------------------------------------------------------- versions
def parse_dpkg_query(text):
    """Installed version from ``dpkg-query -W -f '${db:Status-Abbrev}\\t${Version}\\t${Architecture}\\n'``.

    ``{version, arch, status}`` of the first line whose package is (at least half) installed,
    or None. Status ``ii`` is installed; ``iU``/``iF``/``iH`` are unpacked or half-done (a
    reinstall is what fixes those); ``un``/``rc``/``pn`` are not installed."""
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 3 or len(fields[0]) < 2:
            continue
        status, version, arch = fields[0], fields[1].strip(), fields[2].strip()
        if status[1] in ("i", "U", "F", "H", "W", "t") and version:
            return {"version": version, "arch": arch, "status": status.strip()}
    return None


def parse_rpm_query(text):
    """Installed versions from ``rpm -q --qf '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n'``."""
    found = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) != 5:
            continue
        name, epoch, version, release, arch = [f.strip() for f in fields]
        epoch = "0" if epoch in ("(none)", "") else epoch
        found.append({"name": name, "epoch": epoch, "version": "%s-%s" % (version, release), "arch": arch,
                      "evr": "%s:%s-%s" % (epoch, version, release)})
    return found


def parse_madison(text, name):
    """Versions the repositories offer, from ``apt-cache madison NAME`` (never the dpkg status)."""
    versions = []
    for line in text.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) >= 3 and fields[0] == name and "/var/lib/dpkg/status" not in fields[2] and fields[1]:
            if fields[1] not in versions:
                versions.append(fields[1])
    return versions


def parse_repoquery(text):
    """``E:V-R.A`` offered by the repositories, from ``repoquery --qf '%{epoch}:%{version}-%{release}.%{arch}\\t%{reponame}'``."""
    versions = []
    for line in text.splitlines():
        fields = line.strip().split("\t")
        if not fields[0] or not re.match(r"^\d+:\S+-\S+\.\S+$", fields[0]):
            continue
        if len(fields) > 1 and fields[1].strip() in ("@System", "installed", "@commandline"):
            continue
        if fields[0] not in versions:
            versions.append(fields[0])
    return versions


def installed(manager, name, run):
    """``{version, arch, nevra/pin}`` of the installed package, or None when it is not installed."""
    if manager == "apt":
        result = run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}\t${Version}\t${Architecture}\n", name],
                     QUERY_TIMEOUT)
        _ran(result, "dpkg-query")
        found = parse_dpkg_query(_out(result)) if result.get("rc") == 0 else None
        if found:
            found["pin"] = "%s=%s" % (name, found["version"])
        return found
    result = run(["rpm", "-q", "--qf", "%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n", name], QUERY_TIMEOUT)
    _ran(result, "rpm -q")
    if result.get("rc") != 0:
        return None
    found = parse_rpm_query(_out(result))
    if not found:
        return None
    if len(set((f["evr"], f["arch"]) for f in found)) > 1:
        raise PackageError("%s is installed in several versions (%s): reinstall it by hand"
                           % (name, ", ".join("%s.%s" % (f["evr"], f["arch"]) for f in found)))
    one = found[0]
    epoch = "" if one["epoch"] == "0" else one["epoch"] + ":"
    one["pin"] = "%s-%s%s.%s" % (name, epoch, one["version"], one["arch"])
    one["available_key"] = "%s:%s.%s" % (one["epoch"], one["version"], one["arch"])
    return one


def available(manager, name, run):
    """Versions the repositories offer (apt: ``VERSION``; dnf/yum: ``E:V-R.A``), or None when
    the tool to ask is missing (yum without yum-utils)."""
    if manager == "apt":
        result = run(["apt-cache", "madison", name], QUERY_TIMEOUT)
        _ran(result, "apt-cache madison")
        return parse_madison(_out(result), name)
    qf = "%{epoch}:%{version}-%{release}.%{arch}\t%{reponame}\n"
    if manager == "dnf":
        argv = ["dnf", "-q", "repoquery", "--qf", qf, name]
    else:
        argv = ["repoquery", "--show-duplicates", "--qf", qf.replace("%{reponame}", "%{repoid}"), name]
    result = run(argv, QUERY_TIMEOUT)
    if result.get("error") and manager == "yum":
        return None
    _ran(result, argv[0] + " repoquery" if manager == "dnf" else "repoquery")
    if result.get("rc") != 0:
        raise PackageError("%s failed (rc %s): %s" % (" ".join(argv[:3]), result.get("rc"), _out(result)[-500:]))
    return parse_repoquery(_out(result))


def is_available(manager, package, offered):
    if offered is None:
        return None
    key = package["version"] if manager == "apt" else package["available_key"]
    return key in offered


def file_identity(manager, path, run):
    """``{name, version, (arch)}`` of a package file on the host."""
    if manager == "apt":
        result = run(["dpkg-deb", "-f", path, "Package", "Version", "Architecture"], QUERY_TIMEOUT)
        _ran(result, "dpkg-deb -f")
        fields = dict(line.split(": ", 1) for line in _out(result).splitlines() if ": " in line)
        if result.get("rc") != 0 or "Package" not in fields:
            raise PackageError("%s is not a readable .deb: %s" % (path, _out(result)[-300:]))
        return {"name": fields["Package"].strip(), "version": fields.get("Version", "").strip(),
                "arch": fields.get("Architecture", "").strip()}
    result = run(["rpm", "-q", "-p", "--qf", "%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n", path], QUERY_TIMEOUT)
    _ran(result, "rpm -qp")
    found = parse_rpm_query(_out(result)) if result.get("rc") == 0 else []
    if not found:
        raise PackageError("%s is not a readable .rpm: %s" % (path, _out(result)[-300:]))
    return found[0]


# --------------------------------------------------------------------- comparing
def _skip_separators(text):
    index = 0
    while index < len(text) and not (text[index].isalnum() and text[index].isascii()) and text[index] not in "~^":
        index += 1
    return text[index:]


def _segment(text, digits):
    index = 0
    while index < len(text) and text[index].isascii() and (text[index].isdigit() if digits else text[index].isalpha()):
        index += 1
    return text[:index], text[index:]


def rpmvercmp(a, b):
    """rpm's comparison of two version (or release) strings, as lib/rpmvercmp.c: -1, 0 or 1."""
    if a == b:
        return 0
    one, two = a, b
    while one or two:
        one, two = _skip_separators(one), _skip_separators(two)
        # A tilde sorts before everything, even the end of the string.
        if one[:1] == "~" or two[:1] == "~":
            if one[:1] != "~":
                return 1
            if two[:1] != "~":
                return -1
            one, two = one[1:], two[1:]
            continue
        # A caret sorts after the end of the string, before anything else.
        if one[:1] == "^" or two[:1] == "^":
            if not one:
                return -1
            if not two:
                return 1
            if one[:1] != "^":
                return 1
            if two[:1] != "^":
                return -1
            one, two = one[1:], two[1:]
            continue
        if not (one and two):
            break
        digits = one[0].isdigit()
        seg1, one = _segment(one, digits)
        seg2, two = _segment(two, digits)
        if not seg1:
            return -1
        if not seg2:
            return 1 if digits else -1
        if digits:
            seg1, seg2 = seg1.lstrip("0"), seg2.lstrip("0")
            if len(seg1) != len(seg2):
                return 1 if len(seg1) > len(seg2) else -1
        if seg1 != seg2:
            return 1 if seg1 > seg2 else -1
    if not one and not two:
        return 0
    return -1 if not one else 1


def evr_compare(a, b):
    """Compare two ``E:V-R`` (missing epoch is 0)."""
    def split(evr):
        epoch, rest = evr.rsplit(":", 1) if ":" in evr else ("0", evr)
        version, release = rest.split("-", 1) if "-" in rest else (rest, "")
        return epoch or "0", version, release
    (e1, v1, r1), (e2, v2, r2) = split(a), split(b)
    for x, y in ((e1, e2), (v1, v2), (r1, r2)):
        cmp = rpmvercmp(x, y)
        if cmp:
            return cmp
    return 0


def deb_compare(a, b, run):
    """dpkg's own comparison of two Debian versions: -1, 0 or 1."""
    for op, value in (("lt", -1), ("gt", 1)):
        result = run(["dpkg", "--compare-versions", a, op, b], QUERY_TIMEOUT)
        _ran(result, "dpkg --compare-versions")
        if result.get("rc") == 0:
            return value
    return 0


# --------------------------------------------------------------------- commands
def lock_timeout_option(seconds):
    return ["-o", "DPkg::Lock::Timeout=%d" % max(0, int(seconds))]


def reinstall_argv(manager, name, package, lock_seconds=0, source=None):
    """Reinstall exactly the installed version (``source``: a package file of that version)."""
    if manager == "apt":
        return (["apt-get", "install", "--reinstall", "-y", "-o", "Dpkg::Options::=--force-confold"]
                + lock_timeout_option(lock_seconds) + [source or package["pin"]])
    return [manager, "-y", "reinstall", source or package["pin"]]


def upgrade_argv(manager, name, lock_seconds=0, source=None):
    """Install the repositories' candidate (or a newer package file): only on opt-in."""
    if manager == "apt":
        return (["apt-get", "install", "-y", "-o", "Dpkg::Options::=--force-confold"]
                + lock_timeout_option(lock_seconds) + [source or name])
    return [manager, "-y", "install" if source else "upgrade", source or name]


def update_argv(manager, lock_seconds=0):
    if manager == "apt":
        return ["apt-get", "update", "-q"] + lock_timeout_option(lock_seconds)
    return None
