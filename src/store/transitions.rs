//! Every state change of a stored message as a pure function of the current record (or
//! its absence) and the inputs: the backends only read the record, call one of these, and
//! write what it returns in one step (one IndexedDB transaction in the browser).

use super::{Folder, StoredMessage, Summary};
use crate::entry_id::{EntryId, StoreUid};
use crate::error::Result;
use crate::message::{flags, MessageContent};
use crate::props::names::tags;
use crate::props::PropValue;
use crate::queue::{self, Failure, Lock, QueueState};
use crate::record;
use crate::{bail, mapi_err};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_message_size: u64,
    pub max_recipients: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 25 * 1024 * 1024,
            max_recipients: 500,
        }
    }
}

impl Limits {
    /// A draft may hold up to this much even when `maxMessageSize` is smaller (it can be
    /// trimmed before it is submitted); nothing larger is ever read from the caller.
    pub const DRAFT_FLOOR: u64 = 256 * 1024 * 1024;
    /// The largest `maxMessageSize` a store accepts: a message is copied a few times on its
    /// way out (record, MIME), and a wasm32 module has 4 GiB of memory in all.
    pub const MAX_MESSAGE_SIZE_CEILING: u64 = 1024 * 1024 * 1024;

    /// The most bytes one message (and so one property value) may hold while it is composed
    /// and saved: `max(maxMessageSize, 256 MiB)`.
    pub fn max_draft_bytes(&self) -> usize {
        self.max_message_size.max(Self::DRAFT_FLOOR) as usize
    }

    /// Refuses, before anything is encoded, a message larger than `max_draft_bytes`.
    pub fn check_draft(&self, content: &MessageContent) -> Result<()> {
        let size = content.size();
        let max = self.max_draft_bytes();
        if size > max {
            bail!(
                TooBig,
                "the message holds {size} bytes; a message may hold at most {max} bytes while it \
                 is composed (the larger of maxMessageSize and 256 MiB)"
            );
        }
        Ok(())
    }
}

/// What an object knows of the record it was opened from: `version` is None for a message
/// created by this object and never saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Base {
    pub entry_id: EntryId,
    pub version: Option<u64>,
}

impl Base {
    /// Whether a stored record may carry this entry id. An object that was never saved
    /// (`version` None) holds an id made fresh from random bytes when it was created, so no
    /// record can have it yet: a save or submit through it need not read one (on IndexedDB,
    /// two requests less), and runs its transition on `None`.
    pub fn may_have_record(&self) -> bool {
        self.version.is_some()
    }
}

/// Flags of a new message: unsent, and from me.
pub const NEW_MESSAGE_FLAGS: u32 = flags::UNSENT | flags::FROMME;

fn with_attach_flag(flags_in: u32, content: &MessageContent) -> u32 {
    if content.has_attachments() {
        flags_in | flags::HASATTACH
    } else {
        flags_in & !flags::HASATTACH
    }
}

/// The checks a save and a submit share: the record may be written through this object.
fn check_writable_through(
    existing: Option<&StoredMessage>,
    base: &Base,
    force: bool,
) -> Result<()> {
    let id = base.entry_id;
    match (existing, base.version) {
        (None, Some(_)) => bail!(
            ObjectDeleted,
            "message {id} was deleted or moved since this object opened it"
        ),
        (None, None) => Ok(()),
        (Some(rec), _) if rec.queue.is_some() => bail!(
            Submitted,
            "message {id} has been submitted and is in the outgoing queue; abort the submit first"
        ),
        (Some(rec), v) if !force && v != Some(rec.version) => bail!(
            ObjectChanged,
            "message {id} was saved through another object since this one opened it \
             (pass force: true to overwrite)"
        ),
        (Some(_), _) => Ok(()),
    }
}

/// saveChanges: writes a whole fresh record from the object's content, which also repairs
/// a record whose stored copy is unreadable.
pub fn save(
    existing: Option<&StoredMessage>,
    base: &Base,
    content: &MessageContent,
    force: bool,
    seq: u64,
) -> Result<StoredMessage> {
    check_writable_through(existing, base, force)?;
    let (folder, version, flags_in) = match existing {
        Some(rec) => (rec.folder, rec.version + 1, rec.flags),
        None => (Folder::Drafts, 1, NEW_MESSAGE_FLAGS),
    };
    Ok(StoredMessage {
        entry_id: base.entry_id,
        folder,
        version,
        flags: with_attach_flag(flags_in, content),
        changed_seq: seq,
        summary: Summary::of(content),
        blob: record::encode(content)?,
        queue: None,
    })
}

