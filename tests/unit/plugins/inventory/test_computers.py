# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""secure_endpoint.linux.computers parsing real config files against the fake API over HTTP."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest
import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.parsing import vault
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 templates every string
    def trust_as_template(value):
        return value

from ansible_collections.secure_endpoint.linux.plugins.inventory import computers as plugin_module
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import computer_records, console_api
from ansible_collections.secure_endpoint.linux.tests.fake_api.pytest_fixture import API_KEY, CLIENT_ID

LINUX_HOSTS = ["10.0.0.50", "EDGE-01.Example.COM", "app1.example.com", "batch1.example.com", "db1.example.com",
               "lab1.example.com", "odd1.example.com", "web1.example.com"]
P = "secure_endpoint_console_"


def test_builtin_groups(run_inventory):
    run = run_inventory()
    assert run.hosts() == LINUX_HOSTS
    assert run.hosts("secure_endpoint_with_faults") == [
        "EDGE-01.Example.COM", "app1.example.com", "batch1.example.com", "web1.example.com"]
    assert run.hosts("secure_endpoint_isolated") == ["EDGE-01.Example.COM", "app1.example.com"]
    assert run.hosts("secure_endpoint_compromised") == ["batch1.example.com"]
    # the old lab1 connector (seen 10 days ago) is left out for the one seen 20 minutes ago
    assert run.hosts("secure_endpoint_stale") == ["batch1.example.com"]
    assert run.hosts("secure_endpoint_version_1_22_1_900") == ["app1.example.com", "batch1.example.com"]
    assert run.hosts("secure_endpoint_policy_audit_policy_for_fireamp_linux") == [
        "10.0.0.50", "app1.example.com", "lab1.example.com"]
    assert run.hosts("secure_endpoint_group_databases") == ["db1.example.com"]
    assert run.hosts("secure_endpoint_group_lab_test") == ["10.0.0.50", "lab1.example.com"]


def test_host_vars_are_the_console_facts_under_one_prefix(run_inventory, fake_api):
    raw = {c["connector_guid"]: c for c in fake_api.computers}
    run = run_inventory()
    web1 = run.vars("web1.example.com")
    assert web1[P + "internal_ips"] == ["10.0.0.11", "172.17.0.1"]  # " 10.0.0.11", "  172.17.0.1 " in the API
    assert web1[P + "faults"] == raw[web1[P + "guid"]]["faults"]
    assert web1[P + "has_faults"] is True and web1[P + "stale"] is False and web1[P + "isolated"] is False
    assert web1[P + "policy"] == {"guid": "89662bda-5f41-4f1e-b5a1-0ef2a1b2c3d4", "name": "Linux Server Policy"}
    assert web1[P + "version"] == "1.24.3.1021" and web1[P + "last_seen"] == raw[web1[P + "guid"]]["last_seen"]
    assert sorted(k for k in web1 if k.startswith(P)) == sorted(P + k for k in computer_records.host_vars({}, None, 1))
    odd = run.vars("odd1.example.com")  # no faults key, last_seen not a date, nulls: unknown, not broken
    assert (odd[P + "faults"], odd[P + "has_faults"], odd[P + "stale"], odd[P + "isolated"]) == (None, None, None, None)
    assert run.vars("lab1.example.com")[P + "duplicates"] == ["1f0c5b0e-8a2d-4c6b-9d1e-0a1b2c3d4e06"]
    assert any("2 connectors are named lab1.example.com" in w for w in run.messages.of("warning"))


def test_prefixes_and_switches(run_inventory):
    run = run_inventory({"vars_prefix": "se_", "group_prefix": "console_", "only_linux": False,
                         "hostnames": ["internal_ip", "hostname"], "stale_hours": 400})
    assert "10.0.4.71" in run.hosts() and "10.0.4.81" in run.hosts()  # win1, mac1 by address
    assert "console_with_faults" in run.inventory.groups and "console_stale" not in run.inventory.groups
    assert run.vars("10.0.0.11")["se_hostname"] == "web1.example.com"
    run = run_inventory({"builtin_groups": False})
    assert sorted(run.inventory.groups) == ["all", "ungrouped"]


def test_server_side_filters_reach_the_api(run_inventory, fake_api):
    run = run_inventory({"filters": {"hostname": ["web1.example.com", "app1.example.com"],
                                     "group_guid": ["5cdf70dd-1b14-46a0-be90-e08da14172d8"],
                                     "last_seen_within": 3 * 3600}})
    assert run.hosts() == ["app1.example.com", "web1.example.com"]
    query = fake_api.requests_to("/v1/computers")[0]["query"]
    assert query["hostname[]"] == ["web1.example.com", "app1.example.com"]
    assert query["group_guid[]"] == ["5cdf70dd-1b14-46a0-be90-e08da14172d8"]
    assert query["last_seen_within"] == ["10800"] and query["limit"] == ["500"]
    run = run_inventory({"filters": {"internal_ip": "10.0.0.31", "last_seen_over": 0}})
    assert run.hosts() == ["app1.example.com"]


