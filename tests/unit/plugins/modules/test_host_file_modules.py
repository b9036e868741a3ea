# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""definitions_quarantine on a temporary tree and selinux_module against a fake policy store."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import json
import os

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd
from ansible_collections.secure_endpoint.linux.plugins.modules import definitions_quarantine, selinux_module

TE = """module cisco-secure-bpf 1.0;
require { type unconfined_service_t; class bpf { map_create map_read map_write prog_load prog_run }; }
allow unconfined_service_t self:bpf { map_create map_read map_write prog_load prog_run };
"""


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "amp"
    (root / "clamav").mkdir(parents=True)
    (root / "clamav" / "daily.cvd").write_bytes(b"corrupt" * 100)
    return {"root": str(root), "qdir": str(tmp_path / "state" / "quarantine"),
            "file": str(root / "clamav" / "daily.cvd")}


def _q(run_module, tree, **kw):
    return run_module(definitions_quarantine, {"files": [{"path": tree["file"], "reason": "bad MD5"}],
                                               "root": tree["root"], "quarantine_dir": tree["qdir"]}, **kw)


def test_quarantine_check_mode_then_real_then_idempotent(run_module, tree):
    code, out = _q(run_module, tree, check_mode=True, diff=True)
    assert code == 0 and out["changed"] and out["moved"][0]["path"] == tree["file"]
    assert out["diff"]["before"] == tree["file"] + "\n" and os.path.exists(tree["file"])
    assert not os.path.exists(tree["qdir"])
    code, out = _q(run_module, tree)
    assert code == 0 and out["changed"] and not os.path.exists(tree["file"])
    assert os.stat(tree["qdir"]).st_mode & 0o777 == 0o700
    with open(out["manifest"]) as handle:
        record = json.loads(handle.readline())
    assert record["sha256"] == hashlib.sha256(b"corrupt" * 100).hexdigest()
    assert open(record["quarantined_as"], "rb").read() == b"corrupt" * 100
    code, out = _q(run_module, tree)
    assert code == 0 and not out["changed"] and out["skipped"] == [{"path": tree["file"], "why": "gone"}]


def test_quarantine_refuses_a_link(run_module, tree, tmp_path):
    os.unlink(tree["file"])
    (tmp_path / "etc-shadow").write_text("secret")
    os.symlink(str(tmp_path / "etc-shadow"), tree["file"])
    code, out = _q(run_module, tree)
    assert code == 0 and not out["changed"] and "symbolic link" in out["skipped"][0]["why"]
    assert os.path.islink(tree["file"]) and (tmp_path / "etc-shadow").read_text() == "secret"


class FakeStore(object):
    """semodule, checkmodule, semodule_package and the pp-to-CIL converter over an in-memory store.
    Rows: ``{priority, name, enabled, cil (bytes)}``."""

    def __init__(self, rows=None, cil_extract=True):
        self.rows = rows or []
        self.cil_extract = cil_extract
        self.calls = []

    @staticmethod
    def _ok(text=b""):
        return {"rc": 0, "out": text, "timed_out": False, "truncated": False, "error": None}

    @staticmethod
    def cil(pp_bytes):
        return b"(cil of " + hashlib.sha256(pp_bytes).hexdigest().encode() + b")"

    def listing(self):
        return "".join("%d %s pp%s\n" % (r["priority"], r["name"], "" if r["enabled"] else " disabled")
                       for r in self.rows).encode()

    def __call__(self, argv, timeout, max_bytes=None, cwd=None, **kw):
        self.calls.append(list(argv))
        if argv[0] == "checkmodule":
            with open(argv[4], "w") as handle:
                handle.write("mod:" + open(argv[5]).read())
            return self._ok()
        if argv[0] == "semodule_package":
            with open(argv[2], "w") as handle:
                handle.write("pp:" + open(argv[4]).read())
            return self._ok()
        if argv[0] == "sh":
            return self._ok(self.cil(open(argv[4], "rb").read()))
        assert "--checksum" not in argv and "-m" not in argv, "a checksum listing writes into the store"
        if argv == ["semodule", "--list-modules=full"]:
            return self._ok(self.listing())
        assert argv[0] == "semodule"
        args = [a for a in argv[1:] if a != "-n"]
        if "-E" in args:
            name = args[-1]
            row = [r for r in self.rows if r["name"] == name and r["priority"] == int(args[1])][0]
            if "--cil" in args:
                if not self.cil_extract:
                    return {"rc": 1, "out": b"unrecognized option", "timed_out": False, "truncated": False,
                            "error": None}
                with open(os.path.join(cwd, name + ".cil"), "wb") as handle:
                    handle.write(row["cil"])
            else:
                with open(os.path.join(cwd, name + ".pp"), "w") as handle:
                    handle.write("old module")
            return self._ok()
        while args:
            if args[0] == "-X":
                args = args[2:]
            elif args[0] == "-i":
                pp = open(args[1], "rb").read()
                self.rows = [r for r in self.rows if not (r["name"] == "cisco-secure-bpf" and r["priority"] == 400)]
                self.rows.append({"priority": 400, "name": "cisco-secure-bpf", "enabled": True, "cil": self.cil(pp)})
                args = args[2:]
            elif args[0] == "-e":
                for row in self.rows:
                    if row["name"] == args[1]:
                        row["enabled"] = True
                args = args[2:]
            else:
                raise AssertionError(argv)
        return self._ok()

    def changes(self):
        return [c for c in self.calls if c[0] == "semodule" and "--list-modules=full" not in c and "--cil" not in c]


