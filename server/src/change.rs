//! The unit of work: one change to tickets, from opening its transaction to telling the world.
//!
//! A [`Change`] is opened from the application context by whoever acts (a route, a worker), is
//! handed to the domain functions that write (they run on [`Change::db`] and say which tickets
//! they touched with [`Change::touched`]), and ends with [`Change::commit`]: the transaction
//! commits, and only then are the touched tickets published on the bus (read together, once) and
//! the outbound sender woken for whatever mail the change queued. Nobody publishes by hand, and
//! nothing is published for a change that did not commit: dropping a `Change` rolls it back.
//!
//! The change also carries what its writers share: the application's services ([`Change::ctx`]:
//! settings, keys, blobs, DKIM, search), a [`Memo`] of the configuration rows it read, and — for
//! a batch of inbound mail — the [`WriteBehind`] buffer of rows written just before the commit.

use std::sync::{Mutex, PoisonError};

use protocol::live::ChangeKind;
use sea_orm::{DatabaseTransaction, TransactionTrait};

use crate::context::AppContext;
use crate::error::AppResult;
use crate::memo::Memo;
use crate::realtime::publish::Changed;
use crate::write_behind::WriteBehind;

pub struct Change<'c> {
    ctx: &'c AppContext,
    txn: DatabaseTransaction,
    /// Who acts (None: the system — a rule timer, the SLA clock, the mail pipeline).
    actor: Option<i64>,
    /// Configuration rows read once for the whole change.
    memo: Memo,
    /// Rows kept aside and written by [`Change::commit`] just before the transaction commits.
    write_behind: Option<WriteBehind>,
    /// Interior: domain functions share the change by `&` while holding its transaction.
    touched: Mutex<Vec<Changed>>,
    /// Whether the commit wakes the outbound sender (not when the sender itself is the actor).
    wake_sender: bool,
}

impl<'c> Change<'c> {
    /// Opens a change made by `actor`.
    pub async fn open(ctx: &'c AppContext, actor: Option<i64>) -> AppResult<Self> {
        Ok(Self {
            txn: ctx.db().begin().await?,
            ctx,
            actor,
            memo: Memo::default(),
            write_behind: None,
            touched: Mutex::new(Vec::new()),
            wake_sender: true,
        })
    }

    /// A change made by the outbound sender itself: its commit need not wake it again.
    pub fn by_sender(mut self) -> Self {
        self.wake_sender = false;
        self
    }

    /// Lets the change keep append-only rows aside (see [`WriteBehind`]); the commit writes them.
    pub fn with_write_behind(mut self) -> Self {
        self.write_behind = Some(WriteBehind::default());
        self
    }

    /// The change's transaction: every read and write of the change goes through it.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The services the change's writers use (settings, keys, blobs, DKIM, search).
    pub fn ctx(&self) -> &'c AppContext {
        self.ctx
    }

    pub fn memo(&self) -> &Memo {
        &self.memo
    }

    pub fn write_behind(&self) -> Option<&WriteBehind> {
        self.write_behind.as_ref()
    }

    pub fn actor(&self) -> Option<i64> {
        self.actor
    }

    /// Records that `ticket_id` changed (with `message_id` for a new message or note), to be
    /// published after the commit. A ticket touched twice is published once per distinct kind.
    pub fn touched(&self, ticket_id: i64, change: ChangeKind, message_id: Option<i64>) {
        let mut touched = self.touched.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = Changed {
            ticket_id,
            change,
            message_id,
            actor_id: self.actor,
        };
        if !touched
            .iter()
            .any(|c| c.ticket_id == ticket_id && c.change == change && c.message_id == message_id)
        {
            touched.push(entry);
        }
    }

    /// Writes what was kept aside, commits, then publishes every touched ticket and wakes the
    /// outbound sender (a change may have queued mail; waking an idle sender costs nothing).
    pub async fn commit(self) -> AppResult<()> {
        let Self {
            ctx,
            txn,
            touched,
            wake_sender,
            write_behind,
            ..
        } = self;
        if let Some(behind) = write_behind {
            behind.flush(&txn).await?;
        }
        txn.commit().await?;
        let touched = touched.into_inner().unwrap_or_else(PoisonError::into_inner);
        if wake_sender {
            ctx.wake_sender();
        }
        if !touched.is_empty() {
            ctx.realtime().tickets_changed(ctx.db(), &touched).await;
        }
        Ok(())
    }
}
