# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate ClamAV definition files (.cvd, .cld, .cud) as libclamav 1.4 loads them.

A file is valid when ``clamscan -d FILE`` (ClamAV 1.4, default options, FILE
alone in its directory) can load it. The rules mirror libclamav:

* cvd.c ``cli_cvdverify``/``cl_cvdparse``: 512-byte header
  ``ClamAV-VDB:time:version:sigs:flevel:md5:dsig:builder[:stime]``; for .cvd
  only, the MD5 of the body and the header dsig (``cvd_sig``) are checked;
  .cld and .cud headers are parsed but not verified;
* cvd.c ``cli_tgzload``: the body is a tar (gzip'd unless it starts with
  ``COPYING``), read twice: pass 1 loads the first ``*.info`` member, pass 2
  loads every signature database member;
* readdb.c ``cli_loadinfo``: the ``.info`` lines (its own header line, then
  ``name:size:sha256``, then a ``DSIG:`` line checked with ``cvd_sig``,
  except for .cud files);
* cvd.c ``cli_cvdload``: the .info header must repeat the CVD header's
  version, signature count, functionality level and creation time, and list
  at least one file; pass 2 then checks each loaded member against it.

A functionality level above the engine's only makes the engine print a
warning (``cli_cvdload``), so it does not make a file invalid.

For a .cvd whose body MD5 and header signature verify, the body is the one
Talos signed, so by default the per-member pass (which needs the whole body
inflated) is skipped: ``deep=True`` runs it too. .cld and .cud files have no
other integrity check, so the member pass always runs for them.

Not checked: the syntax of the signatures themselves (for .cvd and .cld they
are authenticated by the checks above; an unsigned .cud may hold signatures
the engine rejects), and the directory-level rule that a .cvd and a .cld of
the same name shadow each other.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import hashlib
import os
import queue
import re
import threading
import zlib

from ansible_collections.secure_endpoint.linux.plugins.module_utils import cvd_sig, host_files

HEADER_SIZE = 512
CHUNK_SIZE = 1 << 20
# zlib's gzread() inflates into a 2 * GZBUFSIZE buffer: data errors are seen
# per 16 KiB of output, and only for the batches the engine asks for.
GZ_BATCH = 16384
_GZ_SLICE = 16384
# readdb.h FILEBUFF: longest line cli_dbgets() returns.
LINE_MAX = 8192
# Use a second thread (MD5 here, inflate/tar/SHA-256 there) above this body size.
THREAD_MIN_BODY = 8 << 20
_QUEUE_DEPTH = 4

HEADER_KEYS = ('build_time', 'version', 'signatures', 'functionality_level', 'md5', 'builder', 'stime')

# readdb.h CLI_DBEXT (with YARA): members pass 2 hands to a loader.
_DB_EXTS = frozenset(
    'db hdb hdu fp mdb mdu hsb hsu sfp msb msu ndb ndu ldb ldu sdb zmd rmd pdb gdb wdb cbc ftm '
    'cfg cvd cld cud cdb cat crb idb ioc yar yara pwdb ign ign2 imp'.split())
# Loaders clamscan does not feed from the member (PUA sets need --detect-pua,
# YARA rules are not read through cli_dbgets): no size/SHA-256 check.
_NOT_READ = frozenset('hdu mdu hsu msu ndu ldu yar yara'.split())
# Loaders that fail with "Empty database file" when the member has no line.
_EMPTY_REJECTED = frozenset('db hdb fp mdb hsb sfp msb ndb ldb sdb zmd rmd cdb idb imp'.split())
# Loaders that fail when no signature line (only comments) is present.
_NEEDS_SIGNATURE = frozenset('ftm pwdb'.split())
# Member types clamscan 1.4.6 crashes on when they sit inside a container.
_CRASHES = frozenset('cvd cld cud cat ioc'.split())
_SIG_SCAN_CAP = 1 << 20

_C_SPACE = b' \t\n\v\f\r'
_OCTAL = re.compile(br'[ \t\n\v\f\r]*([+-]?)([0-7]+)')
_HEX64 = re.compile(br'[0-9A-Fa-f]{64}\Z')


def file_type(path):
    """readdb.c cli_load(): the container type comes from the name's suffix."""
    lower = os.path.basename(path).lower()
    for kind in ('cvd', 'cld', 'cud'):
        if lower.endswith('.' + kind):
            return kind
    return None


