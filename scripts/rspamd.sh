#!/usr/bin/env bash
# A private rspamd on loopback for the spam-scoring tests and for trying checks by hand.
# It is not the system rspamd: its config, pid file, databases and log all live in one state dir.
#
#   scripts/rspamd.sh          start it if it is not running (idempotent); prints the port
#   scripts/rspamd.sh stop     stop it
#   scripts/rspamd.sh status   exit 0 and print the port when it runs, exit 1 otherwise
#   scripts/rspamd.sh env      print MAILDESK_RSPAMD_{DIR,URL}=… for tests
#
# One normal worker answers rspamd's HTTP protocol (POST /checkv2) on 127.0.0.1:$PORT; there is
# no controller, proxy or fuzzy worker. The scoring is Debian's stock ruleset (/etc/rspamd) with
# everything that needs the network or Redis turned off: no DNS lookups (RBLs, SPF, DKIM, DMARC,
# ARC, ASN, hfilter, once_received's PTR lookup, phishtank, fuzzy), no remote maps, no Bayes,
# neural, greylisting, ratelimit or reputation. So a check takes about a millisecond offline and
# scores the same every time. DNS is pointed at a closed loopback port: a lookup that is left
# sends nothing off the machine and gives up after 0.2 s.
#
# Test rules (regexp module, on the decoded text parts, case-sensitive):
#   MAILDESKSPAMMARKER     in the body → MAILDESK_TEST_SPAM, score 20 → action "reject"
#   MAILDESKSUSPECTMARKER  in the body → MAILDESK_TEST_SUSPECT, score 7 → action "add header"
# Actions: reject at 15, add header at 6, no greylist or rewrite subject; a plain, well-formed
# mail scores near 0 ("no action").
#
# Try it: curl --data-binary @mail.eml http://127.0.0.1:11433/checkv2
#
# Environment: MAILDESK_RSPAMD_DIR (default /tmp/maildesk-rspamd), MAILDESK_RSPAMD_PORT (default
# 11433: not rspamd's usual 11333, so a system rspamd may run beside it). Installs Debian's rspamd
# when missing (needs root). As root, its workers run as the package's _rspamd user (rspamd refuses
# to run workers as root; the main process stays root), so the state dir is handed to that user.
# The first start on a machine compiles rspamd's URL and regexp databases (Hyperscan, ~25 s on
# 2 cores); they are cached in $DIR/db, and later starts take ~2 s.
set -euo pipefail

DIR="${MAILDESK_RSPAMD_DIR:-/tmp/maildesk-rspamd}"
PORT="${MAILDESK_RSPAMD_PORT:-11433}"
CONF="$DIR/rspamd.conf"
LOCAL="$DIR/conf" # rspamd's LOCAL_CONFDIR: our local.d/ and override.d/
PIDFILE="$DIR/run/rspamd.pid"
LOG="$DIR/rspamd.log"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

running() {
  [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && port_open
}

# Ready means a check goes through: the port itself is bound by the main process before any
# worker can answer. The probe also pays the worker's one-time warm-up (~0.2 s on the first check).
probe_ok() {
  local mail=$'From: probe@localhost\r\nSubject: probe\r\n\r\nprobe\r\n' reply
  reply="$({ exec 3<>"/dev/tcp/127.0.0.1/$PORT" &&
    printf 'POST /checkv2 HTTP/1.0\r\nContent-Length: %d\r\n\r\n%s' "${#mail}" "$mail" >&3 &&
    timeout 5 cat <&3; } 2>/dev/null)" || return 1
  [[ "$reply" == *'"action"'* ]]
}

