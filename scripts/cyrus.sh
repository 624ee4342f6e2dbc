#!/usr/bin/env bash
# The project's own Cyrus IMAP 3.6 (Debian 12) JMAP server, for tests, benches and the demo.
#
#   scripts/cyrus.sh start   configure and start an instance in $CYRUS_STATE, provision users
#   scripts/cyrus.sh stop    stop it (and leave its folder)
#   scripts/cyrus.sh status  exit 0 when it answers
#
# Its own config, spool and password file live in $CYRUS_STATE (default
# $TMPDIR/mapi-outbox-cyrus), never in /etc or /var/lib/cyrus; its own ports on 127.0.0.1:
# HTTP/JMAP $CYRUS_HTTP_PORT (18080), IMAP $CYRUS_IMAP_PORT (18143). EmailSubmission relays to
# an SMTP server on 127.0.0.1:$CYRUS_SMTP_PORT (18025), which the caller runs (the tests run
# scripts/smtp-relay.mjs in-process, so they can refuse recipients or stop it).
# Users: alice@example.test / alice-pw, bob@example.test / bob-pw (HTTP Basic on loopback).
# The packages are installed by scripts/setup.sh (cyrus-imapd cyrus-caldav sasl2-bin).
# Facts and traps: ../shared/JMAP-CYRUS.md in the workspace this project grew in.
set -euo pipefail

STATE=${CYRUS_STATE:-${TMPDIR:-/tmp}/mapi-outbox-cyrus}
HTTP_PORT=${CYRUS_HTTP_PORT:-18080}
IMAP_PORT=${CYRUS_IMAP_PORT:-18143}
SMTP_PORT=${CYRUS_SMTP_PORT:-18025}
BIN=/usr/lib/cyrus/bin
USERS=("alice@example.test:alice-pw" "bob@example.test:bob-pw")

log() { printf '[cyrus] %s\n' "$*" >&2; }
die() { printf '[cyrus] ERROR: %s\n' "$*" >&2; exit 1; }

answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$HTTP_PORT/.well-known/jmap"; }

stop() {
  if [ -f "$STATE/master.pid" ]; then
    local pid
    pid=$(cat "$STATE/master.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$STATE/master.pid"
  fi
  # Children left behind by a killed master hold the ports.
  pkill -f -- "-C $STATE/imapd.conf" 2>/dev/null || true
}

start() {
  [ -x "$BIN/master" ] || die "Cyrus is not installed: run scripts/setup.sh (cyrus-imapd cyrus-caldav sasl2-bin)"
  [ -x "$BIN/httpd" ] || die "$BIN/httpd is missing: install cyrus-caldav (JMAP is served by its httpd)"
  command -v saslpasswd2 >/dev/null || die "saslpasswd2 is missing: install sasl2-bin"
  stop
  rm -rf "$STATE"
  mkdir -p "$STATE"/{conf,spool,run}
  for d in db lock log msg proc quota socket user sieve; do mkdir -p "$STATE/conf/$d"; done
  cat > "$STATE/imapd.conf" <<CONF
configdirectory: $STATE/conf
partition-default: $STATE/spool
sievedir: $STATE/conf/sieve
temp_path: $STATE/run
proc_path: $STATE/conf/proc
mboxname_lockpath: $STATE/conf/lock
idlesocket: $STATE/conf/socket/idle
notifysocket: $STATE/conf/socket/notify
lmtpsocket: $STATE/conf/socket/lmtp
admins: admin
httpmodules: jmap
conversations: yes
virtdomains: userid
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $STATE/conf/sasldb2
sasl_mech_list: PLAIN LOGIN
allowplaintext: yes
smtp_backend: host
smtp_host: 127.0.0.1:$SMTP_PORT/noauth
jmapsubmission_deleteonsend: no
autocreate_quota: 0
autocreate_inbox_folders: Drafts | Sent | Trash
autocreate_post: yes
xlist-drafts: Drafts
xlist-sent: Sent
xlist-trash: Trash
CONF
  cat > "$STATE/cyrus.conf" <<CONF
START {
  recover cmd="$BIN/ctl_cyrusdb -C $STATE/imapd.conf -r"
}
SERVICES {
  imap cmd="$BIN/imapd -C $STATE/imapd.conf" listen="127.0.0.1:$IMAP_PORT" prefork=0
  http cmd="$BIN/httpd -C $STATE/imapd.conf" listen="127.0.0.1:$HTTP_PORT" prefork=0
}
EVENTS {
  checkpoint cmd="$BIN/ctl_cyrusdb -C $STATE/imapd.conf -c" period=30
}
DAEMON {
  calalarmd cmd="$BIN/calalarmd -C $STATE/imapd.conf"
}
CONF
  for u in "${USERS[@]}"; do
    echo -n "${u#*:}" | saslpasswd2 -f "$STATE/conf/sasldb2" -p -c "${u%%:*}"
  done
  chown -R cyrus:mail "$STATE"
  chmod 750 "$STATE"
  # The state folder's parents must let the cyrus user through.
  local p=$STATE
  while p=$(dirname "$p") && [ "$p" != / ]; do chmod o+x "$p" 2>/dev/null || true; done
  "$BIN/master" -C "$STATE/imapd.conf" -M "$STATE/cyrus.conf" -p "$STATE/master.pid" -d
  for _ in $(seq 1 100); do answers && break; sleep 0.1; done
  answers || die "Cyrus did not answer on 127.0.0.1:$HTTP_PORT (state in $STATE)"
  # JMAP never creates an account: one IMAP login per user makes INBOX, Drafts, Sent, Trash.
  for u in "${USERS[@]}"; do
    curl -s --max-time 10 --user "$u" "imap://127.0.0.1:$IMAP_PORT/" -o /dev/null \
      || die "IMAP login of ${u%%:*} failed"
  done
  log "JMAP on http://127.0.0.1:$HTTP_PORT/jmap (users: ${USERS[*]%%:*}), relay 127.0.0.1:$SMTP_PORT, state $STATE"
}

case "${1:-}" in
  start) start ;;
  stop) stop; log "stopped" ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
