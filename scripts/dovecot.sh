#!/usr/bin/env bash
# A private Dovecot IMAP server on loopback for the IMAP tests and for trying mailboxes by hand.
# It is not the system Dovecot: its config, sockets, logs and maildirs all live in one state dir.
#
#   scripts/dovecot.sh          start it if it is not running (idempotent); prints the port
#   scripts/dovecot.sh stop     stop it
#   scripts/dovecot.sh status   exit 0 and print the port when it runs, exit 1 otherwise
#   scripts/dovecot.sh env      print MAILDESK_DOVECOT_{PORT,TLS_PORT,CA,DIR,OAUTH_KEY,OAUTH_KID}=… for tests
#
# Any user name logs in with the password `secret` (a static passdb): every test picks a unique
# name and gets its own empty mailbox. IDLE, UIDPLUS and MOVE are offered. Plain IMAP (with
# plain-text login allowed, for imap_tls = none on loopback) is on the port; when openssl is
# there, STARTTLS is offered on it too and implicit TLS listens on the TLS port, with a
# certificate for localhost/127.0.0.1 from a throw-away CA ($DIR/tls/ca.pem).
#
# OAuth2 (Dovecot 2.3): SASL XOAUTH2 and OAUTHBEARER (IMAP, POP3, and SMTP AUTH through the SASL
# listener) accept a bearer token from the test authorization server (scripts/oauth.sh), checked
# locally — signature, expiry, issuer — with no call to that server, so they work while it is down.
# The user is the token's `email` claim; it must equal the SASL user name. This script owns the
# signing key: it makes an RSA key once ($DIR/oauth/signing.pem, kid maildesk-test-rs256) that
# scripts/oauth.sh signs with, and puts its public half where Dovecot looks it up
# ($DIR/oauth/keys/default/RS256/<kid>: <azp claim, or "default">/<alg>/<kid>). The password
# passdb answers PLAIN and LOGIN only, the oauth2 passdb XOAUTH2 and OAUTHBEARER only.
#
# Environment: MAILDESK_DOVECOT_DIR (default /tmp/maildesk-dovecot), MAILDESK_DOVECOT_PORT
# (default 10143), MAILDESK_DOVECOT_TLS_PORT (default 10993), MAILDESK_DOVECOT_LMTP_PORT (default
# 10024: LMTP delivery for the test SMTP server, scripts/smtp.sh), MAILDESK_DOVECOT_POP3_PORT
# (default 10110: POP3 with STLS, same users and maildirs). Installs Debian's dovecot-imapd,
# dovecot-lmtpd and dovecot-pop3d when missing (needs root). MAILDESK_OAUTH_PORT (default 10180)
# names the issuer, http://127.0.0.1:$MAILDESK_OAUTH_PORT, whose tokens are accepted.
set -euo pipefail

DIR="${MAILDESK_DOVECOT_DIR:-/tmp/maildesk-dovecot}"
PORT="${MAILDESK_DOVECOT_PORT:-10143}"
TLS_PORT="${MAILDESK_DOVECOT_TLS_PORT:-10993}"
LMTP_PORT="${MAILDESK_DOVECOT_LMTP_PORT:-10024}"
SASL_PORT="${MAILDESK_DOVECOT_SASL_PORT:-10027}"
POP3_PORT="${MAILDESK_DOVECOT_POP3_PORT:-10110}"
CONF="$DIR/dovecot.conf"
OAUTH_CONF="$DIR/dovecot-oauth2.conf.ext"
OAUTH_ISSUER="http://127.0.0.1:${MAILDESK_OAUTH_PORT:-10180}"
OAUTH_KEY="$DIR/oauth/signing.pem"
OAUTH_KID=maildesk-test-rs256 # no '.', '/' or '%': Dovecot would escape them in the file name
OAUTH_PUB="$DIR/oauth/keys/default/RS256/$OAUTH_KID"
PIDFILE="$DIR/run/master.pid"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/${1:-$PORT}") 2>/dev/null; }

