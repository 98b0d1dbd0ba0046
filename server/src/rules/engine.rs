//! Running the rules for an event. Order: ascending `position`, and within one event each
//! rule sees what the rules before it did — so of two rules setting the priority, the later
//! one wins (last write wins; there is no "first match stops").
//!
//! A rule's status or assignment change is itself an event and runs the rules listening to it,
//! breadth first. Two guards keep that finite, and neither ever fails the request:
//! - a rule fires at most once per originating event: a rule that would fire a second time
//!   (A sets pending, B sets open again, A again…) is stopped, with a `rule_loop_stopped`
//!   history row naming it;
//! - chains deeper than [`MAX_DEPTH`] stop, with a `rule_chain_capped` history row.

use std::collections::{BTreeSet, HashSet, VecDeque};

use chrono::{DateTime, Utc};
use entity::rule;
use protocol::{Action, Condition, DryRunRequest, DryRunResult, DryRunRule, EventKind, RuleEvent};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::change::Change;
use crate::error::{AppError, AppResult};
use crate::memo::Memoized;
use crate::rules::conditions::{Facts, matches};
use crate::rules::model::CompiledRule;
use crate::rules::{actions, facts};
use crate::tickets::events;

/// How many events deep a chain of rule-caused events may go (the original event is 0).
pub const MAX_DEPTH: usize = 5;

/// What the inbound mail knew that the database does not keep.
#[derive(Debug, Clone, Default)]
pub struct MailFacts {
    /// To and Cc addresses, lowercase.
    pub recipients: Vec<String>,
    pub auto_reply: bool,
    /// Sender authentication proved its `From:` domain.
    pub sender_verified: bool,
}

/// The change the rules react to.
#[derive(Debug, Clone, Default)]
pub struct Trigger {
    pub events: Vec<RuleEvent>,
    /// The message that came with it (a new ticket's first message, a reply…).
    pub message_id: Option<i64>,
    pub mail: Option<MailFacts>,
    /// When the event happened (business-hours conditions); now when not given.
    pub at: Option<DateTime<Utc>>,
    /// Of the rules listening to the original events, only this one (a time-based rule whose
    /// own timer ran out); the events its actions cause run every rule as usual.
    pub only_rule: Option<i64>,
}

impl Trigger {
    pub fn new(events: impl IntoIterator<Item = RuleEvent>) -> Self {
        Self {
            events: events.into_iter().collect(),
            ..Self::default()
        }
    }

    pub fn with_message(mut self, id: i64) -> Self {
        self.message_id = Some(id);
        self
    }

    pub fn with_mail(mut self, mail: MailFacts) -> Self {
        self.mail = Some(mail);
        self
    }

    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }

    pub fn only(mut self, rule_id: i64) -> Self {
        self.only_rule = Some(rule_id);
        self
    }
}

/// Whether a matching rule may fire now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    Fire,
    /// It fired already for this originating event.
    AlreadyFired,
    /// The chain is too deep.
    TooDeep,
}

/// The guards' memory for one originating event.
#[derive(Debug, Default)]
pub struct Chain {
    fired: HashSet<i64>,
    stopped: HashSet<i64>,
}

impl Chain {
    pub fn admit(&mut self, rule_id: i64, depth: usize) -> Admit {
        if depth > MAX_DEPTH {
            Admit::TooDeep
        } else if self.fired.insert(rule_id) {
            Admit::Fire
        } else {
            Admit::AlreadyFired
        }
    }

    /// True the first time `rule_id` is stopped (so it is recorded once).
    fn first_stop(&mut self, rule_id: i64) -> bool {
        self.stopped.insert(rule_id)
    }
}

