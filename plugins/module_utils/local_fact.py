# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the local fact script (``<fact_path>/secure_endpoint.fact``) runs when ``setup`` gathers.

``setup`` runs every executable ``*.fact`` file of its ``fact_path`` and reads its standard
output as JSON into ``ansible_local.<name>``. The script, written by ``connector_local_fact``,
holds the options (already checked there) and calls :func:`main`, which prints the same document
``connector_facts`` returns as ``ansible_facts.secure_endpoint``. So the facts arrive with
``setup``'s own run, without a second module per host.

The script runs without Ansible (no AnsiballZ, no ``ansible.module_utils``): this file and the
module_utils it imports are copied to the host as plain files, where Python keeps their compiled
form. Only the standard library may be imported from here down (the installing action checks).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import sys

from ansible_collections.secure_endpoint.linux.plugins.module_utils import collect, json_lite


def facts(options, root="/"):
    """The connector facts; never raises (a probe's bug gives unknown values and the reason)."""
    try:
        return collect.collect(options, root=root)
    except Exception:  # pylint: disable=broad-except
        # setup runs this at every fact gathering: a bug here must not cost the host its facts.
        import traceback  # only here: its import costs every fact gathering a few ms
        return collect.unknown_facts(options, "connector local fact internal error, nothing was judged: %s"
                                     % traceback.format_exc(limit=3))


def main(options_json, out=None):
    """Print the facts as one JSON document; ``options_json`` is the script's embedded options."""
    out = out or sys.stdout
    out.write(json_lite.dumps(facts(json_lite.loads(options_json)), sort_keys=True))
    out.write("\n")
    out.flush()
    return 0


def run(options_json):
    """The script's entry point: :func:`main`, then leave at once. The facts are printed and
    flushed and the definitions cache is written and synced by then; the interpreter's teardown
    would only add milliseconds to every fact gathering (and a thread stuck in a hung NSS lookup
    could not hold the exit). An exception leaves the normal way, with its traceback."""
    code = main(options_json)
    sys.stderr.flush()
    os._exit(code)  # pylint: disable=protected-access
