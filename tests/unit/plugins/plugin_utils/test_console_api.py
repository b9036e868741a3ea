# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API client against the fake Secure Endpoint API (real HTTP on loopback), and its helpers."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import shutil
import subprocess

import pytest

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import console_api
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.console_api import (
    ConsoleApiError, ConsoleAuthError, ConsoleClient)
from ansible_collections.secure_endpoint.linux.tests.fake_api.pytest_fixture import (  # noqa: F401 pylint: disable=unused-import
    API_KEY, CLIENT_ID, fake_api)
from ansible_collections.secure_endpoint.linux.tests.fake_api.secure_endpoint_api import FakeSecureEndpointAPI

NOW = 1_800_000_000.0


def client(api, **kwargs):
    """A client of ``api`` whose sleeps are recorded, not slept."""
    sleeps = []
    kwargs.setdefault("sleep", sleeps.append)
    kwargs.setdefault("retries", 3)
    base = kwargs.pop("base", None) or api.url
    made = ConsoleClient(base, kwargs.pop("client_id", CLIENT_ID),
                         kwargs.pop("api_key", API_KEY), **kwargs)
    made.sleeps = sleeps
    return made


# --- helpers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("region, api_url, expected", [
    ("nam", None, "https://api.amp.cisco.com"),
    ("eu", None, "https://api.eu.amp.cisco.com"),
    ("apjc", "", "https://api.apjc.amp.cisco.com"),
    ("eu", "https://gw.example.com/se/v1/", "https://gw.example.com/se"),
    (None, "http://127.0.0.1:8080", "http://127.0.0.1:8080"),
])
def test_base_url(region, api_url, expected):
    assert console_api.base_url(region, api_url) == expected


@pytest.mark.parametrize("region, api_url, message", [
    ("us", None, "region must be one of apjc, eu, nam"),
    ("nam", "ftp://x.example.com", "http:// or https://"),
    ("nam", "https://id:key@x.example.com", "must not carry credentials"),
    ("nam", "https:///v1", "with a host"),
])
def test_base_url_errors(region, api_url, message):
    with pytest.raises(ConsoleApiError, match=message):
        console_api.base_url(region, api_url)


@pytest.mark.parametrize("base, url, expected", [
    ("https://api.amp.cisco.com", "https://api.amp.cisco.com/v1/computers?offset=500", True),
    ("https://api.amp.cisco.com", "https://api.amp.cisco.com:8443/v1/computers", False),
    ("https://api.amp.cisco.com", "http://api.amp.cisco.com/v1/computers", False),
    ("https://api.amp.cisco.com", "https://api.amp.cisco.com.evil.example/v1/computers", False),
    ("https://gw.example.com/se", "https://gw.example.com/se/v1/computers", True),
    ("https://gw.example.com/se", "https://gw.example.com/sex/v1/computers", False),
    ("https://gw.example.com/se", "https://gw.example.com/v1/computers", False),
])
def test_same_origin(base, url, expected):
    assert console_api.same_origin(base, url) is expected


@pytest.mark.parametrize("headers, expected", [
    ({"X-RateLimit-Reset": "17"}, 17.0),
    ({"X-Rate-Limit-Reset": "5"}, 5.0),  # the reference's prose spelling
    ({"X-RateLimit-Reset": str(int(NOW) + 30)}, 30.0),  # a Unix time
    ({"X-RateLimit-Reset": "-3"}, 0.0),
    ({"Retry-After": "9"}, 9.0),
    ({"Retry-After": "Fri, 15 Jan 2027 08:00:20 GMT"}, 20.0),
    ({"X-RateLimit-ResetDate": "2027-01-15T08:00:40Z"}, 40.0),
    ({"X-RateLimit-Reset": "soon"}, None),
    ({}, None),
])
def test_rate_limit_reset(headers, expected):
    assert console_api.rate_limit_reset(headers, now=NOW) == expected


@pytest.mark.parametrize("status, headers, attempt, expected", [
    (429, {"X-RateLimit-Reset": "4"}, 0, 5.0),
    (429, {}, 2, 4.0),
    (503, {}, 0, 1.0),
    (502, {}, 3, 8.0),
    (503, {"Retry-After": "7"}, 0, 7.0),
    (None, {}, 1, 2.0),
    (400, {}, 0, None),
    (401, {"X-RateLimit-Reset": "4"}, 0, None),
    (404, {}, 0, None),
])
def test_retry_delay(status, headers, attempt, expected):
    assert console_api.retry_delay(status, headers, attempt, now=NOW) == expected


def test_redact_key_and_basic_token():
    assert console_api.redact("key s3cr3t token dG9r", ["s3cr3t", "dG9r", None, ""]) == \
        "key <redacted> token <redacted>"