/// What submit needs besides the record and the content.
#[derive(Debug, Clone)]
pub struct SubmitInput {
    pub now: i64,
    pub seq: u64,
    pub submission_id: String,
    /// Used as PidTagInternetMessageId when the message has none.
    pub message_id: String,
    pub send_delay_ms: u64,
    pub limits: Limits,
}

/// submit: the implicit save and the queueing, as one change. Returns the record and the
/// content as submitted (with PidTagClientSubmitTime and PidTagInternetMessageId).
pub fn submit(
    existing: Option<&StoredMessage>,
    base: &Base,
    content: &MessageContent,
    input: &SubmitInput,
) -> Result<(StoredMessage, MessageContent)> {
    let id = base.entry_id;
    if content.recipients.is_empty() {
        bail!(
            NoRecipients,
            "message {id} has no recipients; add one with modifyRecipients(\"add\", ...)"
        );
    }
    let n = content.recipients.len();
    if n > input.limits.max_recipients as usize {
        bail!(
            TooBig,
            "message {id} has {n} recipients; the store allows at most {} (maxRecipients)",
            input.limits.max_recipients
        );
    }
    let size = content.size() as u64;
    if size > input.limits.max_message_size {
        bail!(
            TooBig,
            "message {id} is {size} bytes; the store allows at most {} (maxMessageSize)",
            input.limits.max_message_size
        );
    }
    check_writable_through(existing, base, false)?;
    if let Some(rec) = existing {
        record::decode(&id.to_hex(), &rec.blob).map_err(|e| {
            mapi_err!(
                CorruptData,
                "{}; rewrite the message (setProps + saveChanges) and submit again",
                e.message
            )
        })?;
    }

    let mut sent = content.clone();
    let p = &mut sent.props;
    p.set(tags::PidTagClientSubmitTime, PropValue::SysTime(input.now));
    if !p.contains(tags::PidTagInternetMessageId) {
        p.set(
            tags::PidTagInternetMessageId,
            PropValue::Unicode(input.message_id.clone()),
        );
    }
    let deferred = queue::deferred_until(
        input.now,
        p.long(tags::PidTagDeferredSendNumber),
        p.long(tags::PidTagDeferredSendUnits),
        p.time(tags::PidTagDeferredSendTime),
        input.send_delay_ms,
    );
    let flags_in = existing.map_or(NEW_MESSAGE_FLAGS, |r| r.flags);
    let rec = StoredMessage {
        entry_id: id,
        folder: Folder::Outbox,
        version: existing.map_or(1, |r| r.version + 1),
        flags: with_attach_flag(flags_in | flags::SUBMIT, &sent),
        changed_seq: input.seq,
        summary: Summary::of(&sent),
        blob: record::encode(&sent)?,
        queue: Some(QueueState {
            pending_types: crate::spool::pending_types(&sent),
            ..QueueState::new(input.seq, input.now, input.submission_id.clone(), deferred)
        }),
    };
    Ok((rec, sent))
}

/// abortSubmit of a message whose stored metadata is damaged (its folder, flags and queue
/// state are unreadable): it comes back as a draft rebuilt from its content, if the content
/// is intact; otherwise MAPI_E_CORRUPT_DATA says to delete it. Nothing was sent of it that
/// the store knows of, and a message the user cannot see or stop is worse than a draft.
pub fn recover_damaged(id: &EntryId, content_blob: &[u8], seq: u64) -> Result<StoredMessage> {
    let mut content = record::decode(&id.to_hex(), content_blob).map_err(|e| {
        mapi_err!(
            CorruptData,
            "message {id}: its stored metadata and its content are both damaged ({}); delete it",
            e.message
        )
    })?;
    content.props.remove(tags::PidTagClientSubmitTime);
    let base = Base {
        entry_id: *id,
        version: None,
    };
    save(None, &base, &content, false, seq)
}

