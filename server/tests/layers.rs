//! The layer check: `docs/ARCHITECTURE.md` says which of the server's modules may use which (its
//! code block marked `layers`); this test reads that block and every source file under
//! `server/src`, and fails on a `crate::…` path that reaches into a later layer, or on a module
//! that is in no layer. The document and the code cannot drift apart.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Layer names in order and the modules of each, as the architecture document lists them.
fn layers() -> Vec<(String, Vec<String>)> {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ARCHITECTURE.md");
    let doc = fs::read_to_string(&doc_path).unwrap_or_else(|e| panic!("reading {}: {e}", doc_path.display()));
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("{} has no ```layers block", doc_path.display()));
    block
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, modules)| {
            let modules = modules.split_whitespace().map(str::to_owned).collect();
            (name.trim().to_owned(), modules)
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/mail/imap/fetch.rs` → `mail`), or None for
/// the crate roots.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

/// The top-level modules a source text names through `crate::`: `crate::a::b`, and every item of
/// `crate::{a::b, c}`.
fn uses(text: &str) -> Vec<String> {
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        // `maildesk_crate::…` or a word ending in `crate` is not the keyword.
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            found.push(ident(rest));
            continue;
        };
        // Items at the group's top level (nested braces belong to an item).
        let mut depth = 0;
        let mut item_start = true;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => item_start = true,
                c if item_start && !c.is_whitespace() => {
                    found.push(ident(&group[i..]));
                    item_start = false;
                }
                _ => {}
            }
        }
    }
    found.retain(|m| !m.is_empty() && m != "self");
    found
}

/// Items `lib.rs` re-exports from a module (`pub use startup::Application;`,
/// `pub use error::{AppError, AppResult};`): item name → module.
fn root_reexports(src: &Path) -> BTreeMap<String, String> {
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap_or_else(|e| panic!("reading lib.rs: {e}"));
    let mut items = BTreeMap::new();
    for line in lib.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ").and_then(|p| p.strip_suffix(';')) else {
            continue;
        };
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        let names = rest.trim_start_matches('{').trim_end_matches('}');
        for name in names.split(',') {
            // `Item as Alias` is reached by its alias.
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            items.insert(name.to_owned(), module.to_owned());
        }
    }
    items
}

#[test]
fn every_module_uses_only_its_own_and_earlier_layers() {
    let layers = layers();
    assert!(
        layers.len() >= 2,
        "the ```layers block lists too few layers: {layers:?}"
    );
    let rank: BTreeMap<&str, (usize, &str)> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, (name, modules))| modules.iter().map(move |m| (m.as_str(), (i, name.as_str()))))
        .collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let root_items = root_reexports(&src);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut unplaced = Vec::new();
    let mut crossings = Vec::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else { continue };
        let Some(&(from_rank, from_layer)) = rank.get(module.as_str()) else {
            unplaced.push(module);
            continue;
        };
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        for used in uses(&text) {
            // `crate::Settings` is `settings::Settings`, re-exported at the crate root.
            let used = root_items.get(&used).cloned().unwrap_or(used);
            match rank.get(used.as_str()) {
                Some(&(to_rank, to_layer)) if to_rank > from_rank => crossings.push(format!(
                    "{} ({from_layer}) uses crate::{used} ({to_layer})",
                    file.strip_prefix(&src).unwrap_or(file).display()
                )),
                Some(_) => {}
                None => unplaced.push(used),
            }
        }
    }
    unplaced.sort();
    unplaced.dedup();
    assert!(
        unplaced.is_empty(),
        "modules in no layer of docs/ARCHITECTURE.md's ```layers block: {unplaced:?}"
    );
    assert!(
        crossings.is_empty(),
        "imports against the layers of docs/ARCHITECTURE.md:\n{}",
        crossings.join("\n")
    );
}

#[test]
fn the_scanner_sees_paths_and_groups() {
    let text =
        "use crate::a::b;\nuse crate::{c::d, e, f::{g, h}};\nlet x = crate::i::j(); my_crate::k; use crate::{self};";
    assert_eq!(uses(text), ["a", "c", "e", "f", "i"]);
}
