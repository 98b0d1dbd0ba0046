#!/usr/bin/env bash
# A private OAuth2 / OpenID Connect authorization server on loopback for the OAuth2 mail login
# tests (SASL XOAUTH2 and OAUTHBEARER against the test Dovecot and Postfix): the npm package
# oauth2-mock-server, driven by scripts/oauth-server.mjs (read its header for the behaviour:
# login_hint is the user, PKCE, single-use codes, refresh and revocation, "short-" clients,
# /_control/stats).
#
#   scripts/oauth.sh          start it (and Dovecot) if it is not running (idempotent); prints the issuer URL
#   scripts/oauth.sh stop     stop it
#   scripts/oauth.sh status   exit 0 and print the issuer URL when it runs, exit 1 otherwise
#   scripts/oauth.sh env      print MAILDESK_OAUTH_{ISSUER,DIR}=… for tests
#
# The signing key belongs to scripts/dovecot.sh: it makes the RSA key once
# ($MAILDESK_DOVECOT_DIR/oauth/signing.pem, kid maildesk-test-rs256) and gives its public half to
# Dovecot, which validates tokens locally, without calling this server. So this script starts
# Dovecot first, and tokens stay valid across restarts of either. Discovery:
# $ISSUER/.well-known/openid-configuration.
#
# Environment: MAILDESK_OAUTH_DIR (default /tmp/maildesk-oauth: node_modules, the running copy of
# the driver, oauth.log, oauth.pid), MAILDESK_OAUTH_PORT (default 10180), and Dovecot's own
# variables. Installs the pinned npm package into the state dir when missing (needs Node.js 20.19+
# and npm, and the npm registry).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${MAILDESK_OAUTH_DIR:-/tmp/maildesk-oauth}"
PORT="${MAILDESK_OAUTH_PORT:-10180}"
ISSUER="http://127.0.0.1:$PORT"
PACKAGE=oauth2-mock-server
VERSION=8.1.0 # 8.x is the last line that runs on Node 20 (9.x wants Node 22)
PIDFILE="$DIR/oauth.pid"
export MAILDESK_OAUTH_PORT="$PORT"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

running() {
  [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && port_open
}

install_server() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "error: Node.js 20.19+ and npm are needed for the test OAuth server; install them (e.g. apt-get install nodejs npm, if Debian's is new enough)" >&2
    exit 1
  fi
  local v
  v="$(node -p 'process.versions.node')"
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "error: Node.js $v is too old for $PACKAGE@$VERSION (needs 20.19+); install a newer nodejs" >&2
    exit 1
  fi
  local installed
  installed="$(node -p "require('$DIR/node_modules/$PACKAGE/package.json').version" 2>/dev/null || true)"
  [ "$installed" = "$VERSION" ] && return 0
  echo "installing $PACKAGE@$VERSION into $DIR…" >&2
  [ -f "$DIR/package.json" ] || echo '{"name":"maildesk-oauth","private":true}' >"$DIR/package.json"
  if ! npm install --prefix "$DIR" --no-audit --no-fund --save-exact "$PACKAGE@$VERSION" >"$DIR/npm.log" 2>&1; then
    echo "error: npm could not install $PACKAGE@$VERSION (see $DIR/npm.log); it needs the npm registry" >&2
    tail -20 "$DIR/npm.log" >&2
    exit 1
  fi
}

# What the running server was started from: the driver, the key and the package version. A change
# (a newer script, a key made anew) restarts it.
digest() {
  { cat "$HERE/oauth-server.mjs" "$KEY"; echo "$VERSION $PORT $KID"; } | sha256sum | cut -d' ' -f1
}

start() {
  # Dovecot first: it owns the signing key (and validates what we sign).
  local dovecot_env
  "$HERE/dovecot.sh" start >/dev/null
  dovecot_env="$("$HERE/dovecot.sh" env)"
  KEY="$(sed -n 's/^MAILDESK_DOVECOT_OAUTH_KEY=//p' <<<"$dovecot_env")"
  KID="$(sed -n 's/^MAILDESK_DOVECOT_OAUTH_KID=//p' <<<"$dovecot_env")"
  if [ -z "$KEY" ] || [ ! -s "$KEY" ]; then
    echo "error: scripts/dovecot.sh made no OAuth signing key (it needs openssl and Dovecot 2.3: apt-get install openssl)" >&2
    exit 1
  fi
  mkdir -p "$DIR"
  exec 9>"$DIR.lock"
  flock -w 600 9 || { echo "error: timed out waiting for $DIR.lock" >&2; exit 1; }
  install_server
  if running; then
    if [ "$(cat "$DIR/running.digest" 2>/dev/null)" = "$(digest)" ]; then
      echo "$ISSUER"
      return 0
    fi
    stop # started from an older driver or key
  fi
  if port_open; then
    echo "error: port $PORT is taken by something else; set MAILDESK_OAUTH_PORT" >&2
    exit 1
  fi
  # Run from the state dir so that the driver finds node_modules there.
  cp "$HERE/oauth-server.mjs" "$DIR/oauth-server.mjs"
  digest >"$DIR/running.digest"
  # Detached, holding none of our descriptors (a caller reading our output through a pipe would
  # otherwise wait for the server forever).
  MAILDESK_OAUTH_KEY="$KEY" MAILDESK_OAUTH_KID="$KID" \
    setsid nohup node "$DIR/oauth-server.mjs" 9>&- </dev/null >>"$DIR/oauth.log" 2>&1 &
  echo $! >"$PIDFILE"
  local deadline=$((SECONDS + 20))
  until port_open; do
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null || ((SECONDS > deadline)); then
      echo "error: the OAuth server did not start listening on 127.0.0.1:$PORT; see $DIR/oauth.log:" >&2
      tail -20 "$DIR/oauth.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$ISSUER"
}

stop() {
  if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    kill "$(cat "$PIDFILE")"
    local deadline=$((SECONDS + 10))
    while kill -0 "$(cat "$PIDFILE")" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    rm -f "$PIDFILE"
    echo "stopped the OAuth server on port $PORT" >&2
  else
    echo "the OAuth server ($DIR) is not running" >&2
  fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status)
  if running; then echo "$ISSUER"; else exit 1; fi
  ;;
env)
  echo "MAILDESK_OAUTH_ISSUER=$ISSUER"
  echo "MAILDESK_OAUTH_DIR=$DIR"
  ;;
*)
  echo "usage: $0 [start|stop|status|env]" >&2
  exit 2
  ;;
esac
