#!/usr/bin/env bash
# Builds the local package repositories the containers install from (mounted read-only at
# /srv/se-repo): .testbed/repo/apt (flat apt repository) and .testbed/repo/rpm (createrepo_c).
# They hold the connector stand-in and headers packages named for the running kernel
# (containers share the host's kernel, for which no distribution ships headers).
# The stand-in is there in two versions built from the one source: STANDIN_VERSION, the one the
# test bed installs, and STANDIN_NEWER, only in the repositories, so that tests can prove a
# reinstall does not upgrade the connector (upgrades are opt-in).
source "$(dirname "$0")/lib.sh"

STANDIN_VERSION=1.24.3
STANDIN_NEWER=1.24.4

KR=$(uname -r)
mapfile -t INPUTS < <(cd "$TOP" && find tests/standin tests/unit/data/clamav tests/testbed/repos.sh \
  tests/testbed/el-shims.spec -type f ! -name '*.pyc' ! -path '*/__pycache__/*' | sort)
TAG=$( (cd "$TOP" && recipe_hash "${INPUTS[@]}"; echo "$KR") | sha256sum | cut -c1-12)
REPO="$BED/repo"

if [ "$(cat "$REPO/.stamp" 2>/dev/null)" = "$TAG" ]; then
  say "Local repositories: up to date ($REPO)"
  exit 0
fi
say "Building local repositories (stand-in connector, headers for kernel $KR)"
out="$BED/packages"
rm -rf "$out" "$REPO"
mkdir -p "$out" "$REPO/apt" "$REPO/rpm"
with_progress "build stand-in $STANDIN_VERSION and headers packages" "$BED/standin-build.log" \
  bash "$TOP/tests/standin/build.sh" "$out" "$STANDIN_VERSION"
with_progress "build stand-in $STANDIN_NEWER (repositories only)" "$BED/standin-newer-build.log" \
  bash "$TOP/tests/standin/build.sh" --no-headers "$out" "$STANDIN_NEWER"
with_progress "build EL-like shims" "$BED/shims-build.log" \
  rpmbuild -bb --define "_topdir $out/shims" "$TOP/tests/testbed/el-shims.spec"
cp "$out"/deb/*.deb "$REPO/apt/"
cp "$out"/rpm/*.rpm "$out"/shims/RPMS/noarch/*.rpm "$REPO/rpm/"
# A second pair holding only the newer stand-in: a host pointed at it has a connector version that
# no configured repository offers (the failures scenario's "pinned version missing").
mkdir -p "$REPO/apt-newer" "$REPO/rpm-newer"
cp "$out/deb/ciscoampconnector_${STANDIN_NEWER}_all.deb" "$REPO/apt-newer/"
cp "$out/rpm/ciscoampconnector-${STANDIN_NEWER}-1.noarch.rpm" "$REPO/rpm-newer/"
for apt_dir in "$REPO/apt" "$REPO/apt-newer"; do
  (cd "$apt_dir" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null &&
    gzip -9k Packages && apt-ftparchive release . >Release)
done
with_progress "createrepo_c" "$BED/createrepo.log" createrepo_c --quiet "$REPO/rpm"
with_progress "createrepo_c (newer only)" "$BED/createrepo-newer.log" createrepo_c --quiet "$REPO/rpm-newer"
chmod -R a+rX "$REPO"
echo "$TAG" >"$REPO/.stamp"
note "apt: $(ls "$REPO/apt" | grep -c '\.deb$') packages; rpm: $(ls "$REPO/rpm" | grep -c '\.rpm$') packages"
