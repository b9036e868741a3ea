# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel facts for faults 8, 9, 11 and 16, from files only (no package manager, no grubby).

All paths are relative to ``root`` so tests can run against a fake tree.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.secure_endpoint.linux.plugins.module_utils import log_tail
from ansible_collections.secure_endpoint.linux.plugins.module_utils.ascii_scan import LETTER, WORD
from ansible_collections.secure_endpoint.linux.plugins.module_utils.lazy_re import LazyPattern
from ansible_collections.secure_endpoint.linux.plugins.module_utils.host_files import (
    paths_matching, read_text, under_root)

CONFIG_MAX_BYTES = 2 * 1024 * 1024
GRUB_MAX_BYTES = 1024 * 1024
CONNECTOR_MODULES = ("ampavflt", "ampfsm", "redirfs", "ampnetworkflow")
# The boot loader files and kernel releases a fact run reads on every host are parsed with string
# methods, one directive per line: importing ``re`` would cost every fact run milliseconds. The
# patterns below are for the rarer cases (a SUSE host, a pending kernel's config).
_SUSE_FLAVOUR = LazyPattern(r"-[a-z]+$")
_CONFIG_BTF = LazyPattern(r"(?m)^CONFIG_DEBUG_INFO_BTF=y\s*$")
_FLAVOUR_CHARS = WORD | frozenset("-")  # [A-Za-z0-9_-]


def release_tokens(release):
    """The runs of digits and of ASCII letters in ``release``, in order (``\\d+|[A-Za-z]+``)."""
    tokens = []
    start, kind = 0, None
    for index, char in enumerate(release + " "):
        now = "digit" if char.isdecimal() else "letter" if char in LETTER else None
        if now != kind:
            if kind:
                tokens.append(release[start:index])
            start, kind = index, now
    return tokens


def release_key(release):
    """Sort key that orders kernel releases like version numbers (5.14.0-427 > 5.14.0-70)."""
    return [(0, int(tok), "") if tok.isdigit() else (1, 0, tok) for tok in release_tokens(release)]


def word_after(line, directive):
    """The first word after ``directive`` at the start of ``line`` (``directive WORD ...``), or None."""
    if not line.startswith(directive) or not line[len(directive):len(directive) + 1].isspace():
        return None
    words = line[len(directive):].split(None, 1)
    return words[0] if words else None


def vmlinuz_release(word):
    """``/boot/vmlinuz-6.1.0-18-amd64`` -> ``6.1.0-18-amd64`` (after the last ``vmlinuz-``), or None."""
    if word is None:
        return None
    index = word.rfind("vmlinuz-", 0, len(word) - 1)  # the last one with something after it
    return word[index + len("vmlinuz-"):] if index >= 0 else None


def parse_os_release(text):
    values = {}
    for line in (text or "").splitlines():
        if "=" not in line or line.lstrip().startswith("#"):
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("\"'")
    return values


def os_family(os_release):
    """'redhat', 'debian', 'suse' or None, from ID and ID_LIKE of /etc/os-release."""
    ids = [os_release.get("ID", "").lower()] + os_release.get("ID_LIKE", "").lower().split()
    for family, members in (("redhat", ("rhel", "fedora", "centos", "ol", "rocky", "almalinux")),
                            ("debian", ("debian", "ubuntu")),
                            ("suse", ("suse", "sles", "opensuse"))):
        if any(i in members for i in ids):
            return family
    return None


# Red Hat family kernel flavours: "+debug", "+64k", "+64k-debug", "+rt", "+rt-debug" (EL 8.x/9.x),
# ".debug" (EL 7 debug kernels); real-time kernels of EL 8 and EL 9.0-9.2 carry ".rtN" in the
# release itself.
def split_flavour(release):
    """``(base, plus, dot)``: 5.14.0-427.el9.x86_64+64k-debug -> (5.14.0-427.el9.x86_64, 64k-debug, False);
    3.10.0-1160.el7.x86_64.debug -> (3.10.0-1160.el7.x86_64, "", True). The shortest base whose rest
    is nothing, ``+`` and flavour characters, or ``.debug``."""
    for end in range(1, len(release) + 1):
        rest = release[end:]
        if not rest:
            return release, "", False
        if rest[0] == "+" and len(rest) > 1 and all(char in _FLAVOUR_CHARS for char in rest[1:]):
            return release[:end], rest[1:], False
        if rest == ".debug":
            return release[:end], "", True
    return release, "", False


