//! The memory backend: records in a map, with indexes for the queue (submit order) and each
//! folder (newest first). Records are kept encoded, checksum and all, exactly as the
//! IndexedDB backend keeps them, so a damaged record is detected here too.

use std::cell::{RefCell, RefMut};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::transitions::{
    self, Access, Base, Destination, FinishIds, Finished, Hurry, Opened, Progress, SubmitInput,
};
use super::Event;
use super::{Folder, StoredMessage};
use crate::entry_id::{EntryId, StoreUid};
use crate::error::Result;
use crate::mapi_err;
use crate::message::MessageContent;
use crate::queue::Failure;
use crate::record;
use crate::spool::Storage;

use super::tombstones::FINISHED_KEPT;

#[derive(Debug)]
pub struct MemoryStore {
    uid: StoreUid,
    records: HashMap<EntryId, StoredMessage>,
    /// Ids of messages whose send was finished (moved or deleted): abort answers NOT_IN_QUEUE.
    /// The most recent [`FINISHED_KEPT`] only, oldest first in `finished_order`: a store that
    /// sends for days must not grow by an id per message (older ids answer NOT_FOUND).
    /// Kept as object uids (16 bytes; the store uid is the same for all), sized once for
    /// the whole window, so that they cost a fixed ~200 KB instead of growing in steps.
    finished: HashSet<[u8; 16]>,
    finished_order: VecDeque<[u8; 16]>,
    queue: BTreeMap<u64, EntryId>,
    folders: HashMap<Folder, BTreeMap<u64, EntryId>>,
    seq: u64,
}

impl MemoryStore {
    /// Whether the send of message `id` (of this store) was finished recently.
    fn is_finished(&self, id: &EntryId) -> bool {
        id.store_uid() == self.uid && self.finished.contains(&id.object_uid())
    }

    pub fn new(uid: StoreUid) -> Self {
        MemoryStore {
            uid,
            records: HashMap::new(),
            finished: HashSet::new(),
            finished_order: VecDeque::new(),
            queue: BTreeMap::new(),
            folders: HashMap::new(),
            seq: 0,
        }
    }

    pub fn uid(&self) -> StoreUid {
        self.uid
    }

