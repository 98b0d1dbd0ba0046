//! Packs the built browser app for embedding: reads its folder, names the files by content
//! (`naming.rs`), writes each one and its brotli and gzip copies to OUT_DIR, and writes the Rust
//! table (`app_assets.rs`) that `src/http/spa_embedded.rs` includes. Compressing here, once per
//! build, lets the server answer with the smallest encoding at no CPU cost per request, and at
//! levels (brotli 11) far too slow to run per request.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::naming::{self, Named, Source};

/// What was embedded, for the build's own log line.
pub struct Report {
    pub files: usize,
    pub raw_bytes: usize,
    pub br_bytes: usize,
    pub gz_bytes: usize,
}

/// One embedded file's copies on disk in OUT_DIR.
struct Packed {
    named: Named,
    identity: PathBuf,
    br: Option<PathBuf>,
    gzip: Option<PathBuf>,
}

/// Packs `app_dir` into `out_dir`; an app without index.html (not built yet) embeds nothing.
pub fn pack(app_dir: &Path, out_dir: &Path) -> Result<Report, String> {
    let table = out_dir.join("app_assets.rs");
    let mut report = Report {
        files: 0,
        raw_bytes: 0,
        br_bytes: 0,
        gz_bytes: 0,
    };
    if !app_dir.join(naming::INDEX).is_file() {
        write_table(&table, app_dir, &[])?;
        return Ok(report);
    }
    let mut sources = Vec::new();
    collect(app_dir, "", &mut sources)?;
    let named = naming::name_all(sources)?;
    let files_dir = out_dir.join("app");
    // A previous build's files (other hashes) would only waste space.
    if files_dir.exists() {
        std::fs::remove_dir_all(&files_dir).map_err(|e| format!("clearing {}: {e}", files_dir.display()))?;
    }
    // Brotli at quality 11 is the slow part: one thread per file (the wasm dominates).
    let packed = std::thread::scope(|scope| {
        let jobs: Vec<_> = named
            .into_iter()
            .map(|n| {
                let dir = &files_dir;
                scope.spawn(move || pack_one(n, dir))
            })
            .collect();
        jobs.into_iter()
            .map(|job| job.join().unwrap_or_else(|_| Err("a packing thread panicked".into())))
            .collect::<Result<Vec<_>, String>>()
    })?;
    for p in &packed {
        report.files += 1;
        report.raw_bytes += p.named.bytes.len();
        report.br_bytes += p.br.as_deref().map_or(p.named.bytes.len(), file_len);
        report.gz_bytes += p.gzip.as_deref().map_or(p.named.bytes.len(), file_len);
    }
    write_table(&table, app_dir, &packed)?;
    Ok(report)
}

/// Every file under `dir` (dot files skipped, as the server never serves them), sorted.
fn collect(dir: &Path, prefix: &str, out: &mut Vec<Source>) -> Result<(), String> {
    let read_err = |e: std::io::Error| format!("reading {}: {e}", dir.display());
    let mut entries = std::fs::read_dir(dir)
        .map_err(read_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_err)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(format!("{}: not a UTF-8 file name", entry.path().display()));
        };
        if name.starts_with('.') {
            continue;
        }
        let path = format!("{prefix}{name}");
        let kind = entry.file_type().map_err(read_err)?;
        if kind.is_dir() {
            collect(&entry.path(), &format!("{path}/"), out)?;
        } else {
            let bytes = std::fs::read(entry.path()).map_err(read_err)?;
            out.push(Source { path, bytes });
        }
    }
    Ok(())
}

fn pack_one(named: Named, dir: &Path) -> Result<Packed, String> {
    let identity = dir.join(&named.served);
    write_file(&identity, &named.bytes)?;
    let (mut br, mut gzip) = (None, None);
    if compressible(&named.served) {
        br = keep_if_smaller(&identity, "br", brotli_11(&named.bytes)?, named.bytes.len())?;
        gzip = keep_if_smaller(&identity, "gz", gzip_best(&named.bytes)?, named.bytes.len())?;
    }
    Ok(Packed {
        named,
        identity,
        br,
        gzip,
    })
}

/// Types worth compressing; images and fonts already are.
fn compressible(path: &str) -> bool {
    matches!(
        naming::extension(path),
        "html" | "js" | "mjs" | "css" | "wasm" | "svg" | "json" | "map" | "txt"
    )
}

/// A compressed copy is kept only when it is smaller: otherwise identity is served.
fn keep_if_smaller(identity: &Path, ext: &str, bytes: Vec<u8>, raw: usize) -> Result<Option<PathBuf>, String> {
    if bytes.len() >= raw {
        return Ok(None);
    }
    let mut name = identity.as_os_str().to_owned();
    name.push(format!(".{ext}"));
    let path = PathBuf::from(name);
    write_file(&path, &bytes)?;
    Ok(Some(path))
}

fn brotli_11(bytes: &[u8]) -> Result<Vec<u8>, String> {
    // The smallest window that spans the whole file (a brotli window holds 2^lgwin - 16 bytes),
    // up to 16 MiB, the largest every browser decodes: back-references reach across all of the
    // multi-megabyte wasm, and small files do not make decoders reserve a big window.
    let lgwin = (16..24).find(|w| (1usize << w) - 16 >= bytes.len()).unwrap_or(24);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| format!("brotli: {e}"))?;
    Ok(out)
}

fn gzip_best(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| format!("gzip: {e}"))?;
    encoder.finish().map_err(|e| format!("gzip: {e}"))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn file_len(path: &Path) -> usize {
    std::fs::metadata(path).map_or(0, |m| m.len() as usize)
}

/// The generated table: one `Asset` per file, its bytes pulled in by `include_bytes!`.
fn write_table(table: &Path, app_dir: &Path, packed: &[Packed]) -> Result<(), String> {
    let mut rs = String::new();
    let _ = writeln!(
        rs,
        "// Generated by server/build.rs (build/pack.rs) from the app folder below; do not edit."
    );
    let _ = writeln!(rs, "pub const APP_DIR: &str = {:?};", app_dir.display().to_string());
    let _ = writeln!(rs, "pub static ASSETS: &[Asset] = &[");
    for p in packed {
        let include = |path: &Path| format!("include_bytes!({:?}) as &[u8]", path.display().to_string());
        let _ = writeln!(rs, "    // {} in the app folder", p.named.path);
        let _ = writeln!(
            rs,
            "    Asset {{ path: {:?}, hashed: {}, hash: {:?}, identity: {}, br: {}, gzip: {} }},",
            p.named.served,
            p.named.served != naming::INDEX,
            // 64 bits of the content hash: the ETags' base.
            &p.named.sha256[..16],
            include(&p.identity),
            p.br.as_deref()
                .map_or("None".into(), |b| format!("Some({})", include(b))),
            p.gzip
                .as_deref()
                .map_or("None".into(), |g| format!("Some({})", include(g))),
        );
    }
    let _ = writeln!(rs, "];");
    std::fs::write(table, rs).map_err(|e| format!("writing {}: {e}", table.display()))
}
