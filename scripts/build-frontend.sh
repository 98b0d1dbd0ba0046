#!/usr/bin/env bash
# Builds the Maildesk browser app (Leptos, CSR) into frontend/dist:
#   frontend/dist/index.html, frontend/dist/*.css, frontend/dist/*.js (bootstrap, from frontend/public),
#   frontend/dist/pkg/maildesk_frontend{.js,_bg.wasm}
# Building the server afterwards embeds that folder in the maildesk binary (server/build.rs).
# Idempotent; works from any directory and on a fresh machine with rustup and cargo.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/maildesk-target}"
TARGET=wasm32-unknown-unknown
DIST="$ROOT/frontend/dist"

log() { printf '==> %s\n' "$*" >&2; }

# 1. The WebAssembly target.
installed_targets="$(rustup target list --installed)"
if ! grep -qx "$TARGET" <<< "$installed_targets"; then
    log "adding the Rust target $TARGET"
    rustup target add "$TARGET"
fi

# 2. wasm-bindgen CLI, the exact version of the wasm-bindgen crate in Cargo.lock (they must match).
WB_VERSION="$(awk '
    /^\[\[package\]\]/ { in_wb = 0 }
    /^name = "wasm-bindgen"$/ { in_wb = 1; next }
    in_wb && /^version = / { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock)"
if [[ -z "$WB_VERSION" ]]; then
    echo "error: no wasm-bindgen package in Cargo.lock" >&2
    exit 1
fi
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
bindgen_version() { "$1" --version 2>/dev/null | awk '{print $2}' || true; }
WASM_BINDGEN=""
for candidate in "$(command -v wasm-bindgen || true)" "$CARGO_BIN/wasm-bindgen"; do
    if [[ -n "$candidate" && -x "$candidate" && "$(bindgen_version "$candidate")" == "$WB_VERSION" ]]; then
        WASM_BINDGEN="$candidate"
        break
    fi
done
if [[ -z "$WASM_BINDGEN" ]]; then
    log "installing wasm-bindgen-cli $WB_VERSION"
    # --locked uses the CLI's own lockfile; if the registry no longer has one of its pinned
    # versions (yanked), fall back to resolving compatible versions.
    cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked \
        || cargo install wasm-bindgen-cli --version "$WB_VERSION"
    WASM_BINDGEN="$CARGO_BIN/wasm-bindgen"
fi

# 3. Compile. A `[profile.wasm-release]` in the root Cargo.toml (size settings: opt-level "z",
#    lto, codegen-units = 1) is used when present; otherwise the plain release profile.
if grep -qx '\[profile\.wasm-release\]' Cargo.toml; then
    PROFILE=wasm-release
else
    PROFILE=release
fi
log "building maildesk-frontend for $TARGET (profile $PROFILE) in $CARGO_TARGET_DIR"
cargo build -p maildesk-frontend --target "$TARGET" --profile "$PROFILE"

# 4. Generate the JS glue and assemble dist/ (pkg/ is regenerated from scratch).
# Cargo keeps the bin's hyphen (maildesk-frontend.wasm); --out-name gives the names index.html loads.
WASM="$CARGO_TARGET_DIR/$TARGET/$PROFILE/maildesk-frontend.wasm"
[[ -f "$WASM" ]] || WASM="$CARGO_TARGET_DIR/$TARGET/$PROFILE/maildesk_frontend.wasm"
rm -rf "$DIST/pkg"
mkdir -p "$DIST/pkg"
log "running wasm-bindgen $WB_VERSION"
# The name section (function names for stack traces) is a quarter of the file; panics still
# report their message and source location through console_error_panic_hook.
"$WASM_BINDGEN" --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-name maildesk_frontend --out-dir "$DIST/pkg" "$WASM"
cp frontend/index.html "$DIST/index.html"
# The bootstrap scripts index.html loads (files, not inline: the Content-Security-Policy).
cp frontend/public/*.js "$DIST/"
cp style/*.css "$DIST/"

SIZE_BYTES="$(wc -c < "$DIST/pkg/maildesk_frontend_bg.wasm" | tr -d ' ')"
echo "Output: $DIST"
echo "WASM:   $DIST/pkg/maildesk_frontend_bg.wasm ($SIZE_BYTES bytes, $((SIZE_BYTES / 1024)) KiB)"
