# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Definition-file validation judged against the real engine.

Every derived file is handed to ``clamscan -d FILE SMALLFILE`` (ClamAV 1.4 from
Debian's clamav package) in a directory of its own, and our verdict must equal
the engine's: it loaded the database (exit 0, or 1 if the file matched) or it
did not (exit 2, or a crash).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import gzip
import hashlib
import io
import os
import random
import shutil
import subprocess
import tarfile

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import cvd, cvd_sig

DATA = os.path.join(os.path.dirname(__file__), '..', '..', 'data', 'clamav')
REAL = ['test-%d.cvd' % n for n in range(1, 7)]


def real(name='test-1.cvd'):
    with open(os.path.join(DATA, name), 'rb') as handle:
        return handle.read()


def members(data):
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data[512:]))) as archive:
        return [(m.name, archive.extractfile(m).read()) for m in archive.getmembers()]


def tar(entries, fmt=tarfile.GNU_FORMAT):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w', format=fmt) as archive:
        for name, content in entries:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


def raw_tar(entries):
    """ustar blocks written by hand, so type flags and size fields can be anything."""
    out = b''
    for name, content, kind in entries:
        info = tarfile.TarInfo(name)
        info.size = len(content)
        info.type = kind
        out += info.tobuf(format=tarfile.USTAR_FORMAT) + content + b'\0' * ((512 - len(content) % 512) % 512)
    return out + b'\0' * 1024


def set_tar_size(blob, offset, field):
    blob = bytearray(blob)
    blob[offset + 124:offset + 136] = field.ljust(12, b'\0')[:12]
    return bytes(blob)


def header_fields(data):
    return data[:512].rstrip(b' ').split(b':')


def with_field(data, index, value):
    fields = header_fields(data)
    fields[index] = value
    return b':'.join(fields).ljust(512, b' ') + data[512:]


def flip(data, offset, mask=0xff):
    out = bytearray(data)
    out[offset] ^= mask  # negative offsets count from the end
    return bytes(out)


def flip_in_field(data, index, position=3):
    """Change one character of header field `index` (a valid one stays in its alphabet)."""
    start = len(b':'.join(header_fields(data)[:index])) + 1 + position
    old = data[start:start + 1]
    new = b'1' if old != b'1' else b'2'
    if old.isalpha():
        new = b'b' if old != b'b' else b'c'
    return data[:start] + new + data[start + 1:]


def entry(name, content):
    return b'%s:%d:%s\n' % (name.encode(), len(content), hashlib.sha256(content).hexdigest().encode())


def info_parts(data):
    """(header line, members) of a real file."""
    mems = members(data)
    info = dict(mems)['test.info']
    return info.splitlines(True)[0], mems


def replace_member(data, name, content):
    return data[:512] + tar([(n, content if n == name else c) for n, c in members(data)])


def cud(info_text, others, base=None):
    base = base or real()
    return base[:512] + tar([('test.info', info_text)] + others)


def noise(count, seed=7):
    return random.Random(seed).getrandbits(8 * count).to_bytes(count, 'little')


def gzip_crc_after_tar(output_size):
    """A .cud whose gzip stream inflates to output_size bytes and has a wrong CRC.

    zlib's gzread() inflates 16 KiB per fetch and checks the CRC when a fetch
    reaches the stream's end: the engine only notices when that end lies in a
    fetch it makes before meeting the tar's end-of-archive block.
    """
    header, mems = info_parts(real())
    ndb = dict(mems)['test.ndb']
    body = raw_tar([('test.info', header + entry('test.ndb', ndb), tarfile.REGTYPE),
                    ('test.ndb', ndb, tarfile.REGTYPE)])
    body += noise(output_size - len(body))
    return flip(real()[:512] + gzip.compress(body), -5)


