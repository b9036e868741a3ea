# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A private RabbitMQ node for the event-driven tests: Debian's rabbitmq-server, loopback only, TLS.

Debian's default configuration (``/usr/share/rabbitmq/rabbitmq-env.conf`` and the server's built-in
defaults) binds AMQP on every interface (port 5672, no TLS), the Erlang distribution port 25672 and
epmd 4369 on every interface too, and names the node ``rabbit@<host>``. None of that is used here: this
node reads only the files written into its own directory (``RABBITMQ_CONF_ENV_FILE`` points at an empty
file, so ``/etc/rabbitmq/rabbitmq-env.conf`` is not read), has no plain AMQP listener, one TLS listener
on 127.0.0.1 with a certificate from a throw-away CA made for this directory, its distribution port, CLI
ports and its own epmd on 127.0.0.1 at free ports, no plugins (no management listener), and a node name
derived from the directory so that several checkouts can each run one.

Command line (used by ``make demo-events``)::

    python tests/eda/broker.py start DIR     # prints the connection settings as JSON
    python tests/eda/broker.py stop DIR
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time

RABBITMQ_BIN = "/usr/lib/rabbitmq/bin"  # the scripts themselves: /usr/sbin/ ones switch to user rabbitmq
USER = "se-stream"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(argv, **kwargs):
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=kwargs.pop("timeout", 60),
                          **kwargs)


def make_ca(directory: str) -> None:
    """A throw-away CA and a server certificate for localhost / 127.0.0.1, valid two days."""
    def path(name):
        return os.path.join(directory, name)

    _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
          "/CN=secure_endpoint.linux eda throw-away test CA", "-keyout", path("ca.key"), "-out", path("ca.pem"),
          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    _run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout",
          path("server.key"), "-out", path("server.csr")])
    with open(path("server.ext"), "w", encoding="utf-8") as handle:
        handle.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                     "keyUsage=critical,digitalSignature,keyEncipherment\n"
                     "authorityKeyIdentifier=keyid,issuer\nsubjectKeyIdentifier=hash\n")
    _run(["openssl", "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
          "-CAcreateserial", "-days", "2", "-extfile", path("server.ext"), "-out", path("server.pem")])
    for name in ("ca.key", "server.key"):
        os.chmod(path(name), 0o600)