@pytest.mark.parametrize("filters, message", [
    ({"bogus": 1}, "unknown filters: bogus"),
    ({"hostname": [""]}, "filters.hostname must be a list of non-empty strings"),
    ({"last_seen_within": "1d"}, "filters.last_seen_within must be a whole number of seconds"),
    ({"last_seen_over": -5}, "filters.last_seen_over must be a whole number of seconds"),
    ({"internal_ip": ["10.0.0.1"]}, "filters.internal_ip must be a non-empty string"),
])
def test_bad_filters_are_refused_before_any_request(run_inventory, fake_api, filters, message):
    with pytest.raises(AnsibleParserError, match=message):
        run_inventory({"filters": filters})
    assert fake_api.requests == []


def test_pages_follow_next_links(run_inventory, fake_api):
    run = run_inventory({"page_size": 5})
    assert run.hosts() == LINUX_HOSTS
    assert [r["query"]["offset"] for r in fake_api.requests_to("/v1/computers")] == [["0"], ["5"], ["10"]]
    with pytest.raises(AnsibleParserError, match="page_size must be between 1 and 500, got 501"):
        run_inventory({"page_size": 501})


def test_inventory_cache_serves_the_second_run_without_a_request(run_inventory, fake_api, tmp_path):
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}
    first = run_inventory(cache)
    assert len(fake_api.requests) == 1
    fake_api.set_computers([])  # the console changes: a cached run must not see it
    second = run_inventory(cache)
    assert len(fake_api.requests) == 1 and second.hosts() == first.hosts() == LINUX_HOSTS
    # --flush-cache (cache=False) asks again and refreshes the cache
    assert run_inventory(cache, cache=False).hosts() == [] and len(fake_api.requests) == 2
    assert run_inventory(cache).hosts() == [] and len(fake_api.requests) == 2
    # other filters, another API or client id: another cache entry
    run_inventory(dict(cache, filters={"internal_ip": "10.0.0.11"}))
    assert len(fake_api.requests) == 3
    stored = "".join(open(os.path.join(tmp_path / "cache", f)).read() for f in os.listdir(tmp_path / "cache"))
    assert API_KEY not in stored and CLIENT_ID not in stored


def test_credentials_from_the_environment(run_inventory, fake_api, monkeypatch):
    monkeypatch.setenv("SECURE_ENDPOINT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SECURE_ENDPOINT_API_KEY", API_KEY)
    assert run_inventory(credentials=False).hosts() == LINUX_HOSTS
    assert fake_api.requests[0]["client_id"] == CLIENT_ID


def test_a_vaulted_api_key_is_decrypted(run_inventory, fake_api, monkeypatch):
    secret = VaultSecret(b"vault-pass-for-tests")
    encrypted = VaultLib([("default", secret)]).encrypt(API_KEY).decode()
    loader = DataLoader()
    loader.set_vault_secrets([("default", secret)])
    if hasattr(vault, "VaultSecretsContext"):  # ansible-core >= 2.19 decrypts lazily from this context
        monkeypatch.setattr(vault.VaultSecretsContext, "_current", vault.VaultSecretsContext([("default", secret)]))
    extra = "api_key: !vault |\n" + "".join("  %s\n" % line for line in encrypted.splitlines())
    run = run_inventory({"client_id": CLIENT_ID}, credentials=False, extra_yaml=extra, loader=loader)
    assert run.hosts() == LINUX_HOSTS and fake_api.requests[0]["client_id"] == CLIENT_ID


def test_missing_credentials_are_a_clear_error(run_inventory, fake_api, monkeypatch):
    monkeypatch.delenv("SECURE_ENDPOINT_CLIENT_ID", raising=False)
    monkeypatch.delenv("SECURE_ENDPOINT_API_KEY", raising=False)
    with pytest.raises(AnsibleParserError, match="client_id and api_key are required"):
        run_inventory(credentials=False)
    assert fake_api.requests == []


@pytest.mark.parametrize("config, expected", [
    ({"api_key": "not-the-key-xyz"}, "(api_url) rejected client id 'fake-client-id': HTTP 401 Unknown API key"),
    ({"client_id": "someone-else"}, "rejected client id 'someone-else': HTTP 401"),
])
def test_401_is_clear_and_never_shows_the_key(run_inventory, fake_api, config, expected):
    with pytest.raises(AnsibleParserError) as err:
        run_inventory(config)
    text = str(err.value)
    assert expected in text and fake_api.url in text
    assert API_KEY not in text and "not-the-key-xyz" not in text
    assert len(fake_api.requests) == 1  # not retried


