//! Which queued message a spooler takes next, and when it should look again: pure functions
//! of the queued records in submit order, shared by the backends.

use super::StoredMessage;
use crate::entry_id::EntryId;

/// The first queued message (submit order) that may go now and that a spooler taking
/// `types` (None: any) has something to do with.
pub fn next_due<'a>(
    mut queued: impl Iterator<Item = &'a StoredMessage>,
    now: i64,
    types: Option<&[String]>,
) -> Option<EntryId> {
    queued
        .find(|r| {
            r.queue
                .as_ref()
                .is_some_and(|q| q.is_eligible(now) && q.wanted_by(types))
        })
        .map(|r| r.entry_id)
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