install_rspamd() {
  command -v rspamd >/dev/null && [ -f /etc/rspamd/common.conf ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: rspamd is not installed; as root run: apt-get install rspamd" >&2
    exit 1
  fi
  echo "installing rspamd…" >&2
  # Other scripts may be installing packages at the same time: wait for dpkg's lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq rspamd >&2
  # The package may start the system instance; it is not ours and not needed.
  if command -v systemctl >/dev/null && systemctl is-active --quiet rspamd 2>/dev/null; then
    systemctl stop rspamd >&2 || true
  fi
}

# Who the daemon runs as: root hands it to the package's user, anyone else runs it as themselves.
run_user() {
  if [ "$(id -u)" -eq 0 ]; then
    getent passwd _rspamd >/dev/null && echo _rspamd || echo nobody
  else
    id -un
  fi
}

# What the running instance was configured from; a change means it must reload.
config_digest() {
  { cat "$CONF" "$LOCAL"/local.d/* "$LOCAL"/override.d/* 2>/dev/null || true; } | sha256sum
}

write_config() {
  local version user
  version="$(rspamd --version 2>/dev/null | awk '{print $NF}')"
  user="$(run_user)"
  mkdir -p "$DIR/run" "$DIR/db" "$LOCAL/local.d" "$LOCAL/override.d"
  chmod 0755 "$DIR"
  # Debian's stock config (CONFDIR=/etc/rspamd), like its rspamd.conf and common.conf but with
  # only the normal worker and without statistic.conf (Bayes wants Redis). Our LOCAL_CONFDIR,
  # DBDIR, RUNDIR and LOGDIR are given on the command line (--var), see start().
  cat >"$CONF" <<EOF
# Written by scripts/rspamd.sh for rspamd $version — private test instance.
lua = "\$RULESDIR/rspamd.lua"
.include "\$CONFDIR/metrics.conf"
.include "\$CONFDIR/actions.conf"
.include "\$CONFDIR/groups.conf"
.include "\$CONFDIR/composites.conf"
.include "\$CONFDIR/modules.conf"
.include "\$CONFDIR/settings.conf"
modules {
  path = "\${PLUGINSDIR}";
}
options {
  pidfile = "\$RUNDIR/rspamd.pid";
  .include "\$CONFDIR/options.inc"
  .include(priority=10) "\$LOCAL_CONFDIR/override.d/options.inc"
}
logging {
  type = "file";
  filename = "\$LOGDIR/rspamd.log";
  .include "\$CONFDIR/logging.inc"
}
worker "normal" {
  bind_socket = "127.0.0.1:$PORT";
  .include "\$CONFDIR/worker-normal.inc"
  count = 1;
}
EOF
  cat >"$LOCAL/override.d/options.inc" <<'EOF'
# No DKIM check (DNS) and no fuzzy hashes (rspamd.com's servers): only the offline C filters.
filters = "chartable,regexp";
# Every DNS query goes to a closed loopback port: refused at once, never a wait or real traffic.
dns {
  nameserver = ["127.0.0.1:1"];
  timeout = 0.2s;
  retransmits = 1;
}
# Nothing to fetch: the modules whose maps name a URL are off, or read local files instead
# (mime_types.conf, mid.conf in this directory).
map_watch_interval = 1h;
EOF
  cat >"$LOCAL/local.d/actions.conf" <<'EOF'
reject = 15;
add_header = 6;
rewrite_subject = null;
greylist = null;
EOF
  cat >"$LOCAL/local.d/regexp.conf" <<'EOF'
# Maildesk's test markers: a word in any decoded text part (plain or HTML, any transfer encoding).
MAILDESK_TEST_SPAM {
  re = "/MAILDESKSPAMMARKER/{mime}";
  score = 20.0;
  description = "Maildesk test: spam marker word in the body";
  group = "maildesk_test";
  one_shot = true;
}
MAILDESK_TEST_SUSPECT {
  re = "/MAILDESKSUSPECTMARKER/{mime}";
  score = 7.0;
  description = "Maildesk test: suspect marker word in the body";
  group = "maildesk_test";
  one_shot = true;
}
EOF
  # Modules that look things up over the network (DNS, HTTP, rspamd.com's maps) or keep state in
  # Redis: off. The remaining stock rules (headers, MIME structure, HTML, URLs, subject…) stay.
  local m
  for m in arc asn bimi dkim dkim_signing dmarc emails greylist hfilter history_redis multimap \
    mx_check neural once_received phishing ratelimit rbl replies reputation rspamd_update \
    spamassassin spf url_redirector whitelist; do
    echo "enabled = false;" >"$LOCAL/override.d/$m.conf"
  done
  # Useful offline modules whose first map source is a URL: local files only.
  echo 'file = ["/etc/rspamd/maps.d/mime_types.inc"];' >"$LOCAL/override.d/mime_types.conf"
  echo 'source { url = ["/etc/rspamd/maps.d/mid.inc"]; }' >"$LOCAL/override.d/mid.conf"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$user:$(id -gn "$user")" "$DIR/run" "$DIR/db"
    touch "$LOG" && chown "$user:$(id -gn "$user")" "$LOG"
  fi
}

rspamd_args() {
  local args=(-c "$CONF" --var="LOCAL_CONFDIR=$LOCAL" --var="DBDIR=$DIR/db" --var="RUNDIR=$DIR/run"
    --var="LOGDIR=$DIR")
  if [ "$(id -u)" -eq 0 ]; then
    local user
    user="$(run_user)"
    args+=(-u "$user" -g "$(id -gn "$user")")
  fi
  printf '%s\n' "${args[@]}"
}

check_config() {
  # rspamadm takes --var before the command; both take it as --var=NAME=VALUE only.
  if ! rspamadm --var="LOCAL_CONFDIR=$LOCAL" --var="DBDIR=$DIR/db" --var="RUNDIR=$DIR/run" \
    --var="LOGDIR=$DIR" configtest -c "$CONF" >"$DIR/configtest.out" 2>&1; then
    echo "error: the generated rspamd config is invalid:" >&2
    cat "$DIR/configtest.out" >&2
    exit 1
  fi
}

wait_ready() {
  local deadline=$((SECONDS + ${1:-30}))
  until probe_ok; do
    if ((SECONDS > deadline)); then
      echo "error: rspamd did not answer on 127.0.0.1:$PORT; see $LOG" >&2
      tail -20 "$LOG" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

start() {
  mkdir -p "$DIR"
  # Many tests call this at once: one installs and starts rspamd, the others wait and find it.
  exec 9>"$DIR.lock"
  flock -w 600 9 || { echo "error: timed out waiting for $DIR.lock" >&2; exit 1; }
  install_rspamd
  if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && ! port_open; then
    # Ours, but listening elsewhere (MAILDESK_RSPAMD_PORT changed): restart it on this port.
    stop
  fi
  if running; then
    # A newer script may write a different config: reload only then (HUP: the main process
    # rereads it and replaces its workers; checks in flight finish on the old ones).
    local before
    before="$(config_digest)"
    write_config
    if [ "$before" != "$(config_digest)" ]; then
      check_config
      kill -HUP "$(cat "$PIDFILE")"
      sleep 1
      wait_ready 30
    fi
    echo "$PORT"
    return 0
  fi
  if port_open; then
    echo "error: port $PORT is taken by something else; set MAILDESK_RSPAMD_PORT" >&2
    exit 1
  fi
  write_config
  check_config
  local args
  mapfile -t args < <(rspamd_args)
  # The main process daemonizes but keeps the descriptors it was given: a caller reading our
  # output through a pipe (a test harness) would wait for it forever. Give it none of ours.
  if ! rspamd "${args[@]}" 9>&- </dev/null >"$DIR/start.out" 2>&1; then
    echo "error: rspamd refused to start:" >&2
    cat "$DIR/start.out" >&2
    tail -20 "$LOG" >&2 2>/dev/null || true
    exit 1
  fi
  wait_ready 30
  echo "$PORT"
}

stop() {
  if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    local pid
    pid="$(cat "$PIDFILE")"
    kill "$pid"
    local deadline=$((SECONDS + 10))
    while { kill -0 "$pid" 2>/dev/null || port_open; } && ((SECONDS < deadline)); do sleep 0.2; done
    echo "stopped rspamd on port $PORT" >&2
  else
    echo "rspamd ($DIR) is not running" >&2
  fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status)
  if running; then echo "$PORT"; else exit 1; fi
  ;;
env)
  echo "MAILDESK_RSPAMD_DIR=$DIR"
  echo "MAILDESK_RSPAMD_URL=http://127.0.0.1:$PORT"
  ;;
*)
  echo "usage: $0 [start|stop|status|env]" >&2
  exit 2
  ;;
esac
