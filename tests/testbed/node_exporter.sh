#!/usr/bin/env bash
# Debian's node_exporter binary for the metrics scenario (extensions/molecule/metrics), which runs
# it inside the test containers to read the textfile the metrics role writes: the real reader
# judges the file. Downloaded from the machine's Debian archive and unpacked under .testbed, never
# installed on this machine (its package would start a service). Skips what is already there.
source "$(dirname "$0")/lib.sh"

DIR="$BED/node_exporter"
BIN="$DIR/root/usr/bin/prometheus-node-exporter"
if [ -x "$BIN" ]; then
  say "node_exporter: present ($BIN)"
  exit 0
fi
say "Fetching Debian's prometheus-node-exporter package (unpacked under .testbed, not installed)"
rm -rf "$DIR"
mkdir -p "$DIR/deb"
chmod 0777 "$DIR/deb"  # apt-get download runs as _apt where it can
(cd "$DIR/deb" && with_progress "apt-get download" "$BED/node_exporter.log" apt-get download -q prometheus-node-exporter)
dpkg-deb -x "$DIR"/deb/prometheus-node-exporter_*.deb "$DIR/root"
"$BIN" --version 2>&1 | head -n 1 | sed 's/^/    /' >&2
