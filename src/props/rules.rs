//! What a value must satisfy before an object accepts it: the right type, not computed,
//! no CR/LF in anything that ends up in a header, and the ranges SPEC §4 gives.

use super::names::{key_for_tag, tags};
use super::{PropTag, PropValue};
use crate::error::Result;
use crate::{bail, mapi_err};

/// Which kind of object a property is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Message,
    Recipient,
    Attachment,
}

/// Longest value, in UTF-8 bytes, of a string property that ends up in a header.
pub const MAX_HEADER_VALUE: usize = 32 * 1024;

/// Longest e-mail address (RFC 5321 path limit less the angle brackets).
pub const MAX_ADDRESS: usize = 254;

const MESSAGE_COMPUTED: &[PropTag] = &[
    tags::PidTagMessageFlags,
    tags::PidTagSubmitFlags,
    tags::PidTagMessageSize,
    tags::PidTagHasAttachments,
    tags::PidTagDisplayTo,
    tags::PidTagDisplayCc,
    tags::PidTagDisplayBcc,
    tags::PidTagEntryId,
];

const ATTACHMENT_COMPUTED: &[PropTag] = &[tags::PidTagAttachNumber, tags::PidTagAttachSize];

const HEADER_BOUND: &[PropTag] = &[
    tags::PidTagSubject,
    tags::PidTagSenderName,
    tags::PidTagSenderEmailAddress,
    tags::PidTagInternetMessageId,
    tags::PidTagMessageClass,
    tags::PidTagDisplayName,
    tags::PidTagEmailAddress,
    tags::PidTagAddressType,
    tags::PidTagAttachLongFilename,
    tags::PidTagAttachFilename,
    tags::PidTagAttachMimeTag,
    tags::PidTagAttachContentId,
];

pub fn is_computed(kind: ObjectKind, tag: PropTag) -> bool {
    match kind {
        ObjectKind::Message => MESSAGE_COMPUTED.contains(&tag),
        ObjectKind::Attachment => ATTACHMENT_COMPUTED.contains(&tag),
        ObjectKind::Recipient => false,
    }
}

/// Rejects a write or delete of a property the store computes.
pub fn check_writable(kind: ObjectKind, tag: PropTag) -> Result<()> {
    if is_computed(kind, tag) {
        bail!(
            Computed,
            "property {} is computed by the store and cannot be written or deleted",
            key_for_tag(tag)
        );
    }
    Ok(())
}

/// Checks a value about to be set on an object of `kind`.
pub fn check_value(kind: ObjectKind, tag: PropTag, value: &PropValue) -> Result<()> {
    let key = key_for_tag(tag);
    check_writable(kind, tag)?;
    let (ty, multi) = tag.value_type(&key)?;
    if value.prop_type() != (ty, multi) {
        bail!(
            InvalidParameter,
            "property {key} must be {}{}",
            if multi { "an array of " } else { "" },
            ty.js_name()
        );
    }
    if HEADER_BOUND.contains(&tag) {
        if let PropValue::Unicode(s) = value {
            check_header_text(&key, s)?;
        }
    }
    let in_range = |lo: i32, hi: i32| -> Result<()> {
        match value.as_long() {
            Some(v) if v < lo || v > hi => {
                bail!(
                    InvalidParameter,
                    "property {key} must be from {lo} to {hi}, got {v}"
                )
            }
            _ => Ok(()),
        }
    };
    match tag {
        t if t == tags::PidTagImportance => in_range(0, 2)?,
        t if t == tags::PidTagPriority => in_range(-1, 1)?,
        t if t == tags::PidTagRecipientType => in_range(1, 3)?,
        t if t == tags::PidTagDeferredSendNumber => in_range(0, 999)?,
        t if t == tags::PidTagDeferredSendUnits => in_range(0, 3)?,
        t if t == tags::PidTagAttachMethod => in_range(1, 1)?,
        t if t == tags::PidTagSenderEmailAddress => {
            let s = value.as_str().unwrap_or_default();
            if !s.is_empty() {
                check_addr_spec(&key, s)?;
            }
        }
        t if t == tags::PidTagInternetMessageId => {
            let s = value.as_str().unwrap_or_default();
            let inner = s.strip_prefix('<').and_then(|s| s.strip_suffix('>'));
            let ok = inner.is_some_and(|i| {
                i.contains('@')
                    && !i.is_empty()
                    && i.bytes()
                        .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
            });
            if !ok {
                bail!(
                    InvalidParameter,
                    "property {key} must have the form <id@domain> with printable ASCII, got {}",
                    super::names::shown(s)
                );
            }
        }
        t if t == tags::PidTagAttachMimeTag => {
            let s = value.as_str().unwrap_or_default();
            let token = |p: &str| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
            };
            let ok = s.split_once('/').is_some_and(|(a, b)| token(a) && token(b));
            if !ok {
                bail!(
                    InvalidParameter,
                    "property {key} must be a MIME type such as \"application/pdf\", got {}",
                    super::names::shown(s)
                );
            }
        }
        t if t == tags::PidTagSentMailEntryId => {
            let len = value.as_binary().map_or(0, <[u8]>::len);
            if len != crate::entry_id::ENTRY_ID_LEN {
                bail!(
                    InvalidParameter,
                    "property {key} must be a folder entry id of {} bytes, got {len} bytes",
                    crate::entry_id::ENTRY_ID_LEN
                );
            }
        }
        _ => {}
    }
    Ok(())
}

