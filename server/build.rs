//! Embeds the built browser app in the `maildesk` binary, so `maildesk serve` has its app
//! wherever it runs. Reads `frontend/dist` (or `$MAILDESK_APP_DIR`), written by
//! `scripts/build-frontend.sh`; without it (a fresh clone, `cargo clippy` before any frontend
//! build) the binary embeds nothing and says so when it serves.

#[path = "build/naming.rs"]
mod naming;
#[path = "build/pack.rs"]
mod pack;

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    println!("cargo:rerun-if-env-changed=MAILDESK_APP_DIR");
    println!("cargo:rerun-if-changed=build/naming.rs");
    println!("cargo:rerun-if-changed=build/pack.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Relative to the workspace root, like every path the project's scripts print.
    let workspace = manifest_dir.join("..");
    let workspace = workspace.canonicalize().unwrap_or(workspace);
    let app_dir = match std::env::var_os("MAILDESK_APP_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => workspace.join("frontend/dist"),
    };
    let app_dir = app_dir.canonicalize().unwrap_or(app_dir);
    // Cargo re-runs a build script every time a watched path is missing; watching the nearest
    // existing folder instead keeps a clone without a built app from recompiling the server on
    // every build, and still notices the app folder appearing. Only inside the workspace: cargo
    // scans a watched folder whole, and an ancestor of a stray MAILDESK_APP_DIR may be `/`.
    let watched = app_dir
        .ancestors()
        .find(|p| p.exists())
        .and_then(|p| p.canonicalize().ok())
        .filter(|p| p.starts_with(&workspace))
        .unwrap_or_else(|| app_dir.clone());
    println!("cargo:rerun-if-changed={}", watched.display());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let started = Instant::now();
    match pack::pack(&app_dir, &out_dir) {
        Ok(r) if r.files == 0 => println!(
            "cargo:warning=no browser app in {} (run scripts/build-frontend.sh): this maildesk embeds none",
            app_dir.display()
        ),
        // Visible with `cargo build -vv`; the figures the project's notes quote.
        Ok(r) => println!(
            "embedded {} files from {}: {} bytes raw, {} brotli, {} gzip, packed in {:.1} s",
            r.files,
            app_dir.display(),
            r.raw_bytes,
            r.br_bytes,
            r.gz_bytes,
            started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("packing the browser app from {}: {e}", app_dir.display());
            std::process::exit(1);
        }
    }
}
