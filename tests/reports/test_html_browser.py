# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report in a real browser (Debian's chromium, headless): what it shows equals the
JSON document, sorting and the filter work, hostile data stays text and runs nothing, no
network request is made, and the page reads the same with JavaScript off. Screenshots and the
pages themselves are kept under .testbed/artifacts/reports/."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_html

DATA = os.path.join(os.path.dirname(__file__), "..", "unit", "data", "reports")
NAMES = ("facts", "remediation", "remediation_check")
PWNED = ("__pwned_host", "__pwned_evidence", "__pwned_img", "__pwned_error", "__pwned_version")
HOSTILE_HOST = u'evil"\'><script>window.__pwned_host=1</script>'
HOSTILE_LINE = u'</script><script>window.__pwned_evidence=1</script><img src=x onerror="window.__pwned_img=1">'

# Reads the page as a person sees it: the visible text of each part.
READ = """
var q = function (s) { return Array.prototype.slice.call(document.querySelectorAll(s)); };
var shown = function (e) { return !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length); };
var counts = {};
q('#summary .count').forEach(function (b) { counts[b.getAttribute('data-key')] = b.querySelector('dd').innerText; });
var faults = {};
q('#fault-counts tbody tr').forEach(function (r) { faults[r.getAttribute('data-fault')] = r.cells[2].innerText; });
var statuses = {};
q('#status-counts tbody tr[data-status]').forEach(function (r) { statuses[r.getAttribute('data-status')] = r.cells[1].innerText; });
var rows = q('#matrix tbody tr').map(function (r) {
  return {host: r.cells[0].innerText, shown: shown(r), status: r.cells[1].getAttribute('data-state'),
          cells: Array.prototype.slice.call(r.querySelectorAll('td[data-fault]')).map(function (c) {
            return {fault: c.getAttribute('data-fault'), state: c.getAttribute('data-state'),
                    active: c.getAttribute('data-active'), text: c.innerText,
                    rank: Number(c.getAttribute('data-rank')), colour: getComputedStyle(c).backgroundColor}; })};
});
var details = q('#details article.host').map(function (a) {
  return {host: a.getAttribute('data-host'), name: a.querySelector('.hostname').innerText, shown: shown(a),
          text: a.innerText};
});
var pwned = {};
arguments[0].forEach(function (k) { pwned[k] = typeof window[k]; });
return {counts: counts, faults: faults, statuses: statuses, rows: rows, details: details, pwned: pwned,
        scripts: document.scripts.length, images: document.images.length, iframes: q('iframe,object,embed').length,
        controls: shown(document.getElementById('controls')), sortButtons: q('button.sort').length,
        shownText: (document.getElementById('shown') || {}).innerText || ''};
"""


def load(name):
    with open(os.path.join(DATA, name + ".json")) as handle:
        return json.load(handle)


def write_page(artifacts, name, source):
    path = os.path.join(artifacts, name + ".html")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(source)
    return "file://" + path


def screenshot(driver, artifacts, name):
    """Full-page PNG (Chrome DevTools' captureBeyondViewport), kept as a test artefact."""
    import base64
    size = driver.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 16000), "scale": 1}})
    path = os.path.join(artifacts, name + ".png")
    with open(path, "wb") as handle:
        handle.write(base64.b64decode(shot["data"]))
    assert os.path.getsize(path) > 10000
    return path


def open_page(driver, url):
    driver.get_log("performance")  # drop what an earlier page logged
    driver.get(url)
    return driver.execute_script(READ, list(PWNED))


def network_requests(driver, url):
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    # chrome:// (the search box's clear icon) and data: are the browser's own, never the network.
    return [u for u in requests if u != url and not u.startswith(("chrome://", "data:"))]


