//! Golden tests of the mail parser: every `tests/mail_corpus/NNN-name.eml` is parsed with the
//! default options and its `ParsedMail` (as pretty JSON; attachment bytes are not part of it)
//! compared with `NNN-name.json` next to it. A mail the parser rejects is recorded as
//! `{"error": "…"}`.
//!
//! - On a mismatch the actual output is written to `NNN-name.actual.json` and the test fails
//!   listing the files, so `diff NNN-name.json NNN-name.actual.json` shows what changed.
//! - `MAILDESK_BLESS=1 cargo test -p maildesk-mail-parse --test mail_golden` writes the `.json` files
//!   instead (review every change before committing it: the expected files must say what a careful
//!   reader of the mail expects, not whatever the code does).

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

use std::fs;
use std::path::{Path, PathBuf};

use mail_parse::{ParseOptions, parse_mail};
use serde_json::{Value, json};

const MIN_CORPUS: usize = 80;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("mail_corpus")
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn actual_json(eml: &Path) -> String {
    let raw = match fs::read(eml) {
        Ok(raw) => raw,
        Err(e) => return format!("{{\"io_error\": {:?}}}\n", e.to_string()),
    };
    let value = match parse_mail(&raw, &ParseOptions::default()) {
        Ok(parsed) => serde_json::to_value(&parsed).unwrap_or_else(|e| json!({ "serialize_error": e.to_string() })),
        Err(e) => json!({ "error": e.to_string() }),
    };
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn sibling(eml: &Path, suffix: &str) -> PathBuf {
    let stem = eml
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    eml.with_file_name(format!("{stem}{suffix}"))
}

#[test]
fn golden_corpus() {
    let bless = std::env::var("MAILDESK_BLESS").is_ok_and(|v| v == "1");
    let files = corpus();
    let mut failures = Vec::new();
    let mut blessed = 0;

    for eml in &files {
        let actual = actual_json(eml);
        let expected_path = sibling(eml, ".json");
        let actual_path = sibling(eml, ".actual.json");
        if bless {
            let unchanged = fs::read_to_string(&expected_path).is_ok_and(|e| e == actual);
            if !unchanged {
                fs::write(&expected_path, &actual)
                    .unwrap_or_else(|e| panic!("writing {}: {e}", expected_path.display()));
                blessed += 1;
            }
            let _ = fs::remove_file(&actual_path);
            continue;
        }
        match fs::read_to_string(&expected_path) {
            Ok(expected) => {
                let same = match (
                    serde_json::from_str::<Value>(&expected),
                    serde_json::from_str::<Value>(&actual),
                ) {
                    (Ok(e), Ok(a)) => e == a,
                    _ => expected == actual,
                };
                if same {
                    let _ = fs::remove_file(&actual_path);
                } else {
                    fs::write(&actual_path, &actual)
                        .unwrap_or_else(|e| panic!("writing {}: {e}", actual_path.display()));
                    failures.push(format!("  diff {} {}", expected_path.display(), actual_path.display()));
                }
            }
            Err(_) => {
                fs::write(&actual_path, &actual).unwrap_or_else(|e| panic!("writing {}: {e}", actual_path.display()));
                failures.push(format!(
                    "  {} has no expected file {} (actual output in {}; MAILDESK_BLESS=1 creates it)",
                    eml.display(),
                    expected_path.display(),
                    actual_path.display()
                ));
            }
        }
    }

    if bless {
        eprintln!(
            "blessed {blessed} of {} expected files in {}",
            files.len(),
            corpus_dir().display()
        );
    }
    assert!(
        files.len() >= MIN_CORPUS,
        "the mail corpus in {} has {} mails; it must have at least {MIN_CORPUS}",
        corpus_dir().display(),
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} corpus mails differ from their expected JSON:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
