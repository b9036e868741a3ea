"""Fault 6 cleared by a restart with evidence kept; 8, 16 and 18 left to a person, untouched."""
import glob
import os
import re


def _ids(host):
    out = host.run("timeout 10 /opt/cisco/amp/bin/ampcli status")
    assert out.rc == 0
    return set(int(i) for i in re.findall(r"(?m)^ID (\d+) - ", out.stdout))


def _evidence(host):
    base = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "evidence")
    return os.path.join(base, host.backend.get_hostname())


def test_fault6_cleared_others_remain(host):
    assert _ids(host) == {8, 16, 18}


def test_fault6_evidence_on_controller(host):
    files = glob.glob(os.path.join(_evidence(host), "fault_6", "*", "*"))
    names = " ".join(os.path.basename(f) for f in files)
    assert "ampdaemon.log.tail" in names, files
    assert any(n.endswith(".tar.gz") for n in names.split()), files


def test_fault18_report_and_exclusion_suggestions(host):
    files = os.listdir(os.path.join(_evidence(host), "fault_18"))
    assert "top_processes.txt" in files, files
    assert any("exclusion" in f for f in files), files


def test_no_file_changed_on_host(host):
    # The only thing allowed to appear is the collection's own root-only state directory
    # (fault 6's restart bookkeeping); nothing of the system or the connector may change.
    diff = host.file("/var/tmp/se-checksums.diff").content_string.splitlines()
    changes = [ln for ln in diff if ln[:2] in ("< ", "> ")]
    others = [ln for ln in changes if not ln[2:].startswith("/var/lib/secure_endpoint")]
    assert others == [], "\n".join(others[:50])
    state = host.file("/var/lib/secure_endpoint")
    if state.exists:
        assert state.user == "root" and state.mode == 0o700
