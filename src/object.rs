//! The client-side objects: a Message (a transacted property bag whose changes live in the
//! object until saved) and its Attachments. Their life cycle: live, busy while a submit is
//! in flight, dead after a successful submit (every call but free() fails).

use crate::entry_id::EntryId;
use crate::error::Result;
use crate::message::{MessageContent, RecipientOp};
use crate::props::names::tags;
use crate::props::rules::{self, ObjectKind};
use crate::props::{PropBag, PropTag, PropValue};
use crate::store::transitions::{Base, Opened, NEW_MESSAGE_FLAGS};
use crate::store::StoredMessage;
use crate::{bail, mapi_err};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Live,
    /// A submit is in flight.
    Busy,
    /// Submitted: the entry id this object knew is no longer valid for it.
    Dead,
}

/// The sender a store stamps on new messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub email: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MessageObject {
    pub base: Base,
    pub content: MessageContent,
    pub read_only: bool,
    pub state: Liveness,
    /// PidTagMessageFlags as of the last open or save.
    pub flags: u32,
    /// PidTagSubmitFlags, for a read-only object of a queued message.
    pub submit_flags: Option<u32>,
}

type Props = Vec<(PropTag, PropValue)>;

impl MessageObject {
    /// A new message: defaults set, not stored until its first save.
    pub fn create(entry_id: EntryId, identity: Option<&Identity>) -> MessageObject {
        let mut content = MessageContent {
            next_attach: 0,
            ..MessageContent::default()
        };
        let p = &mut content.props;
        p.set(
            tags::PidTagMessageClass,
            PropValue::Unicode("IPM.Note".into()),
        );
        p.set(tags::PidTagImportance, PropValue::Long(1));
        p.set(tags::PidTagPriority, PropValue::Long(0));
        if let Some(id) = identity {
            p.set(
                tags::PidTagSenderEmailAddress,
                PropValue::Unicode(id.email.clone()),
            );
            if let Some(name) = &id.name {
                p.set(tags::PidTagSenderName, PropValue::Unicode(name.clone()));
            }
        }
        MessageObject {
            base: Base {
                entry_id,
                version: None,
            },
            content,
            read_only: false,
            state: Liveness::Live,
            flags: NEW_MESSAGE_FLAGS,
            submit_flags: None,
        }
    }

    pub fn opened(entry_id: EntryId, o: Opened) -> MessageObject {
        MessageObject {
            base: Base {
                entry_id,
                version: Some(o.version),
            },
            content: o.content,
            read_only: o.read_only,
            state: Liveness::Live,
            flags: o.flags,
            submit_flags: o.submit_flags,
        }
    }

    /// Any use: fails once submitted, or while the submit is in flight.
    pub fn check_alive(&self) -> Result<()> {
        match self.state {
            Liveness::Live => Ok(()),
            Liveness::Busy => bail!(
                Busy,
                "message {} is being submitted; wait for submit() to settle",
                self.base.entry_id
            ),
            Liveness::Dead => bail!(
                InvalidObject,
                "this message object was submitted and can no longer be used (only free() is \
                 allowed); open the message again by its entry id"
            ),
        }
    }

    pub fn check_write(&self) -> Result<()> {
        self.check_alive()?;
        if self.read_only {
            bail!(NoAccess, "message {} is open read-only", self.base.entry_id);
        }
        Ok(())
    }

    pub fn entry_id(&self) -> Result<EntryId> {
        self.check_alive()?;
        Ok(self.base.entry_id)
    }

    pub fn set_props(&mut self, values: Props) -> Result<()> {
        self.check_write()?;
        self.content.set_props(values)
    }

    pub fn delete_props(&mut self, tags_to_delete: &[PropTag]) -> Result<()> {
        self.check_write()?;
        self.content.delete_props(tags_to_delete)
    }