/// abortSubmit. `finished` says the id belonged to a message whose send was finished.
pub fn abort(
    existing: Option<&StoredMessage>,
    id: &EntryId,
    finished: bool,
    seq: u64,
) -> Result<StoredMessage> {
    let Some(rec) = existing else {
        if finished {
            bail!(
                NotInQueue,
                "message {id} is no longer in the outgoing queue: it was sent"
            );
        }
        bail!(NotFound, "no message has entry id {id}");
    };
    let Some(q) = &rec.queue else {
        bail!(
            NotInQueue,
            "message {id} is not in the outgoing queue (it was never submitted, or was aborted)"
        );
    };
    if q.is_locked() {
        bail!(
            UnableToAbort,
            "message {id} has been taken by a transport and can no longer be aborted"
        );
    }
    // Back to a draft: it was not sent, so it has no submit time. A damaged stored copy is
    // left as it is (the next save rewrites it whole).
    let (blob, summary) = match record::decode(&id.to_hex(), &rec.blob) {
        Ok(mut content) => {
            content.props.remove(tags::PidTagClientSubmitTime);
            (record::encode(&content)?, Summary::of(&content))
        }
        Err(_) => (rec.blob.clone(), rec.summary.clone()),
    };
    Ok(StoredMessage {
        entry_id: rec.entry_id,
        folder: Folder::Drafts,
        version: rec.version + 1,
        flags: rec.flags & !flags::SUBMIT,
        changed_seq: seq,
        summary,
        blob,
        queue: None,
    })
}

/// deleteMessage: allowed unless queued.
pub fn delete(existing: Option<&StoredMessage>, id: &EntryId) -> Result<()> {
    match existing {
        None => bail!(NotFound, "no message has entry id {id}"),
        Some(rec) if rec.queue.is_some() => bail!(
            Submitted,
            "message {id} is in the outgoing queue; abort the submit before deleting it"
        ),
        Some(_) => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    Read,
}

impl Access {
    pub fn parse(s: &str) -> Result<Access> {
        match s {
            "readwrite" => Ok(Access::ReadWrite),
            "read" => Ok(Access::Read),
            other => Err(mapi_err!(
                UnknownFlags,
                "access must be \"readwrite\" or \"read\", got {}",
                crate::props::names::shown(other)
            )),
        }
    }
}

/// What openMessage hands to a new object.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub content: MessageContent,
    pub version: u64,
    pub flags: u32,
    pub submit_flags: Option<u32>,
    pub read_only: bool,
}

/// openMessage with its access rules.
pub fn open(existing: Option<&StoredMessage>, id: &EntryId, access: Access) -> Result<Opened> {
    let Some(rec) = existing else {
        bail!(NotFound, "no message has entry id {id}");
    };
    if let Some(q) = &rec.queue {
        if q.is_locked() {
            bail!(
                NoAccess,
                "message {id} is locked by a transport that is sending it"
            );
        }
        if access == Access::ReadWrite {
            bail!(
                Submitted,
                "message {id} is in the outgoing queue; open it with access \"read\", or abort the submit"
            );
        }
    }
    Ok(Opened {
        content: record::decode(&id.to_hex(), &rec.blob)?,
        version: rec.version,
        flags: rec.flags,
        submit_flags: rec.queue.as_ref().map(QueueState::submit_flags),
        read_only: access == Access::Read,
    })
}

/// A spooler takes an eligible queued message (SUBMITFLAG_LOCKED, with a lease). Taking over
/// a lock whose lease ran out marks the next hand-over as a possible duplicate.
pub fn lock(
    existing: Option<&StoredMessage>,
    id: &EntryId,
    owner: &str,
    now: i64,
    lease_ms: i64,
) -> Result<StoredMessage> {
    lock_given(existing, id, owner, now, lease_ms, &[])
}

/// `lock`, where the holders named in `dead` are known to have died (their Web Lock is free):
/// their locks are taken over at once, and the hand-over says possibleDuplicate.
pub fn lock_given(
    existing: Option<&StoredMessage>,
    id: &EntryId,
    owner: &str,
    now: i64,
    lease_ms: i64,
    dead: &[String],
) -> Result<StoredMessage> {
    let Some(rec) = existing else {
        bail!(NotFound, "no message has entry id {id}");
    };
    let Some(q) = &rec.queue else {
        bail!(NotInQueue, "message {id} is not in the outgoing queue");
    };
    if !q.is_eligible_given(now, dead) {
        bail!(
            Busy,
            "message {id} is locked by another transport or not due yet"
        );
    }
    let mut q = q.clone();
    if q.lock.is_some() {
        q.possible_duplicate = true;
    }
    q.lock = Some(Lock {
        owner: owner.to_string(),
        until: now.saturating_add(lease_ms),
    });
    Ok(StoredMessage {
        version: rec.version + 1,
        queue: Some(q),
        ..rec.clone()
    })
}