running() {
  [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && port_open
}

install_dovecot() {
  command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/lmtp ] &&
    [ -x /usr/lib/dovecot/pop3 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: Dovecot is not installed; as root run: apt-get install dovecot-imapd dovecot-lmtpd dovecot-pop3d" >&2
    exit 1
  fi
  echo "installing dovecot-imapd, dovecot-lmtpd and dovecot-pop3d…" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-lmtpd dovecot-pop3d >&2
  # The package may start the system instance; it is not ours and not needed.
  if command -v systemctl >/dev/null && systemctl is-active --quiet dovecot 2>/dev/null; then
    systemctl stop dovecot >&2 || true
  fi
}

# A throw-away CA and a server certificate for localhost / 127.0.0.1 signed by it (rustls wants
# a real CA chain, not a self-signed leaf). Returns 1 when openssl is missing.
make_certs() {
  local tls="$DIR/tls"
  [ -s "$tls/server.pem" ] && [ -s "$tls/ca.pem" ] && return 0
  command -v openssl >/dev/null || return 1
  mkdir -p "$tls"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout ca.key -out ca.pem \
      -subj "/CN=Maildesk test CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile ext.cnf -out server.pem 2>/dev/null
    chmod 0644 ca.pem server.pem
    chmod 0600 ca.key server.key
  )
}

