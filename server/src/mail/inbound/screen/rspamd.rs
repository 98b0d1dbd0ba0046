//! Spam scoring by rspamd: one async call that hands a raw mail, with what we know of the SMTP
//! envelope, to rspamd's normal worker (`POST /checkv2`, its HTTP protocol) and turns the JSON
//! reply into a short [`SpamReport`]: the score, rspamd's recommended action, and the symbols that
//! scored. This module owns that wire format and nothing else: whether rspamd is configured, what
//! a verdict does to the mail (junk quarantine, a tag and flag for agents) and how admins see it
//! belong to the callers. An error says whether rspamd could not be asked
//! ([`SpamError::Unavailable`]: worth a retry, or letting the mail through unscored) or answered
//! something that is not a check result ([`SpamError::Protocol`]).
//!
//! `scripts/rspamd.sh` runs a private rspamd on loopback with marker-word rules to test against.

use std::collections::HashMap;
use std::error::Error as _;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};

/// At most this many symbols are kept in a report: the ones that weigh most.
pub const MAX_SYMBOLS: usize = 30;

/// rspamd's replies are a few KiB; anything this large is not one.
const MAX_REPLY_BYTES: usize = 4 << 20;

/// How much of an error reply is quoted in a [`SpamError`].
const MAX_QUOTED_CHARS: usize = 200;

/// What we know of the SMTP session a mail came in by, for rspamd's envelope-based rules. Each
/// known part goes as one of rspamd's request headers (`IP`, `Helo`, `From`, `Rcpt`); an unknown
/// one is left out, and so is a value that cannot be an HTTP header (a control character).
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// The address of the client that handed the mail to us (rspamd's `IP` header). `None` when we
    /// do not know it, e.g. for mail fetched over IMAP or POP3: then no `IP` header is sent at all.
    /// rspamd documents `IP` as the address the message was received from and, without it, marks
    /// the task as having no IP (`RSPAMD_TASK_FLAG_NO_IP`): it does not fall back to the peer of
    /// our HTTP connection (loopback, which its rules would take for local, trusted mail), and
    /// rules on the sender's address (RBLs, SPF, the PTR check) have nothing to look at instead of
    /// judging our own host. That is the honest "unknown"; sending 127.0.0.1 or `Pass: all`
    /// instead would either exempt the mail from checks or force checks on a made-up address.
    pub ip: Option<IpAddr>,
    /// The client's SMTP `HELO`/`EHLO` name.
    pub helo: Option<&'a str>,
    /// The SMTP `MAIL FROM` address (the envelope sender, not the mail's `From:` header);
    /// `Some("")` is the null sender of a bounce and goes as `<>`.
    pub mail_from: Option<&'a str>,
    /// The SMTP `RCPT TO` addresses, one `Rcpt` header each.
    pub rcpt: &'a [String],
}

/// rspamd's verdict on one mail, short enough to store with the message and show to admins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpamReport {
    /// The mail's score: the sum of its symbols' scores.
    pub score: f64,
    /// rspamd's `required_score`: the score at which it recommends rejecting.
    pub required_score: f64,
    /// rspamd's recommended action, as it spells it: `no action`, `greylist`, `add header`,
    /// `rewrite subject`, `soft reject` or `reject`.
    pub action: String,
    /// The symbols that scored (zero-score ones are left out), highest score first, at most
    /// [`MAX_SYMBOLS`]: when there are more, the ones with the largest absolute score stay, so a
    /// large negative (e.g. a whitelist) that explains a low score is kept too.
    pub symbols: Vec<SpamSymbol>,
}

/// One rule that matched, with what it added to the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpamSymbol {
    pub name: String,
    pub score: f64,
    /// rspamd's one-line explanation of the rule, when it has one.
    pub description: Option<String>,
}

impl SpamReport {
    /// rspamd would reject this mail: spam, for the junk quarantine.
    pub fn is_reject(&self) -> bool {
        self.action == "reject"
    }

