# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ansible-inventory, in its own process, against the fake API."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import json
import os
import subprocess
import sys

import pytest
import yaml

import ansible_collections.secure_endpoint.linux as collection
from ansible_collections.secure_endpoint.linux.tests.fake_api.pytest_fixture import API_KEY, CLIENT_ID

SECRETS = (API_KEY, base64.b64encode(("%s:%s" % (CLIENT_ID, API_KEY)).encode()).decode())


def ansible_inventory():
    """The ansible-inventory of this Python environment (its console script, else the same module)."""
    script = os.path.join(os.path.dirname(sys.executable), "ansible-inventory")
    return [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "ansible.cli.inventory"]


@pytest.fixture
def cli(fake_api, tmp_path):
    """``cli(*args, config=None, env=None)`` runs ansible-inventory -i <tmp>/se.computers.yml *args."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(list(collection.__path__)[0])))

    def run(*args, **kwargs):
        config = {"plugin": "secure_endpoint.linux.computers", "api_url": fake_api.url}
        config.update(kwargs.get("config") or {})
        source = tmp_path / "se.computers.yml"
        source.write_text(yaml.safe_dump(config))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root, ANSIBLE_HOME=str(tmp_path / "home"),
                   ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1",
                   SECURE_ENDPOINT_CLIENT_ID=CLIENT_ID, SECURE_ENDPOINT_API_KEY=API_KEY)
        env.pop("ANSIBLE_INVENTORY_ENABLED", None)  # the default 'auto' finds the plugin by the file's 'plugin:'
        env.update(kwargs.get("env") or {})
        return subprocess.run(ansible_inventory() + ["-i", str(source)] + list(args), env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    return run


def test_graph_and_list_with_cache(cli, fake_api, tmp_path):
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
             "compose": {"ansible_host": "secure_endpoint_console_internal_ips[0]"}}
    graph = cli("--graph", "-vvvv", config=cache)
    assert graph.returncode == 0, graph.stderr
    assert "@secure_endpoint_with_faults:" in graph.stdout and "|--web1.example.com" in graph.stdout
    assert "win1.example.com" not in graph.stdout  # only Linux by default
    assert len(fake_api.requests) == 1
    listed = cli("--list", "-vvvv", "--output", str(tmp_path / "list.json"), config=cache)
    assert listed.returncode == 0, listed.stderr
    assert len(fake_api.requests) == 1  # served from the inventory cache
    data = json.loads((tmp_path / "list.json").read_text())
    web1 = data["_meta"]["hostvars"]["web1.example.com"]
    # Console values are marked unsafe (never templated) in ansible-inventory's output too.
    assert web1["secure_endpoint_console_hostname"] == {"__ansible_unsafe": "web1.example.com"}
    assert web1["ansible_host"] == {"__ansible_unsafe": "10.0.0.11"}
    assert web1["secure_endpoint_console_has_faults"] is True
    assert sorted(data["secure_endpoint_stale"]["hosts"]) == ["batch1.example.com"]
    flushed = cli("--list", "--flush-cache", config=cache)
    assert flushed.returncode == 0 and len(fake_api.requests) == 2
    cached = "".join((tmp_path / "cache" / name).read_text() for name in os.listdir(tmp_path / "cache"))
    outputs = (graph.stdout, graph.stderr, listed.stdout, listed.stderr, flushed.stdout, flushed.stderr, cached,
               (tmp_path / "list.json").read_text())
    for output in outputs:
        assert not any(secret in output for secret in SECRETS)


def test_wrong_key_fails_clearly_without_showing_it(cli, fake_api):
    wrong = "wrong-key-that-must-not-be-shown"
    result = cli("--graph", "-vvvv", env={"SECURE_ENDPOINT_API_KEY": wrong, "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"})
    assert result.returncode != 0
    assert "rejected client id 'fake-client-id': HTTP 401 Unknown API key or Client ID" in result.stderr
    assert wrong not in result.stdout + result.stderr
    assert base64.b64encode(("%s:%s" % (CLIENT_ID, wrong)).encode()).decode() not in result.stdout + result.stderr
