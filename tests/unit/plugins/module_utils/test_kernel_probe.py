# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import kernel_probe

RHEL9 = 'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\n'
OL8 = 'NAME="Oracle Linux Server"\nID="ol"\nID_LIKE="fedora"\nVERSION_ID="8.9"\n'
DEBIAN12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\n'


def write(root, path, text=""):
    full = os.path.join(str(root), path.lstrip("/"))
    if not os.path.isdir(os.path.dirname(full)):
        os.makedirs(os.path.dirname(full))
    with open(full, "w") as handle:
        handle.write(text)
    return full


@pytest.mark.parametrize("text,family", [(RHEL9, "redhat"), (OL8, "redhat"), (DEBIAN12, "debian"),
                                         (UBUNTU, "debian"), ("ID=alpine\n", None), ("", None)])
def test_os_family(text, family):
    assert kernel_probe.os_family(kernel_probe.parse_os_release(text)) == family


def test_release_key_orders_like_versions():
    releases = ["5.14.0-70.13.1.el9_0.x86_64", "5.14.0-427.13.1.el9_4.x86_64", "5.14.0-362.8.1.el9_3.x86_64"]
    assert max(releases, key=kernel_probe.release_key) == "5.14.0-427.13.1.el9_4.x86_64"
    assert max(["6.1.0-9-amd64", "6.1.0-18-amd64"], key=kernel_probe.release_key) == "6.1.0-18-amd64"


def test_headers_debian(tmp_path):
    rel = "6.1.0-18-amd64"
    missing = kernel_probe.headers_for(rel, "debian", str(tmp_path))
    assert missing == {"headers_installed": False, "headers_path": "/usr/src/linux-headers-" + rel,
                       "headers_package": "linux-headers-" + rel}
    write(tmp_path, "/usr/src/linux-headers-%s/Makefile" % rel)
    assert kernel_probe.headers_for(rel, "debian", str(tmp_path))["headers_installed"]


def test_headers_redhat_and_uek(tmp_path):
    rel = "5.14.0-427.13.1.el9_4.x86_64"
    assert kernel_probe.headers_for(rel, "redhat", str(tmp_path))["headers_package"] == "kernel-devel-" + rel
    uek = "5.15.0-200.131.27.el8uek.x86_64"
    result = kernel_probe.headers_for(uek, "redhat", str(tmp_path))
    assert result["headers_package"] == "kernel-uek-devel-" + uek and not result["headers_installed"]
    write(tmp_path, "/usr/src/kernels/%s/Makefile" % uek)
    result = kernel_probe.headers_for(uek, "redhat", str(tmp_path))
    assert result["headers_installed"] and result["headers_path"] == "/usr/src/kernels/" + uek


def test_dangling_build_link_is_not_headers(tmp_path):
    rel = "5.14.0-427.el9.x86_64"
    os.makedirs(str(tmp_path / "lib" / "modules" / rel))
    os.symlink("/usr/src/kernels/" + rel, str(tmp_path / "lib" / "modules" / rel / "build"))
    assert not kernel_probe.headers_for(rel, "redhat", str(tmp_path))["headers_installed"]
    # A link that resolves under the probed root counts.
    os.unlink(str(tmp_path / "lib" / "modules" / rel / "build"))
    write(tmp_path, "/opt/hdr/Makefile")
    os.symlink(str(tmp_path / "opt" / "hdr"), str(tmp_path / "lib" / "modules" / rel / "build"))
    result = kernel_probe.headers_for(rel, "redhat", str(tmp_path))
    assert result["headers_installed"] and result["headers_path"] == "/lib/modules/%s/build" % rel


def test_btf(tmp_path):
    assert not kernel_probe.btf_available(str(tmp_path))
    write(tmp_path, "/sys/kernel/btf/vmlinux", "x")
    assert kernel_probe.btf_available(str(tmp_path))
    assert kernel_probe.config_has_btf("6.1.0-18-amd64", str(tmp_path)) is None
    write(tmp_path, "/boot/config-6.1.0-18-amd64", "CONFIG_BPF=y\nCONFIG_DEBUG_INFO_BTF=y\n")
    assert kernel_probe.config_has_btf("6.1.0-18-amd64", str(tmp_path)) is True
    write(tmp_path, "/boot/config-4.18.0", "# CONFIG_DEBUG_INFO_BTF is not set\n")
    assert kernel_probe.config_has_btf("4.18.0", str(tmp_path)) is False


