# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: computers
short_description: Hosts from the computers of a Cisco Secure Endpoint console
version_added: 1.1.0
description:
  - Builds an inventory from the computers (connectors) a Cisco Secure Endpoint console knows, through its
    API v1 (C(GET /v1/computers)), so that the hosts with connector faults can be remediated without first
    logging in to every host.
  - Only Linux connectors by default (O(only_linux)). Each host gets its console facts as variables under
    one prefix (O(vars_prefix)) and is put in built-in groups (O(builtin_groups)) - with faults, isolated,
    compromised, stale, per policy, per console group and per connector version - on top of what
    O(compose), O(groups) and O(keyed_groups) make.
  - The configuration file name must end in C(computers.yml) or C(computers.yaml).
  - Uses the inventory cache (O(cache)); the cached data are the computers the API answered (never the
    credentials), keyed by the configuration file, the API's URL, the client id and the filters.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - secure_endpoint.linux.console_api
notes:
  - "What the plugin relies on is public. Cisco's API reference
    (U(https://developer.cisco.com/docs/secure-endpoint/overview), U(https://api-docs.amp.cisco.com)):
    HTTP Basic authentication with the client id and API key, the answer
    C(Unknown API key or Client ID) with HTTP 401; the envelope
    C({version, metadata: {links: {self, next}, results: {total, current_item_count, index, items_per_page}}, data});
    C(limit) (at most 500) and C(offset) paging, following C(metadata.links.next); the filters
    C(hostname[]), C(internal_ip), C(external_ip), C(group_guid[]), C(last_seen_within), C(last_seen_over);
    the rate-limit headers C(X-RateLimit-Limit), C(X-RateLimit-Remaining), C(X-RateLimit-Reset) (seconds) and
    HTTP 429 past the limit; the regional hosts C(api.amp.cisco.com), C(api.eu.amp.cisco.com),
    C(api.apjc.amp.cisco.com); and the computer fields C(connector_guid), C(hostname), C(active),
    C(connector_version), C(operating_system), C(os_version), C(internal_ips), C(external_ip),
    C(network_addresses), C(group_guid), C(groups), C(policy), C(last_seen), C(install_date),
    C(is_compromised), C(isolation), C(av_update_definitions) and C(faults)."
  - The shape of the entries of C(faults) is not public. They are kept exactly as the API gives them; a host is
    in the C(with_faults) group when C(faults) is a non-empty list or mapping, and C(has_faults) is C(null)
    (unknown, no group) when C(faults) is missing or of another type.
  - Real data carry stray spaces in C(internal_ips); addresses are stripped.
  - Console fields are reported by the endpoints themselves, so every value from the API is marked unsafe
    for templating (a host name like C({{ lookup(...) }}) stays text).
  - Two connectors with one inventory name (typically a reinstalled host) give one host, the one seen last;
    the others' GUIDs are in C(duplicates) and a warning names them.
seealso:
  - name: Secure Endpoint API overview
    description: Authentication, rate limits, error envelope.
    link: https://developer.cisco.com/docs/secure-endpoint/overview
  - name: Secure Endpoint API v1 reference
    description: Resources and their fields, per region.
    link: https://api-docs.amp.cisco.com/api_resources?api_host=api.amp.cisco.com&api_version=v1
options:
  plugin:
    description: The name of this plugin; identifies the configuration file as one of this plugin's.
    type: str
    required: true
    choices: [secure_endpoint.linux.computers]
  filters:
    description:
      - Filters the API applies before answering (fewer pages to read). Kinds are combined with AND,
        the values of a list with OR.
    type: dict
    default: {}
    suboptions:
      hostname:
        description: Host names as the console knows them (C(hostname[])).
        type: list
        elements: str
      internal_ip:
        description: An internal address of the computer (C(internal_ip)).
        type: str
      external_ip:
        description: The address the console saw the computer connect from (C(external_ip)).
        type: str
      group_guid:
        description: GUIDs of console groups (C(group_guid[])).
        type: list
        elements: str
      last_seen_within:
        description: Only computers seen within this many seconds (C(last_seen_within)).
        type: int
      last_seen_over:
        description: Only computers not seen for more than this many seconds (C(last_seen_over)).
        type: int
  only_linux:
    description:
      - Keep only the connectors whose C(operating_system) or C(os_version) names Linux or a Linux
        distribution (Debian, Ubuntu, Red Hat, CentOS, Rocky, Alma, Oracle, Amazon, Fedora, SUSE). A
        connector whose system is not given is left out too.
    type: bool
    default: true
  hostnames:
    description:
      - How to name each host, in order of preference; the first that gives a value is used. V(hostname) is
        the name the console knows, V(internal_ip) the first internal address, V(external_ip) the address the
        console saw, V(connector_guid) the connector's GUID. A computer with none of them is skipped with a
        warning.
    type: list
    elements: str
    choices: [hostname, internal_ip, external_ip, connector_guid]
    default: [hostname, internal_ip, external_ip]
  page_size:
    description: Computers per request (C(limit)); the API allows at most 500.
    type: int
    default: 500
  stale_hours:
    description: A host whose C(last_seen) is more than this many hours ago is in the C(stale) group.
    type: int
    default: 24
  builtin_groups:
    description:
      - Whether to make the built-in groups, named with O(group_prefix) -
        C(with_faults), C(isolated) (isolation status C(isolated), C(pending_start) or C(pending_stop)),
        C(compromised), C(stale) (see O(stale_hours)), C(policy_<name>), C(group_<name>) for each console
        group, C(version_<connector version>). Names are lower case with any other character than letters and
        digits turned into C(_) (C(secure_endpoint_version_1_24_3_1021)).
      - A host whose value is unknown (missing or unreadable in the API's answer) is never put in
        C(with_faults), C(isolated), C(compromised) or C(stale).
    type: bool
    default: true
  group_prefix:
    description: Prefix of the built-in groups' names.
    type: str
    default: secure_endpoint_
  vars_prefix:
    description:
      - Prefix of the host variables this plugin sets -
        C(guid), C(hostname), C(active), C(version), C(operating_system), C(os_version),
        C(internal_ips) (stripped), C(external_ip), C(network_addresses), C(group_guid), C(groups),
        C(policy), C(last_seen), C(stale), C(install_date), C(is_compromised), C(isolation),
        C(isolation_status), C(isolated), C(av_update_definitions), C(faults) (as given), C(has_faults),
        C(duplicates).
    type: str
    default: secure_endpoint_console_
"""

EXAMPLES = r"""
# se.computers.yml - every Linux connector of the European console
plugin: secure_endpoint.linux.computers
region: eu
# client_id and api_key from SECURE_ENDPOINT_CLIENT_ID and SECURE_ENDPOINT_API_KEY

# Then: ansible-playbook -i se.computers.yml secure_endpoint.linux.remediate -l secure_endpoint_with_faults

---
# Connect by the first internal address; cache the answer for 10 minutes
plugin: secure_endpoint.linux.computers
region: nam
compose:
  ansible_host: secure_endpoint_console_internal_ips[0] | default(inventory_hostname)
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/secure_endpoint_inventory
cache_timeout: 600

---
# Only two console groups, seen within the last day; extra groups by OS and isolation state
plugin: secure_endpoint.linux.computers
region: apjc
client_id: 0123456789abcdef0123
api_key: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  ...
filters:
  group_guid:
    - 5cdf70dd-1b14-46a0-be90-e08da14172d8
    - 9e4bd8a2-3c3f-4b6e-8d1c-2f6f7c1a0b11
  last_seen_within: 86400
keyed_groups:
  - key: secure_endpoint_console_operating_system
    prefix: os
  - key: secure_endpoint_console_isolation_status | default('unknown', true)
    prefix: isolation
groups:
  needs_attention: secure_endpoint_console_has_faults or secure_endpoint_console_is_compromised

---
# Through a proxy, with a private CA, to a gateway in front of the API
plugin: secure_endpoint.linux.computers
api_url: https://se-gateway.example.com
proxy: http://proxy.example.com:3128
ca_path: /etc/pki/tls/certs/corporate-ca.pem
hostnames: [hostname, connector_guid]
stale_hours: 72
"""

import datetime
import hashlib
import json
import os
import time

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import computer_records as records
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.console_api import (
    MAX_PAGE_SIZE, ConsoleApiError, ConsoleClient, base_url, is_loopback)

# filters option -> (query parameter, type) of GET /v1/computers
FILTERS = {
    "hostname": ("hostname[]", list),
    "internal_ip": ("internal_ip", str),
    "external_ip": ("external_ip", str),
    "group_guid": ("group_guid[]", list),
    "last_seen_within": ("last_seen_within", int),
    "last_seen_over": ("last_seen_over", int),
}


def computer_query(filters):
    """The query parameters (a list of pairs) of the ``filters`` option; ValueError on bad input."""
    if filters is None:
        return []
    if not isinstance(filters, dict):
        raise ValueError("filters must be a mapping, got %s" % type(filters).__name__)
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise ValueError("unknown filters: %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(FILTERS))))
    pairs = []
    for name in sorted(filters):
        value = filters[name]
        if value is None:
            continue
        param, kind = FILTERS[name]
        if kind is list:
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) and v.strip() for v in values):
                raise ValueError("filters.%s must be a list of non-empty strings" % name)
            pairs += [(param, v.strip()) for v in values]
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError("filters.%s must be a whole number of seconds, got %r" % (name, value))
            pairs.append((param, str(value)))
        else:
            if not isinstance(value, str) or not value.strip():
                raise ValueError("filters.%s must be a non-empty string" % name)
            pairs.append((param, value.strip()))
    return pairs


def cache_fingerprint(base, client_id, query, page_size):
    """What the cached answer depends on, hashed (the client id is not stored in clear)."""
    material = json.dumps([base, client_id, query, page_size], sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "secure_endpoint.linux.computers"

    # Tests replace these to run without waiting.
    _sleep = staticmethod(time.sleep)
    _clock = staticmethod(time.time)

    def verify_file(self, path):
        if not path.endswith(("computers.yml", "computers.yaml")) or not super(InventoryModule, self).verify_file(path):
            return False
        # A FIFO or a device would block the read or never end.
        if not os.path.isfile(path):
            self.display.warning("%s: %s is not a regular file: not read" % (self.NAME, path))
            return False
        return True

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        client, query, page_size, sources = self._settings()
        fingerprint = cache_fingerprint(client.base, client.client_id, query, page_size)
        cache_key = "%s_%s" % (self.get_cache_key(path), fingerprint)
        computers = self._cached(cache_key) if self.get_option("cache") and cache else None
        if computers is None:
            computers = self._fetch(client, query, page_size)
            if self.get_option("cache"):
                self._cache[cache_key] = computers
        self._populate(computers, sources)

    def _settings(self):
        """(client, query, page_size, hostnames) from the options, checked before any request."""
        try:
            client = self._client()
            query = computer_query(self.get_option("filters"))
            page_size = self.get_option("page_size")
            if not 1 <= page_size <= MAX_PAGE_SIZE:
                raise ValueError("page_size must be between 1 and %d, got %d" % (MAX_PAGE_SIZE, page_size))
            sources = self.get_option("hostnames")
            if not sources or not set(sources) <= set(records.HOSTNAME_SOURCES):
                known = ", ".join(records.HOSTNAME_SOURCES)
                raise ValueError("hostnames must be a list of %s, got %r" % (known, sources))
            for name, low in (("timeout", 1), ("retries", 0), ("retry_max_wait", 0), ("stale_hours", 0)):
                if self.get_option(name) < low:
                    raise ValueError("%s must be at least %d, got %d" % (name, low, self.get_option(name)))
        except (ConsoleApiError, ValueError) as exc:
            raise AnsibleParserError("%s: %s" % (self.NAME, exc))
        return client, query, page_size, sources

    def _cached(self, cache_key):
        """The cached computers, or None (not cached, expired, or not a list: then asked again)."""
        try:
            computers = self._cache[cache_key]
        except KeyError:
            return None
        if not isinstance(computers, list):
            self.display.warning("%s: the inventory cache entry is not a list of computers: asking the API"
                                 % self.NAME)
            return None
        self.display.vvv("%s: %d computers from the inventory cache" % (self.NAME, len(computers)))
        return computers

    def _option_text(self, name):
        value = self.get_option(name)
        # A vaulted value decrypts on conversion to text.
        return to_text(value).strip() if value is not None else None

    def _client(self):
        api_url = self._option_text("api_url")
        url = base_url(self.get_option("region"), api_url)
        if url.startswith("http:") and not is_loopback(url):
            self.display.warning("%s: api_url %s is plain http: the API key crosses the network unencrypted"
                                 % (self.NAME, url))
        return ConsoleClient(
            url, self._option_text("client_id"), self._option_text("api_key"),
            region=None if api_url else self.get_option("region"),
            timeout=self.get_option("timeout"), validate_certs=self.get_option("validate_certs"),
            ca_path=self.get_option("ca_path"), proxy=self._option_text("proxy"),
            retries=self.get_option("retries"), max_wait=self.get_option("retry_max_wait"),
            sleep=self._sleep, clock=self._clock, log=self.display.warning)

    def _fetch(self, client, query, page_size):
        try:
            computers = list(client.paginate("/v1/computers", query, page_size))
        except ConsoleApiError as exc:
            raise AnsibleParserError("%s: %s" % (self.NAME, exc))
        self.display.vvv("%s: %d computers from %s in %d requests"
                         % (self.NAME, len(computers), client.where(), client.requests))
        return computers

    def _populate(self, computers, sources):
        hosts, notes = records.select(computers, sources, self.get_option("only_linux"))
        for level, note in notes:
            if level == "warning":
                self.display.warning("%s: %s" % (self.NAME, note))
            else:
                self.display.v("%s: %s" % (self.NAME, note))
        now = datetime.datetime.now(datetime.timezone.utc)
        strict = self.get_option("strict")
        var_prefix, group_prefix = self.get_option("vars_prefix"), self.get_option("group_prefix")
        for name, (computer, duplicates) in hosts.items():
            host_vars = records.host_vars(computer, now, self.get_option("stale_hours"), duplicates)
            # Console values come from the endpoints: never templates.
            prefixed = wrap_var(dict((var_prefix + key, value) for key, value in host_vars.items()))
            host = self.inventory.add_host(wrap_var(name))
            for key, value in prefixed.items():
                self.inventory.set_variable(host, key, value)
            if self.get_option("builtin_groups"):
                for group in records.builtin_groups(host_vars, group_prefix):
                    self.inventory.add_child(self.inventory.add_group(wrap_var(group)), host)
            self._set_composite_vars(self.get_option("compose"), prefixed, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), prefixed, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), prefixed, host, strict=strict)
