# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import random
import re
import subprocess
import sys

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import version


@pytest.mark.parametrize("left,right,expected", [
    ("1.24.3", "1.25", -1), ("1.25", "1.25.0", 0), ("1.25.0.1098", "1.25", 1), ("1.9", "1.10", -1),
    ("1.16.0", "1.15.1", 1),
])
def test_compare(left, right, expected):
    assert version.compare(left, right) == expected


def test_at_least():
    assert version.at_least("1.25.1", "1.25") is True
    assert version.at_least("1.24.3", "1.25") is False
    assert version.at_least(None, "1.25") is None


@pytest.mark.parametrize("spec,matching,not_matching", [
    ("*", ["1.0", "9.9.9"], []),
    ("1.24", ["1.24", "1.24.3", "1.24.3.1098"], ["1.240.1", "1.25.0", "1.2"]),
    ("1.24.*", ["1.24.0", "1.24.9"], ["1.25.0"]),
    (">=1.22, <1.25", ["1.22", "1.24.9"], ["1.21.9", "1.25.0"]),
    ("==1.24.3", ["1.24.3", "1.24.3.0"], ["1.24.4"]),
    ("!=1.24.3", ["1.24.4"], ["1.24.3"]),
])
def test_matches(spec, matching, not_matching):
    assert all(version.matches(v, spec) for v in matching)
    assert not any(version.matches(v, spec) for v in not_matching)


def test_matches_rejects_bad_spec():
    with pytest.raises(ValueError):
        version.matches("1.24.3", "~>1.24")


@pytest.mark.parametrize("text,expected", [
    ('<?xml version="1.0"?>\n<config><agent><version>1.24.3.1098</version></agent></config>', "1.24.3.1098"),
    ('<?xml version="1.0" encoding="UTF-8"?><global><agent_version>1.25.0</agent_version></global>', "1.25.0"),
    ('<?xml version="1.0"?><connector version="1.22.1"/>', "1.22.1"),
    ('<!-- version="9.9" --><root><ns:Version> 1.16.0 </ns:Version></root>', "1.16.0"),
    ('<?xml version="1.0"?><config><policy_version>12</policy_version></config>', None),
    ("", None),
])
def test_global_xml(text, expected):
    assert version.version_from_global_xml(text) == expected


def test_read_global_xml(tmp_path):
    path = tmp_path / "global.xml"
    assert version.read_global_xml_version(str(path)) == (None, None)
    path.write_text("<config><version>1.24.3</version></config>")
    assert version.read_global_xml_version(str(path)) == ("1.24.3", None)
    path.write_bytes(b"\x00\xff garbage")
    found, error = version.read_global_xml_version(str(path))
    assert found is None and error.startswith("no version")


# The implementation before the ASCII scanners, kept as the oracle they must agree with.
ORACLE_VERSION = re.compile(r"\d+(?:\.\d+)+")
ORACLE_ELEMENT = re.compile(r"<(?:[\w.-]+:)?(?:agent_?)?version\b[^>]*>\s*(\d+(?:\.\d+)+)[^<]*<", re.IGNORECASE)
ORACLE_ATTRIBUTE = re.compile(r"\b(?:agent_?)?version\s*=\s*[\"'](\d+(?:\.\d+)+)", re.IGNORECASE)


def oracle_parse(text):
    if text is None:
        return None
    match = ORACLE_VERSION.search(str(text)) or re.search(r"\d+", str(text))
    if not match:
        return None
    return tuple(int(part) for part in match.group(0).split("."))


def oracle_strip(text):
    return re.sub(r"<\?.*?\?>|<!--.*?-->", "", text, flags=re.DOTALL)


def oracle_group(pattern, text):
    match = pattern.search(text)
    return match.group(1) if match else None


def oracle_global_xml(text):
    if not text:
        return None
    text = oracle_strip(text)
    return oracle_group(ORACLE_ELEMENT, text) or oracle_group(ORACLE_ATTRIBUTE, text)


def differences(text):
    """What the module answers differently from the oracle for ``text``, as a list of names."""
    found = []
    if version.parse(text) != oracle_parse(text):
        found.append("parse")
    if version.version_from_global_xml(text) != oracle_global_xml(text):
        found.append("version_from_global_xml")
    if text.isascii():  # the scanners alone, also on text the markup removal has not touched
        low = text.lower()
        if version._strip_markup(text) != oracle_strip(text):  # pylint: disable=protected-access
            found.append("strip")
        if version._scan_element(low) != oracle_group(ORACLE_ELEMENT, text):  # pylint: disable=protected-access
            found.append("element")
        if version._scan_attribute(low) != oracle_group(ORACLE_ATTRIBUTE, text):  # pylint: disable=protected-access
            found.append("attribute")
    return found


