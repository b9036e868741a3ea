# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Install logic of the connector stand-in, shared by the deb maintainer scripts and the rpm
# scriptlets: build.sh inlines this file and appends one line, `standin_main FORMAT SCRIPT ARGS`.
# POSIX sh; must never fail because systemd is absent (chroots, image builds).

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
STANDIN_USER=cisco-amp-scan-svc
STANDIN_HOME=/opt/cisco/amp
STANDIN_LOG_DIR=/var/log/cisco
STANDIN_LOG=/var/log/cisco/ampdaemon.log
STANDIN_LOCAL_XML=/opt/cisco/amp/etc/local.xml
STANDIN_UNIT=cisco-amp.service

standin_log() {
    echo "ciscoampconnector: $*" >&2
    if [ -d "$STANDIN_LOG_DIR" ]; then
        echo "$(date '+%Y-%m-%d %H:%M:%S.000 %z') ampinstall[$$]: notice: $*" >>"$STANDIN_LOG" 2>/dev/null || true
    fi
}

standin_systemd_running() {
    [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

standin_nologin() {
    for shell in /usr/sbin/nologin /sbin/nologin; do
        if [ -x "$shell" ]; then
            echo "$shell"
            return 0
        fi
    done
    echo /bin/false
}

standin_ensure_logs() {
    mkdir -p "$STANDIN_LOG_DIR"
    chmod 0755 "$STANDIN_LOG_DIR"
    for log in ampdaemon.log ampscansvc.log; do
        if [ ! -e "$STANDIN_LOG_DIR/$log" ]; then
            : >"$STANDIN_LOG_DIR/$log"
            chmod 0644 "$STANDIN_LOG_DIR/$log"
        fi
    done
}

# The GUID is made once and survives reinstalls; purge removes it.
standin_ensure_guid() {
    if [ -s "$STANDIN_LOCAL_XML" ] && grep -q '<uuid>' "$STANDIN_LOCAL_XML"; then
        return 0
    fi
    guid=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || true)
    if [ -z "$guid" ]; then
        guid=$(python3 -c 'import uuid; print(uuid.uuid4())')
    fi
    {
        echo '<?xml version="1.0" encoding="UTF-8"?>'
        echo '<config>'
        echo '  <agent>'
        echo "    <uuid>$guid</uuid>"
        echo '  </agent>'
        echo '</config>'
    } >"$STANDIN_LOCAL_XML.tmp"
    chmod 0644 "$STANDIN_LOCAL_XML.tmp"
    mv -f "$STANDIN_LOCAL_XML.tmp" "$STANDIN_LOCAL_XML"
    standin_log "generated connector GUID $guid"
}

# Like an installer that relies on useradd alone: no -U/-g/-N and no groupadd, so the group
# exists only when /etc/login.defs has USERGROUPS_ENAB yes.
standin_create_user() {
    if useradd --system --no-create-home --home-dir "$STANDIN_HOME" \
        --shell "$(standin_nologin)" "$STANDIN_USER"; then
        standin_log "created user $STANDIN_USER"
    else
        standin_log "could not create user $STANDIN_USER (useradd exit status $?)"
    fi
    if getent passwd "$STANDIN_USER" >/dev/null && ! getent group "$STANDIN_USER" >/dev/null; then
        standin_log "group $STANDIN_USER was not created (USERGROUPS_ENAB in /etc/login.defs?)"
    fi
}

standin_ensure_user() {
    if getent passwd "$STANDIN_USER" >/dev/null; then
        if getent group "$STANDIN_USER" >/dev/null; then
            return 0
        fi
        standin_log "group $STANDIN_USER missing: recreating user $STANDIN_USER"
        # userdel refuses while ampscansvc runs as the user. Like an installer that does not
        # stop its own service first, this one then gives up: whoever reinstalls must stop the
        # connector before (the scan_user role does, through its journal).
        if ! userdel "$STANDIN_USER"; then
            standin_log "could not delete user $STANDIN_USER (still in use? stop $STANDIN_UNIT first)"
            return 0
        fi
    fi
    standin_create_user
}

standin_start_service() {
    if ! command -v systemctl >/dev/null 2>&1; then
        standin_log "systemctl not found: $STANDIN_UNIT not enabled"
        return 0
    fi
    if standin_systemd_running; then
        systemctl daemon-reload || true
        systemctl enable "$STANDIN_UNIT" || standin_log "could not enable $STANDIN_UNIT"
        systemctl restart "$STANDIN_UNIT" || standin_log "could not start $STANDIN_UNIT"
    else
        # Offline enable only creates the symlink: works in a chroot.
        systemctl enable "$STANDIN_UNIT" >/dev/null 2>&1 || true
        standin_log "systemd is not running: $STANDIN_UNIT enabled, not started"
    fi
}

standin_post_install() {
    standin_ensure_logs
    standin_ensure_guid
    standin_ensure_user
    standin_start_service
}

standin_pre_remove() {
    if standin_systemd_running; then
        systemctl stop "$STANDIN_UNIT" || true
    fi
    if command -v systemctl >/dev/null 2>&1; then
        systemctl disable "$STANDIN_UNIT" >/dev/null 2>&1 || true
    fi
}

standin_after_remove() {
    if standin_systemd_running; then
        systemctl daemon-reload || true
    fi
}

standin_purge() {
    if getent passwd "$STANDIN_USER" >/dev/null; then
        userdel "$STANDIN_USER" || standin_log "could not delete user $STANDIN_USER"
    fi
    if getent group "$STANDIN_USER" >/dev/null; then
        groupdel "$STANDIN_USER" || true
    fi
    rm -f "$STANDIN_LOCAL_XML" "$STANDIN_LOG_DIR/ampdaemon.log" "$STANDIN_LOG_DIR/ampscansvc.log"
    rm -rf /run/cisco-amp
    rmdir "$STANDIN_HOME/etc" "$STANDIN_HOME" /opt/cisco "$STANDIN_LOG_DIR" 2>/dev/null || true
}

# deb: postinst configure | prerm remove | postrm remove, purge (upgrades and reinstalls:
#      the new postinst restarts the service, nothing to do in prerm/postrm).
# rpm: %post $1>=1 | %preun $1=0 | %postun $1=0 (on reinstall and upgrade the new %post runs
#      before the old %preun/%postun, which then see $1>=1 and do nothing).
standin_main() {
    format=$1
    script=$2
    arg=${3:-}
    case "$format:$script:$arg" in
        deb:postinst:configure | rpm:post:*) standin_post_install ;;
        deb:prerm:remove | rpm:preun:0) standin_pre_remove ;;
        deb:postrm:remove | rpm:postun:0) standin_after_remove ;;
        deb:postrm:purge) standin_after_remove && standin_purge ;;
        *) : ;;
    esac
    return 0
}
