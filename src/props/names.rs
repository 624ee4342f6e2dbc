//! Canonical property names (SPEC §4) and the key syntax: a name, or `0x` + 8 hex digits.

use super::tag::PropTag;
use crate::error::Result;
use crate::mapi_err;

macro_rules! known_props {
    ($($name:ident = $tag:literal;)*) => {
        pub mod tags {
            use super::PropTag;
            $(#[allow(non_upper_case_globals)] pub const $name: PropTag = PropTag($tag);)*
        }
        /// Every canonical name with its tag.
        pub const KNOWN: &[(&str, PropTag)] = &[$((stringify!($name), PropTag($tag)),)*];
    };
}

known_props! {
    PidTagSubject = 0x0037_001F;
    PidTagBody = 0x1000_001F;
    PidTagBodyHtml = 0x1013_001F;
    PidTagMessageClass = 0x001A_001F;
    PidTagImportance = 0x0017_0003;
    PidTagPriority = 0x0026_0003;
    PidTagMessageFlags = 0x0E07_0003;
    PidTagSubmitFlags = 0x0E14_0003;
    PidTagMessageSize = 0x0E08_0003;
    PidTagHasAttachments = 0x0E1B_000B;
    PidTagDisplayTo = 0x0E04_001F;
    PidTagDisplayCc = 0x0E03_001F;
    PidTagDisplayBcc = 0x0E02_001F;
    PidTagEntryId = 0x0FFF_0102;
    PidTagClientSubmitTime = 0x0039_0040;
    PidTagInternetMessageId = 0x1035_001F;
    PidTagSenderName = 0x0C1A_001F;
    PidTagSenderEmailAddress = 0x0C1F_001F;
    PidTagSentMailEntryId = 0x0E0A_0102;
    PidTagDeleteAfterSubmit = 0x0E01_000B;
    PidTagDeferredSendTime = 0x3FEF_0040;
    PidTagDeferredSendNumber = 0x3FEB_0003;
    PidTagDeferredSendUnits = 0x3FEC_0003;
    PidTagDeferredDeliveryTime = 0x000F_0040;
    PidTagRowid = 0x3000_0003;
    PidTagRecipientType = 0x0C15_0003;
    PidTagDisplayName = 0x3001_001F;
    PidTagAddressType = 0x3002_001F;
    PidTagEmailAddress = 0x3003_001F;
    PidTagResponsibility = 0x0E0F_000B;
    PidTagAttachNumber = 0x0E21_0003;
    PidTagAttachMethod = 0x3705_0003;
    PidTagAttachDataBinary = 0x3701_0102;
    PidTagAttachLongFilename = 0x3707_001F;
    PidTagAttachFilename = 0x3704_001F;
    PidTagAttachMimeTag = 0x370E_001F;
    PidTagAttachContentId = 0x3712_001F;
    PidTagAttachSize = 0x0E20_0003;
}

pub fn name_of(tag: PropTag) -> Option<&'static str> {
    KNOWN.iter().find(|(_, t)| *t == tag).map(|(n, _)| *n)
}

/// The key `getProps` returns: the canonical name, else `0x` + 8 upper-case hex digits.
pub fn key_for_tag(tag: PropTag) -> std::borrow::Cow<'static, str> {
    match name_of(tag) {
        Some(name) => name.into(),
        None => format!("0x{:08X}", tag.0).into(),
    }
}

/// Shortens a user-supplied key for an error message (keys can be megabytes long).
pub fn shown(key: &str) -> String {
    const MAX: usize = 60;
    if key.len() <= MAX {
        format!("{key:?}")
    } else {
        let cut = (0..=MAX)
            .rev()
            .find(|&i| key.is_char_boundary(i))
            .unwrap_or(0);
        format!("{:?}… ({} bytes)", &key[..cut], key.len())
    }
}

/// Parses a property key: a canonical name, or a hex tag `0x8001001F` (either case).
pub fn parse_key(key: &str) -> Result<PropTag> {
    if let Some(hex) = key.strip_prefix("0x").or_else(|| key.strip_prefix("0X")) {
        if hex.len() == 8 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            if let Ok(v) = u32::from_str_radix(hex, 16) {
                return Ok(PropTag(v));
            }
        }
        return Err(mapi_err!(
            InvalidParameter,
            "property key {} is not a hex tag of the form 0x8001001F",
            shown(key)
        ));
    }
    KNOWN
        .iter()
        .find(|(n, _)| *n == key)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            mapi_err!(
                InvalidParameter,
                "unknown property name {} (use a canonical name such as \"PidTagSubject\" or a \
                 hex tag such as \"0x8001001F\")",
                shown(key)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_and_hex_keys_parse_to_the_same_tag() {
        assert_eq!(parse_key("PidTagSubject").unwrap(), tags::PidTagSubject);
        assert_eq!(parse_key("0x0037001f").unwrap(), tags::PidTagSubject);
        assert_eq!(parse_key("0X0037001F").unwrap(), tags::PidTagSubject);
    }

    #[test]
    fn unknown_names_and_malformed_hex_are_invalid_parameter() {
        for k in ["PidTagNope", "0x123", "0xZZZZZZZZ", "", "0x", "subject"] {
            let e = parse_key(k).unwrap_err();
            assert_eq!(e.code, crate::MapiCode::InvalidParameter, "{k}");
        }
    }

    #[test]
    fn keys_come_back_canonical_or_upper_hex() {
        assert_eq!(key_for_tag(tags::PidTagBody), "PidTagBody");
        assert_eq!(key_for_tag(PropTag(0x8001_001F)), "0x8001001F");
        assert_eq!(key_for_tag(PropTag(0x8abc_0102)), "0x8ABC0102");
    }

    #[test]
    fn long_keys_are_shortened_in_messages() {
        let k = "x".repeat(10_000_000);
        let e = parse_key(&k).unwrap_err();
        assert!(e.message.len() < 300, "{}", e.message.len());
        assert!(e.message.contains("10000000 bytes"));
    }
}
