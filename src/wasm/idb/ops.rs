//! The store operations on IndexedDB. Each state change is one readwrite transaction: issue
//! the reads, await only them, let the core transition decide, issue the writes, commit.
//! Nothing else is awaited while the transaction is open (TOOLCHAIN trap 13), so a crash or
//! reload at any instant leaves each message wholly before or wholly after the change.

use wasm_bindgen::prelude::*;

use super::record;
use super::schema::{BLOBS, BY_FOLDER, BY_QUEUE, FINISHED, MESSAGES, META, META_KEY};
use super::tx::Tx;
use super::IdbStore;
use crate::entry_id::EntryId;
use crate::error::Result;
use crate::mapi_err;
use crate::message::MessageContent;
use crate::queue::Failure;
use crate::store::codec::folder_number;
use crate::store::transitions::{
    self, Access, Base, FinishIds, Finished, Hurry, Opened, Progress, SubmitInput,
};
use crate::store::{due, tombstones, Event, Folder, StoredMessage};

/// The store-wide change sequence in the meta record: read it, and write it back advanced.
struct Seq {
    meta: JsValue,
    next: u64,
}

impl Seq {
    fn of(meta: JsValue) -> Result<Seq> {
        let seq = js_sys::Reflect::get(&meta, &"seq".into())
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| {
                mapi_err!(
                    CorruptData,
                    "the store's meta record is damaged (no sequence number)"
                )
            })?;
        Ok(Seq {
            meta,
            next: seq as u64,
        })
    }

    fn take(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    fn write(&self, tx: &Tx) -> Result<()> {
        let _ = js_sys::Reflect::set(&self.meta, &"seq".into(), &(self.next as f64).into());
        tx.put_at(&tx.store(META)?, &self.meta, &META_KEY.into())
    }
}

fn key(id: &EntryId) -> JsValue {
    JsValue::from_str(&id.to_hex())
}

impl IdbStore {
    fn begin(&self, stores: &[&str], write: bool, what: String) -> Result<Tx> {
        Tx::begin(self.db()?, stores, write, what)
    }

    /// A whole record: its metadata from `messages` and its content from `blobs`, both
    /// requests in flight at once.
    async fn read_record(&self, tx: &Tx, id: &EntryId) -> Result<Option<StoredMessage>> {
        let v = tx.start_get(&tx.store(MESSAGES)?, &key(id))?;
        let blob = tx.start_get(&tx.store(BLOBS)?, &key(id))?;
        let (v, blob) = (tx.result(v).await?, tx.result(blob).await?);
        Self::record_of(id, &v, &blob)
    }

    /// For a save or submit: the change sequence, and the record when one may exist
    /// (`Base::may_have_record`: a message never saved has none, so only the meta is read).
    async fn read_for_write(&self, tx: &Tx, base: &Base) -> Result<(Seq, Option<StoredMessage>)> {
        if base.may_have_record() {
            return self.read_seq_and_record(tx, &base.entry_id).await;
        }
        let meta = tx.get(&tx.store(META)?, &META_KEY.into()).await?;
        Ok((Seq::of(meta)?, None))
    }

    /// The store's change sequence and a whole record, the three requests in flight at once:
    /// a state change waits for one round trip to the database before it writes, not three.
    async fn read_seq_and_record(
        &self,
        tx: &Tx,
        id: &EntryId,
    ) -> Result<(Seq, Option<StoredMessage>)> {
        let meta = tx.start_get(&tx.store(META)?, &META_KEY.into())?;
        let v = tx.start_get(&tx.store(MESSAGES)?, &key(id))?;
        let blob = tx.start_get(&tx.store(BLOBS)?, &key(id))?;
        let meta = tx.result(meta).await?;
        let (v, blob) = (tx.result(v).await?, tx.result(blob).await?);
        Ok((Seq::of(meta)?, Self::record_of(id, &v, &blob)?))
    }

    fn record_of(id: &EntryId, v: &JsValue, blob: &JsValue) -> Result<Option<StoredMessage>> {
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        record::from_js(
            &id.to_hex(),
            v,
            record::blob_from_js(blob).unwrap_or_default(),
        )
    }

