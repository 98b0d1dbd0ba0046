//! Webhook secrets of rules are write-only. They are sealed with the server's encryption key
//! ([`crate::crypto`]) before a rule is stored, never sent back (answers say only
//! `secret_set`), and unsealed only by the sender, to sign a call. A webhook delivery keeps
//! the sealed secret too, so neither table holds one in clear.
//!
//! Rules saved before this kept `"secret"` in clear inside their actions: they are still read,
//! and [`seal_stored`] seals them at start-up. Deliveries written then were marked `clear:` by
//! migration `m20261207_000011_mark_clear_webhook_secrets`.

use entity::{rule, webhook_delivery};
use protocol::Action;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use crate::crypto;
use crate::error::{AppError, AppResult};
use crate::keys::Keys;

/// Prefix of a delivery's secret sealed with [`crypto::encrypt`].
const SEALED: &str = "sealed:";
/// Prefix the migration gave the secrets of deliveries written in clear.
const CLEAR: &str = "clear:";

/// One entry of `rules.actions` as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StoredAction {
    Webhook(StoredWebhook),
    Other(Action),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredWebhook {
    kind: WebhookKind,
    pub url: String,
    /// [`crypto::encrypt`] of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_sealed: Option<String>,
    /// The secret in clear, as rules saved before sealing have it (read, never written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WebhookKind {
    Webhook,
}

/// A webhook action's secret as the engine holds it until a delivery is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredSecret {
    Sealed(String),
    Clear(String),
}

impl StoredWebhook {
    pub fn secret(&self) -> Option<StoredSecret> {
        match (&self.secret_sealed, &self.secret) {
            (Some(s), _) => Some(StoredSecret::Sealed(s.clone())),
            (None, Some(s)) => Some(StoredSecret::Clear(s.clone())),
            (None, None) => None,
        }
    }

    fn sealed(&self, keys: &Keys) -> AppResult<Option<String>> {
        self.secret().map(|s| s.sealed(keys)).transpose()
    }
}

impl StoredSecret {
    fn sealed(&self, keys: &Keys) -> AppResult<String> {
        match self {
            Self::Sealed(s) => Ok(s.clone()),
            Self::Clear(s) => Ok(crypto::encrypt(keys, s)?),
        }
    }

    /// The value of `webhook_deliveries.secret`.
    pub fn for_delivery(&self, keys: &Keys) -> AppResult<String> {
        Ok(format!("{SEALED}{}", self.sealed(keys)?))
    }
}

/// The secret to sign a delivery with, from its `webhook_deliveries.secret`.
pub fn delivery_secret(keys: &Keys, stored: &str) -> anyhow::Result<String> {
    if let Some(sealed) = stored.strip_prefix(SEALED) {
        crypto::decrypt(keys, sealed)
    } else if let Some(clear) = stored.strip_prefix(CLEAR) {
        Ok(clear.to_owned())
    } else {
        anyhow::bail!("the delivery's secret is stored in an unknown form")
    }
}

/// `rules.actions` as stored.
pub fn parse(stored: &str) -> serde_json::Result<Vec<StoredAction>> {
    serde_json::from_str(stored)
}

/// The actions as answers show them: webhook secrets left out, `secret_set` said.
pub fn to_wire(stored: Vec<StoredAction>) -> Vec<Action> {
    stored
        .into_iter()
        .map(|a| match a {
            StoredAction::Other(a) => a,
            StoredAction::Webhook(w) => Action::Webhook {
                secret_set: w.secret().is_some(),
                url: w.url,
                secret: None,
            },
        })
        .collect()
}

/// The actions of a save request as they will be stored: each webhook secret sealed, or,
/// when the request leaves it out, taken from the `previous` webhook action with the same
/// url. `Err` is the index of a webhook action that has no secret either way.
pub fn seal(keys: &Keys, actions: &[Action], previous: &[StoredAction]) -> AppResult<Result<String, usize>> {
    let mut out = Vec::with_capacity(actions.len());
    for (i, a) in actions.iter().enumerate() {
        let Action::Webhook { url, secret, .. } = a else {
            out.push(StoredAction::Other(a.clone()));
            continue;
        };
        let sealed = match secret {
            Some(s) => Some(crypto::encrypt(keys, s)?),
            None => match previous.iter().find_map(|p| match p {
                StoredAction::Webhook(w) if w.url == *url => Some(w),
                _ => None,
            }) {
                Some(w) => w.sealed(keys)?,
                None => None,
            },
        };
        let Some(sealed) = sealed else { return Ok(Err(i)) };
        out.push(StoredAction::Webhook(StoredWebhook {
            kind: WebhookKind::Webhook,
            url: url.clone(),
            secret_sealed: Some(sealed),
            secret: None,
        }));
    }
    serde_json::to_string(&out)
        .map(Ok)
        .map_err(|e| AppError::Internal(e.into()))
}

