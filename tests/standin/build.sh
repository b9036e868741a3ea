#!/usr/bin/env bash
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Build the connector stand-in (test-only) as .deb and .rpm from one source, plus the kernel
# headers packages of the running kernel that tests install. See README.md.
#
#   tests/standin/build.sh [--kernel-release KR] [--no-headers] OUTDIR [VERSION]
#
# Output: OUTDIR/deb/*.deb and OUTDIR/rpm/*.rpm (index them with dpkg-scanpackages and
# createrepo_c). Needs dpkg-deb, rpmbuild, install; runs as root or not.
set -euo pipefail

usage() {
    echo "usage: $0 [--kernel-release KR] [--no-headers] OUTDIR [VERSION]" >&2
    exit 2
}

KR=$(uname -r)
HEADERS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --kernel-release) [ $# -ge 2 ] || usage; KR=$2; shift 2 ;;
        --no-headers) HEADERS=0; shift ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] && [ $# -le 2 ] || usage
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
VERSION=${2:-1.24.3}
[[ "$VERSION" =~ ^[0-9]+(\.[0-9]+)*$ ]] || { echo "bad VERSION: $VERSION" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/src
CLAMAV_DATA=$(cd "$HERE/../unit/data/clamav" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT/deb" "$OUT/rpm"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

# ------------------------------------------------------------------ shared payload
stage_connector() {
    local root=$1
    install -d -m 0755 "$root/opt/cisco" "$root/opt/cisco/amp" "$root/opt/cisco/amp/bin" \
        "$root/opt/cisco/amp/lib" "$root/opt/cisco/amp/etc" "$root/opt/cisco/amp/clamav" \
        "$root/usr/lib/systemd/system" "$root/var/log/cisco"
    local script
    # Python programs are kept as .py in the source; installed without the suffix, with the
    # interpreter line added here.
    for script in "$SRC"/bin/*.py; do
        { echo '#!/usr/bin/python3'; cat "$script"; } >"$root/opt/cisco/amp/bin/$(basename "$script" .py)"
    done
    install -m 0755 "$SRC/bin/purge_amp_local_data" "$root/opt/cisco/amp/bin/"
    chmod 0755 "$root"/opt/cisco/amp/bin/*
    install -m 0644 "$SRC/lib/standin_core.py" "$root/opt/cisco/amp/lib/"
    sed "s/@VERSION@/$VERSION/" "$SRC/etc/global.xml.in" >"$root/opt/cisco/amp/etc/global.xml"
    chmod 0644 "$root/opt/cisco/amp/etc/global.xml"
    install -m 0644 "$SRC/etc/policy.xml" "$root/opt/cisco/amp/etc/"
    install -m 0644 "$CLAMAV_DATA"/test-*.cvd "$root/opt/cisco/amp/clamav/"
    install -m 0644 "$SRC/systemd/cisco-amp.service" "$root/usr/lib/systemd/system/"
}

# A maintainer script / scriptlet body: the shared logic plus one dispatch line.
script_body() {
    cat "$SRC/maint.sh"
    echo "standin_main $1 $2 \"\${1:-}\""
}

# ------------------------------------------------------------------ deb
build_deb() {
    local root=$WORK/deb/ciscoampconnector
    stage_connector "$root"
    install -d -m 0755 "$root/DEBIAN"
    cat >"$root/DEBIAN/control" <<EOF
Package: ciscoampconnector
Version: $VERSION
Architecture: all
Maintainer: secure_endpoint.linux tests <noreply@invalid>
Depends: python3
Section: admin
Priority: optional
Description: Cisco Secure Endpoint Linux connector (test stand-in)
 Test-only stand-in of the connector for the secure_endpoint.linux collection:
 same package name, paths, service and ampcli status format; not Cisco software.
EOF
    for script in postinst prerm postrm; do
        { echo '#!/bin/sh'; echo 'set -e'; script_body deb "$script"; } >"$root/DEBIAN/$script"
        chmod 0755 "$root/DEBIAN/$script"
    done
    dpkg-deb --root-owner-group -Zgzip --build "$root" "$OUT/deb/ciscoampconnector_${VERSION}_all.deb" >/dev/null
}

# ------------------------------------------------------------------ rpm
# rpm expands macros in scriptlets: every literal % must be doubled.
rpm_scriptlet() {
    echo "%$1"
    script_body rpm "$1" | sed 's/%/%%/g'
}

# %files for the OWNED paths (relative to the stage root) and everything below them.
rpm_files() {
    local root=$1 owned path
    shift
    echo '%defattr(-,root,root,-)'
    for owned in "$@"; do
        (cd "$root" && find "./$owned" | LC_ALL=C sort) | while read -r path; do
            path=${path#.}
            if [ -d "$root$path" ] && [ ! -L "$root$path" ]; then
                echo "%dir $path"
            else
                echo "$path"
            fi
        done
    done
}

# rpm_build NAME VERSION SUMMARY STAGE_ROOT EXTRA_HEADER SCRIPTLETS(0|1) OWNED_PATH...
rpm_build() {
    local name=$1 version=$2 summary=$3 root=$4 extra=$5 scriptlets=$6
    shift 6
    local spec=$WORK/$name.spec
    {
        cat <<EOF
Name: $name
Version: $version
Release: 1
Summary: $summary
License: GPL-3.0-or-later
BuildArch: noarch
AutoReqProv: no
$extra
%global __os_install_post %{nil}
%global debug_package %{nil}

%description
$summary. Test-only package of the secure_endpoint.linux collection; not vendor software.

%install
mkdir -p %{buildroot}
cp -a $root/. %{buildroot}/

EOF
        if [ "$scriptlets" = 1 ]; then
            rpm_scriptlet post
            rpm_scriptlet preun
            rpm_scriptlet postun
        fi
        echo '%files'
        rpm_files "$root" "$@"
    } >"$spec"
    rpmbuild --quiet -bb "$spec" \
        --define "_topdir $WORK/rpmbuild" \
        --define "_rpmdir $OUT/rpm" \
        --define '_build_name_fmt %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm' \
        --define '_binary_payload w9.gzdio' \
        --define '_buildhost standin.invalid' \
        --define "_tmppath $WORK/tmp" >/dev/null
}

build_rpm() {
    local root=$WORK/rpm/ciscoampconnector
    mkdir -p "$WORK/tmp"
    stage_connector "$root"
    rpm_build ciscoampconnector "$VERSION" "Cisco Secure Endpoint Linux connector (test stand-in)" \
        "$root" "" 1 opt/cisco usr/lib/systemd/system/cisco-amp.service var/log/cisco
}

# ------------------------------------------------------------------ kernel headers
stage_headers() {
    local dir=$1
    install -d -m 0755 "$dir/include/generated"
    cat >"$dir/Makefile" <<EOF
# Stand-in kernel headers (test-only): their presence is what the connector checks.
KERNELRELEASE = $KR
EOF
    echo "#define UTS_RELEASE \"$KR\"" >"$dir/include/generated/utsrelease.h"
    chmod 0644 "$dir/Makefile" "$dir/include/generated/utsrelease.h"
}

build_headers_deb() {
    local name=linux-headers-$KR
    local root=$WORK/deb/$name
    if ! [[ "$name" =~ ^[a-z0-9][a-z0-9.+-]+$ ]]; then
        echo "warning: $name is not a valid deb package name: no deb headers package" >&2
        return 0
    fi
    stage_headers "$root/usr/src/$name"
    install -d -m 0755 "$root/lib/modules/$KR" "$root/DEBIAN"
    ln -s "/usr/src/$name" "$root/lib/modules/$KR/build"
    cat >"$root/DEBIAN/control" <<EOF
Package: $name
Version: 1.0-standin1
Architecture: all
Maintainer: secure_endpoint.linux tests <noreply@invalid>
Section: kernel
Priority: optional
Description: Header files for Linux $KR (test stand-in)
 Test-only marker package: the headers directory of the running kernel.
EOF
    dpkg-deb --root-owner-group -Zgzip --build "$root" "$OUT/deb/${name}_1.0-standin1_all.deb" >/dev/null
}

# rpm versions cannot hold '-': Name = <flavour>-<KR before its last '-'>, Version = <KR after
# it>, so that name-version reads <flavour>-$KR and `dnf install <flavour>-$KR` resolves.
build_headers_rpm() {
    local flavour=$1 name version extra root
    if [[ "$KR" == *-* ]]; then
        name=$flavour-${KR%-*}
        version=${KR##*-}
    else
        name=$flavour
        version=$KR
    fi
    [[ "$version" =~ ^[A-Za-z0-9._+~^]+$ ]] || { echo "cannot make an rpm version from $KR" >&2; exit 1; }
    extra="Provides: $flavour"
    # rpm rejects a Provides version with two '-' (e.g. 6.18.44-fc-v657): add it only when valid.
    if [ "$flavour" = kernel-devel ] && [[ "$KR" != *-*-* ]]; then
        extra="$extra
Provides: kernel-devel-uname-r = $KR"
    fi
    root=$WORK/rpm/$flavour
    stage_headers "$root/usr/src/kernels/$KR"
    rpm_build "$name" "$version" "Kernel headers for $KR ($flavour, test stand-in)" "$root" "$extra" 0 \
        "usr/src/kernels/$KR"
}

build_deb
build_rpm
if [ "$HEADERS" = 1 ]; then
    build_headers_deb
    build_headers_rpm kernel-devel
    build_headers_rpm kernel-uek-devel
fi
(cd "$OUT" && ls -1 deb/*.deb rpm/*.rpm)
