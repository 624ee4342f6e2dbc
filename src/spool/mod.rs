//! What the spooler decides, in plain Rust: which transport gets which recipients, what a
//! transport's answer means, how long to back off, and the non-delivery report. The binding
//! layer only calls the transports and applies these decisions through the backend.

mod attempt;
mod flush;
mod ndr;
mod outcome;
pub mod pump;
mod route;

pub use attempt::{Attempt, Offer, Outcome};
pub use flush::{Flush, FlushStep, FlushView};
pub use ndr::report;
pub use outcome::{backoff_ms, classify, Answer, Settled};
pub use pump::{Engine, Host, Outgoing, Pump, PumpConfig, Storage, Transport};
pub use route::{route, Refusals, Routing, TransportInfo};

use crate::message::{MessageContent, Recipient};
use crate::props::names::tags;

/// Default lease of a spooler's lock; renewed every third of it while a send is in flight.
pub const LEASE_MS: i64 = 30_000;
/// A send that has not settled by then is aborted and counted as a transient failure.
pub const SEND_TIMEOUT_MS: i64 = 120_000;
/// Sends in flight at once in one spooler.
pub const MAX_IN_FLIGHT: usize = 4;

/// Adds `item` to a small set kept as a vector (the spooler's few transports, ids in flight,
/// watched tabs: a vector keeps B-tree code out of the module); false if it was there.
pub fn push_once<T: PartialEq>(set: &mut Vec<T>, item: T) -> bool {
    if set.contains(&item) {
        return false;
    }
    set.push(item);
    true
}

/// A transport has dealt with this recipient (delivered or failed for good).
pub fn is_done(r: &Recipient) -> bool {
    r.props.bool(tags::PidTagResponsibility) == Some(true)
}

/// Upper-case address types of the recipients not dealt with yet, sorted, without repeats.
pub fn pending_types(content: &MessageContent) -> Vec<String> {
    let mut t: Vec<String> = content
        .recipients
        .iter()
        .filter(|r| !is_done(r))
        .map(|r| r.address_type().to_ascii_uppercase())
        .collect();
    t.sort();
    t.dedup();
    t
}

#[cfg(test)]
mod tests {
    #[test]
    fn push_once_adds_an_item_only_the_first_time() {
        let mut set = vec![1, 3];
        assert!(super::push_once(&mut set, 2));
        assert!(!super::push_once(&mut set, 3));
        assert!(!super::push_once(&mut set, 2));
        assert_eq!(set, vec![1, 3, 2]);
    }
}