/// Seals the secrets still kept in clear: in rules saved, and deliveries written, before
/// secrets were sealed. Run at start-up; returns how many rows it rewrote.
pub async fn seal_stored(db: &impl ConnectionTrait, keys: &Keys) -> AppResult<u64> {
    let mut rewritten = 0;
    for row in rule::Entity::find().all(db).await? {
        let Ok(stored) = parse(&row.actions) else { continue };
        let clear = stored
            .iter()
            .any(|a| matches!(a, StoredAction::Webhook(w) if w.secret_sealed.is_none()));
        if !clear {
            continue;
        }
        let mut sealed = Vec::with_capacity(stored.len());
        for a in stored {
            sealed.push(match a {
                StoredAction::Webhook(w) => StoredAction::Webhook(StoredWebhook {
                    secret_sealed: w.sealed(keys)?,
                    secret: None,
                    ..w
                }),
                other => other,
            });
        }
        let mut active = row.into_active_model();
        active.actions = Set(serde_json::to_string(&sealed).map_err(|e| AppError::Internal(e.into()))?);
        active.update(db).await?;
        rewritten += 1;
    }
    let clear = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Secret.starts_with(CLEAR))
        .all(db)
        .await?;
    for d in clear {
        let secret = StoredSecret::Clear(d.secret.trim_start_matches(CLEAR).to_owned()).for_delivery(keys)?;
        // Only if unchanged meanwhile (another node sealing it at the same start-up).
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Secret, Expr::value(secret))
            .filter(webhook_delivery::Column::Id.eq(d.id))
            .filter(webhook_delivery::Column::Secret.eq(d.secret))
            .exec(db)
            .await?;
        rewritten += 1;
    }
    Ok(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::fixed(7)
    }

    fn webhook(url: &str, secret: Option<&str>) -> Action {
        Action::Webhook {
            url: url.into(),
            secret: secret.map(str::to_owned),
            secret_set: false,
        }
    }

    #[test]
    fn stored_secrets_are_sealed_and_answers_only_say_one_is_set() {
        let k = keys();
        let actions = [
            Action::Close {},
            webhook("https://h.example/a", Some("the-shared-secret-1")),
        ];
        let stored = seal(&k, &actions, &[]).unwrap().unwrap();
        assert!(!stored.contains("the-shared-secret-1"), "{stored}");
        let parsed = parse(&stored).unwrap();
        let StoredAction::Webhook(w) = &parsed[1] else {
            panic!("{parsed:?}")
        };
        let Some(StoredSecret::Sealed(sealed)) = w.secret() else {
            panic!("{w:?}")
        };
        assert_eq!(crypto::decrypt(&k, &sealed).unwrap(), "the-shared-secret-1");
        let wire = to_wire(parsed);
        assert_eq!(wire[0], Action::Close {});
        assert_eq!(
            wire[1],
            Action::Webhook {
                url: "https://h.example/a".into(),
                secret: None,
                secret_set: true
            }
        );
        assert!(!serde_json::to_string(&wire).unwrap().contains("\"secret\""));
    }

    #[test]
    fn a_save_without_a_secret_keeps_the_one_of_the_same_url() {
        let k = keys();
        let first = seal(&k, &[webhook("https://h.example/a", Some("the-shared-secret-1"))], &[])
            .unwrap()
            .unwrap();
        let previous = parse(&first).unwrap();
        let kept = seal(&k, &[Action::Close {}, webhook("https://h.example/a", None)], &previous)
            .unwrap()
            .unwrap();
        let StoredAction::Webhook(w) = &parse(&kept).unwrap()[1] else {
            panic!()
        };
        let secret = w.secret().unwrap().for_delivery(&k).unwrap();
        assert_eq!(delivery_secret(&k, &secret).unwrap(), "the-shared-secret-1");
        // Another url is another receiver: it needs its own secret.
        assert_eq!(
            seal(&k, &[webhook("https://other.example/", None)], &previous).unwrap(),
            Err(0)
        );
    }

    #[test]
    fn secrets_stored_in_clear_before_sealing_still_sign() {
        let k = keys();
        let legacy = r#"[{"kind":"webhook","url":"https://h.example/a","secret":"old-clear-secret-1"}]"#;
        let parsed = parse(legacy).unwrap();
        let StoredAction::Webhook(w) = &parsed[0] else {
            panic!("{parsed:?}")
        };
        assert_eq!(w.secret(), Some(StoredSecret::Clear("old-clear-secret-1".into())));
        let delivery = w.secret().unwrap().for_delivery(&k).unwrap();
        assert!(!delivery.contains("old-clear-secret-1"));
        assert_eq!(delivery_secret(&k, &delivery).unwrap(), "old-clear-secret-1");
        assert_eq!(
            delivery_secret(&k, "clear:old-clear-secret-1").unwrap(),
            "old-clear-secret-1"
        );
        assert!(delivery_secret(&k, "old-clear-secret-1").is_err());
        assert!(to_wire(parsed).iter().all(|a| matches!(
            a,
            Action::Webhook {
                secret: None,
                secret_set: true,
                ..
            }
        )));
    }
}
