"""Fault 6 cleared by the run's single restart with evidence kept first; 8, 16 and 18 left to a
person, untouched; check mode said exactly that; the fault 18 report is private, redacted and
never suggests an interpreter. Each check fails on the injected hosts (negative control)."""
import glob
import json
import os
import stat

from se_testinfra import ampcli_status, fault_ids, host_name

SECRET = "secret-token-4f1d"


def _evidence(host, *parts):
    return os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "evidence", host_name(host), *parts)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_fault6_cleared_others_remain(host):
    assert fault_ids(ampcli_status(host)) == [8, 16, 18]


def test_check_mode_said_what_the_run_did(host):
    check = host.file("/var/tmp/se-statuses-check.json")
    real = host.file("/var/tmp/se-statuses-real.json")
    assert check.exists and real.exists, "a run did not record its statuses"
    check, real = json.loads(check.content_string), json.loads(real.content_string)
    assert real == {"6": "fixed", "8": "needs_person", "16": "needs_person", "18": "needs_person"}, real
    expected = dict((k, "would_be_fixed" if v == "fixed" else v) for k, v in real.items())
    assert check == expected, check


def test_fault6_evidence_on_the_controller_private(host):
    files = glob.glob(_evidence(host, "fault_6", "*", "*"))
    names = [os.path.basename(f) for f in files]
    assert "ampdaemon.log.tail" in names, files
    assert any(n.endswith(".tar.gz") for n in names), files
    for path in files:
        assert _mode(path) == 0o600, path
    for directory in (_evidence(host), _evidence(host, "fault_6"), os.path.dirname(files[0])):
        assert _mode(directory) == 0o700, directory


def test_fault18_report_private_and_redacted(host):
    directory = _evidence(host, "fault_18")
    names = sorted(os.listdir(directory))
    assert names == ["suggested_exclusions.json", "suggested_exclusions.txt", "top_processes.json",
                     "top_processes.txt"], names
    assert _mode(directory) == 0o700
    texts = []
    for name in names:
        assert _mode(os.path.join(directory, name)) == 0o600, name
        with open(os.path.join(directory, name)) as handle:
            texts.append(handle.read())
    assert not any(SECRET in text for text in texts), "a command line's arguments reached the report"
    rows = json.loads(texts[2])["processes"]
    yes = [r for r in rows if r["exe"] == "/usr/bin/yes"]
    assert yes and yes[0]["cmdline"] == "/usr/bin/yes <redacted>", rows


def test_fault18_never_suggests_an_interpreter(host):
    with open(_evidence(host, "fault_18", "suggested_exclusions.json")) as handle:
        suggested = json.load(handle)["process_exclusions"]
    with open(_evidence(host, "fault_18", "top_processes.json")) as handle:
        sampled = set(r["exe"] for r in json.load(handle)["processes"])
    assert "/usr/bin/yes" in suggested, suggested
    interpreters = [e for e in sampled if os.path.basename(e).startswith(("python", "mawk", "gawk", "awk"))]
    assert interpreters, "the sample should hold the busy interpreters: %s" % sorted(sampled)
    assert not set(interpreters) & set(suggested), suggested


SERVICE_KEYS = ("ActiveState=", "MainPID=", "ExecMainStartTimestampMonotonic=", "NRestarts=")


def _in_state_dir(line):
    """A listing line (``PATH MODE USER GROUP SHA256``) about the collection's state directory."""
    path = line.split(" ", 1)[0]
    return path == "/var/lib/secure_endpoint" or path.startswith("/var/lib/secure_endpoint/")


def test_no_file_changed_on_host(host):
    # Only the collection's own root-only state directory may appear, and the connector's service
    # was restarted once (the fault 6 fix); nothing of the system or the connector changed.
    verdict = host.file("/var/tmp/se-checksums/afterrun.verdict")
    assert verdict.exists, "the real run was not compared"
    diff = host.file("/var/tmp/se-checksums/afterrun.diff").content_string.splitlines()
    changes = [ln[2:] for ln in diff if ln[:2] in ("< ", "> ")]
    assert any(ln.startswith("MainPID=") for ln in changes), "the connector was not restarted"
    others = [ln for ln in changes if not ln.startswith(SERVICE_KEYS) and not _in_state_dir(ln)]
    assert others == [], "\n".join(others[:50])
    state = host.file("/var/lib/secure_endpoint")
    if state.exists:
        assert state.user == "root" and state.mode == 0o700


def test_check_mode_changed_nothing(host):
    verdict = host.file("/var/tmp/se-checksums/verdict")
    assert verdict.exists, "the --check run was not compared"
    assert verdict.content_string.strip() == "unchanged", host.file("/var/tmp/se-checksums/diff").content_string[:3000]
