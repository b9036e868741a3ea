# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault 16 from user-supplied data: Cisco's kernel compatibility table is not machine-readable.

Data: a list of ``{connector: SPEC, kernels: [GLOB, ...]}``. The entries whose ``connector``
spec matches the installed version say which kernels it supports. No matching entry (or no
data, or an unknown version) means "not known": never a detection.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import version as versions


def evaluate(data, connector_version, release):
    """``{known, compatible (bool|None), matched [str], error, version, release}``."""
    result = {"known": False, "compatible": None, "matched": [], "error": None,
              "version": connector_version, "release": release}
    if not data or not connector_version or not release:
        return result
    patterns = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or "connector" not in entry or not isinstance(entry.get("kernels"), list):
            result["error"] = "kernel_compat[%d]: needs 'connector' and a list 'kernels'" % index
            return result
        try:
            if versions.matches(connector_version, entry["connector"]):
                patterns.extend(str(p) for p in entry["kernels"])
        except ValueError as exc:
            result["error"] = "kernel_compat[%d]: %s" % (index, exc)
            return result
    if not patterns:
        return result
    result["known"] = True
    import fnmatch  # here: it imports re, a cost for every fact run without a compatibility table
    result["matched"] = [p for p in patterns if fnmatch.fnmatchcase(release, p)]
    result["compatible"] = bool(result["matched"])
    if not result["compatible"]:
        result["matched"] = ["supported: %s" % ", ".join(patterns[:8])]
    return result
