# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import grp
import pwd

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


def test_files_unreadable(tmp_path):
    result = accounts.lookup(etc_dir=str(tmp_path / "missing"))
    assert not result["user"] and result["error"]


def test_system_lookup():
    root_user = pwd.getpwuid(0).pw_name
    root_group = grp.getgrgid(0).gr_name
    result = accounts.lookup(root_user)
    assert result["user"] and result["uid"] == 0
    assert result["group"] == (root_user == root_group)
    assert not accounts.lookup("no-such-user-se-test")["user"]