def _cases():
    d = real()
    h = header_fields(d)
    header_line, mems = info_parts(d)
    ndb, ldb = dict(mems)['test.ndb'], dict(mems)['test.ldb']
    good_info = header_line + entry('test.ndb', ndb) + entry('test.ldb', ldb)
    dbs = [('test.ndb', ndb), ('test.ldb', ldb)]
    info_nodsig = b''.join(line for line in dict(mems)['test.info'].splitlines(True)
                           if not line.startswith(b'DSIG:'))
    plain = tar(mems)
    info_end = 512 * (1 + 36 + 1 + 2)  # COPYING header+data, test.info header+data
    d3 = real('test-3.cvd')
    info_tar = raw_tar([('test.info', good_info, tarfile.REGTYPE), ('test.ndb', ndb, tarfile.REGTYPE)])
    info_blocks = 1 + (len(good_info) + 511) // 512

    cases = {
        # header: size, magic, each field
        'empty.cvd': (b'', '.cvd'),
        'empty.cld': (b'', '.cld'),
        'truncated-header-100': (d[:100], '.cvd'),
        'truncated-header-511': (d[:511], '.cvd'),
        'header-only': (d[:512], '.cvd'),
        'wrong-magic': (b'ClamAV-VDX' + d[10:], '.cvd'),
        'lowercase-magic': (b'clamav-vdb' + d[10:], '.cvd'),
        'random-garbage.cvd': (noise(9000, seed=1), '.cvd'),
        'random-garbage.cld': (noise(9000, seed=2), '.cld'),
        'magic-then-garbage': (b'ClamAV-VDB:' + noise(9000, seed=3), '.cld'),
        'flip-build-time': (flip_in_field(d, 1), '.cvd'),
        'flip-version': (with_field(d, 2, b'7'), '.cvd'),
        'version-leading-zero': (with_field(d, 2, b'01'), '.cvd'),
        'flip-signatures': (with_field(d, 3, b'5'), '.cvd'),
        'flip-flevel': (with_field(d, 4, b'999'), '.cvd'),
        'flip-md5': (flip_in_field(d, 5), '.cvd'),
        'md5-uppercase': (with_field(d, 5, h[5].upper()), '.cvd'),
        'md5-extra-chars': (with_field(d, 5, h[5] + b'zz'), '.cvd'),
        'md5-short': (with_field(d, 5, h[5][:31]), '.cvd'),
        'flip-dsig': (flip_in_field(d, 6, 40), '.cvd'),
        'dsig-bad-char': (with_field(d, 6, h[6][:10] + b'*' + h[6][11:]), '.cvd'),
        'dsig-zero-digits-appended': (with_field(d, 6, h[6] + b'aaa'), '.cvd'),
        'dsig-digit-prepended': (with_field(d, 6, b'a' + h[6]), '.cvd'),
        'dsig-of-other-file': (with_field(d, 6, header_fields(real('test-2.cvd'))[6]), '.cvd'),
        'flip-builder': (flip_in_field(d, 7, 1), '.cvd'),
        'flip-stime': (flip_in_field(d, 8), '.cvd'),
        'no-stime': (b':'.join(h[:8]).ljust(512, b' ') + d[512:], '.cvd'),
        'empty-build-time': (with_field(d, 1, b''), '.cvd'),
        'no-builder': (b':'.join(h[:7]).ljust(512, b' ') + d[512:], '.cvd'),
        'nul-padding': (b':'.join(h).ljust(512, b'\0') + d[512:], '.cvd'),
        'newline-padding': ((b':'.join(h) + b'\n').ljust(512, b' ') + d[512:], '.cvd'),
        # body of a .cvd
        'truncated-body': (d[:-100], '.cvd'),
        'truncated-gzip-trailer': (d[:-8], '.cvd'),
        'flip-gzip-header': (flip(d, 512 + 4), '.cvd'),
        'flip-gzip-data': (flip(d, 2000), '.cvd'),
        'flip-gzip-crc': (flip(d, len(d) - 5), '.cvd'),
        'garbage-after-gzip': (d + b'garbage!', '.cvd'),
        'body-6-bytes': (d[:518], '.cvd'),
        # .cld: header MD5 and dsig are not checked, the members are
        'as-cld': (d, '.cld'),
        'cld-bad-md5': (with_field(d, 5, b'0' * 32), '.cld'),
        'cld-plain-tar': (d[:512] + plain, '.cld'),
        'cld-plain-tar-without-copying': (d[:512] + tar(mems[1:]), '.cld'),
        'cld-info-sha256-mismatch': (replace_member(d, 'test.ldb', ldb.replace(b'must', b'MUST')), '.cld'),
        'cld-info-size-mismatch': (replace_member(d, 'test.ndb', ndb + b'# more\n'), '.cld'),
        'cld-empty-ldb': (replace_member(d, 'test.ldb', b''), '.cld'),
        'cld-extra-text-member': (d[:512] + tar(mems + [('extra.txt', b'hi\n')]), '.cld'),
        'cld-extra-db-member': (d[:512] + tar(mems + [('extra.ndb', b'hi\n')]), '.cld'),
        'cld-member-dropped': (d[:512] + tar([m for m in mems if m[0] != 'test.ndb']), '.cld'),
        'cld-no-info': (d[:512] + tar([m for m in mems if m[0] != 'test.info']), '.cld'),
        'cld-info-unsigned': (replace_member(d, 'test.info', info_nodsig), '.cld'),
        'cld-cut-after-info': (d[:512] + plain[:info_end], '.cld'),
        'cld-cut-in-header': (d[:512] + plain[:info_end + 100], '.cld'),
        'cld-cut-in-member': (d[:512] + plain[:info_end + 612], '.cld'),
        'cld-truncated-gzip': (d[:-100], '.cld'),
        'cld-gzip-crc': (flip(d, len(d) - 5), '.cld'),
        'cld-gzip-isize': (flip(d, len(d) - 2), '.cld'),
        'cld-gzip-data': (flip(d, 2000, 0x55), '.cld'),
        'cld-gzip-two-members': (d[:512] + gzip.compress(plain[:20000]) + gzip.compress(plain[20000:]), '.cld'),
        'cld-gzip-garbage-after': (d + b'garbage!', '.cld'),
        'gzip-crc-in-first-fetch': (gzip_crc_after_tar(16384 - 512), '.cud'),
        'gzip-crc-after-first-fetch': (gzip_crc_after_tar(16384 + 512), '.cud'),
        'cld3': (d3, '.cld'),
        'cld3-pua-member-changed': (replace_member(d3, 'test.hdu', dict(members(d3))['test.hdu'] + b'# x\n'), '.cld'),
        'cld3-cfg-emptied': (replace_member(d3, 'test.cfg', b''), '.cld'),
        'cld3-idb-emptied': (replace_member(d3, 'test.idb', b''), '.cld'),
        'cld3-cdb-changed': (replace_member(d3, 'test.cdb', dict(members(d3))['test.cdb'].replace(b'must', b'MUST')), '.cld'),
        # .cud: the .info is not signed, so its rules can be exercised directly
        'cud-from-signed-cvd': (d, '.cud'),
        'cud-good': (cud(good_info, dbs), '.cud'),
        'cud-info-without-dsig': (d[:512] + tar([(n, info_nodsig if n == 'test.info' else c) for n, c in mems]), '.cud'),
        'cud-crlf': (cud(good_info.replace(b'\n', b'\r\n'), dbs), '.cud'),
        'cud-uppercase-sha256': (cud(header_line + entry('test.ndb', ndb).upper().replace(b'TEST.NDB', b'test.ndb'), dbs[:1]), '.cud'),
        'cud-bad-sha256': (cud(header_line + b'test.ndb:240:' + b'g' * 64 + b'\n', dbs[:1]), '.cud'),
        'cud-short-sha256': (cud(header_line + entry('test.ndb', ndb)[:-2] + b'\n', dbs[:1]), '.cud'),
        'cud-sha256-mismatch': (cud(header_line + entry('test.ndb', ndb + b'x'), dbs[:1]), '.cud'),
        'cud-size-letters': (cud(header_line + entry('test.ndb', ndb).replace(b':240:', b':24x:'), dbs[:1]), '.cud'),
        'cud-size-empty': (cud(header_line + entry('test.ndb', ndb).replace(b':240:', b'::'), dbs[:1]), '.cud'),
        'cud-size-leading-zero': (cud(header_line + entry('test.ndb', ndb).replace(b':240:', b':0240:'), dbs[:1]), '.cud'),
        'cud-size-wrong': (cud(header_line + entry('test.ndb', ndb).replace(b':240:', b':241:'), dbs[:1]), '.cud'),
        'cud-extra-field': (cud(header_line + entry('test.ndb', ndb)[:-1] + b':x\n', dbs[:1]), '.cud'),
        'cud-blank-line': (cud(good_info + b'\n', dbs), '.cud'),
        'cud-blank-first-line': (cud(b'\n' + good_info, dbs), '.cud'),
        'cud-entry-before-header': (cud(entry('test.ndb', ndb) + header_line, dbs[:1]), '.cud'),
        'cud-two-header-lines': (cud(good_info + header_line, dbs), '.cud'),
        'cud-no-entries': (cud(header_line, [('COPYING', b'x\n')]), '.cud'),
        'cud-last-line-unterminated': (cud(good_info[:-1], dbs), '.cud'),
        'cud-header-version-differs': (cud(good_info.replace(b':1:0:81:', b':2:0:81:', 1), dbs), '.cud'),
        'cud-header-unparsable': (cud(b'ClamAV-VDB:x\n' + good_info.split(b'\n', 1)[1], dbs), '.cud'),
        'cud-duplicate-entry-later-wrong': (cud(good_info + entry('test.ndb', b'zzz'), dbs), '.cud'),
        'cud-duplicate-entry-first-wrong': (cud(header_line + entry('test.ndb', b'zzz') + entry('test.ndb', ndb), dbs[:1]), '.cud'),
        'cud-member-before-info-wrong': (d[:512] + tar([('test.ndb', ndb + b'#\n'), ('test.info', good_info)]), '.cud'),
        'cud-member-before-info-right': (d[:512] + tar([('test.ndb', ndb), ('test.info', good_info)]), '.cud'),
        'cud-second-info-ignored': (d[:512] + tar([('a.info', good_info), ('test.ndb', ndb), ('b.info', b'junk')]), '.cud'),
        'cud-info-name-uppercase': (d[:512] + tar([('A.INFO', good_info), ('test.ndb', ndb)]), '.cud'),
        'cud-member-name-case': (d[:512] + tar([('test.info', good_info), ('TEST.ndb', ndb)]), '.cud'),
        'cud-nested-cat-member': (cud(header_line + entry('e.cat', b'# c\n'), [('e.cat', b'# c\n')]), '.cud'),
        'cud-line-8191-before-entries': (cud(header_line + b'x' * 8191 + b'\n' + entry('test.ndb', ndb), dbs[:1]), '.cud'),
        'cud-line-8192-before-entries': (cud(header_line + b'x' * 8192 + b'\n' + entry('test.ndb', ndb), dbs[:1]), '.cud'),
        'cud-line-8192-after-entries': (cud(good_info + b'x' * 8192 + b'\n', dbs), '.cud'),
        'cud-nul-before-entries': (cud(header_line + b'ab\0cd\n' + entry('test.ndb', ndb), dbs[:1]), '.cud'),
        'cud-ftm-comments-only': (cud(header_line + entry('e.ftm', b'# c\n'), [('e.ftm', b'# c\n')]), '.cud'),
        'cud-unsigned-bytecode-unchecked': (cud(header_line + entry('e.cbc', b'zz'), [('e.cbc', b'# c\n')]), '.cud'),
        'cud-yara-unchecked': (cud(header_line + entry('e.yar', b'zz'), [('e.yar', b'# c\n')]), '.cud'),
        'cud-db-without-newline': (cud(header_line + entry('e.ndb', b'abc'), [('e.ndb', b'abc')]), '.cud'),
        # tar structure
        'tar-slash-in-name': (d[:512] + tar([('test.info', good_info), ('x/test.ndb', ndb)]), '.cud'),
        'tar-slash-before-info': (d[:512] + tar([('x/y', b''), ('test.info', good_info)]), '.cud'),
        'tar-directory': (d[:512] + info_tar[:512 * info_blocks + 156] + b'5' + info_tar[512 * info_blocks + 157:], '.cud'),
        'tar-symlink': (d[:512] + raw_tar([('test.info', good_info, tarfile.REGTYPE), ('lnk', b'', tarfile.SYMTYPE)]), '.cud'),
        'tar-gnu-longname': (d[:512] + tar([('test.info', good_info), ('x' * 120 + '.txt', b'hi\n')]), '.cud'),
        'tar-pax': (d[:512] + tar([('test.info', good_info), ('test.ndb', ndb), ('test.ldb', ldb)], fmt=tarfile.PAX_FORMAT), '.cud'),
        'tar-type-nul': (d[:512] + info_tar[:156] + b'\0' + info_tar[157:], '.cud'),
        'tar-size-leading-spaces': (d[:512] + set_tar_size(info_tar, 0, b'  %o' % len(good_info)), '.cud'),
        'tar-size-plus-sign': (d[:512] + set_tar_size(info_tar, 0, b'+%o' % len(good_info)), '.cud'),
        'tar-size-not-octal': (d[:512] + set_tar_size(info_tar, 0, b'zz'), '.cud'),
        'tar-size-trailing-junk': (d[:512] + set_tar_size(info_tar, 0, b'%ozz' % len(good_info)), '.cud'),
        'tar-size-blank-reuses-previous': (d[:512] + set_tar_size(info_tar, 512 * info_blocks, b'   '), '.cud'),
        'tar-junk-after-end': (d[:512] + info_tar + b'JUNK' * 200, '.cud'),
        'gzip-lone-byte-after-member': (d[:512] + gzip.compress(info_tar) + b'\x1f', '.cud'),
        'gzip-bad-second-member-after-end': (d[:512] + gzip.compress(info_tar) + b'\x1f\x8b' + b'X' * 12, '.cud'),
    }
    return cases


