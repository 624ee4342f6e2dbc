//! Which queued message a spooler takes next, and when it should look again: pure functions
//! of the queued records in submit order, shared by the backends.

use super::StoredMessage;
use crate::entry_id::EntryId;

/// The first queued message (submit order) that may go now and that a spooler taking
/// `types` (None: any) has something to do with.
pub fn next_due<'a>(
    queued: impl Iterator<Item = &'a StoredMessage>,
    now: i64,
    types: Option<&[String]>,
) -> Option<EntryId> {
    next_due_given(queued, now, types, &[])
}

/// `next_due`, where the lock holders named in `dead` are known to have died.
pub fn next_due_given<'a>(
    mut queued: impl Iterator<Item = &'a StoredMessage>,
    now: i64,
    types: Option<&[String]>,
    dead: &[String],
) -> Option<EntryId> {
    queued
        .find(|r| {
            r.queue
                .as_ref()
                .is_some_and(|q| q.is_eligible_given(now, dead) && q.wanted_by(types))
        })
        .map(|r| r.entry_id)
}

/// The owners of the locks on queued messages whose leases have not run out, other than
/// `me`: the spooler asks the browser which of them are still alive.
pub fn lock_holders<'a>(
    queued: impl Iterator<Item = &'a StoredMessage>,
    now: i64,
    me: &str,
) -> Vec<String> {
    let mut owners: Vec<String> = queued
        .filter_map(|r| r.queue.as_ref()?.lock.as_ref())
        .filter(|l| l.until > now && l.owner != me)
        .map(|l| l.owner.clone())
        .collect();
    owners.sort();
    owners.dedup();
    owners
}

/// What `flush()` resolves with: how many messages are still queued, and when the earliest
/// of them becomes due (None when none is queued).
pub fn remaining<'a>(
    queued: impl Iterator<Item = &'a StoredMessage>,
    now: i64,
) -> (u32, Option<i64>) {
    let mut n = 0u32;
    let mut first: Option<i64> = None;
    for q in queued.filter_map(|r| r.queue.as_ref()) {
        n += 1;
        let lease = q.lock.as_ref().map_or(i64::MIN, |l| l.until);
        let at = lease
            .max(q.deferred_until.unwrap_or(i64::MIN))
            .max(q.next_attempt_at.unwrap_or(i64::MIN))
            .max(now);
        first = Some(first.map_or(at, |f| f.min(at)));
    }
    (n, first)
}

/// When the next message that is not due yet becomes due (deferral, back-off, lease).
pub fn next_wake<'a>(
    queued: impl Iterator<Item = &'a StoredMessage>,
    now: i64,
    types: Option<&[String]>,
) -> Option<i64> {
    queued
        .filter_map(|r| r.queue.as_ref())
        .filter(|q| q.wanted_by(types) && !q.is_eligible(now))
        .map(|q| {
            let lease = q.lock.as_ref().map_or(i64::MIN, |l| l.until);
            lease
                .max(q.deferred_until.unwrap_or(i64::MIN))
                .max(q.next_attempt_at.unwrap_or(i64::MIN))
        })
        .min()
}