@pytest.mark.parametrize("name", NAMES)
def test_page_shows_the_documents_counts(browser, artifacts, name):
    doc = load(name)
    url = write_page(artifacts, name, report_html.render_html(doc))
    page = open_page(browser, url)
    screenshot(browser, artifacts, name)
    summary = doc["summary"]
    assert page["counts"] == dict((key, str(summary[key])) for key, _label in report_html.COUNTS)
    assert page["faults"] == dict((k, str(v)) for k, v in summary["active_faults"].items())
    assert page["statuses"] == dict((k, str(v)) for k, v in summary.get("statuses", {}).items())
    # The matrix agrees with the counts: per fault, the cells active after the run.
    for fault, count in summary["active_faults"].items():
        cells = [c for row in page["rows"] for c in row["cells"] if c["fault"] == fault]
        assert sum(1 for c in cells if c["active"] == "1") == count, fault
    hosts = set(doc["hosts"]) | set(doc.get("remediation", {}))
    assert sorted(row["host"] for row in page["rows"]) == sorted(hosts)
    assert sorted(d["name"] for d in page["details"]) == sorted(hosts)
    assert page["controls"] and page["sortButtons"] == 11 and page["shownText"] == "%d of %d hosts shown" % (
        len(hosts), len(hosts))
    assert network_requests(browser, url) == []


def test_matrix_cells_and_colours(browser, artifacts):
    page = open_page(browser, write_page(artifacts, "remediation", report_html.render_html(load("remediation"))))
    cells = dict(((row["host"], c["fault"]), c) for row in page["rows"] for c in row["cells"])
    expected = {("web1", "5"): "fixed", ("db1", "7"): "fixed", ("db1", "18"): "needs_person",
                ("app1", "11"): "failed", ("batch1", "6"): "active", ("skip1", "16"): "active",
                ("ghost", "9"): "unreachable", ("late1", "5"): "unknown", ("web1", "18"): "clear"}
    for key, state in expected.items():
        assert cells[key]["state"] == state, key
    assert cells[("db1", "18")]["text"] == "needs a person" and cells[("ghost", "9")]["text"] == "unreachable"
    colours = dict((state, cells[key]["colour"]) for key, state in expected.items())
    assert len(set(colours.values())) == len(colours), colours  # one colour per state


def test_host_statuses_as_a_person_sees_them(browser, artifacts):
    """A host with a fault left is not shown green; kept journal entries and a busy host are shown."""
    page = open_page(browser, write_page(artifacts, "remediation", report_html.render_html(load("remediation"))))
    rows = dict((r["host"], r) for r in page["rows"])
    details = dict((d["host"], d["text"]) for d in page["details"])
    colour = browser.execute_script(
        "var c = {}; document.querySelectorAll('#matrix tbody tr').forEach(function (r) {"
        " c[r.cells[0].innerText] = [r.cells[1].innerText, getComputedStyle(r.cells[1]).backgroundColor]; });"
        " return c;")
    assert rows["part1"]["status"] == "active" and colour["part1"][0] == "partly fixed"
    assert colour["part1"][1] != colour["web1"][1] and colour["web1"][0] == "fixed"
    assert colour["kept1"][0] == "needs a person" and colour["busy1"][0] == "not done: another run holds the host"
    assert "Still active after the run" in details["part1"] and "fault 7: left out by choice" in details["part1"]
    assert "Journal kept for a person" in details["kept1"] and "Compare /etc/login.defs with the backup." in details["kept1"]
    assert "pid 4711" in details["busy1"]


def test_filter_hides_rows_and_details(browser, artifacts):
    from selenium.webdriver.common.by import By
    open_page(browser, write_page(artifacts, "remediation", report_html.render_html(load("remediation"))))
    box = browser.find_element(By.ID, "filter")
    box.send_keys("headers_missing")
    page = browser.execute_script(READ, list(PWNED))
    assert [r["host"] for r in page["rows"] if r["shown"]] == ["app1"]
    assert [d["host"] for d in page["details"] if d["shown"]] == ["app1"]
    assert page["shownText"] == "1 of 12 hosts shown"
    box.clear()
    box.send_keys("needs a person")
    page = browser.execute_script(READ, list(PWNED))
    assert sorted(r["host"] for r in page["rows"] if r["shown"]) == sorted(["batch1", "db1", "kept1", HOSTILE_HOST])
    box.clear()
    box.send_keys("partly fixed")
    page = browser.execute_script(READ, list(PWNED))
    assert [r["host"] for r in page["rows"] if r["shown"]] == ["part1"]
    box.clear()
    box.send_keys("<script>")
    page = browser.execute_script(READ, list(PWNED))
    assert [r["host"] for r in page["rows"] if r["shown"]] == [HOSTILE_HOST]
    box.clear()
    box.send_keys(" ")
    page = browser.execute_script(READ, list(PWNED))
    assert all(r["shown"] for r in page["rows"]) and all(d["shown"] for d in page["details"])


