# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's whole logic against a fake root: one injected fault at a time must give
exactly that fault, with its cause, and nothing else."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib
import errno
import json
import os
import shutil
import threading
import time

import pytest

from ansible.module_utils import basic
from ansible_collections.secure_endpoint.linux.plugins.module_utils import (
    bounded_cmd, collect, cvd, definitions_cache, fs_modes, host_files, login_defs, procs, secure_boot)
from ansible_collections.secure_endpoint.linux.plugins.doc_fragments import facts_options as facts_options_doc
from ansible_collections.secure_endpoint.linux.plugins.modules import connector_facts

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        payload = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()
        with mock.patch.object(basic, "_ANSIBLE_ARGS", payload):
            yield

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
RELEASE = "6.1.0-18-amd64"
HZ = os.sysconf("SC_CLK_TCK")


def put(root, path, content="", mode=None):
    full = os.path.join(root, path.lstrip("/"))
    if not os.path.isdir(os.path.dirname(full)):
        os.makedirs(os.path.dirname(full))
    with open(full, "wb") as handle:
        handle.write(content if isinstance(content, bytes) else content.encode())
    if mode is not None:
        os.chmod(full, mode)
    return full


def ampcli_answer(root, sample=None, script=None):
    body = script or "cat '%s'\n" % os.path.join(DATA, "ampcli", sample)
    put(root, "/opt/cisco/amp/bin/ampcli", "#!/bin/sh\n" + body, 0o755)


def process(root, pid, comm, age_seconds, uptime=86400):
    start = int((uptime - age_seconds) * HZ)
    fields = ["S", "1", str(pid), str(pid), "0", "-1", "0", "0", "0", "0", "0", "10", "5", "0", "0", "20", "0",
              "1", "0", str(start), "1000", "100"]
    put(root, "/proc/%d/stat" % pid, "%d (%s) %s\n" % (pid, comm, " ".join(fields)))
    put(root, "/proc/%d/cmdline" % pid, "/opt/cisco/amp/bin/%s\0" % comm)


