//! Content-hashed names for the embedded browser app, and the rewriting of every reference to
//! them inside the app's text files. Pure (bytes in, bytes out) so that the server library's unit
//! tests compile this same file (`src/http/spa_embedded.rs`) beside `build.rs`, which uses it.
//!
//! A file's hash covers its bytes *after* its own references were rewritten, so a file is named
//! only once every file it references has its final name: leaves first (the wasm, the CSS),
//! then the JS glue that loads the wasm, then boot.js that imports the glue, index.html last.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

/// The page every route loads: browsers revalidate it, so it keeps its name.
pub const INDEX: &str = "index.html";

/// One file of the built app, `path` relative to the app's folder with `/` separators.
pub struct Source {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A file as it is embedded and served.
#[derive(Debug)]
pub struct Named {
    /// The name it had in the app's folder.
    pub path: String,
    /// The name it is served under (`index.html`, or the path with a hash before the extension).
    pub served: String,
    /// Its bytes with every reference to another file of the app renamed.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256: String,
}

/// Hex digits of the hash put in a file name: 32 bits tell builds of one file apart.
const NAME_HASH_LEN: usize = 8;

/// Names every file and rewrites the references between them, in dependency order.
/// A reference cycle (a.js names b.js, b.js names a.js) cannot be content-hashed: an error.
pub fn name_all(files: Vec<Source>) -> Result<Vec<Named>, String> {
    let paths: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let mut pending: BTreeMap<String, (Vec<u8>, BTreeSet<String>)> = BTreeMap::new();
    for file in files {
        let deps = references(&file.path, &file.bytes, &paths);
        pending.insert(file.path, (file.bytes, deps));
    }
    let mut served: BTreeMap<String, String> = BTreeMap::new();
    let mut done = Vec::new();
    while !pending.is_empty() {
        let ready: Vec<String> = pending
            .iter()
            .filter(|(_, (_, deps))| deps.iter().all(|d| served.contains_key(d)))
            .map(|(path, _)| path.clone())
            .collect();
        if ready.is_empty() {
            let stuck: Vec<&String> = pending.keys().collect();
            return Err(format!("the app's files reference each other in a cycle: {stuck:?}"));
        }
        for path in ready {
            let Some((bytes, _)) = pending.remove(&path) else {
                continue;
            };
            let bytes = rewrite(&path, bytes, &served);
            let sha256 = hex(&Sha256::digest(&bytes));
            let name = served_name(&path, &sha256);
            served.insert(path.clone(), name.clone());
            done.push(Named {
                path,
                served: name,
                bytes,
                sha256,
            });
        }
    }
    Ok(done)
}

/// `pkg/app_bg.wasm` → `pkg/app_bg-1a2b3c4d.wasm`; index.html stays as it is.
pub fn served_name(path: &str, sha256: &str) -> String {
    if path == INDEX {
        return path.to_owned();
    }
    let hash = &sha256[..NAME_HASH_LEN.min(sha256.len())];
    let (dir, file) = path.rsplit_once('/').map_or(("", path), |(d, f)| (d, f));
    let renamed = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{hash}.{ext}"),
        _ => format!("{file}-{hash}"),
    };
    if dir.is_empty() {
        renamed
    } else {
        format!("{dir}/{renamed}")
    }
}

/// Files whose text may name other files of the app (the wasm and images are not scanned).
pub fn is_text(path: &str) -> bool {
    matches!(
        extension(path),
        "html" | "js" | "mjs" | "css" | "json" | "svg" | "map" | "txt"
    )
}

pub fn extension(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.').map_or("", |(_, ext)| ext)
}

/// The other files of the app that `path`'s text references.
fn references(path: &str, bytes: &[u8], paths: &BTreeSet<String>) -> BTreeSet<String> {
    let Some(text) = text_of(path, bytes) else {
        return BTreeSet::new();
    };
    paths
        .iter()
        .filter(|target| *target != path && *target != INDEX)
        .filter(|target| !find_references(text, path, target).is_empty())
        .cloned()
        .collect()
}

