# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the Secure Endpoint console's event stream, for ``make demo-events`` (test bed only).

The real console raises Fault Raised when a connector reports a fault and Fault Cleared when it no
longer does. This watches containers' ``ampcli status`` (the connector stand-in) and publishes those
events, in the documented shape, to the broker's queue:

    python tests/eda/console_standin.py SETTINGS.json QUEUE CONTAINER [CONTAINER...]

Faults present at start are the baseline (the console raised them before); only changes are published.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time

from publish import Publisher, fault_event

SEVERITY = {"critical": "critical", "major": "major", "minor": "minor"}


def faults(container: str) -> dict[int, str] | None:
    """Fault id -> severity as ``ampcli status`` lists them (``ID 5 - Major: ...``), or None if unknown."""
    try:
        out = subprocess.run(["podman", "exec", container, "timeout", "10", "/opt/cisco/amp/bin/ampcli", "status"],
                             capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0 or "Faults:" not in out.stdout:
        return None
    found = {}
    for ident, severity in re.findall(r"^ID (\d+) - (\w+):", out.stdout, re.M):
        found[int(ident)] = SEVERITY.get(severity.lower(), "major")
    return found


def main(argv: list[str]) -> int:
    import json

    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        settings = json.load(handle)
    queue, containers = argv[2], argv[3:]
    seen = {c: faults(c) for c in containers}
    print("console stand-in: watching %s (faults now: %s)" % (", ".join(containers), seen), flush=True)
    while True:
        time.sleep(2)
        for container in containers:
            now = faults(container)
            before = seen.get(container)
            if now is None or before is None:
                seen[container] = now if now is not None else before
                continue
            events = [(f, now[f]) for f in sorted(set(now) - set(before))]
            events += [(f, "cleared") for f in sorted(set(before) - set(now))]
            if events:
                with Publisher(settings) as pub:
                    for fault_id, kind in events:
                        pub.publish(queue, fault_event(container, kind))
                        print("console stand-in: %s %s (fault %d)" % (
                            container, "Fault Cleared" if kind == "cleared" else kind.title() + " Fault Raised",
                            fault_id), flush=True)
            seen[container] = now


if __name__ == "__main__":
    sys.exit(main(sys.argv))