@pytest.fixture
def host(tmp_path):
    """A Debian host with a working eBPF connector 1.24.3 (the stand-in's layout)."""
    root = str(tmp_path / "root")
    for sub in ("bin", "etc", "clamav"):
        os.makedirs(os.path.join(root, "opt/cisco/amp", sub))
    put(root, "/opt/cisco/amp/bin/ampdaemon", "#!/bin/sh\n", 0o755)
    put(root, "/opt/cisco/amp/etc/global.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<config><agent><version>1.24.3</version></agent></config>\n')
    for name in ("test-5.cvd", "test-6.cvd"):
        shutil.copy(os.path.join(DATA, "clamav", name), os.path.join(root, "opt/cisco/amp/clamav", name))
    for path in ("opt/cisco", "opt/cisco/amp", "opt/cisco/amp/bin", "opt/cisco/amp/etc", "opt/cisco/amp/clamav"):
        os.chmod(os.path.join(root, path), 0o755)
    ampcli_answer(root, "no_faults.txt")
    put(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
                             "cisco-amp-scan-svc:x:998:998::/nonexistent:/usr/sbin/nologin\n")
    put(root, "/etc/group", "root:x:0:\ncisco-amp-scan-svc:x:998:\n")
    shutil.copy(os.path.join(DATA, "login_defs", "debian12.login.defs"), os.path.join(root, "etc/login.defs"))
    put(root, "/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n')
    put(root, "/proc/uptime", "86400.00 1000.00\n")
    put(root, "/proc/meminfo", "MemTotal:        8000000 kB\nMemFree:         1000000 kB\n"
                               "MemAvailable:    4000000 kB\n")
    put(root, "/proc/modules", "xfs 2002944 2 - Live 0x0000000000000000\n")
    put(root, "/proc/sys/kernel/osrelease", RELEASE + "\n")
    process(root, 700, "ampdaemon", 3600)
    process(root, 701, "ampscansvc", 3590)
    put(root, "/sys/kernel/btf/vmlinux", "BTF")
    put(root, "/usr/src/linux-headers-%s/Makefile" % RELEASE)
    put(root, "/boot/vmlinuz-" + RELEASE)
    put(root, "/var/log/cisco/ampdaemon.log", "2024-06-19 14:02:03 ampdaemon: started\n")
    return root


def facts(root, check_mode=False, **options):
    options.setdefault("cache_path", None)
    return collect.collect(options, root=root, check_mode=check_mode)


def active(result):
    return dict((int(k), v["causes"]) for k, v in result["faults"].items() if v["active"])


def test_healthy_host(host):
    result = facts(host)
    assert result["installed"] and result["version"] == "1.24.3"
    assert active(result) == {}
    assert result["errors"] == []
    assert result["service"]["state"] == "running" and result["service"]["source"] == "processes"
    assert result["service"]["uptime_seconds"] == 3600
    assert result["ampcli"]["ran"] and result["ampcli"]["status"]["faults"] == "None"
    assert [(os.path.basename(d["path"]), d["valid"]) for d in result["definitions"]] == [
        ("test-5.cvd", True), ("test-6.cvd", True)]
    assert result["definitions"][0]["path"] == "/opt/cisco/amp/clamav/test-5.cvd"
    assert result["kernel"]["headers_installed"] and result["kernel"]["btf"]
    assert result["kernel"]["next_boot"]["release"] == RELEASE
    assert result["memory"] == {"available_mb": 3906, "threshold_mb": 1024}
    assert result["secure_boot"] is False
    json.dumps(result)  # facts must serialize


def test_not_installed(tmp_path):
    root = str(tmp_path)
    put(root, "/proc/uptime", "100.0 10.0\n")
    result = facts(root)
    assert not result["installed"] and active(result) == {} and result["errors"] == []
    assert result["service"]["state"] == "not-found"
    assert sorted(result["faults"], key=int) == ["5", "6", "7", "8", "9", "11", "16", "18", "19"]


def test_fault_5_user_deleted(host):
    put(host, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
    assert active(facts(host)) == {5: ["scan_user_missing"]}


def test_fault_5_group_missing_because_usergroups_no(host):
    put(host, "/etc/group", "root:x:0:\n")
    with open(os.path.join(host, "etc/login.defs"), "a") as handle:
        handle.write("USERGROUPS_ENAB   no\n")
    assert active(facts(host)) == {5: ["scan_group_missing", "usergroups_enab_no"]}


def test_fault_5_directory_mode(host):
    os.chmod(os.path.join(host, "opt/cisco"), 0o700)
    result = facts(host)
    assert active(result) == {5: ["directory_mode"]}
    assert result["faults"]["5"]["evidence"] == ["/opt/cisco: mode 0700, expected 0755"]


def test_fault_6_restarts(host):
    now = time.time()
    lines = "".join("%s ampdaemon: ampscansvc exited with signal 11, restarting\n"
                    % time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now - 60 * i)) for i in range(4))
    two_hours_ago = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now - 7200))
    old = "%s ampdaemon: ampscansvc exited, restarting\n" % two_hours_ago
    put(host, "/var/log/cisco/ampdaemon.log", old * 10 + lines)
    ampcli_answer(host, script="printf 'Status: Connected\\nMode: Degraded\\nFault IDs: 6\\n"
                               "ID 6 - Major: Scan service restarting frequently\\n'\n")
    result = facts(host)
    assert active(result) == {6: ["scan_service_restarts", "not_cleared_after_10_minutes"]}
    entry = result["faults"]["6"]
    assert entry["reported"] and entry["detected"] and entry["severity"] == "Major"
    # Lines from before the service started are not counted.
    assert entry["evidence"][0].startswith("4 scan service restart line(s)")


def test_fault_7_invalid_definition(host):
    path = os.path.join(host, "opt/cisco/amp/clamav/test-6.cvd")
    with open(path, "r+b") as handle:
        handle.seek(600)
        byte = handle.read(1)
        handle.seek(600)
        handle.write(bytes(bytearray([byte[0] ^ 0x01])))
    result = facts(host)
    assert active(result) == {7: ["invalid_definitions"]}
    assert result["faults"]["7"]["evidence"][1].startswith("/opt/cisco/amp/clamav/test-6.cvd: ")


def test_fault_8_and_9_secure_boot_reported(host):
    efivars = "/sys/firmware/efi/efivars/" + secure_boot.SECURE_BOOT_VAR
    put(host, efivars, b"\x06\x00\x00\x00\x01")
    put(host, "/var/log/cisco/ampdaemon.log", "ampdaemon: Secure Boot is enabled: kernel modules cannot load\n")
    ampcli_answer(host, script="printf 'Status: Connected\\nMode: Degraded\\nFaults: 2 Major\\nFault IDs: 8, 9\\n'\n")
    result = facts(host)
    assert active(result) == {8: ["secure_boot_enabled"], 9: ["secure_boot_enabled"]}
    assert result["secure_boot"] is True
    assert result["faults"]["8"]["remediation"]["automatic"] is False


def test_fault_8_kernel_module_connector_rejected(host):
    put(host, "/opt/cisco/amp/kmods/ampfsm.ko", b"\x7fELF")
    put(host, "/opt/cisco/amp/kmods/ampnetworkflow.ko", b"\x7fELF")
    os.chmod(os.path.join(host, "opt/cisco/amp/kmods"), 0o755)
    put(host, "/proc/modules", "ampnetworkflow 40960 0 - Live 0x0 (OE)\nxfs 2002944 2 - Live 0x0\n")
    put(host, "/var/log/messages", "Jun 19 14:02:03 host kernel: ampfsm: disagrees about version of symbol "
                                   "module_layout\n")
    result = facts(host)
    assert active(result) == {8: ["module_rejected"]}
    assert "none of ampfsm, ampavflt loaded (/proc/modules)" in result["faults"]["8"]["evidence"]
    assert result["kernel"]["connector_modules"] == ["ampnetworkflow"]


