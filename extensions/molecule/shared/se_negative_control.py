"""Pytest plugin: the negative control of the Molecule scenarios.

Loaded by every verifier (``PYTEST_PLUGINS`` in ``extensions/molecule/config.yml``). It
registers the marker ``preserved`` and otherwise does nothing, except when
``SE_NEGATIVE_CONTROL=1`` (set by ``negative_control.yml`` at the end of a scenario's prepare):
then every check not marked ``preserved`` becomes ``xfail(strict=True)``, so the run fails as
soon as one check *passes* on the injected, un-remediated hosts - such a check would prove
nothing after the fix. Checks marked ``preserved`` prove that nothing was lost (bytes,
versions, accounts kept); they must pass before the fix as well as after it, and stay few.
"""
import os

import pytest

ENV = "SE_NEGATIVE_CONTROL"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "preserved: checks that nothing was lost; they pass on the un-remediated host too "
        "(the negative control runs them as ordinary tests)")


def active():
    return os.environ.get(ENV) == "1"


def pytest_collection_modifyitems(config, items):
    if not active():
        return
    for item in items:
        if item.get_closest_marker("preserved") is None:
            item.add_marker(pytest.mark.xfail(
                strict=True, reason="negative control: must fail on the injected, un-remediated host"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not active():
        return
    counts = dict((key, len(terminalreporter.stats.get(key, []))) for key in ("xfailed", "failed", "passed"))
    terminalreporter.write_line(
        "negative control: %(xfailed)d checks failed on the faulty hosts as they must; "
        "%(passed)d preserved checks passed; %(failed)d problems (a check that passed before the fix, "
        "or a preserved check that failed)" % counts)