/// The queue entry of a message locked by `owner`.
fn held<'a>(
    existing: Option<&'a StoredMessage>,
    id: &EntryId,
    owner: &str,
) -> Result<(&'a StoredMessage, QueueState)> {
    let rec = existing.ok_or_else(|| mapi_err!(NotFound, "no message has entry id {id}"))?;
    let q = rec
        .queue
        .as_ref()
        .filter(|q| q.lock.as_ref().is_some_and(|l| l.owner == owner))
        .ok_or_else(|| mapi_err!(NoAccess, "message {id} is not locked by this spooler"))?;
    Ok((rec, q.clone()))
}

/// Extends the lease of a lock held by `owner`.
pub fn renew(
    existing: Option<&StoredMessage>,
    id: &EntryId,
    owner: &str,
    until: i64,
) -> Result<StoredMessage> {
    let (rec, mut q) = held(existing, id, owner)?;
    if let Some(l) = q.lock.as_mut() {
        l.until = until;
    }
    Ok(StoredMessage {
        queue: Some(q),
        ..rec.clone()
    })
}

/// What one attempt left behind: the content with PidTagResponsibility updated (None when
/// the stored copy could not be read, which is then left as it is), and the recipients that
/// failed for good during it.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub content: Option<&'a MessageContent>,
    pub failed: Vec<Failure>,
}

fn unlock_with(rec: &StoredMessage, mut q: QueueState, p: &Progress) -> Result<StoredMessage> {
    q.lock = None;
    q.failed.extend(p.failed.iter().cloned());
    let (summary, blob) = match p.content {
        Some(c) => {
            q.pending_types = crate::spool::pending_types(c);
            (Summary::of(c), record::encode(c)?)
        }
        None => (rec.summary.clone(), rec.blob.clone()),
    };
    Ok(StoredMessage {
        version: rec.version + 1,
        summary,
        blob,
        queue: Some(q),
        ..rec.clone()
    })
}

/// A transient failure: the lock is released, the attempt counted, the next one scheduled.
pub fn release_for_retry(
    existing: Option<&StoredMessage>,
    id: &EntryId,
    owner: &str,
    progress: &Progress,
    error: &str,
    next_attempt_at: i64,
    outcome_unknown: bool,
) -> Result<StoredMessage> {
    let (rec, mut q) = held(existing, id, owner)?;
    q.attempts += 1;
    q.last_error = Some(error.to_string());
    q.next_attempt_at = Some(next_attempt_at);
    // Sticky: once an attempt's outcome is unknown, every later attempt has an earlier one
    // that may have gone out (a known failure after it does not undo that).
    q.possible_duplicate |= outcome_unknown;
    unlock_with(rec, q, progress)
}

/// The transports of this spooler dealt with what they take; the rest of the recipients wait
/// for another spooler. Not a failure: nothing is counted.
pub fn release_partial(
    existing: Option<&StoredMessage>,
    id: &EntryId,
    owner: &str,
    progress: &Progress,
) -> Result<StoredMessage> {
    let (rec, q) = held(existing, id, owner)?;
    unlock_with(rec, q, progress)
}

/// Where a finished message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Delete,
    Folder(Folder),
}

/// Where PidTagDeleteAfterSubmit / PidTagSentMailEntryId send a finished message; a
/// PidTagSentMailEntryId that names no folder of this store falls back to Sent Items.
pub fn destination(content: &MessageContent, store: StoreUid) -> Destination {
    if content.props.bool(tags::PidTagDeleteAfterSubmit) == Some(true) {
        return Destination::Delete;
    }
    let folder = content
        .props
        .binary(tags::PidTagSentMailEntryId)
        .and_then(|b| EntryId::from_bytes("PidTagSentMailEntryId", b).ok())
        .and_then(|id| Folder::from_entry_id(store, &id))
        .unwrap_or(Folder::Sent);
    Destination::Folder(folder)
}

/// The records a finished send leaves: the sent copy (None when deleted) under a new id, and
/// the non-delivery report when any recipient failed.
#[derive(Debug, Clone)]
pub struct Finished {
    pub sent: Option<StoredMessage>,
    pub ndr: Option<StoredMessage>,
    pub failed: Vec<Failure>,
    pub submission_id: String,
}

