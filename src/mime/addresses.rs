//! Who the message is from and to: `From` from the sender properties or the store
//! identity, `To`/`Cc` from the SMTP recipients. Bcc recipients never get a header.

use std::borrow::Cow;

use mail_builder::headers::address::Address;

use super::words::{self, Mailbox};
use super::MimeOptions;
use crate::error::Result;
use crate::message::{MessageContent, Recipient, RECIP_CC, RECIP_TO};
use crate::props::names::tags;
use crate::props::rules::{check_addr_spec, check_header_text};
use crate::{bail, mapi_err};

/// The `From` mailbox: PidTagSenderEmailAddress (with PidTagSenderName), else the store
/// identity (with PidTagSenderName, else the identity's name).
pub(super) fn from<'a>(content: &'a MessageContent, opts: &MimeOptions<'a>) -> Result<Mailbox<'a>> {
    let props = &content.props;
    let name = props.str(tags::PidTagSenderName).filter(|n| !n.is_empty());
    let (email, email_key, name) = match props.str(tags::PidTagSenderEmailAddress) {
        Some(email) if !email.is_empty() => (email, "PidTagSenderEmailAddress", name),
        _ => match opts.identity {
            Some(id) => (
                id.email.as_str(),
                "the store identity's email",
                name.or(id.name.as_deref().filter(|n| !n.is_empty())),
            ),
            None => bail!(
                InvalidParameter,
                "the message has no sender: set PidTagSenderEmailAddress, or open the store \
                 with an identity"
            ),
        },
    };
    mailbox(name, &"PidTagSenderName", email, &email_key)
}

/// The `To` or `Cc` list: the recipients of that type whose address type is SMTP, in table
/// order. None when there are none.
pub(super) fn list(
    content: &MessageContent,
    recipient_type: i32,
) -> Result<Option<Vec<Mailbox<'_>>>> {
    debug_assert!(recipient_type == RECIP_TO || recipient_type == RECIP_CC);
    let mut out = Vec::new();
    for r in content
        .recipients
        .iter()
        .filter(|r| r.recipient_type() == recipient_type && is_smtp(r))
    {
        let row = r.rowid;
        let name = r
            .props
            .str(tags::PidTagDisplayName)
            .filter(|n| !n.is_empty());
        out.push(mailbox(
            name,
            &format_args!("recipient {row} PidTagDisplayName"),
            r.email(),
            &format_args!("recipient {row} PidTagEmailAddress"),
        )?);
    }
    Ok((!out.is_empty()).then_some(out))
}

/// Only SMTP addresses are RFC 5322 mailboxes; other address types (EX, FAX, X400, ...)
/// are left out of the headers and reach their transport through `outgoing.recipients`.
pub fn is_smtp(r: &Recipient) -> bool {
    r.address_type().eq_ignore_ascii_case("SMTP")
}

/// One mailbox, after checking both halves on the writer's own account (the property rules
/// already did, but content can be built without them).
fn mailbox<'a>(
    name: Option<&'a str>,
    name_key: &dyn std::fmt::Display,
    email: &'a str,
    email_key: &dyn std::fmt::Display,
) -> Result<Mailbox<'a>> {
    check_addr_spec(email_key, email)
        .map_err(|e| mapi_err!(InvalidParameter, "toMime: {}", e.message))?;
    if let Some(n) = name {
        check_header_text(name_key, n)?;
    }
    Ok((name, email))
}

/// Writes `Name: ` and the mailboxes: through mail-builder, or, when a display name would be
/// read as encoded words, through `words` (which encodes it).
pub(super) fn write_header<'a>(out: &mut Vec<u8>, name: &str, list: &[Mailbox<'a>]) {
    if list
        .iter()
        .any(|(n, _)| n.is_some_and(words::looks_encoded))
    {
        return words::address_header(out, name, list);
    }
    let address = |(n, e): &Mailbox<'a>| Address::new_address(n.map(Cow::Borrowed), *e);
    let value = if list.len() == 1 {
        address(&list[0])
    } else {
        Address::new_list(list.iter().map(address).collect())
    };
    super::headers::header(out, name, value);
}

/// The envelope recipients (`RCPT TO`) for some recipient rows: each address once, in table
/// order, however often it is listed (the same person as To and Bcc gets one copy). Addresses
/// that differ only in ASCII case are the same mailbox to every real server, so they count as
/// one too; the first spelling is kept.
pub fn envelope_recipients<'a>(emails: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    emails
        .into_iter()
        .filter(|e| seen.insert(e.to_ascii_lowercase()))
        .collect()
}

#[cfg(test)]
mod envelope_tests {
    use super::envelope_recipients;

    #[test]
    fn an_address_listed_as_to_and_bcc_is_one_envelope_recipient() {
        let rows = ["a@x.org", "b@x.org", "a@x.org", "A@X.org", "c@x.org"];
        assert_eq!(envelope_recipients(rows), ["a@x.org", "b@x.org", "c@x.org"]);
    }
}
