# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""json_lite against the stdlib json, the oracle: same text out, same values and errors in."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import enum
import json
import math
import os
import random
import struct
import subprocess
import sys

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import json_lite

SEEDS = range(8)
CASES_PER_SEED = 600
MUTANTS_PER_SEED = 2500

# Characters that make string encoding and decoding interesting: escapes, controls, quotes,
# the BOM, separators JavaScript dislikes, lone surrogates (both halves) and astral characters.
_SPECIAL_CHARS = ('"', "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x00", "\x01", "\x1f", "\x7f",
                  "\x80", "\xe9", "\xff", "\u2028", "\u2029", "\ufeff", "\uffff", "\ud800", "\udbff",
                  "\udc00", "\udfff", "\U0001f600", "\U0010ffff", " ", "\x0b")
_SPECIAL_FLOATS = (0.0, -0.0, float("nan"), float("inf"), float("-inf"), 5e-324, 2.2250738585072014e-308,
                   1.7976931348623157e308, 0.1, 1e16, 1e-7, 123456789.0, -1.5)
_SPECIAL_INTS = (0, 1, -1, 2 ** 31, -2 ** 31, 2 ** 53 + 1, 2 ** 63, -2 ** 63, 2 ** 64, 10 ** 100)


def _text(rng):
    size = rng.choice((0, 1, 2, 3, 8, 30, 120))
    chars = []
    for _index in range(size):
        pick = rng.random()
        if pick < 0.5:
            chars.append(chr(rng.randrange(0x20, 0x7f)))
        elif pick < 0.8:
            chars.append(rng.choice(_SPECIAL_CHARS))
        elif pick < 0.9:
            chars.append(chr(rng.randrange(0x80, 0x10000)))
        else:
            chars.append(chr(rng.randrange(0x10000, 0x110000)))
    return "".join(chars)


def _float(rng):
    pick = rng.random()
    if pick < 0.3:
        return rng.choice(_SPECIAL_FLOATS)
    if pick < 0.6:  # any bit pattern: subnormals, NaNs, infinities
        return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
    return rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)


def _int(rng):
    pick = rng.random()
    if pick < 0.3:
        return rng.choice(_SPECIAL_INTS)
    if pick < 0.7:
        return rng.randint(-1000, 1000)
    return rng.choice((1, -1)) * rng.getrandbits(rng.randint(1, 400))


def _scalar(rng):
    return rng.choice((_text, _text, _float, _int, _int, lambda _rng: _rng.choice((None, True, False))))(rng)


def _value(rng, depth, budget=None):
    """A random JSON-able value of exact types: nested, sometimes deep, sometimes wide; ``budget`` (a
    one-item list) bounds the number of containers so that wide levels do not multiply."""
    if budget is None:
        budget = [rng.choice((3, 10, 30, 120))]
    pick = rng.random()
    if depth <= 0 or budget[0] <= 0 or pick < 0.45:
        return _scalar(rng)
    budget[0] -= 1
    if pick < 0.5:  # a deep chain
        value = _scalar(rng)
        for _level in range(rng.randint(5, 150)):
            value = [value] if rng.random() < 0.5 else {_text(rng): value}
        return value
    width = rng.choice((0, 1, 2, 3, 5, 8)) if rng.random() < 0.95 else rng.randint(30, 200)
    if pick < 0.75:
        items = [_value(rng, depth - 1, budget) for _index in range(width)]
        return tuple(items) if rng.random() < 0.2 else items
    return dict((_text(rng), _value(rng, depth - 1, budget)) for _index in range(width))


def _same(left, right):
    """Equal as decoded JSON: same types, dict order, NaN equal to NaN, -0.0 apart from 0.0."""
    if type(left) is not type(right):  # pylint: disable=unidiomatic-typecheck
        return False
    if isinstance(left, float):
        if math.isnan(left):
            return math.isnan(right)
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[key], right[key]) for key in left)
    return left == right