def test_fault_11_headers_removed(host):
    shutil.rmtree(os.path.join(host, "usr/src/linux-headers-" + RELEASE))
    result = facts(host)
    assert active(result) == {11: ["headers_missing"]}
    assert result["faults"]["11"]["remediation"]["automatic"] is True


def test_fault_11_next_boot(host):
    put(host, "/boot/vmlinuz-6.1.0-20-amd64")
    put(host, "/boot/config-6.1.0-20-amd64", "CONFIG_DEBUG_INFO_BTF=y\n")
    result = facts(host)
    assert active(result) == {11: ["next_boot_headers_missing"]}
    assert result["kernel"]["next_boot"] == {"release": "6.1.0-20-amd64", "source": "newest /boot/vmlinuz",
                                             "headers_installed": False,
                                             "headers_package": "linux-headers-6.1.0-20-amd64", "btf": True}


def test_fault_16_compat_data(host):
    compat = [{"connector": "1.24", "kernels": ["5.14.0-*.el9*"]}]
    assert active(facts(host, kernel_compat=compat)) == {16: ["kernel_not_in_compat_data"]}
    compat = [{"connector": "1.24", "kernels": ["6.1.0-*-amd64"]}]
    assert active(facts(host, kernel_compat=compat)) == {}


def test_fault_18_cisco_sample(host):
    ampcli_answer(host, "cisco_fault18_prefixed.txt")
    result = facts(host, process_sample_seconds=0.01)
    assert active(result) == {18: ["reported_by_connector"]}
    assert result["faults"]["18"]["severity"] == "Major"
    assert [p["comm"] for p in result["top_processes"]] == ["ampdaemon", "ampscansvc"]
    assert any(e.startswith("top_processes: pid 700 ampdaemon") for e in result["faults"]["18"]["evidence"])


def test_fault_19_module_disabled(host):
    put(host, "/sys/fs/selinux/enforce", "1")
    put(host, "/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=default\n")
    os.makedirs(os.path.join(host, "var/lib/selinux/default/active/modules/400/Cisco-Secure-BPF"))
    put(host, "/var/lib/selinux/default/active/modules/disabled/Cisco-Secure-BPF")
    for tool in ("semodule", "checkmodule", "semodule_package", "semanage"):
        put(host, "/usr/sbin/" + tool, "", 0o755)
    put(host, "/etc/selinux/default/policy/policy.33", b"\x8c\xff|\xf9unconfined_service_t\x00")
    result = facts(host)
    assert active(result) == {19: ["module_disabled"]}
    assert result["selinux"]["type_present"] is True and result["selinux"]["tools_missing"] == []


def test_ampcli_hang_is_bounded(host):
    ampcli_answer(host, script="echo 'Trying to connect...'\nsleep 600 &\nwait\n")
    start = time.monotonic()
    result = facts(host, ampcli_timeout=0.5)
    assert time.monotonic() - start < 5
    assert result["ampcli"]["timed_out"] and result["ampcli"]["rc"] is None
    assert "did not answer within 0.5s" in result["errors"][0]
    assert active(result) == {}


def test_ampcli_garbage(host):
    # Kept hex-encoded in git (binary, CR and invalid UTF-8 bytes); decoded for the fake ampcli.
    with open(os.path.join(DATA, "ampcli", "garbage.hex")) as handle:
        raw = bytes.fromhex("".join(handle.read().split()))
    garbage = os.path.join(str(host), "garbage.bin")
    with open(garbage, "wb") as handle:
        handle.write(raw)
    ampcli_answer(host, script="cat '%s'\n" % garbage)
    result = facts(host)
    assert result["ampcli"]["error"] == "ampcli status answer not recognized"
    assert active(result) == {}


def test_missing_tools_and_files_are_findings(host):
    os.unlink(os.path.join(host, "opt/cisco/amp/bin/ampcli"))
    os.unlink(os.path.join(host, "etc/login.defs"))
    os.unlink(os.path.join(host, "proc/meminfo"))
    os.unlink(os.path.join(host, "opt/cisco/amp/etc/global.xml"))
    result = facts(host)
    assert result["ampcli"]["error"].endswith("/opt/cisco/amp/bin/ampcli not found")
    assert result["memory"]["available_mb"] is None and result["version"] is None
    assert "/opt/cisco/amp/etc/global.xml missing: connector version unknown" in result["errors"]
    assert result["login_defs"] == {"path": "/etc/login.defs", "usergroups_enab": None, "usergroups_enabled": False}
    # An unknown version still needs headers (they are there): no fault is made up from missing data.
    assert active(result) == {}