def test_429_waits_for_the_reset_the_api_announces(run_inventory, fake_api):
    fake_api.inject("/v1/computers", status=429, headers={"X-RateLimit-Reset": "5", "X-RateLimit-Remaining": "0"})
    run = run_inventory()
    assert run.hosts() == LINUX_HOSTS and run.sleeps == [6.0]
    assert any("HTTP 429" in w and "retrying in 6.0 s" in w for w in run.messages.of("warning"))
    assert all(API_KEY not in line[1] for line in run.messages.lines)


def test_an_api_that_keeps_lying_fails_cleanly(run_inventory, fake_api):
    fake_api.inject("/v1/computers", status=200, body="<html>maintenance</html>", times=-1)
    with pytest.raises(AnsibleParserError, match=r"the answer is not JSON \(HTTP 200, 24 bytes\).*gave up after 3"):
        run_inventory({"retries": 2})
    assert len(fake_api.requests) == 3


def test_odd_records_never_crash(run_inventory, fake_api):
    fake_api.set_computers([
        "not a computer", None, 42,
        {"connector_guid": "g1", "hostname": "weird1", "operating_system": "Linux", "faults": "3 faults",
         "internal_ips": {"a": 1}, "groups": [None, "x", {"name": 5}], "isolation": "isolated",
         "policy": "p", "is_compromised": "true", "last_seen": 1795000000, "connector_version": 1.2},
        {"connector_guid": "g2", "hostname": "weird2", "os_version": "Ubuntu", "faults": [[], {}, None, 1.5, "x"]},
    ])
    run = run_inventory()
    assert run.hosts() == ["weird1", "weird2"]
    assert run.hosts("secure_endpoint_with_faults") == ["weird2"]
    assert run.vars("weird1")[P + "faults"] == "3 faults" and run.vars("weird1")[P + "has_faults"] is None
    for group in ("isolated", "compromised", "stale"):
        assert "secure_endpoint_" + group not in run.inventory.groups
    assert any("3 item(s) of the API's answer are not computer objects" in w for w in run.messages.of("warning"))


def test_empty_console_gives_an_empty_inventory(run_inventory, fake_api):
    fake_api.set_computers([])
    assert run_inventory().hosts() == []


def test_constructed_features(run_inventory):
    run = run_inventory({
        "compose": {"ansible_host": P + "internal_ips[0]"},
        "groups": {"needs_attention": P + "has_faults or " + P + "is_compromised"},
        "keyed_groups": [{"key": P + "isolation_status | default('unknown', true)", "prefix": "isolation"}],
    })
    assert run.vars("web1.example.com")["ansible_host"] == "10.0.0.11"
    assert run.hosts("needs_attention") == [
        "EDGE-01.Example.COM", "app1.example.com", "batch1.example.com", "web1.example.com"]
    assert run.hosts("isolation_pending_start") == ["EDGE-01.Example.COM"]
    assert run.hosts("isolation_unknown") == ["odd1.example.com"]


def test_strict_makes_a_bad_expression_an_error(run_inventory):
    bad = {"compose": {"x": P + "no_such_var.attr"}}
    assert "x" not in run_inventory(bad).vars("web1.example.com")
    with pytest.raises(AnsibleError):
        run_inventory(dict(bad, strict=True))


