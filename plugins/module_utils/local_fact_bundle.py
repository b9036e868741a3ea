# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Install the connector facts as an Ansible local fact, crash-safe.

Two things go to the host:

- the **bundle**: ``local_fact.py`` and every collection module_utils it imports, as plain
  files under ``<lib_dir>/<bundle id>/ansible_collections/...``. The id is a digest of the
  files, so a new collection version is a new directory, written whole under a temporary name
  (``.tmp-<id>-<pid>``), flushed, then renamed into place; Python keeps the compiled form
  beside it (``__pycache__``), so a fact run compiles nothing after the first;
- the **fact script** ``<fact_path>/<name>.fact``: an executable that puts its bundle on
  ``sys.path`` and prints the facts, with the options written in it. It is replaced by a rename
  once its bundle is complete, so ``setup`` runs the old script with the old bundle or the new
  one with the new, never a mix.

Then the other bundles are removed. A run killed at any point leaves at worst an unused
directory: temporary ones whose process is gone and bundles no script uses are removed by the
next run (check mode says it would). A fact file or directory of someone else (no marker line,
a link, a FIFO) is never replaced or removed.

The script runs as root at every fact gathering and imports code from ``lib_dir``: the
directory and every one above it must belong to root (or to the installing user) and be
writable by nobody else (sticky directories excepted).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import ast
import errno
import hashlib
import importlib
import json
import os
import re
import shutil
import stat

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files, bounded_cmd

PACKAGE = "ansible_collections.secure_endpoint.linux.plugins.module_utils"
ENTRY = "local_fact"
MARKER = "# Managed by secure_endpoint.linux.connector_local_fact: do not edit, re-run the role to change it."
BUNDLE_NAME = re.compile(r"^[0-9a-f]{16}$")
TMP_NAME = re.compile(r"^\.tmp-[0-9a-f]{16}-(\d+)(-old)?$")
MAX_SCRIPT_BYTES = 1024 * 1024
MAX_SOURCE_BYTES = 1024 * 1024
MAX_OUTPUT_BYTES = 16 * 1024 * 1024


class BundleError(ValueError):
    """The bundle cannot be built or installed as asked (nothing was changed)."""


# --- which sources the fact needs --------------------------------------


def _imported(tree):
    """Names of the collection module_utils a source imports, and any other ``ansible`` import."""
    ours, foreign = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                raise BundleError("relative import 'from %s%s import ...' is not supported in the local fact"
                                  % ("." * node.level, module))
            if module == PACKAGE:
                ours.update(alias.name for alias in node.names)
            elif module.startswith(PACKAGE + "."):
                ours.add(module[len(PACKAGE) + 1:].split(".")[0])
            elif module == "ansible" or module.startswith(("ansible.", "ansible_collections.")):
                foreign.add(module)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    ours.add(alias.name[len(PACKAGE) + 1:].split(".")[0])
                elif alias.name == "ansible" or alias.name.startswith(("ansible.", "ansible_collections.")):
                    foreign.add(alias.name)
    return ours, foreign


def collect_sources(read, entry=ENTRY):
    """``{relative path: source text}`` of ``entry`` and every module_utils it imports, transitively.

    ``read(name)`` returns the bytes of module_utils ``name``. Raises BundleError when one of them
    imports Ansible (the fact runs without it) or cannot be read."""
    sources = {}
    todo = [entry]
    while todo:
        name = todo.pop()
        relative = "/".join(PACKAGE.split(".") + [name + ".py"])
        if relative in sources:
            continue
        try:
            data = read(name)
        except (IOError, OSError, ImportError) as exc:
            raise BundleError("module_utils %s, imported by the local fact, cannot be read: %s" % (name, exc))
        if len(data) > MAX_SOURCE_BYTES:
            raise BundleError("module_utils %s is larger than %d bytes" % (name, MAX_SOURCE_BYTES))
        text = data.decode("utf-8")
        ours, foreign = _imported(ast.parse(text, filename=name + ".py"))
        if foreign:
            raise BundleError("module_utils %s imports %s: the local fact runs without Ansible on the host"
                              % (name, ", ".join(sorted(foreign))))
        sources[relative] = text
        todo.extend(sorted(ours))
    return sources


def read_loaded(name):
    """The source of one of this collection's module_utils as Python found it: a plain file, or
    a member of the module's AnsiballZ zip (what the module runs, shipped with it)."""
    module = importlib.import_module("%s.%s" % (PACKAGE, name))
    return module.__loader__.get_data(module.__file__)


# --- on the host -------------------------------------------------------------------------


def bundle_id(files):
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name].encode("utf-8")
        digest.update(b"%d:%s\0%d:" % (len(name), name.encode("utf-8"), len(data)))
        digest.update(data)
    return digest.hexdigest()[:16]


