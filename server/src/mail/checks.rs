//! The admin's two buttons per mailbox (seed 004: "Send a test email to verify"): "Test
//! connection" signs in to the mailbox's server and opens its folder; "Send test e-mail" sends
//! one mail through the transport replies use. Both report the server's own words, whether it
//! worked or not, so an admin can tell a wrong password from a firewall.

use std::time::Duration;

use entity::mailbox;
use protocol::MailboxCheck;

use crate::context::AppContext;
use crate::egress::Egress;
use crate::error::{AppError, AppResult};
use crate::mail::imap::connect::{self, Endpoint};
use crate::mail::imap::fetch::within;
use crate::mail::imap::folder_name;
use crate::mail::outbound::compose::{self, Draft, Person};
use crate::mail::outbound::transport::SendError;

const TIMEOUT: Duration = Duration::from_secs(20);

fn failed(answer: impl Into<String>) -> MailboxCheck {
    MailboxCheck {
        ok: false,
        answer: answer.into(),
    }
}

/// Signs in and selects the folder the mailbox fetches from.
pub async fn test_connection(ctx: &AppContext, m: &mailbox::Model) -> AppResult<MailboxCheck> {
    if crate::mail::graph::is_graph(m) {
        return Ok(match crate::mail::graph::test_connection(ctx, m).await {
            Ok(answer) => MailboxCheck { ok: true, answer },
            Err(e) => failed(e.to_string()),
        });
    }
    if m.imap_host.is_none() {
        return Err(AppError::validation(
            "this mailbox has no IMAP server: it receives through the webhook or the built-in receiver",
        ));
    }
    let endpoint = match Endpoint::of_mailbox(ctx.keys(), Egress::of(ctx.settings()), m) {
        Ok(e) => e,
        Err(e) => return Ok(failed(e.to_string())),
    };
    let endpoint = match endpoint.authorized(ctx).await {
        Ok(e) => e,
        Err(e) => return Ok(failed(e.to_string())),
    };
    if crate::mail::pop3::is_pop3(m) {
        let opts = crate::mail::imap::WorkerOptions {
            connect_timeout: TIMEOUT,
            ..Default::default()
        };
        return Ok(match crate::mail::pop3::test_connection(&endpoint, &opts).await {
            Ok(answer) => MailboxCheck { ok: true, answer },
            Err(e) => failed(e.to_string()),
        });
    }
    let mut conn = match connect::connect(&endpoint, TIMEOUT).await {
        Ok(c) => c,
        Err(e) => return Ok(failed(e.to_string())),
    };
    let folder = crate::mail::imap::fetch::folder_of(m);
    let selected = within(
        TIMEOUT,
        &format!("selecting folder {folder}"),
        conn.session.select(folder_name::encode(&folder)),
    )
    .await;
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.session.logout()).await;
    Ok(match selected {
        Ok(s) => MailboxCheck {
            ok: true,
            answer: format!(
                "Signed in to {}:{} and opened {folder}: {} messages. The server offers{}{}{}.",
                endpoint.host,
                endpoint.port,
                s.exists,
                if conn.caps.idle { " IDLE" } else { " no IDLE" },
                if conn.caps.uidplus { ", UIDPLUS" } else { "" },
                if conn.caps.moves { ", MOVE" } else { "" },
            ),
        },
        Err(e) => failed(e.to_string()),
    })
}

/// Sends one mail from the mailbox's address to `to` through the outbound transport.
pub async fn send_test_mail(ctx: &AppContext, m: &mailbox::Model, to: &str) -> AppResult<MailboxCheck> {
    let to = crate::directory::users::normalize_email(to)
        .map_err(|_| AppError::validation(format!("{to:?} is not an e-mail address")))?;
    let settings = ctx.settings();
    let serial = i64::try_from(uuid::Uuid::new_v4().as_u64_pair().0 >> 1).unwrap_or(0);
    let mut draft = Draft::system(
        Person {
            name: Some(m.name.clone()),
            email: m.address.clone(),
        },
        Person {
            name: None,
            email: to.clone(),
        },
        &format!("Maildesk test mail from {}", m.address),
        &format!(
            "This is a test mail sent by Maildesk for the mailbox {} <{}>. If it arrived, replies to customers go out this way.\n",
            m.name, m.address
        ),
    );
    draft.message_id = crate::mail::signed_ids::message_id(ctx.keys(), 0, serial, settings.mail_domain());
    let raw = match compose::build(&draft, ctx.outbound().dkim.as_ref()) {
        Ok(raw) => raw,
        Err(e) => return Ok(failed(e.to_string())),
    };
    let transport = match ctx.outbound().routes.of_mailbox(ctx, m) {
        Ok(t) => t,
        Err(e) => return Ok(failed(format!("the mailbox's SMTP account cannot be used: {e}"))),
    };
    Ok(
        match transport.send(&m.address, std::slice::from_ref(&to), &raw).await {
            Ok(answer) => MailboxCheck {
                ok: true,
                answer: format!("Sent to {to} through {}: {answer}", transport.name()),
            },
            Err(SendError::Transient(e)) => failed(format!("temporary failure: {e}")),
            Err(SendError::Permanent(e)) => failed(format!("refused: {e}")),
        },
    )
}