CASES = _cases()


@pytest.fixture(scope='session')
def engine(tmp_path_factory):
    clamscan = shutil.which('clamscan')
    if clamscan is None:
        pytest.fail('clamscan not found: these tests compare with the real ClamAV engine; '
                    'install Debian\'s clamav package (make test installs it)')
    target = tmp_path_factory.mktemp('scan-target') / 'hello.txt'
    target.write_bytes(b'hello\n')

    def loads(path):
        run = subprocess.run([clamscan, '--no-summary', '-d', str(path), str(target)], check=False,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                             env={'LC_ALL': 'C', 'PATH': os.environ.get('PATH', '/usr/bin:/bin')})
        message = run.stderr.decode('utf-8', 'replace').strip().splitlines()
        # 0: loaded, nothing found; 1: loaded and matched; 2: error; <0: crashed
        return run.returncode in (0, 1), 'exit %d: %s' % (run.returncode, message[-3:] if message else '')
    return loads


def write_case(tmp_path, name, data, ext):
    # each file alone in its directory: a .cvd and .cld of one name shadow each other
    path = tmp_path / ('x' + ext)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize('name', REAL)
def test_real_files_are_valid(engine, tmp_path, name):
    path = write_case(tmp_path, name, real(name), '.cvd')
    result = cvd.validate_file(str(path), deep=True)
    loaded, message = engine(path)
    assert loaded, message
    assert result['valid'] is True, result['reason']
    assert result['reason'] is None
    assert result['type'] == 'cvd'
    assert result['size'] == len(real(name))


