#!/usr/bin/env bash
# A private Unbound DNS server on loopback for the sender-authentication tests (SPF, DKIM, DMARC)
# and for trying records by hand. It is not the system Unbound: its config, pid file and log live
# in one state dir, and it never asks the internet anything.
#
#   scripts/dns.sh          start it if it is not running (idempotent); prints the port
#   scripts/dns.sh stop     stop it
#   scripts/dns.sh status   exit 0 and print the port when it runs, exit 1 otherwise
#   scripts/dns.sh env      print MAILDESK_DNS_{DIR,PORT,CONTROL_PORT,CONF,CONTROL}=… for tests
#
# It answers on 127.0.0.1:$PORT over UDP and TCP, for local data only: every name is in one static
# local zone, ".", so a name nobody published is NXDOMAIN at once (never a time-out, never a
# lookup upstream), and a published name without the asked type is an empty NOERROR answer.
# Negative answers carry an SOA with a zero minimum, so no resolver caches them.
#
# Records come and go at run time through unbound-control on 127.0.0.1:$CONTROL_PORT (plain TCP,
# no certificates), which is how each test publishes its own domains (tests/src/dns.rs):
#
#   unbound-control -c "$DIR/unbound.conf" local_data 'x.test. 0 TXT "v=spf1 ip4:127.0.0.1 -all"'
#   unbound-control -c "$DIR/unbound.conf" local_data_remove x.test.
#
# A TXT string holds at most 255 bytes: a longer value (a DKIM RSA-2048 key) is written as several
# quoted strings, 'sel._domainkey.x.test. 0 TXT "v=DKIM1; k=rsa; p=MIIB…" "…rest"', which a
# verifier joins. Records added this way live until the server stops (or restarts with a changed
# config); a record without a TTL gets 3600 s, the test helpers give 0.
#
# Several instances can run side by side, each with its own state dir and ports: a test that
# needs DNS to fail (temperror) starts its own and stops it, while the shared one keeps serving:
#   MAILDESK_DNS_DIR=/tmp/x MAILDESK_DNS_PORT=10063 scripts/dns.sh        (control port 10064)
#
# Environment: MAILDESK_DNS_DIR (default /tmp/maildesk-dns), MAILDESK_DNS_PORT (default 10053),
# MAILDESK_DNS_CONTROL_PORT (default the port + 1). Installs Debian's unbound when missing (needs
# root).
set -euo pipefail

# unbound and unbound-control live in /usr/sbin, which a non-login shell may not have on PATH.
export PATH="$PATH:/usr/sbin:/sbin"

DIR="${MAILDESK_DNS_DIR:-/tmp/maildesk-dns}"
PORT="${MAILDESK_DNS_PORT:-10053}"
CONTROL_PORT="${MAILDESK_DNS_CONTROL_PORT:-$((PORT + 1))}"
CONF="$DIR/unbound.conf"
PIDFILE="$DIR/unbound.pid"
LOG="$DIR/unbound.log"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/${1:-$PORT}") 2>/dev/null; }

# A process that exists and is not a zombie: an Unbound that has exited stays a zombie until
# whatever adopted it (PID 1 of a container, maybe slow) reaps it, which can take seconds.
alive() {
  kill -0 "$1" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}

