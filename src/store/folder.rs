use serde::{Deserialize, Serialize};

use crate::entry_id::{EntryId, StoreUid};
use crate::error::Result;
use crate::mapi_err;

/// The store's folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Folder {
    Drafts,
    Outbox,
    Sent,
    Inbox,
}

impl Folder {
    pub const ALL: [Folder; 4] = [Folder::Drafts, Folder::Outbox, Folder::Sent, Folder::Inbox];

    pub fn name(self) -> &'static str {
        match self {
            Folder::Drafts => "drafts",
            Folder::Outbox => "outbox",
            Folder::Sent => "sent",
            Folder::Inbox => "inbox",
        }
    }

    /// Folder ids are entry ids whose object uid is 15 zero bytes and the folder number.
    pub fn entry_id(self, store: StoreUid) -> EntryId {
        let mut uid = [0u8; 16];
        uid[15] = self as u8 + 1;
        EntryId::new(store, uid)
    }

    pub fn from_entry_id(store: StoreUid, id: &EntryId) -> Option<Folder> {
        Folder::ALL.into_iter().find(|f| f.entry_id(store) == *id)
    }

    pub fn from_name(name: &str) -> Option<Folder> {
        Folder::ALL.into_iter().find(|f| f.name() == name)
    }

    /// A folder argument: a folder name, or a folder entry id in hex.
    pub fn parse(store: StoreUid, s: &str) -> Result<Folder> {
        if let Some(f) = Folder::from_name(s) {
            return Ok(f);
        }
        let id = EntryId::parse_hex("folder", s).map_err(|e| {
            mapi_err!(
                InvalidEntryId,
                "folder must be \"drafts\", \"outbox\", \"sent\", \"inbox\" or a folder entry id; {}",
                e.message
            )
        })?;
        Folder::from_entry_id(store, &id)
            .ok_or_else(|| mapi_err!(NotFound, "no folder has entry id {id}"))
    }
}
