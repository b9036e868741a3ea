# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SELinux policy store as semodule sees it, and one transaction that brings a policy
module in: the local_semodule way (linux-system-roles/selinux), with a real check mode.

- The store's names are exact: the connector's installer writes ``Cisco-Secure-BPF``, the docs
  ``cisco-secure-bpf``. Modules are matched case-insensitively, and every command uses the exact
  name found (``semodule -e Cisco-Secure-BPF``), never the configured spelling.
- Idempotent by content: the store keeps a module's CIL form; ``semodule -X P --cil -E NAME``
  extracts it and the same CIL of our module comes from the ``pp`` high-level-language converter
  (``/usr/libexec/selinux/hll/pp``) on the package we build: equal sha256, nothing to install.
  (``semodule -l full -m`` would print every checksum, but it compiles and caches the CIL of every
  disabled module to do so: it writes into the store, which a check run must never do.)
- Before a module is replaced, the one in the store is extracted (``semodule -E``) to a backup
  directory; one ``semodule`` call then installs and enables (one commit, one policy rebuild).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import os
import re

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd

PP_TO_CIL = ("/usr/libexec/selinux/hll/pp", "/usr/lib/selinux/hll/pp")
MODULE_LINE = re.compile(r"^\s*module\s+([A-Za-z0-9_.-]+)\s+[0-9][0-9A-Za-z.]*\s*;", re.M)


class SemoduleError(Exception):
    pass


def parse_list(text):
    """Rows of ``semodule --list-modules=full [--checksum]``:
    ``[{priority, name, kind, enabled, checksum}]`` (checksum None without -m; this module
    never asks for it, see above)."""
    rows = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 3 or not fields[0].isdigit():
            continue
        checksum = next((f for f in fields[3:] if f.startswith("sha256:")), None)
        rows.append({"priority": int(fields[0]), "name": fields[1], "kind": fields[2],
                     "enabled": "disabled" not in fields[3:], "checksum": checksum})
    return rows


def matches(rows, name):
    return [r for r in rows if r["name"].lower() == name.lower()]


def module_name(content):
    found = MODULE_LINE.search(content or "")
    return found.group(1) if found else None


def _check(result, what):
    if result.get("error"):
        raise SemoduleError("%s: %s" % (what, result["error"]))
    if result.get("timed_out"):
        raise SemoduleError("%s did not finish within its time limit" % what)
    if result.get("rc") != 0:
        tail = bounded_cmd.decode(result.get("out") or b"")[-800:]
        raise SemoduleError("%s failed (rc %s): %s" % (what, result.get("rc"), tail))


def list_store(run, timeout):
    """The store's rows (read only)."""
    result = run(["semodule", "--list-modules=full"], timeout)
    _check(result, "semodule --list-modules=full")
    return parse_list(bounded_cmd.decode(result["out"]))


def installed_checksum(run, name, priority, workdir, timeout):
    """``sha256:<hex>`` of the CIL the store keeps for ``name`` at ``priority``, or None when it
    cannot be extracted (no CIL extraction in this semodule)."""
    result = run(["semodule", "-X", str(priority), "--cil", "-E", name], timeout, cwd=workdir)
    path = os.path.join(workdir, name + ".cil")
    if result.get("rc") != 0 or not os.path.isfile(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def build(workdir, name, content, run, timeout):
    """Compile ``content`` (a .te) into ``<workdir>/<name>.pp``; checkmodule wants the file named
    after the module."""
    te = os.path.join(workdir, name + ".te")
    with open(te, "w") as handle:
        handle.write(content)
    mod = os.path.join(workdir, name + ".mod")
    pp = os.path.join(workdir, name + ".pp")
    _check(run(["checkmodule", "-M", "-m", "-o", mod, te], timeout), "checkmodule")
    _check(run(["semodule_package", "-o", pp, "-m", mod], timeout), "semodule_package")
    return pp


def converter(exists=os.path.exists):
    return next((p for p in PP_TO_CIL if exists(p)), None)


def cil_checksum(pp, run, timeout, tool):
    """``sha256:<hex>`` of the CIL the store would keep for ``pp`` (what ``semodule -m`` prints)."""
    if not tool:
        return None
    result = run(["sh", "-c", 'exec "$0" < "$1"', tool, pp], timeout)
    if result.get("rc") != 0 or result.get("truncated") or result.get("timed_out"):
        return None
    return "sha256:" + hashlib.sha256(result["out"]).hexdigest()


def plan(rows, name, priority, ours, theirs=None):
    """What the store needs for module ``name``: ``{install, replace, enable: [exact names], found}``.

    - no module of that name (any case) at all: install ours;
    - every exact name found disabled: enable it (the installer's module is never replaced);
    - our exact name at our priority with another checksum (``theirs``, or the row's) than ours:
      replace it (backup first).
    """
    found = matches(rows, name)
    todo = {"install": False, "replace": False, "enable": [], "found": found}
    if not found:
        todo["install"] = True
        return todo
    for row in found:
        if not row["enabled"] and row["name"] not in todo["enable"]:
            todo["enable"].append(row["name"])
    mine = [r for r in found if r["name"] == name and r["priority"] == priority]
    current = theirs or (mine[0]["checksum"] if mine else None)
    if mine and ours and current and current != ours:
        todo["replace"] = True
    return todo


def transaction(todo, pp, priority, reload):
    """One semodule call: install (or replace) and enable, one commit."""
    argv = ["semodule"] + ([] if reload else ["-n"])
    if todo["install"] or todo["replace"]:
        argv += ["-X", str(priority), "-i", pp]
    for name in todo["enable"]:
        argv += ["-e", name]
    return argv if len(argv) > (1 if reload else 2) else None


def backup(run, name, priority, directory, timeout):
    """``semodule -X P -E name`` into ``directory`` (created 0700 by the caller)."""
    _check(run(["semodule", "-X", str(priority), "-E", name], timeout, cwd=directory),
           "semodule -E %s (backup before the replace)" % name)
    return [os.path.join(directory, n) for n in sorted(os.listdir(directory))]