def _outcome(function, *args, **kwargs):
    try:
        return "value", function(*args, **kwargs)
    except (ValueError, TypeError, RecursionError) as exc:
        return "error", (type(exc), str(exc))


def _assert_loads_like_json(doc):
    expected = _outcome(json.loads, doc)
    got = _outcome(json_lite.loads, doc)
    if expected[0] == "value":
        assert got[0] == "value" and _same(got[1], expected[1]), (doc, expected, got)
    else:
        assert got == expected, doc


def _assert_dumps_like_json(value, sort_keys):
    expected = _outcome(json.dumps, value, sort_keys=sort_keys)
    assert _outcome(json_lite.dumps, value, sort_keys=sort_keys) == expected, value
    return expected


@pytest.mark.parametrize("seed", SEEDS)
def test_random_values_dump_and_load_as_json_does(seed):
    rng = random.Random(seed)
    for _case in range(CASES_PER_SEED):
        value = _value(rng, rng.randint(0, 6))
        for sort_keys in (False, True):
            kind, text = _assert_dumps_like_json(value, sort_keys)
            assert kind == "value", text
            _assert_loads_like_json(text)
        _assert_loads_like_json(text.encode("utf-8"))


class _Level(enum.IntEnum):
    LOW = 1


class _Text(str):
    pass


class _Number(float):
    pass


def _circular_list():
    value = [1]
    value.append(value)
    return value


def _circular_dict():
    value = {"a": 1}
    value["b"] = [value]
    return value


def _nested(depth):
    value = []
    for _level in range(depth):
        value = [value]
    return value


def _short_id(value):
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # a 5000-digit int, a 100000-deep list
        text = type(value).__name__
    if " at 0x" in text:  # an address: ids must be the same in every test process (xdist)
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


@pytest.mark.parametrize("value", [
    {1: "a", 2.5: "b", False: "c", None: "d", "e": 5}, {"a": {2: [3]}}, [_Level.LOW], {_Level.LOW: _Level.LOW},
    _Number(1.5), [_Text("x")], {_Text("k"): 1}, {"a": set()}, object(), b"bytes", [1, 2j], {(1, 2): 3},
    {1: "a", "b": 2}, _circular_list(), _circular_dict(), [10 ** 5000], _nested(200), _nested(100000),
], ids=_short_id)
@pytest.mark.parametrize("sort_keys", [False, True])
def test_what_json_lite_leaves_to_json_comes_out_as_json_says(value, sort_keys):
    _assert_dumps_like_json(value, sort_keys)


def test_circular_values_are_rejected_as_json_does():
    for value in (_circular_list(), _circular_dict()):
        with pytest.raises(ValueError, match="Circular reference detected"):
            json_lite.dumps(value)


_VALID_DOCS = (
    '{"a": [1, 2.5e10, -0, -0.0, true, false, null, "x\\u00e9\\ud800\\n\\/"], "b": {}}',
    '"\\ud83d\\ude00 \\udc00\\ud800"', '[NaN, Infinity, -Infinity]', '1e400', '-1E-400', '[1e-400]',
    '{"a": 1, "a": 2}', '[]', '{}', ' 0 ', '"\\u0000\\t"', '123456789012345678901234567890', '-12.5E+3',
    '{"k\\u00e9y": [{"": null}]}', '"\u00e9\U0001f600"', 'true', 'null',
)
_NOISE = ("{", "}", "[", "]", ",", ":", '"', "\\", "e", "E", "-", "+", ".", "0", "1", "9",
          "n", "t", "f", "N", "I", "u", "d", "8", " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00",
          "\x1f", "\xa0", "\u2028", "\ufeff", "\ud800", "\U0001f600", "\\", "\\ud800", "NaN",
          "-Infinity", "1e400", "//", "'")
_SPACES = ("", " ", "\t", "\n", "\r", " \r\n\t ", "\x0b", "\x0c", "\xa0", "\u2028", "\ufeff", "\x00")