class Broker:
    """One RabbitMQ node whose every file lives in ``directory``."""

    def __init__(self, directory: str) -> None:
        self.dir = os.path.abspath(directory)
        self.settings_file = os.path.join(self.dir, "broker.json")
        self.settings: dict = {}
        self._proc = None  # the server, when started by this process
        self._epmd = None  # its epmd, likewise
        if os.path.exists(self.settings_file):
            with open(self.settings_file, encoding="utf-8") as handle:
                self.settings = json.load(handle)

    def _path(self, *names: str) -> str:
        return os.path.join(self.dir, *names)

    @property
    def node(self) -> str:
        return "eda-%s@localhost" % hashlib.sha256(self.dir.encode()).hexdigest()[:8]

    def env(self) -> dict:
        s = self.settings
        loopback = "-kernel inet_dist_use_interface {127,0,0,1}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update({
            "HOME": self._path("home"),  # the Erlang cookie lives here, not in root's home
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_CONF_ENV_FILE": self._path("rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": self._path("rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": self._path("advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": self._path("enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": self._path("mnesia"),
            "RABBITMQ_LOG_BASE": self._path("log"),
            "RABBITMQ_PID_FILE": self._path("rabbit.pid"),
            "RABBITMQ_DIST_PORT": str(s["dist_port"]),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": loopback,
            "RABBITMQ_CTL_ERL_ARGS": loopback,
            "RABBITMQ_CTL_DIST_PORT_MIN": str(s["ctl_port"]),
            "RABBITMQ_CTL_DIST_PORT_MAX": str(s["ctl_port"] + 10),
            "ERL_EPMD_PORT": str(s["epmd_port"]),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        })
        return env

    def prepare(self) -> dict:
        """Write the CA, the configuration and fresh ports and password (a new node each time)."""
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        for sub in ("home", "mnesia", "log"):
            os.makedirs(self._path(sub), mode=0o700)
        os.chmod(self.dir, 0o700)
        make_ca(self.dir)
        self.settings = {
            "host": "127.0.0.1", "port": free_port(), "dist_port": free_port(), "epmd_port": free_port(),
            "ctl_port": free_port(), "user_name": USER, "password": secrets.token_urlsafe(18),
            "ca_path": self._path("ca.pem"), "node": self.node, "dir": self.dir,
        }
        s = self.settings
        with open(self._path("rabbitmq.conf"), "w", encoding="utf-8") as handle:
            handle.write("\n".join([
                "# Private test node: TLS on loopback only, no plain AMQP listener.",
                "listeners.tcp = none",
                "listeners.ssl.1 = 127.0.0.1:%d" % s["port"],
                "ssl_options.cacertfile = %s" % self._path("ca.pem"),
                "ssl_options.certfile = %s" % self._path("server.pem"),
                "ssl_options.keyfile = %s" % self._path("server.key"),
                "ssl_options.verify = verify_none",
                "ssl_options.fail_if_no_peer_cert = false",
                "default_user = %s" % s["user_name"],
                "default_pass = %s" % s["password"],
                "loopback_users = none",
                "disk_free_limit.absolute = 50MB",
                "log.console = false",
                "log.file = rabbit.log",
                "log.file.level = info",
                "",
            ]))
        for name, text in (("rabbitmq-env.conf", "# empty: /etc/rabbitmq/rabbitmq-env.conf is not read\n"),
                           ("enabled_plugins", "[].\n"), ("advanced.config", "[].\n")):
            with open(self._path(name), "w", encoding="utf-8") as handle:
                handle.write(text)
        with open(self.settings_file, "w", encoding="utf-8") as handle:
            json.dump(s, handle, indent=1)
        os.chmod(self.settings_file, 0o600)
        return s

    def pid(self) -> int | None:
        """The running server's pid (a zombie, stopped but not yet reaped, is not running)."""
        try:
            with open(self._path("server.pid"), encoding="utf-8") as handle:
                pid = int(handle.read().strip())
        except (OSError, ValueError):
            return None
        if self._proc is not None and self._proc.pid == pid:
            return pid if self._proc.poll() is None else None
        try:
            with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return None
        return None if state in ("Z", "X") else pid

    def ctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([os.path.join(RABBITMQ_BIN, "rabbitmqctl"), "-n", self.node, *args],
                              env=self.env(), capture_output=True, text=True, timeout=timeout, check=False)

    def start(self, timeout: float = 90) -> dict:
        """Start the node (same data, same ports) and wait until it serves AMQPS."""
        if self.pid():
            return self.settings
        self._start_epmd()
        log = open(self._path("log", "server.out"), "ab")  # pylint: disable=consider-using-with
        self._proc = proc = subprocess.Popen([os.path.join(RABBITMQ_BIN, "rabbitmq-server")], env=self.env(),
                                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             start_new_session=True, cwd=self.dir)
        log.close()
        with open(self._path("server.pid"), "w", encoding="utf-8") as handle:
            handle.write(str(proc.pid))
        # `wait` waits for the pid file the node writes, then for the application to be up.
        done = self.ctl("wait", self._path("rabbit.pid"), "--timeout", str(int(timeout)), timeout=timeout + 15)
        if done.returncode != 0 or proc.poll() is not None:
            tail = self.log_tail()
            self.stop()
            raise RuntimeError("rabbitmq-server did not start: %s %s\n%s" % (done.stdout, done.stderr, tail))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.settings["port"]), timeout=1).close()
                return self.settings
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("rabbitmq-server started but does not listen on 127.0.0.1:%d" % self.settings["port"])

    def _start_epmd(self) -> None:
        """Our own epmd on 127.0.0.1 at our port (a node would otherwise start one itself)."""
        try:
            socket.create_connection(("127.0.0.1", self.settings["epmd_port"]), timeout=1).close()
            return
        except OSError:
            pass
        argv = ["epmd", "-address", "127.0.0.1", "-port", str(self.settings["epmd_port"])]
        self._epmd = epmd = subprocess.Popen(argv, env=self.env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, start_new_session=True)
        with open(self._path("epmd.pid"), "w", encoding="utf-8") as handle:
            handle.write(str(epmd.pid))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.settings["epmd_port"]), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("epmd did not listen on 127.0.0.1:%d" % self.settings["epmd_port"])

    def stop(self) -> None:
        """Stop the node (messages on durable queues stay on disk) and its epmd."""
        pid = self.pid()
        if pid:
            self.ctl("stop", timeout=60)
            deadline = time.monotonic() + 30
            while self.pid() and time.monotonic() < deadline:
                time.sleep(0.2)
            if self.pid():
                os.killpg(pid, signal.SIGKILL)
        if os.path.exists(self._path("server.pid")):
            os.unlink(self._path("server.pid"))
        try:
            with open(self._path("epmd.pid"), encoding="utf-8") as handle:
                epmd_pid = int(handle.read().strip())
            os.kill(epmd_pid, signal.SIGTERM)
            if self._epmd is not None and self._epmd.pid == epmd_pid:
                self._epmd.wait(10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        if os.path.exists(self._path("epmd.pid")):
            os.unlink(self._path("epmd.pid"))

    def queue_counts(self, queue: str) -> tuple[int, int]:
        """(ready, unacknowledged) messages of ``queue``."""
        out = self.ctl("list_queues", "-q", "--no-table-headers", "name", "messages_ready",
                       "messages_unacknowledged")
        for line in out.stdout.splitlines():
            fields = line.split("\t")
            if len(fields) == 3 and fields[0] == queue:
                return int(fields[1]), int(fields[2])
        raise KeyError("queue %s not found: %s %s" % (queue, out.stdout, out.stderr))

    def log_tail(self, lines: int = 40) -> str:
        text = []
        for name in ("server.out", "rabbit.log"):
            try:
                with open(self._path("log", name), encoding="utf-8", errors="replace") as handle:
                    text.append("".join(handle.readlines()[-lines:]))
            except OSError:
                pass
        return "\n".join(text)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print("usage: broker.py start|stop DIR", file=sys.stderr)
        return 2
    broker = Broker(argv[2])
    if argv[1] == "start":
        if not broker.settings or not broker.pid():
            broker.prepare()
        print(json.dumps(broker.start()))
    else:
        broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
