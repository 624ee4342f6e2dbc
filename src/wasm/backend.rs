//! The storage backend behind a Store, with one async API: every method reads what it needs,
//! lets a core transition decide, and writes the result in one step. The memory backend does
//! that synchronously; the IndexedDB backend does it in one readwrite transaction.

use std::cell::RefCell;

use crate::entry_id::{EntryId, StoreUid};
use crate::error::Result;
use crate::message::MessageContent;
use crate::queue::Failure;
use crate::spool::Storage;
use crate::store::rows::{ContentsRow, QueueRow};
use crate::store::transitions::{Access, Base, Hurry, Opened, SubmitInput};
use crate::store::{
    borrow_memory, due, Event, Finished, Folder, MemoryStore, Progress, StoredMessage,
};

use super::idb::{IdbStore, Leadership};

pub enum Backend {
    Memory(RefCell<MemoryStore>),
    IndexedDb(IdbStore),
}

impl Backend {
    pub fn memory(store: MemoryStore) -> Backend {
        Backend::Memory(RefCell::new(store))
    }

    pub fn uid(&self) -> StoreUid {
        match self {
            Backend::Memory(m) => m.borrow().uid(),
            Backend::IndexedDb(db) => db.uid(),
        }
    }

    /// Tells the other store objects of the same database (other tabs) about changes.
    pub fn broadcast(&self, events: &[Event]) {
        if let Backend::IndexedDb(db) = self {
            db.broadcast(events);
        }
    }

    pub fn close(&self) {
        if let Backend::IndexedDb(db) = self {
            db.close();
        }
    }

    /// The spooler leadership of this database; None for the memory backend, whose store
    /// object is never shared (it always leads).
    pub async fn lead(&self, owner: &str) -> Result<Option<Leadership>> {
        match self {
            Backend::Memory(_) => Ok(None),
            Backend::IndexedDb(db) => db.lead(owner).await.map(Some),
        }
    }

    pub async fn save(
        &self,
        base: Base,
        content: &MessageContent,
        force: bool,
    ) -> Result<StoredMessage> {
        match self {
            Backend::Memory(m) => borrow_memory(m)?.save(&base, content, force),
            Backend::IndexedDb(db) => db.save(&base, content, force).await,
        }
    }

    pub async fn submit(
        &self,
        base: Base,
        content: &MessageContent,
        input: SubmitInput,
    ) -> Result<(StoredMessage, Vec<Event>)> {
        match self {
            Backend::Memory(m) => borrow_memory(m)?
                .submit(&base, content, input)
                .map(|(rec, _, events)| (rec, events)),
            Backend::IndexedDb(db) => db.submit(&base, content, input).await,
        }
    }

    pub async fn abort(&self, id: EntryId) -> Result<Vec<Event>> {
        match self {
            Backend::Memory(m) => borrow_memory(m)?.abort(&id),
            Backend::IndexedDb(db) => db.abort(&id).await,
        }
    }

    pub async fn delete(&self, id: EntryId) -> Result<()> {
        match self {
            Backend::Memory(m) => borrow_memory(m)?.delete(&id),
            Backend::IndexedDb(db) => db.delete(&id).await,
        }
    }

    pub async fn open(&self, id: EntryId, access: Access) -> Result<Opened> {
        match self {
            Backend::Memory(m) => borrow_memory(m)?.open(&id, access),
            Backend::IndexedDb(db) => db.open(&id, access).await,
        }
    }

    pub async fn corrupt(&self, id: EntryId) -> Result<()> {
        match self {
            Backend::Memory(m) => borrow_memory(m)?.corrupt(&id),
            Backend::IndexedDb(db) => db.corrupt(&id).await,
        }
    }

    pub async fn queue_rows(&self) -> Result<Vec<QueueRow>> {
        Ok(match self {
            Backend::Memory(m) => borrow_memory(m)?
                .outgoing_queue()
                .filter_map(QueueRow::of)
                .collect(),
            Backend::IndexedDb(db) => {
                let (good, damaged) = db.queue_listing().await?;
                let rows = good.iter().filter_map(QueueRow::of);
                rows.chain(damaged.into_iter().map(QueueRow::damaged))
                    .collect()
            }
        })
    }

    pub async fn contents_rows(&self, folder: Folder) -> Result<Vec<ContentsRow>> {
        Ok(match self {
            Backend::Memory(m) => borrow_memory(m)?
                .contents(folder)
                .map(ContentsRow::of)
                .collect(),
            Backend::IndexedDb(db) => db
                .contents(folder)
                .await?
                .iter()
                .map(ContentsRow::of)
                .collect(),
        })
    }