    fn computed(&self) -> Props {
        let c = &self.content;
        let mut v = vec![
            (tags::PidTagMessageFlags, PropValue::Long(self.flags as i32)),
            (
                tags::PidTagMessageSize,
                PropValue::Long(clamp_i32(c.size())),
            ),
            (
                tags::PidTagHasAttachments,
                PropValue::Boolean(c.has_attachments()),
            ),
            (tags::PidTagDisplayTo, PropValue::Unicode(c.display_list(1))),
            (tags::PidTagDisplayCc, PropValue::Unicode(c.display_list(2))),
            (
                tags::PidTagDisplayBcc,
                PropValue::Unicode(c.display_list(3)),
            ),
            (
                tags::PidTagEntryId,
                PropValue::Binary(self.base.entry_id.0.to_vec().into()),
            ),
        ];
        if let Some(sf) = self.submit_flags {
            v.push((tags::PidTagSubmitFlags, PropValue::Long(sf as i32)));
        }
        v
    }

    /// The named properties that are present (all of them when `wanted` is None), computed
    /// ones included.
    pub fn get_props(&self, wanted: Option<&[PropTag]>) -> Result<Props> {
        self.check_alive()?;
        let computed = self.computed();
        let mut all: Props = self
            .content
            .props
            .iter()
            .filter(|(t, _)| !rules::is_computed(ObjectKind::Message, *t))
            .map(|(t, v)| (t, v.clone()))
            .collect();
        all.extend(computed);
        Ok(select(all, wanted))
    }

    pub fn modify_recipients(&mut self, op: RecipientOp, rows: Vec<Props>) -> Result<()> {
        self.check_write()?;
        self.content.modify_recipients(op, rows)
    }

    pub fn get_recipients(&self) -> Result<Vec<Props>> {
        self.check_alive()?;
        Ok(self
            .content
            .recipients
            .iter()
            .map(|r| r.all_props())
            .collect())
    }

    pub fn remove_all_recipients(&mut self) -> Result<()> {
        self.check_write()?;
        self.content.recipients.clear();
        Ok(())
    }

    pub fn create_attach(&mut self) -> Result<AttachmentObject> {
        self.check_write()?;
        let number = self.content.reserve_attach_number();
        let mut props = PropBag::new();
        props.set(tags::PidTagAttachMethod, PropValue::Long(1));
        Ok(AttachmentObject {
            number,
            props,
            existed: false,
        })
    }

    pub fn open_attach(&self, number: u32) -> Result<AttachmentObject> {
        self.check_alive()?;
        let props = self
            .content
            .attachments
            .get(&number)
            .ok_or_else(|| mapi_err!(NotFound, "message has no attachment number {number}"))?;
        Ok(AttachmentObject {
            number,
            props: props.clone(),
            existed: true,
        })
    }

    pub fn delete_attach(&mut self, number: u32) -> Result<()> {
        self.check_write()?;
        self.content
            .attachments
            .remove(&number)
            .map(|_| ())
            .ok_or_else(|| mapi_err!(NotFound, "message has no attachment number {number}"))
    }

    /// getAttachments rows: number, long filename, size, MIME tag (absent ones left out).
    pub fn get_attachments(&self) -> Result<Vec<Props>> {
        self.check_alive()?;
        Ok(self
            .content
            .attachments
            .iter()
            .map(|(n, p)| {
                let mut row = vec![(tags::PidTagAttachNumber, PropValue::Long(*n as i32))];
                if let Some(v) = p.get(tags::PidTagAttachLongFilename) {
                    row.push((tags::PidTagAttachLongFilename, v.clone()));
                }
                row.push((
                    tags::PidTagAttachSize,
                    PropValue::Long(clamp_i32(MessageContent::attachment_size(p))),
                ));
                if let Some(v) = p.get(tags::PidTagAttachMimeTag) {
                    row.push((tags::PidTagAttachMimeTag, v.clone()));
                }
                row
            })
            .collect())
    }

    /// After the store wrote `rec` from this object's content.
    pub fn after_save(&mut self, rec: &StoredMessage, read_only: bool) {
        self.base.version = Some(rec.version);
        self.flags = rec.flags;
        self.read_only = read_only;
    }

