//! Whether a mail from a staff address may act as staff (reply to the customer, write an
//! internal note, close the ticket, run any e-mail command).
//!
//! A `From:` header proves nothing: anyone can write an agent's address into it. A staff address
//! is trusted when sender authentication proves its domain (`screen::auth`, checked by the
//! caller), or when the mail answers something we sent *to that address* about that ticket: one of our signed Message-IDs in
//! `In-Reply-To`/`References` that went out to it, or the address-bound marker
//! (`signed_ids::reference_marker_for`) in its body. A customer holds Message-IDs and markers
//! of mails sent to themselves only, so they cannot borrow an agent's. Anything else from a
//! staff address is handled as a stranger's mail.

use entity::outbound_mail;
use mail_parse::parsed::ParsedMail;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::AppResult;
use crate::keys::Keys;
use crate::mail::signed_ids;

/// `address` (the sender's, as stored on their account) answered a mail we sent it about
/// `ticket_id`.
pub async fn answers_our_mail_to(
    db: &impl ConnectionTrait,
    keys: &Keys,
    parsed: &ParsedMail,
    ticket_id: i64,
    address: &str,
) -> AppResult<bool> {
    let address = address.trim().to_lowercase();
    let body = format!("{}\n{}", parsed.text_full, parsed.quoted.as_deref().unwrap_or_default());
    if signed_ids::has_marker_for(keys, &body, ticket_id, &address) {
        return Ok(true);
    }
    // Only ids we signed for this ticket are worth a lookup; the rest are the sender's own.
    let ours: Vec<String> = parsed
        .in_reply_to
        .iter()
        .chain(&parsed.references)
        .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
        .filter(|id| signed_ids::verify_message_id(keys, id) == Some(ticket_id))
        .collect();
    if ours.is_empty() {
        return Ok(false);
    }
    let sent: Vec<(String, String)> = outbound_mail::Entity::find()
        .select_only()
        .columns([outbound_mail::Column::Recipients, outbound_mail::Column::Cc])
        .filter(outbound_mail::Column::MessageId.is_in(ours))
        .into_tuple()
        .all(db)
        .await?;
    Ok(sent.iter().any(|(to, cc)| {
        to.split(',')
            .chain(cc.split(','))
            .any(|a| a.trim().eq_ignore_ascii_case(&address))
    }))
}
