# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import grp
import os
import pwd
import threading
import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import accounts


def test_files(tmp_path):
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n"
                                     "cisco-amp-scan-svc:x:996:994::/nonexistent:/usr/sbin/nologin\n")
    (tmp_path / "group").write_text("root:x:0:\ncisco-amp-scan-svc:x:994:\n")
    result = accounts.lookup(etc_dir=str(tmp_path))
    assert result["user"] and result["group"]
    assert (result["uid"], result["gid"], result["user_gid"]) == (996, 994, 994)


def test_files_user_without_group(tmp_path):
    (tmp_path / "passwd").write_text("cisco-amp-scan-svc:x:996:994::/:/sbin/nologin\n")
    (tmp_path / "group").write_text("cisco-amp-scan-svcx:x:994:\n")
    result = accounts.lookup(etc_dir=str(tmp_path))
    assert result["user"] and not result["group"]


def test_missing_files_have_no_accounts(tmp_path):
    # glibc's files backend finds nobody when /etc/passwd is missing: not an error.
    result = accounts.lookup(etc_dir=str(tmp_path / "missing"))
    assert result["user"] is False and result["group"] is False and result["error"] is None


def test_fifo_is_unknown_never_missing(tmp_path):
    os.mkfifo(str(tmp_path / "passwd"))
    (tmp_path / "group").write_text("cisco-amp-scan-svc:x:994:\n")
    result = accounts.lookup(etc_dir=str(tmp_path))
    assert result["user"] is None and result["group"] is True
    assert result["error"] == "cannot read accounts: cannot read %s/passwd: FIFO, not a regular file" % tmp_path


def test_name_service_checks_its_files_first(tmp_path):
    (tmp_path / "etc").mkdir()
    os.mkfifo(str(tmp_path / "etc" / "group"))
    result = accounts.lookup(root=str(tmp_path))
    assert result["user"] is None and result["group"] is None
    assert result["error"] == "cannot read /etc/group: FIFO, not a regular file (accounts not looked up)"


def test_name_service_that_does_not_answer_is_bounded(monkeypatch):
    release = threading.Event()

    def hanging(name):
        release.wait(10)
        raise KeyError(name)

    monkeypatch.setattr(accounts.pwd, "getpwnam", hanging)
    start = time.monotonic()
    try:
        result = accounts.lookup("anyone", nss_timeout=0.2)
    finally:
        release.set()
    assert time.monotonic() - start < 5
    assert result["user"] is None and "did not answer within 0.2s" in result["error"]


def test_name_service_failure_is_unknown(monkeypatch):
    def broken(name):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(accounts.pwd, "getpwnam", broken)
    result = accounts.lookup("anyone")
    assert result["user"] is None and result["error"].startswith("the name service failed")


def test_system_lookup():
    root_user = pwd.getpwuid(0).pw_name
    root_group = grp.getgrgid(0).gr_name
    result = accounts.lookup(root_user)
    assert result["user"] and result["uid"] == 0
    assert result["group"] == (root_user == root_group)
    assert not accounts.lookup("no-such-user-se-test")["user"]
