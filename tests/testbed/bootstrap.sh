#!/usr/bin/env bash
# Installs what `make test` and `make demo` need on a fresh Debian 12 machine (as root):
# Debian packages for the container test bed and the reference tools, and a Python virtual
# environment with the pinned controller tools. Skips what is already there.
source "$(dirname "$0")/lib.sh"

APT_PACKAGES=(podman runc debootstrap rpm createrepo-c dnf python3-dnf clamav dpkg-dev fakeroot
  uidmap slirp4netns make git rsync apt-utils)
# More packages, one list per part of the test bed that needs them (one name per line, # comments).
shopt -s nullglob
for list in "$TOP"/tests/testbed/apt-packages.d/*.list; do
  mapfile -t more < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
  APT_PACKAGES+=("${more[@]}")
done

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  [ "$(id -u)" = 0 ] || { echo "bootstrap: run as root to install: ${missing[*]}" >&2; exit 1; }
  say "Installing Debian packages: ${missing[*]}"
  with_progress "apt-get update" "$BED/apt-update.log" apt-get update -q
  with_progress "apt-get install" "$BED/apt-install.log" \
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages: all present"
fi

# The clamav package's freshclam service would try to reach the internet: keep it off.
systemctl disable --now clamav-freshclam.service >/dev/null 2>&1 || true

# tests/requirements.txt, plus one file per part of the test bed in tests/requirements.d/.
REQS=("$TOP/tests/requirements.txt" "$TOP"/tests/requirements.d/*.txt)
want=$(recipe_hash "${REQS[@]}")
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.stamp" 2>/dev/null)" = "$want" ]; then
  say "Python environment .venv: up to date"
else
  say "Creating Python environment .venv (pinned tools from tests/requirements.txt)"
  # Resolved to the system interpreter: with .venv/bin first on PATH (make does that) the name
  # would point into the environment that is about to be removed.
  PY=$(readlink -f "$(command -v python3.11 || command -v python3)")
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  with_progress "pip install" "$BED/pip.log" \
    "$VENV/bin/pip" install --disable-pip-version-check "${REQS[@]/#/-r}"
  echo "$want" >"$VENV/.stamp"
fi
v=$("$VENV/bin/ansible" --version)
note "${v%%$'\n'*}"
