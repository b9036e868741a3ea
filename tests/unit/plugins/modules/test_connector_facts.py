# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's whole logic against a fake root: one injected fault at a time must give
exactly that fault, with its cause, and nothing else."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib
import json
import os
import shutil
import time

import pytest

from ansible.module_utils import basic
from ansible_collections.secure_endpoint.linux.plugins.module_utils import collect, cvd, secure_boot
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


def facts(root, **options):
    options.setdefault("cache_path", None)
    return collect.collect(options, root=root)


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
    assert sorted(doc["options"]) == sorted(connector_facts.argument_spec())
    for name, spec in connector_facts.argument_spec().items():
        assert doc["options"][name].get("default") == spec.get("default") or (
            name == "ampcli_timeout" and doc["options"][name]["default"] == 10)
    returned = yaml.safe_load(connector_facts.RETURN)["ansible_facts"]["contains"]["secure_endpoint"]["contains"]
    sample = collect.collect({"cache_path": None}, root="/nonexistent-root")
    assert sorted(returned) == sorted(sample)
    yaml.safe_load(connector_facts.EXAMPLES)
