# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the inventory plugin for real (plugin loader, config file, options) against the fake API."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest
import yaml

from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.secure_endpoint.linux.tests.fake_api.pytest_fixture import (  # noqa: F401 pylint: disable=unused-import
    API_KEY, CLIENT_ID, fake_api)


class Messages:
    """Stands in for the plugin's Display: records every message by level."""

    def __init__(self):
        self.lines = []

    def __getattr__(self, level):
        return lambda message, *args, **kwargs: self.lines.append((level, str(message)))

    def of(self, level):
        return [text for lvl, text in self.lines if lvl == level]


class Run:
    def __init__(self, inventory, plugin, messages, sleeps):
        self.inventory = inventory
        self.plugin = plugin
        self.messages = messages
        self.sleeps = sleeps

    def hosts(self, group="all"):
        return sorted(h.name for h in self.inventory.groups[group].get_hosts())

    def vars(self, host):
        return self.inventory.get_host(host).get_vars()


@pytest.fixture
def run_inventory(fake_api, tmp_path):
    """``run(config=None, cache=True, credentials=True, name=...)`` parses a config file, returns a Run."""

    def run(config=None, cache=True, credentials=True, name="se.computers.yml", extra_yaml="", loader=None):
        data = {"plugin": "secure_endpoint.linux.computers", "api_url": fake_api.url}
        if credentials:
            data.update(client_id=CLIENT_ID, api_key=API_KEY)
        data.update(config or {})
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data) + extra_yaml)
        plugin = inventory_loader.get("secure_endpoint.linux.computers")
        sleeps, messages = [], Messages()
        plugin._sleep = sleeps.append
        plugin.display = messages
        inventory = InventoryData()
        assert plugin.verify_file(str(path))
        plugin.parse(inventory, loader or DataLoader(), str(path), cache=cache)
        # as the inventory manager does after parse
        if getattr(plugin, "_cache", None) is not None:
            plugin.update_cache_if_changed()
        inventory.reconcile_inventory()
        return Run(inventory, plugin, messages, sleeps)

    return run


@pytest.fixture
def configured(tmp_path):
    """``configured(config)``: a plugin that has read a config file (no request made yet)."""

    def configure(config):
        path = tmp_path / "x.computers.yml"
        path.write_text(yaml.safe_dump(dict({"plugin": "secure_endpoint.linux.computers", "client_id": "id-1",
                                             "api_key": "key-1"}, **config)))
        plugin = inventory_loader.get("secure_endpoint.linux.computers")
        plugin.display = Messages()
        plugin.loader, plugin._vars = DataLoader(), {}
        plugin._read_config_data(str(path))
        return plugin

    return configure
