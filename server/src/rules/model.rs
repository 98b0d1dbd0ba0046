//! A rule as the engine uses it: typed, with its text matchers prepared once.

use entity::rule;
use protocol::{Action, Condition, MatchMode, Rule, RuleEvent, TextOp};
use regex::{Regex, RegexBuilder};

use crate::error::{AppError, AppResult};
use crate::rules::secrets::{self, StoredAction, StoredSecret};

/// Keeps an admin's pattern from compiling into a huge automaton.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A case-insensitive text test.
#[derive(Debug, Clone)]
pub enum TextMatcher {
    Contains(String),
    StartsWith(String),
    Equals(String),
    Regex(Regex),
}

impl TextMatcher {
    pub fn new(op: TextOp, value: &str) -> Result<Self, regex::Error> {
        let lower = value.to_lowercase();
        Ok(match op {
            TextOp::Contains => Self::Contains(lower),
            TextOp::StartsWith => Self::StartsWith(lower),
            TextOp::Equals => Self::Equals(lower),
            TextOp::Regex => Self::Regex(
                RegexBuilder::new(value)
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()?,
            ),
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Self::Regex(re) => re.is_match(text),
            Self::Contains(v) => text.to_lowercase().contains(v.as_str()),
            Self::StartsWith(v) => text.to_lowercase().starts_with(v.as_str()),
            Self::Equals(v) => text.trim().to_lowercase() == *v.trim(),
        }
    }
}

/// A condition with its text matcher (for the text kinds) compiled.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub condition: Condition,
    pub text: Option<TextMatcher>,
}

impl Compiled {
    pub fn new(condition: Condition) -> Result<Self, regex::Error> {
        let text = match &condition {
            Condition::Recipient { op, value }
            | Condition::Sender { op, value }
            | Condition::SenderDomain { op, value }
            | Condition::Subject { op, value }
            | Condition::Body { op, value }
            | Condition::CustomField { op, value, .. } => Some(TextMatcher::new(*op, value)?),
            _ => None,
        };
        Ok(Self { condition, text })
    }
}

#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    pub event: RuleEvent,
    pub idle_hours: Option<u32>,
    pub mode: MatchMode,
    pub conditions: Vec<Compiled>,
    /// As answers show them (webhook secrets left out).
    pub actions: Vec<Action>,
    /// The webhook secret of each action (`None` for the other kinds), same order.
    pub secrets: Vec<Option<StoredSecret>>,
}

impl CompiledRule {
    /// A stored row; it was validated when saved, so a failure here means the row was edited
    /// by hand or the format changed: an internal error, logged with the rule's id.
    pub fn from_row(row: &rule::Model) -> AppResult<Self> {
        let dto = to_dto(row.clone())?;
        let conditions = dto
            .conditions
            .into_iter()
            .map(Compiled::new)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(row.id, e))?;
        let secrets = secrets::parse(&row.actions)
            .map_err(|e| corrupt(row.id, e))?
            .iter()
            .map(|a| match a {
                StoredAction::Webhook(w) => w.secret(),
                StoredAction::Other(_) => None,
            })
            .collect();
        Ok(Self {
            id: dto.id,
            name: dto.name,
            enabled: dto.enabled,
            event: dto.event,
            idle_hours: dto.idle_hours,
            mode: dto.match_mode,
            conditions,
            actions: dto.actions,
            secrets,
        })
    }
}

pub fn to_dto(row: rule::Model) -> AppResult<Rule> {
    let id = row.id;
    let event = RuleEvent::parse(&row.event).ok_or_else(|| corrupt(id, format!("event {:?}", row.event)))?;
    let match_mode = match row.match_mode.as_str() {
        "any" => MatchMode::Any,
        "all" => MatchMode::All,
        other => return Err(corrupt(id, format!("match mode {other:?}"))),
    };
    Ok(Rule {
        id,
        name: row.name,
        enabled: row.enabled,
        position: row.position,
        event,
        idle_hours: row.idle_hours.and_then(|h| u32::try_from(h).ok()),
        match_mode,
        conditions: serde_json::from_str(&row.conditions).map_err(|e| corrupt(id, e))?,
        actions: secrets::to_wire(secrets::parse(&row.actions).map_err(|e| corrupt(id, e))?),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub fn match_mode_str(m: MatchMode) -> &'static str {
    match m {
        MatchMode::All => "all",
        MatchMode::Any => "any",
    }
}

fn corrupt(id: i64, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("rule {id} is stored in an unreadable form: {e}"))
}