def _c_atoi(token):
    """atoi() as glibc does it (strtol clamped to long, truncated to int), as unsigned int."""
    match = re.match(br'[ \t\n\v\f\r]*([+-]?)([0-9]*)', token)
    digits = match.group(2).lstrip(b'0')
    # more than 19 digits overflows long anyway: strtol() clamps
    value = int(digits) if 0 < len(digits) <= 19 else (1 << 63 if digits else 0)
    if match.group(1) == b'-':
        value = -value
    value = max(-(1 << 63), min(value, (1 << 63) - 1))
    return value & 0xffffffff


def _strtok_fields(line):
    """str.c cli_strtok(): runs of ':' separate fields; an empty field does not exist."""
    return [part or None for part in re.split(b':+', line)]


def _parse_cvd_line(line):
    """cvd.c cl_cvdparse() over one C string. Returns (tokens, error)."""
    if not line.startswith(b'ClamAV-VDB:'):
        return None, 'bad magic'
    parts = _strtok_fields(line)
    names = ('build time', 'version', 'signature count', 'functionality level', 'MD5', 'digital signature', 'builder')
    tokens = {}
    for index, name in enumerate(names, 1):
        token = parts[index] if index < len(parts) else None
        if token is None:
            return tokens, 'cannot parse the %s' % name
        tokens[index] = token
    tokens[8] = parts[8] if len(parts) > 8 else None
    return tokens, None


def _header_numbers(tokens):
    """The four header numbers cli_cvdload() compares with the .info header."""
    stime = tokens.get(8)
    return (_c_atoi(tokens[2]), _c_atoi(tokens[3]), _c_atoi(tokens[4]), _c_atoi(stime) if stime else 0)


def _text(token):
    return None if token is None else token.decode('latin-1')


def _number(token):
    return int(token) if token is not None and token.isdigit() else None


def _header_cstring(head):
    """cvd.c cli_cvdverify(): strip trailing spaces/newlines from byte 511 down, then C string."""
    buf = bytearray(head[:HEADER_SIZE])
    i = len(buf) - 1
    while i > 0 and buf[i] in (0x20, 0x0a):
        buf[i] = 0
        i -= 1
    return bytes(buf).split(b'\0', 1)[0]


def _parse_header(head):
    tokens, error = _parse_cvd_line(_header_cstring(head))
    if len(head) < HEADER_SIZE:
        error = 'empty file' if not head else 'truncated header'
    return tokens or {}, error


def _public_header(tokens):
    return {
        'build_time': _text(tokens.get(1)),
        'version': _number(tokens.get(2)),
        'signatures': _number(tokens.get(3)),
        'functionality_level': _number(tokens.get(4)),
        'md5': _text(tokens.get(5)),
        'dsig': _text(tokens.get(6)),
        'builder': _text(tokens.get(7)),
        'stime': _number(tokens.get(8)),
    }


def parse_header(head):
    """Parse the 512-byte header (bytes) the way the engine does.

    Returns (header, error): header holds build_time, version, signatures,
    functionality_level, md5, dsig, builder, stime (None where unparsable);
    error is None or a short reason.
    """
    tokens, error = _parse_header(head)
    return _public_header(tokens), error


def md5_matches(header_md5, body_md5_hex):
    """cli_cvdverify(): strncmp(md5, cvd->md5, 32) - a longer header field still matches."""
    return header_md5 is not None and header_md5[:32] == body_md5_hex and len(header_md5) >= 32


def check_signature(md5_hex, dsig, key=None):
    """cli_versig(): True when the header dsig decodes to this MD5 (lower-case hex)."""
    return cvd_sig.verify_md5_signature(md5_hex, dsig, key or cvd_sig.CVD_KEY)


def _parse_tar_size(field, previous):
    """sscanf(osize, "%o", &size) on the NUL-terminated 12-byte size field.

    Returns the new size, the previous one when sscanf hits the end (EOF), or
    None on a matching failure (cli_tgzload: "Invalid size in header").
    """
    text = field.split(b'\0', 1)[0]
    if not text.strip(_C_SPACE):
        return previous
    match = _OCTAL.match(text)
    if not match:
        return None
    value = int(match.group(2), 8)
    if match.group(1) == b'-':
        value = -value
    return value & 0xffffffff