def test_loaded_modules(tmp_path):
    assert kernel_probe.loaded_modules(str(tmp_path)) is None
    write(tmp_path, "/proc/modules", "ampfsm 69632 0 - Live 0x0000000000000000 (OE)\n"
                                     "redirfs 65536 1 ampavflt, Live 0x0000000000000000 (OE)\n"
                                     "xfs 2002944 2 - Live 0x0000000000000000\n")
    assert kernel_probe.loaded_modules(str(tmp_path)) == {"ampfsm", "redirfs", "xfs"}


BLS = """title Red Hat Enterprise Linux (%(rel)s) 9.4 (Plow)
version %(rel)s
linux /vmlinuz-%(rel)s
initrd /initramfs-%(rel)s.img $tuned_initrd
options root=/dev/mapper/rhel-root ro
"""


def test_next_boot_bls_saved_entry(tmp_path):
    mid = "0123456789abcdef"
    for rel in ("5.14.0-362.8.1.el9_3.x86_64", "5.14.0-427.13.1.el9_4.x86_64"):
        write(tmp_path, "/boot/loader/entries/%s-%s.conf" % (mid, rel), BLS % {"rel": rel})
    write(tmp_path, "/boot/loader/entries/%s-0-rescue.conf" % mid,
          BLS % {"rel": "0-rescue-%s" % mid})
    # No saved entry: the newest entry, as blscfg sorts them.
    assert kernel_probe.next_boot_release(str(tmp_path)) == ("5.14.0-427.13.1.el9_4.x86_64",
                                                             "newest boot loader entry")
    write(tmp_path, "/boot/grub2/grubenv", "# GRUB Environment Block\nsaved_entry=%s-5.14.0-362.8.1.el9_3.x86_64\n"
          "boot_success=0\n" % mid + "#" * 800)
    assert kernel_probe.next_boot_release(str(tmp_path)) == ("5.14.0-362.8.1.el9_3.x86_64", "grubenv saved_entry")


GRUB_CFG = """### BEGIN /etc/grub.d/10_linux ###
menuentry 'Debian GNU/Linux' --class debian --class gnu-linux $menuentry_id_option 'gnulinux-simple-1234' {
\tload_video
\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=1234 ro  quiet
\tinitrd\t/boot/initrd.img-6.1.0-18-amd64
}
submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-1234' {
\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-17-amd64' $menuentry_id_option 'gnulinux-6.1.0-17-amd64-advanced-1234' {
\t\tlinux\t/boot/vmlinuz-6.1.0-17-amd64 root=UUID=1234 ro  quiet
\t}
}
"""


def test_next_boot_grub_cfg(tmp_path):
    write(tmp_path, "/boot/grub/grub.cfg", GRUB_CFG)
    assert kernel_probe.next_boot_release(str(tmp_path)) == ("6.1.0-18-amd64", "/boot/grub/grub.cfg first entry")
    write(tmp_path, "/boot/grub/grubenv", "saved_entry=gnulinux-advanced-1234>gnulinux-6.1.0-17-amd64-advanced-1234\n")
    assert kernel_probe.next_boot_release(str(tmp_path))[0] == "6.1.0-17-amd64"


def test_next_boot_vmlinuz_fallback(tmp_path):
    assert kernel_probe.next_boot_release(str(tmp_path)) == (None, None)
    for rel in ("6.1.0-9-amd64", "6.1.0-18-amd64"):
        write(tmp_path, "/boot/vmlinuz-" + rel)
    assert kernel_probe.next_boot_release(str(tmp_path)) == ("6.1.0-18-amd64", "newest /boot/vmlinuz")


def test_running_release(tmp_path):
    write(tmp_path, "/proc/sys/kernel/osrelease", "5.14.0-427.el9.x86_64\n")
    assert kernel_probe.running_release(str(tmp_path)) == "5.14.0-427.el9.x86_64"
    assert kernel_probe.running_release("/") == os.uname()[2]


def test_kernel_log_prefers_syslog_files(tmp_path):
    write(tmp_path, "/var/log/messages", "Jun 19 14:02:03 host kernel: ampfsm: Unknown symbol redirfs_register (err -2)\n")
    calls = []
    lines, source = kernel_probe.kernel_log_lines(str(tmp_path), 4096, lambda *a: calls.append(a))
    assert source == "/var/log/messages" and "Unknown symbol" in lines[0] and calls == []