@pytest.mark.parametrize('name', sorted(CASES))
def test_verdict_matches_engine(engine, tmp_path, name):
    data, ext = CASES[name]
    path = write_case(tmp_path, name, data, ext)
    loaded, message = engine(path)
    for deep in (False, True):
        result = cvd.validate_file(str(path), deep=deep)
        assert result['valid'] is loaded, 'ours: %s (deep=%s), engine: %s' % (result['reason'], deep, message)
        assert (result['reason'] is None) is loaded


def test_cases_cover_both_verdicts(engine, tmp_path):
    """The derived set holds files the engine loads and files it rejects."""
    verdicts = set()
    for name in ('as-cld', 'flip-md5'):
        folder = tmp_path / name
        folder.mkdir()
        data, ext = CASES[name]
        verdicts.add(engine(write_case(folder, name, data, ext))[0])
    assert verdicts == {True, False}


def test_reasons_name_the_failure(tmp_path):
    expected = {
        'empty.cvd': 'empty file',
        'truncated-header-100': 'truncated header',
        'wrong-magic': 'bad magic',
        'flip-md5': 'header MD5 does not match body',
        'flip-dsig': 'digital signature does not match',
        'flip-gzip-data': 'header MD5 does not match body',
        'flip-version': 'header version does not match the .info header',
        'cld-info-sha256-mismatch': '.info: sha256 mismatch for test.ldb',
        'cld-info-size-mismatch': '.info: size mismatch for test.ndb',
        'cld-info-unsigned': '.info: digital signature not found',
        'cld-no-info': 'no .info member in the body',
        'cld-empty-ldb': 'empty database member test.ldb',
        'cud-from-signed-cvd': '.info: line 4 is not name:size:sha256',
    }
    for name, reason in expected.items():
        data, ext = CASES[name]
        folder = tmp_path / name
        folder.mkdir()
        assert cvd.validate_file(str(write_case(folder, name, data, ext)))['reason'] == reason, name


