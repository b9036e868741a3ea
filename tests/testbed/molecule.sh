#!/usr/bin/env bash
# Runs Molecule scenarios, MOLECULE_JOBS at a time (default 2), each in its own containers
# (named after the scenario) and its own ephemeral directory, so that two never share a host.
# Most of a scenario's time is spent waiting on systemd, package managers and the stand-in, so
# two lanes on a 2-core machine take about half the time of one. Each scenario's output goes to
# .testbed/artifacts/molecule/<scenario>.log; a line says when each starts and ends; a failure
# prints the end of its log, the scenarios not yet started are skipped, the running ones finish.
# Usage: molecule.sh SCENARIO...
source "$(dirname "$0")/lib.sh"
jobs=${MOLECULE_JOBS:-2}
logs="$BED/artifacts/molecule"
mkdir -p "$logs"
# shellcheck disable=SC1091
source "$BED/images.env"
export SE_IMAGE_TAG

one() {
  local s=$1 log="$logs/$1.log" start=$SECONDS
  if [ -e "$logs/.failed" ]; then
    say "molecule test -s $s: skipped ($(cat "$logs/.failed") failed)"
    return 1
  fi
  say "molecule test -s $s: started (log $log)"
  if molecule test -s "$s" >"$log" 2>&1; then
    say "molecule test -s $s: passed in $((SECONDS - start)) s"
    return 0
  fi
  echo "FAILED: molecule test -s $s after $((SECONDS - start)) s (last lines of $log):" >&2
  tail -n 150 "$log" >&2
  echo "$s" >>"$logs/.failed"
  return 1
}
export -f one say
export logs

rm -f "$logs/.failed"
start=$SECONDS
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'one "$1"' _ {}
say "molecule: $# scenarios passed in $((SECONDS - start)) s ($jobs at a time)"