def test_cache_is_used_on_the_second_run(host, monkeypatch):
    from ansible_collections.secure_endpoint.linux.plugins.module_utils import definitions_cache
    monkeypatch.setattr(definitions_cache, "RACY_SECONDS", 0.0)
    first = facts(host, cache_path="/var/cache/secure_endpoint/definitions.json")
    assert os.path.exists(os.path.join(host, "var/cache/secure_endpoint/definitions.json"))
    calls = []
    real = cvd.validate_file
    monkeypatch.setattr(cvd, "validate_file", lambda p, **kw: calls.append(p) or real(p, **kw))
    second = facts(host, cache_path="/var/cache/secure_endpoint/definitions.json")
    assert calls == [] and second["definitions"] == first["definitions"]


def test_check_mode_writes_no_cache(host):
    collect.collect({"cache_path": "/var/cache/se.json"}, root=host, check_mode=True)
    assert not os.path.exists(os.path.join(host, "var/cache/se.json"))


def run_main(monkeypatch, capsys, root, args):
    monkeypatch.setattr(connector_facts, "_ROOT", root)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            connector_facts.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


def test_main_without_arguments_as_a_gather_module(host, monkeypatch, capsys):
    from ansible_collections.secure_endpoint.linux.plugins.module_utils import definitions_cache
    monkeypatch.setattr(definitions_cache, "RACY_SECONDS", 0.0)
    code, out = run_main(monkeypatch, capsys, host, {})
    assert code == 0 and out["changed"] is False
    se = out["ansible_facts"]["secure_endpoint"]
    assert se["installed"] and sorted(se["faults"], key=int) == ["5", "6", "7", "8", "9", "11", "16", "18", "19"]
    # The default cache path is probed under the root too.
    assert os.path.exists(os.path.join(host, "var/cache/secure_endpoint/definitions.json"))


def test_main_rejects_bad_values(host, monkeypatch, capsys):
    code, out = run_main(monkeypatch, capsys, host, {"ampcli_timeout": 0})
    assert code == 1 and out["msg"] == "ampcli_timeout must be greater than 0"


def test_main_kernel_compat_option(host, monkeypatch, capsys):
    code, out = run_main(monkeypatch, capsys, host, {"kernel_compat": [{"connector": ">=1.0", "kernels": ["5.*"]}],
                                                     "cache_path": None})
    faults = out["ansible_facts"]["secure_endpoint"]["faults"]
    assert code == 0 and faults["16"]["active"] and faults["16"]["causes"] == ["kernel_not_in_compat_data"]


def test_documentation_is_valid_yaml_and_lists_every_option():
    import yaml
    doc = yaml.safe_load(connector_facts.DOCUMENTATION)
    assert doc["extends_documentation_fragment"] == ["secure_endpoint.linux.facts_options"]
    doc["options"] = yaml.safe_load(facts_options_doc.ModuleDocFragment.DOCUMENTATION)["options"]
    assert sorted(doc["options"]) == sorted(connector_facts.argument_spec())
    for name, spec in connector_facts.argument_spec().items():
        assert doc["options"][name].get("default") == spec.get("default") or (
            name == "ampcli_timeout" and doc["options"][name]["default"] == 10)
    returned = yaml.safe_load(connector_facts.RETURN)["ansible_facts"]["contains"]["secure_endpoint"]["contains"]
    sample = collect.collect({"cache_path": None}, root="/nonexistent-root")
    assert sorted(returned) == sorted(sample)
    yaml.safe_load(connector_facts.EXAMPLES)


# --- Hostile hosts (issue 8): every class of problem, the module's whole logic against a fake root.

def finishes(func, seconds=10.0):
    """``func()`` run in a daemon thread: it must return within ``seconds`` (a reader that
    blocks on a FIFO would never return); its result."""
    box = {}

    def target():
        box["result"] = func()

    thread = threading.Thread(target=target)
    thread.daemon = True
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "still blocked after %ss" % seconds
    return box["result"]


def fifo(root, path):
    full = os.path.join(root, path.lstrip("/"))
    if os.path.lexists(full):
        os.unlink(full)
    elif not os.path.isdir(os.path.dirname(full)):
        os.makedirs(os.path.dirname(full))
    os.mkfifo(full)
    return full


