//! A realistic, reproducible mix of support mails for the benchmarks: new requests and
//! replies to them (threaded by In-Reply-To), plain and HTML, 5–50 KB, some with attachments.

use base64::Engine;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TOPICS: &[&str] = &[
    "Cannot log in to the portal",
    "Invoice 2024-118 shows the wrong VAT",
    "VPN disconnects every few minutes",
    "Printer on floor 3 jams",
    "Password reset link expired",
    "Refund for order 55821",
    "Export to CSV misses the last column",
    "Calendar invites arrive twice",
];

const SENTENCES: &[&str] = &[
    "Since this morning the problem happens every time I try again.",
    "I attached a screenshot of the error message for reference.",
    "Our team of twelve people depends on this, so a quick answer would help a lot.",
    "We did not change anything on our side as far as I know.",
    "Could you please tell me whether this is a known issue?",
    "The error code shown is 0x80070005 and it appears right after the login step.",
    "Thanks in advance for looking into this, it is really appreciated.",
    "I tried clearing the cache and using another browser, without success.",
];

/// The support address every generated mail is sent to.
pub const BENCH_ADDRESS: &str = "support@help.example.com";

pub struct BenchMail {
    pub raw: Vec<u8>,
}

fn paragraph(rng: &mut StdRng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 100);
    while s.len() < bytes {
        s.push_str(SENTENCES[rng.random_range(0..SENTENCES.len())]);
        s.push(if rng.random_bool(0.2) { '\n' } else { ' ' });
    }
    s
}

/// `count` mails; about a third answer an earlier one. `run` makes Message-IDs unique per run.
pub fn generate(count: usize, seed: u64, run: &str) -> Vec<BenchMail> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(count);
    let mut authors: Vec<usize> = Vec::with_capacity(count);
    for i in 0..count {
        let size = rng.random_range(5_000..50_000);
        let topic = TOPICS[rng.random_range(0..TOPICS.len())];
        let reply_to = (i > 10 && rng.random_bool(0.35)).then(|| rng.random_range(0..i));
        // A reply comes from whoever wrote the mail it answers, now and then from a
        // colleague at the same client (whose message the requester is then sent).
        let customer = match reply_to {
            Some(r) if rng.random_bool(0.9) => authors[r],
            Some(r) => (authors[r] + 40 * rng.random_range(1..10)) % 400,
            None => rng.random_range(0..400),
        };
        authors.push(customer);
        let mut headers = format!(
            "From: Customer {customer} <customer{customer}@client{}.example>\r\nTo: {BENCH_ADDRESS}\r\n\
             Date: Mon, 3 Jun 2024 10:{:02}:00 +0000\r\nMessage-ID: <bench.{run}.{i}@client.example>\r\nMIME-Version: 1.0\r\n",
            customer % 40,
            i % 60
        );
        match reply_to {
            Some(r) => headers.push_str(&format!(
                "Subject: Re: {topic}\r\nIn-Reply-To: <bench.{run}.{r}@client.example>\r\nReferences: <bench.{run}.{r}@client.example>\r\n"
            )),
            None => headers.push_str(&format!("Subject: {topic}\r\n")),
        }
        let text = paragraph(&mut rng, size * 2 / 3);
        let attach = rng.random_bool(0.15);
        let html = !attach && rng.random_bool(0.4);
        let raw = if attach {
            let blob: Vec<u8> = (0..size / 3).map(|_| rng.random()).collect();
            let b64 = base64::engine::general_purpose::STANDARD.encode(blob);
            let wrapped: Vec<&str> = b64
                .as_bytes()
                .chunks(76)
                .map(|c| std::str::from_utf8(c).unwrap_or(""))
                .collect();
            format!(
                "{headers}Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
                 --b{i}\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b{i}--\r\n",
                wrapped.join("\r\n")
            )
        } else if html {
            format!(
                "{headers}Content-Type: multipart/alternative; boundary=\"a{i}\"\r\n\r\n--a{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
                 --a{i}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><div dir=\"ltr\"><p>{}</p></div></body></html>\r\n--a{i}--\r\n",
                text.replace('\n', "</p><p>")
            )
        } else {
            format!("{headers}Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n")
        };
        out.push(BenchMail { raw: raw.into_bytes() });
    }
    out
}