class _InfoReader:
    """readdb.c cli_loadinfo() fed with the .info member's bytes."""

    def __init__(self, signed, info_key):
        self.signed = signed
        self.key = info_key
        self.header = None
        self.entries = {}
        self.error = None
        self.dsig_seen = False
        self._sha = hashlib.sha256()
        self._partial = bytearray()
        self._line_no = 0
        self._stopped = False

    def update(self, data):
        if self._stopped:
            return
        self._partial += data
        start = 0
        while not self._stopped:
            newline = self._partial.find(b'\n', start)
            if newline < 0:
                break
            self._line(bytes(self._partial[start:newline]))
            start = newline + 1
        del self._partial[:start]
        if not self._stopped and (len(self._partial) >= LINE_MAX or b'\0' in self._partial):
            # cli_dbgets() gives up on an over-long line; NUL ends its C strings.
            self._stopped = True

    def _line(self, line):
        if b'\0' in line or len(line) >= LINE_MAX:
            self._stopped = True
            return
        self._line_no += 1
        if self.signed and line.startswith(b'DSIG:'):
            self.dsig_seen = True
            self._stopped = True
            if not cvd_sig.verify_sha256_signature(self._sha.digest(), line[5:], self.key):
                self.error = '.info: digital signature does not match'
            return
        self._sha.update(line + b'\n' if len(line) + 1 < LINE_MAX else line)
        line = line.rstrip(b'\r\n')
        if line.startswith(b'ClamAV-VDB:'):
            if self.header is not None:
                return self._fail('.info: second header line')
            tokens, error = _parse_cvd_line(line)
            if error:
                return self._fail('.info: header line: %s' % error)
            self.header = tokens
            return
        if self.header is None:
            return self._fail('.info: line %d before the header line' % self._line_no)
        tokens = line.split(b':', 3)
        if len(tokens) != 3:
            return self._fail('.info: line %d is not name:size:sha256' % self._line_no)
        name, size, digest = tokens
        if size.strip(b'0123456789'):
            return self._fail('.info: bad size for %s' % _text(name))
        if not _HEX64.match(digest):
            return self._fail('.info: bad sha256 for %s' % _text(name))
        self.entries.setdefault(name, (_c_atoi(size), bytes(bytearray.fromhex(digest.decode('ascii')))))

    def _fail(self, reason):
        self.error = reason
        self._stopped = True

    def close(self):
        """End of the member: cli_dbgets() drops a last line without a newline."""
        self._stopped = True
        if self.error is None and self.signed and not self.dsig_seen:
            self.error = '.info: digital signature not found'
        return self.error


class _MemberDigest:
    """What pass 2 learns from one database member while the loader reads it."""

    def __init__(self, name, ext, read):
        self.name = name
        self.ext = ext
        self.read = read
        self.size = 0
        self.sha = hashlib.sha256() if read else None
        self.digest = None
        self.has_line = False
        self.has_signature = False
        self._sig_scan = bytearray() if read and ext in _NEEDS_SIGNATURE else None

    def update(self, data):
        if not self.read:
            return
        self.size += len(data)
        self.sha.update(data)
        if not self.has_line and b'\n' in bytes(data):
            self.has_line = True
        if self._sig_scan is not None and len(self._sig_scan) < _SIG_SCAN_CAP:
            self._sig_scan += data

    def close(self):
        # keep only the digest: members met before .info wait for it
        if self.sha is not None:
            self.digest, self.sha = self.sha.digest(), None
        if self._sig_scan is not None:
            lines = bytes(self._sig_scan).split(b'\n')[:-1]
            self.has_signature = len(self._sig_scan) >= _SIG_SCAN_CAP or any(
                line and not line.startswith(b'#') for line in lines)
            self._sig_scan = None