def test_parse_header_reads_the_fields():
    header, error = cvd.parse_header(real()[:512])
    assert error is None
    assert header == {
        'build_time': '22 Jun 2021 14-58 -0400', 'version': 1, 'signatures': 0, 'functionality_level': 81,
        'md5': 'a4ab60ae1c1c4e8f787459102dcfd90b', 'builder': 'micasnyd', 'stime': 1624388302,
        'dsig': header_fields(real())[6].decode(),
    }


@pytest.mark.parametrize('head, error', [
    (b'', 'empty file'),
    (b'ClamAV-VDB:x', 'truncated header'),
    (b'NotClamAV'.ljust(512), 'bad magic'),
    (b'ClamAV-VDB:t:1:2:3:md5:sig'.ljust(512), 'cannot parse the builder'),
    (b'ClamAV-VDB:t:1:2:3:md5:sig:me'.ljust(512), None),
])
def test_parse_header_errors(head, error):
    header, reason = cvd.parse_header(head)
    assert reason == error
    if error is None:
        assert header['stime'] is None and header['builder'] == 'me'


def test_signature_check_over_bytes():
    data = real()
    fields = header_fields(data)
    body_md5 = hashlib.md5(data[512:]).hexdigest()
    assert cvd.check_signature(body_md5, fields[6])
    assert not cvd.check_signature(body_md5, fields[6][:-1] + b'A')
    assert not cvd.check_signature(hashlib.md5(b'other').hexdigest(), fields[6])
    assert cvd.md5_matches(fields[5].decode(), body_md5)
    assert cvd.md5_matches(fields[5].decode() + 'zz', body_md5)
    assert not cvd.md5_matches(fields[5].decode().upper(), body_md5)


