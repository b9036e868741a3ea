# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test driver of the `killed` scenario: run remediate.yml as a user would and SIGKILL the whole
process group of ansible-playbook (the controller dies: no `always:`, no handler, no rescue) the
moment every host is in the wanted window, or run it to the end.

    kill_driver.py --inventory INV --playbook PB --hosts h1,h2 --window W --out FILE [-e VAR=VALUE ...]

Windows, read from each host itself (podman exec, bounded):
  login_defs   USERGROUPS_ENAB is yes in /etc/login.defs, a login_defs_key journal entry exists,
               the connector still runs
  stopped      a service_stopped journal entry exists and cisco-amp is not active
  none         no kill: the run goes to its end (its exit status is recorded)

Writes FILE (JSON): the window, each host's state at the kill, the run's exit status and output.
Exits 1 when the window was not reached within --timeout seconds (the run is killed anyway).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

PROBE = r"""
v=$(awk '$1 == "USERGROUPS_ENAB" { v = $2 } END { print v }' /etc/login.defs)
j=$(ls /var/lib/secure_endpoint/journal 2>/dev/null | tr '\n' ' ')
s=$(systemctl is-active cisco-amp 2>/dev/null)
printf '%s|%s|%s\n' "$v" "$j" "$s"
"""


def probe(host):
    try:
        out = subprocess.run(["podman", "exec", host, "sh", "-c", PROBE], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=20, check=False).stdout.decode()
    except subprocess.TimeoutExpired:
        return None
    parts = out.strip().split("|")
    if len(parts) != 3:
        return None
    return {"usergroups_enab": parts[0], "journal": parts[1].split(), "service": parts[2]}


def group_members(pgid):
    """[(pid, state, command)] of the processes of process group ``pgid``, from /proc."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open("/proc/%s/cmdline" % name, "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")[:200]
        except (IOError, OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == pgid:
            found.append((int(name), fields[0], command))
    return found


def in_window(state, window):
    if state is None:
        return False
    kinds = " ".join(state["journal"])
    if window == "login_defs":
        return state["usergroups_enab"] == "yes" and "login_defs_key" in kinds and state["service"] == "active"
    if window == "stopped":
        return "service_stopped" in kinds and state["service"] != "active"
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--playbook", required=True)
    parser.add_argument("--hosts", required=True)
    parser.add_argument("--window", choices=["login_defs", "stopped", "none"], required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("-e", dest="extra", action="append", default=[])
    args = parser.parse_args()
    hosts = args.hosts.split(",")
    argv = ["ansible-playbook", "-i", args.inventory, args.playbook] + (["--check"] if args.check else [])
    for extra in args.extra:
        argv += ["-e", extra]
    log_path = args.out + ".log"
    with open(log_path, "wb") as log:
        # Its own session and process group: the SIGKILL takes ansible-playbook, its workers and
        # their podman exec children at once, as a dying controller would.
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        result = {"window": args.window, "argv": argv, "killed": False, "states": {}, "rc": None}
        deadline = time.monotonic() + args.timeout
        while proc.poll() is None and args.window != "none":
            states = dict((h, probe(h)) for h in hosts)
            if all(in_window(states[h], args.window) for h in hosts):
                os.killpg(proc.pid, signal.SIGKILL)
                result.update(killed=True, states=states, killed_at=time.strftime("%H:%M:%S"))
                break
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                result["states"] = states
                break
            time.sleep(0.5)
        try:
            result["rc"] = proc.wait(timeout=args.timeout if args.window == "none" else 30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            result["rc"] = proc.wait()
    # Nothing of the killed controller may survive (workers, podman exec clients). A zombie
    # (killed, not yet reaped by init) is dead: it is not counted, but it is recorded.
    for _attempt in range(10):
        time.sleep(0.5)
        left = group_members(proc.pid)
        alive = [member for member in left if member[1] != "Z"]
        if not alive:
            break
    result["group_members_left"] = left
    result["group_left"] = bool(alive)
    with open(log_path, "rb") as log:
        result["output"] = log.read().decode("utf-8", "replace")[-60000:]
    result["after"] = dict((h, probe(h)) for h in hosts)
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=1)
    if args.window != "none" and not result["killed"]:
        sys.stderr.write("the %s window was not reached in %d s; states %r\n%s\n"
                         % (args.window, args.timeout, result["states"], result["output"][-3000:]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