PARSE_CASES = [
    "", "abc", "1", "1.", "1.2", "1.2.", "1..2", ".1.2", "a1.b2.3", "12 3.4", "1.2.3.4.5", "v1.24.3-1098",
    "007.08", "1.2a3.4", "x.1", "1.2.3..4", "1.2.3.", "..1", "1 2", "version 1.24.3.1098 (build 7)",
]
XML_CASES = [
    # <?...?> and <!--...-->: leftmost first, the closer after the whole opener, unterminated ones kept.
    "<?>", "<?>1?>", "<??>", "<?a?>b?>", "<!-->", "<!-->-->", "<!--->", "<!--->-->", "<!---->", "<!-- a -- b -->",
    "<!-- <!-- a --> -->", "<?a <!-- ?> -->", "<!-- <?x --> ?>", "<<?x?>", "<!<!--x-->", "<?<!--?>-->",
    "<?unterminated <version>1.2</version>", "<!-- unterminated <version>1.2</version>",
    "<?a?><!--b--><version>1.2</version><?c", '<?xml version="1.0"?>', '<?xml version="1.0"?><a version="2.1"/>',
    # Elements: the optional prefix and agent_? as the regex engine backtracks over them.
    "<version:x>1.2<", "<agent:version>1.2<", "<agentversion>1.2<", "<agent_version>1.2<", "<AGENT_Version>1.2<",
    '<a.b-c:version attr="1">1.2<', "<version:version>x<version>1.2<", "<version:version> 3.4 <",
    "<agent_:version>1.2<", "<agent_agent_version>1.2<", "<ns:ns2:version>1.2<", "<:version>1.2<",
    "< version>1.2<", "<-:version>1.2<", "<agent__version>1.2<", "<agentagent_version>1.2<",
    # \b after version, [^>]*> to the first '>', \s* (\x1c-\x1f too), the number, a later '<'.
    "<version>1.2", "<version>1.2.<", "<version>1.2. <", "<version> \x1c\t1.2<", "<version>\x0b\x1f1.2 x <",
    "<versions>1.2<", "<version_x>1.2<", "<version-x>1.2<", "<version.1>1.2<", "<version9>1.2<",
    "<version>>1.2<", "<version a='>'>1.2<", "<version>12<", "<version>1.2</version>", "<version>1.2.3.4x<",
    "<version>1.2>3<", "<Version>\n  1.24.3.1098\n</Version>", "<version>1.2<version>3.4<", "<version>x<version>3.4<",
    # Attributes: the leading \b and agent_?version against version.
    "xagent_version='1.2'", '_version="1.2"', "agentversion =  '1.2'", "agent_version=1.2", 'version = "1.2.3"',
    'version="1."', "version='1.2.3.'", 'aversion="1.2" version="3.4"', '-version="1.2"', 'agent-version="1.2"',
    "AGENT_VERSION='1.2'", 'versionversion="1.2"', 'version="1.2"', "version=\t\x1c'1.2'", 'version=""1.2"',
    'version="1.2" <version>3.4<', "<version>3.4< version='1.2'", 'a:version="5.6"', "agent_ version='1.2'",
]
NON_ASCII_CASES = [
    # With IGNORECASE and Unicode the patterns match these; the scanners must not see them.
    "<ver\u017fion>1.2<", "<\u212a:version>1.2<", "<vers\u0130on>1.2<", "<version>\u0661.\u0662<",
    "<version>\u20281.2<", "ver\u017fion='1.2'", "<version>1.2\u2028<", "\u0661\u0662.\u0663", "\u0661 1.2",
    "\u212a 1.2.3", "<!--\u2028--><version>1.2<", "<?\u0130?>version='3.4'", "\u00e9 <version>1.2</version>",
]


@pytest.mark.parametrize("text", PARSE_CASES + XML_CASES + NON_ASCII_CASES)
def test_same_answers_as_the_regexes(text):
    assert differences(text) == []


@pytest.mark.parametrize("text,expected", [
    ("<ver\u017fion>1.2<", "1.2"), ("<\u212a:version>1.2<", "1.2"), ("<version>\u0661.\u0662<", "\u0661.\u0662"),
    ("<version>\u20281.2<", "1.2"), ("ver\u017fion='1.2'", "1.2"),
])
def test_non_ascii_text_is_read_by_the_regexes(text, expected):
    assert version.version_from_global_xml(text) == expected


@pytest.mark.parametrize("value", [None, 12, 1.5, b"1.2", 10 ** 20])
def test_parse_what_is_not_text(value):
    assert version.parse(value) == oracle_parse(value)


def test_parse_non_ascii_digits():
    assert version.parse("\u0661\u0662.\u0663") == (12, 3)


def test_patterns_are_the_oracle():
    """The patterns the non-ASCII path compiles are the oracle's, flags written inline."""
    for lazy, oracle in ((version._XML_ELEMENT, ORACLE_ELEMENT),  # pylint: disable=protected-access
                         (version._XML_ATTRIBUTE, ORACLE_ATTRIBUTE)):  # pylint: disable=protected-access
        assert lazy.pattern == "(?i)" + oracle.pattern and lazy.flags == oracle.flags
    assert version._VERSION.pattern == ORACLE_VERSION.pattern  # pylint: disable=protected-access
    assert version._XML_MARKUP.pattern == r"(?s)<\?.*?\?>|<!--.*?-->"  # pylint: disable=protected-access


