# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time validate_file() against `md5sum` on a large definitions file.

Target (issue text): validating a 300 MB definitions file costs at most
1.25 x md5sum of it.

The file is built in a temporary directory in the real .cvd layout: 512-byte
header, gzip'd tar with COPYING, main.info and two signature databases of
ClamAV-like text. Talos' private keys are not available, so the header dsig
and the .info DSIG are made with a throw-away key that validate_file() is told
to trust: it then does exactly the work of a valid official file (MD5 of the
whole body, RSA checks, inflate and parse the tar up to .info, .info DSIG and
header checks) and must answer valid.

--kind cld builds the other common layout instead: a .cld (what freshclam
leaves after applying diffs) with an uncompressed tar, for which the engine
checks no header MD5 but every member's size and SHA-256 against .info.

Both commands run on a warm page cache, alternating, several times; the
medians and their ratio are printed. Exit status is non-zero only on error.
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK_LINES = 120000


def _import_validator():
    """Import the module_utils under their collection name, from this checkout."""
    try:
        from ansible_collections.secure_endpoint.linux.plugins.module_utils import cvd, cvd_sig
        return cvd, cvd_sig
    except ImportError:
        pass
    base = tempfile.mkdtemp(prefix='bench-collections-')
    namespace = os.path.join(base, 'ansible_collections', 'secure_endpoint')
    os.makedirs(namespace)
    os.symlink(ROOT, os.path.join(namespace, 'linux'))
    sys.path.insert(0, base)
    from ansible_collections.secure_endpoint.linux.plugins.module_utils import cvd, cvd_sig
    return cvd, cvd_sig


def _signature_block(seed):
    """~23 MB of .hdb/.ndb-like lines: hex-heavy text that deflates like real ones (~2x)."""
    lines = []
    rnd = hashlib.sha256(seed).digest()
    for index in range(BLOCK_LINES):
        rnd = hashlib.sha256(rnd).digest()
        hexed = rnd.hex()
        lines.append('%s:%d:Win.Trojan.Bench-%d-0\n%s.Malware.Bench-%d:0:*:%s%s\n' % (
            hexed[:32], 1000 + index, index, 'Unix', index, hexed, hexed[:24]))
    return ''.join(lines).encode('ascii')


def _tar_header(name, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _pad(size):
    return b'\0' * ((512 - size % 512) % 512)


def build(path, size_mb, cvd_sig, compress=True, signed=True):
    """Write a signed-with-test-key file of about size_mb MB; return the trusted keys.

    ``signed=False`` leaves the DSIG line out of .info, as in a .cud (the unsigned container,
    which the engine loads without any key: such a file is valid for the real keys too)."""
    cvd_key = cvd_sig.generate_key(1024, 100001027, seed=11)
    info_key = cvd_sig.generate_key(2048, 100002049, seed=12)
    blocks = [_signature_block(b'a'), _signature_block(b'b')]
    per_block = len(blocks[0])
    if compress:
        probe = zlib.compressobj(1, zlib.DEFLATED, 31)
        per_block = len(probe.compress(blocks[0]) + probe.flush())
    repeats = max(1, int(size_mb * 1e6 / per_block / 2))

    members = []
    for name, block in (('main.hdb', blocks[0]), ('main.ndb', blocks[1])):
        digest = hashlib.sha256()
        for _index in range(repeats):
            digest.update(block)
        members.append((name, block, repeats, digest.hexdigest()))

    stime = int(time.time())
    version, sigs, flevel = 62, 2 * repeats * BLOCK_LINES, 90
    info_text = ('ClamAV-VDB:bench:%d:%d:%d:X:X:bench:%d\n' % (version, sigs, flevel, stime)).encode()
    for name, block, count, sha in members:
        info_text += ('%s:%d:%s\n' % (name, len(block) * count, sha)).encode()
    if signed:
        info_text += b'DSIG:' + cvd_sig.sign_sha256(hashlib.sha256(info_text).digest(), info_key).encode() + b'\n'
    copying = b'Benchmark file, not ClamAV data.\n'

    body_md5 = hashlib.md5()
    with open(path, 'wb') as out:
        out.write(b' ' * 512)
        compressor = zlib.compressobj(1, zlib.DEFLATED, 31) if compress else None

        def emit(data):
            packed = compressor.compress(data) if compressor else data
            if packed:
                body_md5.update(packed)
                out.write(packed)

        for name, data in (('COPYING', copying), ('main.info', info_text)):
            emit(_tar_header(name, len(data)) + data + _pad(len(data)))
        for name, block, count, _sha in members:
            emit(_tar_header(name, len(block) * count))
            for _index in range(count):
                emit(block)
            emit(_pad(len(block) * count))
        emit(b'\0' * 1024)
        tail = compressor.flush() if compressor else b''
        body_md5.update(tail)
        out.write(tail)

        md5_hex = body_md5.hexdigest()
        header = 'ClamAV-VDB:bench:%d:%d:%d:%s:%s:bench:%d' % (
            version, sigs, flevel, md5_hex, cvd_sig.sign_md5(md5_hex, cvd_key), stime)
        out.seek(0)
        out.write(header.encode('ascii').ljust(512, b' '))
    return {'cvd': cvd_key[:2], 'info': info_key[:2]}


def time_md5sum(path):
    start = time.perf_counter()
    subprocess.run(['md5sum', path], check=True, stdout=subprocess.DEVNULL, timeout=600,
                   env=dict(os.environ, LC_ALL='C'))
    return time.perf_counter() - start


def time_validate(cvd, path, keys, deep):
    start = time.perf_counter()
    result = cvd.validate_file(path, deep=deep, keys=keys)
    elapsed = time.perf_counter() - start
    if not result['valid']:
        raise RuntimeError('benchmark file judged invalid: %s' % result['reason'])
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--size-mb', type=float, default=300.0, help='size of the definitions file (MB)')
    parser.add_argument('--repeat', type=int, default=5, help='timed runs of each command')
    parser.add_argument('--deep', action='store_true', help='.cvd: also run the per-member pass (inflates everything)')
    parser.add_argument('--kind', choices=('cvd', 'cld'), default='cvd', help='cvd: gzip\'d body (default); cld: plain tar')
    args = parser.parse_args()

    cvd, cvd_sig = _import_validator()
    workdir = tempfile.mkdtemp(prefix='bench-definitions-')
    try:
        path = os.path.join(workdir, 'main.' + args.kind)
        start = time.perf_counter()
        keys = build(path, args.size_mb, cvd_sig, compress=args.kind == 'cvd')
        size = os.path.getsize(path)
        print('built %s: %.1f MB in %.1f s' % (path, size / 1e6, time.perf_counter() - start))

        time_md5sum(path)  # warm the page cache for both
        time_validate(cvd, path, keys, args.deep)
        md5_runs, validate_runs = [], []
        for _run in range(args.repeat):
            md5_runs.append(time_md5sum(path))
            validate_runs.append(time_validate(cvd, path, keys, args.deep))
        md5_median = statistics.median(md5_runs)
        validate_median = statistics.median(validate_runs)
        print('md5sum        median %.3f s  runs %s' % (md5_median, ' '.join('%.3f' % t for t in md5_runs)))
        print('validate_file median %.3f s  runs %s%s' % (
            validate_median, ' '.join('%.3f' % t for t in validate_runs), ' (deep)' if args.deep else ''))
        print('ratio validate_file / md5sum = %.3f (target <= 1.25)' % (validate_median / md5_median))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
