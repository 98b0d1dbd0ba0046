#!/usr/bin/env bash
# Headless Chromium and its WebDriver for the browser tests (tests/tests/browser_*.rs) and the
# frontend benchmark. Installs Debian's `chromium` and `chromium-driver` when missing (needs
# root), then prints the chromedriver path. Idempotent; starts nothing: each test process starts
# its own chromedriver on a free port (tests/src/browser.rs), so no daemon outlives the tests.
#
#   scripts/chromium.sh           install if needed; print the chromedriver path
#   scripts/chromium.sh status    exit 0 and print the path when both are installed, 1 otherwise
#
# Environment: MAILDESK_CHROMEDRIVER / MAILDESK_CHROMIUM name other binaries (checked, not
# installed).
set -euo pipefail

find_driver() {
  if [ -n "${MAILDESK_CHROMEDRIVER:-}" ]; then
    [ -x "$MAILDESK_CHROMEDRIVER" ] && echo "$MAILDESK_CHROMEDRIVER"
    return
  fi
  command -v chromedriver || { [ -x /usr/lib/chromium/chromedriver ] && echo /usr/lib/chromium/chromedriver; } || true
}

find_browser() {
  if [ -n "${MAILDESK_CHROMIUM:-}" ]; then
    [ -x "$MAILDESK_CHROMIUM" ] && echo "$MAILDESK_CHROMIUM"
    return
  fi
  command -v chromium || command -v chromium-browser || true
}

installed() { [ -n "$(find_driver)" ] && [ -n "$(find_browser)" ]; }

install() {
  installed && return 0
  if [ -n "${MAILDESK_CHROMEDRIVER:-}${MAILDESK_CHROMIUM:-}" ]; then
    echo "error: MAILDESK_CHROMEDRIVER / MAILDESK_CHROMIUM do not name executables" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: Chromium is not installed; as root run: apt-get install chromium chromium-driver" >&2
    exit 1
  fi
  echo "installing chromium and chromium-driver…" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >&2
  installed || {
    echo "error: chromium-driver was installed but no chromedriver binary was found" >&2
    exit 1
  }
}

case "${1:-install}" in
install)
  # Several test binaries may call this at once: one installs, the others wait and then find it.
  exec 9>/tmp/maildesk-chromium.lock
  flock -w 900 9 || { echo "error: timed out waiting for /tmp/maildesk-chromium.lock" >&2; exit 1; }
  install
  find_driver
  ;;
status)
  if installed; then find_driver; else exit 1; fi
  ;;
*)
  echo "usage: $0 [install|status]" >&2
  exit 2
  ;;
esac
