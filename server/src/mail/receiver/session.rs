//! One SMTP (RFC 5321) or LMTP (RFC 2033) conversation. Commands and the dot-stuffed DATA
//! stream are parsed by `smtp-proto`; this file is the state machine around them: greeting,
//! EHLO/LHLO, STARTTLS, MAIL/RCPT checks, DATA with its size limit, and the answer to DATA —
//! `250` only once the journal holds the mail, `451` when it could not be stored (the sender
//! retries; the journal's Message-ID/content key makes the retry a duplicate, not a second
//! ticket). LMTP answers DATA once per accepted recipient.

use std::net::IpAddr;

use smtp_proto::request::receiver::{DataReceiver, DummyDataReceiver, RequestReceiver};
use smtp_proto::{Error as ProtoError, MailFrom, RcptTo, Request};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{Protocol, Shared};
use crate::mail::inbound::journal::{Envelope, NewMail, Source};
use crate::mail::inbound::pipeline;

/// Bad commands before the connection is closed.
const MAX_ERRORS: u32 = 20;
const READ_CHUNK: usize = 16 * 1024;

/// How a conversation ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Closed,
    /// The client asked for TLS and got `220`: the caller wraps the stream and talks on.
    StartTls,
}

enum Read {
    More,
    Eof,
    TimedOut,
}

pub struct Conversation<'a> {
    shared: &'a Shared,
    ip: IpAddr,
    secure: bool,
    greeted: bool,
    /// The name the client gave in HELO/EHLO (SPF checks it when MAIL FROM is empty).
    helo: String,
    from: Option<String>,
    /// Accepted recipients and their mailboxes, in RCPT order.
    rcpts: Vec<(String, i64)>,
    errors: u32,
    pending: Vec<u8>,
    requests: RequestReceiver,
}

impl<'a> Conversation<'a> {
    pub fn new(shared: &'a Shared, ip: IpAddr, secure: bool) -> Self {
        Self {
            shared,
            ip,
            secure,
            greeted: false,
            helo: String::new(),
            from: None,
            rcpts: Vec::new(),
            errors: 0,
            pending: Vec::new(),
            requests: RequestReceiver::default(),
        }
    }

    fn host(&self) -> &str {
        &self.shared.hostname
    }

    fn reset(&mut self) {
        self.from = None;
        self.rcpts.clear();
    }

    async fn fill<S: AsyncRead + Unpin>(&mut self, io: &mut S) -> Read {
        let mut chunk = vec![0u8; READ_CHUNK];
        match tokio::time::timeout(self.shared.timeout, io.read(&mut chunk)).await {
            Err(_) => Read::TimedOut,
            Ok(Ok(0)) | Ok(Err(_)) => Read::Eof,
            Ok(Ok(n)) => {
                self.pending.extend_from_slice(&chunk[..n]);
                Read::More
            }
        }
    }

