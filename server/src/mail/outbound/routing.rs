//! Which transport sends a mail: the mailbox whose address sends it decides — Microsoft Graph
//! (`graph_send`, with its OAuth grant), or its own SMTP account (`smtp_host`, signing in with
//! a password or its OAuth grant); else the node's global transport (`smtp.*`, or the dev
//! outbox). Built transports are kept per mailbox and rebuilt when its settings change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use entity::mailbox;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use protocol::MailAuth;

use super::smtp_oauth::OAuthSmtp;
use super::transport::{Smtp, Transport};
use crate::context::AppContext;
use crate::error::AppResult;
use crate::mail::oauth::sasl::Mechanism;
use crate::settings::SmtpSettings;

/// A transport built from a mailbox's settings, and their fingerprint when it was built.
struct Built {
    fingerprint: String,
    transport: Arc<dyn Transport>,
}

#[derive(Default)]
pub struct Routes {
    /// By mailbox id.
    own: Mutex<HashMap<i64, Built>>,
}

impl Routes {
    /// The own transport of the mailbox that sends from `mail_from`, if it has one.
    pub async fn own_for_sender(&self, ctx: &AppContext, mail_from: &str) -> AppResult<Option<Arc<dyn Transport>>> {
        let found = mailbox::Entity::find()
            .filter(mailbox::Column::Address.eq(mail_from.trim().to_lowercase()))
            .filter(
                sea_orm::Condition::any()
                    .add(mailbox::Column::SmtpHost.is_not_null())
                    .add(mailbox::Column::GraphSend.eq(true)),
            )
            .one(ctx.db())
            .await?;
        found.map(|m| self.of_mailbox(ctx, &m)).transpose()
    }

    /// The mailbox's own transport, or the global one when it has none.
    pub fn of_mailbox(&self, ctx: &AppContext, m: &mailbox::Model) -> AppResult<Arc<dyn Transport>> {
        if m.graph_send {
            return Ok(Arc::new(crate::mail::graph::send::GraphSend {
                ctx: ctx.downgrade(),
                mailbox_id: m.id,
            }));
        }
        let Some(host) = m.smtp_host.clone() else {
            return Ok(ctx.outbound().transport.clone());
        };
        let fingerprint = {
            let mut h = Sha256::new();
            for part in [
                host.as_str(),
                &m.smtp_port.unwrap_or(587).to_string(),
                &m.smtp_tls,
                &m.smtp_auth,
                m.smtp_username.as_deref().unwrap_or(""),
                m.smtp_password_enc.as_deref().unwrap_or(""),
            ] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            hex::encode(h.finalize())
        };
        let mut own = self.own.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(built) = own.get(&m.id)
            && built.fingerprint == fingerprint
        {
            return Ok(built.transport.clone());
        }
        let global = &ctx.settings().smtp;
        let port = m.smtp_port.and_then(|p| u16::try_from(p).ok()).unwrap_or(587);
        if let Some(mechanism) = Mechanism::of(MailAuth::parse(&m.smtp_auth)) {
            let transport: Arc<dyn Transport> = Arc::new(OAuthSmtp {
                ctx: ctx.downgrade(),
                mailbox_id: m.id,
                host,
                port,
                tls: m.smtp_tls.clone(),
                username: m.smtp_username.clone().unwrap_or_default(),
                mechanism,
                ca_file: global.ca_file.clone(),
                timeout: Duration::from_secs(global.timeout_secs.max(1)),
            });
            own.insert(
                m.id,
                Built {
                    fingerprint,
                    transport: transport.clone(),
                },
            );
            return Ok(transport);
        }
        let password = match &m.smtp_password_enc {
            Some(enc) => crate::crypto::decrypt(ctx.keys(), enc)?,
            None => String::new(),
        };
        let settings = SmtpSettings {
            host,
            port,
            tls: m.smtp_tls.clone(),
            username: m.smtp_username.clone().unwrap_or_default(),
            password: SecretString::from(password),
            timeout_secs: global.timeout_secs,
            ca_file: global.ca_file.clone(),
        };
        let transport: Arc<dyn Transport> = Arc::new(Smtp::new(&settings)?);
        own.insert(
            m.id,
            Built {
                fingerprint,
                transport: transport.clone(),
            },
        );
        Ok(transport)
    }
}