# --- against the fake API ----------------------------------------------------------------------
def test_paginate_reads_every_page_with_the_page_size(fake_api):
    api = client(fake_api)
    items = list(api.paginate("/v1/computers", [("hostname[]", "web1.example.com"), ("hostname[]", "db1.example.com")],
                              limit=1))
    assert [c["hostname"] for c in items] == ["web1.example.com", "db1.example.com"]
    logged = fake_api.requests_to("/v1/computers")
    assert [r["query"]["offset"] for r in logged] == [["0"], ["1"]]
    assert all(r["query"]["hostname[]"] == ["web1.example.com", "db1.example.com"] for r in logged)
    assert all(r["accept_encoding"] == "gzip" for r in logged)  # the reference asks for gzip
    assert api.sleeps == []


def test_429_waits_for_the_announced_reset_then_succeeds(fake_api):
    fake_api.inject("/v1/computers", status=429, times=2,
                    headers={"X-RateLimit-Limit": "3000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "7"})
    api = client(fake_api)
    assert len(list(api.paginate("/v1/computers"))) == 12
    assert api.sleeps == [8.0, 8.0]


def test_real_rate_limit_of_the_fake_is_honoured():
    with FakeSecureEndpointAPI(rate_limit=1, rate_window=1) as fake:
        api = client(fake, sleep=__import__("time").sleep)
        assert len(list(api.paginate("/v1/computers", limit=6))) == 12  # page 2 comes after the reset
    assert [r["status"] for r in fake.requests] in ([200, 200], [200, 429, 200])


def test_429_resetting_later_than_max_wait_fails_at_once_saying_when(fake_api):
    fake_api.inject("/v1/computers", status=429, headers={"X-RateLimit-Reset": "1846", "X-RateLimit-Limit": "3000"})
    api = client(fake_api, max_wait=120)
    with pytest.raises(ConsoleApiError, match=r"rate limit \(3000 requests\) is used up and resets in 1847 s") as err:
        list(api.paginate("/v1/computers"))
    assert api.sleeps == [] and err.value.status == 429


@pytest.mark.parametrize("injection", [
    {"status": 503},
    {"status": 500, "body": "<html>Internal Server Error</html>"},
    {"status": 200, "body": "{not json"},
    {"status": 200, "body": json.dumps({"errors": []})},
    {"status": 200, "body": json.dumps({"data": {}}), "truncate": True},
    {"drop": True},
])
def test_transient_failures_are_retried_with_backoff(fake_api, injection):
    fake_api.inject("/v1/computers", times=2, **injection)
    api = client(fake_api)
    assert len(list(api.paginate("/v1/computers"))) == 12
    assert api.sleeps == [1.0, 2.0]


def test_a_server_that_keeps_failing_gives_up_with_a_clear_error(fake_api):
    fake_api.inject("/v1/computers", status=502, times=-1)
    api = client(fake_api, retries=2)
    with pytest.raises(ConsoleApiError, match=r"answered /v1/computers: HTTP 502 injected by the test \(gave up after 3 attempts\)"):
        list(api.paginate("/v1/computers"))
    assert api.sleeps == [1.0, 2.0]


def test_a_hanging_api_times_out(fake_api):
    fake_api.inject("/v1/computers", delay=3, times=1)
    api = client(fake_api, timeout=1, retries=0)
    with pytest.raises(ConsoleApiError, match="no answer|cut off"):
        list(api.paginate("/v1/computers"))


def test_an_api_that_is_gone_is_a_clear_error():
    with FakeSecureEndpointAPI() as fake:
        url = fake.url
    api = client(None, base=url, retries=1)
    with pytest.raises(ConsoleApiError, match=r"no answer \(ConnectionRefusedError.*gave up after 2 attempts"):
        list(api.paginate("/v1/computers"))


@pytest.mark.parametrize("client_id, api_key", [(CLIENT_ID, "wrong-key-!"), ("unknown-client", API_KEY)])
def test_401_names_region_and_client_id_never_the_key(fake_api, client_id, api_key):
    api = client(fake_api, client_id=client_id, api_key=api_key, region="eu")
    with pytest.raises(ConsoleAuthError) as err:
        list(api.paginate("/v1/computers"))
    message = str(err.value)
    assert "(region eu) rejected client id '%s': HTTP 401 Unknown API key or Client ID" % client_id in message
    assert api_key not in message and api.sleeps == []


def test_403_is_not_retried_and_names_the_path():
    credentials = {"ro": {"api_key": "ro-secret-key", "scope": "none"}}
    with FakeSecureEndpointAPI(credentials=credentials) as fake:
        api = client(fake, client_id="ro", api_key="ro-secret-key")
        with pytest.raises(ConsoleAuthError, match=r"refused client id 'ro' access to /v1/computers: HTTP 403"):
            list(api.paginate("/v1/computers"))
        assert len(fake.requests) == 1 and "ro-secret-key" not in str(fake.requests)


def test_a_key_echoed_by_a_broken_server_is_redacted(fake_api):
    echo = "bad key %s / Basic %s" % (API_KEY, "ZmFrZS1jbGllbnQtaWQ6ZmFrZS1hcGkta2V5LTAxMjM0NTY3ODk=")
    fake_api.inject("/v1/computers", status=418, body=json.dumps({"errors": [{"details": [echo]}]}))
    with pytest.raises(ConsoleApiError) as err:
        list(client(fake_api).paginate("/v1/computers"))
    assert "HTTP 418" in str(err.value) and API_KEY not in str(err.value) and "ZmFrZS" not in str(err.value)


def test_redirects_are_not_followed(fake_api):
    fake_api.inject("/v1/computers", status=302, headers={"Location": "https://elsewhere.example/v1/computers"})
    with pytest.raises(ConsoleApiError, match=r"redirect \(HTTP 302 to https://elsewhere.example/v1/computers\)"):
        list(client(fake_api).paginate("/v1/computers"))
    assert len(fake_api.requests) == 1


def _page(next_link):
    return json.dumps({"version": "v1.2.0", "data": [{"connector_guid": "x"}],
                       "metadata": {"links": {"next": next_link}, "results": {"total": 99}}})


def test_next_link_to_another_origin_is_refused(fake_api):
    fake_api.inject("/v1/computers", status=200, body=_page("https://collector.evil.example/v1/computers?offset=1"))
    with pytest.raises(ConsoleApiError, match="leads to https://collector.evil.example/v1/computers, outside"):
        list(client(fake_api).paginate("/v1/computers"))


def test_next_link_loop_is_stopped(fake_api):
    fake_api.inject("/v1/computers", status=200, times=-1,
                    body=_page(fake_api.url + "/v1/computers?limit=500&offset=0"))
    with pytest.raises(ConsoleApiError, match="repeats a page already read"):
        list(client(fake_api).paginate("/v1/computers"))


def test_endless_next_links_are_bounded_by_the_announced_total(fake_api):
    class Counter:
        n = 0

    def pages():
        Counter.n += 1
        return _page(fake_api.url + "/v1/computers?offset=%d" % Counter.n)
    for dummy in range(10):
        fake_api.inject("/v1/computers", status=200, body=pages())
    with pytest.raises(ConsoleApiError, match=r"still has a 'next' link after 3 pages \(total announced: 99\)"):
        list(client(fake_api).paginate("/v1/computers", limit=50))


def test_a_body_past_the_bound_is_refused(fake_api):
    api = client(fake_api, max_body=1000, retries=0)
    with pytest.raises(ConsoleApiError, match="larger than 1000 bytes"):
        list(api.paginate("/v1/computers"))


def test_remaining_zero_waits_for_the_reset_before_the_next_page(fake_api):
    fake_api.inject("/v1/computers", times=1, status=200,
                    headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3"},
                    body=_page(fake_api.url + "/v1/computers?limit=500&offset=500"))
    api = client(fake_api)
    assert len(list(api.paginate("/v1/computers"))) == 1
    assert api.sleeps == [4.0]


def test_proxy_option_sends_requests_through_the_proxy(fake_api):
    # The fake serves absolute request targets: it is the proxy, the API host does not resolve.
    api = client(fake_api, base="http://se-api.invalid:9", proxy=fake_api.url, retries=0)
    assert len(list(api.paginate("/v1/computers"))) == 12
    assert [r["via_proxy"] for r in fake_api.requests] == [True]


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a throw-away certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = str(where / "cert.pem"), str(where / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    return {"cert": cert, "key": key}


def test_tls_is_verified_against_ca_path_or_refused(tls_pair):
    with FakeSecureEndpointAPI(tls=tls_pair) as fake:
        assert fake.url.startswith("https://")
        assert len(list(client(fake, ca_path=tls_pair["cert"]).paginate("/v1/computers"))) == 12
        with pytest.raises(ConsoleApiError, match="CERTIFICATE_VERIFY_FAILED"):
            list(client(fake, retries=0).paginate("/v1/computers"))
        assert len(list(client(fake, validate_certs=False).paginate("/v1/computers"))) == 12


def test_missing_credentials_are_a_clear_error():
    with pytest.raises(ConsoleApiError, match="client_id and api_key are required"):
        ConsoleClient("https://api.amp.cisco.com", "", None)
