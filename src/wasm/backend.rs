//! The storage backend behind a Store, with one async API: every method reads what it needs,
//! lets a core transition decide, and writes the result in one step. The memory backend does
//! that synchronously; the IndexedDB backend does it in one readwrite transaction.

use std::cell::{RefCell, RefMut};

use crate::entry_id::EntryId;
use crate::error::Result;
use crate::mapi_err;
use crate::message::MessageContent;
use crate::store::rows::{ContentsRow, QueueRow};
use crate::store::transitions::{Access, Base, Opened, SubmitInput};
use crate::store::{Event, Folder, MemoryStore, StoredMessage};

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

    /// How many queued messages may go now.
    pub async fn due_count(&self, now: i64) -> Result<usize> {
        Ok(self
            .mem()?
            .outgoing_queue()
            .filter(|r| r.queue.as_ref().is_some_and(|q| q.is_eligible(now)))
            .count())
    }
}
