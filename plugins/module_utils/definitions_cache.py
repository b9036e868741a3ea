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

import errno
import os
import stat
import sys
import time
import zlib

from ansible_collections.secure_endpoint.linux.plugins.module_utils import host_files, json_lite

# Format 2: verdicts carry ``verdict``; format 1 files may hold "unreadable" verdicts cached as
# invalid, so they are ignored.
CACHE_FORMAT = 2
CACHEABLE = ("valid", "invalid")
EXTENSIONS = ("cvd", "cld", "cud")
MAX_DEPTH = 6
MAX_ENTRIES = 20000
MAX_CACHE_BYTES = 8 * 1024 * 1024
RACY_SECONDS = 2.0


def _source(module):
    # The loader gives the source whether the module is a file or inside AnsiballZ's zip,
    # without importing ``inspect`` (costly at every fact run).
    loader = getattr(module, "__loader__", None)
    try:
        text = _text(loader.get_source(module.__name__)) if loader is not None else None
    except (ImportError, IOError, OSError, AttributeError):
        text = None
    if text:
        return text
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
    return _fingerprint(_source(item) for item in modules)


def _fingerprint(texts):
    """CRC-32 and Adler-32 of the texts, and their length: the key only has to change when the
    code does (the cache is root's: whoever can write it can write any verdict anyway). ``zlib``
    loads in microseconds where ``hashlib`` (OpenSSL) costs every fact run milliseconds."""
    crc, adler, size = 0, 1, 0
    for text in texts:
        data = text.encode("utf-8", "replace")
        crc, adler, size = zlib.crc32(data, crc), zlib.adler32(data, adler), size + len(data)
    return "%08x%08x-%d" % (crc & 0xffffffff, adler & 0xffffffff, size)


MAX_SOURCE_BYTES = 1024 * 1024


def sibling_imports(text, package):
    """Names imported by ``from <package> import a, b`` lines (one line, parentheses allowed):
    how the validator imports its helpers. Plain string work: ``re`` costs a warm run ms."""
    prefix = "from %s import " % package
    names = set()
    for line in text.split("\n"):
        if not line.startswith(prefix):
            continue
        rest = line[len(prefix):].strip()
        if rest.startswith("("):
            rest = rest[1:]
        if rest.endswith(")"):
            rest = rest[:-1]
        parts = [part.strip() for part in rest.split(",")]
        if all(part.replace("_", "a").isalnum() for part in parts if part):
            names.update(part for part in parts if part)
    return names


def validator_id_of(name):
    """``validator_id`` of the module ``name`` computed from the sources alone, without importing
    it: a warm run, whose verdicts all come from the cache, never compiles the validator (in
    AnsiballZ every imported module is compiled again at every run). None when a source cannot
    be had (then the caller imports the module and uses ``validator_id``)."""
    package = name.rsplit(".", 1)[0]
    text = _spec_source(name)
    if text is None:
        return None
    texts = [text]
    for sibling in sorted(sibling_imports(text, package)):
        other = _spec_source(package + "." + sibling)
        if other is None:
            return None
        texts.append(other)
    return _fingerprint(texts)


def _spec_source(name):
    """The source of module ``name``: read from its package's directory when it is a plain file
    (the local fact's bundle), else through importlib (AnsiballZ's zip), whose ``util`` module
    costs a fact run milliseconds to import."""
    package, _dot, leaf = name.rpartition(".")
    for directory in getattr(sys.modules.get(package), "__path__", None) or ():
        outcome = host_files.read_file(os.path.join(directory, leaf + ".py"), MAX_SOURCE_BYTES)
        if outcome["data"] is not None:
            # As importlib's get_source gives it: UTF-8, universal newlines.
            return outcome["data"].decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    try:
        import importlib.util
        spec = importlib.util.find_spec(name)
        return _text(spec.loader.get_source(name)) if spec is not None and spec.loader is not None else None
    except (ImportError, AttributeError, ValueError, IOError, OSError):
        return None


def _text(source):
    # Ansible's collection loader gives bytes where importlib's loaders give str.
    return source.decode("utf-8", "replace") if isinstance(source, bytes) else source


