#!/usr/bin/env bash
# Prints the path of the Meilisearch server binary the search tests start (one private server
# per test, on its own port and throw-away data folder): MAILDESK_MEILI_BIN, else the one kept
# beside the checkout (../shared/tools/meilisearch/meilisearch) — also beside the checkout a
# local clone was made from. Prints nothing and fails when there is none.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ -n "${MAILDESK_MEILI_BIN:-}" ]; then
  if [ -x "$MAILDESK_MEILI_BIN" ]; then
    echo "$MAILDESK_MEILI_BIN"
    exit 0
  fi
  echo "error: MAILDESK_MEILI_BIN=$MAILDESK_MEILI_BIN is not an executable file" >&2
  exit 2
fi
candidates=()
candidates+=("$REPO_ROOT/../shared/tools/meilisearch/meilisearch")
origin="$(git -C "$REPO_ROOT" config --get remote.origin.url 2>/dev/null || true)"
if [ -n "$origin" ] && [ -d "$origin" ]; then
  candidates+=("$origin/../shared/tools/meilisearch/meilisearch")
fi
for bin in "${candidates[@]}"; do
  if [ -x "$bin" ]; then
    echo "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
    exit 0
  fi
done
exit 1
