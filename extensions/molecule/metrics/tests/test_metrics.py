"""The metrics file the role wrote, judged against the host's own state and by node_exporter
itself. Every check also runs on the faulty state prepare left (the connector down, no fault 18,
a file cut in place, the old inode, a killed run's temporary file), where it must fail: once for
all of them through the shared negative control at the end of prepare, and here on the control
copy made to fail each one for its own reason.

Everything is read from each container in one command (READ below), then judged here."""
import json
import re
import shlex

import pytest
import se_negative_control
from prometheus_client.parser import text_string_to_metric_families

CONTROLS = "/var/tmp/se-metrics"
NAME = "secure_endpoint.prom"
FAMILIES = 11
# Runs in the container: the host's own state, the files, and node_exporter (only its textfile
# collector, on the container's own loopback) scraping a directory holding the live file, then
# one holding the truncated control. The images have no curl: the container's Python reads it.
READ = r"""
import json, os, pwd, shutil, stat, subprocess, sys, tempfile, time, urllib.request
C, NAME = sys.argv[1], sys.argv[2]
ellike = os.path.exists("/etc/redhat-release")
d = "/var/lib/node_exporter" if ellike else "/var/lib/prometheus/node-exporter"
def read(p):
    with open(p, encoding="utf-8", errors="replace") as h:
        return h.read()
def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=15)
    return p.returncode, p.stdout.decode(errors="replace")
def scrape(path):
    tmp = tempfile.mkdtemp(prefix="se-ne.", dir="/var/tmp")
    shutil.copy(path, os.path.join(tmp, NAME))
    proc = subprocess.Popen(["/usr/local/bin/node_exporter", "--web.listen-address=127.0.0.1:19100",
                             "--collector.disable-defaults", "--collector.textfile",
                             "--collector.textfile.directory=" + tmp],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                return urllib.request.urlopen("http://127.0.0.1:19100/metrics", timeout=2).read().decode()
            except OSError:
                time.sleep(0.1)
        return "node_exporter did not answer"
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(tmp)
live = os.path.join(d, NAME)
st = os.lstat(live)
out = {"ellike": ellike, "dir": d,
       "files": dict((n, read(os.path.join(C, n))) for n in ("stale.prom", "truncated.prom", "wrong-version.prom", "first-inode.prom")),
       "live": read(live), "live_stat": {"regular": stat.S_ISREG(st.st_mode), "mode": stat.S_IMODE(st.st_mode),
                                         "user": pwd.getpwuid(st.st_uid).pw_name, "inode": st.st_ino},
       "first_inode": os.stat(os.path.join(C, "first-inode.prom")).st_ino,
       "listing": sorted(os.listdir(d)), "listing_before": read(os.path.join(C, "listing")).split(),
       # When fault 18 was injected: the stand-in's switch file (tests/testbed/inject/fault_18.yml).
       "injected_at": os.stat("/etc/ciscoamp-standin/simulate.d/event_overload").st_mtime,
       "ampcli": run(["timeout", "10", "/opt/cisco/amp/bin/ampcli", "status"]),
       "service": run(["systemctl", "is-active", "cisco-amp"])[1].strip(),
       "package": run(["rpm", "-q", "--qf", "%{VERSION}", "ciscoampconnector"] if ellike
                      else ["dpkg-query", "-W", "-f", "${Version}", "ciscoampconnector"]),
       "scrape": {"live": scrape(live), "truncated.prom": scrape(os.path.join(C, "truncated.prom"))}}
print(json.dumps(out))
"""
_STATE = {}


def state(host):
    name = host.backend.get_hostname()
    if name not in _STATE:
        out = host.run("timeout 120 python3 -c %s %s %s" % (shlex.quote(READ), CONTROLS, NAME))
        assert out.rc == 0, out.stdout + out.stderr
        _STATE[name] = json.loads(out.stdout)
    return _STATE[name]


def samples(text):
    """{(name, labels tuple): value} via Prometheus' own parser; any format error fails."""
    found = {}
    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as exc:
        raise AssertionError("not Prometheus text format: %s" % exc)
    for family in families:
        assert family.type == "gauge", family.name
        for sample in family.samples:
            assert sample.timestamp is None, "node_exporter refuses a textfile with timestamps"
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    assert len(families) == FAMILIES, "not Prometheus text format: families %s" % [f.name for f in families]
    return found