@pytest.mark.parametrize('chunk_size', [1, 7, 513, 4096])
def test_small_chunks_give_the_same_verdicts(tmp_path, chunk_size):
    for name in ('as-cld', 'cld-info-sha256-mismatch', 'gzip-crc-in-first-fetch',
                 'gzip-crc-after-first-fetch', 'cud-good', 'tar-size-blank-reuses-previous'):
        data, ext = CASES[name]
        folder = tmp_path / name
        folder.mkdir()
        path = str(write_case(folder, name, data, ext))
        assert cvd.validate_file(path, chunk_size=chunk_size) == cvd.validate_file(path), name


@pytest.fixture(scope='module')
def test_keys():
    cvd_key = cvd_sig.generate_key(1024, 100001027, seed=5)
    info_key = cvd_sig.generate_key(2048, 100002049, seed=6)
    return cvd_key, info_key


def build_signed(test_keys, body_members, version=3):
    """A .cvd signed with throw-away keys: exercises the valid path beyond the six samples."""
    cvd_key, info_key = test_keys
    info = b'ClamAV-VDB:now:%d:1:90:X:X:test:1700000000\n' % version
    info += b''.join(entry(name, content) for name, content in body_members)
    info += b'DSIG:' + cvd_sig.sign_sha256(hashlib.sha256(info).digest(), info_key).encode() + b'\n'
    body = gzip.compress(tar([('COPYING', b'c\n'), ('main.info', info)] + body_members))
    md5 = hashlib.md5(body).hexdigest()
    head = 'ClamAV-VDB:now:%d:1:90:%s:%s:test:1700000000' % (version, md5, cvd_sig.sign_md5(md5, cvd_key))
    keys = {'cvd': cvd_key[:2], 'info': info_key[:2]}
    return head.encode().ljust(512) + body, keys


def test_throwaway_keys_sign_and_verify(test_keys):
    cvd_key, info_key = test_keys
    digest = hashlib.sha256(b'x').digest()
    assert cvd_sig.verify_sha256_signature(digest, cvd_sig.sign_sha256(digest, info_key), info_key[:2])
    assert not cvd_sig.verify_sha256_signature(digest, cvd_sig.sign_sha256(digest, info_key), cvd_sig.INFO_KEY)
    md5 = hashlib.md5(b'x').hexdigest()
    assert cvd_sig.verify_md5_signature(md5, cvd_sig.sign_md5(md5, cvd_key), cvd_key[:2])
    assert not cvd_sig.verify_md5_signature(md5, cvd_sig.sign_md5(md5, cvd_key))