/// `bytes` with each reference to an already named file replaced by its served name.
fn rewrite(path: &str, bytes: Vec<u8>, served: &BTreeMap<String, String>) -> Vec<u8> {
    let Some(text) = text_of(path, &bytes) else {
        return bytes;
    };
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for (target, name) in served {
        let new_file = name.rsplit('/').next().unwrap_or(name);
        edits.extend(
            find_references(text, path, target)
                .into_iter()
                .map(|(s, e)| (s, e, new_file)),
        );
    }
    if edits.is_empty() {
        return bytes;
    }
    edits.sort_unstable();
    let mut out = String::with_capacity(text.len() + edits.len() * (NAME_HASH_LEN + 1));
    let mut at = 0;
    for (start, end, new_file) in edits {
        out.push_str(&text[at..start]);
        out.push_str(new_file);
        at = end;
    }
    out.push_str(&text[at..]);
    out.into_bytes()
}

fn text_of<'a>(path: &str, bytes: &'a [u8]) -> Option<&'a str> {
    if is_text(path) {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// Byte ranges of `target`'s file name in each whole reference to `target` within `text` (a
/// file at `from`). A reference is a quoted or `url(…)`-wrapped run of path characters, absolute
/// (`"/pkg/x.js"`) or relative to `from`'s folder (`'x.js'`, `"./x.js"`, `url(../x.png)`), that
/// resolves to exactly `target`: so `'./app_bg.js'` never matches `app.js`, `"cdn/app.js"` never
/// matches `app.js`, and prose naming a file (a comment saying "see app.css") stays as it is,
/// so it ties no file's hash to another's.
fn find_references(text: &str, from: &str, target: &str) -> Vec<(usize, usize)> {
    let file = target.rsplit('/').next().unwrap_or(target);
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for (start, _) in text.match_indices(file) {
        let end = start + file.len();
        if !bytes
            .get(end)
            .is_some_and(|&b| matches!(b, b'"' | b'\'' | b'`' | b')' | b'?' | b'#'))
        {
            continue;
        }
        let mut token_start = start;
        while token_start > 0 && is_path_byte(bytes[token_start - 1]) {
            token_start -= 1;
        }
        let before = &text[..token_start];
        let opened = before.ends_with(['"', '\'', '`']) || before.ends_with("url(");
        if opened && resolve(from, &text[token_start..end]).as_deref() == Some(target) {
            found.push((start, end));
        }
    }
    found
}

fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')
}