def stat_key(st):
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def walk(install_dir, extensions=EXTENSIONS, max_entries=None, max_depth=None):
    """Files whose extension is one of ``extensions`` under ``install_dir``, without following
    directory symlinks, bounded in depth and count. Whatever stops the walk short is said:

    ``{files: sorted paths, complete: bool, notes: [str]}``; ``notes`` names the limit reached
    (entries, depth) and the directories that could not be listed."""
    max_entries = MAX_ENTRIES if max_entries is None else max_entries
    max_depth = MAX_DEPTH if max_depth is None else max_depth
    found = []
    notes = []
    seen = 0
    base_depth = install_dir.rstrip("/").count("/")

    def unlisted(exc):
        notes.append("cannot list %s: %s" % (getattr(exc, "filename", None) or install_dir, host_files.reason(exc)))

    for dirpath, dirnames, filenames in os.walk(install_dir, onerror=unlisted, followlinks=False):
        seen += len(dirnames) + len(filenames)
        if dirpath.rstrip("/").count("/") - base_depth >= max_depth and dirnames:
            notes.append("%s: %d subdirectories deeper than %d levels not searched" % (dirpath, len(dirnames), max_depth))
            dirnames[:] = []
        for name in filenames:
            if "." in name and name.rsplit(".", 1)[-1].lower() in extensions:
                found.append(os.path.join(dirpath, name))
        if seen > max_entries:
            notes.append("search stopped after %d entries under %s (limit %d): files beyond it not judged"
                         % (seen, install_dir, max_entries))
            break
    return {"files": sorted(found), "complete": not notes, "notes": notes}


def find_files(install_dir, extensions=EXTENSIONS):
    """The files of ``walk`` (sorted paths), without its notes."""
    return walk(install_dir, extensions)["files"]


class DefinitionsCache(object):
    """Verdicts keyed by path and stat identity, stored as JSON at ``path`` (None: no cache)."""

    def __init__(self, path, validator, shown=None):
        self.path = path
        self.shown = shown or path
        self.validator = validator
        self.entries = {}
        self.dirty = False
        self.error = None
        if path:
            self._load()

    def _load(self):
        outcome = host_files.read_file(self.path, MAX_CACHE_BYTES)
        if outcome["error"]:
            # Not silently: a FIFO, a device or an oversized file there is ignored and reported.
            self.error = "definitions cache ignored: %s" % host_files.describe(self.shown, outcome)
        if outcome["data"] is None:
            return
        try:
            data = json_lite.loads(outcome["data"].decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return
        if (not isinstance(data, dict) or data.get("format") != CACHE_FORMAT
                or data.get("validator") != self.validator or not isinstance(data.get("entries"), dict)):
            return
        for key, entry in data["entries"].items():
            if (isinstance(entry, dict) and isinstance(entry.get("stat"), list) and isinstance(entry.get("result"), dict)
                    and entry["result"].get("verdict") in CACHEABLE):
                self.entries[key] = entry

    def get(self, path, st):
        entry = self.entries.get(path)
        if entry is not None and entry["stat"] == stat_key(st):
            return dict(entry["result"])
        return None

    def put(self, path, st, result):
        """Keep a verdict; an unknown one ("could not judge") is never kept."""
        if result.get("verdict") not in CACHEABLE:
            return
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
        payload = json_lite.dumps({"format": CACHE_FORMAT, "validator": self.validator,
                                   "entries": self.entries}, sort_keys=True).encode("utf-8")
        tmp = None
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o755)
            import tempfile  # only when writing: a warm run does not, and the import costs it ms
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
            return "cannot write definitions cache %s: %s" % (self.shown, exc.strerror or exc)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _settled(st, now=None):
    now = time.time() if now is None else now
    return now - max(st.st_mtime, st.st_ctime) >= RACY_SECONDS


def _with_verdict(result):
    """A validator's answer with ``verdict`` and ``valid`` agreeing (custom validators may give
    only ``valid``: True, False, or None for unknown)."""
    result = dict(result)
    verdict = result.get("verdict")
    if verdict not in ("valid", "invalid", "unknown"):
        verdict = {True: "valid", False: "invalid"}.get(result.get("valid"), "unknown")
    result["verdict"] = verdict
    result["valid"] = {"valid": True, "invalid": False}.get(verdict)
    return result


