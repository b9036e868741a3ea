# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""package_reinstall and package_lock against a fake package system (apt and dnf)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd, pkg_db, pkg_lock
from ansible_collections.secure_endpoint.linux.plugins.modules import package_lock, package_reinstall


def _result(rc, text=""):
    return {"rc": rc, "out": text.encode(), "timed_out": False, "truncated": False, "error": None}


class FakePackages(object):
    """dpkg/apt or rpm/dnf with one package installed and some versions in the repositories."""

    def __init__(self, manager, installed="1.24.3", offered=("1.24.3", "1.24.4"), files=None, fail_install=False):
        self.manager = manager
        self.installed = installed
        self.offered = list(offered)
        self.files = files or {}
        self.fail_install = fail_install
        self.calls = []

    def rpm_evr(self, version):
        return "0:%s-1" % version

    def __call__(self, argv, timeout, **kwargs):
        self.calls.append(list(argv))
        tool = argv[0]
        if tool == "dpkg-query":
            if self.manager != "apt" or not self.installed:
                return _result(1, "dpkg-query: no packages found matching %s\n" % argv[-1])
            return _result(0, "ii \t%s\tall\n" % self.installed)
        if tool == "rpm" and argv[1] == "--eval":
            return _result(0, "/var/lib/rpm\n")
        if tool == "rpm" and argv[1:3] == ["-q", "-p"]:
            version = self.files[argv[-1]]
            return _result(0, "ciscoampconnector\t(none)\t%s\t1\tnoarch\n" % version)
        if tool == "rpm":
            if self.manager != "dnf" or not self.installed:
                return _result(1, "package %s is not installed\n" % argv[-1])
            return _result(0, "ciscoampconnector\t(none)\t%s\t1\tnoarch\n" % self.installed)
        if tool == "apt-cache":
            return _result(0, "".join(" ciscoampconnector | %s | file:/srv/se-repo/apt ./ Packages\n" % v
                                      for v in self.offered))
        if tool == "dpkg-deb":
            return _result(0, "Package: ciscoampconnector\nVersion: %s\nArchitecture: all\n" % self.files[argv[2]])
        if tool == "dpkg" and argv[1] == "--compare-versions":
            a, op, b = argv[2:5]
            cmp = pkg_db.rpmvercmp(a, b)
            return _result(0 if (op == "lt" and cmp < 0) or (op == "gt" and cmp > 0) else 1)
        if argv[:2] == ["dnf", "-q"] and argv[2] == "repoquery":
            return _result(0, "".join("0:%s-1.noarch\tse-local\n" % v for v in self.offered))
        if argv[:2] == ["apt-get", "update"]:
            return _result(0, "Reading package lists...\n")
        if tool in ("apt-get", "dnf"):
            if self.fail_install:
                return _result(100, "E: Sub-process /usr/bin/dpkg returned an error code (1)\n")
            target = argv[-1]
            if "=" in target:
                self.installed = target.split("=", 1)[1]
            elif target.startswith("ciscoampconnector-"):
                self.installed = target[len("ciscoampconnector-"):].rsplit("-", 1)[0]
            elif target in self.files:
                self.installed = self.files[target]
            elif target == "ciscoampconnector":
                self.installed = sorted(self.offered, key=lambda v: [int(x) for x in v.split(".")])[-1]
            return _result(0, "Setting up ciscoampconnector ...\n")
        raise AssertionError("unexpected command %r" % (argv,))

    def changes(self):
        return [c for c in self.calls if c[0] in ("apt-get", "dnf") and "repoquery" not in c and "update" not in c]


@pytest.fixture
def fake(monkeypatch, request):
    def install(manager, **kw):
        packages = FakePackages(manager, **kw)
        monkeypatch.setattr(bounded_cmd, "run", packages)
        monkeypatch.setattr(bounded_cmd, "run_to_end", lambda argv, timeout, **k: packages(argv, timeout))
        monkeypatch.setattr(pkg_lock, "holders", lambda *a, **k: [])
        monkeypatch.setattr(AnsibleModule, "get_bin_path",
                            lambda self, name, *a, **k: "/usr/bin/" + name
                            if name in (("dpkg-query",) if manager == "apt" else ("rpm", "dnf")) else None)
        return packages
    return install