    pub fn get(&self, id: &EntryId) -> Option<&StoredMessage> {
        self.records.get(id)
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn put(&mut self, rec: StoredMessage) {
        self.unindex(&rec.entry_id);
        if let Some(q) = &rec.queue {
            self.queue.insert(q.seq, rec.entry_id);
        }
        self.folders
            .entry(rec.folder)
            .or_default()
            .insert(rec.changed_seq, rec.entry_id);
        self.records.insert(rec.entry_id, rec);
    }

    fn unindex(&mut self, id: &EntryId) {
        if let Some(old) = self.records.get(id) {
            if let Some(q) = &old.queue {
                self.queue.remove(&q.seq);
            }
            if let Some(f) = self.folders.get_mut(&old.folder) {
                f.remove(&old.changed_seq);
            }
        }
    }

    fn remove(&mut self, id: &EntryId) -> Option<StoredMessage> {
        self.unindex(id);
        self.records.remove(id)
    }

    pub fn save(
        &mut self,
        base: &Base,
        content: &MessageContent,
        force: bool,
    ) -> Result<StoredMessage> {
        let seq = self.next_seq();
        let rec = transitions::save(self.records.get(&base.entry_id), base, content, force, seq)?;
        self.put(rec.clone());
        Ok(rec)
    }

    pub fn submit(
        &mut self,
        base: &Base,
        content: &MessageContent,
        mut input: SubmitInput,
    ) -> Result<(StoredMessage, MessageContent, Vec<Event>)> {
        input.seq = self.next_seq();
        let (rec, sent) =
            transitions::submit(self.records.get(&base.entry_id), base, content, &input)?;
        self.put(rec.clone());
        let events = vec![
            Event::Submitted {
                entry_id: rec.entry_id,
                submission_id: input.submission_id,
            },
            Event::QueueChange,
        ];
        Ok((rec, sent, events))
    }

    pub fn abort(&mut self, id: &EntryId) -> Result<Vec<Event>> {
        let seq = self.next_seq();
        let rec = transitions::abort(self.records.get(id), id, self.is_finished(id), seq)?;
        self.put(rec);
        Ok(vec![Event::Aborted { entry_id: *id }, Event::QueueChange])
    }

    pub fn delete(&mut self, id: &EntryId) -> Result<()> {
        transitions::delete(self.records.get(id), id)?;
        self.remove(id);
        Ok(())
    }

    pub fn open(&self, id: &EntryId, access: Access) -> Result<Opened> {
        transitions::open(self.records.get(id), id, access)
    }

    /// The first queued message, in submit order, that may go now and that a spooler taking
    /// `types` (None: any) has something to do with.
    pub fn next_due(&self, now: i64, types: Option<&[String]>) -> Option<EntryId> {
        super::due::next_due(self.outgoing_queue(), now, types)
    }

    /// When the next message that is not due yet becomes due (deferral, back-off, lease).
    pub fn next_wake(&self, now: i64, types: Option<&[String]>) -> Option<i64> {
        super::due::next_wake(self.outgoing_queue(), now, types)
    }

    pub fn lock(
        &mut self,
        id: &EntryId,
        owner: &str,
        now: i64,
        lease_ms: i64,
    ) -> Result<StoredMessage> {
        self.lock_given(id, owner, now, lease_ms, &[])
    }

    /// `lock`, where the holders named in `dead` are known to have died.
    pub fn lock_given(
        &mut self,
        id: &EntryId,
        owner: &str,
        now: i64,
        lease_ms: i64,
        dead: &[String],
    ) -> Result<StoredMessage> {
        let rec = transitions::lock_given(self.records.get(id), id, owner, now, lease_ms, dead)?;
        self.put(rec.clone());
        Ok(rec)
    }

    /// retryNow / sendNow of one message: whether it changed.
    pub fn hurry(&mut self, id: &EntryId, how: Hurry, now: i64) -> Result<bool> {
        let finished = self.is_finished(id);
        match transitions::hurry(self.records.get(id), id, finished, how, now)? {
            Some(rec) => {
                self.put(rec);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// retryNow of every queued message: how many were waiting for a retry and are due now.
    pub fn retry_all(&mut self, now: i64) -> u32 {
        let ids: Vec<EntryId> = self.queue.values().copied().collect();
        let mut n = 0;
        for id in ids {
            if let Ok(Some(rec)) =
                transitions::hurry(self.records.get(&id), &id, false, Hurry::RetryNow, now)
            {
                self.put(rec);
                n += 1;
            }
        }
        n
    }

    /// What flush() resolves with: the number still queued and when the first becomes due.
    pub fn remaining(&self, now: i64) -> (u32, Option<i64>) {
        super::due::remaining(self.outgoing_queue(), now)
    }

    pub fn renew(&mut self, id: &EntryId, owner: &str, until: i64) -> Result<()> {
        let rec = transitions::renew(self.records.get(id), id, owner, until)?;
        self.put(rec);
        Ok(())
    }

    pub fn release_for_retry(
        &mut self,
        id: &EntryId,
        owner: &str,
        progress: &Progress,
        error: &str,
        next_at: i64,
        outcome_unknown: bool,
    ) -> Result<StoredMessage> {
        let rec = transitions::release_for_retry(
            self.records.get(id),
            id,
            owner,
            progress,
            error,
            next_at,
            outcome_unknown,
        )?;
        self.put(rec.clone());
        Ok(rec)
    }

    pub fn release_partial(
        &mut self,
        id: &EntryId,
        owner: &str,
        progress: &Progress,
    ) -> Result<()> {
        let rec = transitions::release_partial(self.records.get(id), id, owner, progress)?;
        self.put(rec);
        Ok(())
    }

    /// Finishes a send: the message leaves the queue for its destination under a new id (or
    /// is deleted), with a non-delivery report when any recipient failed.
    pub fn finish(
        &mut self,
        id: &EntryId,
        owner: &str,
        content: &MessageContent,
        failed: &[Failure],
        uids: ([u8; 16], [u8; 16]),
        now: i64,
    ) -> Result<Finished> {
        let dest: Destination = transitions::destination(content, self.uid);
        let ids = FinishIds::new(self.uid, uids, || self.next_seq(), now);
        let f = transitions::finish(self.records.get(id), id, owner, content, failed, dest, ids)?;
        self.remove(id);
        if self.finished_order.capacity() == 0 {
            self.finished.reserve(FINISHED_KEPT + 1);
            self.finished_order.reserve_exact(FINISHED_KEPT + 1);
        }
        if self.finished.insert(id.object_uid()) {
            self.finished_order.push_back(id.object_uid());
            if self.finished_order.len() > FINISHED_KEPT {
                if let Some(old) = self.finished_order.pop_front() {
                    self.finished.remove(&old);
                }
            }
        }
        if let Some(rec) = &f.sent {
            self.put(rec.clone());
        }
        if let Some(rec) = &f.ndr {
            self.put(rec.clone());
        }
        Ok(f)
    }

    /// Damages the stored copy, for tests and demos of the corrupt-data recovery.
    pub fn corrupt(&mut self, id: &EntryId) -> Result<()> {
        let rec = self
            .records
            .get_mut(id)
            .ok_or_else(|| mapi_err!(NotFound, "no message has entry id {id}"))?;
        record::corrupt(&mut rec.blob);
        Ok(())
    }

    /// Queued messages in submit order.
    pub fn outgoing_queue(&self) -> impl Iterator<Item = &StoredMessage> {
        self.queue.values().filter_map(|id| self.records.get(id))
    }

    /// A folder's messages, most recently changed first.
    pub fn contents(&self, folder: Folder) -> impl Iterator<Item = &StoredMessage> {
        self.folders
            .get(&folder)
            .into_iter()
            .flat_map(|f| f.values().rev())
            .filter_map(|id| self.records.get(id))
    }
}

/// The memory store as the spooler's storage. Nothing awaits while it is borrowed, so a
/// conflict cannot happen; if it ever did, it is reported as busy rather than a panic.
pub fn borrowed(m: &RefCell<MemoryStore>) -> Result<RefMut<'_, MemoryStore>> {
    m.try_borrow_mut()
        .map_err(|_| mapi_err!(Busy, "the store is busy with another call"))
}

impl Storage for RefCell<MemoryStore> {
    async fn next_due(
        &self,
        now: i64,
        types: Option<&[String]>,
        dead: &[String],
    ) -> Result<Option<EntryId>> {
        let m = borrowed(self)?;
        Ok(super::due::next_due_given(
            m.outgoing_queue(),
            now,
            types,
            dead,
        ))
    }

    async fn next_wake(&self, now: i64, types: Option<&[String]>) -> Result<Option<i64>> {
        Ok(borrowed(self)?.next_wake(now, types))
    }

    async fn lock(
        &self,
        id: EntryId,
        owner: &str,
        now: i64,
        lease_ms: i64,
        dead: &[String],
    ) -> Result<StoredMessage> {
        borrowed(self)?.lock_given(&id, owner, now, lease_ms, dead)
    }

    async fn renew(&self, id: EntryId, owner: &str, until: i64) -> Result<()> {
        borrowed(self)?.renew(&id, owner, until)
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
        borrowed(self)?.release_for_retry(&id, owner, progress, error, next_at, outcome_unknown)
    }

    async fn release_partial(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
    ) -> Result<()> {
        borrowed(self)?.release_partial(&id, owner, progress)
    }

    async fn finish(
        &self,
        id: EntryId,
        owner: &str,
        content: &MessageContent,
        failed: &[Failure],
        uids: ([u8; 16], [u8; 16]),
        now: i64,
    ) -> Result<Finished> {
        borrowed(self)?.finish(&id, owner, content, failed, uids, now)
    }
}
