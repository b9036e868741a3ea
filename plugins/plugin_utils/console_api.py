# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small client of the Cisco Secure Endpoint API v1 (controller side, standard library only).

What it relies on is public (Cisco's API reference, cited in the inventory plugin's docs): HTTP
Basic auth with ``client_id:api_key``; the envelope ``{version, metadata: {links: {self, next},
results: {total, ...}}, data}``; ``limit`` (at most 500) and ``offset`` paging with
``metadata.links.next``; ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` headers (reset in
seconds) and HTTP 429 past the limit; 401 ``Unknown API key or Client ID``.

Safety rules, each tested: the API key is sent only to ``api_url``'s origin (redirects are not
followed, ``next`` links elsewhere are refused) and never appears in a message; every request,
answer body and the number of pages are bounded; 429 and 5xx are retried with backoff honouring
the reset header, within ``max_wait``.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import datetime
import email.utils
import http.client
import json
import math
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

REGIONS = {
    "nam": "https://api.amp.cisco.com",
    "eu": "https://api.eu.amp.cisco.com",
    "apjc": "https://api.apjc.amp.cisco.com",
}
MAX_PAGE_SIZE = 500
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# 500 computers of a few kB each fit easily; a body past this is not an API answer.
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_PAGES = 2000
USER_AGENT = "secure_endpoint.linux (Ansible collection)"
# The reference spells the headers both X-RateLimit-* (real answers) and X-Rate-Limit-* (prose).
RESET_HEADERS = ("X-RateLimit-Reset", "X-Rate-Limit-Reset")
REMAINING_HEADERS = ("X-RateLimit-Remaining", "X-Rate-Limit-Remaining")
LIMIT_HEADERS = ("X-RateLimit-Limit", "X-Rate-Limit-Limit")


class ConsoleApiError(Exception):
    """A request failed; the message is safe to show (no secret in it)."""

    def __init__(self, message, status=None):
        super(ConsoleApiError, self).__init__(message)
        self.status = status


class ConsoleAuthError(ConsoleApiError):
    """401 or 403: retrying cannot help."""


class _Retryable(Exception):
    """Internal: a failure worth another attempt (network, 429, 5xx, garbled body)."""

    def __init__(self, message, status=None, headers=None):
        super(_Retryable, self).__init__(message)
        self.status = status
        self.headers = headers or {}


def base_url(region=None, api_url=None):
    """The API origin (and optional path prefix) without a trailing ``/`` or ``/v1``."""
    if api_url:
        url = api_url.strip().rstrip("/")
        if url.endswith("/v1"):
            url = url[:-3]
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConsoleApiError("api_url must be an http:// or https:// URL with a host, got %r" % api_url)
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ConsoleApiError("api_url must not carry credentials, a query or a fragment; "
                                  "use client_id and api_key")
        return url.rstrip("/")
    if region not in REGIONS:
        raise ConsoleApiError("region must be one of %s, got %r" % (", ".join(sorted(REGIONS)), region))
    return REGIONS[region]


def is_loopback(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def same_origin(base, url):
    """True when ``url`` is on ``base``'s scheme, host and port, under its path."""
    a, b = urllib.parse.urlsplit(base), urllib.parse.urlsplit(url)
    if (a.scheme, a.hostname, a.port) != (b.scheme, b.hostname, b.port):
        return False
    prefix = a.path.rstrip("/")
    return b.path == prefix or b.path.startswith(prefix + "/")


def redact(text, secrets):
    """``text`` with every non-empty secret (and its Basic-auth form) replaced."""
    text = str(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def _header(headers, names):
    for name in names:
        value = headers.get(name) if headers is not None else None
        if value not in (None, ""):
            return str(value).strip()
    return None


def rate_limit_reset(headers, now=None):
    """Seconds until the rate limit resets, from the answer's headers, or None.

    ``X-RateLimit-Reset`` is documented in seconds; a value that looks like a Unix time is read as
    one. ``Retry-After`` (seconds or an HTTP date) and ``X-RateLimit-ResetDate`` (ISO 8601) are the
    fallbacks.
    """
    now = time.time() if now is None else now
    value = _header(headers, RESET_HEADERS) or _header(headers, ("Retry-After",))
    if value is not None:
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - now
            except (TypeError, ValueError, IndexError):
                seconds = None
        if seconds is not None and math.isfinite(seconds):
            if seconds > 10 ** 9:  # an absolute Unix time
                seconds -= now
            return max(0.0, seconds)
    date = _header(headers, ("X-RateLimit-ResetDate",))
    if date:
        try:
            moment = datetime.datetime.fromisoformat(date.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        return max(0.0, moment.timestamp() - now)
    return None


def retry_delay(status, headers, attempt, backoff=1.0, now=None):
    """Seconds to wait before attempt ``attempt + 1``; None when retrying cannot help.

    ``status`` is None for a network failure or a garbled answer. 429 waits for the rate limit's
    reset (one second more: the header is rounded); other retryable failures back off
    exponentially (1, 2, 4, ... seconds) unless the answer names a ``Retry-After``.
    """
    if status is not None and status not in RETRY_STATUSES:
        return None
    if status == 429:
        reset = rate_limit_reset(headers, now)
        if reset is not None:
            return reset + 1.0
    elif status is not None and _header(headers, ("Retry-After",)):
        after = rate_limit_reset({"Retry-After": _header(headers, ("Retry-After",))}, now)
        if after is not None:
            return after
    return backoff * (2 ** attempt)


def _error_details(body):
    """The ``errors[].details`` / ``description`` of an error envelope, as one line."""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    errors = parsed.get("errors") if isinstance(parsed, dict) else None
    texts = []
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        details = error.get("details")
        if isinstance(details, list) and details:
            texts += [str(d) for d in details if d is not None]
        elif error.get("description"):
            texts.append(str(error["description"]))
    return "; ".join(texts)[:300] or None


def tls_context(validate_certs=True, ca_path=None):
    """The TLS context for the API: the system's CAs (or ``ca_path``), or no verification at all."""
    if not validate_certs:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=ca_path)
    except (OSError, ssl.SSLError) as exc:
        raise ConsoleApiError("ca_path %s cannot be used: %s" % (ca_path, exc))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: the credentials must reach api_url's origin only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class ConsoleClient:
    """GET requests to the Secure Endpoint API v1, with retries and paging."""

    def __init__(self, base, client_id, api_key, region=None, timeout=30, validate_certs=True, ca_path=None,
                 proxy=None, retries=5, max_wait=120, backoff=1.0, max_body=MAX_BODY_BYTES, max_pages=MAX_PAGES,
                 sleep=time.sleep, clock=time.time, log=None):
        if not client_id or not api_key:
            raise ConsoleApiError("client_id and api_key are required (options, or the environment variables "
                                  "SECURE_ENDPOINT_CLIENT_ID and SECURE_ENDPOINT_API_KEY)")
        self.base = base
        self.region = region
        self.client_id = client_id
        token = base64.b64encode(("%s:%s" % (client_id, api_key)).encode("utf-8")).decode("ascii")
        self._authorization = "Basic " + token
        self._secrets = (api_key, token)
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.max_wait = float(max_wait)
        self.backoff = float(backoff)
        self.max_body = int(max_body)
        self.max_pages = int(max_pages)
        self.sleep = sleep
        self.clock = clock
        self.log = log or (lambda message: None)
        self.requests = 0
        self.last_headers = {}
        handlers = [_NoRedirect()]
        if base.startswith("https:") or proxy:
            handlers.append(urllib.request.HTTPSHandler(context=tls_context(validate_certs, ca_path)))
        # Without an explicit proxy, urllib honours https_proxy/http_proxy/no_proxy.
        handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else None))
        self._opener = urllib.request.build_opener(*handlers)

    # --- messages ---------------------------------------------------------------------------------
    def where(self):
        region = ("region %s" % self.region) if self.region else "api_url"
        return "Secure Endpoint API %s (%s)" % (self.base, region)

    def _safe(self, text):
        return redact(text, self._secrets)

    # --- one request --------------------------------------------------------------------------------
    def _read(self, response):
        """The body, bounded in size and in time, gunzipped if need be."""
        deadline = self.clock() + self.timeout * 2
        chunks, size = [], 0
        while True:
            chunk = response.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_body:
                raise _Retryable("the answer is larger than %d bytes" % self.max_body)
            chunks.append(chunk)
            if self.clock() > deadline:
                raise _Retryable("the answer took more than %d s to arrive" % (self.timeout * 2))
        body = b"".join(chunks)
        announced = response.headers.get("Content-Length")
        if announced and announced.strip().isdigit() and int(announced) != len(body):
            raise _Retryable("the answer was cut off (%d of %s bytes)" % (len(body), announced.strip()))
        if (response.headers.get("Content-Encoding") or "").lower() == "gzip":
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                body = inflater.decompress(body, self.max_body + 1)
            except zlib.error as exc:
                raise _Retryable("the gzip body is corrupt (%s)" % exc)
            if len(body) > self.max_body:
                raise _Retryable("the answer is larger than %d bytes" % self.max_body)
        return body

    def _once(self, url):
        request = urllib.request.Request(url, method="GET")
        request.add_unredirected_header("Authorization", self._authorization)
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Encoding", "gzip")
        request.add_header("User-Agent", USER_AGENT)
        self.requests += 1
        try:
            response = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read(65536)
                if (exc.headers.get("Content-Encoding") or "").lower() == "gzip":
                    body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, 65536)
            except (OSError, ValueError, zlib.error, http.client.HTTPException):
                body = b""
            self._fail(exc.code, exc.headers, body, url)
        except (urllib.error.URLError, socket.timeout, OSError, ValueError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise _Retryable("no answer (%s: %s)" % (type(reason).__name__, reason))
        with response:
            self.last_headers = response.headers
            try:
                body = self._read(response)
            except (socket.timeout, OSError, http.client.HTTPException) as exc:
                raise _Retryable("the answer was cut off (%s: %s)" % (type(exc).__name__, exc))
            try:
                parsed = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise _Retryable("the answer is not JSON (HTTP %d, %d bytes)" % (response.status, len(body)))
        if not isinstance(parsed, dict) or "data" not in parsed:
            raise _Retryable("the answer is not the API's envelope (no 'data')")
        return parsed

    def _fail(self, status, headers, body, url):
        details = _error_details(body) or ""
        path = urllib.parse.urlsplit(url).path
        if status == 401:
            raise ConsoleAuthError(self._safe(
                "%s rejected client id '%s': HTTP 401 %s. Check client_id and api_key (or SECURE_ENDPOINT_CLIENT_ID "
                "and SECURE_ENDPOINT_API_KEY) and that the credential belongs to this region's console."
                % (self.where(), self.client_id, details or "Unauthorized")), status)
        if status == 403:
            raise ConsoleAuthError(self._safe(
                "%s refused client id '%s' access to %s: HTTP 403 %s. The API credential lacks the scope this needs."
                % (self.where(), self.client_id, path, details or "Forbidden")), status)
        if 300 <= status < 400:
            location = headers.get("Location") if headers else "?"
            raise ConsoleApiError(self._safe(
                "%s answered %s with a redirect (HTTP %d to %s), not followed: the credentials are only sent to "
                "api_url. Set api_url to the final address." % (self.where(), path, status, location)), status)
        if status in RETRY_STATUSES:
            raise _Retryable(("HTTP %d %s" % (status, details)).rstrip(), status, headers)
        raise ConsoleApiError(self._safe("%s answered %s with HTTP %d %s" % (self.where(), path, status, details))
                              .rstrip(), status)

    def get(self, url):
        """The parsed envelope of ``url`` (absolute, under the base), retrying what can be retried."""
        if not same_origin(self.base, url):
            raise ConsoleApiError(self._safe("refusing to send the credentials to %s: not under %s"
                                             % (url.split("?")[0], self.base)))
        path = urllib.parse.urlsplit(url).path
        attempt = 0
        while True:
            try:
                return self._once(url)
            except _Retryable as exc:
                delay = retry_delay(exc.status, exc.headers, attempt, self.backoff, self.clock())
                problem = self._safe("%s answered %s: %s" % (self.where(), path, exc))
                if exc.status == 429 and delay is not None and delay > self.max_wait:
                    limit = _header(exc.headers, LIMIT_HEADERS)
                    raise ConsoleApiError(
                        "%s: the API rate limit%s is used up and resets in %d s, more than retry_max_wait (%d s). "
                        "Try again later or raise retry_max_wait."
                        % (problem, " (%s requests)" % limit if limit else "", delay, self.max_wait), 429)
                if delay is None or attempt >= self.retries:
                    raise ConsoleApiError("%s (gave up after %d attempts)" % (problem, attempt + 1), exc.status)
                delay = min(delay, self.max_wait)
                self.log("%s; retrying in %.1f s (attempt %d of %d)" % (problem, delay, attempt + 2, self.retries + 1))
                self.sleep(delay)
                attempt += 1

    def url(self, path, params=None):
        query = urllib.parse.urlencode(params or [], doseq=True)
        return "%s%s%s" % (self.base, path, "?" + query if query else "")

    def paginate(self, path, params=None, limit=MAX_PAGE_SIZE):
        """Yield every item of a paged collection, following ``metadata.links.next``.

        Bounded: at most ``max_pages`` pages, and no more than the pages ``metadata.results.total``
        announces (plus one, for items added while paging); a ``next`` link seen before stops it.
        """
        if not 1 <= int(limit) <= MAX_PAGE_SIZE:
            raise ConsoleApiError("page size must be between 1 and %d, got %r" % (MAX_PAGE_SIZE, limit))
        url = self.url(path, list(params or []) + [("limit", int(limit)), ("offset", 0)])
        seen, pages, announced = set(), 0, None
        while url:
            if url in seen:
                raise ConsoleApiError("%s: the 'next' link of %s repeats a page already read; stopped"
                                      % (self.where(), path))
            seen.add(url)
            envelope = self.get(url)
            pages += 1
            data = envelope.get("data")
            if not isinstance(data, list):
                raise ConsoleApiError("%s: %s answered 'data' that is not a list" % (self.where(), path))
            yield from data
            metadata = envelope.get("metadata") if isinstance(envelope.get("metadata"), dict) else {}
            results = metadata.get("results") if isinstance(metadata.get("results"), dict) else {}
            total = results.get("total")
            if isinstance(total, int) and total >= 0:
                announced = max(announced or 0, total)
            links = metadata.get("links") if isinstance(metadata.get("links"), dict) else {}
            url = links.get("next") or None
            if url is not None and not isinstance(url, str):
                raise ConsoleApiError("%s: %s answered a 'next' link that is not a string" % (self.where(), path))
            if url is None:
                return
            bound = self.max_pages if announced is None else min(self.max_pages,
                                                                 int(math.ceil(announced / float(limit))) + 1)
            if pages >= bound:
                raise ConsoleApiError("%s: %s still has a 'next' link after %d pages (total announced: %s); stopped"
                                      % (self.where(), path, pages, announced))
            if not same_origin(self.base, url):
                raise ConsoleApiError(self._safe("%s: the 'next' link of %s leads to %s, outside %s; not followed "
                                                 "(the credentials stay with api_url)"
                                                 % (self.where(), path, url.split("?")[0], self.base)))
            self._respect_remaining()

    def _respect_remaining(self):
        """When the last answer says no request is left, wait for the reset rather than be refused."""
        remaining = _header(self.last_headers, REMAINING_HEADERS)
        try:
            exhausted = remaining is not None and int(float(remaining)) <= 0
        except ValueError:
            exhausted = False
        if exhausted:
            reset = rate_limit_reset(self.last_headers, self.clock())
            if reset is not None and reset + 1.0 <= self.max_wait:
                self.log("%s: rate limit used up; waiting %.1f s for its reset" % (self.where(), reset + 1.0))
                self.sleep(reset + 1.0)
