# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import kernel_compat

DATA = [
    {"connector": "1.24", "kernels": ["5.14.0-*.el9*", "4.18.0-*.el8*", "6.1.0-*-amd64"]},
    {"connector": ">=1.25", "kernels": ["*"]},
]


def test_supported():
    result = kernel_compat.evaluate(DATA, "1.24.3", "6.1.0-18-amd64")
    assert result["known"] and result["compatible"] and result["matched"] == ["6.1.0-*-amd64"]


def test_not_supported():
    result = kernel_compat.evaluate(DATA, "1.24.3", "6.18.44-fc-v657")
    assert result["known"] and result["compatible"] is False
    assert result["matched"][0].startswith("supported: 5.14.0-*.el9*")


def test_unknown_without_matching_entry_or_data():
    assert kernel_compat.evaluate(DATA, "1.20.0", "6.1.0-18-amd64")["compatible"] is None
    assert kernel_compat.evaluate([], "1.24.3", "6.1.0-18-amd64")["known"] is False
    assert kernel_compat.evaluate(DATA, None, "6.1.0-18-amd64")["compatible"] is None


def test_bad_data_is_an_error_not_a_verdict():
    result = kernel_compat.evaluate([{"connector": "~1.24", "kernels": []}], "1.24.3", "6.1.0")
    assert result["error"] and result["compatible"] is None
    result = kernel_compat.evaluate([{"kernels": ["*"]}], "1.24.3", "6.1.0")
    assert result["error"] and result["compatible"] is None
