//! `maildesk bench pathological`: hostile mails built in memory (10 MB bodies and attachment,
//! 1,000-deep multipart nesting, 100,000 header lines, a million-line quote) through the whole
//! parse path, each timed against an ordinary mail of the same run. Budget: under a second each.

use std::time::{Duration, Instant};

use base64::Engine;

use super::stats::ms;
use crate::mail::parse_path;

/// What the security issue promises for each of these mails.
const BUDGET: Duration = Duration::from_secs(1);
const TEN_MB: usize = 10 * 1024 * 1024;

const HEAD: &str = "From: Mallory <mallory@example.com>\r\nTo: support@help.example.com\r\n\
Subject: Re: [#42] pathological\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <patho@example.com>\r\nMIME-Version: 1.0\r\n";

/// A line of prose, so text and HTML steps see words rather than one endless token.
const LINE: &str = "The printer on floor 3 jams again since this morning, please help.";

pub struct Case {
    pub name: &'static str,
    pub build: fn() -> Vec<u8>,
}

/// The mails, the ordinary one first; each built only when measured.
pub const CASES: &[Case] = &[
    Case {
        name: "ordinary mail (baseline)",
        build: ordinary,
    },
    Case {
        name: "10 MB plain-text body",
        build: || plain_body(TEN_MB),
    },
    Case {
        name: "10 MB HTML body",
        build: || html_body(TEN_MB),
    },
    Case {
        name: "10 MB attachment (base64)",
        build: || attachment(TEN_MB),
    },
    Case {
        name: "1,000-deep multipart nesting",
        build: || nested(1_000),
    },
    Case {
        name: "100,000 header lines",
        build: || many_headers(100_000),
    },
    Case {
        name: "100,000-line folded References",
        build: || long_references(100_000),
    },
    Case {
        name: "1,000,000-line quote (short lines)",
        build: || quote(1_000_000, "ok"),
    },
    // Lines of prose make it 61 MB, just under the 64 MB an inbound mail may have.
    Case {
        name: "1,000,000-line quote (long lines)",
        build: || quote(1_000_000, LINE),
    },
];

fn ordinary() -> Vec<u8> {
    super::mails::generate(1, 7, "pathological")
        .pop()
        .map(|m| m.raw)
        .unwrap_or_default()
}

fn lines(bytes: usize, prefix: &str, suffix: &str) -> String {
    let line = format!("{prefix}{LINE}{suffix}\r\n");
    line.repeat(bytes / line.len() + 1)
}

pub fn plain_body(bytes: usize) -> Vec<u8> {
    format!(
        "{HEAD}Content-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n{}",
        lines(bytes, "", "")
    )
    .into_bytes()
}

pub fn html_body(bytes: usize) -> Vec<u8> {
    format!(
        "{HEAD}Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>{}</body></html>\r\n",
        lines(
            bytes,
            "<div><p style=\"color:red\" onclick=\"x()\">",
            "<img src=\"cid:a\"></p></div>"
        )
    )
    .into_bytes()
}

pub fn attachment(bytes: usize) -> Vec<u8> {
    let blob: Vec<u8> = (0..bytes)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(blob);
    let wrapped: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "{HEAD}Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"big.bin\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        wrapped.join("\r\n")
    )
    .into_bytes()
}

pub fn nested(depth: usize) -> Vec<u8> {
    let mut raw = String::from(HEAD);
    for i in 0..depth {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nDeep inside.\r\n");
    for i in (0..depth).rev() {
        raw.push_str(&format!("--b{i}--\r\n"));
    }
    raw.into_bytes()
}

pub fn many_headers(count: usize) -> Vec<u8> {
    let mut raw = String::from(HEAD);
    for i in 0..count {
        match i % 4 {
            0 => raw.push_str(&format!(
                "Received: from relay{i}.example.net (relay{i}.example.net [192.0.2.1])\r\n\tby mx.example.com; Mon, 3 Jun 2024 10:00:00 +0000\r\n"
            )),
            1 => raw.push_str(&format!("X-Filler-{i}: =?utf-8?Q?caf=C3=A9?= {LINE}\r\n")),
            2 => raw.push_str(&format!("Subject: again {i}\r\n")),
            _ => raw.push_str(&format!("To: user{i}@example.com\r\n")),
        }
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nHello.\r\n");
    raw.into_bytes()
}

pub fn long_references(count: usize) -> Vec<u8> {
    let mut raw = format!("{HEAD}References: <ref0@example.com>\r\n");
    for i in 1..count {
        raw.push_str(&format!(" <maildesk.{i}.{i}.0123456789abcdef@example.com>\r\n"));
    }
    raw.push_str("In-Reply-To: <ref1@example.com>\r\nContent-Type: text/plain\r\n\r\nHello.\r\n");
    raw.into_bytes()
}

pub fn quote(count: usize, line: &str) -> Vec<u8> {
    let mut raw =
        format!("{HEAD}Content-Type: text/plain; charset=utf-8\r\n\r\nThanks!\r\n\r\nOn Monday Support wrote:\r\n");
    let mut depth = String::from(">");
    for i in 0..count {
        // Quote levels rise and fall, so the splitter sees many level changes, not one block.
        if i % 1000 == 0 {
            depth = ">".repeat(1 + (i / 1000) % 5);
        }
        raw.push_str(&depth);
        raw.push(' ');
        raw.push_str(if i % 7 == 0 { "[ref:md-42-" } else { line });
        raw.push_str("\r\n");
    }
    // One closing bracket at the very end: every unfinished `[ref:md-` marker above may look
    // for its `]` that far.
    raw.push_str("]\r\n");
    raw.into_bytes()
}

/// Runs each case `runs` times and prints its slowest and fastest time; fails when a case's
/// slowest run is over the budget.
pub fn run(runs: usize, only: Option<&str>) -> anyhow::Result<()> {
    let keys = parse_path::fixed_keys();
    let runs = runs.max(1);
    println!(
        "whole parse path (parse → classify → visible text → sanitized HTML → threading keys), {runs} run(s) each"
    );
    println!(
        "{:<38} {:>10} {:>12} {:>12}  result",
        "mail", "size", "slowest", "fastest"
    );
    let mut over = Vec::new();
    for case in CASES.iter().filter(|c| only.is_none_or(|o| c.name.contains(o))) {
        let raw = (case.build)();
        let mut times = Vec::with_capacity(runs);
        let mut outcome = String::new();
        for _ in 0..runs {
            let start = Instant::now();
            let result = parse_path::run(&raw, &keys);
            times.push(start.elapsed());
            outcome = match &result {
                Ok(r) => format!(
                    "ok: {} B text, {} attachment(s), {} threading candidate(s)",
                    r.parsed.text_full.len(),
                    r.parsed.attachments.len(),
                    r.threading.candidates.len()
                ),
                Err(e) => format!("error: {e}"),
            };
            drop(std::hint::black_box(result));
        }
        let slowest = times.iter().max().copied().unwrap_or_default();
        let fastest = times.iter().min().copied().unwrap_or_default();
        println!(
            "{:<38} {:>10} {:>12} {:>12}  {outcome}",
            case.name,
            size(raw.len()),
            ms(slowest),
            ms(fastest)
        );
        if slowest >= BUDGET {
            over.push(case.name);
        }
    }
    if over.is_empty() {
        println!("every mail parsed in under {} s", BUDGET.as_secs());
        Ok(())
    } else {
        anyhow::bail!("over the {} s budget: {}", BUDGET.as_secs(), over.join(", "))
    }
}

fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}
