# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each remediation module's DOCUMENTATION says exactly what its argument spec does."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest
import yaml

from ansible_collections.secure_endpoint.linux.plugins.modules import (
    change_command, definitions_quarantine, journaled_service, login_defs_key, package_lock, package_reinstall,
    remediation_journal, selinux_module)

MODULES = [change_command, definitions_quarantine, journaled_service, login_defs_key, package_lock, package_reinstall,
           remediation_journal, selinux_module]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_documentation_matches_the_argument_spec(module):
    doc = yaml.safe_load(module.DOCUMENTATION)
    spec = module.argument_spec()
    assert doc["module"] == module.__name__.rsplit(".", 1)[-1]
    assert sorted(doc["options"]) == sorted(spec)
    for name, option in spec.items():
        documented = doc["options"][name]
        assert documented["type"] == option.get("type", "str"), name
        assert documented.get("default") == option.get("default"), name
        assert documented.get("choices") == option.get("choices"), name
        assert bool(documented.get("required")) == bool(option.get("required")), name
        assert documented.get("elements") == option.get("elements"), name
    assert set(doc["attributes"]) == {"check_mode", "diff_mode"}
    assert doc["attributes"]["check_mode"]["support"] == "full"
    yaml.safe_load(module.EXAMPLES)
    assert yaml.safe_load(module.RETURN)