    /// Writes a record; its content only when it differs from `prior` (a lock, a lease
    /// renewal or a retry leaves the content as it was and costs no copy of it).
    fn write_record(
        &self,
        tx: &Tx,
        rec: &StoredMessage,
        prior: Option<&StoredMessage>,
    ) -> Result<()> {
        tx.put(&tx.store(MESSAGES)?, &record::to_js(rec)?)?;
        if prior.is_none_or(|p| p.blob != rec.blob) {
            tx.put_at(
                &tx.store(BLOBS)?,
                &record::blob_to_js(&rec.blob),
                &key(&rec.entry_id),
            )?;
        }
        Ok(())
    }

    fn delete_record(&self, tx: &Tx, id: &EntryId) -> Result<()> {
        tx.delete(&tx.store(MESSAGES)?, &key(id))?;
        tx.delete(&tx.store(BLOBS)?, &key(id))
    }

    pub async fn save(
        &self,
        base: &Base,
        content: &MessageContent,
        force: bool,
    ) -> Result<StoredMessage> {
        let id = base.entry_id;
        let tx = self.begin(
            &[MESSAGES, BLOBS, META],
            true,
            format!("save of message {id}"),
        )?;
        let (mut seq, existing) = self.read_for_write(&tx, base).await?;
        let rec = transitions::save(existing.as_ref(), base, content, force, seq.take())?;
        self.write_record(&tx, &rec, existing.as_ref())?;
        seq.write(&tx)?;
        tx.commit().await?;
        Ok(rec)
    }

    pub async fn submit(
        &self,
        base: &Base,
        content: &MessageContent,
        mut input: SubmitInput,
    ) -> Result<(StoredMessage, Vec<Event>)> {
        let id = base.entry_id;
        let tx = self.begin(
            &[MESSAGES, BLOBS, META],
            true,
            format!("submit of message {id}"),
        )?;
        let (mut seq, existing) = self.read_for_write(&tx, base).await?;
        input.seq = seq.take();
        let (rec, _) = transitions::submit(existing.as_ref(), base, content, &input)?;
        self.write_record(&tx, &rec, existing.as_ref())?;
        seq.write(&tx)?;
        tx.commit().await?;
        let events = vec![
            Event::Submitted {
                entry_id: id,
                submission_id: input.submission_id,
            },
            Event::QueueChange,
        ];
        Ok((rec, events))
    }

    pub async fn abort(&self, id: &EntryId) -> Result<Vec<Event>> {
        let tx = self.begin(
            &[MESSAGES, BLOBS, META, FINISHED],
            true,
            format!("abort of message {id}"),
        )?;
        let (mut seq, existing) = match self.read_seq_and_record(&tx, id).await {
            Ok(read) => read,
            Err(e) if e.code == crate::MapiCode::CorruptData => {
                // The record's metadata is damaged (the store's own meta record was read
                // first and is fine, or repaired at open): rebuild it as a draft from its
                // content when that is intact.
                let mut seq = Seq::of(tx.get(&tx.store(META)?, &META_KEY.into()).await?)?;
                let blob = tx.get(&tx.store(BLOBS)?, &key(id)).await?;
                let blob = record::blob_from_js(&blob).unwrap_or_default();
                let rec = transitions::recover_damaged(id, &blob, seq.take())?;
                self.write_record(&tx, &rec, None)?;
                seq.write(&tx)?;
                tx.commit().await?;
                return Ok(vec![Event::Aborted { entry_id: *id }, Event::QueueChange]);
            }
            Err(e) => return Err(e),
        };
        let finished = !tx.get(&tx.store(FINISHED)?, &key(id)).await?.is_undefined();
        let rec = transitions::abort(existing.as_ref(), id, finished, seq.take())?;
        self.write_record(&tx, &rec, existing.as_ref())?;
        seq.write(&tx)?;
        tx.commit().await?;
        Ok(vec![Event::Aborted { entry_id: *id }, Event::QueueChange])
    }

