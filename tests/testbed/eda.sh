#!/usr/bin/env bash
# What the event-driven tests (`make eda`) and `make demo-events` need beyond `make deps`, which
# installs rabbitmq-server (tests/testbed/apt-packages.d/eda.list) and ansible-rulebook with the
# source plugin's AMQP client (tests/requirements.d/eda.txt). Skips what is already there.
#  - Java 17 or later for ansible-rulebook (its rules engine runs in a JVM): openjdk-17-jre-headless
#    only when no such Java is found.
#  - The system's RabbitMQ service stays off: Debian's default configuration listens on every
#    interface (AMQP 5672, distribution 25672, epmd 4369). The tests run a private node on loopback
#    with TLS instead (tests/eda/broker.py), started and stopped by the tests themselves.
source "$(dirname "$0")/lib.sh"

java_major() {
  local java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  command -v "$java" >/dev/null 2>&1 || { echo 0; return; }
  "$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}
if [ "$(java_major)" -ge 17 ] 2>/dev/null; then
  say "Java for ansible-rulebook: $(java_major) (present)"
else
  [ "$(id -u)" = 0 ] || { echo "eda: run as root to install openjdk-17-jre-headless" >&2; exit 1; }
  say "Installing Java 17 for ansible-rulebook (openjdk-17-jre-headless)"
  with_progress "apt-get update" "$BED/apt-java.log" apt-get update -q
  with_progress "apt-get install" "$BED/apt-java.log" \
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jre-headless
fi

command -v /usr/lib/rabbitmq/bin/rabbitmq-server >/dev/null ||
  { echo "eda: rabbitmq-server is missing: run make deps" >&2; exit 1; }
if [ "$(ps -o comm= -p 1)" = systemd ]; then
  for unit in rabbitmq-server.service epmd.socket epmd.service; do
    if systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl is-active --quiet "$unit" 2>/dev/null; then
      note "stopping and disabling $unit (listens on every interface; the tests use a private node)"
      systemctl disable --now "$unit" >/dev/null 2>&1 || true
    fi
  done
fi

v=$("$VENV/bin/ansible-rulebook" --version 2>&1) || { echo "eda: ansible-rulebook does not run: $v" >&2; exit 1; }
note "$(echo "$v" | sed -n 's/^ansible-rulebook \[\(.*\)\]/ansible-rulebook \1/p'),$(echo "$v" | sed -n 's/.*Java version = / Java /p')"
note "rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server)"
