# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shipped rulebooks, judged by ansible-rulebook's own schema and parser."""
from __future__ import annotations

import copy
import os
import shutil

import pytest
import yaml
from ansible_rulebook.conf import settings
from ansible_rulebook.rules_parser import parse_rule_sets
from ansible_rulebook.util import substitute_variables
from ansible_rulebook.validators import Validate

import fault_events

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULEBOOKS = os.path.join(TOP, "extensions", "eda", "rulebooks")
NAMES = ["fault_remediation.yml", "fault_remediation_controller.yml"]


@pytest.fixture(autouse=True)
def galaxy(monkeypatch):
    """As the ansible-rulebook command does at start: collections are found with ansible-galaxy."""
    monkeypatch.setattr(settings, "ansible_galaxy_path", shutil.which("ansible-galaxy"))


def load(name):
    with open(os.path.join(RULEBOOKS, name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("name", NAMES)
def test_valid_for_ansible_rulebook(name):
    data = load(name)
    Validate.rulebook(data)
    (ruleset,) = parse_rule_sets(data)
    assert [s.source_name for s in ruleset.sources] == ["secure_endpoint.linux.fault_events"]
    raised, cleared = data[0]["rules"]
    assert raised["condition"] == 'event.secure_endpoint.kind == "fault_raised"'
    assert raised["throttle"] == {"once_within": "10 minutes", "group_by_attributes": ["event.meta.hosts"]}
    assert cleared["condition"] == 'event.secure_endpoint.kind == "fault_cleared"'
    assert list(cleared["action"]) == ["debug"]


def test_the_two_rulebooks_differ_only_in_the_remediation_action():
    cli, controller = load(NAMES[0]), load(NAMES[1])
    expected = {"run_playbook": {"name": "secure_endpoint.linux.event_remediate", "lock": "{{ event.meta.hosts }}"}}
    assert cli[0]["rules"][0]["action"] == expected
    job = controller[0]["rules"][0]["action"]["run_job_template"]
    assert (job["job_args"], job["lock"]) == ({"limit": "{{ event.meta.hosts }}"}, "{{ event.meta.hosts }}")
    assert cli[0]["execution_strategy"] == "parallel"
    assert os.path.exists(os.path.join(TOP, "playbooks", "event_remediate.yml"))
    for book in (cli, controller):
        del book[0]["rules"][0]["action"]
    assert cli == controller


def test_source_arguments_render_to_the_plugin_defaults_or_the_variables():
    source = load(NAMES[0])[0]["sources"][0]["secure_endpoint.linux.fault_events"]
    assert set(source) <= set(fault_events.Config.__dataclass_fields__)
    unset = {k: substitute_variables(v, {}) for k, v in source.items()}
    assert set(unset.values()) == {None}  # nothing given: every default is the plugin's
    variables = {"secure_endpoint_amqp_host": "127.0.0.1", "secure_endpoint_amqp_port": 5671,
                 "secure_endpoint_amqp_user_name": "u", "secure_endpoint_amqp_password": "p",
                 "secure_endpoint_amqp_queue_name": "q", "secure_endpoint_events_hostnames": ["short_hostname"]}
    args = {k: substitute_variables(v, copy.deepcopy(variables)) for k, v in source.items()}
    cfg = fault_events.parse_args(args, environ={})
    assert (cfg.mode, cfg.host, cfg.port, cfg.queue_name, cfg.hostnames) == (
        "amqp", "127.0.0.1", 5671, "q", ["short_hostname"])
