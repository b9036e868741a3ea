# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import fs_modes


@pytest.fixture
def tree(tmp_path):
    amp = tmp_path / "opt" / "cisco" / "amp"
    for sub in ("bin", "etc", "clamav"):
        (amp / sub).mkdir(parents=True)
    for path in (tmp_path / "opt" / "cisco", amp, amp / "bin", amp / "etc", amp / "clamav"):
        path.chmod(0o755)
    (amp / "bin" / "ampdaemon").write_text("")
    return amp


@pytest.mark.parametrize("text,value", [("0755", 0o755), ("755", 0o755), ("0o750", 0o750), (0o700, 0o700)])
def test_parse_mode(text, value):
    assert fs_modes.parse_mode(text) == value


@pytest.mark.parametrize("text", ["rwxr-xr-x", "0855", "", "99999"])
def test_parse_mode_rejects(text):
    with pytest.raises(ValueError):
        fs_modes.parse_mode(text)


def test_dirs_to_check(tree):
    paths = fs_modes.dirs_to_check(str(tree))
    assert paths == [str(tree.parent), str(tree)] + [str(tree / d) for d in ("bin", "clamav", "etc")]


def test_default_modes_are_clean(tree):
    assert fs_modes.check_modes(fs_modes.dirs_to_check(str(tree)), 0o755) == []


def test_changed_modes(tree):
    tree.parent.chmod(0o700)
    (tree / "etc").chmod(0o777)
    findings = fs_modes.check_modes(fs_modes.dirs_to_check(str(tree)), 0o755)
    assert [(f["path"], f["mode"]) for f in findings] == [(str(tree.parent), "0700"), (str(tree / "etc"), "0777")]
    assert findings[0]["problem"] == "mode 0700, expected 0755"


def test_symlink_is_evidence_never_followed(tree, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    target.chmod(0o700)
    os.rename(str(tree / "clamav"), str(tmp_path / "old"))
    os.symlink(str(target), str(tree / "clamav"))
    findings = fs_modes.check_modes(fs_modes.dirs_to_check(str(tree)), 0o755)
    assert len(findings) == 1
    assert findings[0]["path"] == str(tree / "clamav")
    assert findings[0]["problem"] == "symlink -> %s (not followed)" % target
    assert findings[0]["mode"] is None


def test_display_maps_paths(tree, tmp_path):
    tree.chmod(0o750)
    findings = fs_modes.check_modes([str(tree)], 0o755, display=lambda p: p.replace(str(tmp_path), ""))
    assert findings[0]["path"] == "/opt/cisco/amp"


def test_missing_install_dir(tmp_path):
    paths = fs_modes.dirs_to_check(str(tmp_path / "opt" / "cisco" / "amp"))
    assert fs_modes.check_modes(paths, 0o755) == []


def test_directories_are_kept_before_any_limit(tree, monkeypatch):
    monkeypatch.setattr(fs_modes, "MAX_CHILDREN", 2)
    for index in range(300):
        (tree / ("a%03d" % index)).write_text("")
    (tree / "zz").mkdir()
    paths, notes = fs_modes.directories_to_check(str(tree))
    assert [os.path.basename(p) for p in paths[2:]] and len(paths) == 4
    assert notes == ["%s holds more than 2 directories: 2 were not checked" % tree]
    monkeypatch.setattr(fs_modes, "MAX_CHILDREN", 1000)
    paths, notes = fs_modes.directories_to_check(str(tree))
    assert [os.path.basename(p) for p in paths[2:]] == ["bin", "clamav", "etc", "zz"] and notes == []


def test_entry_limit_is_said(tree, monkeypatch):
    monkeypatch.setattr(fs_modes, "MAX_ENTRIES", 2)
    paths, notes = fs_modes.directories_to_check(str(tree))
    assert notes == ["%s holds more than 2 entries: only the first 2 were looked at for directories" % tree]


@pytest.mark.parametrize("value,mode", [(488, 0o750), ("0750", 0o750), (0o2755, 0o2755), (" 755 ", 0o755)])
def test_parse_mode_as_the_file_module(value, mode):
    assert fs_modes.parse_mode(value) == mode


@pytest.mark.parametrize("value", [True, None, -1, 0o10000, "u=rwx"])
def test_parse_mode_rejects_more(value):
    with pytest.raises(ValueError):
        fs_modes.parse_mode(value)