def test_console_values_are_never_templated(run_inventory, fake_api, tmp_path):
    evil = "{{ lookup('ansible.builtin.pipe', 'touch %s') }}" % (tmp_path / "pwned")
    fake_api.set_computers([{"connector_guid": "g-evil", "hostname": "evil", "operating_system": "Linux",
                             "os_version": evil, "faults": [evil]}])
    run = run_inventory({"compose": {"shown": P + "os_version"}})
    host_vars = run.vars("evil")
    templar = Templar(loader=DataLoader(), variables=host_vars)
    assert templar.template(trust_as_template("{{ shown }}")) == evil
    assert templar.template(trust_as_template("{{ %sfaults[0] }}" % P)) == evil
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("name, accepted", [
    ("se.computers.yml", True), ("computers.yaml", True), ("prod_computers.yml", True),
    ("computers.yml.bak", False), ("se.yml", False), ("hosts.ini", False),
])
def test_verify_file(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: secure_endpoint.linux.computers\n")
    assert inventory_loader.get("secure_endpoint.linux.computers").verify_file(str(path)) is accepted


def test_verify_file_refuses_a_fifo_without_reading_it(tmp_path):
    fifo = tmp_path / "se.computers.yml"
    os.mkfifo(str(fifo))
    assert inventory_loader.get("secure_endpoint.linux.computers").verify_file(str(fifo)) is False


def test_documented_choices_are_the_code_s():
    doc = yaml.safe_load(plugin_module.DOCUMENTATION)["options"]
    assert sorted(doc["filters"]["suboptions"]) == sorted(plugin_module.FILTERS)
    assert tuple(doc["hostnames"]["choices"]) == computer_records.HOSTNAME_SOURCES
    fragment = yaml.safe_load(__import__(
        "ansible_collections.secure_endpoint.linux.plugins.doc_fragments.console_api",
        fromlist=["ModuleDocFragment"]).ModuleDocFragment.DOCUMENTATION)["options"]
    assert sorted(fragment["region"]["choices"]) == sorted(console_api.REGIONS)
    assert doc["page_size"]["default"] == console_api.MAX_PAGE_SIZE
    documented_vars = set(" ".join(doc["vars_prefix"]["description"]).replace("C(", " ").replace(")", " ")
                          .replace(",", " ").replace(".", " ").split())
    assert set(computer_records.host_vars({}, None, 1)) <= documented_vars


def test_cache_fingerprint_changes_with_what_the_answer_depends_on():
    base = plugin_module.cache_fingerprint("https://a", "id", [("hostname[]", "x")], 500)
    assert base == plugin_module.cache_fingerprint("https://a", "id", [("hostname[]", "x")], 500)
    for other in (("https://b", "id", [("hostname[]", "x")], 500), ("https://a", "id2", [("hostname[]", "x")], 500),
                  ("https://a", "id", [], 500), ("https://a", "id", [("hostname[]", "x")], 100)):
        assert plugin_module.cache_fingerprint(*other) != base
    assert "id" not in json.dumps(base)


def test_403_names_client_id_and_is_not_retried(run_inventory, fake_api):
    fake_api.credentials["no-scope"] = {"api_key": "no-scope-key-42", "scope": "none"}
    with pytest.raises(AnsibleParserError) as err:
        run_inventory({"client_id": "no-scope", "api_key": "no-scope-key-42"})
    assert "refused client id 'no-scope' access to /v1/computers: HTTP 403" in str(err.value)
    assert "no-scope-key-42" not in str(err.value) and len(fake_api.requests) == 1


@pytest.mark.parametrize("config, base, where", [
    ({}, "https://api.amp.cisco.com", "(region nam)"),
    ({"region": "eu"}, "https://api.eu.amp.cisco.com", "(region eu)"),
    ({"region": "apjc"}, "https://api.apjc.amp.cisco.com", "(region apjc)"),
    ({"region": "eu", "api_url": "https://gw.example.com/se/"}, "https://gw.example.com/se", "(api_url)"),
])
def test_region_or_api_url_is_what_errors_name(configured, config, base, where):
    client = configured(config)._client()
    assert client.base == base and client.where() == "Secure Endpoint API %s %s" % (base, where)


def test_plain_http_to_another_host_is_warned_about(configured):
    plugin = configured({"api_url": "http://se-gateway.example.com"})
    plugin._client()
    assert any("plain http" in w for w in plugin.display.of("warning"))
    plugin = configured({"api_url": "http://127.0.0.1:8080"})
    plugin._client()
    assert plugin.display.of("warning") == []


def test_region_from_the_environment(configured, monkeypatch):
    monkeypatch.setenv("SECURE_ENDPOINT_REGION", "apjc")
    assert configured({})._client().base == "https://api.apjc.amp.cisco.com"


@pytest.mark.parametrize("config, message", [
    ({"hostnames": ["fqdn"]}, r"Invalid value \[.fqdn.\] for config .hostnames."),
    ({"hostnames": []}, "hostnames must be a list of"),
    ({"timeout": 0}, "timeout must be at least 1, got 0"),
    ({"retries": -1}, "retries must be at least 0"),
    ({"stale_hours": -2}, "stale_hours must be at least 0"),
    ({"api_url": "ftp://x"}, "api_url must be an http:// or https:// URL"),
])
def test_bad_options_are_refused_before_any_request(run_inventory, fake_api, config, message):
    with pytest.raises(AnsibleError, match=message):
        run_inventory(config)
    assert fake_api.requests == []


def test_a_corrupt_cache_entry_is_replaced_from_the_api(run_inventory, fake_api, tmp_path):
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}
    first = run_inventory(cache)
    (key,) = [k for k in first.plugin._cache.keys() if k.startswith("secure_endpoint.linux.computers")]
    first.plugin._cache[key] = {"not": "a list"}  # stored through the cache plugin, in its own format
    first.plugin.update_cache_if_changed()
    run = run_inventory(cache)
    assert run.hosts() == LINUX_HOSTS and len(fake_api.requests) == 2
    assert any("cache entry is not a list" in w for w in run.messages.of("warning")), run.messages.lines
    assert run_inventory(cache).hosts() == LINUX_HOSTS and len(fake_api.requests) == 2
