#!/usr/bin/env bash
# A private ClamAV daemon (clamd) for the antivirus check (`scan.clamd_socket`) and its tests.
# It is not the system clamd: its config, socket, signatures, pid file, temp files and log all
# live in one state dir, and it knows only the test signatures this script writes (no freshclam:
# the official signature download is not reachable from here, and the tests need no real ones).
#
#   scripts/clamd.sh          start it if it is not running (idempotent); prints the socket path,
#                             then host:port of the TCP listener when there is one
#   scripts/clamd.sh stop     stop it
#   scripts/clamd.sh status   exit 0 and print the same when it runs and answers PING, else exit 1
#   scripts/clamd.sh env      print MAILDESK_CLAMD_{SOCKET,TCP,MARKER,SIGNATURE,DIR}=… for tests
#
# Signatures ($DIR/db/maildesk-test.ndb, body signatures that match anywhere in any file type):
#   - the marker MAILDESK-TEST-MALWARE-7f3a (MAILDESK_CLAMD_MARKER), reported as
#     Maildesk.Test.Marker.UNOFFICIAL (MAILDESK_CLAMD_SIGNATURE; ClamAV adds ".UNOFFICIAL" to
#     every name from an unsigned database);
#   - the standard EICAR test string, reported as Maildesk.Test.EICAR.UNOFFICIAL.
# Anything else scans clean. A mail carrying the marker in its body or in an attachment (also
# base64-encoded: clamd decodes MIME) is "infected".
#
# clamd loads the signatures before it answers; with this tiny database that takes a second or
# two, the wait allows up to MAILDESK_CLAMD_START_TIMEOUT seconds (default 120). It runs as the
# caller (root here: the config names no User, so it keeps root); the socket is mode 0666 so any
# local user's test can scan through it.
#
# Environment: MAILDESK_CLAMD_DIR (default /tmp/maildesk-clamd), MAILDESK_CLAMD_TCP_PORT (default
# 13310, on 127.0.0.1; 0 = no TCP listener), MAILDESK_CLAMD_STREAM_MAX (default 50M: the largest
# INSTREAM clamd accepts; a bigger one gets "INSTREAM size limit exceeded. ERROR"),
# MAILDESK_CLAMD_START_TIMEOUT (default 120). Installs Debian's clamav-daemon when missing (needs
# root). Debian's AppArmor profile for /usr/sbin/clamd (when AppArmor enforces it) lets clamd
# read and write only below /tmp among the usual places: keep MAILDESK_CLAMD_DIR there.
set -euo pipefail

DIR="${MAILDESK_CLAMD_DIR:-/tmp/maildesk-clamd}"
TCP_PORT="${MAILDESK_CLAMD_TCP_PORT:-13310}"
STREAM_MAX="${MAILDESK_CLAMD_STREAM_MAX:-50M}"
START_TIMEOUT="${MAILDESK_CLAMD_START_TIMEOUT:-120}"
CONF="$DIR/clamd.conf"
DB="$DIR/db"
SOCKET="$DIR/clamd.sock"
PIDFILE="$DIR/clamd.pid"
LOG="$DIR/clamd.log"
MARKER="MAILDESK-TEST-MALWARE-7f3a"
SIGNATURE="Maildesk.Test.Marker.UNOFFICIAL"

tcp_addr() { [ "$TCP_PORT" != 0 ] && echo "127.0.0.1:$TCP_PORT"; }

port_open() { [ "$TCP_PORT" != 0 ] && (exec 3<>"/dev/tcp/127.0.0.1/$TCP_PORT") 2>/dev/null; }

# Sends zPING over TCP (bash's /dev/tcp) when there is a listener, and through the socket with
# clamdscan (from a config naming only the socket: with the full one it falls back to TCP);
# true when each answers PONG.
ping_clamd() {
  local reply=""
  if [ "$TCP_PORT" != 0 ]; then
    reply="$(
      { exec 3<>"/dev/tcp/127.0.0.1/$TCP_PORT"; } 2>/dev/null || exit 1
      printf 'zPING\0' >&3
      IFS= read -r -t 5 -d '' line <&3 || true
      printf '%s' "${line:-}"
    )" || return 1
    [ "$reply" = PONG ] || return 1
  fi
  if [ -S "$SOCKET" ] && command -v clamdscan >/dev/null; then
    timeout 10 clamdscan --config-file="$DIR/clamdscan-socket.conf" --ping 1 >/dev/null 2>&1 || return 1
  fi
  [ -S "$SOCKET" ]
}

# A process that exists and is not a zombie (a killed clamd lingers as one until it is reaped).
alive() { [ -n "$1" ] && ! [[ "$(ps -o stat= -p "$1" 2>/dev/null || echo Z)" == *Z* ]]; }

