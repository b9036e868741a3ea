# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import pkg_db

# apt-cache madison and apt-cache policy as printed on the test bed (stand-in 1.24.3 installed, 1.24.4 offered).
MADISON = (" ciscoampconnector |     1.24.4 | file:/srv/se-repo/apt ./ Packages\n"
           " ciscoampconnector |     1.24.3 | file:/srv/se-repo/apt ./ Packages\n"
           " ciscoampconnector-doc |  1.0 | file:/srv/se-repo/apt ./ Packages\n")


def test_parse_dpkg_query():
    assert pkg_db.parse_dpkg_query("ii \t1.24.3\tall\n") == {"version": "1.24.3", "arch": "all", "status": "ii"}
    assert pkg_db.parse_dpkg_query("iF \t1:2.0-1\tamd64\n")["version"] == "1:2.0-1"
    assert pkg_db.parse_dpkg_query("un \t\t\n") is None
    assert pkg_db.parse_dpkg_query("rc \t1.0\tall\n") is None
    assert pkg_db.parse_dpkg_query("") is None


def test_parse_rpm_query():
    found = pkg_db.parse_rpm_query("ciscoampconnector\t(none)\t1.24.3\t1\tnoarch\n")
    assert found == [{"name": "ciscoampconnector", "epoch": "0", "version": "1.24.3-1", "arch": "noarch",
                      "evr": "0:1.24.3-1"}]
    assert pkg_db.parse_rpm_query("package x is not installed\n") == []


def test_parse_madison_only_this_package():
    assert pkg_db.parse_madison(MADISON, "ciscoampconnector") == ["1.24.4", "1.24.3"]
    assert pkg_db.parse_madison(" x | 1.0 | /var/lib/dpkg/status\n", "x") == []


def test_parse_repoquery_leaves_out_the_installed():
    text = "0:1.24.3-1.noarch\tse-local\n0:1.24.4-1.noarch\tse-local\n0:1.24.2-1.noarch\t@System\nLast metadata\n"
    assert pkg_db.parse_repoquery(text) == ["0:1.24.3-1.noarch", "0:1.24.4-1.noarch"]


@pytest.mark.parametrize("a,b,want", [
    ("1.0", "1.0", 0), ("1.0", "2.0", -1), ("2.0", "1.0", 1), ("2.0.1", "2.0", 1), ("2.0", "2.0.1", -1),
    ("2.0.1a", "2.0.1", 1), ("2.0.1", "2.0.1a", -1), ("5.5p1", "5.5p2", -1), ("5.5p10", "5.5p1", 1),
    ("10xyz", "10.1xyz", -1), ("xyz10", "xyz10.1", -1), ("xyz.4", "8", -1), ("8", "xyz.4", 1),
    ("1.0~rc1", "1.0", -1), ("1.0~rc1", "1.0~rc2", -1), ("1.0~rc1~git123", "1.0~rc1", -1),
    ("1.0^", "1.0", 1), ("1.0^git1", "1.0^git2", -1), ("1.0^git1", "1.01", -1), ("1.0~rc1^git1", "1.0~rc1", 1),
    ("1b.fc17", "1.fc17", -1), ("1.fc17", "1b.fc17", 1), ("1g.fc17", "1.fc17", 1), ("010", "10", 0),
    ("1.24.10", "1.24.9", 1),
])
def test_rpmvercmp(a, b, want):
    assert pkg_db.rpmvercmp(a, b) == want


def test_evr_compare():
    assert pkg_db.evr_compare("0:1.24.4-1", "0:1.24.3-1") == 1
    assert pkg_db.evr_compare("1:1.0-1", "0:9.0-1") == 1
    assert pkg_db.evr_compare("1.0-1", "0:1.0-1") == 0
    assert pkg_db.evr_compare("0:1.0-2", "0:1.0-10") == -1


def test_reinstall_argv_is_pinned():
    deb = {"version": "1.24.3", "pin": "ciscoampconnector=1.24.3"}
    argv = pkg_db.reinstall_argv("apt", "ciscoampconnector", deb, 120)
    assert argv[:4] == ["apt-get", "install", "--reinstall", "-y"] and argv[-1] == "ciscoampconnector=1.24.3"
    assert "DPkg::Lock::Timeout=120" in argv
    rpm = {"pin": "ciscoampconnector-1.24.3-1.noarch"}
    assert pkg_db.reinstall_argv("dnf", "ciscoampconnector", rpm) == ["dnf", "-y", "reinstall",
                                                                      "ciscoampconnector-1.24.3-1.noarch"]
    assert pkg_db.upgrade_argv("dnf", "ciscoampconnector") == ["dnf", "-y", "upgrade", "ciscoampconnector"]


def test_installed_pins_with_epoch():
    def run(argv, timeout):
        return {"rc": 0, "out": b"foo\t2\t1.0\t3.el9\tx86_64\n", "error": None, "timed_out": False}
    assert pkg_db.installed("dnf", "foo", run)["pin"] == "foo-2:1.0-3.el9.x86_64"

    def several(argv, timeout):
        return {"rc": 0, "out": b"foo\t(none)\t1.0\t1\tx86_64\nfoo\t(none)\t1.0\t1\ti686\n", "error": None,
                "timed_out": False}
    with pytest.raises(pkg_db.PackageError) as err:
        pkg_db.installed("dnf", "foo", several)
    assert "several versions" in str(err.value)
