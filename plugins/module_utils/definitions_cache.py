# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find the connector's definition files and judge them, reusing earlier verdicts when the
file is provably unchanged.

A verdict is reused only when the file's identity and content markers all match the cached
ones: device, inode, size, mtime_ns and ctime_ns (ctime cannot be set back by ``touch``, so
an edit that restores the mtime still misses), and only when the validator is the same code.
A file that changed while it was being validated is not cached, nor one changed in the last
seconds: timestamps are only as fine as the kernel's clock tick, so a same-size rewrite in the
same tick would keep every marker ("racy" entries, as git calls them). The cache is written
atomically (temporary file + rename); a corrupt or foreign cache is ignored.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import inspect
import json
import os
import stat
import tempfile
import time

CACHE_FORMAT = 1
EXTENSIONS = ("cvd", "cld", "cud")
MAX_DEPTH = 6
MAX_ENTRIES = 20000
MAX_CACHE_BYTES = 8 * 1024 * 1024
RACY_SECONDS = 2.0


def _source(module):
    try:
        return inspect.getsource(module)
    except (IOError, OSError, TypeError):
        parts = []
        for name in sorted(vars(module)):
            code = getattr(getattr(module, name), "__code__", None)
            if code is not None:
                parts.append(name + repr(code.co_code) + repr(code.co_consts))
        return "".join(parts)


def validator_id(module):
    """A fingerprint of the validator's code and of the collection's modules it imports
    (e.g. its signature checker): a fixed validator invalidates old verdicts."""
    package = module.__name__.rsplit(".", 1)[0]
    modules = [module] + sorted((m for m in vars(module).values() if isinstance(m, type(module))
                                 and getattr(m, "__name__", "").startswith(package + ".")),
                                key=lambda m: m.__name__)
    digest = hashlib.sha256()
    for item in modules:
        digest.update(_source(item).encode("utf-8", "replace"))
    return digest.hexdigest()


def stat_key(st):
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def find_files(install_dir, extensions=EXTENSIONS):
    """Files whose extension is one of ``extensions`` under ``install_dir``, without following
    directory symlinks, bounded in depth and count. -> sorted list of paths."""
    found = []
    seen = 0
    base_depth = install_dir.rstrip("/").count("/")
    for dirpath, dirnames, filenames in os.walk(install_dir, followlinks=False):
        seen += len(dirnames) + len(filenames)
        if seen > MAX_ENTRIES:
            break
        if dirpath.rstrip("/").count("/") - base_depth >= MAX_DEPTH:
            dirnames[:] = []
        for name in filenames:
            if "." in name and name.rsplit(".", 1)[-1].lower() in extensions:
                found.append(os.path.join(dirpath, name))
    return sorted(found)


class DefinitionsCache(object):
    """Verdicts keyed by path and stat identity, stored as JSON at ``path`` (None: no cache)."""

    def __init__(self, path, validator):
        self.path = path
        self.validator = validator
        self.entries = {}
        self.dirty = False
        if path:
            self._load()

    def _load(self):
        try:
            with open(self.path, "rb") as handle:
                data = json.loads(handle.read(MAX_CACHE_BYTES + 1).decode("utf-8"))
        except (IOError, OSError, ValueError, UnicodeDecodeError):
            return
        if (not isinstance(data, dict) or data.get("format") != CACHE_FORMAT
                or data.get("validator") != self.validator or not isinstance(data.get("entries"), dict)):
            return
        for key, entry in data["entries"].items():
            if isinstance(entry, dict) and isinstance(entry.get("stat"), list) and isinstance(entry.get("result"), dict):
                self.entries[key] = entry

    def get(self, path, st):
        entry = self.entries.get(path)
        if entry is not None and entry["stat"] == stat_key(st):
            return dict(entry["result"])
        return None

    def put(self, path, st, result):
        self.entries[path] = {"stat": stat_key(st), "result": dict(result)}
        self.dirty = True

    def keep_only(self, paths):
        wanted = set(paths)
        for key in list(self.entries):
            if key not in wanted:
                del self.entries[key]
                self.dirty = True

    def save(self):
        """Write atomically; returns an error string or None. Never raises."""
        if not self.path or not self.dirty:
            return None
        directory = os.path.dirname(self.path) or "."
        payload = json.dumps({"format": CACHE_FORMAT, "validator": self.validator,
                              "entries": self.entries}, sort_keys=True).encode("utf-8")
        tmp = None
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o755)
            fd, tmp = tempfile.mkstemp(prefix=".definitions-", dir=directory)
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.rename(tmp, self.path)
            tmp = None
            self.dirty = False
            return None
        except (IOError, OSError) as exc:
            return "cannot write definitions cache %s: %s" % (self.path, exc.strerror or exc)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _settled(st, now=None):
    now = time.time() if now is None else now
    return now - max(st.st_mtime, st.st_ctime) >= RACY_SECONDS


def judge_definitions(install_dir, validate, cache=None, display=None, paths=None):
    """One verdict per definitions file under ``install_dir``: ``validate(path) -> dict``
    (``path``, ``type``, ``valid``, ``reason``, ``size``, ``header``), from the cache when the
    file is unchanged. ``display`` maps probed paths to the paths shown in facts; ``paths``
    skips the directory walk when the caller already did it.

    Returns ``(results, stats)`` with ``stats = {files, cached, validated}``."""
    display = display or (lambda p: p)
    results = []
    stats = {"files": 0, "cached": 0, "validated": 0}
    if paths is None:
        paths = find_files(install_dir)
    for path in paths:
        try:
            before = os.stat(path)
        except OSError:
            continue  # removed since the walk
        if not stat.S_ISREG(before.st_mode):
            continue
        stats["files"] += 1
        result = cache.get(path, before) if cache is not None else None
        if result is not None:
            stats["cached"] += 1
        else:
            result = dict(validate(path))
            stats["validated"] += 1
            try:
                after = os.stat(path)
            except OSError:
                after = None
            if (cache is not None and after is not None and stat_key(after) == stat_key(before)
                    and _settled(after)):
                cache.put(path, before, result)
        result["path"] = display(path)
        results.append(result)
    if cache is not None:
        cache.keep_only(paths)
    return results, stats