def test_kernel_log_from_journal(tmp_path):
    def runner(argv, timeout, max_bytes):
        assert timeout <= 3.0
        if argv[0] == "journalctl":
            return {"rc": 0, "out": b"kernel: Lockdown: insmod: unsigned module loading is restricted\n",
                    "timed_out": False, "truncated": False, "error": None}
        raise AssertionError("dmesg not needed")
    lines, source = kernel_probe.kernel_log_lines(str(tmp_path), 4096, runner)
    assert source == "journalctl -k" and "Lockdown" in lines[0]


def test_kernel_log_nothing_answers(tmp_path):
    def runner(argv, timeout, max_bytes):
        return {"rc": None, "out": b"", "timed_out": True, "truncated": False, "error": None}
    assert kernel_probe.kernel_log_lines(str(tmp_path), 4096, runner) == ([], None)


@pytest.mark.parametrize("release,package", [
    ("5.14.0-427.el9.x86_64", "kernel-devel-5.14.0-427.el9.x86_64"),
    ("5.14.0-427.el9.x86_64+debug", "kernel-debug-devel-5.14.0-427.el9.x86_64"),
    ("5.14.0-427.el9.aarch64+64k", "kernel-64k-devel-5.14.0-427.el9.aarch64"),
    ("5.14.0-427.el9.aarch64+64k-debug", "kernel-64k-debug-devel-5.14.0-427.el9.aarch64"),
    ("5.14.0-362.8.1.el9_3.x86_64+rt", "kernel-rt-devel-5.14.0-362.8.1.el9_3.x86_64"),
    ("5.14.0-362.8.1.el9_3.x86_64+rt-debug", "kernel-rt-debug-devel-5.14.0-362.8.1.el9_3.x86_64"),
    ("4.18.0-513.5.1.rt7.307.el8_9.x86_64", "kernel-rt-devel-4.18.0-513.5.1.rt7.307.el8_9.x86_64"),
    ("3.10.0-1160.rt56.1131.el7.x86_64", "kernel-rt-devel-3.10.0-1160.rt56.1131.el7.x86_64"),
    ("3.10.0-1160.el7.x86_64.debug", "kernel-debug-devel-3.10.0-1160.el7.x86_64"),
    ("5.15.0-206.153.7.el8uek.x86_64", "kernel-uek-devel-5.15.0-206.153.7.el8uek.x86_64"),
    ("5.15.0-206.153.7.el8uek.x86_64+debug", "kernel-uek-debug-devel-5.15.0-206.153.7.el8uek.x86_64"),
])
def test_headers_package_by_flavour(tmp_path, release, package):
    result = kernel_probe.headers_for(release, "redhat", str(tmp_path))
    assert result == {"headers_installed": False, "headers_path": "/usr/src/kernels/" + release,
                      "headers_package": package}
    write(tmp_path, "/usr/src/kernels/%s/Makefile" % release)
    assert kernel_probe.headers_for(release, "redhat", str(tmp_path))["headers_installed"]


@pytest.mark.parametrize("release", ["6.1.0-18-rt-amd64", "6.1.0-18-cloud-amd64", "6.1.0-18-amd64"])
def test_debian_flavour_is_in_the_release(tmp_path, release):
    assert kernel_probe.headers_for(release, "debian", str(tmp_path))["headers_package"] == "linux-headers-" + release


# --- the string parsers against the regular expressions they replace (the oracle) -------------
# The boot files are parsed without ``re`` (a cost for every fact run); each parser must find what
# its former pattern found. One difference is chosen: a directive is one line, where ``\s+`` in a
# MULTILINE pattern could reach into the next line; such cases are left out of the comparison.

FRAGMENTS = ["linux", "linux16", "linuxefi", "version", "saved_entry=", "vmlinuz-", "/boot/", "gnulinux-",
             "-advanced-", "-recovery-", "6.1.0-18-amd64", "5.14.0-427.el9.x86_64", "+debug", "+64k-debug", "+rt",
             ".debug", ".rt7", ".rt", "uek", " ", "  ", "\t", "\x0b", "\x1c", "\r", "=", "-", ".", "+", "_", "0", "7",
             "a", "Z", "\u0663", "\u00e9", "\u2028", ">", "root=UUID=1234", "rescue"]


LEADS = ["linux ", "linux16\t", "\tlinux\t", "linux", "version ", "saved_entry=", "gnulinux-6", ""]


def _oracle_flavour(text):
    import re
    match = re.match(r"^(?P<base>.+?)(?:\+(?P<plus>[A-Za-z0-9_-]+)|\.(?P<dot>debug))?$", text)
    return (match.group("base"), match.group("plus") or "", bool(match.group("dot"))) if match else None