@pytest.mark.parametrize("path,error", [
    ("/opt/cisco/amp/etc/global.xml", "cannot read /opt/cisco/amp/etc/global.xml: FIFO, not a regular file"),
    ("/etc/login.defs", "cannot read /etc/login.defs: FIFO, not a regular file"),
    ("/proc/meminfo", "cannot read /proc/meminfo: FIFO, not a regular file"),
    ("/etc/os-release", "cannot read /etc/os-release: FIFO, not a regular file"),
    ("/proc/modules", "cannot read /proc/modules: FIFO, not a regular file"),
    ("/etc/passwd", "cannot read accounts: cannot read /etc/passwd: FIFO, not a regular file"),
    ("/etc/group", "cannot read accounts: cannot read /etc/group: FIFO, not a regular file"),
    ("/var/log/cisco/ampdaemon.log", "cannot read /var/log/cisco/ampdaemon.log: FIFO, not a regular file"),
    ("/var/cache/secure_endpoint/definitions.json",
     "definitions cache ignored: cannot read /var/cache/secure_endpoint/definitions.json: FIFO, not a regular file"),
])
def test_a_fifo_where_a_file_is_expected_never_hangs(host, path, error):
    fifo(host, path)
    result = finishes(lambda: facts(host, cache_path="/var/cache/secure_endpoint/definitions.json", check_mode=True))
    assert error in result["errors"]
    # Unknown is not broken: no fault comes out of what could not be read.
    assert active(result) == {}


def test_unknown_inputs_stay_unknown_in_the_facts(host):
    for path in ("/etc/login.defs", "/etc/group", "/proc/meminfo"):
        fifo(host, path)
    result = finishes(lambda: facts(host))
    assert result["login_defs"]["usergroups_enabled"] is None
    assert result["scan_account"]["group"] is None and result["scan_account"]["user"] is True
    assert result["memory"]["available_mb"] is None
    assert result["faults"]["5"]["causes"] == [] and result["faults"]["5"]["risks"] == []


def test_devices_are_never_opened(host):
    os.unlink(os.path.join(host, "etc/login.defs"))
    os.symlink("/dev/zero", os.path.join(host, "etc/login.defs"))
    result = finishes(lambda: facts(host))
    assert "cannot read /etc/login.defs: character device, not a regular file" in result["errors"]


def test_oversized_login_defs_is_unknown_never_a_guess(host, monkeypatch):
    monkeypatch.setattr(login_defs, "MAX_BYTES", 4096)
    put(host, "/etc/login.defs", "USERGROUPS_ENAB no\n" + "#" * 8192 + "\nUSERGROUPS_ENAB yes\n")
    put(host, "/etc/group", "root:x:0:\n")  # the scan group is missing: fault 5
    result = facts(host)
    assert result["login_defs"]["usergroups_enabled"] is None
    assert "cannot read /etc/login.defs: too large: 8232 bytes (limit 4096)" in result["errors"]
    assert active(result) == {5: ["scan_group_missing"]}


@pytest.mark.parametrize("make,kind", [
    (os.mkfifo, "FIFO"),
    (lambda p: os.symlink("/dev/zero", p), "character device"),
    (lambda p: os.symlink("/dev/urandom", p), "character device"),
])
def test_non_regular_definitions_are_invalid(host, make, kind):
    path = os.path.join(host, "opt/cisco/amp/clamav/daily.cvd")
    make(path)
    result = finishes(lambda: facts(host))
    assert active(result) == {7: ["invalid_definitions"]}
    entry = [d for d in result["definitions"] if d["path"].endswith("daily.cvd")][0]
    assert entry["verdict"] == "invalid" and entry["valid"] is False and entry["file_kind"] == kind
    assert entry["reason"] == "not a regular file (%s): the engine cannot load it" % kind


@pytest.mark.parametrize("target,reason", [
    ("missing.cvd", "dangling symlink: the engine cannot open it"),
    ("daily.cvd", "symlink loop: the engine cannot open it"),
])
def test_broken_symlinks_as_definitions_are_invalid(host, target, reason):
    os.symlink(target, os.path.join(host, "opt/cisco/amp/clamav/daily.cvd"))
    result = facts(host)
    entry = [d for d in result["definitions"] if d["path"].endswith("daily.cvd")][0]
    assert entry["verdict"] == "invalid" and entry["reason"] == reason and entry["link"] == target
    assert active(result) == {7: ["invalid_definitions"]}