/// The app path a reference names, or `None` for one leaving the app (`//host/…`, `../` at the top).
fn resolve(from: &str, reference: &str) -> Option<String> {
    if reference.starts_with("//") {
        return None;
    }
    let mut segments: Vec<&str> = Vec::new();
    let rest = if let Some(absolute) = reference.strip_prefix('/') {
        absolute
    } else {
        segments.extend(
            from.rsplit_once('/')
                .map(|(dir, _)| dir.split('/'))
                .into_iter()
                .flatten(),
        );
        reference
    };
    for segment in rest.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            s => segments.push(s),
        }
    }
    Some(segments.join("/"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(path: &str, text: &str) -> Source {
        Source {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn by_path<'a>(named: &'a [Named], path: &str) -> &'a Named {
        named.iter().find(|n| n.path == path).unwrap()
    }

    fn text(n: &Named) -> &str {
        std::str::from_utf8(&n.bytes).unwrap()
    }

    /// The real app's shape: index.html → boot.js → glue → wasm, plus a stylesheet.
    fn app() -> Vec<Source> {
        vec![
            src(
                "index.html",
                r#"<link rel="stylesheet" href="/app.css"><link rel="modulepreload" href="/pkg/app.js"><link rel="preload" href="/pkg/app_bg.wasm"><script type="module" src="/boot.js"></script>"#,
            ),
            src("boot.js", "import init from '/pkg/app.js';\ninit();"),
            src(
                "pkg/app.js",
                "const imports = { './app_bg.js': x };\nmodule_or_path = new URL('app_bg.wasm', import.meta.url);",
            ),
            Source {
                path: "pkg/app_bg.wasm".into(),
                bytes: vec![0, 97, 115, 109, 1],
            },
            src("app.css", "body { color: red }"),
        ]
    }

    #[test]
    fn every_file_but_index_gets_a_hashed_name_and_references_follow_it() {
        let named = name_all(app()).unwrap();
        let index = by_path(&named, "index.html");
        assert_eq!(index.served, "index.html");
        let wasm = by_path(&named, "pkg/app_bg.wasm");
        let glue = by_path(&named, "pkg/app.js");
        let boot = by_path(&named, "boot.js");
        let css = by_path(&named, "app.css");
        assert_eq!(wasm.served, format!("pkg/app_bg-{}.wasm", &wasm.sha256[..8]));
        assert!(text(glue).contains(&format!("new URL('app_bg-{}.wasm'", &wasm.sha256[..8])));
        // The wasm's import module name is not a file of the app: untouched.
        assert!(text(glue).contains("'./app_bg.js'"));
        assert!(text(boot).contains(&format!("from '/{}'", glue.served)));
        for n in [wasm, glue, boot, css] {
            assert!(
                text(index).contains(&format!("\"/{}\"", n.served)),
                "{}: {}",
                n.served,
                text(index)
            );
        }
        assert!(!text(index).contains("/app.css\"") && !text(index).contains("/boot.js\""));
    }

    #[test]
    fn a_changed_leaf_renames_every_file_that_leads_to_it() {
        let before = name_all(app()).unwrap();
        let mut changed = app();
        changed[3].bytes.push(0);
        let after = name_all(changed).unwrap();
        for path in ["pkg/app_bg.wasm", "pkg/app.js", "boot.js"] {
            assert_ne!(by_path(&before, path).served, by_path(&after, path).served, "{path}");
        }
        assert_eq!(by_path(&before, "app.css").served, by_path(&after, "app.css").served);
        assert_ne!(
            by_path(&before, "index.html").sha256,
            by_path(&after, "index.html").sha256
        );
    }

    #[test]
    fn references_resolve_against_the_referring_file_and_need_whole_names() {
        let files = vec![
            src(
                "a.js",
                r#""x.js" './x.js' `/x.js` url(x.js) "x.js?v=1" "prefix-x.js" "cdn/x.js" "//host/x.js" "x.json" "pkg/../x.js""#,
            ),
            src("x.js", "1"),
            src("pkg/b.js", "'../x.js' 'x.js'"),
            src("c.css", "/* colours from x.js and (x.js) */"),
        ];
        let named = name_all(files).unwrap();
        let x = &by_path(&named, "x.js").served;
        assert_eq!(
            text(by_path(&named, "a.js")),
            format!(
                r#""{x}" './{x}' `/{x}` url({x}) "{x}?v=1" "prefix-x.js" "cdn/x.js" "//host/x.js" "x.json" "pkg/../{x}""#
            )
        );
        // From pkg/, `x.js` would be pkg/x.js, which does not exist.
        assert_eq!(text(by_path(&named, "pkg/b.js")), format!("'../{x}' 'x.js'"));
        // Prose is not a reference (the last one is not opened by a quote or `url(`).
        assert_eq!(text(by_path(&named, "c.css")), "/* colours from x.js and (x.js) */");
    }

    #[test]
    fn a_reference_cycle_is_an_error() {
        let err = name_all(vec![src("a.js", "import '/b.js'"), src("b.js", "import '/a.js'")]).unwrap_err();
        assert!(err.contains("cycle"), "{err}");
    }

    #[test]
    fn names_keep_folder_and_extension() {
        let h = "0123456789abcdef";
        assert_eq!(served_name("pkg/x_bg.wasm", h), "pkg/x_bg-01234567.wasm");
        assert_eq!(served_name("a.min.css", h), "a.min-01234567.css");
        assert_eq!(served_name("LICENSE", h), "LICENSE-01234567");
        assert_eq!(served_name("index.html", h), "index.html");
    }
}