/// Runs the enabled rules for `trigger` on ticket `ticket_id`, in the caller's transaction.
/// Returns how many rules fired.
pub async fn run(ch: &Change<'_>, ticket_id: i64, trigger: Trigger) -> AppResult<usize> {
    let db = ch.db();
    let rules = ch.memo().get_or_load(Enabled, || enabled(db)).await?;
    if rules.is_empty() || trigger.events.is_empty() {
        return Ok(0);
    }
    let calendars = calendars_of(&rules);
    let cx = facts::Context {
        message_id: trigger.message_id,
        mail: trigger.mail.as_ref(),
        at: trigger.at.unwrap_or_else(Utc::now),
        calendars: &calendars,
    };
    let mut queue: VecDeque<(RuleEvent, usize)> = trigger.events.iter().map(|e| (*e, 0)).collect();
    let mut chain = Chain::default();
    let mut facts: Option<Facts> = None;
    let mut fired = 0;
    while let Some((event, depth)) = queue.pop_front() {
        let listening = rules
            .iter()
            .filter(|r| r.event == event && (depth > 0 || trigger.only_rule.is_none_or(|id| id == r.id)));
        for rule in listening {
            if facts.is_none() {
                facts = Some(facts::load(db, ticket_id, &cx).await?);
            }
            if !facts.as_ref().is_some_and(|f| matches(rule, f)) {
                continue;
            }
            match chain.admit(rule.id, depth) {
                Admit::Fire => {}
                Admit::AlreadyFired => {
                    if chain.first_stop(rule.id) {
                        tracing::warn!(
                            ticket = ticket_id,
                            rule = rule.id,
                            "rule would fire twice for one event; stopped"
                        );
                        let why = format!("{} (rule {}) would fire twice for the same event", rule.name, rule.id);
                        events::record(db, ticket_id, None, EventKind::RuleLoopStopped, None, Some(why)).await?;
                    }
                    continue;
                }
                Admit::TooDeep => {
                    tracing::warn!(ticket = ticket_id, rule = rule.id, depth, "rule chain capped");
                    let why = format!(
                        "chain of rule-caused events deeper than {MAX_DEPTH}; {} (rule {}) and later rules did not run",
                        rule.name, rule.id
                    );
                    events::record(db, ticket_id, None, EventKind::RuleChainCapped, None, Some(why)).await?;
                    return Ok(fired);
                }
            }
            tracing::info!(
                ticket = ticket_id,
                rule = rule.id,
                event = event.as_str(),
                depth,
                "rule fired"
            );
            let caused = actions::apply(ch, ticket_id, rule, event).await?;
            fired += 1;
            queue.extend(caused.into_iter().map(|e| (e, depth + 1)));
            // The rule changed the ticket: later rules must see it.
            facts = None;
        }
    }
    Ok(fired)
}

/// The business calendars the rules' conditions mention, so facts load only those.
fn calendars_of(rules: &[CompiledRule]) -> Vec<i64> {
    let ids: BTreeSet<i64> = rules
        .iter()
        .flat_map(|r| &r.conditions)
        .filter_map(|c| match c.condition {
            Condition::BusinessHours { calendar_id, .. } => Some(calendar_id),
            _ => None,
        })
        .collect();
    ids.into_iter().collect()
}

/// The enabled rules in order, as a change read them first.
#[derive(Hash, PartialEq, Eq)]
struct Enabled;
impl Memoized for Enabled {
    type Value = Vec<CompiledRule>;
}

async fn enabled(db: &impl ConnectionTrait) -> AppResult<Vec<CompiledRule>> {
    ordered(db, true).await?.iter().map(CompiledRule::from_row).collect()
}

pub async fn ordered(db: &impl ConnectionTrait, only_enabled: bool) -> AppResult<Vec<rule::Model>> {
    let mut q = rule::Entity::find()
        .order_by_asc(rule::Column::Position)
        .order_by_asc(rule::Column::Id);
    if only_enabled {
        q = q.filter(rule::Column::Enabled.eq(true));
    }
    Ok(q.all(db).await?)
}

/// Which rules would match the ticket as it is now, each judged on its own (no chaining);
/// reads only. Message conditions look at the latest public message; recipients are only
/// known while a mail is being applied, so recipient conditions do not match here.
pub async fn dry_run(db: &impl ConnectionTrait, req: &DryRunRequest) -> AppResult<DryRunResult> {
    let rows = match req.rule_id {
        Some(id) => vec![
            rule::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::validation(format!("rule_id: no rule {id}")))?,
        ],
        None => ordered(db, true).await?,
    };
    let compiled = rows.iter().map(CompiledRule::from_row).collect::<AppResult<Vec<_>>>()?;
    let calendars = calendars_of(&compiled);
    let cx = facts::Context {
        message_id: None,
        mail: None,
        at: Utc::now(),
        calendars: &calendars,
    };
    let facts = match facts::load(db, req.ticket_id, &cx).await {
        Err(AppError::NotFound(_)) => {
            return Err(AppError::validation(format!("ticket_id: no ticket {}", req.ticket_id)));
        }
        other => other?,
    };
    let mut rules = Vec::new();
    for rule in compiled {
        if req.event.is_some_and(|e| e != rule.event) {
            continue;
        }
        let matched = matches(&rule, &facts);
        let actions: Vec<Action> = if matched { rule.actions.clone() } else { vec![] };
        rules.push(DryRunRule {
            rule_id: rule.id,
            name: rule.name,
            event: rule.event,
            matched,
            actions,
        });
    }
    Ok(DryRunResult {
        ticket_id: req.ticket_id,
        rules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_fires_once_per_originating_event() {
        let mut chain = Chain::default();
        assert_eq!(chain.admit(1, 0), Admit::Fire);
        assert_eq!(chain.admit(2, 1), Admit::Fire);
        assert_eq!(chain.admit(1, 2), Admit::AlreadyFired);
        assert!(chain.first_stop(1));
        assert!(!chain.first_stop(1), "a stop is recorded once");
    }

    #[test]
    fn chains_deeper_than_the_cap_stop() {
        let mut chain = Chain::default();
        for depth in 0..=MAX_DEPTH {
            assert_eq!(chain.admit(depth as i64, depth), Admit::Fire);
        }
        assert_eq!(chain.admit(99, MAX_DEPTH + 1), Admit::TooDeep);
    }
}