def _oracle_debian(text):
    import re
    match = re.search(r"gnulinux-(\d\S*?)-(?:advanced|recovery)-", text)
    return match.group(1) if match else None


def oracle(name):
    import re
    patterns = {
        "tokens": lambda s: re.findall(r"\d+|[A-Za-z]+", s),
        "flavour": _oracle_flavour,
        "rt": lambda s: re.search(r"\.rt\d", s) is not None,
        "saved": lambda s: re.search(r"^saved_entry=(.+)$", s, re.MULTILINE),
        "bls_linux": lambda s: re.search(r"^linux\s+\S*vmlinuz-(\S+)", s, re.MULTILINE),
        "bls_version": lambda s: re.search(r"^version\s+(\S+)", s, re.MULTILINE),
        "debian": _oracle_debian,
        "grub_cfg": lambda s: re.search(r"^\s*linux\S*\s+\S*vmlinuz-(\S+)", s, re.MULTILINE),
    }
    return patterns[name]


def random_texts(seed, count, lines=1):
    import random
    rng = random.Random(seed)
    for _index in range(count):
        # Half the lines start as a directive would, so that the patterns match often.
        yield "\n".join(rng.choice(["", ""] + LEADS) + rng.choice(["", " ", "\t", "/boot/vmlinuz-"])
                        + "".join(rng.choice(FRAGMENTS) for _part in range(rng.randint(0, 8)))
                        for _line in range(rng.randint(1, lines)))


def within_lines(match):
    return match is None or "\n" not in match.group(0)


def test_release_parsers_find_what_the_patterns_found():
    checked = 0
    for text in random_texts(1, 20000):
        assert kernel_probe.release_tokens(text) == oracle("tokens")(text), repr(text)
        assert kernel_probe._has_rt_release(text) == oracle("rt")(text), repr(text)  # pylint: disable=protected-access
        assert kernel_probe.saved_debian_release(text) == oracle("debian")(text), repr(text)
        if text and "\n" not in text and "\r" not in text and "\u2028" not in text:
            assert kernel_probe.split_flavour(text) == oracle("flavour")(text), repr(text)
            checked += 1
    assert checked > 10000


def test_boot_file_parsers_find_what_the_patterns_found(tmp_path):
    compared = {"saved": 0, "bls": 0, "grub_cfg": 0}
    for text in random_texts(2, 6000, lines=5):
        saved = oracle("saved")(text)
        expected = saved.group(1).strip() or None if saved else None
        write(tmp_path, "/boot/grub/grubenv", text)
        assert kernel_probe._grubenv_saved_entry(str(tmp_path)) == expected, repr(text)  # pylint: disable=protected-access
        compared["saved"] += expected is not None
        linux, version = oracle("bls_linux")(text), oracle("bls_version")(text)
        if within_lines(linux) and (linux or within_lines(version)):
            lines = text.split("\n")
            found = next((r for r in (kernel_probe.vmlinuz_release(kernel_probe.word_after(line, "linux"))
                                      for line in lines) if r), None)
            if found is None:
                found = next((w for w in (kernel_probe.word_after(line, "version") for line in lines) if w), None)
            assert found == (linux or version).group(1) if (linux or version) else found is None, repr(text)
            compared["bls"] += found is not None
        first = oracle("grub_cfg")(text)
        if within_lines(first):
            write(tmp_path, "/boot/grub/grub.cfg", text)
            release = kernel_probe._grub_cfg_default(str(tmp_path), None)[0]  # pylint: disable=protected-access
            assert release == (first.group(1) if first else None), repr(text)
            compared["grub_cfg"] += release is not None
    assert min(compared.values()) > 200, compared


def test_paths_matching_lists_what_glob_lists(tmp_path):
    import glob
    for name in ("a.conf", ".hidden.conf", ".conf", "b.conf.bak", "c.CONF", "vmlinuz-", "vmlinuz-6.1", "vmlinuz",
                 "xvmlinuz-1"):
        write(tmp_path, "/d/" + name)
    os.makedirs(str(tmp_path / "d" / "dir.conf"))
    directory = str(tmp_path / "d")
    for prefix, suffix, pattern in (("", ".conf", "*.conf"), ("vmlinuz-", "", "vmlinuz-*")):
        assert sorted(kernel_probe.paths_matching(directory, prefix, suffix)) == \
            sorted(glob.glob(os.path.join(directory, pattern)))
    assert kernel_probe.paths_matching(str(tmp_path / "missing"), "") == []
