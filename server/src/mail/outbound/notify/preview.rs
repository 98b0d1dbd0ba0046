//! A template as it would read: filled from a real ticket as its requester would get it,
//! for the admin's editor; nothing is queued.

use crate::change::Change;
use crate::error::AppResult;
use crate::mail::outbound::facts;
use crate::mail::outbound::links::LinkBase;
use crate::mail::outbound::notification_settings::{self, subject_line};
use crate::mail::outbound::templates;
use crate::mail::outbound::templates::render::{Mode, RecipientVars, render};

/// `t` (unsaved) filled from ticket `ticket_id` as its requester would get it.
/// Reads through a change that is never committed: a preview writes nothing.
pub async fn preview(
    ch: &Change<'_>,
    ticket_id: i64,
    t: &protocol::SaveTemplate,
) -> AppResult<protocol::TemplatePreview> {
    templates::validate(t)?;
    let (db, cfg) = (ch.db(), ch.ctx().settings());
    let settings = notification_settings::load(db).await?;
    let f = facts::load(db, ch.memo(), ticket_id).await?;
    let vars = f.vars(db, ch.memo(), &cfg.http.public_url, None).await?;
    let links = LinkBase {
        public_url: &cfg.http.public_url,
        keys: ch.ctx().keys(),
    };
    let rvars = RecipientVars {
        what_happened: f.public.last().map(|m| m.body_text.clone()).unwrap_or_default(),
        originator: f.requester.name.clone(),
        name: f.requester.name.clone(),
        url: links.ticket(ticket_id),
        recipients: vec![f.requester.email.clone()],
        unsubscribe_url: Some(links.unsubscribe(ticket_id, &f.requester.email)?),
        rating_urls: Some(links.ratings(f.requester.id, ticket_id)?),
    };
    Ok(protocol::TemplatePreview {
        subject: subject_line(
            &settings.subject_format,
            ticket_id,
            &render(&t.subject, Mode::Text, &vars, &rvars),
        ),
        body_text: render(&t.body_text, Mode::Text, &vars, &rvars),
        body_html: render(&t.body_html, Mode::Html, &vars, &rvars),
    })
}