FRAGMENTS = [
    "<", ">", "?", "!", "--", "<?xml", "<!--", "-->", "?>", "version", "VERSION", "Version", "agent", "agent_",
    "AGENT", "_", ":", "ns", ".", "-", "=", '"', "'", "0", "1", "2", "9", "12", "1.2", "3.4.5", " ", "  ", "\t", "\n",
    "\x0b", "\x1c", "\x1f", "a", "x", "Z", "s", "/", "<version>", "</version>", "<ns:", "a.b-c:", "version=",
    "<agent_version", "> 1.24.3.1098 <", "='", '="', "<?>", "<!-->", "<!--->",
]
NON_ASCII_FRAGMENTS = ["\u017f", "\u212a", "\u0130", "\u0661", "\u0662.\u0663", "\u2028", "\u00e9"]


def _generated(rnd, count, fragments):
    """Random concatenations of ``fragments``."""
    for _index in range(count):
        yield "".join(rnd.choice(fragments) for _fragment in range(rnd.randint(0, 24)))


def _element(pick):
    """An element, each part usually right."""
    return ["<", pick(["", "", "ns:", "a.b-c:", "x:", ":", "version:", "agent:", "_:", "-"]),
            pick(["", "", "agent", "agent_", "AGENT_", "Agent", "x"]),
            pick(["version", "VERSION", "Version", "versio"]),
            pick(["", "", " a='1'", "s", "_", "-x", ":x", ".1", "/", "1"]), pick([">", ">", "", ">>", " >"]),
            pick(["", "", " ", "\n\t", "\x1c", "\x0b ", "x"]),
            pick(["1.2", "1.24.3.1098", "1.2.3", "1", "1.", ".1", "12.3."]),
            pick(["<", "<", "", " x <", ">", "</version>", "?"])]


def _attribute(pick):
    """An attribute, each part usually right."""
    return [pick(["", " ", "x", "_", "-", ":", "a", "<a "]), pick(["", "agent", "agent_", "AGENT_", "agent-"]),
            pick(["version", "VERSION", "Version", "versio"]), pick(["", " ", "\t\x1c", "s"]),
            pick(["=", "", "=="]), pick(["", " ", "\n"]), pick(['"', "'", "", "`"]),
            pick(["1.2", "1.24.3", "1", "1.", ".1", "1.2."])]


def _markup(pick):
    """A processing instruction or a comment, right or not."""
    return [pick(["<?", "<!--", "<!-", "<?xml", "<"]), pick(["", "x", " version='1.0'", ">", "-", "?", "<!--", "<?"]),
            pick(["?>", "-->", "->", "", "?", "--->", ">"])]


def _structured(rnd, count):
    """Elements, attributes and markup, each part right or wrong, then a few fragments inserted anywhere."""
    for _index in range(count):
        text = "".join("".join(rnd.choice((_element, _element, _attribute, _markup))(rnd.choice))
                       for _part in range(rnd.randint(1, 4)))
        for _insert in range(rnd.randint(0, 3)):
            at = rnd.randint(0, len(text))
            text = text[:at] + rnd.choice(FRAGMENTS) + text[at:]
        yield text


def test_generated_text_same_answers_as_the_regexes():
    rnd = random.Random(20240611)
    failures, hits = [], {"parse": 0, "strip": 0, "element": 0, "attribute": 0}
    for text in list(_generated(rnd, 15000, FRAGMENTS)) + list(_structured(rnd, 15000)):
        if differences(text):
            failures.append((text, differences(text)))
        hits["parse"] += ORACLE_VERSION.search(text) is not None
        hits["strip"] += oracle_strip(text) != text
        hits["element"] += ORACLE_ELEMENT.search(text) is not None
        hits["attribute"] += ORACLE_ATTRIBUTE.search(text) is not None
    assert failures[:5] == []
    # The generator must keep producing matches, or it proves nothing.
    assert min(hits.values()) > 500, hits


def test_generated_non_ascii_text_same_answers_as_the_regexes():
    rnd = random.Random(7)
    failures = [text for text in _generated(rnd, 3000, FRAGMENTS * 3 + NON_ASCII_FRAGMENTS) if differences(text)]
    assert failures[:5] == []


def test_the_ascii_path_does_not_import_re():
    # The version is read at every fact gathering: importing re would cost milliseconds of each run.
    code = ("import sys; from ansible_collections.secure_endpoint.linux.plugins.module_utils import version as v; "
            "assert v.parse('connector 1.24.3.1098') == (1, 24, 3, 1098); assert v.compare('1.24', '1.25') == -1; "
            "assert v.at_least('1.25.1', '1.25') is True; "
            "assert v.version_from_global_xml('<?xml version=\"1.0\"?><!-- x --><a><version>1.25.0</version></a>')"
            " == '1.25.0'; print(sorted(m for m in ('re', 'enum', 'sre_compile') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, check=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.stdout.strip() == b"[]"
