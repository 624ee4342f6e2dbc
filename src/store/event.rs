//! What a change tells the listeners (SPEC §5 events).

use super::transitions::Finished;
use crate::entry_id::EntryId;
use crate::queue::Failure;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    QueueChange,
    Submitted {
        entry_id: EntryId,
        submission_id: String,
    },
    Aborted {
        entry_id: EntryId,
    },
    Sending {
        entry_id: EntryId,
        transport: String,
    },
    Sent {
        entry_id: EntryId,
        sent_entry_id: Option<EntryId>,
        submission_id: String,
    },
    Retry {
        entry_id: EntryId,
        attempt: u32,
        error: String,
        next_attempt_at: i64,
    },
    Ndr {
        entry_id: EntryId,
        report_entry_id: EntryId,
        recipients: Vec<Failure>,
    },
}

impl Event {
    /// The event's type as listeners name it (SPEC §5).
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::QueueChange => "queuechange",
            Event::Submitted { .. } => "submitted",
            Event::Aborted { .. } => "aborted",
            Event::Sending { .. } => "sending",
            Event::Sent { .. } => "sent",
            Event::Retry { .. } => "retry",
            Event::Ndr { .. } => "ndr",
        }
    }

    /// The events a finished send raises.
    pub fn of_finish(id: EntryId, f: &Finished) -> Vec<Event> {
        let mut events = vec![Event::Sent {
            entry_id: id,
            sent_entry_id: f.sent.as_ref().map(|r| r.entry_id),
            submission_id: f.submission_id.clone(),
        }];
        if let Some(ndr) = &f.ndr {
            events.push(Event::Ndr {
                entry_id: id,
                report_entry_id: ndr.entry_id,
                recipients: f.failed.clone(),
            });
        }
        events.push(Event::QueueChange);
        events
    }
}
