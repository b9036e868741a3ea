# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the report tests share: the report documents of tests/unit/data/reports (built by its
build_fixtures.py), and stand-ins for Ansible's ``hostvars`` that count how the report and the
remediation read them (each host's variables are built at most once: a full variable merge per
read in ansible-core)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "reports")
HOSTILE_HOST = u'evil"\'><script>window.__pwned_host=1</script>'


def load(name):
    """The report document ``<name>.json`` (facts, remediation, remediation_check)."""
    with open(os.path.join(DATA, name + ".json")) as handle:
        return json.load(handle)


class CountingHostvars(dict):
    """A plain mapping; ``reads`` counts ``hostvars[host]``."""

    def __init__(self, *a, **kw):
        super(CountingHostvars, self).__init__(*a, **kw)
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return dict.__getitem__(self, key)


class RawHostvars(dict):
    """Ansible's hostvars as an action sees it: ``raw_get`` gives a host's variables untemplated
    (``reads`` lists the hosts read); ``hostvars[host]`` would template them and is refused."""

    def __init__(self, *a, **kw):
        super(RawHostvars, self).__init__(*a, **kw)
        self.reads = []

    def raw_get(self, host):
        self.reads.append(host)
        return dict.__getitem__(self, host)

    def __getitem__(self, host):
        raise AssertionError("hosts are read with raw_get, once")