@pytest.fixture
def store(monkeypatch):
    def install(**kw):
        fake = FakeStore(**kw)
        monkeypatch.setattr(bounded_cmd, "run_to_end", fake)
        monkeypatch.setattr(AnsibleModule, "get_bin_path", lambda self, name, *a, **k: "/usr/sbin/" + name)
        monkeypatch.setattr("ansible_collections.secure_endpoint.linux.plugins.module_utils.semodule_store.converter",
                            lambda exists=None: "/usr/libexec/selinux/hll/pp")
        return fake
    return install


def _se(run_module, tmp_path, **kw):
    return run_module(selinux_module, {"content": TE, "reload": False, "backup_dir": str(tmp_path / "backups")}, **kw)


def test_missing_module_installed_once(run_module, store, tmp_path):
    fake = store(rows=[{"priority": 100, "name": "base", "enabled": True, "cil": b"base"}])
    code, out = _se(run_module, tmp_path, check_mode=True)
    assert code == 0 and out["changed"] and out["actions"] == ["install cisco-secure-bpf"] and fake.changes() == []
    code, out = _se(run_module, tmp_path)
    assert code == 0 and out["changed"] and out["modules"][0]["enabled"]
    assert len(fake.changes()) == 1 and fake.changes()[0][:4] == ["semodule", "-n", "-X", "400"]
    code, out = _se(run_module, tmp_path)
    assert code == 0 and not out["changed"] and len(fake.changes()) == 1


def test_the_installers_disabled_module_is_enabled_by_its_exact_name(run_module, store, tmp_path):
    fake = store(rows=[{"priority": 400, "name": "Cisco-Secure-BPF", "enabled": False, "cil": b"vendor"}])
    code, out = _se(run_module, tmp_path)
    assert code == 0 and out["actions"] == ["enable Cisco-Secure-BPF"]
    assert fake.changes() == [["semodule", "-n", "-e", "Cisco-Secure-BPF"]]
    code, out = _se(run_module, tmp_path)
    assert code == 0 and not out["changed"]


def test_our_module_with_other_content_is_backed_up_then_replaced(run_module, store, tmp_path):
    fake = store(rows=[{"priority": 400, "name": "cisco-secure-bpf", "enabled": True, "cil": b"(old rule)"}])
    code, out = _se(run_module, tmp_path, diff=True)
    assert code == 0 and out["actions"][0].startswith("replace cisco-secure-bpf (backup ")
    assert [c[-2] for c in fake.changes()] == ["-E", "-i"]
    assert out["backup"] and open(out["backup"][0]).read() == "old module"
    assert os.stat(os.path.dirname(out["backup"][0])).st_mode & 0o777 == 0o700
    assert fake.rows[0]["cil"] != b"(old rule)"
    code, out = _se(run_module, tmp_path)
    assert code == 0 and not out["changed"]


def test_old_semodule_without_cil_extraction_only_enables(run_module, store, tmp_path):
    fake = store(rows=[{"priority": 400, "name": "cisco-secure-bpf", "enabled": False, "cil": b"(old rule)"}],
                 cil_extract=False)
    code, out = _se(run_module, tmp_path)
    assert code == 0 and out["actions"] == ["enable cisco-secure-bpf"] and len(fake.changes()) == 1


def test_content_must_declare_the_name(run_module, store, tmp_path):
    store()
    code, out = run_module(selinux_module, {"content": TE, "name": "other"})
    assert code == 1 and "declares module 'cisco-secure-bpf'" in out["msg"]
