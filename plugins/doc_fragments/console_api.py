# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):

    # How to reach the Cisco Secure Endpoint API v1 (plugins that call it).
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The Secure Endpoint cloud whose console holds the connectors.
      - V(nam) is C(https://api.amp.cisco.com), V(eu) C(https://api.eu.amp.cisco.com),
        V(apjc) C(https://api.apjc.amp.cisco.com).
      - Ignored when O(api_url) is set.
    type: str
    choices: [nam, eu, apjc]
    default: nam
    env:
      - name: SECURE_ENDPOINT_REGION
  api_url:
    description:
      - Base URL of the API, instead of the O(region)'s (a private gateway, a proxy that rewrites, tests).
      - Requests go to O(api_url) followed by C(/v1/...); a trailing C(/v1) is accepted. The credentials are
        sent to this origin only - redirects are not followed and C(next) links to another origin are refused.
      - A plain C(http://) URL sends the API key unencrypted; a warning says so unless the host is the
        loopback.
    type: str
    env:
      - name: SECURE_ENDPOINT_API_URL
  client_id:
    description:
      - The 3rd Party API Client ID of the console's API credentials (Basic auth user name).
    type: str
    env:
      - name: SECURE_ENDPOINT_CLIENT_ID
  api_key:
    description:
      - The API key of those credentials (Basic auth password). A read-only credential is enough.
      - Never logged, cached or shown in an error message. Prefer the environment variable or Ansible Vault
        to a clear-text value in the configuration file.
    type: str
    env:
      - name: SECURE_ENDPOINT_API_KEY
  validate_certs:
    description:
      - Whether to check the API's TLS certificate. Leave it on outside a laboratory.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of the certificate authorities to trust instead of the system's (a TLS-inspecting proxy,
        a private gateway).
    type: path
  proxy:
    description:
      - URL of an HTTP proxy for the API requests (C(http://proxy.example.com:3128)).
      - When unset, the C(https_proxy), C(http_proxy) and C(no_proxy) environment variables apply.
    type: str
  timeout:
    description:
      - Seconds to wait for the API to connect or to send the next bytes of an answer. A whole answer must
        arrive within twice this.
    type: int
    default: 30
  retries:
    description:
      - How many times a request is tried again after a rate-limit refusal (HTTP 429), a server error (500,
        502, 503, 504), a network failure or a garbled answer. 401, 403 and other errors are not retried.
      - A 429 waits for the reset the API announces (C(X-RateLimit-Reset) seconds, plus one); other failures
        back off 1, 2, 4, ... seconds, or the C(Retry-After) the answer names.
    type: int
    default: 5
  retry_max_wait:
    description:
      - The longest single wait between two attempts, in seconds. When the rate limit resets later than this,
        the request fails at once with a message saying when it resets.
    type: int
    default: 120
"""
