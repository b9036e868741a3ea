# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The file formats of a report document: one renderer each, and the file name suffix
(docs/DESIGN.md, Reports). The JSON file is the document itself; the others are read from it
through ``report_model``."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
from collections.abc import Mapping

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_html import render_html
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_junit import render_junit
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_markdown import render_markdown


def _plain(value):
    """JSON for what a host variable can hold besides JSON types (mappings and sequences of
    Ansible's own types, sets); anything else as its text."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def render_json(document):
    """The document as JSON: keys sorted, indented by 4, ASCII (undecodable bytes of a host's text,
    kept as lone surrogates, stay valid JSON as ``\\udcXX``)."""
    return json.dumps(document, indent=4, sort_keys=True, separators=(",", ": "), default=_plain)


# format -> (file name suffix, renderer); every renderer returns str.
FORMATS = {
    "json": (".json", render_json),
    "md": (".md", render_markdown),
    "html": (".html", render_html),
    "junit": (".junit.xml", render_junit),
}
