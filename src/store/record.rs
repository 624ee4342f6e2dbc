use serde::{Deserialize, Serialize};

use super::Folder;
use crate::entry_id::EntryId;
use crate::message::{MessageContent, RECIP_BCC, RECIP_CC, RECIP_TO};
use crate::props::names::tags;
use crate::queue::QueueState;

/// What the folder and queue views show of a message, kept beside the content so that
/// listing a folder never decodes a record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub subject: Option<String>,
    pub message_class: Option<String>,
    pub display_to: String,
    pub display_cc: String,
    pub display_bcc: String,
    pub size: u64,
    pub sender_name: Option<String>,
    pub priority: Option<i32>,
    pub client_submit_time: Option<i64>,
}

impl Summary {
    pub fn of(content: &MessageContent) -> Summary {
        let p = &content.props;
        Summary {
            subject: p.str(tags::PidTagSubject).map(str::to_owned),
            message_class: p.str(tags::PidTagMessageClass).map(str::to_owned),
            display_to: content.display_list(RECIP_TO),
            display_cc: content.display_list(RECIP_CC),
            display_bcc: content.display_list(RECIP_BCC),
            size: content.size() as u64,
            sender_name: p.str(tags::PidTagSenderName).map(str::to_owned),
            priority: p.long(tags::PidTagPriority),
            client_submit_time: p.time(tags::PidTagClientSubmitTime),
        }
    }
}

/// One message as the store keeps it. `blob` is the checksummed content (see `record`);
/// everything else is store metadata that stays readable even if the blob is damaged.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    pub entry_id: EntryId,
    pub folder: Folder,
    /// Bumped by every change; a save through an object opened at another version conflicts.
    pub version: u64,
    /// PidTagMessageFlags.
    pub flags: u32,
    /// Store-wide change sequence of the last save or move: folders list newest first by it.
    pub changed_seq: u64,
    pub summary: Summary,
    pub blob: Vec<u8>,
    pub queue: Option<QueueState>,
}
