//! The message's own header block, written in this order: From, To, Cc, Subject, Date,
//! Message-ID, Importance, MIME-Version. The body part's Content-* headers follow.

use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::text::Text;
use mail_builder::headers::{Header, HeaderType};

use super::{addresses, words, MimeOptions};
use crate::error::Result;
use crate::message::{MessageContent, RECIP_CC, RECIP_TO};
use crate::props::names::tags;
use crate::props::rules::check_header_text;
use crate::{bail, mapi_err};

/// RFC 5322 §2.1.1: no line may be longer than 998 octets (CRLF not counted).
pub(super) const MAX_LINE: usize = 998;

/// Dates the `Date` header can carry: years 1900 to 9999 (four-digit years, RFC 5322 §3.3).
const MIN_DATE_SECS: i64 = -2_208_988_800; // 1900-01-01T00:00:00Z
const MAX_DATE_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

pub(super) fn write(
    out: &mut Vec<u8>,
    content: &MessageContent,
    opts: &MimeOptions<'_>,
) -> Result<()> {
    let props = &content.props;
    addresses::write_header(out, "From", &[addresses::from(content, opts)?]);
    if let Some(to) = addresses::list(content, RECIP_TO)? {
        addresses::write_header(out, "To", &to);
    }
    if let Some(cc) = addresses::list(content, RECIP_CC)? {
        addresses::write_header(out, "Cc", &cc);
    }
    // Bcc recipients are never written: they exist only in the envelope (rcptTo).
    if let Some(subject) = props.str(tags::PidTagSubject) {
        check_header_text(&"PidTagSubject", subject)?;
        if words::needs_words(subject) {
            words::encoded_header(out, "Subject", subject);
        } else {
            header(out, "Subject", Text::new(subject));
        }
    }
    header(out, "Date", date(content, opts)?);
    if let Some(id) = message_id(content)? {
        header(out, "Message-ID", id);
    }
    match props.long(tags::PidTagImportance) {
        Some(0) => out.extend_from_slice(b"Importance: low\r\n"),
        Some(2) => out.extend_from_slice(b"Importance: high\r\n"),
        _ => {}
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    Ok(())
}

pub(super) fn header<'x>(out: &mut Vec<u8>, name: &str, value: impl Into<HeaderType<'x>>) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    // Through the same sink type as the body (mime::Out), so mail-builder's header writers
    // are compiled once, not once for Vec<u8> and once for Out (~10 KB of the .wasm).
    let mut sink = super::Out::new(std::mem::take(out), &[]);
    value.into().write_header(&mut sink, name.len() + 2);
    *out = sink.buf;
}

/// PidTagClientSubmitTime when the message has one (it was submitted), else the caller's
/// clock; whole seconds, UTC.
fn date(content: &MessageContent, opts: &MimeOptions<'_>) -> Result<Date> {
    let (ms, what) = match (
        opts.date_ms,
        content.props.time(tags::PidTagClientSubmitTime),
    ) {
        (Some(ms), _) => (ms, "the send time"),
        (None, Some(ms)) => (ms, "PidTagClientSubmitTime"),
        (None, None) => (opts.now_ms, "the current time"),
    };
    let secs = ms.div_euclid(1000);
    if !(MIN_DATE_SECS..=MAX_DATE_SECS).contains(&secs) {
        bail!(
            InvalidParameter,
            "toMime: {what} ({ms} ms since 1970) is outside the years 1900 to 9999 that a Date \
             header can carry"
        );
    }
    Ok(Date::new(secs))
}

/// `Message-ID` from PidTagInternetMessageId. A draft that has none gets no Message-ID
/// header: submit assigns the id, and a made-up one here would differ from it.
pub(super) fn message_id(content: &MessageContent) -> Result<Option<MessageId<'_>>> {
    match content.props.str(tags::PidTagInternetMessageId) {
        None => Ok(None),
        Some(v) => angle_id("PidTagInternetMessageId", v, "Message-ID").map(Some),
    }
}

/// An id written as `<...>` (Message-ID, Content-ID): printable ASCII without spaces or
/// angle brackets, short enough for one line. The brackets in `value` are optional.
pub(super) fn angle_id<'a>(key: &str, value: &'a str, header: &str) -> Result<MessageId<'a>> {
    let inner = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value);
    if inner.is_empty()
        || !inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
    {
        bail!(
            InvalidParameter,
            "toMime: {key} must be printable ASCII without spaces or angle brackets to go into \
             a {header} header, got {}",
            crate::props::names::shown(value)
        );
    }
    // "Header: <" + id + ">" must fit on one line: ids are never folded.
    let room = MAX_LINE - header.len() - 4;
    if inner.len() > room {
        return Err(mapi_err!(
            InvalidParameter,
            "toMime: {key} is {} bytes long; a {header} header line holds at most {room}",
            inner.len()
        ));
    }
    Ok(MessageId::new(inner))
}
