//! Helpers for inbound-mail tests: a mail builder, mailbox creation and signed delivery
//! through `POST /api/v1/inbound`.

use protocol::{InboundAccepted, MailboxSettings, MailboxWithSecret};

use crate::TestApp;
use crate::client::ok_json;

/// A plain RFC 5322 mail, built field by field.
#[derive(Debug, Clone, Default)]
pub struct MailBuilder {
    headers: Vec<(String, String)>,
    body: String,
}

pub fn mail(from: &str, to: &str, subject: &str) -> MailBuilder {
    MailBuilder::default()
        .header("From", from)
        .header("To", to)
        .header("Subject", subject)
        .header("Date", "Mon, 3 Jun 2024 10:12:00 +0000")
        .header("MIME-Version", "1.0")
        .header("Content-Type", "text/plain; charset=utf-8")
        .body("Hello,\n\nplease help.\n")
}

impl MailBuilder {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn message_id(self, id: &str) -> Self {
        self.header("Message-ID", &format!("<{id}>"))
    }

    pub fn in_reply_to(self, id: &str) -> Self {
        self.header("In-Reply-To", &format!("<{id}>"))
    }

    pub fn references(self, ids: &[&str]) -> Self {
        let v: Vec<String> = ids.iter().map(|i| format!("<{i}>")).collect();
        self.header("References", &v.join(" "))
    }

    pub fn body(mut self, body: &str) -> Self {
        self.body = body.into();
        self
    }

    pub fn build(&self) -> Vec<u8> {
        let mut out = String::new();
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&self.body.replace('\n', "\r\n"));
        out.into_bytes()
    }
}

/// A mail with one small PDF attached (it fails while the blob store is broken).
pub const WITH_ATTACHMENT: &str = "From: lee@customer.example\r\nTo: support@help.example.com\r\nSubject: With file\r\nMessage-ID: <f1@c.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=report.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";

impl TestApp {
    /// Makes storing attachments fail: the blob store's temp folder becomes a file.
    pub fn break_blob_store(&self) {
        let tmp = self.data_dir.path().join("blobs/tmp");
        std::fs::remove_dir_all(&tmp).expect("removing blobs/tmp");
        std::fs::write(&tmp, b"not a folder").expect("writing blobs/tmp");
    }

    pub fn mend_blob_store(&self) {
        let tmp = self.data_dir.path().join("blobs/tmp");
        std::fs::remove_file(&tmp).expect("removing the blobs/tmp file");
        std::fs::create_dir(&tmp).expect("creating blobs/tmp");
    }

    /// The admin replies to the customer of `ticket_id` (at its current version).
    pub async fn admin_reply(&self, ticket_id: i64, body: &str) -> protocol::TicketDetail {
        let t = self.api.ticket(&self.admin.token, ticket_id).await;
        ok_json(
            self.api
                .post_json(
                    &self.admin.token,
                    &format!("/tickets/{ticket_id}/replies"),
                    &protocol::PostMessage {
                        body: body.into(),
                        version: t.ticket.version,
                        ..Default::default()
                    },
                )
                .await,
        )
        .await
    }

    pub async fn create_mailbox(&self, settings: MailboxSettings) -> MailboxWithSecret {
        let resp = self.api.post_json(&self.admin.token, "/mailboxes", &settings).await;
        assert_eq!(
            resp.status(),
            201,
            "create mailbox: {}",
            resp.text().await.unwrap_or_default()
        );
        resp.json().await.expect("mailbox")
    }

    /// Changes some of a mailbox's settings (as the admin's form does).
    pub async fn update_mailbox(&self, mb: &MailboxWithSecret, settings: &MailboxSettings) -> protocol::Mailbox {
        let path = format!("/mailboxes/{}", mb.mailbox.id);
        let resp = self.api.patch_json(&self.admin.token, &path, settings).await;
        assert_eq!(
            resp.status(),
            200,
            "update mailbox: {}",
            resp.text().await.unwrap_or_default()
        );
        resp.json().await.expect("mailbox")
    }

    pub async fn mailbox(&self, address: &str) -> MailboxWithSecret {
        self.create_mailbox(MailboxSettings {
            name: Some(format!("Mailbox {address}")),
            address: Some(address.into()),
            ..Default::default()
        })
        .await
    }

    /// Signs and posts a raw mail; returns the raw response.
    pub async fn post_inbound(
        &self,
        mb: &MailboxWithSecret,
        raw: &[u8],
        idempotency_key: Option<&str>,
    ) -> reqwest::Response {
        let sig = maildesk::crypto::hmac_hex(mb.webhook_secret.as_bytes(), raw);
        let mut req = self
            .api
            .http()
            .post(format!("{}?mailbox={}", self.api.url("/inbound"), mb.mailbox.id))
            .header("Content-Type", "message/rfc822")
            .header("X-Maildesk-Signature", format!("sha256={sig}"))
            .body(raw.to_vec());
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        req.send().await.expect("POST /inbound")
    }

    pub async fn deliver(&self, mb: &MailboxWithSecret, raw: &[u8]) -> InboundAccepted {
        ok_json(self.post_inbound(mb, raw, None).await).await
    }
}
