//! Reading mail from files: single `.eml` files, mbox files and Maildir folders.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// One mail found on disk, with where it came from (for messages to the user).
pub struct FileMail {
    pub origin: String,
    pub raw: Vec<u8>,
}

/// Every mail under `path`: a file (an mbox when it starts with a `From ` line, else one
/// mail), a Maildir (`cur/` and `new/`), or a folder of such files.
pub fn collect(path: &Path) -> anyhow::Result<Vec<FileMail>> {
    let meta = std::fs::metadata(path).with_context(|| format!("{} cannot be read", path.display()))?;
    if meta.is_file() {
        return read_file(path);
    }
    let mut out = Vec::new();
    if path.join("cur").is_dir() || path.join("new").is_dir() {
        for sub in ["new", "cur"] {
            for file in sorted_files(&path.join(sub))? {
                out.push(FileMail {
                    origin: file.display().to_string(),
                    raw: std::fs::read(&file)?,
                });
            }
        }
        return Ok(out);
    }
    for entry in sorted_entries(path)? {
        if entry.is_dir() {
            out.extend(collect(&entry)?);
        } else if is_mail_file(&entry) {
            out.extend(read_file(&entry)?);
        }
    }
    Ok(out)
}

fn is_mail_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_lowercase();
    !name.starts_with('.')
        && (name.ends_with(".eml") || name.ends_with(".mbox") || name.ends_with(".mbx") || !name.contains('.'))
}

fn read_file(path: &Path) -> anyhow::Result<Vec<FileMail>> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let origin = path.display().to_string();
    if raw.starts_with(b"From ") && split_mbox(&raw).len() > 1 {
        return Ok(split_mbox(&raw)
            .into_iter()
            .enumerate()
            .map(|(i, raw)| FileMail {
                origin: format!("{origin}#{}", i + 1),
                raw,
            })
            .collect());
    }
    Ok(vec![FileMail { origin, raw }])
}

fn sorted_entries(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}

fn sorted_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(vec![]);
    }
    Ok(sorted_entries(dir)?.into_iter().filter(|p| p.is_file()).collect())
}

/// Splits an mboxrd/mboxo file: a message starts at a `From ` line at the start of the file or
/// after a blank line; `>From ` escapes inside messages are undone.
pub fn split_mbox(raw: &[u8]) -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut prev_blank = true;
    for line in raw.split_inclusive(|b| *b == b'\n') {
        let bare = trim_eol(line);
        if prev_blank && is_separator(bare) {
            if let Some(m) = current.take() {
                messages.push(finish(m));
            }
            current = Some(Vec::new());
            prev_blank = false;
            continue;
        }
        prev_blank = bare.is_empty();
        let Some(m) = current.as_mut() else { continue };
        // mboxrd: one level of `>` before `From ` was added on writing.
        let unescaped = if line.starts_with(b">") && line.iter().skip_while(|b| **b == b'>').take(5).eq(b"From ".iter())
        {
            &line[1..]
        } else {
            line
        };
        m.extend_from_slice(unescaped);
    }
    if let Some(m) = current.take() {
        messages.push(finish(m));
    }
    messages
        .into_iter()
        .filter(|m| !m.iter().all(u8::is_ascii_whitespace))
        .collect()
}

/// `From sender Mon Jan  1 00:00:00 2024`: a sender and a date ending in a year. Writers that
/// forgot to escape a body line such as "From the start" are common; that line has no year.
fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let text = String::from_utf8_lossy(rest);
    let mut words = text.split_whitespace();
    let has_sender = words.next().is_some();
    has_sender && words.any(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let Some((last, rest)) = l.split_last() {
        if *last == b'\n' || *last == b'\r' {
            l = rest;
        } else {
            break;
        }
    }
    l
}

/// The blank line that separates messages belongs to the format, not to the message.
fn finish(mut m: Vec<u8>) -> Vec<u8> {
    while m.ends_with(b"\n\n") || m.ends_with(b"\r\n\r\n") {
        m.pop();
        if m.ends_with(b"\r") {
            m.pop();
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_splits_on_from_lines_after_blank_lines_and_unescapes() {
        let mbox = b"From a@example.com Mon Jan  1 00:00:00 2024\nSubject: one\n\nHello\n>From here on\n\nFrom b@example.com Tue Jan  2 00:00:00 2024\nSubject: two\n\nFrom the start\n";
        let msgs = split_mbox(mbox);
        assert_eq!(msgs.len(), 2);
        assert!(String::from_utf8_lossy(&msgs[0]).contains("\nFrom here on"));
        assert!(String::from_utf8_lossy(&msgs[1]).starts_with("Subject: two"));
        assert!(String::from_utf8_lossy(&msgs[1]).contains("From the start"));
    }

    #[test]
    fn maildir_and_folders_are_collected_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("md/cur")).unwrap();
        std::fs::create_dir_all(dir.path().join("md/new")).unwrap();
        std::fs::write(dir.path().join("md/new/1.host"), b"Subject: a\n\nx").unwrap();
        std::fs::write(dir.path().join("md/cur/2.host:2,S"), b"Subject: b\n\nx").unwrap();
        assert_eq!(collect(&dir.path().join("md")).unwrap().len(), 2);
        std::fs::write(dir.path().join("x.eml"), b"Subject: c\n\nx").unwrap();
        assert_eq!(collect(dir.path()).unwrap().len(), 3);
    }
}
