# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ampdaemon of the connector stand-in (test-only).

Every STANDIN_INTERVAL seconds (default 2) it evaluates the host, supervises ampscansvc,
logs "Fault Raised"/"Fault Cleared" on changes and rewrites /run/cisco-amp/state.json.
STANDIN_ROOT (tests only) roots every path in a directory.
"""

import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # nothing unowned may appear under /opt/cisco/amp
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "lib"))

import standin_core as core  # noqa: E402


class Daemon(object):
    def __init__(self, paths, interval):
        self.paths = paths
        self.interval = interval
        self.log = core.Log(paths.daemon_log, "ampdaemon")
        scansvc = os.path.join(os.path.dirname(os.path.realpath(__file__)), "ampscansvc")
        self.scan = core.ScanSupervisor([sys.executable, scansvc], self.log, paths.scan_log)
        self.active = {}
        self.started = time.time()
        self.last_scan = None
        self.stopping = False

    def cycle(self):
        obs = core.collect(self.paths, os.uname()[2])
        blockers = core.scan_service_blockers(obs)
        self.scan.step(not blockers, core.scan_identity())
        if self.scan.running() and self.last_scan is None:
            # The connector runs a flash scan once its scan service is up.
            self.last_scan = time.strftime("%Y-%m-%d %I:%M:%S %p")
        faults = core.evaluate(obs, self.scan.restart_count())
        self.log_changes(faults)
        self.active = faults
        core.write_state(self.paths.state_file, self.state(obs, faults))

    def log_changes(self, faults):
        for fault_id in sorted(set(faults) - set(self.active)):
            fault = faults[fault_id]
            self.log.error("Fault Raised: %d (%s) %s" % (fault_id, fault["severity"], fault["message"]))
            for detail in fault["details"]:
                self.log.error("Fault %d cause: %s" % (fault_id, detail))
        for fault_id in sorted(set(self.active) - set(faults)):
            self.log.notice("Fault Cleared: %d" % fault_id)

    def state(self, obs, faults):
        now = time.time()
        return {
            "pid": os.getpid(),
            "interval": self.interval,
            "started": self.started,
            "updated": now,
            "version": obs["version"],
            "policy": core.policy_label(obs["policy"]),
            "scan": "Ready for scan" if self.scan.running() else "Scan service unavailable",
            "last_scan": self.last_scan,
            "scan_service": {"pid": self.scan.proc.pid if self.scan.running() else None,
                             "user": self.scan.user,
                             "restarts_last_5_minutes": len(self.scan.restarts)},
            "switches": sorted(obs["switches"]),
            "faults": [faults[key] for key in sorted(faults)],
        }

    def run(self):
        self.log.notice("ampdaemon %s starting (stand-in, interval %.1fs)"
                        % (core.read_version(self.paths.global_xml), self.interval))
        while not self.stopping:
            try:
                self.cycle()
            except Exception as exc:  # keep running like a service; the next cycle retries
                self.log.error("Evaluation failed: %r" % (exc,))
            deadline = time.time() + self.interval
            while not self.stopping and time.time() < deadline:
                time.sleep(min(0.2, self.interval))
        self.scan.stop()
        try:
            os.unlink(self.paths.state_file)
        except OSError:
            pass
        self.log.notice("ampdaemon stopped")


def main():
    daemon = Daemon(core.Paths(os.environ.get("STANDIN_ROOT", "/")),
                    core.interval_from_env(os.environ))

    def stop(signum, frame):
        daemon.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    daemon.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