def _entry(path, verdict, reason, size=None):
    return {"path": path, "type": _file_type(path), "verdict": verdict,
            "valid": {"valid": True, "invalid": False}.get(verdict), "reason": reason, "size": size,
            "header": {}}  # never read


def _file_type(path):
    name = os.path.basename(path).lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else None
    return ext if ext in EXTENSIONS else None


def _link_text(path, lst):
    if not stat.S_ISLNK(lst.st_mode):
        return None
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def judge_definitions(install_dir, validate, cache=None, display=None, paths=None,
                      max_file_bytes=None, max_total_bytes=None):
    """One verdict per definitions file under ``install_dir``: ``validate(path) -> dict``
    (``path``, ``type``, ``verdict``, ``valid``, ``reason``, ``size``, ``header``), from the
    cache when the file is unchanged. ``display`` maps probed paths to the paths shown in facts;
    ``paths`` skips the directory walk when the caller already did it.

    Each entry also says ``file_kind`` (what the path is: 'regular file', 'FIFO' ...) and
    ``link`` (its target when the path is a symlink, else None). What the engine cannot load
    is ``invalid``: a FIFO, a device, a directory, a dangling symlink or a symlink loop. What
    we cannot judge is ``unknown`` and never cached: a read error, a file above
    ``max_file_bytes``, or files left once ``max_total_bytes`` were read in this run (judged in
    a later run: the verdicts of this one are cached).

    Returns ``(results, stats)`` with ``stats = {files, cached, validated, read_bytes}``."""
    display = display or (lambda p: p)
    results = []
    stats = {"files": 0, "cached": 0, "validated": 0, "read_bytes": 0}
    if paths is None:
        paths = find_files(install_dir)
    for path in paths:
        try:
            lst = os.lstat(path)
        except OSError:
            continue  # removed since the walk
        stats["files"] += 1
        link = _link_text(path, lst)
        result = _judge_one(path, validate, cache, stats, max_file_bytes, max_total_bytes)
        result["path"] = display(path)
        result["link"] = link
        results.append(result)
    if cache is not None:
        cache.keep_only(paths)
    return results, stats


def _judge_one(path, validate, cache, stats, max_file_bytes, max_total_bytes):
    try:
        before = os.stat(path)
    except OSError as exc:
        code = getattr(exc, "errno", None)
        if code == errno.ENOENT:
            result = _entry(path, "invalid", "dangling symlink: the engine cannot open it")
        elif code == errno.ELOOP:
            result = _entry(path, "invalid", "symlink loop: the engine cannot open it")
        else:
            result = _entry(path, "unknown", "cannot be examined: %s" % host_files.reason(exc))
        result["file_kind"] = "symlink"
        return result
    kind = host_files.file_kind(before.st_mode)
    if not stat.S_ISREG(before.st_mode):
        # The engine would block on a FIFO, read a device for ever, or fail on a directory.
        result = _entry(path, "invalid", "not a regular file (%s): the engine cannot load it" % kind)
        result["file_kind"] = kind
        return result
    result = cache.get(path, before) if cache is not None else None
    if result is not None:
        stats["cached"] += 1
    elif max_file_bytes is not None and before.st_size > max_file_bytes:
        result = _entry(path, "unknown", "too large to judge: %d bytes (limit %d)" % (before.st_size, max_file_bytes),
                        before.st_size)
    elif max_total_bytes is not None and stats["read_bytes"] + before.st_size > max_total_bytes:
        result = _entry(path, "unknown", "not judged in this run: %d bytes already read (limit %d per run); "
                                         "a later run judges it" % (stats["read_bytes"], max_total_bytes),
                        before.st_size)
    else:
        result = _with_verdict(validate(path))
        stats["validated"] += 1
        stats["read_bytes"] += before.st_size
        try:
            after = os.stat(path)
        except OSError:
            after = None
        if (cache is not None and after is not None and stat_key(after) == stat_key(before)
                and _settled(after)):
            cache.put(path, before, result)
    result = dict(result)
    result["file_kind"] = kind
    return result