def _mutant(rng, doc):
    for _round in range(rng.randint(1, 3)):
        at = rng.randint(0, len(doc))
        pick = rng.random()
        if pick < 0.25:
            doc = doc[:at] + doc[at + rng.randint(1, 3):]
        elif pick < 0.5:
            doc = doc[:at] + rng.choice(_NOISE) + doc[at:]
        elif pick < 0.65:
            doc = doc[:at] + rng.choice(_NOISE) + doc[at + 1:]
        elif pick < 0.75:
            doc = doc[:at]
        elif pick < 0.85:
            doc = doc[:at] + doc[rng.randint(0, at):at] + doc[at:]
        else:
            doc = rng.choice(_SPACES) + doc + rng.choice(_SPACES)
    return doc


def _as_bytes(rng, doc):
    pick = rng.random()
    if pick < 0.7:
        data = doc.encode("utf-8", "surrogatepass")
    elif pick < 0.8:  # json.loads detects these encodings
        data = doc.encode(rng.choice(("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig")),
                          "surrogatepass")
    else:  # broken UTF-8
        data = bytearray(doc.encode("utf-8", "surrogatepass"))
        data.insert(rng.randint(0, len(data)), rng.choice((0x80, 0xc3, 0xed, 0xef, 0xff, 0x00)))
        data = bytes(data)
    return bytearray(data) if rng.random() < 0.1 else data


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_documents_load_or_fail_as_json_does(seed):
    rng = random.Random(1000 + seed)
    docs = list(_VALID_DOCS) + [json.dumps(_value(rng, 3)) for _index in range(40)]
    for _case in range(MUTANTS_PER_SEED):
        doc = _mutant(rng, rng.choice(docs))
        _assert_loads_like_json(doc)
        _assert_loads_like_json(_as_bytes(rng, doc))


@pytest.mark.parametrize("doc", list(_VALID_DOCS) + [
    "", " ", "\ufeff[]", "\ufeff", b"\xef\xbb\xbf[1]", b"\xff\xfe[\x001\x00]\x00", "[1] x", "[1,]",
    '"\x01"', '"a\nb"', '"\\ud800"', '"\\udfff\\ud800"', b'"\xed\xa0\x80"', "\x0b1", "1\x0b", "nan",
    "[1, 2", '{"a" 1}', "01", "1.", "-", "1e", "\t\n\r 1 \t\n\r", b"", b"1", b"12", b"1\x00", b"\x001",
    "-Infinity", "Infinity ", " NaN", "[" * 100000, None, 12, ["[]"],
], ids=_short_id)
def test_edge_documents_load_or_fail_as_json_does(doc):
    _assert_loads_like_json(doc)


def test_a_fresh_interpreter_needs_no_json_nor_re():
    if json_lite._SCAN is None:  # pylint: disable=protected-access
        pytest.skip("no _json accelerator here: json_lite is the stdlib json by design")
    watched = ("json", "re", "enum", "functools", "collections")
    # -S as the fact script runs (-SE): no .pth file imports anything behind our back.
    code = ("import sys\n"
            "from ansible_collections.secure_endpoint.linux.plugins.module_utils import json_lite\n"
            "text = json_lite.dumps({'b': [1, 2.5, None, True, '\\xe9'], 'a': {}}, sort_keys=True)\n"
            "assert text == '{\"a\": {}, \"b\": [1, 2.5, null, true, \"\\\\u00e9\"]}', text\n"
            "assert json_lite.loads(text) == {'a': {}, 'b': [1, 2.5, None, True, '\\xe9']}\n"
            "assert json_lite.loads(text.encode('utf-8')) == json_lite.loads(text)\n"
            "print(sorted(name for name in sys.modules if name.split('.')[0] in %r))\n" % (watched,))
    out = subprocess.run([sys.executable, "-S", "-c", code], stdout=subprocess.PIPE, check=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.stdout.strip() == b"[]"