class _BodyScanner:
    """cli_tgzload() passes 1 and 2 plus the cli_cvdload() checks between them, in one read."""

    def __init__(self, kind, header_numbers, keys, deep):
        self.kind = kind
        self.signed = kind != 'cud'
        self.header_numbers = header_numbers
        self.info_key = keys['info']
        self.stop_after_info = kind == 'cvd' and not deep
        self.pass1_error = None
        self.pass2_error = None
        self.internal_error = None
        self.done = False
        self.phase = 1
        self.info = None
        self._pending = []
        self._stream = _BodyStream(_TarReader(self))

    # -- input side -------------------------------------------------------
    def feed(self, data):
        if not self.done:
            self._stream.feed(data)

    def finish(self):
        if not self.done:
            self._stream.finish()

    # -- called by the tar reader ----------------------------------------
    def fail(self, reason):
        if self.phase == 1:
            self.pass1_error = reason
        else:
            self.pass2_error = reason
        self.done = True

    def member_started(self, name, size):
        lower = name.lower()
        ext = lower.rpartition(b'.')[2].decode('latin-1') if b'.' in lower else ''
        if self.phase == 1 and lower.endswith(b'.info'):
            self.info = _InfoReader(self.signed, self.info_key)
            return self.info
        if ext in _DB_EXTS:
            read = ext not in _NOT_READ and ext not in _CRASHES and not (ext == 'cbc' and not self.signed)
            return _MemberDigest(name, ext, read)
        return None

    def member_done(self, member):
        if member is self.info:
            self._info_loaded()
            return
        member.close()
        if self.phase == 1:
            self._pending.append(member)
        else:
            self._check_member(member)

    def stream_ended(self):
        if self.phase == 1 and not self.done:
            self.pass1_error = 'no .info member in the body'
        self.done = True

    # -- checks -----------------------------------------------------------
    def _info_loaded(self):
        error = self.info.close()
        if error is None:
            error = self._compare_headers()
        if error:
            self.pass1_error = error
            self.done = True
            return
        self.phase = 2
        if self.stop_after_info:
            self.done = True
            return
        pending, self._pending = self._pending, []
        for member in pending:
            self._check_member(member)
            if self.done:
                return

    def _compare_headers(self):
        """cli_cvdload(): "Corrupted CVD header" / "dbinfo error"."""
        if self.info.header is None:
            return '.info has no header line'
        names = ('version', 'signature count', 'functionality level', 'creation time')
        for name, ours, theirs in zip(names, self.header_numbers, _header_numbers(self.info.header)):
            if ours != theirs:
                return 'header %s does not match the .info header' % name
        if not self.info.entries:
            return '.info lists no file'
        return None

    def _check_member(self, member):
        """cli_tgzload() pass 2: load the member, then look it up in .info."""
        name = _text(member.name)
        reason = None
        if member.ext in _CRASHES:
            reason = 'engine cannot load a nested .%s member (%s)' % (member.ext, name)
        elif member.read and member.ext in _EMPTY_REJECTED and not member.has_line:
            reason = 'empty database member %s' % name
        elif member.read and member.ext in _NEEDS_SIGNATURE and not member.has_signature:
            reason = 'no signature in member %s' % name
        elif member.name not in self.info.entries:
            reason = '.info does not list %s' % name
        elif member.read and member.size:
            size, digest = self.info.entries[member.name]
            if size != member.size:
                reason = '.info: size mismatch for %s' % name
            elif digest != member.digest:
                reason = '.info: sha256 mismatch for %s' % name
        if reason:
            self.pass2_error = reason
            self.done = True


class _TarReader:
    """The tar walk of cli_tgzload(): 512-byte headers, member data, padding."""

    def __init__(self, scanner):
        self.scanner = scanner
        self._header = bytearray()
        self._member = None
        self._data_left = 0
        self._pad_left = 0
        self._size = 0

    @property
    def done(self):
        return self.scanner.done

    def push(self, data):
        view = memoryview(data)
        pos = 0
        while pos < len(view) and not self.done:
            if self._data_left:
                take = min(self._data_left, len(view) - pos)
                if self._member is not None:
                    self._member.update(view[pos:pos + take])
                pos += take
                self._data_left -= take
                if not self._data_left:
                    self._end_member()
            elif self._pad_left:
                take = min(self._pad_left, len(view) - pos)
                pos += take
                self._pad_left -= take
            else:
                take = min(HEADER_SIZE - len(self._header), len(view) - pos)
                self._header += view[pos:pos + take]
                pos += take
                if len(self._header) == HEADER_SIZE:
                    block = bytes(self._header)
                    self._header = bytearray()
                    self._on_header(block)

    def _on_header(self, block):
        if block[:1] == b'\0':
            self.scanner.stream_ended()
            return
        name = block[:100].split(b'\0', 1)[0]
        if b'/' in name:
            return self.scanner.fail('tar member %s has a slash in its name' % _text(name))
        flag = block[156:157]
        if flag == b'5':
            return self.scanner.fail('tar member %s is a directory' % _text(name))
        if flag not in (b'0', b'\0'):
            return self.scanner.fail('tar member %s has unsupported type %r' % (_text(name), _text(flag)))
        size = _parse_tar_size(block[124:136], self._size)
        if size is None:
            return self.scanner.fail('tar member %s has an invalid size' % _text(name))
        self._size = size
        self._member = self.scanner.member_started(name, size)
        self._data_left = size
        self._pad_left = (HEADER_SIZE - size % HEADER_SIZE) % HEADER_SIZE
        if not size:
            self._end_member()

    def _end_member(self):
        member, self._member = self._member, None
        if member is not None:
            self.scanner.member_done(member)

    def end(self):
        """No more tar bytes: a partial header is cli_tgzload's "Incomplete block read"."""
        if self.done:
            return
        if self._data_left:
            self._data_left = 0
            self._end_member()
            if self.done:
                return
        if self._header:
            self.scanner.fail('incomplete tar block at the end of the body')
            return
        self.scanner.stream_ended()


