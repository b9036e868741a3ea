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
    verdict = host.file("/var/tmp/se-checkmode.verdict").content_string.strip()
    assert verdict == "unchanged", host.file("/var/tmp/se-checksums.diff").content_string[:2000]
