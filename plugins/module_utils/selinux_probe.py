# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SELinux state for fault 19, read from files (no semodule: it is slow and may be absent)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import mmap
import os

from ansible_collections.secure_endpoint.linux.plugins.module_utils import host_files
from ansible_collections.secure_endpoint.linux.plugins.module_utils.host_files import read_text, under_root

CONNECTOR_MODULE = "cisco-secure-bpf"
DEFAULT_DOMAIN_TYPE = "unconfined_service_t"
# The policy store moved from /etc/selinux (policycoreutils < 2.7, EL7) to /var/lib/selinux.
STORE_ROOTS = ("/var/lib/selinux", "/etc/selinux")
TOOLS = ("semodule", "checkmodule", "semodule_package", "semanage")
TOOL_DIRS = ("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")


def parse_config(text):
    """``(SELINUX, SELINUXTYPE)`` from /etc/selinux/config, lower-cased, None when absent."""
    mode = policy_type = None
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip().strip("\"'").lower()
        if key.strip() == "SELINUX":
            mode = value
        elif key.strip() == "SELINUXTYPE":
            policy_type = value
    return mode, policy_type


def current_mode(root="/"):
    """``(mode, source)``: the running kernel's mode when selinuxfs is mounted, else the
    configured one (what the next boot gets); 'disabled' when neither exists."""
    enforce = read_text(under_root(root, "/sys/fs/selinux/enforce"), 16)
    if enforce is not None and enforce.strip() in ("0", "1"):
        return ("enforcing" if enforce.strip() == "1" else "permissive"), "kernel"
    mode = parse_config(read_text(under_root(root, "/etc/selinux/config")))[0]
    if mode:
        return mode, "config"
    return "disabled", "none"


def store_modules(policy_type, name=CONNECTOR_MODULE, root="/"):
    """Every entry of the policy store whose name matches ``name`` case-insensitively (the
    installer writes Cisco-Secure-BPF, docs write cisco-secure-bpf), at every priority:
    ``[{name, priority, enabled, path}]`` with the store's exact ``name``.

    An entry is a directory active/modules/<priority>/<name>; it is disabled when the marker
    file active/modules/disabled/<name> exists (libsemanage: one marker per exact name)."""
    wanted = name.lower()
    found = []
    for store in STORE_ROOTS:
        modules_dir = under_root(root, "%s/%s/active/modules" % (store, policy_type))
        try:
            priorities = os.listdir(modules_dir)
        except OSError:
            continue
        try:
            disabled = set(os.listdir(os.path.join(modules_dir, "disabled")))
        except OSError:
            disabled = set()
        for priority in sorted(p for p in priorities if p.isdigit()):
            try:
                names = os.listdir(os.path.join(modules_dir, priority))
            except OSError:
                continue
            for entry in sorted(names):
                if entry.lower() == wanted:
                    found.append({"name": entry, "priority": int(priority), "enabled": entry not in disabled,
                                  "path": "%s/%s/active/modules/%s/%s" % (store, policy_type, priority, entry)})
    found.sort(key=lambda m: (m["name"], -m["priority"], m["path"]))
    return found


def module_state(policy_type, name=CONNECTOR_MODULE, root="/"):
    """``{present, enabled, disabled_marker, paths, modules}`` of a policy module in the store,
    name compared case-insensitively: present when any entry matches, enabled when one of them
    is not disabled (``modules`` lists them, see ``store_modules``)."""
    modules = store_modules(policy_type, name, root)
    return {"present": bool(modules), "enabled": any(m["enabled"] for m in modules),
            "disabled_marker": any(not m["enabled"] for m in modules),
            "paths": sorted(m["path"] for m in modules), "modules": modules}


def type_in_policy(type_name, policy_type, root="/"):
    """True/False: is ``type_name`` declared in the binary policy? None when unreadable.

    Type names are stored as plain strings in the policy's symbol table; one scan through an
    mmap of the newest policy.N file is a few milliseconds and needs no tool."""
    candidates = host_files.paths_matching(under_root(root, "/etc/selinux/%s/policy" % policy_type), "policy.")
    if not candidates:
        return None
    newest = max(candidates, key=lambda p: int("".join(c for c in p.rsplit(".", 1)[-1] if c.isdecimal()) or 0))
    try:
        fd, info = host_files.open_regular(newest)  # never a FIFO or a device
    except OSError:
        return None
    try:
        if info.st_size == 0:
            return False
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as data:
            return data.find(type_name.encode("ascii")) >= 0
    except (IOError, OSError, ValueError):
        return None
    finally:
        os.close(fd)


def missing_tools(root="/"):
    """The SELinux tools a manual fix needs that are not installed (file probes, no PATH walk)."""
    missing = []
    for tool in TOOLS:
        if not any(os.path.exists(under_root(root, os.path.join(d, tool))) for d in TOOL_DIRS):
            missing.append(tool)
    return missing


def probe(root="/", module_name=CONNECTOR_MODULE, domain_type=DEFAULT_DOMAIN_TYPE, deep=None):
    """The facts' ``selinux`` entry. ``deep`` adds the policy scan and the tool check; by
    default they run only when fault 19 can matter (SELinux enforcing), to keep runs cheap."""
    mode, source = current_mode(root)
    if deep is None:
        deep = mode == "enforcing"
    policy_type = parse_config(read_text(under_root(root, "/etc/selinux/config")))[1]
    policy_type = policy_type or "targeted"
    state = module_state(policy_type, module_name, root)
    result = {"mode": mode, "mode_source": source, "policy_type": policy_type,
              "module_name": module_name, "module_present": state["present"],
              "module_enabled": state["enabled"], "module_paths": state["paths"],
              "modules": [dict((k, m[k]) for k in ("name", "priority", "enabled")) for m in state["modules"]],
              "domain_type": domain_type, "type_present": None, "tools_missing": None}
    if deep:
        result["type_present"] = type_in_policy(domain_type, policy_type, root)
        result["tools_missing"] = missing_tools(root)
    return result