    /// Enters the in-flight state; a read-only object cannot submit.
    pub fn begin_submit(&mut self) -> Result<()> {
        self.check_alive()?;
        if self.read_only {
            if self.submit_flags.is_some() {
                bail!(
                    Submitted,
                    "message {} is already in the outgoing queue",
                    self.base.entry_id
                );
            }
            bail!(
                NoAccess,
                "message {} is open read-only and cannot be submitted",
                self.base.entry_id
            );
        }
        self.state = Liveness::Busy;
        Ok(())
    }

    /// Leaves the in-flight state: dead after success, usable as before after a failure.
    pub fn end_submit(&mut self, succeeded: bool) {
        self.state = if succeeded {
            Liveness::Dead
        } else {
            Liveness::Live
        };
    }
}

/// An attachment's own pending properties; `saveChanges` copies them into the parent
/// message's pending content.
#[derive(Debug, Clone)]
pub struct AttachmentObject {
    pub number: u32,
    pub props: PropBag,
    existed: bool,
}

impl AttachmentObject {
    pub fn get_props(&self, parent: &MessageObject, wanted: Option<&[PropTag]>) -> Result<Props> {
        parent.check_alive()?;
        let mut all: Props = self
            .props
            .iter()
            .filter(|(t, _)| !rules::is_computed(ObjectKind::Attachment, *t))
            .map(|(t, v)| (t, v.clone()))
            .collect();
        all.push((
            tags::PidTagAttachNumber,
            PropValue::Long(self.number as i32),
        ));
        all.push((
            tags::PidTagAttachSize,
            PropValue::Long(clamp_i32(MessageContent::attachment_size(&self.props))),
        ));
        Ok(select(all, wanted))
    }

    pub fn set_props(&mut self, parent: &MessageObject, values: Props) -> Result<()> {
        parent.check_write()?;
        for (tag, value) in &values {
            rules::check_value(ObjectKind::Attachment, *tag, value)?;
        }
        for (tag, value) in values {
            self.props.set(tag, value);
        }
        Ok(())
    }

    pub fn delete_props(
        &mut self,
        parent: &MessageObject,
        tags_to_delete: &[PropTag],
    ) -> Result<()> {
        parent.check_write()?;
        for tag in tags_to_delete {
            rules::check_writable(ObjectKind::Attachment, *tag)?;
        }
        for tag in tags_to_delete {
            self.props.remove(*tag);
        }
        Ok(())
    }

    /// Commits into the parent's pending state (the message's saveChanges persists it).
    pub fn save(&mut self, parent: &mut MessageObject) -> Result<()> {
        self.save_within(parent, usize::MAX)
    }

    /// `save`, refused with MAPI_E_TOO_BIG when the message would then hold more than
    /// `max_bytes` (see `Limits::max_draft_bytes`).
    pub fn save_within(&mut self, parent: &mut MessageObject, max_bytes: usize) -> Result<()> {
        parent.check_write()?;
        let old = parent
            .content
            .attachments
            .get(&self.number)
            .map_or(0, |a| 16 + a.byte_size());
        let size = (parent.content.size() - old).saturating_add(16 + self.props.byte_size());
        if size > max_bytes {
            bail!(
                TooBig,
                "with attachment number {} the message would hold {size} bytes; a message may \
                 hold at most {max_bytes} bytes while it is composed (the larger of \
                 maxMessageSize and 256 MiB)",
                self.number
            );
        }
        if self.existed && !parent.content.attachments.contains_key(&self.number) {
            bail!(
                ObjectDeleted,
                "attachment number {} was deleted from the message since it was opened",
                self.number
            );
        }
        parent
            .content
            .attachments
            .insert(self.number, self.props.clone());
        self.existed = true;
        Ok(())
    }
}

fn select(all: Props, wanted: Option<&[PropTag]>) -> Props {
    match wanted {
        None => all,
        Some(w) => w
            .iter()
            .filter_map(|t| all.iter().find(|(at, _)| at == t).cloned())
            .collect(),
    }
}

fn clamp_i32(n: usize) -> i32 {
    n.min(i32::MAX as usize) as i32
}