def _has_rt_release(base):
    """``.rt`` and a digit in the release (``\\.rt\\d``): EL 8 and 9.0-9.2 real-time kernels."""
    index = base.find(".rt")
    while index >= 0:
        if base[index + 3:index + 4].isdecimal():
            return True
        index = base.find(".rt", index + 1)
    return False


def redhat_headers_package(release):
    """The Red Hat family package holding the headers of kernel ``release``, by flavour:
    ``kernel[-uek|-rt|-64k][-debug]-devel-<version>``, ``<version>`` being the release without
    its ``+flavour`` (or EL 7 ``.debug``) suffix: 5.14.0-427.el9.x86_64+debug ->
    kernel-debug-devel-5.14.0-427.el9.x86_64. Its files are in /usr/src/kernels/<release>."""
    base, plus, dot = split_flavour(release)
    flavours = set(plus.lower().split("-")) - {""}
    if dot:
        flavours.add("debug")
    parts = ["kernel"]
    if "uek" in base:
        parts.append("uek")
    if "rt" in flavours or _has_rt_release(base):
        parts.append("rt")
    for size in ("64k", "16k"):
        if size in flavours:
            parts.append(size)
    if "debug" in flavours:
        parts.append("debug")
    return "%s-devel-%s" % ("-".join(parts), base)


def headers_for(release, family, root="/"):
    """``{headers_installed, headers_path, headers_package}`` for one kernel release.

    Red Hat family: /usr/src/kernels/<release> from the flavour's ``-devel`` package
    (``redhat_headers_package``: ``kernel-devel``, ``kernel-uek-devel`` on Oracle UEK kernels,
    ``kernel-debug-devel``, ``kernel-rt-devel``, ``kernel-64k-devel`` ...); Debian family:
    /usr/src/linux-headers-<release> from ``linux-headers-<release>`` (the flavour is part of
    the release there: 6.1.0-18-rt-amd64). /lib/modules/<release>/build (a symlink into the
    headers) counts too; a dangling one (headers removed) does not."""
    if family == "debian":
        candidates = ["/usr/src/linux-headers-%s" % release]
        package = "linux-headers-%s" % release
    elif family in ("redhat", "suse"):
        candidates = ["/usr/src/kernels/%s" % release]
        if family == "suse":
            candidates = ["/usr/src/linux-%s" % _SUSE_FLAVOUR.sub("", release)]
        package = redhat_headers_package(release) if family == "redhat" else None
    else:
        candidates = ["/usr/src/kernels/%s" % release, "/usr/src/linux-headers-%s" % release]
        package = None
    candidates.append("/lib/modules/%s/build" % release)
    for candidate in candidates:
        if os.path.isdir(under_root(root, candidate)):
            return {"headers_installed": True, "headers_path": candidate, "headers_package": package}
    return {"headers_installed": False, "headers_path": candidates[0], "headers_package": package}


def btf_available(root="/"):
    return os.path.exists(under_root(root, "/sys/kernel/btf/vmlinux"))


def config_has_btf(release, root="/"):
    """True/False from /boot/config-<release>; None when there is no config to read."""
    text = read_text(under_root(root, "/boot/config-%s" % release), CONFIG_MAX_BYTES)
    if text is None:
        return None
    return _CONFIG_BTF.search(text) is not None


def loaded_modules(root="/"):
    """Names of the loaded kernel modules (/proc/modules), or None when it cannot be read."""
    text = read_text(under_root(root, "/proc/modules"), 4 * 1024 * 1024)
    if text is None:
        return None
    return set(line.split(" ", 1)[0] for line in text.splitlines() if line.strip())


def _grubenv_saved_entry(root):
    for env in ("/boot/grub2/grubenv", "/boot/grub/grubenv"):
        text = read_text(under_root(root, env), 64 * 1024)
        for line in (text or "").split("\n"):
            if line.startswith("saved_entry=") and len(line) > len("saved_entry="):
                # The first saved_entry line with a value decides; a blank one, the next file.
                value = line[len("saved_entry="):].strip()
                if value:
                    return value
                break
    return None