def test_sorting(browser, artifacts):
    from selenium.webdriver.common.by import By
    open_page(browser, write_page(artifacts, "remediation", report_html.render_html(load("remediation"))))
    heads = browser.find_elements(By.CSS_SELECTOR, "#matrix thead button.sort")
    hosts = sorted(load("remediation")["remediation"], key=lambda h: h.lower())
    heads[0].click()
    page = browser.execute_script(READ, list(PWNED))
    assert [r["host"] for r in page["rows"]] == hosts
    heads[0].click()
    page = browser.execute_script(READ, list(PWNED))
    assert [r["host"] for r in page["rows"]] == hosts[::-1]
    column = [h.text for h in heads].index("18")
    heads[column].click()  # worst first
    page = browser.execute_script(READ, list(PWNED))
    ranks = [[c["rank"] for c in r["cells"] if c["fault"] == "18"][0] for r in page["rows"]]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
    assert [r["cells"][7]["state"] for r in page["rows"]][:3] == ["unreachable", "needs_person", "needs_person"]


def test_hostile_data_is_text_and_runs_nothing(browser, artifacts):
    doc = load("facts")
    url = write_page(artifacts, "facts", report_html.render_html(doc))
    page = open_page(browser, url)
    assert page["pwned"] == dict((k, "undefined") for k in PWNED)
    assert page["scripts"] == 1 and page["images"] == 0 and page["iframes"] == 0
    detail = [d for d in page["details"] if d["host"] == HOSTILE_HOST]
    assert len(detail) == 1 and detail[0]["name"] == HOSTILE_HOST
    assert HOSTILE_LINE in detail[0]["text"]
    assert "A" * 5000 + "<b>" + "Z" * 5000 in detail[0]["text"]
    assert [r for r in page["rows"] if r["host"] == HOSTILE_HOST]
    assert network_requests(browser, url) == []


def test_negative_control_unescaped_page_is_caught(browser, artifacts, monkeypatch):
    """The checks above can fail: the same page with escaping and the script policy removed
    runs the injected scripts, loses the host name and requests the injected image."""
    monkeypatch.setattr(report_html, "escape", lambda value, quote=True: value)
    monkeypatch.setattr(report_html, "CSP", "default-src *; script-src 'unsafe-inline'")
    url = write_page(artifacts, "negative-control", report_html.render_html(load("facts")))
    page = open_page(browser, url)
    assert page["pwned"]["__pwned_host"] == "number" and page["pwned"]["__pwned_img"] == "number"
    assert page["scripts"] > 1 and page["images"] > 0
    assert HOSTILE_HOST not in [d["name"] for d in page["details"]]
    assert network_requests(browser, url)


@pytest.mark.parametrize("name", ["facts", "remediation"])
def test_readable_without_javascript(browser_noscript, artifacts, name):
    doc = load(name)
    url = write_page(artifacts, name + "-noscript", report_html.render_html(doc))
    browser_noscript.get(url)
    from selenium.webdriver.common.by import By
    find = browser_noscript.find_elements
    assert not find(By.CSS_SELECTOR, "button.sort"), "the script ran"
    assert not browser_noscript.find_element(By.ID, "controls").is_displayed()
    rows = find(By.CSS_SELECTOR, "#matrix tbody tr")
    hosts = set(doc["hosts"]) | set(doc.get("remediation", {}))
    assert len(rows) == len(hosts) and all(r.is_displayed() for r in rows)
    articles = find(By.CSS_SELECTOR, "#details article.host")
    assert sorted(a.find_element(By.CSS_SELECTOR, ".hostname").text for a in articles) == sorted(hosts)
    assert all(a.is_displayed() for a in articles)
    for key, _label in report_html.COUNTS:
        assert browser_noscript.find_element(By.ID, "count-" + key).text == str(doc["summary"][key])
    screenshot(browser_noscript, artifacts, name + "-noscript")