    /// Drops input up to and including the next line end.
    async fn skip_line<S: AsyncRead + Unpin>(&mut self, io: &mut S) -> Read {
        loop {
            if let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
                self.pending.drain(..=end);
                return Read::More;
            }
            self.pending.clear();
            match self.fill(io).await {
                Read::More => {}
                other => return other,
            }
        }
    }

    /// Talks until the client quits, goes away, idles too long or asks for TLS.
    pub async fn run<S: AsyncRead + AsyncWrite + Unpin>(&mut self, io: &mut S, greet: bool) -> Next {
        if greet {
            let kind = match self.shared.protocol {
                Protocol::Smtp => "ESMTP",
                Protocol::Lmtp => "LMTP",
            };
            let hello = format!("220 {} {kind} Maildesk ready\r\n", self.host());
            if send(io, &hello).await.is_err() {
                return Next::Closed;
            }
        }
        loop {
            let parsed = {
                let mut bytes = self.pending.iter();
                let result = self.requests.ingest(&mut bytes).map(Request::into_owned);
                let consumed = self.pending.len() - bytes.as_slice().len();
                self.pending.drain(..consumed);
                result
            };
            let reply = match parsed {
                Err(ProtoError::NeedsMoreData { .. }) => match self.fill(io).await {
                    Read::More => continue,
                    Read::Eof => return Next::Closed,
                    Read::TimedOut => {
                        let _ = send(io, &format!("421 4.4.2 {} Timeout, closing\r\n", self.host())).await;
                        return Next::Closed;
                    }
                },
                // The rest of an over-long line is not a command: skip to its end.
                Err(ProtoError::ResponseTooLong) => {
                    self.errors += 1;
                    match self.skip_line(io).await {
                        Read::More => refusal(&ProtoError::ResponseTooLong),
                        Read::Eof => return Next::Closed,
                        Read::TimedOut => {
                            let _ = send(io, &format!("421 4.4.2 {} Timeout, closing\r\n", self.host())).await;
                            return Next::Closed;
                        }
                    }
                }
                Err(e) => {
                    self.errors += 1;
                    refusal(&e)
                }
                Ok(request) => match self.handle(io, request).await {
                    Step::Reply(r) => r,
                    Step::Close(r) => {
                        let _ = send(io, &r).await;
                        return Next::Closed;
                    }
                    Step::StartTls => return Next::StartTls,
                    Step::Gone => return Next::Closed,
                },
            };
            if self.errors >= MAX_ERRORS {
                let _ = send(io, "421 4.7.0 Too many errors, closing\r\n").await;
                return Next::Closed;
            }
            if send(io, &reply).await.is_err() {
                return Next::Closed;
            }
        }
    }

    async fn handle<S: AsyncRead + AsyncWrite + Unpin>(&mut self, io: &mut S, request: Request<String>) -> Step {
        let lmtp = self.shared.protocol == Protocol::Lmtp;
        match request {
            Request::Ehlo { .. } | Request::Helo { .. } if lmtp => {
                self.errors += 1;
                Step::Reply("500 5.5.1 This is LMTP: say LHLO\r\n".into())
            }
            Request::Lhlo { .. } if !lmtp => {
                self.errors += 1;
                Step::Reply("500 5.5.1 This is SMTP: say EHLO\r\n".into())
            }
            Request::Helo { host } => {
                self.greeted = true;
                self.helo = host;
                self.reset();
                Step::Reply(format!("250 {}\r\n", self.host()))
            }
            Request::Ehlo { host } | Request::Lhlo { host } => {
                self.greeted = true;
                self.helo = host;
                self.reset();
                let mut lines = vec![
                    self.host().to_owned(),
                    "PIPELINING".into(),
                    format!("SIZE {}", self.shared.max_bytes),
                    "8BITMIME".into(),
                    "ENHANCEDSTATUSCODES".into(),
                    "SMTPUTF8".into(),
                ];
                if self.shared.tls.is_some() && !self.secure {
                    lines.push("STARTTLS".into());
                }
                Step::Reply(multiline(250, &lines))
            }
            Request::StartTls => {
                if self.shared.tls.is_none() || self.secure {
                    return Step::Reply("454 4.7.0 TLS not available\r\n".into());
                }
                // Anything sent after STARTTLS in the clear must not be taken as sent over TLS
                // (the STARTTLS command injection attack).
                if !self.pending.is_empty() {
                    return Step::Close("554 5.5.0 Commands after STARTTLS before the handshake\r\n".into());
                }
                if send(io, "220 2.0.0 Ready to start TLS\r\n").await.is_err() {
                    return Step::Gone;
                }
                Step::StartTls
            }
            Request::Mail { from } => self.mail(from),
            Request::Rcpt { to } => self.rcpt(to).await,
            Request::Data => self.data(io, lmtp).await,
            Request::Rset => {
                self.reset();
                Step::Reply("250 2.0.0 Ok\r\n".into())
            }
            Request::Noop { .. } => Step::Reply("250 2.0.0 Ok\r\n".into()),
            Request::Quit => Step::Close(format!("221 2.0.0 {} Bye\r\n", self.host())),
            Request::Vrfy { .. } => Step::Reply("252 2.5.0 Cannot verify; send the mail\r\n".into()),
            Request::Bdat { .. }
            | Request::Auth { .. }
            | Request::Expn { .. }
            | Request::Help { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => {
                self.errors += 1;
                Step::Reply("502 5.5.1 Command not implemented\r\n".into())
            }
        }
    }

    /// MAIL FROM: takes the sender once the client has said hello, within size and rate limits.
    fn mail(&mut self, from: MailFrom<String>) -> Step {
        if !self.greeted {
            return Step::Reply("503 5.5.1 Say hello first\r\n".into());
        }
        if self.from.is_some() {
            return Step::Reply("503 5.5.1 Sender already given\r\n".into());
        }
        if from.size > self.shared.max_bytes {
            return Step::Reply(format!(
                "552 5.3.4 Message too big: at most {} bytes\r\n",
                self.shared.max_bytes
            ));
        }
        if !self.shared.limits.allow_message(self.ip) {
            return Step::Reply("451 4.7.1 Too many messages from your address; try again later\r\n".into());
        }
        self.from = Some(from.address);
        Step::Reply("250 2.1.0 Sender ok\r\n".into())
    }

    /// RCPT TO: takes a recipient that names one of our mailboxes (an unknown one counts as an
    /// error).
    async fn rcpt(&mut self, to: RcptTo<String>) -> Step {
        if self.from.is_none() {
            return Step::Reply("503 5.5.1 MAIL first\r\n".into());
        }
        if self.rcpts.len() >= self.shared.max_recipients {
            return Step::Reply("452 4.5.3 Too many recipients\r\n".into());
        }
        match self.mailbox_of(&to.address).await {
            Ok(Some(mailbox)) => {
                self.rcpts.push((to.address, mailbox));
                Step::Reply("250 2.1.5 Recipient ok\r\n".into())
            }
            Ok(None) => {
                // Counted as an error: probing for addresses ends with the connection.
                self.errors += 1;
                let shown: String = to.address.chars().filter(|c| c.is_ascii_graphic()).take(100).collect();
                Step::Reply(format!("550 5.1.1 <{shown}>: no such mailbox here\r\n"))
            }
            Err(e) => {
                tracing::warn!(error = %e, "receiver: looking up mailboxes failed");
                Step::Reply("451 4.3.0 Cannot check recipients now; try again later\r\n".into())
            }
        }
    }

    /// DATA: receives the mail and delivers it to every recipient (LMTP answers per recipient).
    async fn data<S: AsyncRead + AsyncWrite + Unpin>(&mut self, io: &mut S, lmtp: bool) -> Step {
        if self.from.is_none() || self.rcpts.is_empty() {
            return Step::Reply("503 5.5.1 No valid recipients\r\n".into());
        }
        if send(io, "354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
            return Step::Gone;
        }
        match self.receive_data(io).await {
            Body::Complete(raw) => {
                let replies = self.deliver(raw).await;
                self.reset();
                Step::Reply(replies)
            }
            Body::TooBig => {
                let n = if lmtp { self.rcpts.len() } else { 1 };
                self.reset();
                let line = format!("552 5.3.4 Message too big: at most {} bytes\r\n", self.shared.max_bytes);
                Step::Reply(line.repeat(n))
            }
            // Cut off mid-DATA: nothing is stored, the sender still has the mail.
            Body::Gone => Step::Gone,
            Body::TimedOut => Step::Close(format!("421 4.4.2 {} Timeout, closing\r\n", self.host())),
        }
    }

    async fn mailbox_of(&self, address: &str) -> anyhow::Result<Option<i64>> {
        Ok(self.shared.directory.resolve(self.shared.ctx.db(), address).await?)
    }

    /// Reads the dot-stuffed body up to the terminating `.` line. Past the size limit the rest
    /// is read and dropped, so the answer lands where the client expects it.
    async fn receive_data<S: AsyncRead + Unpin>(&mut self, io: &mut S) -> Body {
        let mut data = DataReceiver::new();
        // The receiver treats a '.' as line-initial only after a CRLF: feed it the CRLF that
        // ended the DATA line, and drop it from the body afterwards.
        let mut body: Vec<u8> = Vec::new();
        data.ingest(&mut b"\r\n".iter(), &mut body);
        let mut discard: Option<DummyDataReceiver> = None;
        loop {
            let done = {
                let mut bytes = self.pending.iter();
                let done = match discard.as_mut() {
                    Some(d) => d.ingest(&mut bytes),
                    None => data.ingest(&mut bytes, &mut body),
                };
                let consumed = self.pending.len() - bytes.as_slice().len();
                self.pending.drain(..consumed);
                done
            };
            if discard.is_none() && body.len() > self.shared.max_bytes + 2 {
                discard = Some(DummyDataReceiver::new_data(&data));
                body = Vec::new();
            }
            if done {
                break;
            }
            match self.fill(io).await {
                Read::More => {}
                Read::Eof => return Body::Gone,
                Read::TimedOut => return Body::TimedOut,
            }
        }
        if discard.is_some() {
            return Body::TooBig;
        }
        body.drain(..2.min(body.len()));
        Body::Complete(body)
    }

    /// Journals the mail once per mailbox among the recipients; the answer to DATA.
    async fn deliver(&self, raw: Vec<u8>) -> String {
        let source = match self.shared.protocol {
            Protocol::Smtp => Source::Smtp,
            Protocol::Lmtp => Source::Lmtp,
        };
        let mut per_mailbox: Vec<(i64, String)> = Vec::new();
        for (_, mailbox) in &self.rcpts {
            if per_mailbox.iter().any(|(m, _)| m == mailbox) {
                continue;
            }
            // Like a delivery agent, the envelope recipients go on top as `Delivered-To`, so
            // `word-<category>@` and `+tag` route even when the headers do not name them (Bcc).
            let mut stamped = Vec::with_capacity(raw.len() + 64);
            for (address, _) in self.rcpts.iter().filter(|(_, m)| m == mailbox) {
                stamped.extend_from_slice(format!("Delivered-To: {address}\r\n").as_bytes());
            }
            stamped.extend_from_slice(&raw);
            let reply = self.deliver_to(*mailbox, &stamped, source).await;
            per_mailbox.push((*mailbox, reply));
        }
        let reply_of = |mailbox: i64| {
            per_mailbox
                .iter()
                .find(|(m, _)| *m == mailbox)
                .map(|(_, r)| r.clone())
                .unwrap_or_default()
        };
        match self.shared.protocol {
            Protocol::Lmtp => self.rcpts.iter().map(|(_, m)| reply_of(*m)).collect(),
            // One answer for all: a temporary failure anywhere makes the sender retry the
            // whole message (the mailboxes that took it see a duplicate).
            Protocol::Smtp => {
                let all: Vec<&String> = per_mailbox.iter().map(|(_, r)| r).collect();
                all.iter()
                    .find(|r| r.starts_with('4'))
                    .or_else(|| all.iter().find(|r| r.starts_with('5')))
                    .or_else(|| all.first())
                    .map(|r| (*r).clone())
                    .unwrap_or_default()
            }
        }
    }

    async fn deliver_to(&self, mailbox_id: i64, raw: &[u8], source: Source) -> String {
        let ctx = &self.shared.ctx;
        let known = match self.shared.directory.get(ctx.db()).await {
            Ok(known) => known,
            Err(e) => {
                tracing::warn!(mailbox_id, error = %e, "receiver: looking up mailboxes failed");
                return "451 4.3.0 Mailbox not available now; try again later\r\n".into();
            }
        };
        let Some(mailbox) = known.mailboxes.iter().find(|m| m.id == mailbox_id) else {
            return "451 4.3.0 Mailbox not available now; try again later\r\n".into();
        };
        let limit = crate::mail::mailboxes::raw_limit(mailbox);
        if raw.len() > limit {
            return format!(
                "552 5.3.4 Message too big for {}: at most {limit} bytes\r\n",
                mailbox.address
            );
        }
        // Over SMTP we talk to the sending server itself: what it said is what SPF checks. Over
        // LMTP the client is our own MTA, whose address proves nothing about the sender.
        let envelope = (source == Source::Smtp).then(|| Envelope {
            ip: self.ip,
            helo: self.helo.clone(),
            mail_from: self.from.clone().unwrap_or_default(),
        });
        let mail = NewMail {
            envelope,
            ..NewMail::new(source, Some(mailbox_id), raw)
        };
        match pipeline::ingest(ctx, mail).await {
            Ok((journaled, _)) => {
                self.shared.hooks.after_commit(journaled.entry.id).await;
                format!("250 2.0.0 Ok: stored as {}\r\n", journaled.entry.id)
            }
            Err(e) => {
                tracing::warn!(mailbox_id, error = %e, "receiver: could not journal a mail; the sender will retry");
                "451 4.3.0 Could not store the message; try again later\r\n".into()
            }
        }
    }
}

