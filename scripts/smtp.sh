#!/usr/bin/env bash
# A private Postfix SMTP server on loopback for the outbound-mail tests, delivering into the test
# Dovecot's maildirs (scripts/dovecot.sh), so a test reads what a customer received over IMAP.
# It is not the system Postfix: its config, queue and log live in one state dir.
#
#   scripts/smtp.sh          start it (and Dovecot) if not running (idempotent); prints the port
#   scripts/smtp.sh stop     stop it
#   scripts/smtp.sh status   exit 0 and print the port when it runs, exit 1 otherwise
#
# Mail to any address at maildesk.test, example.test, example.com or example.org lands in the Dovecot mailbox
# whose user name is the full address (password `secret`). Mail to `lmtp.relay.test` is relayed
# over LMTP to 127.0.0.1:$MAILDESK_RELAY_LMTP_PORT (10031), to `smtp.relay.test` over SMTP to
# 127.0.0.1:$MAILDESK_RELAY_SMTP_PORT (10032): the built-in receiver's test listens there
# (Postfix allows no variable parts in a transport). Other domains are bounced, never relayed. Recipients starting with `reject-` are refused at RCPT with a 5xx, those starting with
# `tempfail-` with a 4xx, so tests can exercise permanent and transient failures.
#
# STARTTLS with SMTP AUTH (required) listens on MAILDESK_SMTP_SUBMISSION_PORT (10587), implicit TLS
# with AUTH on MAILDESK_SMTP_SMTPS_PORT (10465); the certificate is the test Dovecot's (localhost,
# CA in /tmp/maildesk-dovecot/tls/ca.pem) and any user logs in with the password `secret`. Dovecot
# decides SMTP AUTH and lists its mechanisms, so XOAUTH2 and OAUTHBEARER are offered there too
# and take a bearer token of the test OAuth server (scripts/oauth.sh; see scripts/dovecot.sh).
#
# Environment: MAILDESK_SMTP_DIR (default /tmp/maildesk-postfix), MAILDESK_SMTP_PORT (default
# 10025), and Dovecot's own variables. Installs Debian's postfix when missing (needs root).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${MAILDESK_SMTP_DIR:-/tmp/maildesk-postfix}"
PORT="${MAILDESK_SMTP_PORT:-10025}"
CONF="$DIR/conf"
LMTP_PORT="${MAILDESK_DOVECOT_LMTP_PORT:-10024}"
SASL_PORT="${MAILDESK_DOVECOT_SASL_PORT:-10027}"
DOVECOT_DIR="${MAILDESK_DOVECOT_DIR:-/tmp/maildesk-dovecot}"
SUBMISSION_PORT="${MAILDESK_SMTP_SUBMISSION_PORT:-10587}"
SMTPS_PORT="${MAILDESK_SMTP_SMTPS_PORT:-10465}"
RELAY_LMTP_PORT="${MAILDESK_RELAY_LMTP_PORT:-10031}"
RELAY_SMTP_PORT="${MAILDESK_RELAY_SMTP_PORT:-10032}"
DOMAINS="maildesk.test example.test example.com example.org"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

# Asks Postfix itself, never connects: a probe connection arriving just before a reload can wedge
# the smtpd that accepted it, holding the listener from every other smtpd until it times out.
running() {
  [ -f "$CONF/main.cf" ] && postfix -c "$CONF" status >/dev/null 2>&1
}

