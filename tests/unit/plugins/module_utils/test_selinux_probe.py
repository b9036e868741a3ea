# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import selinux_probe

CONFIG = """# This file controls the state of SELinux on the system.
# SELINUX= can take one of these three values:
#     enforcing - SELinux security policy is enforced.
SELINUX=%s
# SELINUXTYPE= can take one of these three values:
SELINUXTYPE=targeted
"""


def make(root, path, content=None):
    full = os.path.join(str(root), path.lstrip("/"))
    if content is None:
        os.makedirs(full)
    else:
        if not os.path.isdir(os.path.dirname(full)):
            os.makedirs(os.path.dirname(full))
        with open(full, "wb") as handle:
            handle.write(content if isinstance(content, bytes) else content.encode())
    return full


def test_mode_from_kernel_wins(tmp_path):
    make(tmp_path, "/etc/selinux/config", CONFIG % "permissive")
    make(tmp_path, "/sys/fs/selinux/enforce", "1")
    assert selinux_probe.current_mode(str(tmp_path)) == ("enforcing", "kernel")
    make(tmp_path, "/sys/fs/selinux/enforce", "0")
    assert selinux_probe.current_mode(str(tmp_path)) == ("permissive", "kernel")


def test_mode_from_config(tmp_path):
    assert selinux_probe.current_mode(str(tmp_path)) == ("disabled", "none")
    make(tmp_path, "/etc/selinux/config", CONFIG % "Enforcing")
    assert selinux_probe.current_mode(str(tmp_path)) == ("enforcing", "config")


@pytest.mark.parametrize("store", ["/var/lib/selinux", "/etc/selinux"])
@pytest.mark.parametrize("name", ["cisco-secure-bpf", "Cisco-Secure-BPF"])
def test_module_present_any_case_and_store(tmp_path, store, name):
    make(tmp_path, "%s/targeted/active/modules/400/%s" % (store, name))
    make(tmp_path, "%s/targeted/active/modules/100/base" % store)
    state = selinux_probe.module_state("targeted", root=str(tmp_path))
    assert state["present"] and state["enabled"]
    assert state["paths"] == ["%s/targeted/active/modules/400/%s" % (store, name)]


def test_module_disabled_marker(tmp_path):
    make(tmp_path, "/var/lib/selinux/targeted/active/modules/400/Cisco-Secure-BPF")
    make(tmp_path, "/var/lib/selinux/targeted/active/modules/disabled/Cisco-Secure-BPF", "")
    state = selinux_probe.module_state("targeted", root=str(tmp_path))
    assert state["present"] and not state["enabled"] and state["disabled_marker"]
    assert state["modules"] == [{"name": "Cisco-Secure-BPF", "priority": 400, "enabled": False,
                                 "path": "/var/lib/selinux/targeted/active/modules/400/Cisco-Secure-BPF"}]


def test_every_store_entry_with_its_exact_name_priority_and_state(tmp_path):
    # libsemanage keeps one disabled marker per exact module name.
    make(tmp_path, "/var/lib/selinux/targeted/active/modules/400/Cisco-Secure-BPF")
    make(tmp_path, "/var/lib/selinux/targeted/active/modules/200/cisco-secure-bpf")
    make(tmp_path, "/var/lib/selinux/targeted/active/modules/100/cisco-secure-bpfx")
    make(tmp_path, "/var/lib/selinux/targeted/active/modules/disabled/cisco-secure-bpf", "")
    state = selinux_probe.module_state("targeted", root=str(tmp_path))
    assert [(m["name"], m["priority"], m["enabled"]) for m in state["modules"]] == [
        ("Cisco-Secure-BPF", 400, True), ("cisco-secure-bpf", 200, False)]
    assert state["present"] and state["enabled"] and state["disabled_marker"]
    probe = selinux_probe.probe(str(tmp_path), module_name="CISCO-secure-bpf")
    assert probe["modules"] == [{"name": "Cisco-Secure-BPF", "priority": 400, "enabled": True},
                                {"name": "cisco-secure-bpf", "priority": 200, "enabled": False}]


def test_policy_file_that_is_a_fifo_is_never_opened(tmp_path):
    make(tmp_path, "/etc/selinux/targeted/policy/")
    os.mkfifo(str(tmp_path / "etc/selinux/targeted/policy/policy.33"))
    assert selinux_probe.type_in_policy("unconfined_service_t", "targeted", str(tmp_path)) is None


def test_module_missing(tmp_path):
    make(tmp_path, "/var/lib/selinux/targeted/active/modules/100/base")
    state = selinux_probe.module_state("targeted", root=str(tmp_path))
    assert not state["present"] and not state["enabled"]


def test_type_in_binary_policy(tmp_path):
    assert selinux_probe.type_in_policy("unconfined_service_t", "targeted", str(tmp_path)) is None
    make(tmp_path, "/etc/selinux/targeted/policy/policy.31", b"\x8c\xff|\xf9 SE Linux\x00" + b"x" * 100)
    make(tmp_path, "/etc/selinux/targeted/policy/policy.33",
         b"\x8c\xff|\xf9\x14\x00\x00\x00unconfined_service_t\x00" + b"\x00" * 100)
    assert selinux_probe.type_in_policy("unconfined_service_t", "targeted", str(tmp_path)) is True
    assert selinux_probe.type_in_policy("unrestricted_service_t", "targeted", str(tmp_path)) is False


def test_missing_tools(tmp_path):
    make(tmp_path, "/usr/sbin/semodule", "")
    make(tmp_path, "/usr/bin/checkmodule", "")
    assert selinux_probe.missing_tools(str(tmp_path)) == ["semodule_package", "semanage"]


def test_probe_is_shallow_unless_enforcing(tmp_path):
    make(tmp_path, "/etc/selinux/config", CONFIG % "enforcing")
    shallow = selinux_probe.probe(str(tmp_path), deep=False)
    assert shallow["type_present"] is None and shallow["tools_missing"] is None
    deep = selinux_probe.probe(str(tmp_path), deep=True)
    assert deep["tools_missing"] == list(selinux_probe.TOOLS)
    assert deep["mode"] == "enforcing" and deep["policy_type"] == "targeted"
    assert deep["module_present"] is False


def test_probe_goes_deep_by_itself_when_enforcing(tmp_path):
    make(tmp_path, "/etc/selinux/config", CONFIG % "permissive")
    assert selinux_probe.probe(str(tmp_path))["tools_missing"] is None
    make(tmp_path, "/sys/fs/selinux/enforce", "1")
    assert selinux_probe.probe(str(tmp_path))["tools_missing"] == list(selinux_probe.TOOLS)