# The OAuth2 token signing key (see the header), made once; its public half in PEM where the
# oauth2 passdb's key dict finds it. Returns 1 when openssl is missing.
make_oauth_key() {
  command -v openssl >/dev/null || return 1
  mkdir -p "$(dirname "$OAUTH_PUB")"
  if [ ! -s "$OAUTH_KEY" ]; then
    (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OAUTH_KEY.tmp" 2>/dev/null)
    mv "$OAUTH_KEY.tmp" "$OAUTH_KEY"
  fi
  openssl pkey -in "$OAUTH_KEY" -pubout -out "$OAUTH_PUB.tmp" 2>/dev/null
  mv "$OAUTH_PUB.tmp" "$OAUTH_PUB"
  # The auth process (user dovecot) reads the public key; the private one stays ours.
  chmod 0755 "$DIR/oauth" "$DIR/oauth/keys" "$DIR/oauth/keys/default" "$DIR/oauth/keys/default/RS256"
  chmod 0644 "$OAUTH_PUB"
}

# What the running instance was configured from; a change means it must reload.
config_digest() {
  { cat "$CONF" "$OAUTH_CONF" "$OAUTH_PUB" 2>/dev/null || true; } | sha256sum
}

write_config() {
  local version major_minor login_user internal_user mail_owner ssl=no imaps_port=0 oauth=no
  if make_certs; then ssl=yes imaps_port=$TLS_PORT; fi
  version="$(dovecot --version | awk '{print $1}')"
  major_minor="$(echo "$version" | cut -d. -f1,2)"
  # Local JWT validation needs Dovecot 2.3's oauth2 passdb (2.4 configures it differently).
  if [ "$major_minor" = 2.3 ] && make_oauth_key; then oauth=yes; fi
  if [ "$(id -u)" -eq 0 ]; then
    login_user=dovenull internal_user=dovecot mail_owner=dovecot
  else
    # Unprivileged: every process runs as us (Dovecot supports this when nothing needs root).
    login_user="$(id -un)" internal_user="$(id -un)" mail_owner="$(id -un)"
  fi
  mkdir -p "$DIR/run" "$DIR/state" "$DIR/mail"
  chmod 0755 "$DIR"
  chown "$mail_owner:$(id -gn "$mail_owner")" "$DIR/mail"
  local common="base_dir = $DIR/run
state_dir = $DIR/state
instance_name = maildesk-test
protocols = imap lmtp pop3
listen = 127.0.0.1
auth_mechanisms = plain login$([ "$oauth" = yes ] && echo " xoauth2 oauthbearer")
# Failed logins say why in the log (wrong password, expired or forged token, user mismatch).
auth_verbose = yes
log_path = $DIR/dovecot.log
default_login_user = $login_user
default_internal_user = $internal_user
first_valid_uid = 1
first_valid_gid = 1
mail_uid = $mail_owner
mail_gid = $(id -gn "$mail_owner")
# Every test opens a few sessions (worker, delivery, checks) as the same user from 127.0.0.1.
protocol imap {
  mail_max_userip_connections = 200
}
protocol pop3 {
  mail_max_userip_connections = 200
}
namespace inbox {
  inbox = yes
  separator = /
}"
  case "$major_minor" in
  2.3 | 2.2)
    cat >"$CONF" <<EOF
# Written by scripts/dovecot.sh for Dovecot $version — private test instance.
$common
disable_plaintext_auth = no
$(if [ "$ssl" = yes ]; then
      printf 'ssl = yes\nssl_cert = <%s\nssl_key = <%s\n' "$DIR/tls/server.pem" "$DIR/tls/server.key"
    else echo "ssl = no"; fi)
mail_location = maildir:$DIR/mail/%u/Maildir
passdb {
  driver = static
  args = password=secret
$([ "$oauth" = yes ] && printf '%s\n' '  # Passwords only: a bearer token is never compared with "secret" (none: lookups without a' '  # mechanism, e.g. doveadm auth lookup).' '  mechanisms = plain login none')
}
$(if [ "$oauth" = yes ]; then
      printf '%s\n' '# Bearer tokens from scripts/oauth.sh, validated locally (see the header).' 'passdb {' \
        '  driver = oauth2' '  mechanisms = xoauth2 oauthbearer' "  args = $OAUTH_CONF" '}'
    fi)
userdb {
  driver = static
  # allow_all_users: LMTP delivery (from scripts/smtp.sh) accepts any address as a user.
  args = uid=$mail_owner gid=$(id -gn "$mail_owner") home=$DIR/mail/%u allow_all_users=yes
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
# No growing auth penalty for loopback: tests fail logins on purpose (wrong passwords, forged or
# expired tokens), in parallel, and anvil would then hold every later login from 127.0.0.1 for up
# to 15 s. A failed login still answers after auth_failure_delay (2 s).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
# SMTP AUTH for the test Postfix (scripts/smtp.sh): same users, same password.
service auth {
  inet_listener sasl {
    address = 127.0.0.1
    port = $SASL_PORT
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
    if [ "$oauth" = yes ]; then
      cat >"$OAUTH_CONF" <<EOF
# Written by scripts/dovecot.sh: tokens of the test OAuth server (scripts/oauth.sh), checked here.
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$DIR/oauth/keys/
username_attribute = email
issuers = $OAUTH_ISSUER
# Named in the JSON error a failed XOAUTH2/OAUTHBEARER login answers with.
openid_configuration_url = $OAUTH_ISSUER/.well-known/openid-configuration
EOF
    else
      rm -f "$OAUTH_CONF"
    fi
    ;;
  *)
    # 2.4 and later: versioned config, renamed settings, named passdb/userdb blocks.
    cat >"$CONF" <<EOF
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
# Written by scripts/dovecot.sh for Dovecot $version — private test instance.
$common
auth_allow_cleartext = yes
$(if [ "$ssl" = yes ]; then
      printf 'ssl = yes\nssl_server_cert_file = %s\nssl_server_key_file = %s\n' "$DIR/tls/server.pem" "$DIR/tls/server.key"
    else echo "ssl = no"; fi)
mail_driver = maildir
mail_home = $DIR/mail/%{user}
mail_path = $DIR/mail/%{user}/Maildir
passdb static {
  password = secret
}
userdb static {
  fields {
    uid = $mail_owner
    gid = $(id -gn "$mail_owner")
    home = $DIR/mail/%{user}
  }
}
service lmtp {
  inet_listener lmtp {
    listen = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  inet_listener sasl {
    listen = 127.0.0.1
    port = $SASL_PORT
  }
}
service imap-login {
  inet_listener imap {
    listen = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    listen = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
    ;;
  esac
}

check_config() {
  if ! doveconf -c "$CONF" -n >/dev/null 2>"$DIR/doveconf.err"; then
    echo "error: the generated Dovecot config is invalid:" >&2
    cat "$DIR/doveconf.err" >&2
    exit 1
  fi
}

# After a reload: waits until new logins get the new config, i.e. the IMAP greeting offers the
# mechanisms it names (the greeting lists them: plain-text logins are allowed).
wait_reloaded() {
  local mechs mech greeting ok deadline=$((SECONDS + 10))
  mechs="$(sed -n 's/^auth_mechanisms = //p' "$CONF" | tr '[:lower:]' '[:upper:]')"
  while ((SECONDS < deadline)); do
    greeting="$({ exec 3<>"/dev/tcp/127.0.0.1/$PORT" && timeout 2 head -n1 <&3; } 2>/dev/null)" || true
    ok=yes
    for mech in $mechs; do
      [[ "$greeting" == *" AUTH=$mech "* || "$greeting" == *" AUTH=$mech]"* ]] || ok=no
    done
    [ "$ok" = yes ] && port_open "$LMTP_PORT" && port_open "$SASL_PORT" && port_open "$POP3_PORT" && return 0
    sleep 0.3
  done
  echo "warning: Dovecot did not take the new config within 10 s; see $DIR/dovecot.log" >&2
}

start() {
  mkdir -p "$DIR"
  # Many tests call this at once: one installs and starts Dovecot, the others wait for it (an
  # install on a fresh machine takes a while) and then find it running.
  exec 9>"$DIR.lock"
  flock -w 600 9 || { echo "error: timed out waiting for $DIR.lock" >&2; exit 1; }
  install_dovecot
  if running && ! { port_open "$LMTP_PORT" && port_open "$SASL_PORT" && port_open "$POP3_PORT"; }; then
    # Started by an older version of this script (without LMTP or POP3): restart it with
    # today's config.
    stop
  fi
  if running; then
    # A newer script may write a different config (or the key was made anew): reload only then
    # (every test process calls this; a reload leaves open sessions alone).
    local before
    before="$(config_digest)"
    write_config
    check_config
    if [ "$before" != "$(config_digest)" ]; then
      doveadm -c "$CONF" reload 9>&- </dev/null >/dev/null 2>&1 || kill -HUP "$(cat "$PIDFILE")"
      wait_reloaded
    fi
    echo "$PORT"
    return 0
  fi
  if port_open; then
    echo "error: port $PORT is taken by something else; set MAILDESK_DOVECOT_PORT" >&2
    exit 1
  fi
  write_config
  check_config
  # The master daemonizes but keeps the descriptors it was given: a caller reading our output
  # through a pipe (a test harness) would wait for it forever. Give it none of ours.
  if ! dovecot -c "$CONF" 9>&- </dev/null >"$DIR/start.out" 2>&1; then
    echo "error: Dovecot refused to start:" >&2
    cat "$DIR/start.out" >&2
    exit 1
  fi
  local deadline=$((SECONDS + 20))
  until port_open; do
    if ((SECONDS > deadline)); then
      echo "error: Dovecot did not start listening on 127.0.0.1:$PORT; see $DIR/dovecot.log" >&2
      tail -20 "$DIR/dovecot.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
  echo "$PORT"
}

stop() {
  if [ -f "$CONF" ] && [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    doveadm -c "$CONF" stop 2>/dev/null || kill "$(cat "$PIDFILE")"
    local deadline=$((SECONDS + 10))
    while port_open && ((SECONDS < deadline)); do sleep 0.2; done
    echo "stopped Dovecot on port $PORT" >&2
  else
    echo "Dovecot ($DIR) is not running" >&2
  fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status)
  if running; then echo "$PORT"; else exit 1; fi
  ;;
env)
  echo "MAILDESK_DOVECOT_DIR=$DIR"
  if grep -q "driver = oauth2" "$CONF" 2>/dev/null && [ -s "$OAUTH_CONF" ] && [ -s "$OAUTH_KEY" ]; then
    echo "MAILDESK_DOVECOT_OAUTH_KEY=$OAUTH_KEY"
    echo "MAILDESK_DOVECOT_OAUTH_KID=$OAUTH_KID"
  fi
  echo "MAILDESK_DOVECOT_PORT=$PORT"
  echo "MAILDESK_DOVECOT_POP3_PORT=$POP3_PORT"
  if [ -s "$DIR/tls/ca.pem" ] && grep -q "^ssl = yes" "$CONF" 2>/dev/null; then
    echo "MAILDESK_DOVECOT_TLS_PORT=$TLS_PORT"
    echo "MAILDESK_DOVECOT_CA=$DIR/tls/ca.pem"
  fi
  ;;
*)
  echo "usage: $0 [start|stop|status|env]" >&2
  exit 2
  ;;
esac
