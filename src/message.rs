//! The content of a message: its properties, recipient table and attachment table, and
//! what is computed from them (display lists, size, has-attachments).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::props::names::tags;
use crate::props::rules::{self, ObjectKind};
use crate::props::{PropBag, PropTag, PropValue};
use crate::{bail, mapi_err};

/// `PidTagMessageFlags` bits (SPEC §4).
pub mod flags {
    pub const READ: u32 = 0x1;
    pub const UNMODIFIED: u32 = 0x2;
    /// Set by submit, cleared by abort and by finishing the send.
    pub const SUBMIT: u32 = 0x4;
    /// Set on a new message; cleared when the send is finished.
    pub const UNSENT: u32 = 0x8;
    /// Follows the attachment table at each save.
    pub const HASATTACH: u32 = 0x10;
    pub const FROMME: u32 = 0x20;
    pub const RESEND: u32 = 0x80;
}

/// `PidTagSubmitFlags` bits.
pub mod submit_flags {
    /// A transport (spooler) has locked the message; it can no longer be aborted.
    pub const LOCKED: u32 = 0x1;
    pub const PREPROCESS: u32 = 0x2;
}

pub const RECIP_TO: i32 = 1;
pub const RECIP_CC: i32 = 2;
pub const RECIP_BCC: i32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    pub rowid: u32,
    pub props: PropBag,
}

impl Recipient {
    pub fn recipient_type(&self) -> i32 {
        self.props
            .long(tags::PidTagRecipientType)
            .unwrap_or(RECIP_TO)
    }

    pub fn email(&self) -> &str {
        self.props.str(tags::PidTagEmailAddress).unwrap_or_default()
    }

    pub fn address_type(&self) -> &str {
        self.props.str(tags::PidTagAddressType).unwrap_or("SMTP")
    }

    /// The name shown in PidTagDisplayTo/Cc/Bcc: the display name, else the address.
    pub fn display(&self) -> &str {
        match self.props.str(tags::PidTagDisplayName) {
            Some(n) if !n.is_empty() => n,
            _ => self.email(),
        }
    }

    /// Every property of the row, the assigned PidTagRowid included.
    pub fn all_props(&self) -> Vec<(PropTag, PropValue)> {
        let mut v = vec![(tags::PidTagRowid, PropValue::Long(self.rowid as i32))];
        v.extend(self.props.iter().map(|(t, v)| (t, v.clone())));
        v
    }
}

/// How `modifyRecipients` changes the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientOp {
    Add,
    Modify,
    Remove,
}