install_postfix() {
  command -v postfix >/dev/null && [ -x /usr/lib/postfix/sbin/smtpd ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: Postfix is not installed; as root run: apt-get install postfix" >&2
    exit 1
  fi
  echo "installing postfix…" >&2
  apt-get update -qq >&2
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >&2
  # The package may start the system instance; it is not ours and not needed.
  postfix stop >/dev/null 2>&1 || true
}

write_config() {
  mkdir -p "$CONF" "$DIR/queue" "$DIR/data"
  [ "$(id -u)" -eq 0 ] && chown postfix "$DIR/data"
  cat >"$CONF/main.cf" <<EOF
# Written by scripts/smtp.sh — private test instance, loopback only.
compatibility_level = 3.6
queue_directory = $DIR/queue
data_directory = $DIR/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $DIR
maillog_file = $DIR/postfix.log
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = smtp.maildesk.test
mydomain = maildesk.test
myorigin = maildesk.test
mydestination =
local_recipient_maps =
mynetworks = 127.0.0.0/8
relay_domains = regexp:$CONF/relay_domains
transport_maps = regexp:$CONF/transports
virtual_mailbox_domains = $DOMAINS
# Every address of those domains exists; Dovecot's LMTP files it into that user's maildir.
virtual_mailbox_maps = regexp:$CONF/mailboxes
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
message_size_limit = 52428800
default_transport = error:this test server delivers only to $DOMAINS
smtpd_recipient_restrictions = check_recipient_access regexp:$CONF/recipients, permit_mynetworks, reject_unauth_destination
smtpd_banner = \$myhostname ESMTP maildesk-test
# TLS with the test CA's localhost certificate (scripts/dovecot.sh makes it), and SMTP AUTH
# checked by the test Dovecot: any user, password "secret".
smtpd_tls_cert_file = $DOVECOT_DIR/tls/server.pem
smtpd_tls_key_file = $DOVECOT_DIR/tls/server.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$SASL_PORT
biff = no
# Tests retry quickly; a deferred mail is tried again soon.
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 30s
EOF
    printf '%s\n' '/@/ OK' >"$CONF/mailboxes"
  printf '%s\n' '/^(lmtp|smtp)\.relay\.test$/ OK' >"$CONF/relay_domains"
  # regexp transport tables are asked with the whole address
  printf '%s\n' "/@lmtp\\.relay\\.test\$/ lmtp:inet:127.0.0.1:$RELAY_LMTP_PORT" \
    "/@smtp\\.relay\\.test\$/ smtp:[127.0.0.1]:$RELAY_SMTP_PORT" >"$CONF/transports"
  printf '%s\n' '/^reject-/ 550 5.1.1 no such user here' '/^tempfail-/ 450 4.2.0 mailbox busy, try again later' \
    >"$CONF/recipients"
  cat >"$CONF/master.cf" <<EOF
127.0.0.1:$PORT inet n - n - - smtpd
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n - 0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n - - trivial-rewrite
tlsmgr     unix  - - n 1000? 1 tlsmgr
bounce     unix  - - n - 0 bounce
defer      unix  - - n - 0 bounce
trace      unix  - - n - 0 bounce
verify     unix  - - n - 1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n - - proxymap
proxywrite unix  - - n - 1 proxymap
smtp       unix  - - n - - smtp
relay      unix  - - n - - smtp
showq      unix  n - n - - showq
error      unix  - - n - - error
retry      unix  - - n - - error
discard    unix  - - n - - discard
local      unix  - n n - - local
virtual    unix  - n n - - virtual
lmtp       unix  - - n - - lmtp
anvil      unix  - - n - 1 anvil
scache     unix  - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

start() {
  # Dovecot first: Postfix delivers into its maildirs.
  "$HERE/dovecot.sh" start >/dev/null
  mkdir -p "$DIR"
  exec 9>"$DIR.lock"
  flock -w 600 9 || { echo "error: timed out waiting for $DIR.lock" >&2; exit 1; }
  install_postfix
  if running; then
    # A newer script may write a different config: reload only then (every test process calls
    # this; reloading under running tests would disturb them).
    local before
    before="$({ cat "$CONF/main.cf" "$CONF/master.cf" "$CONF/recipients" "$CONF/transports" 2>/dev/null || true; } | sha256sum)"
    write_config
    if [ "$before" != "$(cat "$CONF/main.cf" "$CONF/master.cf" "$CONF/recipients" "$CONF/transports" | sha256sum)" ]; then
      postfix -c "$CONF" reload >/dev/null 2>&1 || true
    fi
    echo "$PORT"
    return 0
  fi
  if port_open; then
    echo "error: port $PORT is taken by something else; set MAILDESK_SMTP_PORT" >&2
    exit 1
  fi
  write_config
  postfix -c "$CONF" set-permissions >/dev/null 2>&1 || true
  # Like Dovecot, the master keeps the descriptors it was given: give it none of ours.
  if ! postfix -c "$CONF" start 9>&- </dev/null >"$DIR/start.out" 2>&1; then
    echo "error: Postfix refused to start:" >&2
    cat "$DIR/start.out" >&2
    tail -20 "$DIR/postfix.log" >&2 2>/dev/null || true
    exit 1
  fi
  local deadline=$((SECONDS + 20))
  until port_open; do
    if ((SECONDS > deadline)); then
      echo "error: Postfix did not start listening on 127.0.0.1:$PORT; see $DIR/postfix.log" >&2
      tail -20 "$DIR/postfix.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
  echo "$PORT"
}

stop() {
  if running; then
    postfix -c "$CONF" stop >/dev/null 2>&1 || true
    echo "stopped Postfix on port $PORT" >&2
  else
    echo "Postfix ($DIR) is not running" >&2
  fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status)
  if running; then echo "$PORT"; else exit 1; fi
  ;;
*)
  echo "usage: $0 [start|stop|status]" >&2
  exit 2
  ;;
esac
