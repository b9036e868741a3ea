# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does the scan service's user and group exist (fault 5)?"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import grp
import pwd

SCAN_ACCOUNT = "cisco-amp-scan-svc"
MAX_BYTES = 16 * 1024 * 1024


def _names_in(path, name):
    """Entries named ``name`` in a passwd/group style file -> list of split fields."""
    found = []
    with open(path, "rb") as handle:
        for line in handle.read(MAX_BYTES).decode("utf-8", "replace").splitlines():
            fields = line.split(":")
            if fields and fields[0] == name:
                found.append(fields)
    return found


def lookup(name=SCAN_ACCOUNT, etc_dir=None):
    """``{user, group, uid, gid, user_gid, error}``.

    With ``etc_dir`` None the system's name service is asked (NSS: files, sssd, LDAP ...), as
    the connector would. With ``etc_dir`` the ``passwd`` and ``group`` files there are read
    (tests and offline roots).
    """
    result = {"name": name, "user": False, "group": False, "uid": None, "gid": None,
              "user_gid": None, "error": None}
    if etc_dir is None:
        try:
            entry = pwd.getpwnam(name)
            result.update(user=True, uid=entry.pw_uid, user_gid=entry.pw_gid)
        except KeyError:
            pass
        try:
            result.update(group=True, gid=grp.getgrnam(name).gr_gid)
        except KeyError:
            pass
        return result
    try:
        users = _names_in(etc_dir.rstrip("/") + "/passwd", name)
        if users:
            fields = users[0]  # getpwnam returns the first match
            result["user"] = True
            result["uid"] = _int(fields, 2)
            result["user_gid"] = _int(fields, 3)
        groups = _names_in(etc_dir.rstrip("/") + "/group", name)
        if groups:
            result["group"] = True
            result["gid"] = _int(groups[0], 2)
    except IOError as exc:
        result["error"] = "cannot read accounts: %s" % exc
    return result


def _int(fields, index):
    try:
        return int(fields[index])
    except (IndexError, ValueError):
        return None