impl RecipientOp {
    pub fn parse(s: &str) -> Result<RecipientOp> {
        match s {
            "add" => Ok(RecipientOp::Add),
            "modify" => Ok(RecipientOp::Modify),
            "remove" => Ok(RecipientOp::Remove),
            other => Err(mapi_err!(
                UnknownFlags,
                "modifyRecipients op must be \"add\", \"modify\" or \"remove\", got {}",
                crate::props::names::shown(other)
            )),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageContent {
    pub props: PropBag,
    pub recipients: Vec<Recipient>,
    pub next_rowid: u32,
    pub attachments: BTreeMap<u32, PropBag>,
    pub next_attach: u32,
}

impl MessageContent {
    /// Sets properties after checking all of them; on error nothing changes.
    pub fn set_props(&mut self, values: Vec<(PropTag, PropValue)>) -> Result<()> {
        for (tag, value) in &values {
            rules::check_value(ObjectKind::Message, *tag, value)?;
        }
        for (tag, value) in values {
            self.props.set(tag, value);
        }
        Ok(())
    }

    pub fn delete_props(&mut self, tags_to_delete: &[PropTag]) -> Result<()> {
        for tag in tags_to_delete {
            rules::check_writable(ObjectKind::Message, *tag)?;
        }
        for tag in tags_to_delete {
            self.props.remove(*tag);
        }
        Ok(())
    }

    /// Applies `modifyRecipients`; rows are property lists. All rows are checked first.
    pub fn modify_recipients(
        &mut self,
        op: RecipientOp,
        rows: Vec<Vec<(PropTag, PropValue)>>,
    ) -> Result<()> {
        match op {
            RecipientOp::Add => {
                let mut checked = Vec::with_capacity(rows.len());
                for (i, row) in rows.into_iter().enumerate() {
                    checked.push(check_recipient_row(i, row)?);
                }
                for props in checked {
                    self.next_rowid += 1;
                    self.recipients.push(Recipient {
                        rowid: self.next_rowid,
                        props,
                    });
                }
            }
            RecipientOp::Modify => {
                let mut checked = Vec::with_capacity(rows.len());
                for (i, row) in rows.into_iter().enumerate() {
                    let rowid = self.row_position(i, &row)?;
                    checked.push((rowid, check_recipient_row(i, row)?));
                }
                for (pos, props) in checked {
                    self.recipients[pos].props = props;
                }
            }
            RecipientOp::Remove => {
                let mut positions = Vec::with_capacity(rows.len());
                for (i, row) in rows.iter().enumerate() {
                    positions.push(self.recipients[self.row_position(i, row)?].rowid);
                }
                self.recipients.retain(|r| !positions.contains(&r.rowid));
            }
        }
        Ok(())
    }

    fn row_position(&self, i: usize, row: &[(PropTag, PropValue)]) -> Result<usize> {
        let rowid = row
            .iter()
            .find(|(t, _)| *t == tags::PidTagRowid)
            .and_then(|(_, v)| v.as_long())
            .ok_or_else(|| {
                mapi_err!(
                    InvalidParameter,
                    "recipient row {i} has no PidTagRowid; modify and remove name rows by it"
                )
            })?;
        self.recipients
            .iter()
            .position(|r| r.rowid as i64 == rowid as i64)
            .ok_or_else(|| {
                mapi_err!(
                    NotFound,
                    "recipient row {i}: no recipient has PidTagRowid {rowid}"
                )
            })
    }

    pub fn display_list(&self, recipient_type: i32) -> String {
        self.recipients
            .iter()
            .filter(|r| r.recipient_type() == recipient_type)
            .map(Recipient::display)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// PidTagMessageSize: the value sizes of every property of the message, its
    /// recipients and its attachments.
    pub fn size(&self) -> usize {
        self.props.byte_size()
            + self
                .recipients
                .iter()
                .map(|r| 16 + r.props.byte_size())
                .sum::<usize>()
            + self
                .attachments
                .values()
                .map(|a| 16 + a.byte_size())
                .sum::<usize>()
    }

    pub fn has_attachments(&self) -> bool {
        !self.attachments.is_empty()
    }

    /// Reserves the next attachment number.
    pub fn reserve_attach_number(&mut self) -> u32 {
        let n = self.next_attach;
        self.next_attach += 1;
        n
    }

    pub fn attachment_size(props: &PropBag) -> usize {
        props.byte_size()
    }
}

/// Checks one recipient row for "add"/"modify" and returns its properties (rowid left out).
fn check_recipient_row(i: usize, row: Vec<(PropTag, PropValue)>) -> Result<PropBag> {
    let mut bag = PropBag::new();
    for (tag, value) in row {
        if tag == tags::PidTagRowid {
            continue;
        }
        rules::check_value(ObjectKind::Recipient, tag, &value)
            .map_err(|e| mapi_err!(InvalidParameter, "recipient row {i}: {}", e.message))?;
        bag.set(tag, value);
    }
    let Some(email) = bag.str(tags::PidTagEmailAddress) else {
        bail!(
            InvalidParameter,
            "recipient row {i} has no PidTagEmailAddress, which is required"
        );
    };
    let address_type = bag.str(tags::PidTagAddressType).unwrap_or("SMTP");
    if address_type.is_empty() {
        bail!(
            InvalidParameter,
            "recipient row {i} has an empty PidTagAddressType"
        );
    }
    if address_type.eq_ignore_ascii_case("SMTP") {
        rules::check_addr_spec(&format_args!("recipient row {i} PidTagEmailAddress"), email)?;
    } else if email.is_empty() {
        bail!(
            InvalidParameter,
            "recipient row {i} has an empty PidTagEmailAddress"
        );
    }
    if !bag.contains(tags::PidTagAddressType) {
        bag.set(tags::PidTagAddressType, PropValue::Unicode("SMTP".into()));
    }
    if !bag.contains(tags::PidTagRecipientType) {
        bag.set(tags::PidTagRecipientType, PropValue::Long(RECIP_TO));
    }
    Ok(bag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MapiCode;

    fn row(email: &str, ty: i32, name: Option<&str>) -> Vec<(PropTag, PropValue)> {
        let mut r = vec![
            (tags::PidTagEmailAddress, PropValue::Unicode(email.into())),
            (tags::PidTagRecipientType, PropValue::Long(ty)),
        ];
        if let Some(n) = name {
            r.push((tags::PidTagDisplayName, PropValue::Unicode(n.into())));
        }
        r
    }

    #[test]
    fn add_assigns_increasing_rowids_and_defaults() {
        let mut m = MessageContent::default();
        m.modify_recipients(
            RecipientOp::Add,
            vec![row("a@x.org", 1, None), row("b@x.org", 2, None)],
        )
        .unwrap();
        assert_eq!(
            m.recipients.iter().map(|r| r.rowid).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(m.recipients[0].address_type(), "SMTP");
    }

    #[test]
    fn one_bad_row_adds_nothing() {
        let mut m = MessageContent::default();
        let e = m
            .modify_recipients(
                RecipientOp::Add,
                vec![row("a@x.org", 1, None), row("not an address", 1, None)],
            )
            .unwrap_err();
        assert_eq!(e.code, MapiCode::InvalidParameter);
        assert!(e.message.contains("row 1"), "{}", e.message);
        assert!(m.recipients.is_empty());
    }

    #[test]
    fn modify_replaces_all_properties_of_the_row() {
        let mut m = MessageContent::default();
        m.modify_recipients(RecipientOp::Add, vec![row("a@x.org", 1, Some("A"))])
            .unwrap();
        let mut r = row("c@x.org", 2, None);
        r.push((tags::PidTagRowid, PropValue::Long(1)));
        m.modify_recipients(RecipientOp::Modify, vec![r]).unwrap();
        assert_eq!(m.recipients[0].email(), "c@x.org");
        assert_eq!(m.recipients[0].props.str(tags::PidTagDisplayName), None);
        assert_eq!(m.display_list(RECIP_CC), "c@x.org");
    }

    #[test]
    fn remove_of_an_unknown_rowid_is_not_found_and_removes_nothing() {
        let mut m = MessageContent::default();
        m.modify_recipients(RecipientOp::Add, vec![row("a@x.org", 1, None)])
            .unwrap();
        let e = m
            .modify_recipients(
                RecipientOp::Remove,
                vec![
                    vec![(tags::PidTagRowid, PropValue::Long(1))],
                    vec![(tags::PidTagRowid, PropValue::Long(9))],
                ],
            )
            .unwrap_err();
        assert_eq!(e.code, MapiCode::NotFound);
        assert_eq!(m.recipients.len(), 1);
    }

    #[test]
    fn display_lists_join_names_by_type() {
        let mut m = MessageContent::default();
        m.modify_recipients(
            RecipientOp::Add,
            vec![
                row("a@x.org", 1, Some("Ann")),
                row("b@x.org", 1, None),
                row("c@x.org", 3, Some("Cy")),
            ],
        )
        .unwrap();
        assert_eq!(m.display_list(RECIP_TO), "Ann; b@x.org");
        assert_eq!(m.display_list(RECIP_CC), "");
        assert_eq!(m.display_list(RECIP_BCC), "Cy");
    }

    #[test]
    fn non_smtp_addresses_are_not_checked_as_addr_specs() {
        let mut m = MessageContent::default();
        let mut r = row("/o=Org/cn=Someone", 1, None);
        r.push((tags::PidTagAddressType, PropValue::Unicode("EX".into())));
        m.modify_recipients(RecipientOp::Add, vec![r]).unwrap();
        assert_eq!(m.recipients[0].address_type(), "EX");
    }
}