    pub async fn delete(&self, id: &EntryId) -> Result<()> {
        let tx = self.begin(&[MESSAGES, BLOBS], true, format!("delete of message {id}"))?;
        match self.read_record(&tx, id).await {
            Ok(existing) => transitions::delete(existing.as_ref(), id)?,
            // A record whose metadata is damaged can only be deleted.
            Err(e) if e.code == crate::MapiCode::CorruptData => {}
            Err(e) => return Err(e),
        }
        self.delete_record(&tx, id)?;
        tx.commit().await
    }

    pub async fn open(&self, id: &EntryId, access: Access) -> Result<Opened> {
        let tx = self.begin(&[MESSAGES, BLOBS], false, format!("open of message {id}"))?;
        let existing = self.read_record(&tx, id).await?;
        transitions::open(existing.as_ref(), id, access)
    }

    /// Damages the content blob of the real stored record (corruptRecordForTesting).
    pub async fn corrupt(&self, id: &EntryId) -> Result<()> {
        let tx = self.begin(
            &[MESSAGES, BLOBS],
            true,
            format!("corruptRecordForTesting of {id}"),
        )?;
        if self.read_record(&tx, id).await?.is_none() {
            return Err(mapi_err!(NotFound, "no message has entry id {id}"));
        }
        let blobs = tx.store(BLOBS)?;
        let mut blob = record::blob_from_js(&tx.get(&blobs, &key(id)).await?).unwrap_or_default();
        crate::record::corrupt(&mut blob);
        tx.put_at(&blobs, &record::blob_to_js(&blob), &key(id))?;
        tx.commit().await
    }