def check_files(files):
    """Refuse relative paths that would leave the bundle directory."""
    if not files:
        raise BundleError("no source files given")
    if "/".join(PACKAGE.split(".") + [ENTRY + ".py"]) not in files:
        raise BundleError("the sources do not hold %s.%s" % (PACKAGE, ENTRY))
    for name in files:
        parts = name.split("/")
        if name.startswith("/") or any(p in ("", ".", "..") for p in parts) or not name.endswith(".py"):
            raise BundleError("bad source path in the bundle: %r" % name)


def script_text(python, bundle_dir, options_json):
    """The fact script. ``-S``: the bundle needs no site-packages; ``-E``: no PYTHON* variable of
    setup's environment changes what runs as root."""
    if not os.path.isabs(python) or any(c in python for c in " \t\n\r"):
        raise BundleError("python must be an absolute path without blanks (it is the script's #! line): %r" % python)
    return "\n".join([
        "#!%s -SE" % python,
        MARKER,
        "# Prints the Cisco Secure Endpoint connector facts for setup (ansible_local.secure_endpoint).",
        "import sys",
        "sys.path[0] = %r" % bundle_dir,
        "from ansible_collections.secure_endpoint.linux.plugins.module_utils import local_fact",
        "local_fact.run(%r)" % options_json,
        "",
    ])


def _read_text(path):
    try:
        found = atomic_files.read_regular(path, MAX_SCRIPT_BYTES)
    except atomic_files.FileKindError as exc:
        raise BundleError(str(exc))
    if found is None:
        return None, None
    return found[0].decode("utf-8", "replace"), found[1]


def _bundle_matches(bundle_dir, files):
    for name, text in files.items():
        try:
            found = atomic_files.read_regular(os.path.join(bundle_dir, name), MAX_SOURCE_BYTES)
        except (atomic_files.FileKindError, IOError, OSError):
            return False
        if found is None or found[0] != text.encode("utf-8"):
            return False
    return True


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _check_lib_dir(lib_dir):
    """lib_dir and every directory above it must belong to root (or to us) and be writable by
    nobody else (a sticky directory such as /tmp excepted: others cannot rename what is ours in
    it), since the fact runs as root what lib_dir holds: whoever may write or swap one of them
    could make root run their code at the next fact gathering."""
    path = lib_dir
    while True:
        info = atomic_files.stat_or_none(path)
        if info is not None:
            if not stat.S_ISDIR(info.st_mode):
                raise BundleError("%s is %s, not a directory: nothing installed"
                                  % (path, atomic_files.describe_kind(info.st_mode)))
            loose = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX
            if info.st_uid not in (0, os.geteuid()) or loose:
                raise BundleError("%s belongs to uid %d with mode %04o: the fact runs as root what %s holds, so it and "
                                  "every directory above it must belong to root and be writable by nobody else"
                                  % (path, info.st_uid, stat.S_IMODE(info.st_mode), lib_dir))
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent


def plan(lib_dir, fact_file, files=None, options_json=None, python=None, state="present", verify_timeout=120):
    """What an install (or removal) would do, without doing it. ``verify_timeout``: seconds the
    new script may take on its trial run before it replaces the old one."""
    before, info = _read_text(fact_file)
    if before is not None and MARKER not in before:
        raise BundleError("%s exists and was not written by this module: not touched (remove it, or choose another "
                          "fact name)" % fact_file)
    step = {"state": state, "lib_dir": lib_dir, "fact_file": fact_file, "fact_before": before,
            "verify_timeout": verify_timeout,
            "fact_mode_ok": info is not None and stat.S_IMODE(info.st_mode) == 0o755}
    _check_lib_dir(lib_dir)
    entries = []
    if os.path.isdir(lib_dir):
        entries = sorted(os.listdir(lib_dir))
    leftovers = []
    for entry in entries:
        match = TMP_NAME.match(entry)
        if match and (int(match.group(1)) == os.getpid() or not _pid_alive(int(match.group(1)))):
            leftovers.append(entry)
    # The fact script's temporary file, left by a run killed while writing it (never read by
    # setup: its name does not end in .fact).
    step["fact_tmp"] = os.path.join(os.path.dirname(fact_file), ".%s.tmp" % os.path.basename(fact_file))
    tmp_info = atomic_files.lstat_or_none(step["fact_tmp"])
    if tmp_info is not None:
        if stat.S_ISDIR(tmp_info.st_mode):
            raise BundleError("%s is a directory, in the way of the fact script's temporary file: not touched"
                              % step["fact_tmp"])
        leftovers.append(step["fact_tmp"])
    step["leftovers"] = leftovers
    if state == "absent":
        step.update(bundle_id=None, bundle_dir=None, bundle_write=False, fact_after=None,
                    fact_write=before is not None,
                    stale=[e for e in entries if BUNDLE_NAME.match(e)])
        return step
    check_files(files)
    bid = bundle_id(files)
    bundle_dir = os.path.join(lib_dir, bid)
    after = script_text(python, bundle_dir, options_json)
    step.update(bundle_id=bid, bundle_dir=bundle_dir, bundle_write=not _bundle_matches(bundle_dir, files),
                fact_after=after, fact_write=before != after or not step["fact_mode_ok"],
                stale=[e for e in entries if BUNDLE_NAME.match(e) and e != bid])
    return step


