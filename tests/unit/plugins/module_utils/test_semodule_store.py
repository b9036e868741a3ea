# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import semodule_store

# semodule --list-modules=full --checksum on the test bed (policycoreutils 3.4), trimmed.
LISTING = """400 Cisco-Secure-BPF pp disabled sha256:250105b821a5b4799c50618da8a81d54ddba06828a478d88639916f265dffe91
400 rhel-compat      pp          sha256:2a86536fad8d6d8593bc5399c18b6fa377ab26eb48d3d6c53010e2a68b4a1069
100 accountsd        pp          sha256:cac955e7cd4bccaa225f6c119e8e9a222df0cdbb3e1266ab32d3fbdb6f562344
100 amtu             pp disabled sha256:0000000000000000000000000000000000000000000000000000000000000000
"""
OURS = "sha256:250105b821a5b4799c50618da8a81d54ddba06828a478d88639916f265dffe91"


def test_parse_list_with_and_without_checksums():
    rows = semodule_store.parse_list(LISTING)
    assert rows[0] == {"priority": 400, "name": "Cisco-Secure-BPF", "kind": "pp", "enabled": False, "checksum": OURS}
    assert rows[1]["enabled"] and rows[3]["enabled"] is False
    rows = semodule_store.parse_list("400 cisco-secure-bpf pp disabled\n100 base pp\n")
    assert rows[0]["checksum"] is None and not rows[0]["enabled"] and rows[1]["enabled"]


def test_the_installers_name_is_enabled_as_it_is_spelled():
    todo = semodule_store.plan(semodule_store.parse_list(LISTING), "cisco-secure-bpf", 400, OURS)
    assert todo["install"] is False and todo["replace"] is False and todo["enable"] == ["Cisco-Secure-BPF"]
    assert semodule_store.transaction(todo, "/w/x.pp", 400, False) == ["semodule", "-n", "-e", "Cisco-Secure-BPF"]


def test_missing_module_is_installed_and_a_present_one_left_alone():
    todo = semodule_store.plan(semodule_store.parse_list("100 base pp\n"), "cisco-secure-bpf", 400, OURS)
    assert todo["install"] and semodule_store.transaction(todo, "/w/cisco-secure-bpf.pp", 400, True) == [
        "semodule", "-X", "400", "-i", "/w/cisco-secure-bpf.pp"]
    rows = semodule_store.parse_list("400 cisco-secure-bpf pp %s\n" % OURS)
    todo = semodule_store.plan(rows, "cisco-secure-bpf", 400, OURS)
    assert not (todo["install"] or todo["replace"] or todo["enable"])
    assert semodule_store.transaction(todo, "/w/x.pp", 400, True) is None


def test_ours_with_other_content_is_replaced_never_the_installers():
    rows = semodule_store.parse_list("400 cisco-secure-bpf pp sha256:aaaa\n")
    assert semodule_store.plan(rows, "cisco-secure-bpf", 400, OURS)["replace"] is True
    rows = semodule_store.parse_list("400 cisco-secure-bpf pp\n")
    assert semodule_store.plan(rows, "cisco-secure-bpf", 400, OURS, "sha256:aaaa")["replace"] is True
    assert semodule_store.plan(rows, "cisco-secure-bpf", 400, OURS, OURS)["replace"] is False
    rows = semodule_store.parse_list("400 Cisco-Secure-BPF pp sha256:aaaa\n")
    assert semodule_store.plan(rows, "cisco-secure-bpf", 400, OURS)["replace"] is False
    # Without checksums there is nothing to compare: no replace.
    assert semodule_store.plan(rows, "Cisco-Secure-BPF", 400, None)["replace"] is False


def test_module_name():
    assert semodule_store.module_name("# x\nmodule cisco-secure-bpf 1.0;\nrequire {}") == "cisco-secure-bpf"
    assert semodule_store.module_name("policy_module(x, 1.0)") is None