@pytest.mark.parametrize("manager,pin", [("apt", "ciscoampconnector=1.24.3"),
                                         ("dnf", "ciscoampconnector-1.24.3-1.noarch")])
def test_reinstall_is_pinned_although_a_newer_version_is_offered(run_module, fake, manager, pin):
    packages = fake(manager)
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector"}, diff=True)
    assert code == 0 and out["changed"] and not out["upgraded"]
    assert packages.changes()[-1][-1] == pin
    assert packages.installed == "1.24.3" and out["version"] == out["version_before"]
    assert "(reinstalled)" in out["diff"]["after"]


@pytest.mark.parametrize("manager", ["apt", "dnf"])
def test_version_in_no_repository_fails_clearly_and_changes_nothing(run_module, fake, manager):
    packages = fake(manager, offered=("1.24.4",))
    for check_mode in (True, False):
        code, out = run_module(package_reinstall, {"name": "ciscoampconnector"}, check_mode=check_mode)
        assert code == 1 and "no configured repository offers that version" in out["msg"]
        assert "offered: " in out["msg"] and "1.24.4" in out["msg"]
    assert packages.changes() == [] and packages.installed == "1.24.3"


@pytest.mark.parametrize("manager", ["apt", "dnf"])
def test_upgrade_only_on_opt_in(run_module, fake, manager):
    packages = fake(manager, offered=("1.24.4",))
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector", "allow_upgrade": True})
    assert code == 0 and out["upgraded"] and packages.installed == "1.24.4"


def test_check_mode_runs_no_package_command(run_module, fake):
    packages = fake("apt")
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector", "update_cache": True}, check_mode=True)
    assert code == 0 and out["changed"] and out["argv"][-1] == "ciscoampconnector=1.24.3"
    assert packages.changes() == [] and ["apt-get", "update"] not in [c[:2] for c in packages.calls]


def test_not_installed(run_module, fake):
    fake("apt", installed=None)
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector"})
    assert code == 1 and "is not installed" in out["msg"]


def test_package_file_same_newer_older(run_module, fake):
    files = {"/srv/same.deb": "1.24.3", "/srv/newer.deb": "1.24.4", "/srv/older.deb": "1.24.2"}
    packages = fake("apt", files=files)
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector", "package_file": "/srv/same.deb"})
    assert code == 0 and packages.changes()[-1][-1] == "/srv/same.deb" and "--reinstall" in packages.changes()[-1]
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector", "package_file": "/srv/newer.deb"})
    assert code == 1 and "that is an upgrade" in out["msg"]
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector", "package_file": "/srv/older.deb"})
    assert code == 1 and "downgrade is never done" in out["msg"]
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector", "package_file": "/srv/newer.deb",
                                               "allow_upgrade": True})
    assert code == 0 and out["upgraded"] and packages.installed == "1.24.4"


def test_failed_install_reports_the_output(run_module, fake):
    fake("dnf", fail_install=True)
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector"})
    assert code == 1 and "dnf -y reinstall ciscoampconnector-1.24.3-1.noarch failed (rc 100)" in out["msg"]


def test_a_held_lock_is_waited_for_then_named(run_module, fake, monkeypatch):
    packages = fake("apt")
    holder = [{"path": "/var/lib/dpkg/lock-frontend", "pid": 4242, "process": "apt-get: apt-get upgrade"}]
    monkeypatch.setattr(pkg_lock, "holders", lambda *a, **k: holder)
    code, out = run_module(package_reinstall, {"name": "ciscoampconnector", "lock_timeout": 0})
    assert code == 1 and "pid 4242 (apt-get: apt-get upgrade)" in out["msg"] and packages.changes() == []
    code, out = run_module(package_lock, {"manager": "apt", "timeout": 0})
    assert code == 1 and "is held by pid 4242" in out["msg"]
    code, out = run_module(package_lock, {"manager": "apt"}, check_mode=True)
    assert code == 0 and out["holders"] == holder


def test_package_lock_free(run_module, fake):
    fake("dnf")
    code, out = run_module(package_lock, {"manager": "dnf", "timeout": 5})
    assert code == 0 and out["holders"] == [] and not out["changed"]