    /// Keeps the `finished` store bounded (`store::tombstones`): a count on every finish, and
    /// once it is past the slack, the oldest ids beyond the kept number are deleted, in the
    /// finishing transaction.
    async fn prune_tombstones(&self, tx: &Tx, finished: &web_sys::IdbObjectStore) -> Result<()> {
        let count = tx
            .get_value(finished.count())
            .await?
            .as_f64()
            .unwrap_or(0.0) as usize;
        if !tombstones::should_prune(count) {
            return Ok(());
        }
        let keys = tx.get_all(finished.get_all_keys()).await?;
        let values = tx.get_all(finished.get_all()).await?;
        let entries = keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| {
                let at = js_sys::Reflect::get(&v, &"at".into()).ok()?.as_f64()?;
                Some((k.as_string()?, at as i64))
            })
            .collect();
        for k in tombstones::to_drop(entries) {
            tx.delete(finished, &JsValue::from_str(&k))?;
        }
        Ok(())
    }

    /// Decodes listed records; one whose metadata is damaged is left out of the views (it
    /// answers MAPI_E_CORRUPT_DATA when opened by id, and can be deleted).
    fn decode_all(list: &js_sys::Array) -> Vec<StoredMessage> {
        Self::decode_all_and_damaged(list).0
    }

    /// The decodable records, and the entry ids of those whose metadata is damaged.
    fn decode_all_and_damaged(list: &js_sys::Array) -> (Vec<StoredMessage>, Vec<EntryId>) {
        let mut good = Vec::new();
        let mut damaged = Vec::new();
        for v in list.iter() {
            let Some(key) = js_sys::Reflect::get(&v, &"id".into())
                .ok()
                .and_then(|k| k.as_string())
            else {
                continue;
            };
            match record::from_js(&key, &v, Vec::new()) {
                Ok(Some(rec)) => good.push(rec),
                Ok(None) => {}
                Err(_) => {
                    if let Ok(id) = EntryId::parse_hex("a stored key", &key) {
                        damaged.push(id);
                    }
                }
            }
        }
        (good, damaged)
    }

    /// The outgoing queue for its view: the queued records in submit order, and the ids of
    /// queued records whose metadata is damaged (shown as rows that say so, never dropped).
    pub async fn queue_listing(&self) -> Result<(Vec<StoredMessage>, Vec<EntryId>)> {
        let tx = self.begin(&[MESSAGES], false, "reading the outgoing queue".into())?;
        let index = tx
            .store(MESSAGES)?
            .index(BY_QUEUE)
            .map_err(|e| super::error::dom_error("reading the outgoing queue", &e))?;
        let list = tx.get_all(index.get_all()).await?;
        Ok(Self::decode_all_and_damaged(&list))
    }

    /// Queued messages in submit order.
    pub async fn queued(&self) -> Result<Vec<StoredMessage>> {
        let tx = self.begin(&[MESSAGES], false, "reading the outgoing queue".into())?;
        let index = tx
            .store(MESSAGES)?
            .index(BY_QUEUE)
            .map_err(|e| super::error::dom_error("reading the outgoing queue", &e))?;
        let list = tx.get_all(index.get_all()).await?;
        Ok(Self::decode_all(&list))
    }

    /// The first queued message (submit order) that may go now for a spooler taking `types`:
    /// the queue index is read a page at a time and the scan stops at the first such message,
    /// so a drain costs each message a look at the head of the queue, not at all of it.
    pub async fn next_due(
        &self,
        now: i64,
        types: Option<&[String]>,
        dead: &[String],
    ) -> Result<Option<EntryId>> {
        const PAGE: u32 = 64;
        let what = "looking for the next message to send";
        let tx = self.begin(&[MESSAGES], false, what.into())?;
        let index = tx
            .store(MESSAGES)?
            .index(BY_QUEUE)
            .map_err(|e| super::error::dom_error(what, &e))?;
        let mut after: Option<JsValue> = None;
        loop {
            let req = match &after {
                None => index.get_all_with_key_and_limit(&JsValue::UNDEFINED, PAGE),
                Some(q) => web_sys::IdbKeyRange::lower_bound_with_open(q, true)
                    .and_then(|r| index.get_all_with_key_and_limit(&r, PAGE)),
            };
            let list = tx.get_all(req).await?;
            let page = Self::decode_all(&list);
            if let Some(id) = due::next_due_given(page.iter(), now, types, dead) {
                return Ok(Some(id));
            }
            if list.length() < PAGE {
                return Ok(None);
            }
            after = Some(
                js_sys::Reflect::get(&list.get(list.length() - 1), &"qseq".into())
                    .map_err(|e| super::error::dom_error(what, &e))?,
            );
        }
    }

    /// A folder's messages, most recently changed first.
    pub async fn contents(&self, folder: Folder) -> Result<Vec<StoredMessage>> {
        let what = format!("reading folder {}", folder.name());
        let tx = self.begin(&[MESSAGES], false, what.clone())?;
        let index = tx
            .store(MESSAGES)?
            .index(BY_FOLDER)
            .map_err(|e| super::error::dom_error(&what, &e))?;
        let f = folder_number(folder) as f64;
        let lower = js_sys::Array::of2(&f.into(), &JsValue::from_f64(f64::NEG_INFINITY));
        let upper = js_sys::Array::of2(&f.into(), &JsValue::from_f64(f64::INFINITY));
        let range = web_sys::IdbKeyRange::bound(&lower, &upper)
            .map_err(|e| super::error::dom_error(&what, &e))?;
        let list = tx.get_all(index.get_all_with_key(&range)).await?;
        let mut recs = Self::decode_all(&list);
        recs.reverse();
        Ok(recs)
    }

    /// One queued message changed by a transition of the record alone (lock, renew, release).
    async fn change_one(
        &self,
        id: &EntryId,
        what: &str,
        f: impl FnOnce(Option<&StoredMessage>) -> Result<StoredMessage>,
    ) -> Result<StoredMessage> {
        let tx = self.begin(&[MESSAGES, BLOBS], true, format!("{what} of message {id}"))?;
        let existing = self.read_record(&tx, id).await?;
        let rec = f(existing.as_ref())?;
        self.write_record(&tx, &rec, existing.as_ref())?;
        tx.commit().await?;
        Ok(rec)
    }

    /// A spooler's atomic check-and-lock: two tabs can never both lock one message, as their
    /// readwrite transactions on `messages` run one after the other.
    pub async fn lock(
        &self,
        id: &EntryId,
        owner: &str,
        now: i64,
        lease_ms: i64,
        dead: &[String],
    ) -> Result<StoredMessage> {
        self.change_one(id, "lock", |r| {
            transitions::lock_given(r, id, owner, now, lease_ms, dead)
        })
        .await
    }

    /// retryNow / sendNow of one message, in one transaction: whether it changed.
    pub async fn hurry(&self, id: &EntryId, how: Hurry, now: i64) -> Result<bool> {
        let what = match how {
            Hurry::RetryNow => "retryNow",
            Hurry::SendNow => "sendNow",
        };
        let tx = self.begin(
            &[MESSAGES, BLOBS, FINISHED],
            true,
            format!("{what} of message {id}"),
        )?;
        let existing = self.read_record(&tx, id).await?;
        let finished = if existing.is_none() {
            !tx.get(&tx.store(FINISHED)?, &key(id)).await?.is_undefined()
        } else {
            false
        };
        match transitions::hurry(existing.as_ref(), id, finished, how, now)? {
            Some(rec) => {
                self.write_record(&tx, &rec, existing.as_ref())?;
                tx.commit().await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// retryNow of every queued message, in one transaction: how many became due.
    pub async fn retry_all(&self, now: i64) -> Result<u32> {
        let what = "retryNow";
        let tx = self.begin(&[MESSAGES], true, what.into())?;
        let index = tx
            .store(MESSAGES)?
            .index(BY_QUEUE)
            .map_err(|e| super::error::dom_error(what, &e))?;
        let list = tx.get_all(index.get_all()).await?;
        let mut n = 0;
        // Metadata only: the content blobs stay as they are.
        for rec in Self::decode_all(&list) {
            let id = rec.entry_id;
            if let Some(new) = transitions::hurry(Some(&rec), &id, false, Hurry::RetryNow, now)? {
                tx.put(&tx.store(MESSAGES)?, &record::to_js(&new)?)?;
                n += 1;
            }
        }
        tx.commit().await?;
        Ok(n)
    }

    pub async fn renew(&self, id: &EntryId, owner: &str, until: i64) -> Result<()> {
        self.change_one(id, "renewing the lock", |r| {
            transitions::renew(r, id, owner, until)
        })
        .await
        .map(drop)
    }

    pub async fn release_for_retry(
        &self,
        id: &EntryId,
        owner: &str,
        progress: &Progress<'_>,
        error: &str,
        next_at: i64,
        outcome_unknown: bool,
    ) -> Result<StoredMessage> {
        self.change_one(id, "release for retry", |r| {
            transitions::release_for_retry(r, id, owner, progress, error, next_at, outcome_unknown)
        })
        .await
    }

    pub async fn release_partial(
        &self,
        id: &EntryId,
        owner: &str,
        progress: &Progress<'_>,
    ) -> Result<()> {
        self.change_one(id, "release", |r| {
            transitions::release_partial(r, id, owner, progress)
        })
        .await
        .map(drop)
    }

    /// Finishes a send in one transaction: the queued record leaves (tombstone kept, so that
    /// abort answers MAPI_E_NOT_IN_QUEUE), the sent copy and any report are written.
    pub async fn finish(
        &self,
        id: &EntryId,
        owner: &str,
        content: &MessageContent,
        failed: &[Failure],
        uids: ([u8; 16], [u8; 16]),
        now: i64,
    ) -> Result<Finished> {
        let tx = self.begin(
            &[MESSAGES, BLOBS, META, FINISHED],
            true,
            format!("finish of message {id}"),
        )?;
        let (mut seq, existing) = self.read_seq_and_record(&tx, id).await?;
        let dest = transitions::destination(content, self.uid);
        let ids = FinishIds::new(self.uid, uids, || seq.take(), now);
        let f = transitions::finish(existing.as_ref(), id, owner, content, failed, dest, ids)?;
        self.delete_record(&tx, id)?;
        let tomb = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&tomb, &"at".into(), &(now as f64).into());
        let finished = tx.store(FINISHED)?;
        tx.put_at(&finished, &tomb, &key(id))?;
        for rec in f.sent.iter().chain(f.ndr.iter()) {
            self.write_record(&tx, rec, None)?;
        }
        seq.write(&tx)?;
        self.prune_tombstones(&tx, &finished).await?;
        tx.commit().await?;
        Ok(f)
    }
}
