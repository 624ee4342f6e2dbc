//! Repairing a damaged store meta record (`{ uid, seq }` in IndexedDB). Every entry id embeds
//! the store uid, and every message record carries the change sequence it was written at, so
//! both can be recovered from the messages themselves: the messages stay reachable, nothing
//! is deleted, and what was repaired is said.

use std::collections::HashMap;

use crate::entry_id::{EntryId, StoreUid};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaRepair {
    pub uid: StoreUid,
    /// At least every sequence number already used by a record.
    pub seq: u64,
    /// What was repaired, for the console.
    pub note: String,
}

/// `keys`: the hex entry ids of the stored messages; `max_seq`: the largest change sequence
/// found on them; `fresh`: a new uid, used only when no message names one.
pub fn repair_meta<'a>(
    name: &str,
    keys: impl IntoIterator<Item = &'a str>,
    max_seq: u64,
    fresh: [u8; 16],
) -> MetaRepair {
    let mut counts: HashMap<[u8; 16], usize> = HashMap::new();
    let mut total = 0usize;
    for k in keys {
        total += 1;
        if let Ok(id) = EntryId::parse_hex("a stored key", k) {
            *counts.entry(id.store_uid().0).or_default() += 1;
        }
    }
    // The uid most records carry (a record of another store can only be a stray).
    let found = counts
        .iter()
        .max_by_key(|(uid, n)| (**n, **uid))
        .map(|(uid, n)| (*uid, *n));
    let (uid, how) = match found {
        Some((uid, n)) => (
            StoreUid(uid),
            format!("its store uid was recovered from {n} of its {total} messages"),
        ),
        None => (
            StoreUid(fresh),
            "it held no message, so it was given a new store uid".to_string(),
        ),
    };
    MetaRepair {
        uid,
        seq: max_seq,
        note: format!(
            "IndexedDB database {name:?}: the store's meta record was damaged and has been \
             repaired: {how}, and its change sequence set to {max_seq}; no message was lost"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uid_most_messages_carry_is_recovered_and_the_sequence_kept() {
        let uid = StoreUid([7; 16]);
        let a = EntryId::new(uid, [1; 16]).to_hex();
        let b = EntryId::new(uid, [2; 16]).to_hex();
        let stray = EntryId::new(StoreUid([9; 16]), [3; 16]).to_hex();
        let r = repair_meta(
            "db",
            [a.as_str(), b.as_str(), stray.as_str(), "junk"],
            41,
            [0; 16],
        );
        assert_eq!(r.uid, uid);
        assert_eq!(r.seq, 41);
        assert!(r.note.contains("2 of its 4 messages"), "{}", r.note);
    }

    #[test]
    fn an_empty_store_gets_the_fresh_uid() {
        let r = repair_meta("db", [], 0, [5; 16]);
        assert_eq!(r.uid, StoreUid([5; 16]));
        assert!(r.note.contains("new store uid"));
    }
}
