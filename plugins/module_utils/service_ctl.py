# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A journaled stop of a systemd service, and its undo.

``stop`` records a journal entry (kind ``service_stopped``: the service, whether it was active
and enabled) *before* ``systemctl stop``; ``repair`` (or ``ensure_running``) starts it again and
re-enables it if it was enabled. A run killed while the service is down leaves the entry: the
next run starts the service first. A service that was not running is not stopped and nothing is
recorded: "stopped" before a run is the administrator's choice.

Every command goes through ``run(argv, timeout)`` (``bounded_cmd.run`` on a host; tests pass
their own), so a hanging systemctl cannot hang the module.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd, journal

KIND = "service_stopped"
DEFAULT_TIMEOUT = 90


class ServiceError(Exception):
    pass


def _text(result):
    return bounded_cmd.decode(result.get("out") or b"").strip()


def _systemctl(run, args, timeout):
    return run(["systemctl"] + list(args), timeout)


def query(run, name, timeout=30):
    """``{active: str, enabled: str}`` as systemctl says them (``active``, ``inactive``,
    ``failed``, ``activating``...; ``enabled``, ``disabled``, ``static``...), ``unknown`` when
    systemctl did not answer."""
    states = {}
    for what in ("is-active", "is-enabled"):
        result = _systemctl(run, [what, name], timeout)
        if result.get("error") or result.get("timed_out"):
            states[what] = "unknown"
        else:
            lines = _text(result).splitlines()
            states[what] = lines[-1].strip() if lines else "unknown"
    return {"active": states["is-active"], "enabled": states["is-enabled"]}


def _check(result, what):
    if result.get("error"):
        raise ServiceError("%s: %s" % (what, result["error"]))
    if result.get("timed_out"):
        raise ServiceError("%s: no answer in time (systemd busy?)" % what)
    if result.get("rc") != 0:
        raise ServiceError("%s failed (rc %s): %s" % (what, result.get("rc"), _text(result)[-500:]))


def plan_stop(run, name):
    state = query(run, name)
    if state["active"] == "unknown":
        raise ServiceError("cannot tell whether %s runs (systemctl did not answer): not stopped" % name)
    return {"state": state, "needed": state["active"] in ("active", "activating", "reloading")}


def stop(state_dir, run, name, timeout=DEFAULT_TIMEOUT):
    """Record, then stop. Returns the plan with ``entry`` (None when it was not running)."""
    plan = plan_stop(run, name)
    plan["entry"] = None
    if not plan["needed"]:
        return plan
    plan["entry"] = journal.record(state_dir, KIND, {
        "service": name, "was_active": True, "was_enabled": plan["state"]["enabled"] == "enabled"})
    _check(_systemctl(run, ["stop", name], timeout), "systemctl stop %s" % name)
    return plan


def _wait_active(run, name, wait, sleep, clock):
    deadline = clock() + wait
    state = query(run, name)
    while state["active"] in ("activating", "reloading") and clock() < deadline:
        sleep(1)
        state = query(run, name)
    return state


def ensure_running(run, name, enable=False, check_mode=False, timeout=DEFAULT_TIMEOUT, wait=30,
                   sleep=time.sleep, clock=time.monotonic):
    """Start ``name`` unless it runs; enable it too when ``enable``. ``{changed, actions, state}``."""
    state = query(run, name)
    actions = []
    if state["active"] not in ("active", "activating", "reloading"):
        actions.append("start")
    if enable and state["enabled"] not in ("enabled", "enabled-runtime", "static", "alias"):
        actions.append("enable")
    if check_mode or not actions:
        return {"changed": bool(actions), "actions": actions, "state": state}
    if "enable" in actions:
        _check(_systemctl(run, ["enable", name], timeout), "systemctl enable %s" % name)
    if "start" in actions:
        _check(_systemctl(run, ["start", name], timeout), "systemctl start %s" % name)
    state = _wait_active(run, name, wait, sleep, clock)
    if state["active"] != "active":
        raise ServiceError("%s is %s after systemctl start: see systemctl status %s" % (name, state["active"], name))
    return {"changed": True, "actions": actions, "state": state}


def repair(entry, run, check_mode=False, timeout=DEFAULT_TIMEOUT):
    """Undo a journaled stop. ``{changed, done, message}``; ServiceError when the service does not start."""
    name = entry["service"]
    outcome = ensure_running(run, name, enable=bool(entry.get("was_enabled")), check_mode=check_mode,
                             timeout=timeout)
    if not outcome["actions"]:
        message = "%s: already running" % name
    else:
        message = "%s: %s (it was stopped by an interrupted run)" % (
            name, " and ".join("started" if a == "start" else "re-enabled" for a in outcome["actions"]))
    return {"changed": outcome["changed"], "done": True, "message": message}
