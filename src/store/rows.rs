//! The rows of the outgoing-queue and folder-contents views (SPEC §5).

use super::StoredMessage;
use crate::entry_id::EntryId;

#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub entry_id: EntryId,
    pub client_submit_time: i64,
    pub display_to: String,
    pub display_cc: String,
    pub display_bcc: String,
    pub message_flags: u32,
    pub message_size: u64,
    pub priority: i32,
    pub sender_name: String,
    pub subject: String,
    pub submit_flags: u32,
    pub deferred_send_time: Option<i64>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
}

impl QueueRow {
    /// The row of a queued message whose stored metadata cannot be read: it stays in the
    /// view (never silently gone), says so in `last_error`, and can be aborted (back to
    /// Drafts from its content) or deleted.
    pub fn damaged(entry_id: EntryId) -> QueueRow {
        QueueRow {
            entry_id,
            client_submit_time: 0,
            display_to: String::new(),
            display_cc: String::new(),
            display_bcc: String::new(),
            message_flags: crate::message::flags::SUBMIT | crate::message::flags::UNSENT,
            message_size: 0,
            priority: 0,
            sender_name: String::new(),
            subject: String::new(),
            submit_flags: 0,
            deferred_send_time: None,
            attempts: 0,
            last_error: Some(
                "MAPI_E_CORRUPT_DATA: the stored metadata of this message is damaged, so it \
                 cannot be sent; abort it (it comes back to Drafts if its content is intact) \
                 or delete it"
                    .into(),
            ),
            next_attempt_at: None,
        }
    }

    /// None for a record that is not queued.
    pub fn of(rec: &StoredMessage) -> Option<QueueRow> {
        let q = rec.queue.as_ref()?;
        let s = &rec.summary;
        Some(QueueRow {
            entry_id: rec.entry_id,
            client_submit_time: q.submitted_at,
            display_to: s.display_to.clone(),
            display_cc: s.display_cc.clone(),
            display_bcc: s.display_bcc.clone(),
            message_flags: rec.flags,
            message_size: s.size,
            priority: s.priority.unwrap_or(0),
            sender_name: s.sender_name.clone().unwrap_or_default(),
            subject: s.subject.clone().unwrap_or_default(),
            submit_flags: q.submit_flags(),
            deferred_send_time: q.deferred_until,
            attempts: q.attempts,
            last_error: q.last_error.clone(),
            next_attempt_at: q.next_attempt_at,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContentsRow {
    pub entry_id: EntryId,
    pub subject: String,
    pub message_class: String,
    pub message_flags: u32,
    pub message_size: u64,
    pub display_to: String,
    pub client_submit_time: Option<i64>,
}

impl ContentsRow {
    pub fn of(rec: &StoredMessage) -> ContentsRow {
        let s = &rec.summary;
        ContentsRow {
            entry_id: rec.entry_id,
            subject: s.subject.clone().unwrap_or_default(),
            message_class: s.message_class.clone().unwrap_or_else(|| "IPM.Note".into()),
            message_flags: rec.flags,
            message_size: s.size,
            display_to: s.display_to.clone(),
            client_submit_time: s.client_submit_time,
        }
    }
}