/// Text that goes into a header: no CR, LF or NUL (header injection), and not huge.
/// (`key` names the property in an error message; it is formatted only for one.)
pub fn check_header_text(key: &dyn std::fmt::Display, s: &str) -> Result<()> {
    if let Some(pos) = s.bytes().position(|b| matches!(b, b'\r' | b'\n' | 0)) {
        bail!(
            InvalidParameter,
            "property {key} ends up in a mail header and must not contain CR, LF or NUL \
             (found at byte {pos})"
        );
    }
    if s.len() > MAX_HEADER_VALUE {
        bail!(
            InvalidParameter,
            "property {key} ends up in a mail header and is limited to {MAX_HEADER_VALUE} bytes, \
             got {} bytes",
            s.len()
        );
    }
    Ok(())
}

/// A bare RFC 5322 addr-spec (`local@domain`, no display name, no angle brackets).
pub fn check_addr_spec(key: &dyn std::fmt::Display, s: &str) -> Result<()> {
    let options = email_address::Options {
        minimum_sub_domains: 0,
        allow_domain_literal: true,
        allow_display_text: false,
        allow_long_local_parts: false,
    };
    if s.len() > MAX_ADDRESS {
        bail!(
            InvalidParameter,
            "{key} is {} bytes long; an e-mail address has at most {MAX_ADDRESS}",
            s.len()
        );
    }
    email_address::EmailAddress::parse_with_options(s, options)
        .map(|_| ())
        .map_err(|e| {
            mapi_err!(
                InvalidParameter,
                "{key} {} is not a valid e-mail address (addr-spec): {e}",
                super::names::shown(s)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MapiCode;

    fn s(v: &str) -> PropValue {
        PropValue::Unicode(v.into())
    }

    #[test]
    fn crlf_in_a_header_bound_property_is_rejected_but_allowed_in_the_body() {
        let e =
            check_value(ObjectKind::Message, tags::PidTagSubject, &s("a\r\nBcc: x")).unwrap_err();
        assert_eq!(e.code, MapiCode::InvalidParameter);
        assert!(e.message.contains("PidTagSubject"));
        check_value(ObjectKind::Message, tags::PidTagBody, &s("line1\r\nline2")).unwrap();
    }

    #[test]
    fn computed_message_properties_answer_computed() {
        let e = check_value(
            ObjectKind::Message,
            tags::PidTagMessageFlags,
            &PropValue::Long(1),
        )
        .unwrap_err();
        assert_eq!(e.code, MapiCode::Computed);
        // The same tag is an ordinary property on an attachment.
        check_writable(ObjectKind::Attachment, tags::PidTagMessageFlags).unwrap();
    }

    #[test]
    fn wrong_value_type_names_the_expected_type() {
        let e = check_value(
            ObjectKind::Message,
            tags::PidTagSubject,
            &PropValue::Long(1),
        )
        .unwrap_err();
        assert_eq!(e.code, MapiCode::InvalidParameter);
        assert!(e.message.contains("string"), "{}", e.message);
    }

    #[test]
    fn ranges_are_enforced() {
        let imp = |v| {
            check_value(
                ObjectKind::Message,
                tags::PidTagImportance,
                &PropValue::Long(v),
            )
        };
        assert!(imp(0).is_ok() && imp(2).is_ok());
        assert!(imp(3).is_err() && imp(-1).is_err());
        let rt = |v| {
            check_value(
                ObjectKind::Recipient,
                tags::PidTagRecipientType,
                &PropValue::Long(v),
            )
        };
        assert!(rt(1).is_ok() && rt(3).is_ok() && rt(0).is_err() && rt(4).is_err());
    }

    #[test]
    fn addr_specs_are_validated() {
        for ok in [
            "a@example.org",
            "first.last+tag@sub.example.co",
            "x@localhost",
        ] {
            check_addr_spec(&"k", ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b",
            "A <a@b.org>",
            "a b@c.org",
            "a@b.org\r\n",
            &"x".repeat(300),
        ] {
            assert!(check_addr_spec(&"k", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn internet_message_id_needs_angle_brackets() {
        let m = |v: &str| check_value(ObjectKind::Message, tags::PidTagInternetMessageId, &s(v));
        assert!(m("<a@b>").is_ok());
        assert!(m("a@b").is_err() && m("<a b@c>").is_err() && m("<>").is_err());
    }

    #[test]
    fn mime_tag_must_look_like_a_type() {
        let m = |v: &str| check_value(ObjectKind::Attachment, tags::PidTagAttachMimeTag, &s(v));
        assert!(m("application/pdf").is_ok() && m("image/svg+xml").is_ok());
        assert!(m("pdf").is_err() && m("a/b c").is_err() && m("/x").is_err());
    }

    #[test]
    fn oversized_header_values_are_rejected() {
        let big = "é".repeat(MAX_HEADER_VALUE);
        assert!(check_value(ObjectKind::Message, tags::PidTagSubject, &s(&big)).is_err());
        check_value(ObjectKind::Message, tags::PidTagBody, &s(&big)).unwrap();
    }
}
