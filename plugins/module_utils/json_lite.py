# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``json.loads`` and ``json.dumps`` without importing ``json``.

The local fact script runs at every fact gathering, and ``import json`` costs it about 6 ms: json's
decoder, scanner and encoder import ``re``, which imports ``enum``, ``functools`` and ``collections``.
This module drives the C accelerator ``_json`` directly, which needs none of them. The stdlib ``json``
stays the reference: it is imported (inside the functions) for every case this module does not handle
itself and for the errors, so results match ``json`` in all cases, and the unit tests use it as their
oracle.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import sys

try:
    from _json import encode_basestring_ascii as _encode_str, make_scanner as _make_scanner
except ImportError:  # not CPython: the stdlib json does all the work
    _encode_str = _make_scanner = None

# Python 2's str/unicode split is json's business: leave it to the stdlib there.
if sys.version_info[0] < 3:
    _encode_str = _make_scanner = None

_WHITESPACE = " \t\n\r"  # json's WHITESPACE regex: [ \t\n\r]*
_INF = float("inf")
# What a UTF-16/32 document or a UTF-8 BOM starts with: json.detect_encoding decodes those.
_NOT_PLAIN_UTF8 = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class _Context(object):
    """The attributes that ``_json.make_scanner`` reads: those of ``json.JSONDecoder()``."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": -_INF, "Infinity": _INF, "NaN": float("nan")}.__getitem__


_SCAN = _make_scanner(_Context()) if _make_scanner is not None else None


def _decode_error(msg, doc, pos):
    """json's own JSONDecodeError, to raise (json.decoder is only imported on this error path)."""
    from json.decoder import JSONDecodeError  # pylint: disable=import-outside-toplevel
    error = JSONDecodeError(msg, doc, pos)
    error.__suppress_context__ = True  # json's "from None": the StopIteration is no news to callers
    return error


def loads(text):
    """``json.loads(text)`` for a str, bytes or bytearray: same value, same errors."""
    kind = type(text)
    if _SCAN is None or kind not in (str, bytes, bytearray):
        import json  # pylint: disable=import-outside-toplevel
        return json.loads(text)
    if kind is str:
        if text.startswith("\ufeff"):
            raise _decode_error("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    elif b"\x00" in text[:4] or text.startswith(_NOT_PLAIN_UTF8):
        # json detects UTF-16/32 and the BOM here; it does the rare case itself.
        import json  # pylint: disable=import-outside-toplevel
        return json.loads(text)
    else:
        text = text.decode("utf-8", "surrogatepass")  # as json.loads does: lone surrogates pass
    # json.decoder.JSONDecoder.decode and raw_decode, without the WHITESPACE regex.
    size = len(text)
    idx = 0
    while idx < size and text[idx] in _WHITESPACE:
        idx += 1
    try:
        obj, end = _SCAN(text, idx)
    except StopIteration as err:
        raise _decode_error("Expecting value", text, err.value)
    while end < size and text[end] in _WHITESPACE:
        end += 1
    if end != size:
        raise _decode_error("Extra data", text, end)
    return obj


class _Unsupported(Exception):
    """Something only the stdlib json knows how to encode (or how to reject)."""


def _encode(obj, sort_keys, out):
    """Append the chunks of ``obj`` to ``out`` as json's C encoder writes them; exact types only."""
    kind = type(obj)
    if kind is str:
        out.append(_encode_str(obj))
    elif obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(obj))
    elif kind is float:
        if obj != obj:  # NaN  # pylint: disable=comparison-with-itself
            out.append("NaN")
        elif obj == _INF:
            out.append("Infinity")
        elif obj == -_INF:
            out.append("-Infinity")
        else:
            out.append(float.__repr__(obj))
    elif kind is list or kind is tuple:
        if not obj:
            out.append("[]")
            return
        out.append("[")
        first = True
        for value in obj:
            if first:
                first = False
            else:
                out.append(", ")
            _encode(value, sort_keys, out)
        out.append("]")
    elif kind is dict:
        if not obj:
            out.append("{}")
            return
        for key in obj:
            # Before sorting: mixed keys must reach json, whose errors (or conversions) are the reference.
            if type(key) is not str:  # pylint: disable=unidiomatic-typecheck
                raise _Unsupported()
        out.append("{")
        first = True
        for key in (sorted(obj) if sort_keys else obj):
            if first:
                first = False
            else:
                out.append(", ")
            out.append(_encode_str(key))
            out.append(": ")
            _encode(obj[key], sort_keys, out)
        out.append("}")
    else:
        raise _Unsupported()


def dumps(obj, sort_keys=False):
    """``json.dumps(obj, sort_keys=sort_keys)`` with json's defaults: the same text, the same errors."""
    if _encode_str is not None:
        out = []
        try:
            _encode(obj, sort_keys, out)
            return "".join(out)
        except (_Unsupported, RecursionError, ValueError):
            # Other types, deep or circular values (json says "Circular reference detected"), ints
            # over the digits limit: json answers (or raises) exactly as it would have.
            pass
    import json  # pylint: disable=import-outside-toplevel
    return json.dumps(obj, sort_keys=sort_keys)
