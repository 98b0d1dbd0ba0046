//! Reading the outbox (the dev outbox, or what the sender delivered) through the admin API.

use protocol::{OutboundMail, Page};

use crate::TestApp;
use crate::client::ok_json;

/// Every mail queued for `ticket_id`, newest first.
pub async fn outbox(app: &TestApp, ticket_id: i64) -> Vec<OutboundMail> {
    let page: Page<OutboundMail> = ok_json(
        app.api
            .get(
                &app.admin.token,
                &format!("/admin/outbox?ticket_id={ticket_id}&per_page=200"),
            )
            .await,
    )
    .await;
    page.items
}

/// The complete message of one outbox mail.
pub async fn raw(app: &TestApp, id: i64) -> String {
    let m: OutboundMail = ok_json(app.api.get(&app.admin.token, &format!("/admin/outbox/{id}")).await).await;
    m.raw.expect("the single-mail view carries the raw message")
}