    // The spooler's operations. `types` is None for a full spooler, else the address types
    // of the only transport this store object has (a coupled one).

    /// The owners of unexpired locks held by other spoolers (whose liveness the spooler
    /// asks the browser about).
    pub async fn lock_holders(&self, now: i64, me: &str) -> Result<Vec<String>> {
        match self {
            Backend::Memory(_) => Ok(Vec::new()),
            Backend::IndexedDb(db) => Ok(due::lock_holders(db.queued().await?.iter(), now, me)),
        }
    }

    /// retryNow / sendNow of one message: whether it changed.
    pub async fn hurry(&self, id: EntryId, how: Hurry, now: i64) -> Result<bool> {
        match self {
            Backend::Memory(m) => borrow_memory(m)?.hurry(&id, how, now),
            Backend::IndexedDb(db) => db.hurry(&id, how, now).await,
        }
    }

    /// retryNow of every queued message: how many became due.
    pub async fn retry_all(&self, now: i64) -> Result<u32> {
        match self {
            Backend::Memory(m) => Ok(borrow_memory(m)?.retry_all(now)),
            Backend::IndexedDb(db) => db.retry_all(now).await,
        }
    }

    /// What flush() resolves with: the number still queued, when the first becomes due.
    pub async fn remaining(&self, now: i64) -> Result<(u32, Option<i64>)> {
        match self {
            Backend::Memory(m) => Ok(borrow_memory(m)?.remaining(now)),
            Backend::IndexedDb(db) => Ok(due::remaining(db.queued().await?.iter(), now)),
        }
    }
}

/// The spooler's queue operations (`spool::Storage`): the memory store's own, or one
/// readwrite transaction each on IndexedDB.
impl Storage for Backend {
    /// `dead`: lock holders known to have died (their locks are taken over at once).
    async fn next_due(
        &self,
        now: i64,
        types: Option<&[String]>,
        dead: &[String],
    ) -> Result<Option<EntryId>> {
        match self {
            Backend::Memory(m) => m.next_due(now, types, dead).await,
            Backend::IndexedDb(db) => db.next_due(now, types, dead).await,
        }
    }

    async fn next_wake(&self, now: i64, types: Option<&[String]>) -> Result<Option<i64>> {
        match self {
            Backend::Memory(m) => m.next_wake(now, types).await,
            Backend::IndexedDb(db) => Ok(due::next_wake(db.queued().await?.iter(), now, types)),
        }
    }

    /// Atomically checks that the message may go now and locks it for `owner` (one
    /// readwrite transaction on IndexedDB: two tabs never both lock it).
    async fn lock(
        &self,
        id: EntryId,
        owner: &str,
        now: i64,
        lease_ms: i64,
        dead: &[String],
    ) -> Result<StoredMessage> {
        match self {
            Backend::Memory(m) => m.lock(id, owner, now, lease_ms, dead).await,
            Backend::IndexedDb(db) => db.lock(&id, owner, now, lease_ms, dead).await,
        }
    }

    async fn renew(&self, id: EntryId, owner: &str, until: i64) -> Result<()> {
        match self {
            Backend::Memory(m) => m.renew(id, owner, until).await,
            Backend::IndexedDb(db) => db.renew(&id, owner, until).await,
        }
    }

    async fn release_for_retry(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
        error: &str,
        next_at: i64,
        outcome_unknown: bool,
    ) -> Result<StoredMessage> {
        match self {
            Backend::Memory(m) => {
                m.release_for_retry(id, owner, progress, error, next_at, outcome_unknown)
                    .await
            }
            Backend::IndexedDb(db) => {
                db.release_for_retry(&id, owner, progress, error, next_at, outcome_unknown)
                    .await
            }
        }
    }

    async fn release_partial(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
    ) -> Result<()> {
        match self {
            Backend::Memory(m) => m.release_partial(id, owner, progress).await,
            Backend::IndexedDb(db) => db.release_partial(&id, owner, progress).await,
        }
    }

    /// Moves (new id) or deletes the finished message and files the NDR, in one step.
    async fn finish(
        &self,
        id: EntryId,
        owner: &str,
        content: &MessageContent,
        failed: &[Failure],
        uids: ([u8; 16], [u8; 16]),
        now: i64,
    ) -> Result<Finished> {
        match self {
            Backend::Memory(m) => m.finish(id, owner, content, failed, uids, now).await,
            Backend::IndexedDb(db) => db.finish(&id, owner, content, failed, uids, now).await,
        }
    }
}
