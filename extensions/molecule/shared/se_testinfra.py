"""Testinfra helpers shared by every Molecule scenario of the collection.

On the verifier's PYTHONPATH through ``extensions/molecule/config.yml``; the negative control
(``negative_control.yml``) puts it there too. Tests start with ``from se_testinfra import ...``.
Every command on a host is bounded: the connector's ``ampcli`` hangs while its daemon is down.
"""
import json
import os
import re

SCAN = "cisco-amp-scan-svc"
INSTALL_DIR = "/opt/cisco/amp"
AMPCLI = INSTALL_DIR + "/bin/ampcli"
SERVICE = "cisco-amp"
PACKAGE = "ciscoampconnector"
DAEMON_LOG = "/var/log/cisco/ampdaemon.log"
STATE_DIR = "/var/lib/secure_endpoint"
# The stand-in's daemon logs this line each time it starts (tests/standin/src/lib/standin_core.py).
_START_LINE = re.compile(r"ampdaemon\[\d+\]: \w+: ampdaemon \S+ starting \(stand-in")


def is_ellike(host):
    """The EL-like image (a Debian rootfs simulating EL 9: docs/TESTBED.md)."""
    return host.file("/etc/redhat-release").exists


def ampcli_status(host, timeout=10):
    """``ampcli status`` text; fails the test when it does not answer within ``timeout`` s."""
    out = host.run("timeout %d %s status" % (timeout, AMPCLI))
    assert out.rc == 0, "ampcli status: rc %s (124: timed out) %s" % (out.rc, out.stderr)
    return out.stdout


def fault_ids(status_text):
    """Fault ids of an ``ampcli status`` answer ("Fault IDs: 5, 18" or "5 18"; none: empty)."""
    match = re.search(r"^Fault IDs:\s*(.*)$", status_text, re.M)
    return sorted(int(x) for x in re.findall(r"\d+", match.group(1))) if match else []


def login_defs_value(host, key, path="/etc/login.defs"):
    """The value shadow-utils uses for ``key`` (getdef.c: comments skipped, the last line
    wins, value up to the next double quote); None when the key is not set."""
    value = None
    for line in host.file(path).content_string.split("\n"):
        stripped = line.strip(" \t\r\v\f")
        if not stripped or stripped.startswith("#"):
            continue
        parts = re.split(r"[ \t]", stripped, maxsplit=1)
        if len(parts) == 2 and parts[0] == key:
            value = parts[1].lstrip(' \t"').split('"', 1)[0]
    return value


def package_version(host, name=PACKAGE):
    """Installed version from the package database (dpkg or rpm), None when not installed."""
    if is_ellike(host):
        out = host.run("rpm -q --qf '%%{VERSION}' %s" % name)
    else:
        out = host.run("dpkg-query -W -f '${Version}' %s" % name)
    return out.stdout.strip() if out.rc == 0 and out.stdout.strip() else None


def service_state(host, name=SERVICE):
    """``ActiveState`` of a systemd unit (active, inactive, failed, ...)."""
    return host.run("systemctl show -p ActiveState --value %s" % name).stdout.strip()


def connector_starts(host):
    """How many times the stand-in's daemon started, from its own log."""
    if not host.file(DAEMON_LOG).exists:
        return 0
    return len(_START_LINE.findall(host.file(DAEMON_LOG).content_string))


def sha256(host, path):
    return host.file(path).sha256sum


def journal_entries(host, state_dir=STATE_DIR):
    """Names of the remediation journal's entries left on the host (none after a clean run)."""
    out = host.run("find %s/journal -mindepth 1 -maxdepth 1 2>/dev/null" % state_dir)
    return sorted(os.path.basename(p) for p in out.stdout.split())


def beside(host, path):
    """Files next to ``path`` whose name starts with its name (backups such as lineinfile's
    ``login.defs.<pid>.<date>~``): backups belong in the state directory, never in /etc."""
    out = host.run("find %s -maxdepth 1 -name '%s?*' 2>/dev/null" % (os.path.dirname(path), os.path.basename(path)))
    return sorted(out.stdout.split())


def controller_report(name="secure_endpoint_remediation"):
    """The run's JSON report written on the controller (None when not written). The scenarios
    put it in the ephemeral directory (group_vars secure_endpoint_report_dir)."""
    path = os.path.join(report_dir(), name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def report_dir():
    return os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "."), "reports")


def baseline(host):
    """What shared/baseline.yml recorded after the injections: ``{version, starts}``."""
    return json.loads(host.file("/var/tmp/se-baseline/state.json").content_string)


BASELINE_LOGIN_DEFS = "/var/tmp/se-baseline/login.defs"


def host_name(host):
    return host.backend.get_hostname()