enum Step {
    Reply(String),
    Close(String),
    StartTls,
    /// The client went away.
    Gone,
}

enum Body {
    Complete(Vec<u8>),
    TooBig,
    Gone,
    TimedOut,
}

async fn send<S: AsyncWrite + Unpin>(io: &mut S, reply: &str) -> std::io::Result<()> {
    io.write_all(reply.as_bytes()).await?;
    io.flush().await
}

fn multiline(code: u16, lines: &[String]) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let sep = if i + 1 == lines.len() { ' ' } else { '-' };
        out.push_str(&format!("{code}{sep}{line}\r\n"));
    }
    out
}

/// The answer to a command the parser refused.
fn refusal(e: &ProtoError) -> String {
    match e {
        ProtoError::UnknownCommand => "500 5.5.1 Unknown command\r\n".into(),
        ProtoError::InvalidSenderAddress => "501 5.1.7 Bad sender address\r\n".into(),
        ProtoError::InvalidRecipientAddress => "501 5.1.3 Bad recipient address\r\n".into(),
        ProtoError::SyntaxError { syntax } => format!("501 5.5.4 Syntax: {syntax}\r\n"),
        ProtoError::InvalidParameter { param } => format!("501 5.5.4 Invalid parameter {param}\r\n"),
        ProtoError::UnsupportedParameter { param } => {
            let shown: String = param.chars().filter(|c| c.is_ascii_graphic()).take(40).collect();
            format!("555 5.5.4 Unsupported parameter {shown}\r\n")
        }
        ProtoError::ResponseTooLong => "500 5.5.2 Line too long\r\n".into(),
        ProtoError::NeedsMoreData { .. } | ProtoError::InvalidResponse { .. } => "500 5.5.2 Syntax error\r\n".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_replies_mark_every_line_but_the_last() {
        assert_eq!(
            multiline(250, &["mx".into(), "SIZE 10".into()]),
            "250-mx\r\n250 SIZE 10\r\n"
        );
    }

    #[test]
    fn refusals_never_echo_control_characters() {
        let r = refusal(&ProtoError::UnsupportedParameter {
            param: "X\r\n250 fake".into(),
        });
        assert_eq!(r.matches("\r\n").count(), 1, "{r:?}");
    }
}