def test_unreadable_definitions_are_unknown_and_never_cached(host, monkeypatch):
    monkeypatch.setattr(definitions_cache, "RACY_SECONDS", 0.0)
    real_open = host_files.open_regular

    def denied(path):
        if path.endswith("test-6.cvd"):
            raise OSError(errno.EACCES, "Permission denied", path)
        return real_open(path)

    monkeypatch.setattr(host_files, "open_regular", denied)
    cache = "/var/cache/secure_endpoint/definitions.json"
    result = facts(host, cache_path=cache)
    assert [os.path.basename(d["path"]) for d in result["definitions"]] == ["test-5.cvd"]
    entry = [d for d in result["definitions_unknown"] if d["path"].endswith("test-6.cvd")][0]
    assert entry["verdict"] == "unknown" and entry["valid"] is None
    assert entry["reason"] == "cannot be read: Permission denied"
    assert active(result) == {}
    assert ("definitions file /opt/cisco/amp/clamav/test-6.cvd not judged: cannot be read: Permission denied"
            in result["errors"])
    assert "/opt/cisco/amp/clamav/test-6.cvd: not judged: cannot be read: Permission denied" in \
        result["faults"]["7"]["evidence"]
    with open(os.path.join(host, cache.lstrip("/"))) as handle:
        cached = json.load(handle)["entries"]
    assert sorted(os.path.basename(p) for p in cached) == ["test-5.cvd"]
    # The next run (root, readable) judges it for real.
    monkeypatch.setattr(host_files, "open_regular", real_open)
    again = facts(host, cache_path=cache)
    assert [d["verdict"] for d in again["definitions"]] == ["valid", "valid"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to user nobody")
def test_a_file_only_root_can_read_is_unknown_for_nobody(tmp_path):
    """Run as ``nobody`` for real (in a forked child): EACCES is unknown, never invalid."""
    import pwd
    import tempfile
    nobody = pwd.getpwnam("nobody")
    top = tempfile.mkdtemp(prefix="se-nobody-")
    try:
        os.chmod(top, 0o755)
        target = os.path.join(top, "main.cvd")
        shutil.copy(os.path.join(DATA, "clamav", "test-5.cvd"), target)
        os.chmod(target, 0o600)
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                os.close(reader)
                os.setgroups([])
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)
                answer = cvd.validate_file(target)
                os.write(writer, json.dumps([answer["verdict"], answer["reason"]]).encode())
            finally:
                os._exit(0)
        os.close(writer)
        with os.fdopen(reader) as handle:
            verdict = json.loads(handle.read())
        os.waitpid(pid, 0)
        assert verdict == ["unknown", "cannot be read: Permission denied"]
        assert cvd.validate_file(target)["verdict"] == "valid"  # root can
    finally:
        shutil.rmtree(top)


def test_huge_definitions_file_is_not_read(host):
    path = os.path.join(host, "opt/cisco/amp/clamav/main.cvd")
    shutil.copy(os.path.join(DATA, "clamav", "test-1.cvd"), path)
    with open(path, "r+b") as handle:
        handle.truncate(2 * 1024 ** 3)  # 2 GiB, sparse, behind a real header
    start = time.monotonic()
    result = facts(host)
    assert time.monotonic() - start < 5
    assert result["definitions_unknown"][0]["path"] == "/opt/cisco/amp/clamav/main.cvd"
    entry = result["definitions_unknown"][0]
    assert entry["verdict"] == "unknown"
    assert entry["reason"] == "too large to judge: 2147483648 bytes (limit 1073741824)"
    assert active(result) == {}


def test_run_budget_leaves_the_rest_to_later_runs(host):
    result = facts(host, definitions_max_run_mb=1)
    assert [d["verdict"] for d in result["definitions"]] == ["valid", "valid"]
    for name in ("test-1.cvd", "test-2.cvd", "test-3.cvd"):
        shutil.copy(os.path.join(DATA, "clamav", name), os.path.join(host, "opt/cisco/amp/clamav"))
    sizes = sum(os.path.getsize(os.path.join(DATA, "clamav", n)) for n in ("test-1.cvd", "test-2.cvd", "test-3.cvd"))
    budget = 1 << 20
    result = facts(host, definitions_max_run_mb=1)
    unknown = result["definitions_unknown"]
    assert (sizes > budget) is bool(unknown)
    assert all(d["verdict"] == "valid" for d in result["definitions"])
    assert all(d["reason"].startswith("not judged in this run") for d in unknown)
    assert active(result) == {}


def test_many_definitions_make_bounded_facts(host):
    clamav = os.path.join(host, "opt/cisco/amp/clamav")
    for index in range(1000):
        with open(os.path.join(clamav, "f%05d.cud" % index), "wb") as handle:
            handle.write(b"x")

    def verdict(path):
        bad = path.endswith(("f00007.cud", "f00999.cud"))
        return {"path": path, "type": "cud", "valid": not bad, "reason": "bad" if bad else None, "size": 1,
                "header": {}}

    result = collect.collect({"cache_path": None}, root=host, validate=verdict)
    summary = result["definitions_summary"]
    assert summary == {"files": 1002, "valid": 1000, "invalid": 2, "unknown": 0,
                       "by_type": {"cvd": 2, "cld": 0, "cud": 1000}, "listed": 22, "complete": True}
    listed = result["definitions"]
    assert len(listed) == 22 and [d["path"] for d in listed] == sorted(d["path"] for d in listed)
    assert {os.path.basename(d["path"]) for d in listed if d["verdict"] == "invalid"} == {"f00007.cud", "f00999.cud"}
    assert len(json.dumps(result)) < 64 * 1024
    everything = collect.collect({"cache_path": None, "definitions_list": "all"}, root=host, validate=verdict)
    assert len(everything["definitions"]) == 1002 and len(json.dumps(everything)) > 4 * len(json.dumps(result))