class _BodyStream:
    """Body bytes to tar bytes as cli_tgzload() gets them (fread, or zlib's gzread)."""

    def __init__(self, tar):
        self.tar = tar
        self._mode = None
        self._head = b''
        self._inflater = None
        self._batch = bytearray()
        self._look = b''

    def feed(self, data):
        if self._mode is None:
            self._head += data
            if len(self._head) < 7:
                return
            data, self._head = self._head, b''
            # "COPYING" first means a plain tar; gzread() copies non-gzip input as is.
            self._mode = 'gzip' if data[:2] == b'\x1f\x8b' else 'raw'
        if self._mode == 'raw':
            self.tar.push(data)
            return
        view = memoryview(data)
        for start in range(0, len(view), _GZ_SLICE):
            if self._mode != 'gzip' or self.tar.done:
                return
            self._inflate(bytes(view[start:start + _GZ_SLICE]))

    def _inflate(self, piece):
        while piece and not self.tar.done and self._mode == 'gzip':
            if self._inflater is None:
                # gz_look(): after a member, only gzip magic starts another one;
                # anything else is trailing garbage and ends the stream.
                self._look += piece
                if len(self._look) < 2:
                    return
                if self._look[:2] != b'\x1f\x8b':
                    self._end()
                    return
                piece, self._look = self._look, b''
                self._inflater = zlib.decompressobj(31)
            try:
                out = self._inflater.decompress(piece, GZ_BATCH - len(self._batch))
            except zlib.error as exc:
                self._fail(exc)
                return
            self._batch += out
            if self._inflater.eof:
                piece = self._inflater.unused_data
                self._inflater = None
                self._flush()
            else:
                piece = self._inflater.unconsumed_tail
                if len(self._batch) == GZ_BATCH:
                    self._flush()
                    if not piece:
                        # output may still be pending inside zlib
                        self._drain()

    def _drain(self):
        while self._inflater is not None and not self.tar.done:
            try:
                out = self._inflater.decompress(b'', GZ_BATCH - len(self._batch))
            except zlib.error as exc:
                self._fail(exc)
                return
            self._batch += out
            if self._inflater.eof:
                self._inflater = None
                self._flush()
                return
            if len(self._batch) < GZ_BATCH:
                return
            self._flush()

    def _flush(self):
        batch, self._batch = self._batch, bytearray()
        if batch and not self.tar.done:
            self.tar.push(batch)

    def _fail(self, exc):
        self._mode = 'end'
        self._batch = bytearray()
        if not self.tar.done:
            self.tar.scanner.fail('gzip data error in the body (%s)' % exc)

    def _end(self):
        self._mode = 'end'
        self._flush()
        self.tar.end()

    def finish(self):
        if self._mode is None:
            # cli_tgzload(): cli_readn(fd, block, 7) != 7 -> CL_EFORMAT
            self.tar.scanner.fail('body shorter than 7 bytes')
            return
        if self._mode == 'gzip' and self._inflater is not None:
            # truncated member: zlib hands over what it has ("unexpected end of file")
            self._drain()
        if self._mode != 'end':
            self._end()