/// Ids and sequence numbers a finish needs (the backend draws them).
#[derive(Debug, Clone, Copy)]
pub struct FinishIds {
    pub sent_id: EntryId,
    pub sent_seq: u64,
    pub ndr_id: EntryId,
    pub ndr_seq: u64,
    pub now: i64,
}

impl FinishIds {
    /// The ids of the sent copy and of a report in store `store`, from two new object uids,
    /// with the next two change sequence numbers of the backend.
    pub fn new(
        store: StoreUid,
        uids: ([u8; 16], [u8; 16]),
        mut next_seq: impl FnMut() -> u64,
        now: i64,
    ) -> FinishIds {
        FinishIds {
            sent_id: EntryId::new(store, uids.0),
            sent_seq: next_seq(),
            ndr_id: EntryId::new(store, uids.1),
            ndr_seq: next_seq(),
            now,
        }
    }
}

/// Every recipient has been dealt with: move (new entry id) or delete, and report failures.
pub fn finish(
    existing: Option<&StoredMessage>,
    id: &EntryId,
    owner: &str,
    content: &MessageContent,
    failed_now: &[Failure],
    dest: Destination,
    ids: FinishIds,
) -> Result<Finished> {
    let (rec, q) = held(existing, id, owner)?;
    let mut failed = q.failed.clone();
    failed.extend(failed_now.iter().cloned());
    let sent = match dest {
        Destination::Delete => None,
        Destination::Folder(folder) => Some(StoredMessage {
            entry_id: ids.sent_id,
            folder,
            version: 1,
            flags: (rec.flags & !(flags::SUBMIT | flags::UNSENT)) | flags::READ,
            changed_seq: ids.sent_seq,
            summary: Summary::of(content),
            blob: record::encode(content)?,
            queue: None,
        }),
    };
    let ndr = if failed.is_empty() {
        None
    } else {
        let report = crate::spool::report(content, &failed, ids.now);
        Some(StoredMessage {
            entry_id: ids.ndr_id,
            folder: Folder::Inbox,
            version: 1,
            // A received report: unread, not from me.
            flags: 0,
            changed_seq: ids.ndr_seq,
            summary: Summary::of(&report),
            blob: record::encode(&report)?,
            queue: None,
        })
    };
    Ok(Finished {
        sent,
        ndr,
        failed,
        submission_id: q.submission_id,
    })
}

/// What `hurry` does to a queued message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hurry {
    /// `retryNow`: a message waiting for a retry after a failed attempt becomes due at once;
    /// its deferred send time is kept.
    RetryNow,
    /// `sendNow`: the deferred send time (undo window, send-later time) and any retry wait end
    /// now. The deferred time moves to now rather than vanishing, so the `Date` of the
    /// message (the later of submit and deferred time) is the moment it went.
    SendNow,
}

/// retryNow / sendNow on one message. `Ok(None)`: nothing to change (for retryNow, the
/// message was not waiting for a retry; for sendNow, it is already due, or a transport has
/// it and it is going).
pub fn hurry(
    existing: Option<&StoredMessage>,
    id: &EntryId,
    finished: bool,
    how: Hurry,
    now: i64,
) -> Result<Option<StoredMessage>> {
    let Some(rec) = existing else {
        if finished {
            bail!(
                NotInQueue,
                "message {id} is no longer in the outgoing queue: it was sent"
            );
        }
        bail!(NotFound, "no message has entry id {id}");
    };
    let Some(q) = &rec.queue else {
        bail!(
            NotInQueue,
            "message {id} is not in the outgoing queue (it was never submitted, or was aborted)"
        );
    };
    if q.is_locked() && q.lock.as_ref().is_some_and(|l| l.until > now) {
        return Ok(None);
    }
    let mut q = q.clone();
    let waits = |t: Option<i64>| t.is_some_and(|t| t > now);
    let mut changed = false;
    if waits(q.next_attempt_at) {
        q.next_attempt_at = Some(now);
        changed = true;
    }
    if how == Hurry::SendNow && waits(q.deferred_until) {
        q.deferred_until = Some(now);
        changed = true;
    }
    if !changed {
        return Ok(None);
    }
    Ok(Some(StoredMessage {
        version: rec.version + 1,
        queue: Some(q),
        ..rec.clone()
    }))
}