pid_alive() { [ -s "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; }

running() {
  pid_alive && port_open && port_open "$CONTROL_PORT"
}

control() { unbound-control -c "$CONF" "$@"; }

install_unbound() {
  command -v unbound >/dev/null && command -v unbound-control >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: Unbound is not installed; as root run: apt-get install unbound" >&2
    exit 1
  fi
  echo "installing unbound…" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unbound >&2
  # The package may start the system instance (on port 53); it is not ours and not needed.
  if command -v systemctl >/dev/null && systemctl is-active --quiet unbound 2>/dev/null; then
    systemctl stop unbound >&2 || true
  fi
}

write_config() {
  mkdir -p "$DIR"
  cat >"$CONF.new" <<EOF
# Written by scripts/dns.sh for $(unbound -V | head -n1) — private test instance.
server:
  interface: 127.0.0.1
  port: $PORT
  do-ip4: yes
  do-ip6: no
  do-udp: yes
  do-tcp: yes
  access-control: 127.0.0.0/8 allow
  # Runs as whoever started it, in the foreground of nothing: no chroot, no user switch.
  username: ""
  chroot: ""
  directory: "$DIR"
  pidfile: "$PIDFILE"
  do-daemonize: yes
  use-syslog: no
  logfile: "$LOG"
  log-time-ascii: yes
  verbosity: 1
  # Each question and its answer code, to see what a test asked.
  log-queries: yes
  log-replies: yes
  # Small: a handful of test records, many short-lived parallel clients.
  num-threads: 1
  so-reuseport: no
  msg-cache-size: 1m
  rrset-cache-size: 2m
  key-cache-size: 1m
  neg-cache-size: 1m
  outgoing-range: 64
  num-queries-per-thread: 64
  incoming-num-tcp: 64
  # No DNSSEC, no trust anchor, no recursion: only the local data below is ever answered.
  module-config: "iterator"
  harden-glue: yes
  minimal-responses: yes
  # Everything is one static local zone: a published name answers, anything else is NXDOMAIN
  # (an empty NOERROR when the name exists with other types) and nothing goes upstream.
  local-zone: "." static
  # Unbound's built-in zones for the special-use names (RFC 6761) would answer for "test." and
  # "example." themselves, with an SOA that makes resolvers cache NXDOMAIN for three hours: the
  # test domains go to "." like all others.
  local-zone: "test." nodefault
  local-zone: "invalid." nodefault
  local-data: ". 0 IN SOA ns.maildesk.test. hostmaster.maildesk.test. 1 3600 600 86400 0"

remote-control:
  control-enable: yes
  control-interface: 127.0.0.1
  control-port: $CONTROL_PORT
  control-use-cert: no
EOF
  mv "$CONF.new" "$CONF"
}

check_config() {
  if ! unbound-checkconf "$CONF" >"$DIR/checkconf.out" 2>&1; then
    echo "error: the generated Unbound config is invalid:" >&2
    cat "$DIR/checkconf.out" >&2
    exit 1
  fi
}

start() {
  mkdir -p "$DIR"
  # Many tests call this at once: one installs and starts Unbound, the others wait for it and
  # then find it running.
  exec 9>"$DIR.lock"
  flock -w 600 9 || { echo "error: timed out waiting for $DIR.lock" >&2; exit 1; }
  install_unbound
  if running; then
    # A newer script may write a different config: restart only then (a restart forgets the
    # records the tests added at run time, so not on every call).
    local before
    before="$(sha256sum <"$CONF" 2>/dev/null || true)"
    write_config
    if [ "$before" = "$(sha256sum <"$CONF")" ]; then
      echo "$PORT"
      return 0
    fi
    check_config
    echo "the Unbound config changed; restarting it" >&2
    stop
  fi
  # A dead instance may have left its pid file, or a live one lost a port: start afresh.
  pid_alive && stop
  if port_open; then
    echo "error: port $PORT is taken by something else; set MAILDESK_DNS_PORT" >&2
    exit 1
  fi
  if port_open "$CONTROL_PORT"; then
    echo "error: control port $CONTROL_PORT is taken by something else; set MAILDESK_DNS_CONTROL_PORT" >&2
    exit 1
  fi
  write_config
  check_config
  rm -f "$PIDFILE"
  : >"$LOG"
  # Unbound daemonizes; give it none of our descriptors (a caller reading our output through a
  # pipe would otherwise wait for it forever), nor the lock.
  if ! unbound -c "$CONF" 9>&- </dev/null >"$DIR/start.out" 2>&1; then
    echo "error: Unbound refused to start:" >&2
    cat "$DIR/start.out" "$LOG" >&2
    exit 1
  fi
  local deadline=$((SECONDS + 20))
  until port_open && control status >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "error: Unbound did not start answering on 127.0.0.1:$PORT (control $CONTROL_PORT); see $LOG" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$PORT"
}

stop() {
  if [ -f "$CONF" ] && pid_alive; then
    local pid
    pid="$(cat "$PIDFILE")"
    control stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.05; done
    if alive "$pid"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE"
    echo "stopped Unbound on port $PORT" >&2
  else
    echo "Unbound ($DIR) is not running" >&2
  fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status)
  if running; then echo "$PORT"; else exit 1; fi
  ;;
env)
  echo "MAILDESK_DNS_DIR=$DIR"
  echo "MAILDESK_DNS_PORT=$PORT"
  echo "MAILDESK_DNS_CONTROL_PORT=$CONTROL_PORT"
  echo "MAILDESK_DNS_CONF=$CONF"
  echo "MAILDESK_DNS_CONTROL=$(command -v unbound-control || echo unbound-control)"
  ;;
*)
  echo "usage: $0 [start|stop|status|env]" >&2
  exit 2
  ;;
esac