def changed(step):
    return bool(step["bundle_write"] or step["fact_write"] or step["stale"] or step["leftovers"])


def _makedirs(path):
    if not os.path.isdir(path):
        os.makedirs(path, 0o755)


def _write_tree(top, files):
    """Every file (0644) and directory (0755) under ``top``, each flushed to disk."""
    directories = set([top])
    for name, text in sorted(files.items()):
        path = os.path.join(top, name)
        parent = os.path.dirname(path)
        _makedirs(parent)
        while parent not in directories and parent.startswith(top):
            directories.add(parent)
            parent = os.path.dirname(parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            view = memoryview(text.encode("utf-8"))
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, 0o644)
            os.fsync(fd)
        finally:
            os.close(fd)
    for directory in sorted(directories, key=len, reverse=True):
        os.chmod(directory, 0o755)
        atomic_files.fsync_dir(directory)


def _remove_tree(path):
    info = atomic_files.lstat_or_none(path)
    if info is None:
        return
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def verify(script, timeout, runner=bounded_cmd.run):
    """The first problem of a fact script's run, or None: it must exit 0 and print the facts."""
    done = runner([script], timeout, max_bytes=MAX_OUTPUT_BYTES)
    out = done["out"].decode("utf-8", "replace")
    if done["error"] or done["timed_out"] or done["truncated"] or done["rc"] != 0:
        notes = "".join([", timed out after %ss" % timeout if done["timed_out"] else "",
                         ", output over %d bytes" % MAX_OUTPUT_BYTES if done["truncated"] else ""])
        return "%s (rc %s%s): %s" % (done["error"] or "it failed", done["rc"], notes, out[-2000:].strip())
    try:
        document = json.loads(out)
    except ValueError as exc:
        return "its output is not JSON (%s): %s" % (exc, out[:2000].strip())
    if not isinstance(document, dict) or "faults" not in document or "installed" not in document:
        return "its output is not the connector facts: %s" % out[:2000].strip()
    return None


def _publish_script(step):
    """Write the new script under its temporary name, run it there, and only when it prints the
    facts rename it over the old one (a script that fails is never what setup runs)."""
    tmp = step["fact_tmp"]
    if atomic_files.lstat_or_none(tmp) is not None:
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o700)
    try:
        view = memoryview(step["fact_after"].encode("utf-8"))
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, 0o755)
        os.fsync(fd)
    finally:
        os.close(fd)
    problem = verify(tmp, step["verify_timeout"])
    if problem:
        os.unlink(tmp)
        raise BundleError("the new fact script was not installed, the old one (if any) is unchanged: %s" % problem)
    os.rename(tmp, step["fact_file"])
    atomic_files.fsync_dir(os.path.dirname(step["fact_file"]))


def apply(step, files=None):
    """Do what ``plan`` said, in the crash-safe order (see the module docstring)."""
    lib_dir = step["lib_dir"]
    for entry in step["leftovers"]:
        _remove_tree(entry if entry == step["fact_tmp"] else os.path.join(lib_dir, entry))
    if step["state"] == "present":
        _makedirs(lib_dir)
        _makedirs(os.path.dirname(step["fact_file"]))
        if step["bundle_write"]:
            tmp = os.path.join(lib_dir, ".tmp-%s-%d" % (step["bundle_id"], os.getpid()))
            _remove_tree(tmp)
            _write_tree(tmp, files)
            if atomic_files.lstat_or_none(step["bundle_dir"]) is not None:
                # A damaged copy of the same id (edited or half removed by hand): set aside, replaced.
                old = tmp + "-old"
                os.rename(step["bundle_dir"], old)
                os.rename(tmp, step["bundle_dir"])
                _remove_tree(old)
            else:
                os.rename(tmp, step["bundle_dir"])
            atomic_files.fsync_dir(lib_dir)
        if step["fact_write"]:
            _publish_script(step)
    elif step["fact_write"]:
        atomic_files.unlink_durably(step["fact_file"])
    for entry in step["stale"]:
        _remove_tree(os.path.join(lib_dir, entry))
    if step["state"] == "absent" and os.path.isdir(lib_dir) and not os.listdir(lib_dir):
        os.rmdir(lib_dir)
    if (step["stale"] or step["leftovers"]) and os.path.isdir(lib_dir):
        atomic_files.fsync_dir(lib_dir)