def test_definitions_walk_limit_is_said(host, monkeypatch):
    monkeypatch.setattr(definitions_cache, "MAX_ENTRIES", 3)
    put(host, "/opt/cisco/amp/clamav/more/x.cvd", "x")
    result = facts(host)
    note = [e for e in result["errors"] if e.startswith("search stopped after")]
    assert note and "(limit 3): files beyond it not judged" in note[0] and note[0].count("/opt/cisco/amp") == 1
    assert note[0] in result["faults"]["7"]["evidence"]
    assert result["definitions_summary"]["complete"] is False


def test_a_wrong_directory_mode_is_found_behind_many_entries(host):
    amp = os.path.join(host, "opt/cisco/amp")
    for index in range(300):
        put(host, "/opt/cisco/amp/a%03d" % index, "")
    os.makedirs(os.path.join(amp, "zz"))
    os.chmod(os.path.join(amp, "zz"), 0o777)
    result = facts(host)
    assert active(result) == {5: ["directory_mode"]}
    assert result["faults"]["5"]["evidence"] == ["/opt/cisco/amp/zz: mode 0777, expected 0755"]


def test_directory_limits_are_said(host, monkeypatch):
    monkeypatch.setattr(fs_modes, "MAX_CHILDREN", 2)
    result = facts(host)
    note = "/opt/cisco/amp holds more than 2 directories: 1 were not checked"
    assert note in result["errors"] and note in result["faults"]["5"]["evidence"]


def test_leftover_install_root_is_not_fault_5(tmp_path):
    root = str(tmp_path)
    os.makedirs(os.path.join(root, "opt/cisco/amp/etc"))
    os.chmod(os.path.join(root, "opt/cisco"), 0o700)
    put(root, "/proc/uptime", "100.0 10.0\n")
    put(root, "/etc/login.defs", "USERGROUPS_ENAB yes\n")
    result = facts(root)
    assert not result["installed"] and active(result) == {}
    assert result["faults"]["5"]["evidence"] == []


def test_usergroups_no_with_the_group_present_is_a_risk(host):
    with open(os.path.join(host, "etc/login.defs"), "a") as handle:
        handle.write("USERGROUPS_ENAB no\n")
    result = facts(host)
    assert active(result) == {}
    assert result["faults"]["5"]["risks"] == ["usergroups_enab_no"]
    os.chmod(os.path.join(host, "opt/cisco/amp/bin"), 0o700)
    result = facts(host)
    assert active(result) == {5: ["directory_mode"]} and result["faults"]["5"]["risks"] == ["usergroups_enab_no"]


def test_ampcli_answer_is_taken_when_it_exits_whatever_its_children_do(host):
    ampcli_answer(host, script="cat '%s'\nsleep 30 &\nexit 0\n" % os.path.join(DATA, "ampcli", "no_faults.txt"))
    start = time.monotonic()
    result = facts(host, ampcli_timeout=8)
    assert time.monotonic() - start < 5
    assert result["ampcli"]["rc"] == 0 and not result["ampcli"]["timed_out"] and result["ampcli"]["error"] is None
    assert result["errors"] == []


def test_ampcli_colours_and_lower_case(host):
    ansi = ("printf '\\033[1mStatus:\\033[0m Connected\\n\\033[1;31mMode: Degraded\\033[0m\\n"
            "faults: 1 minor\\nfault ids: 5\\n\\033[33mid 5 - minor: Scan service user unavailable\\033[0m\\n'\n")
    ampcli_answer(host, script=ansi)
    result = facts(host)
    assert result["ampcli"]["error"] is None
    assert result["ampcli"]["faults"] == [{"id": 5, "severity": "Minor", "message": "Scan service user unavailable"}]
    assert result["faults"]["5"]["reported"] and result["faults"]["5"]["severity"] == "Minor"


@pytest.mark.parametrize("make,error", [
    (lambda p: os.symlink(p, p), "/opt/cisco/amp/bin/ampcli cannot be run: symlink loop"),
    (lambda p: os.symlink("/nonexistent/ampcli", p),
     "/opt/cisco/amp/bin/ampcli is a dangling symlink (-> /nonexistent/ampcli)"),
    (os.mkfifo, "/opt/cisco/amp/bin/ampcli cannot be run: FIFO, not a regular file"),
])
def test_odd_ampcli_is_named_for_what_it_is(host, make, error):
    path = os.path.join(host, "opt/cisco/amp/bin/ampcli")
    os.unlink(path)
    make(path)
    result = finishes(lambda: facts(host))
    assert result["ampcli"]["error"] == error and error in result["errors"]


