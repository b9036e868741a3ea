# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import version


@pytest.mark.parametrize("left,right,expected", [
    ("1.24.3", "1.25", -1), ("1.25", "1.25.0", 0), ("1.25.0.1098", "1.25", 1), ("1.9", "1.10", -1),
    ("1.16.0", "1.15.1", 1),
])
def test_compare(left, right, expected):
    assert version.compare(left, right) == expected


def test_at_least():
    assert version.at_least("1.25.1", "1.25") is True
    assert version.at_least("1.24.3", "1.25") is False
    assert version.at_least(None, "1.25") is None


@pytest.mark.parametrize("spec,matching,not_matching", [
    ("*", ["1.0", "9.9.9"], []),
    ("1.24", ["1.24", "1.24.3", "1.24.3.1098"], ["1.240.1", "1.25.0", "1.2"]),
    ("1.24.*", ["1.24.0", "1.24.9"], ["1.25.0"]),
    (">=1.22, <1.25", ["1.22", "1.24.9"], ["1.21.9", "1.25.0"]),
    ("==1.24.3", ["1.24.3", "1.24.3.0"], ["1.24.4"]),
    ("!=1.24.3", ["1.24.4"], ["1.24.3"]),
])
def test_matches(spec, matching, not_matching):
    assert all(version.matches(v, spec) for v in matching)
    assert not any(version.matches(v, spec) for v in not_matching)


def test_matches_rejects_bad_spec():
    with pytest.raises(ValueError):
        version.matches("1.24.3", "~>1.24")


@pytest.mark.parametrize("text,expected", [
    ('<?xml version="1.0"?>\n<config><agent><version>1.24.3.1098</version></agent></config>', "1.24.3.1098"),
    ('<?xml version="1.0" encoding="UTF-8"?><global><agent_version>1.25.0</agent_version></global>', "1.25.0"),
    ('<?xml version="1.0"?><connector version="1.22.1"/>', "1.22.1"),
    ('<!-- version="9.9" --><root><ns:Version> 1.16.0 </ns:Version></root>', "1.16.0"),
    ('<?xml version="1.0"?><config><policy_version>12</policy_version></config>', None),
    ("", None),
])
def test_global_xml(text, expected):
    assert version.version_from_global_xml(text) == expected


def test_read_global_xml(tmp_path):
    path = tmp_path / "global.xml"
    assert version.read_global_xml_version(str(path)) == (None, None)
    path.write_text("<config><version>1.24.3</version></config>")
    assert version.read_global_xml_version(str(path)) == ("1.24.3", None)
    path.write_bytes(b"\x00\xff garbage")
    found, error = version.read_global_xml_version(str(path))
    assert found is None and error.startswith("no version")
