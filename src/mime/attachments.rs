//! Attachment parts: the exact bytes of PidTagAttachDataBinary in base64, the type from
//! PidTagAttachMimeTag, the name from PidTagAttachLongFilename (else PidTagAttachFilename)
//! as an RFC 2231 parameter when it is not ASCII, and PidTagAttachContentId → an inline
//! part with a Content-ID.

use std::borrow::Cow;

use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::HeaderType;
use mail_builder::mime::{BodyPart, MimePart};

use super::base64;
use super::headers::angle_id;
use super::words;
use crate::bail;
use crate::error::Result;
use crate::message::MessageContent;
use crate::props::names::tags;
use crate::props::rules::check_header_text;
use crate::props::PropBag;

const DEFAULT_TYPE: &str = "application/octet-stream";

/// RFC 6838 §4.2: type and subtype names are at most 127 characters each.
const MAX_MIME_TYPE: usize = 255;

pub(super) struct Parts<'a> {
    pub parts: Vec<MimePart<'a>>,
    pub estimated_len: usize,
    /// The attachments' bytes, as handed to mail-builder: the writer base64-encodes each
    /// of these where mail-builder writes it (see `mime::Out`).
    pub raw: Vec<&'a [u8]>,
}

/// The attachments in attachment-number order.
pub(super) fn parts(content: &MessageContent) -> Result<Parts<'_>> {
    let mut parts = Vec::with_capacity(content.attachments.len());
    let mut estimated_len = 0;
    let mut raw = Vec::with_capacity(content.attachments.len());
    for (&n, props) in &content.attachments {
        let data = props
            .binary(tags::PidTagAttachDataBinary)
            .unwrap_or_default();
        estimated_len += base64::encoded_len(data.len()) + 512;
        parts.push(part(n, props, data)?);
        raw.push(data);
    }
    Ok(Parts {
        parts,
        estimated_len,
        raw,
    })
}

fn part<'a>(n: u32, props: &'a PropBag, data: &'a [u8]) -> Result<MimePart<'a>> {
    let mime_type = mime_type(n, props)?;
    let filename = [tags::PidTagAttachLongFilename, tags::PidTagAttachFilename]
        .into_iter()
        .find_map(|t| props.str(t).filter(|s| !s.is_empty()));
    if let Some(f) = filename {
        check_header_text(&format_args!("attachment {n} filename"), f)?;
    }
    let content_id = match props.str(tags::PidTagAttachContentId) {
        Some(cid) if !cid.is_empty() => Some(angle_id(
            &format!("attachment {n} PidTagAttachContentId"),
            cid,
            "Content-ID",
        )?),
        _ => None,
    };

    let kind = if content_id.is_some() {
        "inline"
    } else {
        "attachment"
    };
    let disposition: HeaderType<'_> = match filename {
        // Written as an RFC 2231 parameter, so no reader takes it for encoded words.
        Some(f) if words::looks_encoded(f) => {
            Raw::new(words::disposition_with_filename(kind, f)).into()
        }
        Some(f) => ContentType::new(kind).attribute("filename", f).into(),
        None => ContentType::new(kind).into(),
    };

    // Always base64, so the bytes come back exactly (for text/* mail-builder would pick 7bit
    // when the bytes allow, and its 7bit path passes a lone CR or a NUL through). The part
    // says "Content-Transfer-Encoding: base64" (where mail-builder would write it), so
    // mail-builder writes the body as it is, and `mime::Out` encodes it on the way.
    let body = BodyPart::Binary(Cow::Borrowed(data));
    let mut part =
        MimePart::new(ContentType::new(mime_type), body).header("Content-Disposition", disposition);
    if let Some(cid) = content_id {
        part = part.header("Content-ID", cid);
    }
    Ok(part.transfer_encoding("base64"))
}

/// PidTagAttachMimeTag in lower case, else application/octet-stream. A multipart/* tag
/// becomes application/octet-stream too: the bytes are an opaque attachment here, and a
/// multipart type without a boundary parameter would make readers lose them.
fn mime_type(n: u32, props: &PropBag) -> Result<String> {
    let Some(tag) = props
        .str(tags::PidTagAttachMimeTag)
        .filter(|s| !s.is_empty())
    else {
        return Ok(DEFAULT_TYPE.into());
    };
    let token = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    if tag.len() > MAX_MIME_TYPE
        || !tag
            .split_once('/')
            .is_some_and(|(a, b)| token(a) && token(b))
    {
        bail!(
            InvalidParameter,
            "toMime: attachment {n} PidTagAttachMimeTag must be a MIME type such as \
             \"application/pdf\" of at most {MAX_MIME_TYPE} characters, got {}",
            crate::props::names::shown(tag)
        );
    }
    let lower = tag.to_ascii_lowercase();
    Ok(if lower.starts_with("multipart/") {
        DEFAULT_TYPE.into()
    } else {
        lower
    })
}
