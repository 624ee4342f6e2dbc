//! The outgoing queue's per-message state and the rules that decide when a queued message
//! may be handed to a transport.

use serde::{Deserialize, Serialize};

use crate::message::submit_flags;

/// A lock a transport (spooler) holds on a queued message, with a lease that expires if
/// its holder dies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    pub owner: String,
    pub until: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueState {
    /// Submit order: strictly increasing across the store.
    pub seq: u64,
    pub submitted_at: i64,
    /// Stable for this submission across retries, reloads and tabs.
    pub submission_id: String,
    /// Not handed to a transport before this time (deferred send, undo window).
    pub deferred_until: Option<i64>,
    pub lock: Option<Lock>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
    /// The outcome of an earlier attempt is unknown (its lease ran out, or it timed out):
    /// the next hand-over says `possibleDuplicate: true`.
    #[serde(default)]
    pub possible_duplicate: bool,
    /// Recipients that failed for good so far, for the non-delivery report.
    #[serde(default)]
    pub failed: Vec<Failure>,
    /// Address types (upper case) of the recipients no transport has dealt with yet.
    #[serde(default)]
    pub pending_types: Vec<String>,
}

/// A recipient that failed for good, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub email: String,
    pub reason: String,
}

impl QueueState {
    pub fn new(
        seq: u64,
        submitted_at: i64,
        submission_id: String,
        deferred_until: Option<i64>,
    ) -> Self {
        QueueState {
            seq,
            submitted_at,
            submission_id,
            deferred_until,
            lock: None,
            attempts: 0,
            last_error: None,
            next_attempt_at: None,
            possible_duplicate: false,
            failed: Vec::new(),
            pending_types: Vec::new(),
        }
    }

    /// Whether a spooler whose transports take `types` (None: any, a full spooler) has
    /// something to do with this message.
    pub fn wanted_by(&self, types: Option<&[String]>) -> bool {
        match types {
            None => true,
            Some(t) => self.pending_types.iter().any(|p| t.contains(p)),
        }
    }

    /// A transport has taken the message (even if the lease has run out: the outcome of
    /// that attempt is unknown until a spooler takes it again).
    pub fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    pub fn submit_flags(&self) -> u32 {
        if self.is_locked() {
            submit_flags::LOCKED
        } else {
            0
        }
    }

    /// May a spooler lock it now: not locked (or its lease expired), and past any deferral
    /// and retry back-off.
    pub fn is_eligible(&self, now: i64) -> bool {
        self.is_eligible_given(now, &[])
    }

    /// As `is_eligible`, where the lock holders named in `dead` are known to have died (their
    /// Web Lock is free): their locks are taken again at once, without waiting for the lease.
    pub fn is_eligible_given(&self, now: i64, dead: &[String]) -> bool {
        let lock_free = self
            .lock
            .as_ref()
            .is_none_or(|l| l.until <= now || dead.contains(&l.owner));
        lock_free
            && self.deferred_until.is_none_or(|t| t <= now)
            && self.next_attempt_at.is_none_or(|t| t <= now)
    }

    /// The `Date` of the message when it goes: the later of its submit time and its deferred
    /// send time (a message sent later is dated when it goes, and every attempt sends the
    /// same bytes).
    pub fn send_date(&self) -> i64 {
        self.deferred_until
            .map_or(self.submitted_at, |d| d.max(self.submitted_at))
    }
}

/// Deferred-send units of PidTagDeferredSendUnits, in milliseconds: minutes, hours, days, weeks.
pub fn deferred_unit_ms(units: i32) -> Option<i64> {
    match units {
        0 => Some(60_000),
        1 => Some(3_600_000),
        2 => Some(86_400_000),
        3 => Some(604_800_000),
        _ => None,
    }
}

/// When a message submitted at `now` may first go: PidTagDeferredSendNumber/Units (both set)
/// counted from the submit time, else PidTagDeferredSendTime, else the store's undo window.
pub fn deferred_until(
    now: i64,
    send_number: Option<i32>,
    send_units: Option<i32>,
    send_time: Option<i64>,
    send_delay_ms: u64,
) -> Option<i64> {
    if let (Some(n), Some(u)) = (send_number, send_units) {
        if let Some(unit) = deferred_unit_ms(u) {
            return Some(now.saturating_add((n as i64).saturating_mul(unit)));
        }
    }
    if send_time.is_some() {
        return send_time;
    }
    if send_delay_ms > 0 {
        return Some(now.saturating_add(send_delay_ms.min(i64::MAX as u64) as i64));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_and_units_override_send_time_and_count_from_submit() {
        assert_eq!(
            deferred_until(1000, Some(2), Some(0), Some(5), 0),
            Some(1000 + 120_000)
        );
        assert_eq!(
            deferred_until(1000, Some(1), Some(3), None, 0),
            Some(1000 + 604_800_000)
        );
    }

    #[test]
    fn number_without_units_falls_back_to_send_time_then_delay() {
        assert_eq!(
            deferred_until(1000, Some(2), None, Some(5000), 0),
            Some(5000)
        );
        assert_eq!(deferred_until(1000, None, None, None, 5000), Some(6000));
        assert_eq!(deferred_until(1000, None, None, None, 0), None);
    }

    #[test]
    fn eligibility_respects_deferral_backoff_and_lease() {
        let mut q = QueueState::new(1, 0, "s".into(), Some(100));
        assert!(!q.is_eligible(99));
        assert!(q.is_eligible(100));
        q.next_attempt_at = Some(200);
        assert!(!q.is_eligible(150));
        q.next_attempt_at = None;
        q.lock = Some(Lock {
            owner: "t".into(),
            until: 300,
        });
        assert!(!q.is_eligible(299));
        assert!(q.is_eligible(300));
        assert_eq!(q.submit_flags(), submit_flags::LOCKED);
    }
}
