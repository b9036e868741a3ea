# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.secure_endpoint.linux.plugins.filter import controller_dir
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import controller_paths as cp


def collection(tmp_path, marker="MANIFEST.json"):
    root = tmp_path / "coll" / "ansible_collections" / "secure_endpoint" / "linux"
    (root / "playbooks").mkdir(parents=True)
    if marker:
        (root / marker).write_text(u"{}")
    return root


def test_absolute_paths_are_kept_anywhere(tmp_path):
    root = collection(tmp_path)
    assert cp.resolve("/srv/reports/", str(root / "playbooks"), "x") == "/srv/reports"
    assert cp.resolve("/srv/a/../reports", None, "x") == "/srv/reports"


def test_relative_paths_are_under_the_playbook_directory_never_pwd(tmp_path, monkeypatch):
    monkeypatch.chdir(str(tmp_path))
    project = tmp_path / "project"
    assert cp.resolve("secure_endpoint_reports", str(project), "x") == str(project / "secure_endpoint_reports")
    assert cp.resolve("../out", str(project), "x") == str(tmp_path / "out")


@pytest.mark.parametrize("marker", ["MANIFEST.json", "galaxy.yml"])
def test_relative_paths_in_an_installed_collection_name_the_variable_to_set(tmp_path, marker):
    root = collection(tmp_path, marker)
    with pytest.raises(cp.ControllerPathError) as error:
        cp.resolve("secure_endpoint_reports", str(root / "playbooks"), "secure_endpoint_report_dir")
    message = str(error.value)
    assert "secure_endpoint_report_dir is relative (secure_endpoint_reports)" in message
    assert "installed collection secure_endpoint.linux (%s)" % root in message
    assert "-e secure_endpoint_report_dir=/" in message
    assert cp.installed_collection(str(root / "playbooks" / "sub")) == (str(root), "secure_endpoint.linux")


def test_a_directory_named_ansible_collections_is_not_a_collection_by_its_name_alone(tmp_path):
    root = collection(tmp_path, marker=None)
    assert cp.installed_collection(str(root / "playbooks")) is None
    assert cp.resolve("out", str(root / "playbooks"), "x") == str(root / "playbooks" / "out")
    assert cp.installed_collection(str(tmp_path / "ansible_collections")) is None


def test_empty_and_unknown_playbook_dir_are_errors():
    for value in (None, "", "  "):
        with pytest.raises(cp.ControllerPathError, match="x is empty"):
            cp.resolve(value, "/p", "x")
    with pytest.raises(cp.ControllerPathError, match="playbook's directory is unknown"):
        cp.resolve("rel", None, "x")


def test_filter(tmp_path):
    assert controller_dir.controller_dir("r", str(tmp_path), "v") == os.path.join(str(tmp_path), "r")
    root = collection(tmp_path)
    with pytest.raises(AnsibleFilterError, match="Set v to an absolute path"):
        controller_dir.controller_dir("r", str(root / "playbooks"), "v")
    for block in (controller_dir.DOCUMENTATION, controller_dir.EXAMPLES, controller_dir.RETURN):
        assert yaml.safe_load(block)
    assert list(controller_dir.FilterModule().filters()) == ["controller_dir"]