def test_threaded_and_deep_paths(tmp_path, test_keys, monkeypatch):
    big = noise(3 << 20, seed=9).hex().encode()[:5 << 20] + b'\n'
    data, keys = build_signed(test_keys, [('main.hdb', big), ('main.ndb', b'# n\n')])
    path = str(tmp_path / 'main.cvd')
    with open(path, 'wb') as handle:
        handle.write(data)
    unthreaded = cvd.validate_file(path, deep=True, keys=keys)
    assert unthreaded['valid'], unthreaded['reason']
    assert not cvd.validate_file(path)['valid']  # ClamAV's keys do not vouch for it
    monkeypatch.setattr(cvd, 'THREAD_MIN_BODY', 0)
    for deep in (False, True):
        assert cvd.validate_file(path, deep=deep, keys=keys) == unthreaded

    # a member that does not match the signed .info is only seen by the member pass
    info_lied, keys = build_signed(test_keys, [('main.hdb', big), ('main.ndb', b'# n\n')])
    body = gzip.decompress(info_lied[512:]).replace(b'# n\n', b'# N\n')
    packed = gzip.compress(body)
    md5 = hashlib.md5(packed).hexdigest()
    fields = header_fields(info_lied)
    fields[5], fields[6] = md5.encode(), cvd_sig.sign_md5(md5, test_keys[0]).encode()
    with open(path, 'wb') as handle:
        handle.write(b':'.join(fields).ljust(512) + packed)
    assert cvd.validate_file(path, keys=keys)['valid']
    assert cvd.validate_file(path, deep=True, keys=keys)['reason'] == '.info: sha256 mismatch for main.ndb'


def test_never_raises_on_bad_paths(tmp_path):
    missing = cvd.validate_file(str(tmp_path / 'missing.cvd'))
    # Not read is not judged: unknown, never invalid.
    assert missing['verdict'] == 'unknown' and missing['valid'] is None
    assert missing['reason'].startswith('cannot be read')
    folder = tmp_path / 'dir.cvd'
    folder.mkdir()
    assert cvd.validate_file(str(folder))['reason'] == 'not a regular file (directory)'
    fifo = tmp_path / 'pipe.cvd'
    os.mkfifo(str(fifo))
    result = cvd.validate_file(str(fifo))
    assert result['reason'] == 'not a regular file (FIFO)' and result['verdict'] == 'invalid'
    zero = tmp_path / 'zero.cvd'
    os.symlink('/dev/zero', str(zero))
    assert cvd.validate_file(str(zero))['reason'] == 'not a regular file (character device)'
    loop = tmp_path / 'loop.cvd'
    os.symlink(str(loop), str(loop))
    assert cvd.validate_file(str(loop))['reason'] == 'symlink loop'
    other = tmp_path / 'file.txt'
    other.write_bytes(real())
    result = cvd.validate_file(str(other))
    assert result['type'] is None and result['reason'] == 'not a .cvd, .cld or .cud file'
    assert set(result) == {'path', 'type', 'verdict', 'valid', 'reason', 'size', 'header'}
    assert set(result['header']) == set(cvd.HEADER_KEYS)


def test_read_error_is_unknown(tmp_path, monkeypatch):
    path = tmp_path / 'main.cvd'
    path.write_bytes(real())

    def broken(handle, size):
        raise OSError(errno.EIO, 'Input/output error')

    monkeypatch.setattr(cvd, '_read_exact', broken)
    result = cvd.validate_file(str(path))
    assert result['verdict'] == 'unknown' and result['valid'] is None
    assert result['reason'] == 'cannot be read: Input/output error'


def test_validator_bug_is_unknown(tmp_path, monkeypatch):
    path = tmp_path / 'main.cvd'
    path.write_bytes(real())
    monkeypatch.setattr(cvd, '_parse_header', lambda head: 1 / 0)
    result = cvd.validate_file(str(path))
    assert result['verdict'] == 'unknown' and result['reason'].startswith('validator error')
