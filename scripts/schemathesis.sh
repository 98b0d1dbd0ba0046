#!/usr/bin/env bash
# The API contract: Schemathesis (from PyPI) generates requests for every operation of
# /api/v1/openapi.json and checks the answers against the document (no 5xx, only documented
# status codes and content types, bodies matching their schemas). It runs against a real
# server on the embedded defaults (fresh SQLite data dir, loopback port) with an admin token,
# so every operation is reachable. Extra arguments go to `schemathesis run`.
# `scripts/test` runs it with these defaults (fixed seed, 50 examples per operation: about two
# minutes on two cores); SCHEMATHESIS_SEED and SCHEMATHESIS_EXAMPLES change them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

if ! command -v schemathesis >/dev/null 2>&1; then
  python3 -m pip install --quiet 'schemathesis>=4.32,<5'
  # The new command lands in the interpreter's or the user's script folder: make it findable.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
  PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$(python3 -m site --user-base)/bin"
  hash -r
  if ! command -v schemathesis >/dev/null 2>&1; then
    echo "error: schemathesis was installed but its command is not on PATH" >&2
    exit 1
  fi
fi
cargo build --quiet -p maildesk-server --bin maildesk
bin="$CARGO_TARGET_DIR/debug/maildesk"

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
email=admin@schemathesis.test
password="schemathesis-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
log="$data/server.log"
MAILDESK__ADMIN__EMAIL=$email MAILDESK__ADMIN__PASSWORD=$password \
  MAILDESK__HTTP__STATIC_DIR="$REPO_ROOT/frontend/dist" \
  "$bin" --data-dir "$data" serve --bind "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
if ! wait_for_port 127.0.0.1 "$port" "the Maildesk server" "See its log: $log" 60; then
  cat "$log" >&2
  exit 1
fi
base="http://127.0.0.1:$port"
token=$(python3 - "$base" "$email" "$password" <<'PY'
import json, sys, urllib.request
base, email, password = sys.argv[1:4]
req = urllib.request.Request(base + "/api/v1/auth/login", method="POST",
    data=json.dumps({"email": email, "password": password}).encode(),
    headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["access_token"])
PY
)
status=0
schemathesis run "$base/api/v1/openapi.json" \
  --url "$base" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  -H "Authorization: Bearer $token" \
  --workers 2 --max-examples "${SCHEMATHESIS_EXAMPLES:-50}" --seed "${SCHEMATHESIS_SEED:-1}" \
  --generation-database none --no-color \
  "$@" || status=$?
if [ "$status" -ne 0 ]; then
  # A 5xx's cause is logged once, at the edge, long before the run ends.
  echo "--- server errors ---" >&2
  grep -E 'ERROR|panicked' "$log" | tail -n 20 >&2 || true
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$log" >&2
  echo "error: the API does not keep its OpenAPI contract (Schemathesis failures above)" >&2
fi
exit "$status"