def served(text):
    """Our samples as node_exporter serves them (its own metrics left out)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith("secure_endpoint_"):
                found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


class View(object):
    """What a check looks at: the file's text, its inode, the directory listing, node_exporter's
    scrape of it. ``live`` is what the converge left; a control is the faulty state prepare kept."""

    def __init__(self, s, which):
        self.s = s
        self.text = s["live"] if which == "live" else s["files"].get(which, s["live"])
        self.inode = s["first_inode"] if which == "first-inode.prom" else s["live_stat"]["inode"]
        self.listing = s["listing_before"] if which == "listing" else s["listing"]
        self.scrape = s["scrape"].get(which, s["scrape"]["live"])


# --- the checks: each takes a View and fails with AssertionError ----------------------------

def check_format(view):
    """Prometheus' parser reads it whole: eleven gauge families, no timestamp, final line feed."""
    assert view.text.endswith("\n"), "not Prometheus text format: no final line feed"
    assert len([k for k in samples(view.text) if k[0] == "secure_endpoint_fault_active"]) == 9, "not nine faults"


def check_node_exporter_reads_it(view):
    """node_exporter's textfile collector reads it without error and serves exactly its samples."""
    assert re.search(r"^node_textfile_scrape_error 0$", view.scrape, re.M), "node_exporter could not read it"
    assert served(view.scrape) == samples(view.text), "node_exporter serves other samples"


def check_faults_are_the_connectors(view):
    """The active faults and their severities are what `ampcli status` reports on the host."""
    rc, status = view.s["ampcli"]
    assert rc == 0, status
    reported = dict((int(i), sev) for i, sev in re.findall(r"^ID (\d+) - (\w+):", status, re.M))
    assert reported == {18: "Critical" if view.s["ellike"] else "Major"}, status
    found = samples(view.text)
    active = dict((int(dict(k[1])["fault"]), dict(k[1])["severity"]) for k, v in found.items()
                  if k[0] == "secure_endpoint_fault_active" and v == 1)
    assert active == reported, "active faults in the file %s, the connector reports %s" % (active, reported)
    assert set(int(dict(k[1])["fault"]) for k, v in found.items()
               if k[0] == "secure_endpoint_fault_reported" and v == 1) == set(reported)
    assert found[("secure_endpoint_faults_active", ())] == len(reported)


def check_connector_up_is_systemds(view):
    assert view.s["service"] == "active"
    assert samples(view.text)[("secure_endpoint_connector_up", ())] == 1, "connector_up is not 1"


def check_version_is_the_packages(view):
    rc, version = view.s["package"]
    assert rc == 0 and version.strip()
    info = [dict(k[1]) for k in samples(view.text) if k[0] == "secure_endpoint_connector_info"]
    assert [i["version"] for i in info] == [version.strip()], "version %s, the package is %s" % (info, version)


def check_checked_after_the_fault(view):
    checked = samples(view.text)[("secure_endpoint_last_check_timestamp_seconds", ())]
    assert checked >= view.s["injected_at"], "checked before the fault was injected"


def check_replaced_by_rename(view):
    """The file was replaced (a new inode), never rewritten in place: the first file's inode,
    kept by a hard link, still holds what it held before the converge."""
    assert view.inode != view.s["first_inode"], "same inode: rewritten in place"
    assert view.s["files"]["first-inode.prom"] == view.s["files"]["truncated.prom"]


def check_directory_holds_only_the_file(view):
    """No temporary file left (a killed run's is removed); the file is root's, mode 0644."""
    assert view.listing == [NAME], "left in the directory: %s" % view.listing
    st = view.s["live_stat"]
    assert st["regular"] and st["user"] == "root" and st["mode"] == 0o644


# Each check, the faulty state it must fail on, and why it must fail there.
CHECKS = [
    (check_format, "truncated.prom", "not Prometheus text format"),
    (check_node_exporter_reads_it, "truncated.prom", "node_exporter could not read it"),
    (check_faults_are_the_connectors, "stale.prom", "active faults in the file"),
    (check_connector_up_is_systemds, "stale.prom", "connector_up is not 1"),
    (check_version_is_the_packages, "wrong-version.prom", "version .* the package is"),
    (check_checked_after_the_fault, "stale.prom", "checked before the fault was injected"),
    (check_replaced_by_rename, "first-inode.prom", "same inode: rewritten in place"),
    (check_directory_holds_only_the_file, "listing", "left in the directory"),
]
IDS = [entry[0].__name__ for entry in CHECKS]


@pytest.mark.parametrize("check, _control, _why", CHECKS, ids=IDS)
def test_metrics_file(host, check, _control, _why):
    check(View(state(host), "live"))


@pytest.mark.parametrize("check, control, why", CHECKS, ids=IDS)
def test_negative_control_fails_on_the_faulty_state(host, check, control, why):
    """Each check on the part of the faulty state made to fail it, for the stated reason. (In
    the shared negative control, at the end of prepare, the live file is that faulty state and
    test_metrics_file must fail instead: these then have nothing to add.)"""
    if se_negative_control.active():
        pytest.skip("the shared negative control runs test_metrics_file on the faulty state itself")
    with pytest.raises(AssertionError, match=why):
        check(View(state(host), control))