pid_alive() { [ -s "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; }

running() { pid_alive && ping_clamd; }

print_endpoints() {
  echo "$SOCKET"
  tcp_addr || true
}

install_clamd() {
  command -v clamd >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: clamd is not installed; as root run: apt-get install clamav-daemon" >&2
    exit 1
  fi
  echo "installing clamav-daemon…" >&2
  # Other scripts may be installing packages at the same time: wait for dpkg's lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq clamav-daemon >&2
  # The package may start the system clamd and freshclam; they are not ours and not needed (and
  # freshclam would only retry the unreachable download).
  if command -v systemctl >/dev/null; then
    local unit
    for unit in clamav-daemon.socket clamav-daemon clamav-freshclam; do
      if systemctl is-active --quiet "$unit" 2>/dev/null; then systemctl stop "$unit" >&2 || true; fi
    done
  fi
}

# Hex of a string, for a body signature.
hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }

write_db() {
  mkdir -p "$DB"
  # The EICAR test string, in two pieces so that no scanner takes this script for the test file.
  local eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR''-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
  # .ndb: Name:TargetType(0 = any file):Offset(* = anywhere):HexSignature
  {
    echo "Maildesk.Test.Marker:0:*:$(hex "$MARKER")"
    echo "Maildesk.Test.EICAR:0:*:$(hex "$eicar")"
  } >"$DB/maildesk-test.ndb.tmp"
  mv "$DB/maildesk-test.ndb.tmp" "$DB/maildesk-test.ndb"
}

write_config() {
  mkdir -p "$DIR/tmp"
  # Others may scan through the socket in it.
  chmod 0755 "$DIR"
  cat >"$CONF.tmp" <<EOF
# Written by scripts/clamd.sh for $(clamd --version | head -n1) — private test instance.
DatabaseDirectory $DB
OfficialDatabaseOnly no
LocalSocket $SOCKET
LocalSocketMode 666
FixStaleSocket yes
$(if [ "$TCP_PORT" != 0 ]; then printf 'TCPSocket %s\nTCPAddr 127.0.0.1\n' "$TCP_PORT"; fi)
PidFile $PIDFILE
TemporaryDirectory $DIR/tmp
LogFile $LOG
LogTime yes
LogClean no
LogVerbose no
Foreground no
StreamMaxLength $STREAM_MAX
# A test database never changes behind our back: no periodic reload checks.
SelfCheck 0
ConcurrentDatabaseReload no
EOF
  mv "$CONF.tmp" "$CONF"
  echo "LocalSocket $SOCKET" >"$DIR/clamdscan-socket.conf"
}

# What the running instance was started from; a change means it must restart.
config_digest() { cat "$CONF" "$DB"/* 2>/dev/null | sha256sum; }

start() {
  mkdir -p "$DIR"
  # Many tests call this at once: one installs and starts clamd, the others wait and find it up.
  exec 9>"$DIR.lock"
  flock -w 900 9 || { echo "error: timed out waiting for $DIR.lock" >&2; exit 1; }
  install_clamd
  write_db
  write_config
  if running; then
    # A newer script may write a different config or database: restart only then.
    if [ "$(config_digest)" = "$(cat "$DIR/started.digest" 2>/dev/null)" ]; then
      print_endpoints
      return 0
    fi
    echo "the clamd config or signatures changed; restarting it…" >&2
    stop
  elif pid_alive; then
    echo "clamd (pid $(cat "$PIDFILE")) runs but does not answer; restarting it…" >&2
    stop
  fi
  if port_open; then
    echo "error: port $TCP_PORT is taken by something else; set MAILDESK_CLAMD_TCP_PORT" >&2
    exit 1
  fi
  config_digest >"$DIR/started.digest"
  rm -f "$PIDFILE"
  echo "starting clamd (loading signatures from $DB; allowing up to ${START_TIMEOUT} s)…" >&2
  local t0=$SECONDS
  # clamd loads the signatures, then daemonizes but keeps the descriptors it was given: a caller
  # reading our output through a pipe (a test harness) would wait for it forever. Give it none.
  # Its exit status is not the daemon's fate: under load the launcher has been seen to exit
  # non-zero while the daemon it forked came up fine. Fail at once only when no daemon runs;
  # otherwise the PING below decides.
  if ! clamd --config-file="$CONF" 9>&- </dev/null >"$DIR/start.out" 2>&1; then
    sleep 1
    if ! pid_alive; then
      echo "error: clamd refused to start:" >&2
      cat "$DIR/start.out" >&2
      tail -20 "$LOG" >&2 2>/dev/null || true
      exit 1
    fi
    echo "clamd's launcher exited with an error, but clamd runs; waiting for it to answer…" >&2
  fi
  local deadline=$((SECONDS + START_TIMEOUT)) next_note=$((SECONDS + 10))
  until ping_clamd; do
    if ((SECONDS > deadline)); then
      echo "error: clamd did not answer PING within ${START_TIMEOUT} s; see $LOG" >&2
      tail -20 "$LOG" >&2 2>/dev/null || true
      exit 1
    fi
    if ((SECONDS >= next_note)); then
      echo "still waiting for clamd ($((SECONDS - t0)) s)…" >&2
      next_note=$((SECONDS + 10))
    fi
    sleep 0.3
  done
  echo "clamd is up after $((SECONDS - t0)) s: $SOCKET$(tcp_addr >/dev/null && echo " and $(tcp_addr)")" >&2
  print_endpoints
}

stop() {
  if pid_alive; then
    local pid
    pid="$(cat "$PIDFILE")"
    kill "$pid"
    local deadline=$((SECONDS + 15))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "$pid"; then
      echo "clamd (pid $pid) ignored SIGTERM for 15 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$SOCKET" "$PIDFILE"
    echo "stopped clamd ($SOCKET)" >&2
  else
    echo "clamd ($DIR) is not running" >&2
  fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status)
  if running; then print_endpoints; else exit 1; fi
  ;;
env)
  echo "MAILDESK_CLAMD_DIR=$DIR"
  echo "MAILDESK_CLAMD_SOCKET=$SOCKET"
  if [ "$TCP_PORT" != 0 ]; then echo "MAILDESK_CLAMD_TCP=127.0.0.1:$TCP_PORT"; fi
  echo "MAILDESK_CLAMD_MARKER=$MARKER"
  echo "MAILDESK_CLAMD_SIGNATURE=$SIGNATURE"
  ;;
*)
  echo "usage: $0 [start|stop|status|env]" >&2
  exit 2
  ;;
esac
