# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test bed only: hold a package manager's lock the way the manager itself does, for a while.

    se_lock_holder.py apt SECONDS   fcntl write lock on /var/lib/dpkg/lock-frontend (dpkg, apt)
    se_lock_holder.py dnf SECONDS   our pid in /var/lib/dnf/rpmdb_lock.pid (dnf 4's ProcessLock)

Stands for an apt or dnf left running by an interrupted run. Exits (and so releases the lock)
after SECONDS, or on SIGTERM.
"""
import fcntl
import os
import signal
import sys
import time


def main():
    manager, seconds = sys.argv[1], float(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if manager == "apt":
        handle = open("/var/lib/dpkg/lock-frontend", "w")
        fcntl.lockf(handle, fcntl.LOCK_EX)
        print("holding /var/lib/dpkg/lock-frontend", flush=True)
        time.sleep(seconds)
        return
    pid_file = "/var/lib/dnf/rpmdb_lock.pid"
    os.makedirs(os.path.dirname(pid_file), exist_ok=True)
    with open(pid_file, "w") as handle:
        handle.write(str(os.getpid()))
    print("holding %s" % pid_file, flush=True)
    try:
        time.sleep(seconds)
    finally:
        os.unlink(pid_file)


if __name__ == "__main__":
    main()
