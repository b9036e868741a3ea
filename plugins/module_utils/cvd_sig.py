# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ClamAV's own RSA signature schemes, as libclamav 1.4 (dsig.c) checks them.

Two schemes exist:

* the CVD header signature (``cli_versig``): the header's dsig field, read as a
  little-endian base-64 number, raised to the public exponent modulo ClamAV's
  1024-bit key, must be the 16 bytes of the body's MD5;
* the ``.info`` signature (``cli_versig2``): a ``DSIG:`` line whose number
  decodes, with a second 2048-bit key, to a PSS-like block over the SHA-256 of
  the ``.info`` lines before it.

The signing helpers exist only so tests and benchmarks can build files signed
with a throw-away key; ClamAV's private keys are of course not known.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import math
import random

# libclamav/dsig.c CLI_NSTR / CLI_ESTR: key of the CVD header signature.
CVD_KEY = (
    int(
        "1186409955516453426030700016584531897515277744120277437465994057432431426074641447673610"
        "6064065584474976078889002228342492276248891756555100246777110966959818941043469903453223"
        "2228621591089508178591428456220796841621637175567590476666928698770143328137383952820383"
        "197532047771780196576957695822641224262693037"
    ),
    100001027,
)

# libclamav/readdb.c INFO_NSTR / INFO_ESTR: key of the .info DSIG line.
INFO_KEY = (
    int(
        "1108889498304854547365955610662719492392894179179504762059165869741358104332271591217249"
        "6806525381055880964520618400224333320534660299233983755341740679502866829909679955734391"
        "3926683783612215242053966310901051516412708572770803107343209516537005089417174191687239"
        "4250789070290470270758745162169105075430785038339986534648720379846417853739221140278648"
        "1359824461197231102895415093770394216666324484593935762408468516826633192140826667923494"
        "8220458053478099328484548458869717064243605586678627758760720594377033653802091016977385"
        "77515476935085469455279994113145977994084618328482151013142393373316337519977244732747977"
    ),
    100002049,
)

CLAMAV_KEYS = {'cvd': CVD_KEY, 'info': INFO_KEY}

# dsig.c cli_ndecode(): the digit alphabet (not RFC 4648's order).
_ALPHABET = b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/'
_DIGIT = dict((c, i) for i, c in enumerate(bytearray(_ALPHABET)))

_MD5_LEN = 16
_PAD_LEN = 256          # dsig.c PAD_LEN (2048 / 8)
_HASH_LEN = 32
_SALT_LEN = 32
_BLK_LEN = _PAD_LEN - _HASH_LEN - 1


def _as_bytes(text):
    if isinstance(text, bytes):
        return text
    return text.encode('latin-1')


def decode_number(sig):
    """dsig.c cli_decodesig(): digit i is worth 64**i. None on a foreign character."""
    value = 0
    for shift, char in enumerate(bytearray(_as_bytes(sig))):
        digit = _DIGIT.get(char)
        if digit is None:
            return None
        value |= digit << (6 * shift)
    return value


def encode_number(value):
    """Inverse of decode_number()."""
    out = bytearray()
    while True:
        out.append(_ALPHABET[value & 63])
        value >>= 6
        if not value:
            return bytes(out).decode('ascii')


def recover(sig, plen, key):
    """cli_decodesig(): the signed block of plen bytes, or None.

    ClamAV 1.4 uses OpenSSL's BN here and rejects a result longer than plen
    ("Resulting signature too large").
    """
    cipher = decode_number(sig)
    if cipher is None:
        return None
    modulus, exponent = key
    plain = pow(cipher, exponent, modulus)
    if plain.bit_length() > plen * 8:
        return None
    return plain.to_bytes(plen, 'big')


def verify_md5_signature(md5_hex, dsig, key=CVD_KEY):
    """dsig.c cli_versig(): does the header dsig decode to this MD5 (lower-case hex)?"""
    md5_text = _as_bytes(md5_hex)
    if len(md5_text) != 32 or not md5_text[:1].isalnum():
        return False
    plain = recover(dsig, _MD5_LEN, key)
    if plain is None:
        return False
    return _hexlify(plain) == md5_text


def _hexlify(data):
    return ''.join('%02x' % b for b in bytearray(data)).encode('ascii')


def _mgf1(seed, length):
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(seed + bytes(bytearray([0, 0, (counter >> 8) & 0xff, counter & 0xff]))).digest()
        counter += 1
    return out[:length]


def verify_sha256_signature(digest, dsig, key=INFO_KEY):
    """dsig.c cli_versig2(): PSS-like check of a SHA-256 digest (32 raw bytes)."""
    block = recover(dsig, _PAD_LEN, key)
    if block is None or bytearray(block)[-1] != 0xbc:
        return False
    masked, digest2 = block[:_BLK_LEN], block[_BLK_LEN:_BLK_LEN + _HASH_LEN]
    data = bytearray(a ^ b for a, b in zip(bytearray(masked), _mgf1(digest2, _BLK_LEN)))
    data[0] &= 0x7f
    marker = data.find(b'\x01')
    if marker < 0 or len(data) - marker - 1 != _SALT_LEN:
        return False
    salt = bytes(data[marker + 1:])
    return hashlib.sha256(b'\0' * 8 + digest + salt).digest() == digest2


def sign_md5(md5_hex, private_key):
    """Header dsig for md5_hex with private_key = (n, e, d); for test fixtures."""
    modulus, _exponent, private = private_key
    return encode_number(pow(int(md5_hex, 16), private, modulus))


def sign_sha256(digest, private_key, salt=b'\x5a' * _SALT_LEN):
    """DSIG: value for a SHA-256 digest with a 2048-bit private_key; for test fixtures."""
    modulus, _exponent, private = private_key
    digest2 = hashlib.sha256(b'\0' * 8 + digest + salt).digest()
    db = b'\0' * (_BLK_LEN - _SALT_LEN - 1) + b'\x01' + salt
    masked = bytearray(a ^ b for a, b in zip(bytearray(db), _mgf1(digest2, _BLK_LEN)))
    masked[0] &= 0x7f
    block = int.from_bytes(bytes(masked) + digest2 + b'\xbc', 'big')
    return encode_number(pow(block, private, modulus))


def _probably_prime(n, rng, rounds=24):
    if n < 4:
        return n in (2, 3)
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while not d & 1:
        d >>= 1
        s += 1
    for _round in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _step in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def generate_key(bits, exponent, seed=None):
    """Throw-away RSA key (n, e, d) of exactly `bits` bits; for test fixtures only."""
    rng = random.Random(seed)
    half = bits // 2
    while True:
        primes = []
        while len(primes) < 2:
            candidate = rng.getrandbits(half) | (3 << (half - 2)) | 1
            if math.gcd(exponent, candidate - 1) == 1 and _probably_prime(candidate, rng):
                primes.append(candidate)
        p, q = primes
        n = p * q
        if p != q and n.bit_length() == bits:
            phi = (p - 1) * (q - 1)
            return n, exponent, pow(exponent, -1, phi)