def _bls_entries(root):
    """{entry id: release} from Boot Loader Specification entries (Red Hat family)."""
    entries = {}
    for path in paths_matching(under_root(root, "/boot/loader/entries"), "", ".conf"):
        lines = (read_text(path, 64 * 1024) or "").split("\n")
        release = next((r for r in (vmlinuz_release(word_after(line, "linux")) for line in lines) if r), None)
        if release is None:
            release = next((w for w in (word_after(line, "version") for line in lines) if w), None)
        if release and "rescue" not in release:
            entries[os.path.basename(path)[:-len(".conf")]] = release
    return entries


def _grub_cfg_default(root, saved):
    for cfg in ("/boot/grub/grub.cfg", "/boot/grub2/grub.cfg"):
        text = read_text(under_root(root, cfg), GRUB_MAX_BYTES)
        if not text:
            continue
        release = saved_debian_release(saved) if saved else None
        if release:
            return release, "%s saved_entry" % cfg
        # GRUB_DEFAULT=0 (the default): the first menu entry's kernel.
        for line in text.split("\n"):
            words = line.split(None, 2)
            if len(words) > 1 and words[0].startswith("linux"):  # linux, linux16, linuxefi
                release = vmlinuz_release(words[1])
                if release:
                    return release, "%s first entry" % cfg
    return None, None


def saved_debian_release(saved):
    """The release in a Debian saved_entry id, or None: "gnulinux-advanced-UUID>gnulinux-6.1.0-18-amd64-
    advanced-UUID" -> 6.1.0-18-amd64 (``gnulinux-`` then a digit, up to the nearest ``-advanced-``
    or ``-recovery-``, no blank)."""
    start = saved.find("gnulinux-")
    while start >= 0:
        first = start + len("gnulinux-")
        if saved[first:first + 1].isdecimal():
            for end in range(first + 1, len(saved)):
                if saved.startswith(("-advanced-", "-recovery-"), end):
                    return saved[first:end]
                if saved[end].isspace():
                    break
        start = saved.find("gnulinux-", start + 1)
    return None


def next_boot_release(root="/"):
    """``(release, source)`` of the kernel the boot loader will start next, or ``(None, None)``.

    BLS entries with grubenv's saved_entry (Red Hat family), else the highest BLS entry (the
    order grub2's blscfg uses), else grub.cfg's default entry, else the newest /boot/vmlinuz-*."""
    saved = _grubenv_saved_entry(root)
    entries = _bls_entries(root)
    if entries:
        if saved and saved in entries:
            return entries[saved], "grubenv saved_entry"
        best = max(entries.values(), key=release_key)
        return best, "newest boot loader entry"
    release, source = _grub_cfg_default(root, saved)
    if release:
        return release, source
    kernels = [os.path.basename(p)[len("vmlinuz-"):] for p in paths_matching(under_root(root, "/boot"), "vmlinuz-")]
    kernels = [k for k in kernels if "rescue" not in k]
    if kernels:
        return max(kernels, key=release_key), "newest /boot/vmlinuz"
    return None, None


def running_release(root="/"):
    text = read_text(under_root(root, "/proc/sys/kernel/osrelease"), 256)
    if text and text.strip():
        return text.strip()
    return os.uname()[2] if root == "/" else None


def kernel_log_lines(root, max_bytes, runner=None, timeout=3.0):
    """``(lines, source)``: recent kernel messages, bounded, never blocking.

    Syslog files first (a bounded tail costs nothing), then ``journalctl -k`` and ``dmesg``
    through ``runner`` with a timeout. /dev/kmsg is never read: a read there waits for the
    next message."""
    for log in ("/var/log/kern.log", "/var/log/messages"):
        tail = log_tail.tail_lines(under_root(root, log), max_bytes, rotated=False)
        if tail["lines"]:
            return tail["lines"], log
    if runner is None:
        return [], None
    for argv in (["journalctl", "-k", "-b", "-q", "--no-pager", "-o", "short", "-n", "500"],
                 ["dmesg"]):
        outcome = runner(argv, timeout, max_bytes)
        # A full buffer (truncated) still holds real lines; an error or a timeout does not.
        if outcome.get("out") and (outcome.get("rc") == 0 or outcome.get("truncated")):
            text = outcome["out"].decode("utf-8", "replace")
            return [line for line in text.splitlines() if line.strip()][-2000:], " ".join(argv[:2])
    return [], None
