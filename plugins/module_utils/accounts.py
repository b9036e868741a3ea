# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does the scan service's user and group exist (fault 5)?

Each answer is True, False or None (unknown: the account database could not be read or did not
answer in time). Only False is evidence of a missing account.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import grp
import os
import pwd

# The low-level module: ``threading`` imports functools and collections, a cost of milliseconds
# for every fact run; one lookup thread needs only a lock and a start.
import _thread

from ansible_collections.secure_endpoint.linux.plugins.module_utils import host_files

SCAN_ACCOUNT = "cisco-amp-scan-svc"
MAX_BYTES = 16 * 1024 * 1024
NSS_TIMEOUT = 5.0
# The files glibc's NSS "files" backend opens: a FIFO there would block getpwnam() forever.
NSS_FILES = ("/etc/passwd", "/etc/group")


def _names_in(data, name):
    """Entries named ``name`` in passwd/group style bytes -> list of split fields."""
    found = []
    needle = name.encode("utf-8", "replace") + b":"
    for line in data.split(b"\n"):
        if line.startswith(needle):
            found.append(line.decode("utf-8", "replace").split(":"))
    return found


def _nss(name, timeout):
    """getpwnam/getgrnam in a daemon thread: a name service that does not answer (LDAP, sssd
    without its server) costs at most ``timeout`` seconds, and the thread dies with the module."""
    answer = {}

    def ask():
        try:
            try:
                entry = pwd.getpwnam(name)
                user = (True, entry.pw_uid, entry.pw_gid)
            except KeyError:
                user = (False, None, None)
            try:
                group = (True, grp.getgrnam(name).gr_gid)
            except KeyError:
                group = (False, None)
            answer.update(user=user, group=group)
        except Exception as exc:  # pylint: disable=broad-except
            # A broken NSS module: the accounts are unknown, not missing.
            answer["error"] = "the name service failed: %s" % exc

    done = _thread.allocate_lock()
    done.acquire()

    def run():
        try:
            ask()
        finally:
            done.release()

    # Not joined at exit (as a daemon thread): a lookup that hangs dies with the process.
    _thread.start_new_thread(run, ())
    done.acquire(True, timeout)
    return dict(answer)


def lookup(name=SCAN_ACCOUNT, etc_dir=None, nss_timeout=NSS_TIMEOUT, root="/"):
    """``{name, user, group, uid, gid, user_gid, error}``; ``user``/``group`` are None when unknown.

    With ``etc_dir`` None the system's name service is asked (NSS: files, sssd, LDAP ...), as
    the connector would, after checking that the files it reads (under ``root``) are regular
    files. With ``etc_dir`` the ``passwd`` and ``group`` files there are read (tests and
    offline roots), through the bounded reader.
    """
    result = {"name": name, "user": None, "group": None, "uid": None, "gid": None,
              "user_gid": None, "error": None}
    if etc_dir is None:
        for path in NSS_FILES:
            try:
                fd = host_files.open_regular(host_files.under_root(root, path))[0]
                os.close(fd)
            except OSError as exc:
                if getattr(exc, "errno", None) != 2:
                    result["error"] = "cannot read %s: %s (accounts not looked up)" % (path, host_files.reason(exc))
                    return result
        answer = _nss(name, nss_timeout)
        if "group" not in answer:
            result["error"] = answer.get("error") or (
                "the name service did not answer within %ss (accounts unknown)" % nss_timeout)
            return result
        result["user"], result["uid"], result["user_gid"] = answer["user"]
        result["group"], result["gid"] = answer["group"]
        return result
    problems = []
    for key, filename in (("user", "passwd"), ("group", "group")):
        path = etc_dir.rstrip("/") + "/" + filename
        outcome = host_files.read_file(path, MAX_BYTES)
        if outcome["error"]:
            problems.append(host_files.describe(path, outcome))
            continue
        entries = _names_in(outcome["data"] or b"", name)  # a missing file has no entries
        result[key] = bool(entries)
        if entries and key == "user":
            fields = entries[0]  # getpwnam returns the first match
            result["uid"] = _int(fields, 2)
            result["user_gid"] = _int(fields, 3)
        elif entries:
            result["gid"] = _int(entries[0], 2)
    if problems:
        result["error"] = "cannot read accounts: %s" % "; ".join(problems)
    return result


def _int(fields, index):
    try:
        return int(fields[index])
    except (IndexError, ValueError):
        return None