@pytest.mark.parametrize("mode,wanted", [("0750", 0o750), (488, 0o750), ("750", 0o750), ("0o750", 0o750)])
def test_expected_mode_as_users_write_it(host, monkeypatch, capsys, mode, wanted):
    for path in ("opt/cisco", "opt/cisco/amp", "opt/cisco/amp/bin", "opt/cisco/amp/etc", "opt/cisco/amp/clamav"):
        os.chmod(os.path.join(host, path), wanted)
    code, out = run_main(monkeypatch, capsys, host, {"expected_dir_mode": mode, "cache_path": None})
    se = out["ansible_facts"]["secure_endpoint"]
    assert code == 0 and se["errors"] == [] and not se["faults"]["5"]["active"]
    code, out = run_main(monkeypatch, capsys, host, {"cache_path": None})
    assert out["ansible_facts"]["secure_endpoint"]["faults"]["5"]["causes"] == ["directory_mode"]


@pytest.mark.parametrize("mode", ["rwxr-x---", "0858", 99999, True])
def test_bad_expected_mode_fails_clearly(host, monkeypatch, capsys, mode):
    code, out = run_main(monkeypatch, capsys, host, {"expected_dir_mode": mode})
    assert code == 1 and out["msg"].startswith("expected_dir_mode: ")


def test_an_internal_error_never_fails_fact_gathering(host, monkeypatch, capsys):
    shape = sorted(collect.collect({"cache_path": None}, root="/nonexistent-root"))

    def broken(*_args, **_kwargs):
        raise RuntimeError("probe bug")

    monkeypatch.setattr(collect, "collect", broken)
    code, out = run_main(monkeypatch, capsys, host, {})
    se = out["ansible_facts"]["secure_endpoint"]
    assert code == 0 and out["changed"] is False
    assert se["errors"][0].startswith("connector_facts internal error, nothing was judged")
    assert "RuntimeError: probe bug" in se["errors"][0]
    assert sorted(se) == shape
    assert not any(f["active"] for f in se["faults"].values()) and se["installed"] is None


def test_selinux_modules_listed_with_exact_names(host):
    os.makedirs(os.path.join(host, "var/lib/selinux/targeted/active/modules/400/Cisco-Secure-BPF"))
    os.makedirs(os.path.join(host, "var/lib/selinux/targeted/active/modules/100/my-bpf"))
    result = facts(host)
    assert result["selinux"]["modules"] == [{"name": "Cisco-Secure-BPF", "priority": 400, "enabled": True}]
    result = facts(host, selinux_module_name="MY-BPF")
    assert result["selinux"]["modules"] == [{"name": "my-bpf", "priority": 100, "enabled": True}]
    assert result["selinux"]["module_present"] and result["selinux"]["module_name"] == "MY-BPF"


def test_argument_spec_defaults_come_from_collect():
    spec = connector_facts.argument_spec()
    assert sorted(spec) == sorted(collect.DEFAULTS)
    for name, value in collect.DEFAULTS.items():
        assert spec[name]["default"] == value


def systemd_host(host, active="active", cgroup_pids="700\n701\n"):
    """The host under systemd: ``systemctl show`` answered by a fake runner, the unit's cgroup."""
    os.makedirs(os.path.join(host, "run/systemd/system"))
    group = "/system.slice/cisco-amp.service"
    if cgroup_pids is not None:
        put(host, "/sys/fs/cgroup%s/cgroup.procs" % group, cgroup_pids)
    show = ("LoadState=loaded\nActiveState=%s\nSubState=running\nUnitFileState=enabled\nMainPID=700\n"
            "NRestarts=0\nActiveEnterTimestampMonotonic=1\nControlGroup=%s\n" % (active, group)).encode()

    def runner(argv, timeout, max_bytes=65536):
        if argv[0] == "systemctl":
            return {"rc": 0, "out": show, "timed_out": False, "truncated": False, "error": None}
        return bounded_cmd.run(argv, timeout, max_bytes)
    return runner


@pytest.mark.parametrize("state,cgroup_pids,full_scan", [
    ("active", "700\n701\n", False),     # both in the unit's cgroup: no scan of every process
    ("active", "700\n", True),           # ampscansvc elsewhere: every process is looked at
    ("active", None, True),              # no cgroup file to read: every process
    ("inactive", "700\n701\n", False),   # not running: nothing needs the processes
])
def test_processes_from_the_units_cgroup(host, monkeypatch, state, cgroup_pids, full_scan):
    runner = systemd_host(host, state, cgroup_pids)
    scans = []
    real = procs.snapshot
    monkeypatch.setattr(procs, "snapshot", lambda *a, **kw: scans.append(a) or real(*a, **kw))
    result = collect.collect({"cache_path": None}, root=host, runner=runner)
    assert bool(scans) is full_scan
    assert result["service"]["source"] == "systemd"
    if state == "active":
        assert result["service"]["state"] == "running" and active(result) == {}
        assert "connector running without its ampscansvc process" not in result["faults"]["7"]["evidence"]
    else:
        assert result["service"]["state"] == "stopped"