def _pump(handle, md5, scanner, chunk_size, threaded):
    """Read the body once: MD5 here; tar/inflate/SHA-256 here or in a worker thread."""
    if not threaded:
        while True:
            chunk = handle.read(chunk_size)
            if not chunk:
                break
            if md5 is not None:
                md5.update(chunk)
            if not scanner.done:
                scanner.feed(chunk)
            elif md5 is None:
                break
        scanner.finish()
        return

    chunks = queue.Queue(maxsize=_QUEUE_DEPTH)

    def work():
        broken = False
        while True:
            chunk = chunks.get()
            if chunk is None:
                break
            if broken or scanner.done:
                continue
            try:
                scanner.feed(chunk)
            except Exception as exc:  # keep draining so the reader never blocks
                scanner.internal_error = repr(exc)
                broken = True
        if not broken:
            try:
                scanner.finish()
            except Exception as exc:
                scanner.internal_error = repr(exc)

    worker = threading.Thread(target=work, name='cvd-body')
    worker.daemon = True
    worker.start()
    try:
        while True:
            chunk = handle.read(chunk_size)
            if not chunk:
                break
            md5.update(chunk)
            if not scanner.done:
                chunks.put(chunk)
    finally:
        chunks.put(None)
        worker.join()


def _empty_header():
    return dict((key, None) for key in HEADER_KEYS)


def validate_file(path, deep=False, keys=None, chunk_size=CHUNK_SIZE):
    """Validate one definition file; never raises on bad input.

    Returns {path, type, verdict, valid, reason, size, header}: ``verdict`` is 'valid',
    'invalid' (the engine would refuse the file: ``reason``) or 'unknown' (it could not be
    judged: ``reason``, e.g. a read error); ``valid`` is True, False or None to match. A path
    that is not a regular file (FIFO, device, directory, symlink loop) is invalid: the engine
    cannot load it. keys overrides the ClamAV public keys ({'cvd': (n, e), 'info': (n, e)})
    for test fixtures.
    """
    result = {'path': path, 'type': file_type(path), 'verdict': 'unknown', 'valid': None, 'reason': None,
              'size': None, 'header': _empty_header()}
    verdict = 'invalid'
    try:
        result['reason'] = _validate(path, result, deep, keys or cvd_sig.CLAMAV_KEYS, chunk_size)
    except host_files.NotRegularFile as exc:
        result['reason'] = 'not a regular file (%s)' % exc.kind
    except (IOError, OSError) as exc:
        if getattr(exc, 'errno', None) == errno.ELOOP:
            result['reason'] = 'symlink loop'
        else:
            verdict, result['reason'] = 'unknown', 'cannot be read: %s' % host_files.reason(exc)
    except Exception as exc:  # a validator bug must not break fact gathering, nor condemn a file
        verdict, result['reason'] = 'unknown', 'validator error: %r' % (exc,)
    if result['reason'] is None:
        verdict = 'valid'
    elif result['reason'].startswith('validator error'):
        verdict = 'unknown'
    result['verdict'] = verdict
    result['valid'] = {'valid': True, 'invalid': False}.get(verdict)
    return result


def _read_exact(handle, size):
    data = b''
    while len(data) < size:
        chunk = handle.read(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _validate(path, result, deep, keys, chunk_size):
    # Only a regular file is opened, non-blocking: a FIFO or a device must not hang fact gathering.
    fd, info = host_files.open_regular(path)
    with os.fdopen(fd, 'rb') as handle:
        result['size'] = info.st_size
        kind = result['type']
        if kind is None:
            return 'not a .cvd, .cld or .cud file'
        head = _read_exact(handle, HEADER_SIZE)
        tokens, error = _parse_header(head)
        public = _public_header(tokens)
        result['header'] = dict((key, public[key]) for key in HEADER_KEYS)
        if error:
            return error

        md5 = hashlib.md5() if kind == 'cvd' else None
        scanner = _BodyScanner(kind, _header_numbers(tokens), keys, deep)
        threaded = md5 is not None and info.st_size - HEADER_SIZE >= THREAD_MIN_BODY
        _pump(handle, md5, scanner, chunk_size, threaded)

    if md5 is not None:
        body_md5 = md5.hexdigest()
        if not md5_matches(_text(tokens[5]), body_md5):
            return 'header MD5 does not match body'
        if not check_signature(body_md5, tokens[6], keys['cvd']):
            return 'digital signature does not match'
    if scanner.internal_error:
        return 'validator error: %s' % scanner.internal_error
    return scanner.pass1_error or scanner.pass2_error
