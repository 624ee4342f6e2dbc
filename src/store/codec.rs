//! The persisted form of a stored message for a backend that keeps records outside Rust
//! (IndexedDB): the metadata (folder, version, flags, summary, queue state) as one framed,
//! checksummed byte string beside the content blob (itself framed by `crate::record`), plus
//! the few plain fields the database indexes. Plain Rust, so it is tested natively.

use serde::{Deserialize, Serialize};

use super::{Folder, StoredMessage, Summary};
use crate::entry_id::EntryId;
use crate::error::Result;
use crate::queue::QueueState;
use crate::record::FrameError;
use crate::{bail, mapi_err};

const MAGIC: &[u8; 3] = b"MOM";
/// The format of the metadata bytes; bumped with any change of `MetaV1`.
pub const META_FORMAT: u8 = 1;

#[derive(Serialize, Deserialize)]
struct MetaV1 {
    entry_id: Vec<u8>,
    folder: Folder,
    version: u64,
    flags: u32,
    changed_seq: u64,
    summary: Summary,
    queue: Option<QueueState>,
}

/// A stored message split the way a database keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parts {
    /// The primary key: the entry id in hex.
    pub key: String,
    /// Indexed with `changed_seq` for folder listings, newest first.
    pub folder: u8,
    pub changed_seq: u64,
    /// Indexed for the outgoing queue (submit order); None when not queued.
    pub queue_seq: Option<u64>,
    pub meta: Vec<u8>,
    pub blob: Vec<u8>,
}

pub fn folder_number(f: Folder) -> u8 {
    f as u8
}

pub fn to_parts(rec: &StoredMessage) -> Result<Parts> {
    let meta = MetaV1 {
        entry_id: rec.entry_id.0.to_vec(),
        folder: rec.folder,
        version: rec.version,
        flags: rec.flags,
        changed_seq: rec.changed_seq,
        summary: rec.summary.clone(),
        queue: rec.queue.clone(),
    };
    let bytes = crate::record::frame(MAGIC, META_FORMAT, &meta)?;
    Ok(Parts {
        key: rec.entry_id.to_hex(),
        folder: folder_number(rec.folder),
        changed_seq: rec.changed_seq,
        queue_seq: rec.queue.as_ref().map(|q| q.seq),
        meta: bytes,
        blob: rec.blob.clone(),
    })
}

/// Reads a record back. The metadata must be intact (checksum, format, and the entry id it
/// names must be `key`); the blob is taken as it is and checked when the content is read,
/// so that a damaged content is `MAPI_E_CORRUPT_DATA` at submit and repaired by a save.
pub fn from_parts(key: &str, meta: &[u8], blob: Vec<u8>) -> Result<StoredMessage> {
    let damaged = |why: &str| {
        mapi_err!(
            CorruptData,
            "the stored record of message {key} is damaged ({why}); delete the message"
        )
    };
    let payload = match crate::record::unframe(MAGIC, META_FORMAT, meta) {
        Ok(p) => p,
        Err(FrameError::NoHeader) => return Err(damaged("no metadata header")),
        Err(FrameError::Format(v)) => bail!(
            CorruptData,
            "the stored record of message {key} has metadata format {v}, this version reads {META_FORMAT}"
        ),
        Err(FrameError::Checksum) => return Err(damaged("metadata checksum mismatch")),
    };
    let m: MetaV1 =
        postcard::from_bytes(payload).map_err(|_| damaged("metadata cannot be decoded"))?;
    let entry_id = EntryId::from_bytes("stored entry id", &m.entry_id)
        .map_err(|_| damaged("bad entry id in the metadata"))?;
    if entry_id.to_hex() != key {
        return Err(damaged("the metadata names another message"));
    }
    Ok(StoredMessage {
        entry_id,
        folder: m.folder,
        version: m.version,
        flags: m.flags,
        changed_seq: m.changed_seq,
        summary: m.summary,
        blob,
        queue: m.queue,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry_id::StoreUid;
    use crate::queue::Lock;
    use crate::MapiCode;

    fn sample(queued: bool) -> StoredMessage {
        let mut q = QueueState::new(7, 1_700_000_000_000, "s".repeat(32), Some(5));
        q.lock = Some(Lock {
            owner: "tab-1".into(),
            until: 99,
        });
        StoredMessage {
            entry_id: EntryId::new(StoreUid([3; 16]), [9; 16]),
            folder: if queued {
                Folder::Outbox
            } else {
                Folder::Drafts
            },
            version: 4,
            flags: 0x2c,
            changed_seq: 42,
            summary: Summary {
                subject: Some("Отправка".into()),
                display_to: "A; B".into(),
                size: 1234,
                ..Summary::default()
            },
            blob: vec![1, 2, 3],
            queue: queued.then_some(q),
        }
    }

    #[test]
    fn a_stored_message_round_trips_through_its_parts() {
        for queued in [false, true] {
            let rec = sample(queued);
            let p = to_parts(&rec).unwrap();
            assert_eq!(p.key, rec.entry_id.to_hex());
            assert_eq!(p.queue_seq, queued.then_some(7));
            assert_eq!(p.changed_seq, 42);
            assert_eq!(from_parts(&p.key, &p.meta, p.blob.clone()).unwrap(), rec);
        }
    }

    #[test]
    fn damaged_or_foreign_metadata_is_corrupt_data_naming_the_message() {
        let p = to_parts(&sample(true)).unwrap();
        let mut flipped = p.meta.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        let mut newer = p.meta.clone();
        newer[3] = 9;
        let other = to_parts(&StoredMessage {
            entry_id: EntryId::new(StoreUid([3; 16]), [8; 16]),
            ..sample(false)
        })
        .unwrap();
        for bad in [&flipped[..], &p.meta[..5], b"", &newer[..], &other.meta[..]] {
            let e = from_parts(&p.key, bad, vec![]).unwrap_err();
            assert_eq!(e.code, MapiCode::CorruptData);
            assert!(e.message.contains(&p.key), "{}", e.message);
        }
    }

    #[test]
    fn a_damaged_blob_is_left_for_the_content_check() {
        let p = to_parts(&sample(false)).unwrap();
        let rec = from_parts(&p.key, &p.meta, b"garbage".to_vec()).unwrap();
        assert_eq!(rec.blob, b"garbage");
        assert!(!crate::record::is_intact(&rec.blob));
    }
}
