//! Patching the queue on screen with a ticket that changed live, roughly as the server would
//! list it: a change is applied in place, a ticket that stopped matching the filters leaves,
//! and a newly matching one comes in on top of the first page.

use protocol::Ticket;
use protocol::live::ChangeKind;

use crate::filter::{PER_PAGE, QueueFilter};

/// What applying a change did to the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The ticket was on screen at this version (now replaced or removed).
    WasAt(i64),
    Inserted,
    Ignored,
}

/// The list shown and the pager's total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueList {
    pub items: Vec<Ticket>,
    pub total: u64,
}

impl QueueList {
    /// Applies a changed ticket.
    pub fn apply(&mut self, filter: &QueueFilter, me: Option<i64>, change: ChangeKind, t: Ticket) -> Outcome {
        let matches = filter.matches(&t, me);
        match self.items.iter().position(|x| x.id == t.id) {
            // Frames may overtake a fetch: never go back to an older version.
            Some(i) if self.items[i].version > t.version => Outcome::Ignored,
            Some(i) if matches => Outcome::WasAt(std::mem::replace(&mut self.items[i], t).version),
            Some(i) => {
                let old = self.items.remove(i);
                self.total = self.total.saturating_sub(1);
                Outcome::WasAt(old.version)
            }
            None if matches && filter.page == 1 => {
                // A new ticket belongs on top of "newest" and "recently updated"; an older
                // ticket that changed only of the latter (it may sit on another page otherwise).
                if change == ChangeKind::Created || filter.by_recent_change() {
                    if change == ChangeKind::Created {
                        self.total += 1;
                    }
                    self.items.insert(0, t);
                    self.items.truncate(usize::try_from(PER_PAGE).unwrap_or(usize::MAX));
                    return Outcome::Inserted;
                }
                Outcome::Ignored
            }
            None => Outcome::Ignored,
        }
    }
}
