//! The storage backend behind a Store, with one async API: every method reads what it needs,
//! lets a core transition decide, and writes the result in one step. The memory backend does
//! that synchronously; the IndexedDB backend does it in one readwrite transaction.

use std::cell::{RefCell, RefMut};

use crate::entry_id::EntryId;
use crate::error::Result;
use crate::mapi_err;
use crate::message::MessageContent;
use crate::queue::Failure;
use crate::store::rows::{ContentsRow, QueueRow};
use crate::store::transitions::{Access, Base, Opened, SubmitInput};
use crate::store::{Event, Finished, Folder, MemoryStore, Progress, StoredMessage};

pub enum Backend {
    Memory(RefCell<MemoryStore>),
}

impl Backend {
    pub fn memory(store: MemoryStore) -> Backend {
        Backend::Memory(RefCell::new(store))
    }

    /// The memory store. No JS runs while it is borrowed, so a conflict cannot happen; if it
    /// ever did, it is reported as busy rather than a panic.
    fn mem(&self) -> Result<RefMut<'_, MemoryStore>> {
        match self {
            Backend::Memory(m) => m
                .try_borrow_mut()
                .map_err(|_| mapi_err!(Busy, "the store is busy with another call")),
        }
    }

    pub async fn save(
        &self,
        base: Base,
        content: &MessageContent,
        force: bool,
    ) -> Result<StoredMessage> {
        self.mem()?.save(&base, content, force)
    }

    pub async fn submit(
        &self,
        base: Base,
        content: &MessageContent,
        input: SubmitInput,
    ) -> Result<(StoredMessage, Vec<Event>)> {
        self.mem()?
            .submit(&base, content, input)
            .map(|(rec, _, events)| (rec, events))
    }

    pub async fn abort(&self, id: EntryId) -> Result<Vec<Event>> {
        self.mem()?.abort(&id)
    }

    pub async fn delete(&self, id: EntryId) -> Result<()> {
        self.mem()?.delete(&id)
    }

    pub async fn open(&self, id: EntryId, access: Access) -> Result<Opened> {
        self.mem()?.open(&id, access)
    }

    pub async fn corrupt(&self, id: EntryId) -> Result<()> {
        self.mem()?.corrupt(&id)
    }

    pub async fn queue_rows(&self) -> Result<Vec<QueueRow>> {
        Ok(self
            .mem()?
            .outgoing_queue()
            .filter_map(QueueRow::of)
            .collect())
    }

    pub async fn contents_rows(&self, folder: Folder) -> Result<Vec<ContentsRow>> {
        Ok(self.mem()?.contents(folder).map(ContentsRow::of).collect())
    }

    // The spooler's operations. `types` is None for a full spooler, else the address types
    // of the only transport this store object has (a coupled one).

    pub async fn next_due(&self, now: i64, types: Option<&[String]>) -> Result<Option<EntryId>> {
        Ok(self.mem()?.next_due(now, types))
    }

    pub async fn next_wake(&self, now: i64, types: Option<&[String]>) -> Result<Option<i64>> {
        Ok(self.mem()?.next_wake(now, types))
    }

    /// Atomically checks that the message may go now and locks it for `owner`.
    pub async fn lock(
        &self,
        id: EntryId,
        owner: &str,
        now: i64,
        lease_ms: i64,
    ) -> Result<StoredMessage> {
        self.mem()?.lock(&id, owner, now, lease_ms)
    }

    pub async fn renew(&self, id: EntryId, owner: &str, until: i64) -> Result<()> {
        self.mem()?.renew(&id, owner, until)
    }

    pub async fn release_for_retry(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
        error: &str,
        next_at: i64,
        outcome_unknown: bool,
    ) -> Result<StoredMessage> {
        self.mem()?
            .release_for_retry(&id, owner, progress, error, next_at, outcome_unknown)
    }

    pub async fn release_partial(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
    ) -> Result<()> {
        self.mem()?.release_partial(&id, owner, progress)
    }

    /// Moves (new id) or deletes the finished message and files the NDR, in one step.
    pub async fn finish(
        &self,
        id: EntryId,
        owner: &str,
        content: &MessageContent,
        failed: &[Failure],
        uids: ([u8; 16], [u8; 16]),
        now: i64,
    ) -> Result<Finished> {
        self.mem()?.finish(&id, owner, content, failed, uids, now)
    }
}