    /// rspamd would deliver this mail marked as probable spam (a spam header or a rewritten
    /// subject): to tag and flag for agents. `greylist` and `soft reject` are neither: they ask
    /// the sender to come back later, which means nothing to mail that has already arrived.
    pub fn is_add_header(&self) -> bool {
        matches!(self.action.as_str(), "add header" | "rewrite subject")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SpamError {
    /// rspamd could not be asked: no connection, no answer in time, or a server error (5xx).
    #[error("rspamd is unavailable: {0}")]
    Unavailable(String),
    /// rspamd (or whatever answers at its address) replied with something that is not a check
    /// result: not JSON, fields missing, a refused request (4xx), a reply far too large.
    #[error("rspamd sent an unusable reply: {0}")]
    Protocol(String),
}

/// Asks rspamd at `base_url` (e.g. `http://127.0.0.1:11333`, its normal worker) to score `raw`,
/// a whole mail as received. `timeout` bounds the whole exchange, connecting to reading the reply.
pub async fn check(
    http: &reqwest::Client,
    base_url: &str,
    raw: &[u8],
    hints: &Hints<'_>,
    timeout: Duration,
) -> Result<SpamReport, SpamError> {
    let url = format!("{}/checkv2", base_url.trim_end_matches('/'));
    let started = Instant::now();
    let request = with_hints(http.post(&url), hints).timeout(timeout).body(raw.to_vec());
    let response = request.send().await.map_err(|e| unavailable(&url, timeout, &e))?;
    let status = response.status();
    let body = read_capped(response, &url, timeout).await?;
    if status.is_server_error() {
        return Err(SpamError::Unavailable(format!(
            "{url} answered {status}: {}",
            quote_error(&body)
        )));
    }
    if !status.is_success() {
        return Err(SpamError::Protocol(format!(
            "{url} answered {status}: {}",
            quote_error(&body)
        )));
    }
    let report = parse_reply(&body)?;
    tracing::debug!(
        score = report.score,
        action = %report.action,
        symbols = report.symbols.len(),
        elapsed = ?started.elapsed(),
        "rspamd check"
    );
    Ok(report)
}

fn with_hints(mut request: reqwest::RequestBuilder, hints: &Hints<'_>) -> reqwest::RequestBuilder {
    if let Some(ip) = hints.ip {
        // An IPv4 client seen on an IPv6 socket (::ffff:192.0.2.1) is an IPv4 client to rspamd.
        request = request.header("IP", ip.to_canonical().to_string());
    }
    if let Some(helo) = hints.helo.and_then(header_value) {
        request = request.header("Helo", helo);
    }
    let mail_from = hints
        .mail_from
        .map(|from| if from.trim().is_empty() { "<>" } else { from });
    if let Some(mail_from) = mail_from.and_then(header_value) {
        request = request.header("From", mail_from);
    }
    for rcpt in hints.rcpt.iter().filter_map(|rcpt| header_value(rcpt)) {
        request = request.header("Rcpt", rcpt);
    }
    request
}

/// A hint as a header value, or `None` when it is empty or cannot be one (CR, LF, NUL…: a hint
/// comes from a remote SMTP client and could try to smuggle a header of its own).
fn header_value(text: &str) -> Option<HeaderValue> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match HeaderValue::from_bytes(text.as_bytes()) {
        Ok(value) => Some(value),
        Err(_) => {
            tracing::debug!(hint = %text.escape_debug(), "rspamd hint is not a valid header value; left out");
            None
        }
    }
}

async fn read_capped(mut response: reqwest::Response, url: &str, timeout: Duration) -> Result<Vec<u8>, SpamError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unavailable(url, timeout, &e))? {
        if body.len() + chunk.len() > MAX_REPLY_BYTES {
            return Err(SpamError::Protocol(format!(
                "{url} sent a reply of over {MAX_REPLY_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn unavailable(url: &str, timeout: Duration, error: &reqwest::Error) -> SpamError {
    if error.is_timeout() {
        return SpamError::Unavailable(format!("{url} did not answer within {timeout:?}"));
    }
    // reqwest's own message is "error sending request for url (…)"; the causes say what happened.
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let what = if causes.is_empty() {
        error.to_string()
    } else {
        causes.join(": ")
    };
    SpamError::Unavailable(format!("{url}: {what}"))
}

/// An error reply, for a message: rspamd's `{"error": "…"}` text, or the start of the body.
fn quote_error(body: &[u8]) -> String {
    let text = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|reply| reply.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
    if text.is_empty() {
        return "(no body)".to_owned();
    }
    text.chars().take(MAX_QUOTED_CHARS).collect()
}

/// The parts of a `/checkv2` reply that we keep; rspamd sends more (urls, emails, milter, …).
#[derive(Deserialize)]
struct CheckReply {
    score: f64,
    #[serde(default)]
    required_score: f64,
    action: String,
    #[serde(default)]
    symbols: HashMap<String, ReplySymbol>,
}

#[derive(Deserialize)]
struct ReplySymbol {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    score: f64,
    #[serde(default)]
    description: Option<String>,
}

fn parse_reply(body: &[u8]) -> Result<SpamReport, SpamError> {
    let reply: CheckReply = serde_json::from_slice(body)
        .map_err(|e| SpamError::Protocol(format!("not a check result ({e}): {}", quote_error(body))))?;
    Ok(SpamReport {
        score: reply.score,
        required_score: reply.required_score,
        action: reply.action,
        symbols: pick_symbols(reply.symbols),
    })
}

/// The symbols worth showing: non-zero, the [`MAX_SYMBOLS`] weightiest, highest score first
/// (ties by name, so the same reply always gives the same list).
fn pick_symbols(symbols: HashMap<String, ReplySymbol>) -> Vec<SpamSymbol> {
    let mut picked: Vec<SpamSymbol> = symbols
        .into_iter()
        .filter(|(_, symbol)| symbol.score != 0.0 && symbol.score.is_finite())
        .map(|(key, symbol)| SpamSymbol {
            name: symbol.name.filter(|name| !name.is_empty()).unwrap_or(key),
            score: symbol.score,
            description: symbol.description.filter(|text| !text.trim().is_empty()),
        })
        .collect();
    picked.sort_by(|a, b| {
        b.score
            .abs()
            .total_cmp(&a.score.abs())
            .then_with(|| a.name.cmp(&b.name))
    });
    picked.truncate(MAX_SYMBOLS);
    picked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// A real reply of rspamd 3.4 (Debian 12, `scripts/rspamd.sh`'s config) to a multipart mail
    /// with the spam marker, no Date or Message-ID, an all-caps subject and a link to an IP,
    /// sent with IP 203.0.113.7, Helo mail.example.net, From bounce@example.com and one Rcpt.
    /// Only line breaks between the symbols were added.
    const REAL_REPLY: &str = r#"{"is_skipped":false,"score":26.775000,"required_score":15.0,"action":"reject","symbols":{
"FROM_HAS_DN":{"name":"FROM_HAS_DN","score":0.0,"metric_score":0.0,"description":"From header has a display name"},
"TO_MATCH_ENVRCPT_ALL":{"name":"TO_MATCH_ENVRCPT_ALL","score":0.0,"metric_score":0.0,"description":"All of the recipients match the envelope"},
"MAILDESK_TEST_SPAM":{"name":"MAILDESK_TEST_SPAM","score":20.0,"metric_score":20.0,"description":"Maildesk test: spam marker word in the body"},
"MISSING_DATE":{"name":"MISSING_DATE","score":1.0,"metric_score":1.0,"description":"Message date is missing"},
"TO_DN_NONE":{"name":"TO_DN_NONE","score":0.0,"metric_score":0.0,"description":"None of the recipients have display names"},
"MIME_GOOD":{"name":"MIME_GOOD","score":-0.100000,"metric_score":-0.100000,"description":"Known content-type","options":["multipart/alternative","text/plain"]},
"RCPT_COUNT_ONE":{"name":"RCPT_COUNT_ONE","score":0.0,"metric_score":0.0,"description":"One recipient","options":["1"]},
"MISSING_MID":{"name":"MISSING_MID","score":2.500000,"metric_score":2.500000,"description":"Message id is missing"},
"SUBJ_ALL_CAPS":{"name":"SUBJ_ALL_CAPS","score":1.575000,"metric_score":3.0,"description":"All capital letters in subject","options":["21"]},
"HTTP_TO_IP":{"name":"HTTP_TO_IP","score":1.0,"metric_score":1.0,"description":"Anchor points to an IP address"},
"FORGED_SENDER":{"name":"FORGED_SENDER","score":0.300000,"metric_score":0.300000,"description":"Sender is forged (different From: header and smtp MAIL FROM: addresses)","options":["alert@example.net","bounce@example.com"]},
"RCVD_COUNT_ZERO":{"name":"RCVD_COUNT_ZERO","score":0.0,"metric_score":0.0,"description":"Message has no Received headers","options":["0"]},
"MIME_TRACE":{"name":"MIME_TRACE","score":0.0,"metric_score":0.0,"options":["0:+","1:+","2:~"]},
"FROM_NEQ_ENVFROM":{"name":"FROM_NEQ_ENVFROM","score":0.0,"metric_score":0.0,"description":"From address is different to the envelope","options":["alert@example.net","bounce@example.com"]},
"HTTP_TO_HTTPS":{"name":"HTTP_TO_HTTPS","score":0.500000,"metric_score":0.500000,"description":"Anchor text contains different scheme to target URL","options":["203.0.113.9"]}},
"messages":{},
"urls":["www.paypal.com","203.0.113.9"],"emails":[],"message-id":"undef","time_real":0.001817,"milter":{"remove_headers":{"X-Spam":0}}}"#;

    fn symbol(name: &str, score: f64, description: &str) -> SpamSymbol {
        SpamSymbol {
            name: name.to_owned(),
            score,
            description: Some(description.to_owned()),
        }
    }

    fn report_with_action(action: &str) -> SpamReport {
        SpamReport {
            score: 0.0,
            required_score: 15.0,
            action: action.to_owned(),
            symbols: Vec::new(),
        }
    }

    #[test]
    fn a_real_reply_becomes_a_short_report() {
        let report = parse_reply(REAL_REPLY.as_bytes()).unwrap();
        assert_eq!(report.score, 26.775);
        assert_eq!(report.required_score, 15.0);
        assert_eq!(report.action, "reject");
        assert!(report.is_reject());
        assert!(!report.is_add_header());
        let expected = vec![
            symbol(
                "MAILDESK_TEST_SPAM",
                20.0,
                "Maildesk test: spam marker word in the body",
            ),
            symbol("MISSING_MID", 2.5, "Message id is missing"),
            symbol("SUBJ_ALL_CAPS", 1.575, "All capital letters in subject"),
            symbol("HTTP_TO_IP", 1.0, "Anchor points to an IP address"),
            symbol("MISSING_DATE", 1.0, "Message date is missing"),
            symbol(
                "HTTP_TO_HTTPS",
                0.5,
                "Anchor text contains different scheme to target URL",
            ),
            symbol(
                "FORGED_SENDER",
                0.3,
                "Sender is forged (different From: header and smtp MAIL FROM: addresses)",
            ),
            symbol("MIME_GOOD", -0.1, "Known content-type"),
        ];
        assert_eq!(report.symbols, expected);
    }

    #[test]
    fn symbols_are_sorted_trimmed_and_zero_scores_dropped() {
        // 41 symbols from -20 to 20 (one of them zero), a heavy whitelist, one without a name.
        let mut symbols: Vec<String> = (-20..=20)
            .map(|i| format!(r#""S{i}":{{"name":"S{i}","score":{i}.0,"description":""}}"#))
            .collect();
        symbols.push(r#""WHITELISTED":{"name":"WHITELISTED","score":-50.0}"#.to_owned());
        symbols.push(r#""NAMELESS":{"score":30.0}"#.to_owned());
        let body = format!(
            r#"{{"score":0.0,"action":"no action","symbols":{{{}}}}}"#,
            symbols.join(",")
        );
        let report = parse_reply(body.as_bytes()).unwrap();

        assert_eq!(report.symbols.len(), MAX_SYMBOLS);
        assert!(report.symbols.windows(2).all(|pair| pair[0].score >= pair[1].score));
        assert!(report.symbols.iter().all(|s| s.score != 0.0 && s.description.is_none()));
        assert_eq!(report.symbols[0].name, "NAMELESS");
        assert_eq!(report.symbols[MAX_SYMBOLS - 1].name, "WHITELISTED");
        // The weightiest 30 of 42 non-zero ones: ±20 down to ±7 (28 of them) and the two extras.
        assert!(report.symbols.iter().all(|s| s.score.abs() >= 7.0));
        assert_eq!(report.required_score, 0.0, "a missing required_score reads as 0");
    }

    #[test]
    fn actions_are_rspamds_not_recomputed_from_scores() {
        for (action, reject, add_header) in [
            ("reject", true, false),
            ("add header", false, true),
            ("rewrite subject", false, true),
            ("no action", false, false),
            ("greylist", false, false),
            ("soft reject", false, false),
        ] {
            let report = SpamReport {
                score: 100.0,
                ..report_with_action(action)
            };
            assert_eq!(report.is_reject(), reject, "{action}");
            assert_eq!(report.is_add_header(), add_header, "{action}");
        }
    }

    #[test]
    fn a_report_round_trips_through_json() {
        let report = parse_reply(REAL_REPLY.as_bytes()).unwrap();
        let stored = serde_json::to_string(&report).unwrap();
        assert_eq!(serde_json::from_str::<SpamReport>(&stored).unwrap(), report);
    }

    #[test]
    fn replies_that_are_not_check_results_are_protocol_errors() {
        for body in [
            "",
            "pong",
            "<html>proxy error</html>",
            r#"{"score":1.0}"#,
            r#"{"action":"reject"}"#,
        ] {
            let error = parse_reply(body.as_bytes()).unwrap_err();
            assert!(matches!(error, SpamError::Protocol(_)), "{body:?}: {error:?}");
        }
    }

    fn http_response(status: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    /// Reads one HTTP request (head and Content-Length body) and returns it as text.
    async fn read_request(socket: &mut TcpStream) -> String {
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
                assert!(n > 0, "connection closed mid-head");
                continue;
            };
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length = head.lines().find_map(|line| line.strip_prefix("content-length:"));
            let length: usize = length.map_or(0, |value| value.trim().parse().unwrap());
            if n == 0 || request.len() >= end + 4 + length {
                return String::from_utf8_lossy(&request).into_owned();
            }
        }
    }

    /// A one-shot HTTP server on loopback: answers the first request with `response` (or never,
    /// when it is `None`) and hands back the request it read.
    async fn serve_once(response: Option<String>) -> (String, tokio::task::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let request = read_request(&mut socket).await;
            match response {
                Some(response) => socket.write_all(response.as_bytes()).await.unwrap(),
                None => tokio::time::sleep(Duration::from_secs(30)).await,
            }
            request
        });
        (base_url, server)
    }

    async fn check_against(response: Option<String>, hints: &Hints<'_>) -> (Result<SpamReport, SpamError>, String) {
        let (base_url, server) = serve_once(response).await;
        let http = reqwest::Client::new();
        let result = check(
            &http,
            &base_url,
            b"Subject: hi\r\n\r\nhello\r\n",
            hints,
            Duration::from_secs(5),
        )
        .await;
        (result, server.await.unwrap())
    }

    #[tokio::test]
    async fn a_good_reply_is_a_report() {
        let (result, request) = check_against(Some(http_response("200 OK", REAL_REPLY)), &Hints::default()).await;
        assert!(result.unwrap().is_reject());
        assert!(request.starts_with("POST /checkv2 HTTP/1.1\r\n"), "{request}");
        assert!(request.ends_with("\r\n\r\nSubject: hi\r\n\r\nhello\r\n"), "{request}");
    }

    #[tokio::test]
    async fn hints_go_as_rspamd_headers_and_unknown_ones_not_at_all() {
        let rcpt = vec![
            "support@example.org".to_owned(),
            "bad\r\nX-Evil: 1".to_owned(),
            "sales@example.org".to_owned(),
        ];
        let hints = Hints {
            ip: Some("::ffff:203.0.113.7".parse().unwrap()),
            helo: Some("mail.example.net"),
            mail_from: Some(""),
            rcpt: &rcpt,
        };
        let (result, request) = check_against(Some(http_response("200 OK", REAL_REPLY)), &hints).await;
        result.unwrap();
        let head = request.to_ascii_lowercase();
        for header in [
            "\r\nip: 203.0.113.7\r\n",
            "\r\nhelo: mail.example.net\r\n",
            "\r\nfrom: <>\r\n",
        ] {
            assert!(head.contains(header), "{header:?} missing in {request}");
        }
        assert!(head.contains("\r\nrcpt: support@example.org\r\n") && head.contains("\r\nrcpt: sales@example.org\r\n"));
        assert!(!head.contains("x-evil"), "{request}");

        let (_, request) = check_against(Some(http_response("200 OK", REAL_REPLY)), &Hints::default()).await;
        let head = request.to_ascii_lowercase();
        for header in ["\r\nip:", "\r\nhelo:", "\r\nfrom:", "\r\nrcpt:"] {
            assert!(!head.contains(header), "{header:?} sent without a hint: {request}");
        }
    }

    #[tokio::test]
    async fn a_server_error_is_unavailable() {
        let response = http_response("500 Internal Server Error", r#"{"error":"task timeout"}"#);
        let (result, _) = check_against(Some(response), &Hints::default()).await;
        let error = result.unwrap_err();
        assert!(
            matches!(&error, SpamError::Unavailable(text) if text.contains("task timeout")),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn garbage_or_a_refused_request_is_a_protocol_error() {
        for response in [
            http_response("200 OK", "garbage"),
            http_response("400 Bad Request", "no"),
        ] {
            let (result, _) = check_against(Some(response.clone()), &Hints::default()).await;
            assert!(matches!(result, Err(SpamError::Protocol(_))), "{response}: {result:?}");
        }
    }

    #[tokio::test]
    async fn no_listener_is_unavailable() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let http = reqwest::Client::new();
        let result = check(&http, &base_url, b"x", &Hints::default(), Duration::from_secs(5)).await;
        assert!(matches!(result, Err(SpamError::Unavailable(_))), "{result:?}");
    }

    #[tokio::test]
    async fn no_answer_in_time_is_unavailable() {
        let (base_url, _server) = serve_once(None).await;
        let http = reqwest::Client::new();
        let started = Instant::now();
        let result = check(&http, &base_url, b"x", &Hints::default(), Duration::from_millis(200)).await;
        assert!(
            matches!(&result, Err(SpamError::Unavailable(text)) if text.contains("within")),
            "{result:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
