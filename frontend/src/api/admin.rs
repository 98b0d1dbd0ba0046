//! Mail administration: mailboxes, the inbound journal, the outbox, notification settings and
//! templates.

use protocol::{
    EmailTemplate, ErrorCode, InboundAccepted, InboundMail, InboundStatus, Mailbox, MailboxCheck, MailboxSettings,
    MailboxWithSecret, NotificationSettings, OAuthApp, OAuthConnection, OAuthStart, OutboundMail, OutboundStatus, Page,
    SaveTemplate, TemplateEvent, TemplatePreview, TestMail,
};

use super::{ApiError, Call, Client};

/// Filters of the outbox list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxFilter {
    pub status: Option<OutboundStatus>,
    pub ticket_id: Option<i64>,
    pub page: u64,
}

impl Client {
    /// `GET /mailboxes`.
    pub async fn mailboxes(&self) -> Result<Vec<Mailbox>, ApiError> {
        self.call(Call::get("/mailboxes")).await
    }

    /// `POST /mailboxes`; the answer carries the webhook secret, shown this once.
    pub async fn create_mailbox(&self, settings: &MailboxSettings) -> Result<MailboxWithSecret, ApiError> {
        self.call(Call::post("/mailboxes", settings)?).await
    }

    /// `PATCH /mailboxes/{id}` with the settings to change.
    pub async fn update_mailbox(&self, id: i64, settings: &MailboxSettings) -> Result<Mailbox, ApiError> {
        self.call(Call::patch(format!("/mailboxes/{id}"), settings)?).await
    }

    /// `POST /mailboxes/{id}/test-connection`: sign in to its server; the server's answer.
    pub async fn test_mailbox_connection(&self, id: i64) -> Result<MailboxCheck, ApiError> {
        self.call(Call::post(format!("/mailboxes/{id}/test-connection"), &())?)
            .await
    }

    /// `POST /mailboxes/{id}/test-mail` to the signed-in admin; the server's answer.
    pub async fn send_mailbox_test_mail(&self, id: i64) -> Result<MailboxCheck, ApiError> {
        self.call(Call::post(format!("/mailboxes/{id}/test-mail"), &TestMail::default())?)
            .await
    }

    /// `GET /mailboxes/{id}/oauth`: its OAuth application and grant; `None` while no application
    /// is set.
    pub async fn mailbox_oauth(&self, id: i64) -> Result<Option<OAuthConnection>, ApiError> {
        match self.call(Call::get(format!("/mailboxes/{id}/oauth"))).await {
            Ok(connection) => Ok(Some(connection)),
            Err(e) if e.code() == Some(ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `PUT /mailboxes/{id}/oauth`: sets the OAuth application (a different one drops the grant).
    pub async fn set_mailbox_oauth(&self, id: i64, app: &OAuthApp) -> Result<OAuthConnection, ApiError> {
        self.call(Call::put(format!("/mailboxes/{id}/oauth"), app)?).await
    }

    /// `DELETE /mailboxes/{id}/oauth`: forgets the application and the grant.
    pub async fn delete_mailbox_oauth(&self, id: i64) -> Result<(), ApiError> {
        self.call_empty(Call::delete(format!("/mailboxes/{id}/oauth"))).await
    }

    /// `POST /mailboxes/{id}/oauth/connect`: where to send the browser to sign in. The answer
    /// sets the cookie the callback checks, so this is a same-origin fetch that keeps cookies
    /// (gloo-net leaves the browser's default, `same-origin`).
    pub async fn connect_mailbox_oauth(&self, id: i64) -> Result<OAuthStart, ApiError> {
        self.call(Call::post(format!("/mailboxes/{id}/oauth/connect"), &())?)
            .await
    }

    /// `GET /inbound?status=…`: the quarantine or the dead letters.
    pub async fn inbound(&self, status: InboundStatus, page: u64) -> Result<Page<InboundMail>, ApiError> {
        let status = match status {
            InboundStatus::Pending => "pending",
            InboundStatus::Processed => "processed",
            InboundStatus::Quarantined => "quarantined",
            InboundStatus::Failed => "failed",
        };
        let query = vec![("status", status.to_owned()), ("page", page.to_string())];
        self.call(Call::get("/inbound").query(query)).await
    }

    /// `POST /inbound/{id}/release`: a quarantined mail into a ticket.
    pub async fn release_inbound(&self, id: i64) -> Result<InboundAccepted, ApiError> {
        self.call(Call::post(format!("/inbound/{id}/release"), &())?).await
    }

    /// `POST /inbound/{id}/replay`: a dead letter processed again.
    pub async fn replay_inbound(&self, id: i64) -> Result<InboundAccepted, ApiError> {
        self.call(Call::post(format!("/inbound/{id}/replay"), &())?).await
    }

    /// `GET /admin/outbox`.
    pub async fn outbox(&self, f: &OutboxFilter) -> Result<Page<OutboundMail>, ApiError> {
        let mut query = vec![("page", f.page.max(1).to_string())];
        if let Some(s) = f.status {
            query.push(("status", s.as_str().to_owned()));
        }
        if let Some(t) = f.ticket_id {
            query.push(("ticket_id", t.to_string()));
        }
        self.call(Call::get("/admin/outbox").query(query)).await
    }

    /// `GET /admin/outbox/{id}`, with the raw message.
    pub async fn outbox_mail(&self, id: i64) -> Result<OutboundMail, ApiError> {
        self.call(Call::get(format!("/admin/outbox/{id}"))).await
    }

    /// `GET /admin/notification-settings`.
    pub async fn notification_settings(&self) -> Result<NotificationSettings, ApiError> {
        self.call(Call::get("/admin/notification-settings")).await
    }

    /// `PUT /admin/notification-settings`.
    pub async fn save_notification_settings(&self, s: &NotificationSettings) -> Result<NotificationSettings, ApiError> {
        self.call(Call::put("/admin/notification-settings", s)?).await
    }

    /// `GET /admin/templates`.
    pub async fn templates(&self) -> Result<Vec<EmailTemplate>, ApiError> {
        self.call(Call::get("/admin/templates")).await
    }

    /// `PUT /admin/templates/{event}`.
    pub async fn save_template(&self, event: TemplateEvent, t: &SaveTemplate) -> Result<EmailTemplate, ApiError> {
        self.call(Call::put(format!("/admin/templates/{}", event.as_str()), t)?)
            .await
    }

    /// `DELETE /admin/templates/{event}`: back to the built-in text.
    pub async fn reset_template(&self, event: TemplateEvent) -> Result<EmailTemplate, ApiError> {
        self.call(Call::delete(format!("/admin/templates/{}", event.as_str())))
            .await
    }

    /// `POST /admin/templates/{event}/preview?ticket_id=…` with the unsaved template.
    pub async fn preview_template(
        &self,
        event: TemplateEvent,
        ticket_id: i64,
        t: &SaveTemplate,
    ) -> Result<TemplatePreview, ApiError> {
        let call = Call::post(format!("/admin/templates/{}/preview", event.as_str()), t)?
            .query(vec![("ticket_id", ticket_id.to_string())]);
        self.call(call).await
    }
}
